"""Browser pages for agencies and their programmes, referrals and attendance."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from agencies.access import (
    access_referral_by_id,
    can_manage_agencies,
    can_manage_places,
    can_record_referral,
    can_refer,
    can_view_agencies,
)
from agencies.forms import (
    AgencyFilterForm,
    AgencyForm,
    AttendanceForm,
    DiscontinueForm,
    ProgrammeForm,
    ReferForm,
    ReferralStatusForm,
)
from agencies.models import (
    ATTENDANCE_STATUSES,
    OPEN_REFERRAL_STATUSES,
    PLACE_STATUSES,
    REFERRAL_TRANSITIONS,
    Agency,
    AgencyStatus,
    Programme,
    ProgrammeStatus,
    ReferralStatus,
)
from agencies.selectors import programmes_with_places, referrals_with_attendance, waiting_list, with_rates
from agencies.services import (
    AGENCY_FIELDS,
    agency_accept,
    agency_discontinue,
    agency_update,
    attendance_record,
    programme_adopt,
    programme_discontinue,
    programme_update,
    referral_create,
    referral_transition,
)
from audit.models import AuditAction
from audit.services import audit_listed, audit_record, audit_view
from ioms.csv_export import Echo, safe_cell
from ioms.forms import add_service_errors, posted
from offenders.access import access_offender_by_id
from offenders.models import visible_offenders_q

AGENCY_PAGE_SIZE = 50
CLOSED_REFERRALS_PAGE_SIZE = 25
PROGRAMME_FORM_FIELDS = ("name", "kind", "description", "office", "capacity", "adopted_on")


def _require_view(user) -> None:
    if not can_view_agencies(user):
        raise PermissionDenied("You may not see agencies and programmes.")


def _require_manage(user) -> None:
    if not can_manage_agencies(user):
        raise PermissionDenied(
            "Only service managers, administrative support and administrators manage agencies."
        )


def _require(user, *, for_edit: bool) -> None:
    if for_edit:
        _require_manage(user)
    else:
        _require_view(user)


def _agency(user, pk, *, for_edit: bool = False) -> Agency:
    _require(user, for_edit=for_edit)
    return get_object_or_404(Agency, pk=pk)


def _programme(user, pk, *, for_edit: bool = False) -> Programme:
    _require(user, for_edit=for_edit)
    return get_object_or_404(Programme.objects.select_related("agency", "office"), pk=pk)


@require_http_methods(["GET"])
def agency_list(request):
    _require_view(request.user)
    form = AgencyFilterForm(request.GET or None)
    agencies = Agency.objects.all()
    if form.is_valid():
        if form.cleaned_data["name"]:
            agencies = agencies.filter(name__icontains=form.cleaned_data["name"].strip())
        if form.cleaned_data["status"]:
            agencies = agencies.filter(status=form.cleaned_data["status"])
    agencies = agencies.annotate(
        programme_count=Count("programmes", filter=Q(programmes__status=ProgrammeStatus.ADOPTED))
    ).order_by("name", "pk")
    page_obj = Paginator(agencies, AGENCY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "agencies/list.html",
        {"form": form, "page_obj": page_obj, "can_manage": can_manage_agencies(request.user)},
    )


@require_http_methods(["GET"])
def agency_detail(request, pk):
    """The agency's view of its programmes: places taken and free, the waiting list, referrals and
    the rate of attendance, with a CSV export."""
    agency = _agency(request.user, pk)
    programmes = programmes_with_places(agency.programmes.order_by("status", "name", "pk"))
    return render(
        request,
        "agencies/detail.html",
        {"agency": agency, "programmes": programmes, "can_manage": can_manage_agencies(request.user)},
    )


def _csv_response(header, rows, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


PROGRAMMES_CSV_HEADER = (
    "Programme",
    "Kind",
    "Office",
    "Status",
    "Places",
    "Places taken",
    "Places free",
    "Waiting",
    "Awaiting a decision",
    "Referrals",
    "Completed",
    "Did not complete",
    "Sessions recorded",
    "Sessions attended",
    "Absences excused",
    "Attendance rate (%)",
)


@require_GET
def programmes_export(request, pk):
    agency = _agency(request.user, pk)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=agency,
        summary=f"Exported the programmes of {agency}",
    )
    rows = (
        [
            programme.name,
            programme.get_kind_display(),
            programme.office.name if programme.office_id else "All offices",
            programme.get_status_display(),
            programme.capacity,
            programme.places_taken,
            programme.places_free,
            programme.waiting,
            programme.awaiting_decision,
            programme.referral_count,
            programme.completed,
            programme.not_completed,
            programme.sessions,
            programme.attended_sessions,
            programme.excused_sessions,
            programme.attendance_rate,
        ]
        for programme in programmes_with_places(agency.programmes.order_by("status", "name", "pk"))
    )
    slug = "".join(ch if ch.isalnum() else "-" for ch in agency.name.lower())
    return _csv_response(
        PROGRAMMES_CSV_HEADER, rows, f"programmes-{slug}-{timezone.localdate().isoformat()}.csv"
    )


@require_http_methods(["GET", "POST"])
def agency_create(request):
    _require_manage(request.user)
    form = AgencyForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            agency = agency_accept(
                actor=request.user, **{name: form.cleaned_data[name] for name in AGENCY_FIELDS}
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Accepted {agency}.")
            return redirect("agencies:detail", pk=agency.pk)
    return render(request, "agencies/agency_form.html", {"form": form, "agency": None})


@require_http_methods(["GET", "POST"])
def agency_edit(request, pk):
    agency = _agency(request.user, pk, for_edit=True)
    form = AgencyForm(posted(request), instance=Agency.objects.get(pk=agency.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changes = agency_update(
                actor=request.user, agency=agency, **{name: form.cleaned_data[name] for name in AGENCY_FIELDS}
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved changes to {agency}." if changes else "Nothing was changed.")
            return redirect("agencies:detail", pk=agency.pk)
    return render(request, "agencies/agency_form.html", {"form": form, "agency": agency})


@require_http_methods(["GET", "POST"])
def agency_discontinue_view(request, pk):
    agency = _agency(request.user, pk, for_edit=True)
    if agency.status == AgencyStatus.DISCONTINUED:
        messages.info(request, f"{agency} is already discontinued.")
        return redirect("agencies:detail", pk=agency.pk)
    form = DiscontinueForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            agency_discontinue(
                actor=request.user,
                agency=agency,
                on=form.cleaned_data["discontinued_on"],
                reason=form.cleaned_data["discontinued_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Discontinued {agency} and its programmes.")
            return redirect("agencies:detail", pk=agency.pk)
    open_programmes = agency.programmes.filter(status=ProgrammeStatus.ADOPTED)
    return render(
        request,
        "agencies/discontinue.html",
        {"form": form, "record": agency, "agency": agency, "open_programmes": open_programmes},
    )


@require_http_methods(["GET", "POST"])
def programme_create(request, agency_pk):
    agency = _agency(request.user, agency_pk, for_edit=True)
    if agency.status == AgencyStatus.DISCONTINUED:
        messages.error(request, f"{agency} is discontinued and cannot sponsor a new programme.")
        return redirect("agencies:detail", pk=agency.pk)
    form = ProgrammeForm(posted(request), agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_adopt(
                actor=request.user,
                agency=agency,
                **{name: form.cleaned_data[name] for name in PROGRAMME_FORM_FIELDS},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Adopted {programme}.")
            return redirect("agencies:programme_detail", pk=programme.pk)
    return render(
        request, "agencies/programme_form.html", {"form": form, "agency": agency, "programme": None}
    )


@require_http_methods(["GET"])
def programme_detail(request, pk):
    """A programme: its places, who holds them, the waiting list in order, referrals awaiting a
    decision and the closed referrals, with attendance rates."""
    programme = _programme(request.user, pk)
    [summary] = programmes_with_places(Programme.objects.filter(pk=programme.pk))
    context = {"programme": summary, "can_manage": can_manage_agencies(request.user), "may_list": False}
    # Who is on a programme is part of their record: shown to those who keep records, and audited.
    if can_manage_agencies(request.user):
        open_rows = referrals_with_attendance(
            programme.referrals.filter(visible_offenders_q(request.user, "offender")).filter(
                status__in=(ReferralStatus.REFERRED, *PLACE_STATUSES)
            )
        ).order_by("referred_on", "id")
        holding, awaiting = [], []
        for referral in with_rates(open_rows):
            (holding if referral.status in PLACE_STATUSES else awaiting).append(referral)
        waiting = waiting_list(programme, viewer=request.user)
        closed_page = Paginator(
            referrals_with_attendance(
                programme.referrals.filter(visible_offenders_q(request.user, "offender")).exclude(
                    status__in=OPEN_REFERRAL_STATUSES
                )
            ).order_by("-status_changed_on", "-id"),
            CLOSED_REFERRALS_PAGE_SIZE,
        ).get_page(request.GET.get("page"))
        closed = with_rates(closed_page.object_list)
        audit_listed(
            actor=request.user,
            offender_ids=[referral.offender_id for referral in [*holding, *waiting, *awaiting, *closed]],
            summary=f"Listed on programme {programme}",
        )
        context.update(
            may_list=True,
            holding=holding,
            waiting=waiting,
            awaiting=awaiting,
            closed=closed,
            closed_page=closed_page,
            may_decide=can_manage_places(request.user, programme),
        )
    return render(request, "agencies/programme_detail.html", context)


REFERRALS_CSV_HEADER = (
    "PRN",
    "Family name",
    "Given names",
    "Status",
    "Referred on",
    "On the waiting list since",
    "Place taken on",
    "Starts on",
    "Status changed on",
    "Outcome note",
    "Sessions recorded",
    "Sessions attended",
    "Absences excused",
    "Attendance rate (%)",
)


@require_GET
def programme_referrals_export(request, pk):
    programme = _programme(request.user, pk)
    if not can_manage_agencies(request.user):
        raise PermissionDenied("Only those who keep records see who is referred to a programme.")
    visible = programme.referrals.filter(visible_offenders_q(request.user, "offender"))  # need-to-know
    referrals = referrals_with_attendance(visible).order_by("referred_on", "id")
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=programme,
        summary=f"Exported the referrals to {programme}",
    )
    audit_listed(
        actor=request.user,
        offender_ids=visible.values_list("offender_id", flat=True),
        summary=f"Exported on programme {programme}",
    )

    def rows():
        for referral in referrals.iterator(chunk_size=2000):
            expected = referral.sessions - referral.excused_sessions
            yield [
                referral.offender.prn,
                referral.offender.family_name,
                referral.offender.given_names,
                referral.get_status_display(),
                referral.referred_on,
                referral.waitlisted_on,
                referral.accepted_on,
                referral.starts_on,
                referral.status_changed_on,
                referral.outcome_note,
                referral.sessions,
                referral.attended_sessions,
                referral.excused_sessions,
                round(100 * referral.attended_sessions / expected) if expected > 0 else None,
            ]

    return _csv_response(
        REFERRALS_CSV_HEADER,
        rows(),
        f"referrals-programme-{programme.pk}-{timezone.localdate().isoformat()}.csv",
    )


@require_http_methods(["GET", "POST"])
def programme_edit(request, pk):
    programme = _programme(request.user, pk, for_edit=True)
    form = ProgrammeForm(
        posted(request), instance=Programme.objects.get(pk=programme.pk), agency=programme.agency
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes = programme_update(
                actor=request.user,
                programme=programme,
                **{name: form.cleaned_data[name] for name in PROGRAMME_FORM_FIELDS},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved changes to {programme}." if changes else "Nothing was changed.")
            return redirect("agencies:programme_detail", pk=programme.pk)
    return render(
        request,
        "agencies/programme_form.html",
        {"form": form, "agency": programme.agency, "programme": programme},
    )


@require_http_methods(["GET", "POST"])
def programme_discontinue_view(request, pk):
    programme = _programme(request.user, pk, for_edit=True)
    if programme.status == ProgrammeStatus.DISCONTINUED:
        messages.info(request, f"{programme} is already discontinued.")
        return redirect("agencies:programme_detail", pk=programme.pk)
    form = DiscontinueForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            programme_discontinue(
                actor=request.user,
                programme=programme,
                on=form.cleaned_data["discontinued_on"],
                reason=form.cleaned_data["discontinued_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Discontinued {programme}.")
            return redirect("agencies:programme_detail", pk=programme.pk)
    return render(
        request,
        "agencies/discontinue.html",
        {"form": form, "record": programme, "agency": programme.agency, "programme": programme},
    )


@require_http_methods(["GET", "POST"])
def refer(request, offender_pk):
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_refer(request.user, offender):
        raise PermissionDenied("You may not refer this offender to programmes.")
    if request.method == "GET":
        audit_view(actor=request.user, obj=offender, summary=f"Opened {offender} to refer to a programme")
    form = ReferForm(posted(request), offender=offender)
    if request.method == "POST" and form.is_valid():
        try:
            referral = referral_create(actor=request.user, offender=offender, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Referred {offender.full_name} to {referral.programme}.")
            return redirect("agencies:attendance", pk=referral.pk)
    referrals = offender.referrals.select_related("programme__agency").order_by("-referred_on", "-id")
    return render(
        request, "agencies/refer.html", {"form": form, "offender": offender, "referrals": referrals}
    )


@require_http_methods(["GET", "POST"])
def referral_status(request, pk):
    referral = access_referral_by_id(request.user, pk, for_edit=True)
    if not REFERRAL_TRANSITIONS[referral.status]:
        messages.info(request, f"This referral is {referral.get_status_display().lower()}; it cannot change.")
        return redirect("agencies:attendance", pk=referral.pk)
    form = ReferralStatusForm(posted(request), referral=referral)
    if request.method == "POST" and form.is_valid():
        try:
            referral = referral_transition(
                actor=request.user,
                referral=referral,
                to_status=form.cleaned_data["to_status"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
                starts_on=form.cleaned_data["starts_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"The referral to {referral.programme} is now {referral.get_status_display().lower()}.",
            )
            return redirect("agencies:attendance", pk=referral.pk)
    return render(request, "agencies/referral_status.html", {"form": form, "referral": referral})


@require_http_methods(["GET", "POST"])
def attendance(request, pk):
    referral = access_referral_by_id(request.user, pk, for_edit=request.method == "POST")
    is_open = referral.status in ATTENDANCE_STATUSES
    may_record = is_open and can_record_referral(request.user, referral)
    form = AttendanceForm(posted(request)) if may_record else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Attendance can only be recorded on an open referral.")
        if form.is_valid():
            try:
                attendance_record(actor=request.user, referral=referral, **form.cleaned_data)
            except ValidationError as error:
                # A first session takes a place: a full programme refuses it on the answer given.
                add_service_errors(form, error, fields={"to_status": "attended", "excused": "attended"})
            else:
                messages.success(
                    request, f"Recorded the session of {form.cleaned_data['session_on']:%-d %b %Y}."
                )
                return redirect("agencies:attendance", pk=referral.pk)
    else:
        audit_view(
            actor=request.user,
            obj=referral,
            summary=f"Viewed referral of {referral.offender} to {referral.programme}",
        )
    sessions = referral.attendances.select_related("recorded_by").order_by("-session_on")
    return render(
        request,
        "agencies/attendance.html",
        {
            "referral": referral,
            "sessions": sessions,
            "form": form,
            "can_change_status": can_record_referral(request.user, referral)
            and bool(REFERRAL_TRANSITIONS[referral.status]),
        },
    )
