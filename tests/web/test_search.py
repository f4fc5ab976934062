"""Offender search: results, audit of every search, errors, and a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditAction, AuditEvent
from tests.factories import AliasFactory, OffenderFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_name_search_lists_ranked_matches_and_is_audited(client, probation_officer, office):
    smith = OffenderFactory(
        prn="11112222",
        family_name="Smith",
        given_names="John",
        date_of_birth=datetime.date(1985, 3, 9),
        home_office=office,
    )
    smyth = OffenderFactory(family_name="Smyth", given_names="Jon")
    OffenderFactory(family_name="Brown", given_names="John")
    client.force_login(probation_officer)
    page = client.get("/offenders/", {"q": "Smith, John"}).content.decode()
    assert "2 matches" in page
    assert page.index("SMITH, John") < page.index("SMYTH, Jon")
    assert "11112222" in page and "9 Mar 1985" in page and office.name in page
    assert "BROWN" not in page
    assert f'href="/offenders/{smith.pk}/"' in page and f'href="/offenders/{smyth.pk}/"' in page
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.actor == probation_officer
    assert event.query == "text=Smith, John"
    assert event.summary == "Searched offenders"


def test_given_name_first_finds_the_same_person(client, probation_officer):
    OffenderFactory(family_name="Smith", given_names="John")
    client.force_login(probation_officer)
    assert "SMITH, John" in client.get("/offenders/", {"q": "John Smith"}).content.decode()


def test_alias_matches_say_which_alias(client, probation_officer):
    offender = OffenderFactory(family_name="Ngata", given_names="Hone")
    AliasFactory(offender=offender, family_name="Walker", given_names="John")
    client.force_login(probation_officer)
    page = client.get("/offenders/", {"q": "Walker"}).content.decode()
    assert "NGATA, Hone" in page
    assert "alias Walker, John" in page


def test_exact_prn_goes_straight_to_the_record(client, probation_officer):
    offender = OffenderFactory(prn="87654321")
    client.force_login(probation_officer)
    response = client.get("/offenders/", {"q": "87654321"}, follow=True)
    assert response.redirect_chain == [(f"/offenders/{offender.pk}/", 302)]
    assert AuditEvent.objects.get(action=AuditAction.SEARCH).query == "text=87654321"
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, offender=offender).count() == 1


def test_date_of_birth_and_office_narrow_and_are_audited(client, probation_officer, office, other_office):
    born = datetime.date(1979, 12, 1)
    OffenderFactory(family_name="Smith", given_names="Ann", date_of_birth=born, home_office=office)
    OffenderFactory(family_name="Smith", given_names="Bea", date_of_birth=born, home_office=other_office)
    OffenderFactory(
        family_name="Smith", given_names="Cat", date_of_birth=datetime.date(1980, 1, 1), home_office=office
    )
    client.force_login(probation_officer)
    page = client.get(
        "/offenders/", {"q": "Smith", "date_of_birth": "1979-12-01", "office": office.pk}
    ).content.decode()
    assert "SMITH, Ann" in page
    assert "SMITH, Bea" not in page and "SMITH, Cat" not in page
    assert AuditEvent.objects.get(action=AuditAction.SEARCH).query == (
        f"date_of_birth=1979-12-01&office={office.code}&text=Smith"
    )


def test_empty_search_shows_an_error_and_is_not_run(client, probation_officer):
    client.force_login(probation_officer)
    page = client.get("/offenders/", {"q": "  ", "date_of_birth": ""}).content.decode()
    assert "There is a problem" in page
    assert "Enter a PRN or a name, or a date of birth." in page
    assert "<caption>Offenders matching" not in page
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def test_invalid_date_of_birth_is_shown_next_to_the_field(client, probation_officer):
    client.force_login(probation_officer)
    page = client.get("/offenders/", {"q": "Smith", "date_of_birth": "31/02/1990"}).content.decode()
    assert 'id="id_date_of_birth_error"' in page
    assert 'aria-invalid="true"' in page
    assert "Enter a valid date." in page
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def test_opening_the_search_page_is_not_a_search(client, probation_officer):
    client.force_login(probation_officer)
    page = client.get("/offenders/").content.decode()
    assert '<label class="field__label" for="id_q">PRN or name' in page
    assert "There is a problem" not in page
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def test_no_matches_says_so(client, probation_officer):
    client.force_login(probation_officer)
    page = client.get("/offenders/", {"q": "Zzyzx"}).content.decode()
    assert "0 matches" in page and "No offenders match" in page
    assert "search by PRN, part of a PRN, or another identifier" in page
    assert "remove the date of birth" not in page
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH, query="text=Zzyzx").exists()


def test_no_matches_with_a_date_of_birth_suggests_removing_it(client, probation_officer):
    client.force_login(probation_officer)
    page = client.get("/offenders/", {"q": "Zzyzx", "date_of_birth": "1980-01-02"}).content.decode()
    assert "remove the date of birth: the record may hold another date" in page


def test_a_user_without_a_role_may_not_search(client):
    client.force_login(UserFactory())
    assert client.get("/offenders/", {"q": "Smith"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def _add_parata_offenders(count: int, office) -> None:
    for _ in range(count):
        offender = OffenderFactory(family_name="Parata", home_office=office)
        AliasFactory(offender=offender, family_name="Paratta")


def _queries_for_search(client, expected_rows: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/offenders/", {"q": "Parata"})
    assert response.content.decode().count("PARATA, ") == expected_rows
    return len(queries)


def test_search_results_cost_the_same_number_of_queries_for_5_or_50_rows(client, probation_officer, office):
    client.force_login(probation_officer)
    _add_parata_offenders(5, office)
    few = _queries_for_search(client, 5)
    _add_parata_offenders(45, office)
    many = _queries_for_search(client, 50)
    assert few == many
