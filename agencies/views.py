"""Browser pages for agencies and their programmes, referrals and attendance."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from agencies.access import access_referral_by_id, can_manage_agencies, can_refer, can_view_agencies
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
    REFERRAL_TRANSITIONS,
    Agency,
    AgencyStatus,
    Programme,
    ProgrammeStatus,
    ReferralStatus,
)
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
from audit.services import audit_listed, audit_view
from ioms.forms import add_service_errors
from offenders.access import access_offender_by_id

AGENCY_PAGE_SIZE = 50
OPEN_REFERRAL_STATUSES = (ReferralStatus.REFERRED, ReferralStatus.ATTENDING)
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
    agency = _agency(request.user, pk)
    programmes = (
        agency.programmes.select_related("office")
        .annotate(open_referrals=Count("referrals", filter=Q(referrals__status__in=OPEN_REFERRAL_STATUSES)))
        .order_by("status", "name")
    )
    return render(
        request,
        "agencies/detail.html",
        {"agency": agency, "programmes": programmes, "can_manage": can_manage_agencies(request.user)},
    )


@require_http_methods(["GET", "POST"])
def agency_create(request):
    _require_manage(request.user)
    form = AgencyForm(request.POST or None)
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
    form = AgencyForm(request.POST or None, instance=Agency.objects.get(pk=agency.pk))
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
    form = DiscontinueForm(request.POST or None)
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
    form = ProgrammeForm(request.POST or None, agency=agency)
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
    programme = _programme(request.user, pk)
    referrals = []
    # Who is on a programme is part of their record: shown to those who keep records, and audited.
    if can_manage_agencies(request.user):
        referrals = list(
            programme.referrals.filter(status__in=OPEN_REFERRAL_STATUSES)
            .select_related("offender")
            .order_by("-referred_on", "-id")
        )
        audit_listed(
            actor=request.user,
            offender_ids=[referral.offender_id for referral in referrals],
            summary=f"Listed on programme {programme}",
        )
    return render(
        request,
        "agencies/programme_detail.html",
        {"programme": programme, "referrals": referrals, "can_manage": can_manage_agencies(request.user)},
    )


@require_http_methods(["GET", "POST"])
def programme_edit(request, pk):
    programme = _programme(request.user, pk, for_edit=True)
    form = ProgrammeForm(
        request.POST or None, instance=Programme.objects.get(pk=programme.pk), agency=programme.agency
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
    form = DiscontinueForm(request.POST or None)
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
    form = ReferForm(request.POST or None, offender=offender)
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
    form = ReferralStatusForm(request.POST or None, referral=referral)
    if request.method == "POST" and form.is_valid():
        try:
            referral = referral_transition(
                actor=request.user,
                referral=referral,
                to_status=form.cleaned_data["to_status"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
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
    is_open = referral.status in OPEN_REFERRAL_STATUSES
    may_record = is_open and can_refer(request.user, referral.offender)
    form = AttendanceForm(request.POST or None) if may_record else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Attendance can only be recorded on an open referral.")
        if form.is_valid():
            try:
                attendance_record(actor=request.user, referral=referral, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, f"Recorded the session of {form.cleaned_data['session_on']:%d %b %Y}."
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
            "can_change_status": can_refer(request.user, referral.offender)
            and bool(REFERRAL_TRANSITIONS[referral.status]),
        },
    )
