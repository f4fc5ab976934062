"""Browser pages of appointments (issue 15): an officer's diary (a day or a week, with an outcome
form for each appointment and one for a whole group), an offender's schedule on the record, an
office calendar, an appointment's page and the forms that arrange, change, reschedule and record
it, and the officer's calendar feed. Objects come only through appointments.access; every page
showing offenders is audited; every change goes through appointments.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from appointments import services
from appointments.access import (
    access_appointment_by_id,
    access_diary_by_id,
    access_office_calendar_by_id,
    can_arrange_for,
    can_change_appointment,
    can_keep_diary_of,
    can_set_contact_level,
    can_view_schedule,
    may_have_calendar_feed,
)
from appointments.forms import (
    AppointmentForm,
    ChangeForm,
    ContactLevelForm,
    OutcomeForm,
    ReminderPreferenceForm,
    RescheduleForm,
    parse_day,
)
from appointments.ical import calendar_for
from appointments.models import Appointment, AppointmentStatus, CalendarFeed, ReminderChannel
from appointments.reminders import reminder_channel
from appointments.selectors import (
    Period,
    by_day,
    contact_level,
    diary,
    groups,
    offender_schedule,
    office_calendar,
    reminder_preference_of,
)
from appointments.services import ZONE, local, token_hash
from audit.services import audit_listed, audit_view
from ioms.forms import add_service_errors, posted
from offenders.access import access_offender_by_id, offender_office_ids
from offenders.views import record_context
from staff.access import staff_of
from staff.models import Office, OfficeKind, StaffMember
from staff.roles import Role, has_role


def _officers():
    return StaffMember.objects.filter(active=True, user__groups__name=Role.PROBATION_OFFICER).select_related(
        "user"
    )


def _offices():
    return Office.objects.active().of_kind(OfficeKind.PROBATION, OfficeKind.SERVICE_CENTRE)


def _period(request) -> Period:
    try:
        day = parse_day(request.GET.get("day"), timezone.localdate(timezone=ZONE))
    except ValidationError:
        raise Http404("No such day.") from None
    return Period.of(day, "week" if request.GET.get("view") == "week" else "day")


def _back(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- Diary and calendars ------------------------------------------------------------------------


@require_http_methods(["GET"])
def my_diary(request):
    member = staff_of(request.user)
    if member is None or not has_role(request.user, Role.PROBATION_OFFICER):
        raise PermissionDenied("Only probation officers keep a diary.")
    return redirect("appointments:diary", staff_pk=member.pk)


def _calendar_page(request, *, appointments, period: Period, template: str, **context):
    appointments = list(appointments)
    audit_listed(
        actor=request.user,
        offender_ids={appointment.offender_id for appointment in appointments},
        summary=context.pop("audit_summary"),
    )
    now = timezone.now()
    may_change = context.pop("may_change")
    for appointment in appointments:
        appointment.may_record = appointment.is_scheduled and may_change(appointment)
        appointment.has_started = appointment.starts_at <= now
    return render(
        request,
        template,
        {
            "period": period,
            "days": by_day(appointments, period),
            "groups": [group for group in groups(appointments) if all(a.may_record for a in group)],
            # Read once, not per row: a week's calendar at an office has hundreds of rows.
            "outcome_choices": list(OutcomeForm.base_fields["outcome"].choices),
            "view": "week" if period.days == 7 else "day",
            "today": timezone.localdate(timezone=ZONE),
            **context,
        },
    )


@require_http_methods(["GET"])
def officer_diary(request, staff_pk):
    officer = access_diary_by_id(request.user, staff_pk)
    period = _period(request)
    may_keep = can_keep_diary_of(request.user, officer)
    return _calendar_page(
        request,
        appointments=diary(officer, period),
        period=period,
        template="appointments/diary.html",
        officer=officer,
        audit_summary=f"Viewed the diary of {officer}",
        may_change=lambda appointment: may_keep,
        is_own=officer.user_id == request.user.pk,
    )


@require_http_methods(["GET"])
def office_calendar_page(request, office_pk):
    office = access_office_calendar_by_id(request.user, office_pk)
    period = _period(request)
    member = staff_of(request.user)
    office_staff = has_role(request.user, Role.SYSTEM_ADMIN) or (
        has_role(request.user, Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT)
        and member
        and member.office_id == office.pk
    )

    def may_change(appointment):
        return bool(office_staff) or (member is not None and appointment.officer_id == member.pk)

    return _calendar_page(
        request,
        appointments=office_calendar(office, period),
        period=period,
        template="appointments/office.html",
        office=office,
        audit_summary=f"Viewed the appointments calendar of {office}",
        may_change=may_change,
    )


# --- An offender's schedule ---------------------------------------------------------------------


@require_http_methods(["GET"])
def offender_schedule_page(request, offender_pk):
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_view_schedule(request.user, offender):
        raise PermissionDenied("You may not see this offender's appointments.")
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the appointments of {offender}")
    now = timezone.now()
    appointments = list(offender_schedule(offender))
    upcoming = sorted(
        (a for a in appointments if a.starts_at >= now and a.is_scheduled), key=lambda a: a.starts_at
    )
    past = [a for a in appointments if a not in upcoming]
    context = record_context(request, offender, tab="appointments")
    context.update(
        upcoming=upcoming,
        past=past,
        may_arrange=can_arrange_for(request.user, offender),
        contact=contact_level(offender, timezone.localdate(timezone=ZONE)),
        may_set_contact_level=can_set_contact_level(request.user, offender),
        **_reminders_context(offender),
    )
    return render(request, "appointments/offender.html", context)


def _reminders_context(offender) -> dict:
    preference = reminder_preference_of(offender)
    return {
        "preference": preference,
        "reminder_channel": ReminderChannel(reminder_channel(offender, preference)),
    }


@require_http_methods(["GET", "POST"])
def reminder_preference(request, offender_pk):
    """How the person is reminded of appointments: for those who may arrange them."""
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_arrange_for(request.user, offender):
        raise PermissionDenied("You may not change how this offender is reminded of appointments.")
    reminders = _reminders_context(offender)
    form = ReminderPreferenceForm(
        posted(request),
        offender=offender,
        initial={"channel": reminders["reminder_channel"].value},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.reminder_preference_set(
                actor=request.user, offender=offender, channel=form.cleaned_data["channel"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Reminder setting saved.")
            return redirect("appointments:offender", offender_pk=offender.pk)
    if request.method == "GET":
        audit_view(
            actor=request.user, obj=offender, summary=f"Viewed the appointment reminders of {offender}"
        )
    context = record_context(request, offender, tab="appointments")
    context.update(form=form, **reminders)
    return render(request, "appointments/reminders.html", context)


@require_http_methods(["GET", "POST"])
def contact_level_change(request, offender_pk):
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_set_contact_level(request.user, offender):
        raise PermissionDenied("You may not change this person's contact level.")
    today = timezone.localdate(timezone=ZONE)
    current = contact_level(offender, today)
    initial = {"starts_on": today, "every_days": current.every_days if current else None}
    form = ContactLevelForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            adjustment = services.contact_level_set(
                actor=request.user,
                offender=offender,
                every_days=data["every_days"],
                reason=data["reason"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            until = f" until {adjustment.ends_on:%-d %b %Y}" if adjustment.ends_on else ""
            messages.success(
                request,
                f"Contact level changed: {offender.given_names} {offender.family_name} is to be seen every "
                f"{adjustment.every_days} days from {adjustment.starts_on:%-d %b %Y}{until}.",
            )
            return redirect("appointments:offender", offender_pk=offender.pk)
    audit_view(actor=request.user, obj=offender, summary=f"Opened the contact level of {offender}")
    context = record_context(request, offender, tab="appointments")
    context.update(form=form, contact=current, title="Change contact level")
    return render(request, "appointments/contact_level_form.html", context)


@require_http_methods(["GET", "POST"])
def appointment_create(request, offender_pk):
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_arrange_for(request.user, offender):
        raise PermissionDenied("You may not arrange appointments for this offender.")
    officers = (
        _officers()
        .filter(
            Q(office_id__in=offender_office_ids(offender))
            | Q(allocations__offender=offender, allocations__ended_on__isnull=True)
        )
        .distinct()
    )
    member = staff_of(request.user)
    initial = {"office": offender.home_office_id, "kind": "office_visit"}
    if member is not None and officers.filter(pk=member.pk).exists():
        initial["officer"] = member.pk
    form = AppointmentForm(posted(request), officers=officers, offices=_offices(), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "actor": request.user,
            "offender": offender,
            "officer": data["officer"],
            "office": data["office"],
            "kind": data["kind"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "location": data["location"],
            "notes": data["notes"],
        }
        try:
            if data["frequency"]:
                series = services.series_create(
                    **common,
                    frequency=data["frequency"],
                    every_days=data["every_days"],
                    until=data["until"],
                    occurrences=data["occurrences"],
                )
                messages.success(request, f"{series.appointments.count()} appointments arranged.")
            else:
                services.appointment_create(**common)
                messages.success(request, "Appointment arranged.")
        except ValidationError as error:
            add_service_errors(form, error, {"starts_at": "starts", "ends_at": "ends"})
        else:
            return redirect("appointments:offender", offender_pk=offender.pk)
    context = record_context(request, offender, tab="appointments")
    context.update(
        form=form,
        title="Arrange an appointment",
        submit="Arrange the appointment",
        back=reverse("appointments:offender", args=[offender.pk]),
    )
    return render(request, "appointments/form.html", context)


# --- One appointment ----------------------------------------------------------------------------


def _appointment_page(request, appointment: Appointment, template: str, **extra):
    context = record_context(request, appointment.offender, tab="appointments")
    context.update(appointment=appointment, **extra)
    return render(request, template, context)


@require_http_methods(["GET"])
def appointment_detail(request, pk):
    appointment = access_appointment_by_id(request.user, pk)
    audit_view(
        actor=request.user, obj=appointment, summary=f"Viewed the {appointment} of {appointment.offender}"
    )
    may_change = appointment.is_scheduled and can_change_appointment(request.user, appointment)
    return _appointment_page(
        request,
        appointment,
        "appointments/detail.html",
        may_change=may_change,
        steps=appointment.transitions.select_related("actor"),
        when=local(appointment.starts_at),
    )


@require_http_methods(["GET", "POST"])
def appointment_outcome(request, pk):
    appointment = access_appointment_by_id(request.user, pk, for_edit=True)
    back = _back(request, reverse("appointments:detail", args=[appointment.pk]))
    form = OutcomeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_record(
                actor=request.user,
                appointment=appointment,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Recorded {AppointmentStatus(appointment.status).label.lower()} for {appointment.offender}.",
            )
            return redirect(back)
    return _appointment_page(
        request,
        appointment,
        "appointments/form.html",
        form=form,
        title="Record the outcome",
        submit="Record the outcome",
        back=back,
        next=back,
    )


@require_http_methods(["GET", "POST"])
def appointment_reschedule(request, pk):
    appointment = access_appointment_by_id(request.user, pk, for_edit=True)
    when = local(appointment.starts_at)
    form = RescheduleForm(
        posted(request),
        initial={"on": when.date(), "starts": when.time(), "ends": local(appointment.ends_at).time()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.appointment_reschedule(
                actor=request.user,
                appointment=appointment,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, {"starts_at": "starts", "ends_at": "ends"})
        else:
            messages.success(request, "Appointment rescheduled.")
            return redirect("appointments:detail", pk=new.pk)
    return _appointment_page(
        request,
        appointment,
        "appointments/form.html",
        form=form,
        title="Reschedule the appointment",
        submit="Reschedule",
        back=reverse("appointments:detail", args=[appointment.pk]),
    )


@require_http_methods(["GET", "POST"])
def appointment_change(request, pk):
    appointment = access_appointment_by_id(request.user, pk, for_edit=True)
    when = local(appointment.starts_at)
    officers = _officers().filter(Q(office_id=appointment.office_id) | Q(pk=appointment.officer_id))
    form = ChangeForm(
        posted(request),
        officers=officers,
        in_series=appointment.series_id is not None,
        initial={
            "on": when.date(),
            "starts": when.time(),
            "ends": local(appointment.ends_at).time(),
            "officer": appointment.officer_id,
            "location": appointment.location,
            "notes": appointment.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.appointment_change(
                actor=request.user,
                appointment=appointment,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                location=data["location"],
                notes=data["notes"],
                officer=data["officer"],
                apply_to_following=data.get("apply_to_following", False),
            )
        except ValidationError as error:
            add_service_errors(form, error, {"starts_at": "starts", "ends_at": "ends"})
        else:
            messages.success(
                request, f"{len(changed)} appointment{'s' if len(changed) != 1 else ''} changed."
            )
            return redirect("appointments:detail", pk=appointment.pk)
    return _appointment_page(
        request,
        appointment,
        "appointments/form.html",
        form=form,
        title="Change the appointment",
        submit="Save the changes",
        back=reverse("appointments:detail", args=[appointment.pk]),
    )


@require_POST
def bulk_outcomes(request):
    """The outcomes of a group (a programme session, a work party) from the diary, in one step:
    each appointment's own outcome and note, all recorded or none."""
    back = _back(request, reverse("appointments:mine"))
    ids = request.POST.getlist("appointment")
    outcomes = []
    for appointment_id in ids:
        appointment = access_appointment_by_id(request.user, appointment_id, for_edit=True)
        outcome = request.POST.get(f"outcome-{appointment.pk}", "")
        if outcome:
            outcomes.append((appointment, outcome, request.POST.get(f"note-{appointment.pk}", "")))
    try:
        recorded = services.outcomes_record_bulk(actor=request.user, outcomes=outcomes)
    except ValidationError as error:
        messages.error(request, "Nothing was recorded. " + " ".join(error.messages))
    else:
        messages.success(request, f"Recorded the outcomes of {len(recorded)} appointments.")
    return redirect(back)


# --- The calendar feed --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def calendar_feed(request):
    if not may_have_calendar_feed(request.user):
        raise PermissionDenied("Only probation officers have a calendar feed.")
    member = staff_of(request.user)
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(actor=request.user, staff=member)
            messages.success(request, "Your calendar feed is turned off: its address no longer works.")
            return redirect("appointments:feed")
        token = services.calendar_feed_issue(actor=request.user, staff=member)
    live = CalendarFeed.objects.filter(staff=member, revoked_at__isnull=True).first()
    feed_url = request.build_absolute_uri(reverse("appointments:ical", args=[token])) if token else ""
    return render(request, "appointments/feed.html", {"live": live, "feed_url": feed_url, "officer": member})


@login_not_required  # the token in the address is the credential: calendars cannot sign in
@require_http_methods(["GET"])
def ical(request, token):
    feed = (
        CalendarFeed.objects.select_related("staff")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.staff.active:
        raise Http404("No such calendar.")
    body = calendar_for(feed.staff, now=timezone.now(), host=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    return response
