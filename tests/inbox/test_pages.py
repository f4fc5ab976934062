"""The inbox pages: who may open each (every role, no role, anonymous), what they show, the kind
filter, the CSV export, the audit rows, the home page count and the menu link; and every item's
link opens for the person it is shown to."""

import csv
import io

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from inbox.selectors import person_of
from reconciliation.services import exception_assign
from staff.roles import Role
from tests.factories import OfficeFactory, UserFactory, staff_user
from tests.inbox.conftest import allocate_request, classified_prisoner, data_exception

pytestmark = pytest.mark.django_db

PO, SM, AS, PR, RO, AO, DS, SA = (
    Role.PROBATION_OFFICER,
    Role.SERVICE_MANAGER,
    Role.ADMIN_SUPPORT,
    Role.PRISON_OFFICER,
    Role.RECOMMENDING_OFFICER,
    Role.APPROVING_OFFICER,
    Role.DATA_SHARE,
    Role.SYSTEM_ADMIN,
)
EVERYONE = frozenset(Role.values)

# (url name, {kwarg: object key}, roles allowed), every user working at the community office. The
# team pages are a manager's: at a community office its service managers (at a prison its approving
# officers too: test_a_prisons_approving_officer_sees_their_team below).
INBOX_PAGES = [
    ("inbox:mine", {}, EVERYONE - {DS}),
    ("inbox:export", {}, EVERYONE - {DS}),
    ("inbox:team", {}, {SM}),
    ("inbox:person", {"staff_pk": "member"}, {SM}),
]


@pytest.fixture
def objects(office):
    member = staff_user(PO, office, username="member.po")
    return {"member": member.staff}


def _url(name, kwargs, objects):
    return reverse(name, kwargs={key: objects[value].pk for key, value in kwargs.items()})


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_is_allowed_or_refused_each_inbox_page(client, office, objects, role):
    client.force_login(staff_user(role, office=office))
    outcomes = {name: client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in INBOX_PAGES}
    assert outcomes == {name: 200 if role in allowed else 403 for name, _, allowed in INBOX_PAGES}


def test_a_user_without_a_role_has_no_inbox(client, objects):
    client.force_login(UserFactory())
    for name, kwargs, _ in INBOX_PAGES:
        assert client.get(_url(name, kwargs, objects)).status_code == 403, name


def test_an_anonymous_visitor_is_sent_to_log_in(client, objects):
    for name, kwargs, _ in INBOX_PAGES:
        response = client.get(_url(name, kwargs, objects))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


def test_a_person_opens_their_own_inbox_by_their_staff_number_and_no_one_elses(client, office, objects):
    member = objects["member"]
    client.force_login(member.user)
    assert client.get(reverse("inbox:person", args=[member.pk])).status_code == 200
    colleague = staff_user(PO, office)
    assert client.get(reverse("inbox:person", args=[colleague.staff.pk])).status_code == 403
    assert client.get(reverse("inbox:person", args=[999_999_999])).status_code == 404


def test_a_manager_of_another_office_may_not_open_a_members_inbox(client, objects):
    client.force_login(staff_user(SM, OfficeFactory()))
    assert client.get(reverse("inbox:person", args=[objects["member"].pk])).status_code == 403


def test_a_data_share_staff_member_has_no_inbox_to_open(client, office):
    client.force_login(staff_user(SM, office))
    share = staff_user(DS, office)
    assert client.get(reverse("inbox:person", args=[share.staff.pk])).status_code == 404


def test_a_prisons_approving_officer_sees_their_team(client, prison, prison_staff):
    client.force_login(prison_staff["approver"])
    assert client.get(reverse("inbox:team")).status_code == 200
    response = client.get(reverse("inbox:person", args=[prison_staff["initiator"].staff.pk]))
    assert response.status_code == 200
    client.force_login(prison_staff["recommender"])
    assert client.get(reverse("inbox:team")).status_code == 403


# --- what the pages show ----------------------------------------------------------------------


def test_my_inbox_lists_my_work_with_counts_and_links_and_audits_the_offenders_shown(
    client, office, community
):
    late = data_exception(office, opened_days_ago=9)
    request = allocate_request(office, due_in=2)
    client.force_login(community["clerk"])
    response = client.get(reverse("inbox:mine"))
    page = response.content.decode()
    assert "My inbox" in page
    assert f'href="/exceptions/{late.pk}/"' in page
    assert "4 days overdue" in page
    assert late.offender.prn in page
    assert f"/allocation/requests/{request.pk}/" not in page, "allocate requests are the manager's"
    assert response.context["inbox"].total == 1
    listed = AuditEvent.objects.filter(actor=community["clerk"], action=AuditAction.VIEW)
    assert set(listed.values_list("offender_id", flat=True)) == {late.offender_id}


def test_the_kind_filter_narrows_the_list(client, office, community):
    exception = data_exception(office)
    exception_assign(actor=community["manager"], exception=exception, assignee=community["manager"])
    request = allocate_request(office)
    client.force_login(community["manager"])
    page = client.get(reverse("inbox:mine"), {"kind": "allocate_request"}).content.decode()
    assert f"/allocation/requests/{request.pk}/" in page
    assert f"/exceptions/{exception.pk}/" not in page
    # An unknown kind shows everything.
    page = client.get(reverse("inbox:mine"), {"kind": "nonsense"}).content.decode()
    assert f"/allocation/requests/{request.pk}/" in page and f"/exceptions/{exception.pk}/" in page


def test_the_team_inbox_shows_everyones_work_and_a_count_per_person(client, office, community):
    shared = data_exception(office, opened_days_ago=12)
    client.force_login(community["manager"])
    response = client.get(reverse("inbox:team"))
    page = response.content.decode()
    assert f'href="/exceptions/{shared.pk}/"' in page
    assert f'href="/inbox/staff/{community["clerk"].staff.pk}/"' in page
    members = {member.person.user_id: member for member in response.context["inbox"].members}
    assert (members[community["clerk"].pk].total, members[community["clerk"].pk].overdue) == (1, 1)
    assert members[community["officer"].pk].total == 0
    # The manager's own inbox carries it as escalated.
    page = client.get(reverse("inbox:mine")).content.decode()
    assert "Escalated: " in page and "7 days overdue" in page
    assert (
        AuditEvent.objects.filter(
            actor=community["manager"], action=AuditAction.VIEW, offender_id=shared.offender_id
        ).count()
        == 2
    )


def test_a_manager_opens_one_members_inbox(client, office, community):
    exception = data_exception(office)
    exception_assign(actor=community["manager"], exception=exception, assignee=community["clerk2"])
    client.force_login(community["manager"])
    page = client.get(reverse("inbox:person", args=[community["clerk2"].staff.pk])).content.decode()
    assert f"Inbox of {community['clerk2'].get_full_name()}" in page
    assert f'href="/exceptions/{exception.pk}/"' in page
    page = client.get(reverse("inbox:person", args=[community["officer"].staff.pk])).content.decode()
    assert f'href="/exceptions/{exception.pk}/"' not in page


def test_the_export_is_the_inbox_as_csv_and_is_audited(client, office, community):
    late = data_exception(office, opened_days_ago=9)
    client.force_login(community["clerk"])
    response = client.get(reverse("inbox:export"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["Due on", "Days overdue", "Kind", "Work"]
    assert rows[1][1:3] == ["4", "Exceptions to reconcile"]
    assert rows[1][5] == late.offender.prn
    assert rows[1][-1] == f"http://testserver/exceptions/{late.pk}/"
    assert AuditEvent.objects.filter(actor=community["clerk"], action=AuditAction.EXPORT).count() == 1


def test_the_team_export_is_for_managers(client, office, community):
    data_exception(office)
    client.force_login(community["clerk"])
    assert client.get(reverse("inbox:export"), {"scope": "team"}).status_code == 403
    client.force_login(community["manager"])
    response = client.get(reverse("inbox:export"), {"scope": "team"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2
    assert community["clerk"].get_full_name() in rows[1][7]


def test_a_cell_that_looks_like_a_formula_is_neutralised(client, office, community):
    data_exception(office, detail="=HYPERLINK(1)")
    client.force_login(community["clerk"])
    response = client.get(reverse("inbox:export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][4] == "'=HYPERLINK(1)"


def test_the_home_page_counts_my_work_and_the_menu_links_the_inbox(client, office, community):
    data_exception(office, opened_days_ago=9)
    data_exception(office)
    client.force_login(community["clerk"])
    page = client.get(reverse("home")).content.decode()
    assert "2 items of work waiting for you" in page and "1 overdue" in page
    assert f'<a href="{reverse("inbox:mine")}"' in page
    client.force_login(staff_user(DS, office))
    page = client.get(reverse("home")).content.decode()
    assert 'href="/inbox/"' not in page


def test_every_item_opens_for_the_person_it_is_shown_to(client, office, community, prison, prison_staff, v1):
    from classification.services import review_initiate, review_submit
    from courts.corrections import correction_request_create
    from tests.factories import OffenderFactory

    data_exception(office, opened_days_ago=20)
    allocate_request(office, due_in=-9)
    allocate_request(prison, due_in=-9)
    correction_request_create(
        actor=community["officer"],
        offender=OffenderFactory(home_office=office),
        fields=["family_name"],
        what_is_wrong="Misspelt",
        should_be="As on the order",
    )
    due = classified_prisoner(prison, classified_days_ago=250)
    started = classified_prisoner(prison, classified_days_ago=250)
    review_submit(
        actor=prison_staff["initiator"],
        review=review_initiate(actor=prison_staff["initiator"], offender=started),
    )
    assert due
    seen = set()
    for user in [*community.values(), *prison_staff.values()]:
        client.force_login(user)
        me = person_of(user)
        for url_name in ("inbox:mine", "inbox:team"):
            response = client.get(reverse(url_name))
            if response.status_code == 403:
                assert url_name == "inbox:team"
                continue
            for row in response.context["inbox"].rows:
                seen.add(row.item.kind)
                assert client.get(row.item.url).status_code == 200, (me.name, url_name, row.item.url)
    assert seen == {
        "allocate_request",
        "classification_review",
        "classification_due",
        "exception",
        "correction_request",
    }
