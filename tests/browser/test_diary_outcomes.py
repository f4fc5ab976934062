"""A probation officer records a day's outcomes from "My diary" in a real browser, with the keyboard
alone (docs/appointments.md, "Outcomes"): four appointments of their own that started today (an
office visit, a phone call, a home visit, another office visit) one at a time from each row, then a
programme session of three people together with the group's form.

First an acceptable failure to attend without its evidence is refused: the error summary takes the
focus, its link takes the focus to the note, and nothing is recorded. Every page on the way is
checked at 1280 px and at 320 px (tests/browser_support.check_page: axe, no sideways scrolling, one
h1), every stop of the focus shows it and the focus is never trapped (tab_to). The outcome is read
from the database: each appointment's status and transition, the casenote of each outcome and the
audit rows; and the diary then shows each outcome in place of its form."""

import datetime
import re

import pytest
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus
from appointments.services import ZONE, appointment_create
from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote
from staff.access import staff_of
from staff.roles import Role
from tests.browser_support import (
    WIDTHS,
    check_page,
    choose,
    focused,
    follow,
    keyboard_log_in,
    tab_to,
    tab_to_button,
    tab_to_link,
)
from tests.factories import AllocationFactory, OffenderFactory, SentenceFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
EVIDENCE = "Hospital discharge letter dated today, seen by phone"
LATE_NOTE = "Arrived 20 minutes after the start: the bus was late"

ATTENDED = AppointmentStatus.ATTENDED
LATE = AppointmentStatus.ATTENDED_LATE
ACCEPTABLE = AppointmentStatus.FAILED_ACCEPTABLE
UNACCEPTABLE = AppointmentStatus.FAILED_UNACCEPTABLE


def started_today(count: int) -> list[datetime.datetime]:
    """`count` distinct start times, earliest first, between midnight and now in New Zealand (the
    diary's day), so that every appointment has started today whenever the test runs."""
    now = timezone.localtime(timezone.now(), ZONE)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    step = (now - midnight) / (count + 1)
    return [midnight + step * (number + 1) for number in range(count)]


def name_of(appointment: Appointment) -> str:
    """The offender as the diary names them: "NGATA, Aroha"."""
    return f"{appointment.offender.family_name.upper()}, {appointment.offender.given_names}"


@pytest.fixture
def day(office):
    """The officer, and today's appointments with people on the officer's caseload: four of their
    own and a programme session of three (the same time and place: one group)."""
    user = staff_user(
        Role.PROBATION_OFFICER,
        office=office,
        username="hemi.walker",
        first_name="Hemi",
        last_name="Walker",
    )
    officer = staff_of(user)
    times = started_today(5)

    def arrange(family_name, given_names, kind, starts_at, location=""):
        offender = OffenderFactory(family_name=family_name, given_names=given_names, home_office=office)
        AllocationFactory(offender=offender, staff=officer, sentence=SentenceFactory(offender=offender))
        return appointment_create(
            actor=user,
            offender=offender,
            officer=officer,
            office=office,
            kind=kind,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=1),
            location=location,
        )

    singles = {
        ATTENDED: arrange("Ngata", "Aroha", "office_visit", times[0], "Interview room 2"),
        LATE: arrange("Parata", "Mere", "phone", times[1]),
        ACCEPTABLE: arrange("Tawhiri", "Rewi", "home_visit", times[2], "12 Kauri Street, Porirua"),
        UNACCEPTABLE: arrange("Brightwell", "Sam", "office_visit", times[3], "Interview room 1"),
    }
    group = [
        arrange(family_name, given_names, "programme_session", times[4], "Group room")
        for family_name, given_names in (("Aperahama", "Tui"), ("Holloway", "Jack"), ("Sione", "Lani"))
    ]
    return user, singles, group


def record_from_the_row(page, appointment: Appointment, outcome: str, note: str = "") -> None:
    """In the appointment's row of the diary: the outcome chosen with the arrow keys, the note typed,
    then its Record button pressed with Enter."""
    choose(page, page.locator(f"#outcome-{appointment.pk}"), outcome)
    if note:
        tab_to(page, f"el.id === 'note-{appointment.pk}'", what=f"the note for {name_of(appointment)}")
        page.keyboard.type(note)
    tab_to_button(page, f"Record the outcome for {name_of(appointment)}")
    follow(page)


def test_an_officer_records_the_days_outcomes_from_my_diary_with_the_keyboard_alone(page, day):
    user, singles, group = day
    refused = singles[ACCEPTABLE]
    page.set_viewport_size(WIDTHS[0])

    page.goto("/accounts/login/")
    check_page(page, "the login page")
    keyboard_log_in(page, user.username, PASSWORD)
    check_page(page, "the probation officer's home page")

    tab_to_link(page, "My diary")
    follow(page)
    page.get_by_role("heading", level=1, name="My diary").wait_for()
    # Each outcome brings the officer back to the same day of the diary.
    diary_url = f"{page.url}?day={timezone.localdate(timezone=ZONE).isoformat()}&view=day"
    assert page.get_by_role("heading", level=2, name="record everyone's outcome").count() == 1
    check_page(page, "my diary")

    # An acceptable failure to attend without its evidence: refused, with the focus on the error
    # summary, whose link takes the focus to the note; nothing is recorded.
    transitions_before = refused.transitions.count()
    record_from_the_row(page, refused, ACCEPTABLE)
    page.get_by_role("heading", level=2, name="Record the outcome").wait_for()
    assert focused(page, "el.matches('[data-error-summary]')"), "the error summary has the focus"
    summary = page.locator("[data-error-summary]")
    assert "Say what shows the failure to attend was acceptable" in summary.inner_text()
    assert page.get_by_label("Failed to attend, acceptable").is_checked(), "the choice is kept"
    check_page(page, "the outcome form with an error")
    tab_to(page, "el.tagName === 'A' && !!el.closest('[data-error-summary]')", what="the error's link")
    page.keyboard.press("Enter")
    assert focused(page, "el.id") == "id_note", "the error's link takes the focus to the note"
    refused.refresh_from_db()
    assert refused.status == AppointmentStatus.SCHEDULED and refused.casenote is None
    assert refused.transitions.count() == transitions_before
    assert not Casenote.objects.exists()
    assert not AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="appointments.Appointment"
    ).exists()
    tab_to_link(page, "Cancel")
    follow(page)
    assert page.url == diary_url, "Cancel goes back to the diary's day"
    page.get_by_role("heading", level=1, name="My diary").wait_for()

    # Each of the four from its row: attended, attended late (with a note), failed to attend
    # acceptably (with the evidence typed) and unacceptably.
    notes = {LATE: LATE_NOTE, ACCEPTABLE: EVIDENCE}
    for outcome, appointment in singles.items():
        record_from_the_row(page, appointment, outcome, notes.get(outcome, ""))
        page.get_by_role("heading", level=1, name="My diary").wait_for()
        assert page.url == diary_url
        label = AppointmentStatus(outcome).label.lower()
        page.get_by_role("status").filter(has_text=f"Recorded {label} for").wait_for()
        assert page.locator(f"#outcome-{appointment.pk}").count() == 0, "the row's form has gone"
    check_page(page, "my diary after four outcomes")

    # The programme session, everyone's outcome in one go.
    group_outcomes = [
        (group[0], ATTENDED, ""),
        (group[1], ACCEPTABLE, "Medical certificate emailed before the session"),
        (group[2], UNACCEPTABLE, "No contact and no reason given"),
    ]
    for appointment, outcome, note in group_outcomes:
        choose(page, page.locator(f"#bulk-outcome-{appointment.pk}"), outcome)
        if note:
            tab_to(page, f"el.id === 'bulk-note-{appointment.pk}'", what=f"{name_of(appointment)}'s note")
            page.keyboard.type(note)
    tab_to_button(page, "Record the outcomes")
    follow(page)
    page.get_by_role("status").filter(has_text="Recorded the outcomes of 3 appointments.").wait_for()
    assert page.url == diary_url
    check_page(page, "my diary with every outcome recorded")

    # The diary shows each outcome where its form was, and the group's form has gone.
    expected = {appointment: (outcome, notes.get(outcome, "")) for outcome, appointment in singles.items()}
    expected.update({appointment: (outcome, note) for appointment, outcome, note in group_outcomes})
    today = page.get_by_role("table", name=re.compile(r"\(today\)$"))
    assert page.locator("form.inline-outcome").count() == 0
    assert page.get_by_role("heading", level=2, name="record everyone's outcome").count() == 0
    for appointment, (outcome, _) in expected.items():
        row = today.get_by_role("row").filter(has_text=name_of(appointment))
        shown = row.get_by_role("cell").last.inner_text()
        assert shown.startswith(AppointmentStatus(outcome).label), f"{name_of(appointment)}: {shown!r}"

    # In the database: each status, with its transition, its casenote and its audit row.
    assert Appointment.objects.count() == 7
    # One casenote per outcome, none for the refused one; and each of the two unacceptable failures
    # starts enforcement (compliance), with a casenote of its own.
    enforcement = Casenote.objects.filter(summary="Enforcement being considered")
    assert sorted(enforcement.values_list("offender_id", flat=True)) == sorted(
        appointment.offender_id for appointment, (outcome, _) in expected.items() if outcome == UNACCEPTABLE
    )
    assert Casenote.objects.exclude(pk__in=enforcement).count() == 7, "one per outcome"
    for appointment, (outcome, note) in expected.items():
        appointment.refresh_from_db()
        who = name_of(appointment)
        assert appointment.status == outcome, who
        assert appointment.outcome_note == note, who
        assert appointment.outcome_recorded_by == user, who
        step = appointment.transitions.get(to_status=outcome)
        assert (step.from_status, step.actor, step.comment) == (AppointmentStatus.SCHEDULED, user, note), who

        note_written = appointment.casenote
        assert note_written is not None, f"{who}: no casenote"
        assert note_written.offender_id == appointment.offender_id and note_written.author == user, who
        label = AppointmentStatus(outcome).label.lower()
        assert note_written.summary == f"{appointment.get_kind_display()}: {label}", who
        assert note in note_written.text, who
        if appointment.location:
            assert f"Where: {appointment.location}." in note_written.text, who

        changed = AuditEvent.objects.get(
            action=AuditAction.UPDATE, object_type="appointments.Appointment", object_id=str(appointment.pk)
        )
        assert changed.actor == user and changed.offender_id == appointment.offender_id, who
        assert changed.changes["status"] == [AppointmentStatus.SCHEDULED, outcome], who
        assert AuditEvent.objects.filter(
            actor=user,
            action=AuditAction.CREATE,
            object_type="casenotes.Casenote",
            object_id=str(note_written.pk),
            offender_id=appointment.offender_id,
        ).exists(), f"{who}: the casenote's audit row"
        assert AuditEvent.objects.filter(
            actor=user,
            action=AuditAction.VIEW,
            offender_id=appointment.offender_id,
            summary__startswith="Viewed the diary of",
        ).exists(), f"{who}: the diary's view is audited under the person"
