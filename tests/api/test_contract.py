"""The API keeps its published contract (issue 11): schemathesis generates requests for every
operation of the drf-spectacular schema, in process, and checks that none answers 5xx, that every
status code is documented for its operation and that every body matches the schema.

Bounded and deterministic: a fixed seed, Hypothesis derandomized, no example database, a few
examples per operation; the coverage phase (hundreds of edge cases per operation) is left to a
manual `schemathesis` run. Each operation runs in the test's transaction, so what its requests
write is rolled back."""

import re

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.test import Client
from django.test.client import ClientHandler
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from courts.credentials import court_credential_issue
from staff.roles import Role
from tests.factories import (
    AgencyFactory,
    CasenoteFactory,
    OffenderFactory,
    ProgrammeFactory,
    ReferralFactory,
    SentenceFactory,
    TeamFactory,
    staff_user,
)

EXAMPLES_PER_OPERATION = 5
CONFIG = {
    "seed": 20261106,
    "generation": {
        "max-examples": EXAMPLES_PER_OPERATION,
        "deterministic": True,
        "database": "none",
        "no-shrink": True,
    },
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
}
COURT_PATH = "/api/v1/court-messages/"


def _not_a_server_error(ctx, response, case):
    if response.status_code >= 500:
        raise AssertionError(f"{case.method} {case.formatted_path} answered {response.status_code}")


CHECKS = [_not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _wsgi_app():
    """The portal as Django's test client runs it: the request shares the test's database
    connection (and so its transaction), and CSRF is not enforced (the session is forced)."""
    handler = ClientHandler(enforce_csrf_checks=False)

    def app(environ, start_response):
        response = handler(environ)
        headers = [*response.items()]
        headers += [("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return response.streaming_content if response.streaming else [response.content]

    return app


@pytest.fixture
def records(db, office):
    """A little of everything, so that lists and details answer with bodies to check: a blank
    e-mail address, optional choices left blank."""
    team = TeamFactory(office=office)
    officer = staff_user(Role.PROBATION_OFFICER, office=office, email="")
    officer.staff.team = team
    officer.staff.save(update_fields=["team"])
    offender = OffenderFactory(home_office=office)
    sentence = SentenceFactory(offender=offender)
    CasenoteFactory(offender=offender, author=officer)
    ReferralFactory(offender=offender, sentence=sentence, programme=ProgrammeFactory(agency=AgencyFactory()))
    return offender


@pytest.fixture
def credentials(db, records, role_user):
    admin = role_user(Role.SYSTEM_ADMIN, username="contract.admin", email="")
    browser = Client()
    browser.force_login(admin)
    _, token = court_credential_issue(name="contract-cms")
    return {"session": browser.cookies[django_settings.SESSION_COOKIE_NAME].value, "court": token}


# Built when the module is collected (in process, no network): eager parametrisation gives each
# operation a test of its own, in its own transaction. (schemathesis.pytest.from_fixture's lazy
# tests do not run under pytest 9.)
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=schemathesis.Config.from_dict(CONFIG)
)
schema.app = _wsgi_app()


@schema.parametrize()
# The fixtures are the test's records and sessions, the same for every example of an operation.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_every_operation_keeps_the_published_contract(case, credentials):
    if case.path == COURT_PATH:
        response = case.call(headers={"Authorization": f"Bearer {credentials['court']}"})
    else:
        response = case.call(cookies={django_settings.SESSION_COOKIE_NAME: credentials["session"]})
    case.validate_response(response, checks=CHECKS)


UNSAFE_METHODS = ("post", "put", "patch", "delete")


def test_a_method_an_address_does_not_offer_answers_405(client, records, role_user):
    """The methods the schema leaves out of a path are refused as such (405 with Allow), not
    answered 404 or 500; `1` stands for every identifier (DRF refuses the method before it looks
    anything up). The courts' and the data share's endpoints refuse a session first (401)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    client.force_login(role_user(Role.SYSTEM_ADMIN, username="contract.methods"))
    checked = 0
    for path, operations in document["paths"].items():
        address = re.sub(r"\{[^}]+\}", "1", path)
        for method in UNSAFE_METHODS:
            if method in operations:
                continue
            response = getattr(client, method)(address, content_type="application/json")
            if path.startswith(("/api/v1/share/", COURT_PATH)):
                assert response.status_code == 401, (method, address)
                continue
            assert response.status_code == 405, (method, address, response.status_code)
            assert response["Allow"], (method, address)
            checked += 1
    assert checked > 50
