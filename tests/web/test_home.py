"""The home page of each role."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from allocation.models import CaseRole
from sentences.models import SentenceType
from staff.roles import Role
from tests.factories import (
    AllocationFactory,
    CasenoteFactory,
    OffenderFactory,
    SentenceFactory,
    StaffMemberFactory,
    UserFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _prison_sentence(offender, office, **kwargs):
    start = TODAY - datetime.timedelta(days=100)
    return SentenceFactory(
        offender=offender,
        sentence_type=SentenceType.IMPRISONMENT,
        managing_office=office,
        order_date=start,
        start_date=start,
        end_date=start + datetime.timedelta(days=1000),
        statutory_release_date=start + datetime.timedelta(days=1000),
        **kwargs,
    )


def test_a_user_with_no_role_is_told_so_and_shown_nothing_else(client):
    client.force_login(UserFactory(username="newstarter"))
    page = client.get("/").content.decode()
    assert "You have no role yet" in page
    assert "My caseload" not in page and "Search offenders" not in page
    assert "Log out" in page


def test_probation_officer_sees_their_caseload_with_sentences_and_next_key_date(
    client, probation_officer, office
):
    mine = OffenderFactory(family_name="Hohaia", given_names="Tane", prn="31313131")
    SentenceFactory(
        offender=mine,
        sentence_type=SentenceType.SUPERVISION,
        end_date=TODAY + datetime.timedelta(days=40),
        order_date=TODAY - datetime.timedelta(days=10),
    )
    SentenceFactory(
        offender=mine,
        sentence_type=SentenceType.COMMUNITY_WORK,
        hours=100,
        status="completed",
        completion_reason="normal",
        completed_on=TODAY - datetime.timedelta(days=1),
    )
    AllocationFactory(offender=mine, staff=probation_officer.staff)
    ended = OffenderFactory(family_name="Formerly")
    AllocationFactory(offender=ended, staff=probation_officer.staff, ended_on=TODAY)
    someone_elses = OffenderFactory(family_name="Elsewhere")
    AllocationFactory(offender=someone_elses)
    CasenoteFactory(offender=mine, author=probation_officer, summary="Discussed employment")
    client.force_login(probation_officer)
    page = client.get("/").content.decode()
    assert "HOHAIA, Tane" in page and "31313131" in page
    assert "Supervision" in page and "Community work" not in page
    expiry = TODAY + datetime.timedelta(days=40)
    assert f'Expires (SED): <time datetime="{expiry.isoformat()}">' in page
    assert "Formerly".upper() not in page and "ELSEWHERE" not in page
    assert "Discussed employment" in page


def test_a_person_the_officer_holds_two_roles_on_is_listed_once_with_both_roles(client, probation_officer):
    """Issue 14: "Offenders allocated to you (20)" listed 10 people twice (once per role)."""
    both = OffenderFactory(family_name="Twice", given_names="Aroha")
    SentenceFactory(offender=both)
    AllocationFactory(offender=both, staff=probation_officer.staff, role=CaseRole.SUPERVISING_OFFICER)
    AllocationFactory(offender=both, staff=probation_officer.staff, role=CaseRole.OFFENDER_MANAGER)
    once = OffenderFactory(family_name="Once", given_names="Hemi")
    AllocationFactory(offender=once, staff=probation_officer.staff, role=CaseRole.SUPERVISING_OFFICER)
    client.force_login(probation_officer)

    page = client.get("/").content.decode()

    assert page.count("TWICE, Aroha") == 1
    assert "2 people allocated to you" in page
    assert "Offender manager, Supervising probation officer" in page


def test_the_casenotes_an_officer_wrote_are_listed_by_the_contact_date_they_show(client, probation_officer):
    """Issue 14: "recent casenotes are sorted by save time but show contact dates, so dates jump"."""
    offender = OffenderFactory()
    now = timezone.now()
    CasenoteFactory(
        offender=offender,
        author=probation_officer,
        summary="Home visit yesterday",
        contact_on=now - datetime.timedelta(days=1),
    )
    # Written up after the visit above was saved, about an older contact.
    CasenoteFactory(
        offender=offender,
        author=probation_officer,
        summary="Phone call last week",
        contact_on=now - datetime.timedelta(days=7),
    )
    client.force_login(probation_officer)

    page = client.get("/").content.decode()

    assert page.index("Home visit yesterday") < page.index("Phone call last week")
    last_week = timezone.localtime(now - datetime.timedelta(days=7))
    assert f"{last_week.day} {last_week:%b %Y %H:%M}</time> —" in page


def _caseload_queries(client, officer, count):
    for _ in range(count):
        offender = OffenderFactory()
        SentenceFactory(offender=offender)
        SentenceFactory(offender=offender, sentence_type=SentenceType.COMMUNITY_WORK, hours=80)
        AllocationFactory(offender=offender, staff=officer.staff)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_the_caseload_costs_the_same_number_of_queries_however_long(client, probation_officer):
    client.force_login(probation_officer)
    few = _caseload_queries(client, probation_officer, 3)
    many = _caseload_queries(client, probation_officer, 30)
    assert few == many


def test_service_manager_sees_the_offices_sentences_by_type_and_officers_caseloads(
    client, service_manager, office
):
    for _ in range(2):
        SentenceFactory(offender=OffenderFactory(home_office=office), sentence_type=SentenceType.SUPERVISION)
    SentenceFactory(offender=OffenderFactory(home_office=office), sentence_type=SentenceType.HOME_DETENTION)
    SentenceFactory(offender=OffenderFactory(), sentence_type=SentenceType.PAROLE)  # another office
    officer = staff_user(Role.PROBATION_OFFICER, office=office, first_name="Kiri", last_name="Pohatu")
    for _ in range(3):
        AllocationFactory(staff=officer.staff)
    AllocationFactory(staff=officer.staff, ended_on=TODAY)
    StaffMemberFactory(office=office, user=UserFactory(first_name="Not", last_name="Anofficer"))
    client.force_login(service_manager)
    page = client.get("/").content.decode()
    assert "3 people currently subject to a sentence managed here." in page
    assert '<th scope="row">Supervision</th><td class="num">2</td>' in page
    assert '<th scope="row">Home detention</th><td class="num">1</td>' in page
    assert "Parole" not in page
    assert "Kiri Pohatu" in page
    officer_row = page[page.index("Kiri Pohatu") :]
    assert '<td class="num">3</td>' in officer_row[: officer_row.index("</tr>")]
    assert "Not Anofficer" not in page


def test_admin_support_sees_recently_changed_sentences_at_their_office(client, admin_support, office):
    SentenceFactory(offender=OffenderFactory(family_name="Ourcase", home_office=office))
    SentenceFactory(offender=OffenderFactory(family_name="Theircase"))
    client.force_login(admin_support)
    page = client.get("/").content.decode()
    assert "Recently changed sentences" in page
    assert "OURCASE" in page and "THEIRCASE" not in page


@pytest.mark.parametrize("role", [Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER])
def test_prison_staff_see_the_prisoners_their_office_manages(client, role_user, office, role):
    _prison_sentence(OffenderFactory(family_name="Inside"), office)
    _prison_sentence(
        OffenderFactory(family_name="Released"),
        office,
        status="completed",
        completion_reason="normal",
        completed_on=TODAY,
    )
    _prison_sentence(OffenderFactory(family_name="Elsewhere"), OffenderFactory().home_office)
    SentenceFactory(offender=OffenderFactory(family_name="Community", home_office=office))
    client.force_login(role_user(role))
    page = client.get("/").content.decode()
    assert "INSIDE" in page
    assert "RELEASED" not in page and "ELSEWHERE" not in page and "COMMUNITY" not in page


def test_data_share_gets_a_search_box_and_what_the_share_allows(client, data_share):
    client.force_login(data_share)
    page = client.get("/").content.decode()
    assert 'action="/offenders/"' in page and 'name="q"' in page
    assert "read-only data share" in page
    assert "My caseload" not in page


def test_system_admin_sees_estimated_counts_and_admin_links(client, system_admin):
    OffenderFactory.create_batch(3)
    SentenceFactory.create_batch(4, status="active")
    SentenceFactory(status="completed", completed_on=TODAY, completion_reason="normal")
    with connection.cursor() as cursor:
        # What autovacuum (or seed_demo) does; inside the test's transaction it sees its own rows.
        cursor.execute("ANALYZE offenders_offender, sentences_sentence")
    client.force_login(system_admin)

    page = client.get("/").content.decode()

    assert "<dt>Offender records</dt><dd>about 8</dd>" in page
    assert "<dt>Current sentences</dt><dd>about 4</dd>" in page
    assert 'href="/admin/"' in page


def test_the_system_admin_home_page_counts_no_big_table(client, system_admin):
    OffenderFactory.create_batch(3)
    client.force_login(system_admin)

    with CaptureQueriesContext(connection) as queries:
        client.get("/")

    counts = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"].upper()]
    big_tables = ("offenders_offender", "sentences_sentence", "casenotes_casenote")
    assert not [sql for sql in counts if any(f'"{table}"' in sql for table in big_tables)]
    # A day's audit trail is counted only up to a limit.
    assert all("LIMIT 10001" in sql for sql in counts if '"audit_auditevent"' in sql)
