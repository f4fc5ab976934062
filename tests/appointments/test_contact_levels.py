"""Contact levels: how often a person under community supervision is seen. The rule per sentence
type (data, versioned by the day it takes effect), an adjustment per person with its reason, the
last contact and the next due, the inbox item of people behind, and the record's tab and page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from allocation.models import CaseRole
from appointments.models import Appointment, ContactLevelAdjustment, ContactLevelRule
from appointments.selectors import contact_level, contact_levels
from appointments.services import ZONE, appointment_create, contact_level_set, outcome_record
from audit.models import AuditAction, AuditEvent
from audit.refusals import Refused
from casenotes.models import Casenote, CasenoteType
from inbox.selectors import inbox_of, person_of
from staff.access import staff_of
from staff.roles import Role
from tests.appointments.conftest import nz
from tests.factories import AllocationFactory, OffenderFactory, OfficeFactory, SentenceFactory, staff_user

pytestmark = pytest.mark.django_db

# Migration 0003's defaults (ours, adjustable in the admin), from 1 Jan 2026.
SEEDED_FROM = datetime.date(2026, 1, 1)
DEFAULTS = {
    "intensive_supervision": 7,
    "supervision": 14,
    "community_detention": 14,
    "home_detention": 7,
    "parole": 14,
    "release_on_conditions": 14,
    "extended_supervision": 7,
}
START = datetime.date(2026, 3, 2)  # the sentences' start in the tests that fix their dates


@pytest.fixture(autouse=True)
def seeded_rules(db):
    """The defaults come from a data migration: a transactional (browser) test's flush empties the
    table, so put them back as the migration left them for the tests that read them."""
    if not ContactLevelRule.objects.filter(effective_from=SEEDED_FROM).exists():
        ContactLevelRule.objects.bulk_create(
            ContactLevelRule(sentence_type=kind, every_days=days, effective_from=SEEDED_FROM)
            for kind, days in DEFAULTS.items()
        )


def today():
    return timezone.localdate(timezone=ZONE)


def supervised(office, sentence_type="supervision", start=START, hours=None, **offender_fields):
    offender = OffenderFactory(home_office=office, **offender_fields)
    SentenceFactory(
        offender=offender, sentence_type=sentence_type, order_date=start, start_date=start, hours=hours
    )
    return offender


def seen(offender, officer_user, at, outcome="attended"):
    """An appointment at `at` with the outcome recorded through the service."""
    appointment = appointment_create(
        actor=officer_user,
        offender=offender,
        officer=staff_of(officer_user),
        office=offender.home_office,
        kind="office_visit",
        starts_at=at,
        ends_at=at + datetime.timedelta(hours=1),
    )
    note = "Evidence seen" if outcome == "failed_acceptable" else ""
    return outcome_record(actor=officer_user, appointment=appointment, outcome=outcome, note=note)


def on_case(offender, user):
    AllocationFactory(offender=offender, staff=staff_of(user), role=CaseRole.SUPERVISING_OFFICER)


# --- The rules -----------------------------------------------------------------------------------


def test_the_defaults_are_one_rule_per_supervised_sentence_type():
    seeded = dict(
        ContactLevelRule.objects.filter(effective_from=SEEDED_FROM).values_list("sentence_type", "every_days")
    )
    assert seeded == DEFAULTS


def test_the_level_follows_the_sentence_type(office):
    intensive = supervised(office, "intensive_supervision")
    ordinary = supervised(office, "supervision")
    on = START + datetime.timedelta(days=3)

    levels = contact_levels([intensive.pk, ordinary.pk], on)

    assert levels[intensive.pk].every_days == 7
    assert levels[intensive.pk].sentence_type_label == "Intensive supervision"
    assert levels[ordinary.pk].every_days == 14


def test_the_rule_in_force_is_the_one_that_took_effect_latest_by_that_day(office):
    offender = supervised(office, "supervision")
    changed_on = START + datetime.timedelta(days=30)
    ContactLevelRule.objects.create(sentence_type="supervision", every_days=10, effective_from=changed_on)

    assert contact_level(offender, changed_on - datetime.timedelta(days=1)).every_days == 14
    assert contact_level(offender, changed_on).every_days == 10


def test_the_most_demanding_current_sentence_sets_the_level(office):
    offender = supervised(office, "supervision")
    SentenceFactory(offender=offender, sentence_type="home_detention", order_date=START, start_date=START)

    level = contact_level(offender, START + datetime.timedelta(days=1))

    assert (level.every_days, level.sentence_type) == (7, "home_detention")


def test_no_level_without_a_current_supervised_sentence(office):
    worker = supervised(office, "community_work", hours=100)
    finished = supervised(office, "supervision")
    finished.sentences.update(status="completed", completion_reason="normal", completed_on=START)
    not_started = supervised(office, "supervision", start=START + datetime.timedelta(days=60))

    assert contact_levels([worker.pk, finished.pk, not_started.pk], START + datetime.timedelta(days=10)) == {}


# --- Last contact, next due, behind --------------------------------------------------------------


def test_only_attendance_counts_as_contact(office, probation_officer):
    offender = supervised(office, start=today() - datetime.timedelta(days=60))
    seen(offender, probation_officer, nz(*(today() - datetime.timedelta(days=10)).timetuple()[:3]))
    for days_ago, outcome in ((6, "attended_late"), (3, "failed_unacceptable"), (2, "failed_acceptable")):
        day = today() - datetime.timedelta(days=days_ago)
        seen(offender, probation_officer, nz(day.year, day.month, day.day), outcome)

    level = contact_level(offender, today())

    assert level.last_contact == today() - datetime.timedelta(days=6)
    assert level.next_due == today() + datetime.timedelta(days=8)


def test_behind_only_once_the_due_day_has_passed(office, probation_officer):
    offender = supervised(office, "supervision", start=today() - datetime.timedelta(days=90))
    contact_day = today() - datetime.timedelta(days=40)
    seen(offender, probation_officer, nz(contact_day.year, contact_day.month, contact_day.day, 16))
    due = contact_day + datetime.timedelta(days=14)

    on_the_day = contact_level(offender, due)
    day_after = contact_level(offender, due + datetime.timedelta(days=1))

    assert on_the_day.next_due == due and not on_the_day.behind and on_the_day.days_behind == 0
    assert day_after.behind and day_after.days_behind == 1


def test_without_a_contact_the_clock_starts_with_the_sentence(office):
    offender = supervised(office, "intensive_supervision")

    level = contact_level(offender, START + datetime.timedelta(days=9))

    assert level.last_contact is None
    assert level.next_due == START + datetime.timedelta(days=7)
    assert level.days_behind == 2


# --- Adjustments ---------------------------------------------------------------------------------


def test_an_adjustment_overrides_the_rule_while_in_force_and_then_expires(office, system_admin):
    offender = supervised(office, "supervision")
    starts, ends = START + datetime.timedelta(days=10), START + datetime.timedelta(days=20)
    contact_level_set(
        actor=system_admin,
        offender=offender,
        every_days=3,
        reason="Breach of curfew: closer contact for now",
        starts_on=starts,
        ends_on=ends,
    )

    before, during, last, after = (
        contact_level(offender, day)
        for day in (starts - datetime.timedelta(days=1), starts, ends, ends + datetime.timedelta(days=1))
    )

    assert (before.every_days, before.adjustment) == (14, None)
    assert during.every_days == 3 and during.adjustment.reason == "Breach of curfew: closer contact for now"
    assert during.sentence_type == ""
    assert last.every_days == 3
    assert (after.every_days, after.adjustment) == (14, None)


def test_the_adjustment_starting_latest_wins(office, system_admin):
    offender = supervised(office, "supervision")
    contact_level_set(
        actor=system_admin, offender=offender, every_days=21, reason="Settled, working", starts_on=START
    )
    later = START + datetime.timedelta(days=5)
    contact_level_set(
        actor=system_admin,
        offender=offender,
        every_days=5,
        reason="Lost his job",
        starts_on=later,
        ends_on=later + datetime.timedelta(days=10),
    )

    assert contact_level(offender, later - datetime.timedelta(days=1)).every_days == 21
    assert contact_level(offender, later).every_days == 5
    assert contact_level(offender, later + datetime.timedelta(days=11)).every_days == 21


def test_setting_a_level_is_audited_and_written_to_the_casenotes(office, probation_officer):
    offender = supervised(office)
    on_case(offender, probation_officer)

    adjustment = contact_level_set(
        actor=probation_officer,
        offender=offender,
        every_days=7,
        reason="  New partner with a violence history  ",
        starts_on=datetime.date(2026, 12, 7),
    )

    assert adjustment.reason == "New partner with a violence history"
    assert adjustment.set_by == probation_officer
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(adjustment.pk))
    assert event.offender_id == offender.pk and "every 7 days from 7 Dec 2026" in event.summary
    note = Casenote.objects.get(offender=offender)
    assert note.note_type == CasenoteType.ACTION
    assert note.summary == "Contact level: every 7 days"
    assert "Reason: New partner with a violence history" in note.text


@pytest.mark.parametrize(
    ("every_days", "reason", "ends_on", "field"),
    [
        (0, "A reason", None, "every_days"),
        (91, "A reason", None, "every_days"),
        (7, "   ", None, "reason"),
        (7, "A reason", START, "ends_on"),
        (7, "A reason", START - datetime.timedelta(days=1), "ends_on"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(office, system_admin, every_days, reason, ends_on, field):
    offender = supervised(office)

    with pytest.raises(ValidationError) as refused:
        contact_level_set(
            actor=system_admin,
            offender=offender,
            every_days=every_days,
            reason=reason,
            starts_on=START,
            ends_on=ends_on,
        )

    assert list(refused.value.message_dict) == [field]
    assert not ContactLevelAdjustment.objects.exists()
    assert not Casenote.objects.filter(offender=offender).exists()


def test_who_may_set_a_level_and_refusals_are_audited(office, other_office, probation_officer):
    offender = supervised(office)
    on_case(offender, probation_officer)
    allowed = [
        probation_officer,
        staff_user(Role.SERVICE_MANAGER, office),
        staff_user(Role.SYSTEM_ADMIN, other_office),
    ]
    refused = [
        staff_user(Role.PROBATION_OFFICER, office),  # not on the case
        staff_user(Role.ADMIN_SUPPORT, office),
        staff_user(Role.SERVICE_MANAGER, other_office),
        staff_user(Role.PRISON_OFFICER, office),
        staff_user(Role.DATA_SHARE, office),
    ]

    for user in refused:
        with pytest.raises(Refused):
            contact_level_set(actor=user, offender=offender, every_days=7, reason="Why", starts_on=START)
        assert AuditEvent.objects.filter(
            action=AuditAction.DENIED, actor=user, offender_id=offender.pk
        ).exists()
    assert not ContactLevelAdjustment.objects.exists()

    for user in allowed:
        contact_level_set(actor=user, offender=offender, every_days=7, reason="Why", starts_on=START)
    assert ContactLevelAdjustment.objects.filter(offender=offender).count() == len(allowed)


# --- The record ----------------------------------------------------------------------------------


def test_the_tab_shows_the_level_and_how_far_behind(client, office, probation_officer):
    offender = supervised(office, "intensive_supervision", start=today() - datetime.timedelta(days=30))
    on_case(offender, probation_officer)
    day = today() - datetime.timedelta(days=10)
    seen(offender, probation_officer, nz(day.year, day.month, day.day))
    client.force_login(probation_officer)

    page = client.get(reverse("appointments:offender", args=[offender.pk])).content.decode()

    assert "Every 7 days (from sentence type Intensive supervision)" in page
    assert f"{day:%-d %b %Y}" in page
    assert "Behind by 3 days" in page
    assert reverse("appointments:contact_level", args=[offender.pk]) in page


def test_the_change_page_sets_the_level_and_confirms_it(client, office, probation_officer):
    offender = supervised(office, start=today() - datetime.timedelta(days=30), given_names="Hemi")
    on_case(offender, probation_officer)
    probation_officer.first_name, probation_officer.last_name = "Kiri", "Walker"
    probation_officer.save(update_fields=["first_name", "last_name"])
    client.force_login(probation_officer)
    url = reverse("appointments:contact_level", args=[offender.pk])
    start = today()

    form = client.get(url)
    assert form.status_code == 200 and b"Change contact level" in form.content
    refused = client.post(url, {"every_days": "91", "reason": "", **date_parts("starts_on", start)})
    assert refused.status_code == 200 and refused.content.count(b"field--error") == 2
    assert not ContactLevelAdjustment.objects.exists()

    response = client.post(
        url,
        {"every_days": "5", "reason": "Court review pending", **date_parts("starts_on", start)},
        follow=True,
    )

    adjustment = ContactLevelAdjustment.objects.get(offender=offender)
    assert (adjustment.every_days, adjustment.starts_on, adjustment.ends_on) == (5, start, None)
    page = response.content.decode()
    assert f"is to be seen every 5 days from {start:%-d %b %Y}" in page
    assert f"Every 5 days (adjusted: Court review pending, by Kiri Walker, {start:%-d %b %Y})" in page


def test_another_officer_may_not_open_the_change_page(client, office, probation_officer):
    offender = supervised(office)
    on_case(offender, probation_officer)
    colleague = staff_user(Role.PROBATION_OFFICER, office)
    client.force_login(colleague)
    url = reverse("appointments:contact_level", args=[offender.pk])

    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"every_days": "5", "reason": "x", **date_parts("starts_on", today())}).status_code
        == 403
    )
    assert not ContactLevelAdjustment.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=colleague).count() == 2
    page = client.get(reverse("appointments:offender", args=[offender.pk])).content.decode()
    assert url not in page


def date_parts(name, day):
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


# --- The inbox -----------------------------------------------------------------------------------


def contact_items(user):
    me = person_of(user)
    return [
        row.item
        for row in inbox_of(me, viewer=me, today=today()).rows
        if row.item.kind == "contact_level" and not row.escalated
    ]


def test_people_behind_are_in_the_inbox_of_their_officer_and_office_manager(office, probation_officer):
    behind = supervised(office, "intensive_supervision", start=today() - datetime.timedelta(days=30))
    further_behind = supervised(office, "supervision", start=today() - datetime.timedelta(days=30))
    up_to_date = supervised(office, "supervision", start=today() - datetime.timedelta(days=30))
    for offender in (behind, further_behind, up_to_date):
        on_case(offender, probation_officer)
    for offender, days_ago in ((behind, 9), (further_behind, 20), (up_to_date, 3)):
        day = today() - datetime.timedelta(days=days_ago)
        seen(offender, probation_officer, nz(day.year, day.month, day.day))

    items = contact_items(probation_officer)

    assert [(item.offender_id, item.days_overdue) for item in items] == [
        (further_behind.pk, 6),
        (behind.pk, 2),
    ]
    assert items[1].title == "Behind on contact by 2 days"
    assert items[1].url == reverse("appointments:offender", args=[behind.pk])
    assert "Seen every 7 days" in items[1].detail
    manager = staff_user(Role.SERVICE_MANAGER, office)
    assert [item.offender_id for item in contact_items(manager)] == [further_behind.pk, behind.pk]


def test_other_officers_and_other_offices_do_not_see_them(office, other_office, probation_officer):
    offender = supervised(office, "intensive_supervision", start=today() - datetime.timedelta(days=30))
    on_case(offender, probation_officer)
    assert len(contact_items(probation_officer)) == 1

    assert contact_items(staff_user(Role.PROBATION_OFFICER, office)) == []
    assert contact_items(staff_user(Role.SERVICE_MANAGER, other_office)) == []
    assert contact_items(staff_user(Role.ADMIN_SUPPORT, office)) == []


def test_attending_takes_the_person_out_of_the_inbox(office, probation_officer):
    offender = supervised(office, "intensive_supervision", start=today() - datetime.timedelta(days=30))
    on_case(offender, probation_officer)
    assert contact_items(probation_officer)

    yesterday = today() - datetime.timedelta(days=1)
    seen(offender, probation_officer, nz(yesterday.year, yesterday.month, yesterday.day))

    assert contact_items(probation_officer) == []


# --- Queries -------------------------------------------------------------------------------------


def caseload(size):
    office = OfficeFactory()
    officer = staff_user(Role.PROBATION_OFFICER, office)
    people = []
    for n in range(size):
        offender = supervised(office, "intensive_supervision", start=today() - datetime.timedelta(days=40))
        on_case(offender, officer)
        if n % 2:
            ContactLevelAdjustment.objects.create(
                offender=offender, every_days=3, reason="Closer", starts_on=today(), set_by=officer
            )
        day = today() - datetime.timedelta(days=n % 20)
        Appointment.objects.create(
            offender=offender,
            officer=staff_of(officer),
            office=office,
            kind="office_visit",
            starts_at=nz(day.year, day.month, day.day),
            ends_at=nz(day.year, day.month, day.day, 11),
            status="attended",
        )
        people.append(offender)
    return officer, people


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_the_same_queries_for_one_person_as_for_thirty():
    one_officer, one = caseload(1)
    many_officer, many = caseload(30)

    assert count_queries(lambda: contact_levels([p.pk for p in one], today())) == count_queries(
        lambda: contact_levels([p.pk for p in many], today())
    )
    assert len(contact_levels([p.pk for p in many], today())) == 30
    assert count_queries(lambda: contact_items(one_officer)) == count_queries(
        lambda: contact_items(many_officer)
    )
    assert len(contact_items(many_officer)) > 10


def test_system_administrators_change_a_default_by_adding_a_later_rule_in_the_admin(client, office):
    admin = staff_user(Role.SYSTEM_ADMIN, office, is_staff=True)
    client.force_login(admin)
    rule = ContactLevelRule.objects.filter(sentence_type="supervision").first()

    assert client.get("/admin/appointments/contactlevelrule/").status_code == 200
    response = client.post(
        "/admin/appointments/contactlevelrule/add/",
        {
            "sentence_type": "supervision",
            "every_days": "10",
            "effective_from": "2027-01-01",
            "source": "Ours",
        },
    )

    assert response.status_code == 302
    assert ContactLevelRule.objects.filter(sentence_type="supervision").count() == 2
    change = f"/admin/appointments/contactlevelrule/{rule.pk}/change/"
    assert client.post(change, {"sentence_type": "supervision", "every_days": "3"}).status_code == 403
    rule.refresh_from_db()
    assert rule.every_days == 14
    client.force_login(staff_user(Role.SERVICE_MANAGER, office, is_staff=True))
    assert client.get("/admin/appointments/contactlevelrule/").status_code == 302
