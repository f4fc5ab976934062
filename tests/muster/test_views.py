"""The muster list page: what a service manager sees, filters, sorting, pagination, who may open
which office's list, the audit trail, and a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from sentences.models import SentenceType
from staff.roles import Role
from tests.factories import CourtFactory, UserFactory, staff_user
from tests.muster.conftest import TODAY, crowd, days
from tests.web_records.helpers import text

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
OWN_OFFICE_ONLY = {PO, SM, AS}
NATIONAL = {SA}
# Prison staff manage custody; the data share carries no warnings or appeal tags (docs/data-share.md).
REFUSED = {PR, RO, AO, DS}
MUSTER_URLS = ("muster:office", "muster:print", "muster:export_csv", "muster:export_xlsx")


def muster_url(office, name="muster:office") -> str:
    return reverse(name, kwargs={"office_pk": office.pk})


def body_rows(response) -> list[str]:
    """The text of each row of the muster table's body."""
    html = response.content.decode()
    table = html.split('id="muster-list"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [text_of(row) for row in body.split("<tr>")[1:]]


def text_of(fragment: str) -> str:
    import re
    from html import unescape

    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def test_a_service_manager_sees_everyone_under_sentence_at_their_office(
    client, office, muster, service_manager
):
    client.force_login(service_manager)
    response = client.get(muster_url(office))
    assert response.status_code == 200
    rows = body_rows(response)
    assert len(rows) == 3
    jones, smith, tamihana = rows
    start = (TODAY() - days(100)).strftime("%-d %b %Y")
    end = (TODAY() + days(400)).strftime("%-d %b %Y")
    assert tamihana.startswith("TAMIHANA, Aroha Mere 41000001 Community work, Supervision (2 sentences)")
    assert f"{start} {end} Mere Officer" in tamihana
    assert tamihana.endswith("Appeal outstanding Offender warning (OWS)")
    assert "Indeterminate Hemi Officer Breach outstanding Child sex offender" in jones
    assert "Home detention" in smith and "Unallocated" in smith
    page = text(response)
    for absent in ("BROWN", "WALKER", "CLARK"):
        assert absent not in page
    assert "3 people" in page


def test_the_counts_by_sentence_type_are_on_the_page(client, office, muster, service_manager):
    client.force_login(service_manager)
    html = client.get(muster_url(office)).content.decode()
    counts = text_of(html.split('id="muster-counts"', 1)[1].split("</table>", 1)[0])
    assert "Community work 1 1 Supervision 1 1 Home detention 1 1 Imprisonment 1 1" in counts
    assert counts.endswith("All types 3 4")


def test_the_table_is_accessible_markup(client, office, muster, service_manager):
    client.force_login(service_manager)
    html = client.get(muster_url(office)).content.decode()
    table = html.split('id="muster-list"', 1)[1].split("</table>", 1)[0]
    assert "<caption>" in table
    assert table.count('scope="col"') == 7
    assert table.count('scope="row"') == 3
    assert 'aria-sort="ascending"' in table, "the name column says it is the sort"
    assert '<label class="field__label" for="id_q">Name or PRN' in html


def test_my_muster_goes_to_my_office(client, office, muster, probation_officer):
    client.force_login(probation_officer)
    response = client.get(reverse("muster:mine"))
    assert response.status_code == 302
    assert response["Location"] == muster_url(office)


@pytest.mark.parametrize("role", sorted(OWN_OFFICE_ONLY | NATIONAL | REFUSED))
def test_each_role_is_allowed_or_refused_each_muster_page(client, office, other_office, muster, role):
    client.force_login(staff_user(role, office=office))
    own = {name: client.get(muster_url(office, name)).status_code for name in MUSTER_URLS}
    other = {name: client.get(muster_url(other_office, name)).status_code for name in MUSTER_URLS}
    mine = client.get(reverse("muster:mine")).status_code
    if role in REFUSED:
        assert set(own.values()) == set(other.values()) == {403}
        assert mine == 403
    elif role in NATIONAL:
        assert set(own.values()) == set(other.values()) == {200}
        assert mine == 302
    else:
        assert set(own.values()) == {200}
        assert set(other.values()) == {403}, "another office's muster is refused"
        assert mine == 302


def test_a_user_without_a_role_or_login_sees_no_muster(client, office, muster):
    for name in MUSTER_URLS:
        response = client.get(muster_url(office, name))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(UserFactory())
    assert client.get(reverse("muster:mine")).status_code == 403
    for name in MUSTER_URLS:
        assert client.get(muster_url(office, name)).status_code == 403


def test_a_prison_officer_is_refused_and_sees_nobody(client, office, muster, role_user):
    client.force_login(role_user(PR))
    response = client.get(muster_url(office))
    assert response.status_code == 403
    assert muster.aroha.prn not in response.content.decode()


def test_a_system_administrator_chooses_any_office(client, office, other_office, muster):
    client.force_login(staff_user(SA, office=office))
    own = client.get(muster_url(office))
    assert f'<option value="{other_office.pk}">{other_office.name}</option>' in own.content.decode()
    response = client.get(reverse("muster:mine"), {"office": other_office.pk})
    assert response["Location"] == muster_url(other_office)
    other = client.get(response["Location"])
    assert "WALKER, Eve" in text(other) and "TAMIHANA" not in text(other)
    assert client.get(reverse("muster:mine"), {"office": "999999"}).status_code == 404


def test_a_service_manager_cannot_choose_another_office(
    client, office, other_office, muster, service_manager
):
    client.force_login(service_manager)
    assert 'action="/muster/"' not in client.get(muster_url(office)).content.decode(), "no office chooser"
    response = client.get(reverse("muster:mine"), {"office": other_office.pk})
    assert response["Location"] == muster_url(office), "the office parameter is ignored"
    assert client.get(muster_url(other_office)).status_code == 403


def test_a_court_has_no_muster(client, system_admin):
    client.force_login(system_admin)
    assert client.get(muster_url(CourtFactory())).status_code == 404


def test_viewing_the_muster_is_audited_as_a_search_with_its_filters(client, office, muster, service_manager):
    client.force_login(service_manager)
    client.get(muster_url(office), {"sentence_type": SentenceType.SUPERVISION, "flags": ["appeal", "ows"]})
    event = AuditEvent.objects.get(actor=service_manager, action=AuditAction.SEARCH)
    assert event.summary == f"Searched muster list of {office.code}"
    assert event.query == f"flags=appeal,ows&office={office.code}&sentence_type=supervision"


def test_filters_on_the_page(client, office, muster, service_manager):
    client.force_login(service_manager)

    def names(**query) -> list[str]:
        return [row.split(" 4100")[0] for row in body_rows(client.get(muster_url(office), query))]

    assert names(sentence_type=SentenceType.HOME_DETENTION) == ["SMITH, Ben"]
    assert names(officer=muster.hemi.pk) == ["JONES, Carla"]
    assert names(unallocated="on") == ["SMITH, Ben"]
    assert names(flags=["breach", "ows"]) == ["JONES, Carla", "TAMIHANA, Aroha Mere"]
    assert names(q="Tamihana") == ["TAMIHANA, Aroha Mere"]
    assert names(sort="-name") == ["TAMIHANA, Aroha Mere", "SMITH, Ben", "JONES, Carla"]
    response = client.get(muster_url(office), {"q": "nobody"})
    assert "No one on this muster matches these filters." in text(response)
    assert "0 matching people" in text(response)


def test_contradictory_filters_are_explained_next_to_the_field(client, office, muster, service_manager):
    client.force_login(service_manager)
    response = client.get(muster_url(office), {"officer": muster.mere.pk, "unallocated": "on"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "not both" in errors["unallocated"][0]
    assert 'aria-invalid="true"' in response.content.decode()
    assert 'id="muster-list"' not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists(), "no search was run"
    unknown = client.get(muster_url(office), {"officer": "999999"})
    assert "officer" in unknown.context["form"].errors


def test_the_sort_headers_link_to_the_other_direction(client, office, muster, service_manager):
    client.force_login(service_manager)
    html = client.get(muster_url(office), {"sort": "end"}).content.decode()
    assert '<th scope="col" aria-sort="ascending"><a href="?sort=-end">End</a></th>' in html
    assert '<th scope="col"><a href="?sort=name">Name</a></th>' in html


def test_pagination(client, office, service_manager):
    crowd(office, 60)
    client.force_login(service_manager)
    first = client.get(muster_url(office))
    assert len(body_rows(first)) == 50
    assert "Page 1 of 2 (60 in all)" in text(first)
    second = client.get(muster_url(office), {"page": 2})
    rows = body_rows(second)
    assert len(rows) == 10
    assert rows[0].startswith("CROWDABY, ") and rows[-1].startswith("CROWDACH, ")  # the 51st to 60th


def test_the_page_makes_the_same_number_of_queries_for_5_and_60_people(client, office, service_manager):
    client.force_login(service_manager)
    crowd(office, 5)
    client.get(muster_url(office))  # warm the session and first-use caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(muster_url(office)).status_code == 200
    crowd(office, 55, prefix="More")
    with CaptureQueriesContext(connection) as large:
        response = client.get(muster_url(office), {"flags": "ows", "sort": "end"})
    assert len(body_rows(response)) == 50
    assert len(small.captured_queries) == len(large.captured_queries), [
        query["sql"][:120] for query in large.captured_queries
    ]
    # The session, the user, their roles, their staff record and the office; the counts; the page with
    # its count; the officer choices; the audit rows of the search and of the people listed; the
    # menu's unread notification count (issue 14).
    assert len(large.captured_queries) <= 11
