"""The portal's own 404 and 500 pages, with DEBUG on (`make run`) as with it off (ioms/error_pages.py)."""

import logging

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DJANGO_URL_DUMP = "Using the URLconf defined in"
DJANGO_TRACEBACK = "Traceback"


@pytest.fixture(params=[True, False], ids=["debug on", "debug off"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory(username="norole", first_name="Aroha", last_name="Ngata"))
    return client


def test_an_unknown_address_answers_404_with_the_portals_page(debug, signed_in):
    response = signed_in.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in page
    assert "Aroha Ngata" in page  # the portal's header, with who is signed in
    assert DJANGO_URL_DUMP not in page


def test_an_unknown_address_answers_404_before_sign_in_too(debug, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


def test_a_record_that_does_not_exist_answers_with_the_portals_404_page(debug, client, probation_officer):
    client.force_login(probation_officer)
    response = client.get("/offenders/999999/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()
    assert "No Offender matches the given query" not in response.content.decode()


def test_an_unknown_api_address_still_answers_json(debug, signed_in):
    response = signed_in.get("/api/v1/no-such-list/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_address_missing_its_final_slash_is_still_redirected(debug, signed_in):
    response = signed_in.get("/offenders")
    assert response.status_code == 301
    assert response["Location"] == "/offenders/"


def test_developers_may_ask_for_djangos_technical_404_page(settings, signed_in):
    settings.DEBUG = True
    settings.IOMS_DEBUG_TECHNICAL_PAGES = True
    response = signed_in.get("/no-such-page/")
    assert response.status_code == 404
    assert DJANGO_URL_DUMP in response.content.decode()


@pytest.mark.urls("tests.ioms.error_urls")
def test_an_error_answers_500_with_the_portals_page_and_logs_the_traceback(debug, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/broken/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert DJANGO_TRACEBACK not in page and "OperationalError" not in page
    logged = [record for record in caplog.records if record.name == "django.request"]
    assert logged and logged[0].exc_info[0].__name__ == "OperationalError"


def test_the_500_page_needs_no_database_and_no_request_context(django_assert_num_queries):
    """It is rendered when something failed, perhaps the database itself: no query, no context."""
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "<title>Sorry, there is a problem with the service — IOMS</title>" in page
    assert 'href="/"' in page
