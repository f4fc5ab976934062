"""One list of a person's work sorted by urgency; a manager's team and its inbox; overdue work
escalated to the manager (derived in the inbox, notified once by the daily task); and a constant
number of queries whatever the size of the team."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from allocation.models import Notification
from inbox.models import EscalationNotice
from inbox.selectors import inbox_of, is_manager, manages, person_of, team_inbox, team_of
from inbox.services import escalations_notify
from inbox.sources import SOURCES
from inbox.tasks import notify_escalations
from ioms.read_models import ESCALATE_AFTER_DAYS
from reconciliation.services import exception_assign
from staff.roles import Role
from tests.factories import OfficeFactory, TeamFactory, staff_user
from tests.inbox.conftest import allocate_request, classified_prisoner, data_exception

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def inbox(user):
    me = person_of(user)
    return inbox_of(me, viewer=me, today=today())


def test_the_list_is_sorted_overdue_first_by_how_overdue_then_soonest_due(office, community):
    manager = community["manager"]
    soon = allocate_request(office, due_in=1)
    later = allocate_request(office, due_in=9)
    very_late = allocate_request(office, due_in=-6)
    late = allocate_request(office, due_in=-1)
    order = [row.item.key for row in inbox(manager).rows]
    assert order == [f"allocate_request:{r.pk}" for r in (very_late, late, soon, later)]
    mine = inbox(manager)
    assert (mine.total, mine.overdue) == (4, 2)
    counts = {count.kind: (count.total, count.overdue) for count in mine.counts}
    assert counts["allocate_request"] == (4, 2)
    assert counts["exception"] == (0, 0)


def test_a_manager_and_their_team(office, community):
    manager = person_of(community["manager"])
    assert is_manager(manager)
    assert {person.name for person in team_of(manager)} == {
        community[who].get_full_name() for who in ("clerk", "clerk2", "officer")
    }
    assert not is_manager(person_of(community["officer"]))
    assert team_of(person_of(community["officer"])) == []
    # Staff of another office, data-share users and other managers are not in the team.
    staff_user(Role.PROBATION_OFFICER, OfficeFactory())
    staff_user(Role.DATA_SHARE, office)
    peer = staff_user(Role.SERVICE_MANAGER, office)
    assert len(team_of(manager)) == 3
    assert not manages(manager, person_of(peer))


def test_a_manager_in_a_team_manages_that_team_and_the_office_staff_in_none(office):
    north, south = TeamFactory(office=office, name="North"), TeamFactory(office=office, name="South")
    boss = staff_user(Role.SERVICE_MANAGER, office)
    boss.staff.team = north
    boss.staff.save(update_fields=["team"])
    ours = staff_user(Role.PROBATION_OFFICER, office)
    theirs = staff_user(Role.PROBATION_OFFICER, office)
    unteamed = staff_user(Role.PROBATION_OFFICER, office)
    ours.staff.team, theirs.staff.team = north, south
    ours.staff.save(update_fields=["team"])
    theirs.staff.save(update_fields=["team"])
    boss = person_of(type(boss).objects.get(pk=boss.pk))
    assert {person.user_id for person in team_of(boss)} == {ours.pk, unteamed.pk}


def test_at_a_prison_the_approving_officers_manage_the_prison_officers(prison, prison_staff):
    approver = person_of(prison_staff["approver"])
    assert is_manager(approver)
    assert {person.user_id for person in team_of(approver)} == {
        prison_staff[who].pk for who in ("initiator", "adviser", "recommender")
    }


def test_work_overdue_beyond_escalation_also_appears_in_the_managers_inbox(office, community):
    not_yet = data_exception(office, opened_days_ago=5 + ESCALATE_AFTER_DAYS)  # overdue 3 days
    escalated = data_exception(office, opened_days_ago=5 + ESCALATE_AFTER_DAYS + 1)  # overdue 4 days
    exception_assign(actor=community["manager"], exception=escalated, assignee=community["clerk"])

    rows = {row.item.key: row for row in inbox(community["manager"]).rows}
    assert set(rows) == {f"exception:{escalated.pk}"}
    row = rows[f"exception:{escalated.pk}"]
    assert row.escalated
    assert row.escalation_label == f"Escalated: Mere {community['clerk'].last_name}'s item, 4 days overdue"
    assert inbox(community["manager"]).escalated == 1
    # The clerk still has both, unescalated, in their own inbox.
    clerk_rows = inbox(community["clerk"]).rows
    assert {row.item.key for row in clerk_rows} == {f"exception:{not_yet.pk}", f"exception:{escalated.pk}"}
    assert not any(row.escalated for row in clerk_rows)
    # Shared work escalates naming the pool.
    pool_late = data_exception(office, opened_days_ago=20)
    label = {row.item.key: row for row in inbox(community["manager"]).rows}[f"exception:{pool_late.pk}"]
    assert label.escalation_label.startswith("Escalated: ") and "and 1 other's item" in label.escalation_label


def test_the_team_inbox_lists_each_item_once_with_who_may_do_it(office, community, prison, prison_staff, v1):
    shared = data_exception(office, opened_days_ago=1)
    held = data_exception(office)
    exception_assign(actor=community["manager"], exception=held, assignee=community["clerk2"])
    allocate_request(office)  # the manager's own work, not the team's

    team = team_inbox(person_of(community["manager"]), today=today())
    by_key = {row.item.key: row for row in team.rows}
    assert set(by_key) == {f"exception:{shared.pk}", f"exception:{held.pk}"}
    assert {p.user_id for p in by_key[f"exception:{shared.pk}"].assignees} == {
        community["clerk"].pk,
        community["clerk2"].pk,
    }
    assert [p.user_id for p in by_key[f"exception:{held.pk}"].assignees] == [community["clerk2"].pk]
    counts = {member.person.user_id: (member.total, member.overdue) for member in team.members}
    assert counts == {
        community["clerk"].pk: (1, 0),
        community["clerk2"].pk: (2, 0),
        community["officer"].pk: (0, 0),
    }
    # Prison work is not this manager's team's.
    classified_prisoner(prison, classified_days_ago=200)
    assert len(team_inbox(person_of(community["manager"]), today=today()).rows) == 2


def test_a_manager_sees_only_the_items_they_may_see(prison, prison_staff, v1):
    """A prison's service manager sees the classification work of their officers (they may read
    the classification) and the prison's allocate requests."""
    classified_prisoner(prison, classified_days_ago=200)
    team = team_inbox(person_of(prison_staff["manager"]), today=today())
    assert {row.item.kind for row in team.rows} == {"classification_due"}
    # A data-share viewer would see none of it (checked per source).
    share = person_of(staff_user(Role.DATA_SHARE, prison))
    sources = {source.kind: source for source in SOURCES}
    assert not any(sources[row.item.kind].may_see(share, row.item) for row in team.rows)


def test_the_daily_task_notifies_each_manager_once_per_escalated_item(office, community, settings):
    community["manager"].email = "sam@example.org"
    community["manager"].save(update_fields=["email"])
    late = data_exception(office, opened_days_ago=12)
    data_exception(office, opened_days_ago=1)  # not overdue: no notice

    assert notify_escalations() == 1
    notice = EscalationNotice.objects.get()
    assert (notice.manager, notice.item_key) == (community["manager"], f"exception:{late.pk}")
    notification = Notification.objects.get(recipient=community["manager"])
    assert notification.link == reverse("reconciliation:detail", args=[late.pk])
    assert notification.subject.startswith("Overdue 7 days: Reconcile:")
    assert notice.notification == notification

    assert escalations_notify() == 0, "idempotent: the same item is not notified twice"
    assert Notification.objects.filter(recipient=community["manager"]).count() == 1


def test_the_notice_email_goes_out_after_the_commit(office, community, django_capture_on_commit_callbacks):
    community["manager"].email = "sam@example.org"
    community["manager"].save(update_fields=["email"])
    data_exception(office, opened_days_ago=12)
    with django_capture_on_commit_callbacks(execute=True):
        escalations_notify()
    assert [message.to for message in mail.outbox] == [["sam@example.org"]]


def test_a_manager_who_may_do_the_work_is_not_notified_of_it(prison, prison_staff):
    """A prison allocate request is work for the service manager, the recommending and approving
    officers alike: the approving officer is not told that the recommending officer is late."""
    allocate_request(prison, due_in=-10)
    assert escalations_notify() == 0


# --- a constant number of queries ---------------------------------------------------------------


def build_team(office, prison, size: int, v1):
    """`size` people in each of the community office and the prison, each with work of every kind."""
    from courts.corrections import correction_request_create
    from tests.factories import OffenderFactory

    clerks = [staff_user(Role.ADMIN_SUPPORT, office) for _ in range(size)]
    officers = [staff_user(Role.PRISON_OFFICER, prison) for _ in range(size)]
    recommenders = [staff_user(Role.RECOMMENDING_OFFICER, prison) for _ in range(max(1, size // 10))]
    for n, clerk in enumerate(clerks):
        exception = data_exception(office, opened_days_ago=n % 12)
        if n % 2:
            exception_assign(actor=clerk, exception=exception, assignee=clerk)
        correction_request_create(
            actor=clerk,
            offender=OffenderFactory(home_office=office),
            fields=["family_name"],
            what_is_wrong="Misspelt",
            should_be="As on the order",
        )
        allocate_request(office, due_in=n % 9 - 4)
        allocate_request(prison, due_in=n % 9 - 4)
    from classification.services import review_initiate, review_submit

    for n, officer in enumerate(officers):
        inmate = classified_prisoner(prison, classified_days_ago=150 + n % 60)
        if n % 3 == 0:
            review = review_initiate(actor=officer, offender=inmate)
            if n % 2:
                review_submit(actor=officer, review=review)
    return clerks + officers + recommenders


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_team_inboxes_take_the_same_number_of_queries_for_3_and_30_people(
    office, prison, community, prison_staff, v1
):
    small_office, small_prison = OfficeFactory(), OfficeFactory(kind="prison")
    small_manager = staff_user(Role.SERVICE_MANAGER, small_office)
    small_prison_manager = staff_user(Role.SERVICE_MANAGER, small_prison)
    build_team(small_office, small_prison, 3, v1)
    build_team(office, prison, 30, v1)

    def run(user, what):
        person = person_of(type(user).objects.get(pk=user.pk))
        if what == "team":
            return lambda: team_inbox(person, today=today())
        return lambda: inbox_of(person, viewer=person, today=today())

    for what in ("team", "mine"):
        small = count_queries(run(small_manager, what))
        large = count_queries(run(community["manager"], what))
        assert small == large, what
        small = count_queries(run(small_prison_manager, what))
        large = count_queries(run(prison_staff["manager"], what))
        assert small == large, what
    large_team = team_inbox(person_of(prison_staff["manager"]), today=today())
    assert len(large_team.members) >= 30 and len(large_team.rows) >= 30


def test_the_team_inbox_page_takes_the_same_number_of_queries_for_3_and_30_people(
    client, office, prison, community, v1
):
    small_office, small_prison = OfficeFactory(), OfficeFactory(kind="prison")
    small_manager = staff_user(Role.SERVICE_MANAGER, small_office)
    build_team(small_office, small_prison, 3, v1)
    build_team(office, prison, 30, v1)
    counts = []
    for user in (small_manager, community["manager"]):
        client.force_login(user)
        for url in (reverse("inbox:team"), reverse("inbox:mine"), reverse("home")):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append((url, len(captured.captured_queries)))
    half = len(counts) // 2
    assert counts[:half] == counts[half:]


def test_a_day_later_the_same_records_are_more_overdue(office, community):
    request = allocate_request(office, due_in=0)
    me = person_of(community["manager"])
    [row] = inbox_of(me, viewer=me, today=today() + datetime.timedelta(days=2)).rows
    assert row.item.key == f"allocate_request:{request.pk}" and row.item.days_overdue == 2
