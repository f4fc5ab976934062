"""The access matrix: every URL of the portal, for every role, allowed or refused.

The pages of the records apps are tabled in tests/web_records/test_access_matrix.py and the API's
endpoints are taken from its OpenAPI schema in tests/api/test_access_matrix.py; this module tables the
remaining pages and checks that no URL is left out of all three."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from allocation.models import CaseAllocation
from staff.roles import Role
from tests.factories import (
    AllocationFactory,
    CasenoteFactory,
    OffenderFactory,
    SentenceFactory,
    UserFactory,
    staff_user,
)
from tests.web_records.test_access_matrix import PAGES as RECORD_PAGES

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
RECORD_KEEPERS = frozenset({SM, AS, SA})  # at the offender's office; the officer only when allocated
PRISON_STAFF = frozenset({PR, RO, AO})

# (url name, {kwarg: object key}, roles allowed). Everyone here works at the offender's office and
# the probation officer is not allocated to the case (see the allocated-officer test below).
PAGES = [
    ("home", {}, EVERYONE),
    ("password_change", {}, EVERYONE),
    ("password_change_done", {}, EVERYONE),
    ("offenders:search", {}, EVERYONE),
    ("offenders:create", {}, RECORD_KEEPERS),
    # The data share sees the shared record here and in the search, and no other tab (docs/data-share.md).
    ("offenders:detail", {"pk": "offender"}, EVERYONE),
    ("offenders:sentences", {"pk": "offender"}, EVERYONE - {DS}),
    ("offenders:casenotes", {"pk": "offender"}, EVERYONE - {DS}),
    ("offenders:documents", {"pk": "offender"}, EVERYONE - {DS}),
    ("offenders:staff", {"pk": "offender"}, EVERYONE - {DS}),
    ("offenders:programmes", {"pk": "offender"}, EVERYONE - {DS}),
    ("offenders:timeline", {"pk": "offender"}, EVERYONE - {DS}),
    ("offenders:edit", {"pk": "offender"}, RECORD_KEEPERS),
    ("offenders:alias_add", {"pk": "offender"}, RECORD_KEEPERS),
    ("offenders:address_add", {"pk": "offender"}, RECORD_KEEPERS),
    ("offenders:identifier_add", {"pk": "offender"}, RECORD_KEEPERS),
    ("offenders:flag_raise", {"pk": "offender"}, RECORD_KEEPERS),
    ("offenders:flag_end", {"pk": "offender", "flag_pk": "flag"}, RECORD_KEEPERS),
    # Need-to-know (issue 11); the pages of a restricted record: tests/offenders/test_restricted_pages.py.
    ("offenders:restrict", {"pk": "offender"}, {SM, SA}),
    ("offenders:break_glass_report", {}, {SM, SA}),
    ("offenders:break_glass_report_csv", {}, {SM, SA}),
    ("casenotes:create", {"offender_pk": "offender"}, RECORD_KEEPERS | PRISON_STAFF),
    ("casenotes:detail", {"pk": "casenote"}, EVERYONE - {DS}),
    ("casenotes:amend", {"pk": "casenote"}, {SM, SA}),
    ("audit:offender_history", {"offender_pk": "offender"}, {SM, SA}),
    ("muster:office", {"office_pk": "office"}, {PO, SM, AS, SA}),
    ("muster:print", {"office_pk": "office"}, {PO, SM, AS, SA}),
    ("muster:export_csv", {"office_pk": "office"}, {PO, SM, AS, SA}),
    ("muster:export_xlsx", {"office_pk": "office"}, {PO, SM, AS, SA}),
    ("api-docs", {}, EVERYONE),
    ("signin:otp_setup", {}, EVERYONE),
    ("signin:otp_reset", {"user_pk": "colleague"}, {SA}),
    ("api-schema", {}, EVERYONE),
]
# Pages that must answer without a login, and nothing else.
PUBLIC = {"login", "logout", "signin:session"}  # the idle warning's endpoint answers "signed out" itself


@pytest.fixture
def objects(office):
    from offenders.models import FlagKind
    from offenders.services import flag_raise

    offender = OffenderFactory(home_office=office)
    SentenceFactory(offender=offender)
    author = staff_user(AS, office=office)
    return {
        "office": office,
        "offender": offender,
        "flag": flag_raise(actor=author, offender=offender, kind=FlagKind.GANG, reason="Patched member"),
        "casenote": CasenoteFactory(offender=offender, author=author),
        "colleague": author,
    }


def _url(name, kwargs, objects):
    return reverse(name, kwargs={key: objects[value].pk for key, value in kwargs.items()})


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_is_allowed_or_refused_each_page(client, office, objects, role):
    client.force_login(staff_user(role, office=office))
    outcomes = {name: client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in PAGES}
    expected = {name: 200 if role in allowed else 403 for name, _, allowed in PAGES}
    assert outcomes == expected


def test_a_user_without_a_role_sees_only_their_home_page(client, objects):
    client.force_login(UserFactory())
    outcomes = {name: client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in PAGES}
    allowed_without_role = {
        "home",
        "password_change",
        "password_change_done",
        "api-docs",
        "api-schema",
        "signin:otp_setup",
    }
    # (a role-less user is refused the muster list: listed below with the rest)
    assert {name for name, status in outcomes.items() if status == 200} == allowed_without_role
    assert {status for name, status in outcomes.items() if name not in allowed_without_role} == {403}


def test_staff_of_another_office_may_read_but_not_keep_the_record(client, other_office, objects):
    for role in (SM, AS):
        client.force_login(staff_user(role, office=other_office))
        assert client.get(_url("offenders:detail", {"pk": "offender"}, objects)).status_code == 200
        assert client.get(_url("offenders:edit", {"pk": "offender"}, objects)).status_code == 403
        assert (
            client.get(_url("audit:offender_history", {"offender_pk": "offender"}, objects)).status_code
            in {403}
            or role == AS
        )


def test_the_allocated_probation_officer_keeps_the_record(client, office, objects):
    officer = staff_user(PO, office=office)
    AllocationFactory(offender=objects["offender"], staff=officer.staff)
    assert CaseAllocation.objects.current().filter(staff=officer.staff).count() == 1
    client.force_login(officer)
    for name in ("offenders:edit", "offenders:alias_add", "offenders:flag_raise", "casenotes:create"):
        kwargs = {"pk": "offender"} if name.startswith("offenders") else {"offender_pk": "offender"}
        assert client.get(_url(name, kwargs, objects)).status_code == 200, name
    assert client.get(_url("audit:offender_history", {"offender_pk": "offender"}, objects)).status_code == 403


def _named_urls():
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(part for part in (namespace, pattern.namespace) if part) or None
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                yield f"{namespace}:{pattern.name}" if namespace else (pattern.name or str(pattern.pattern))

    return set(walk(get_resolver().url_patterns))


def test_every_url_is_in_an_access_matrix():
    from tests.allocation_web.test_access_matrix import ALLOCATION_PAGES
    from tests.allocation_web.test_recall_page import RECALL_PAGES
    from tests.api.test_access_matrix import ENDPOINTS
    from tests.appointments.test_pages import APPOINTMENT_PAGES
    from tests.classification.test_instrument_pages import INSTRUMENT_PAGES
    from tests.classification.test_output_pages import OUTPUT_PAGES
    from tests.classification.test_prison_records_pages import PRISON_RECORD_PAGES
    from tests.classification.test_review_pages import REVIEW_PAGES
    from tests.classification.test_schedule_pages import SCHEDULE_PAGES
    from tests.compliance.test_pages import COMPLIANCE_PAGES
    from tests.conditions.test_pages import CONDITION_PAGES
    from tests.courts.test_access import COURT_PAGES
    from tests.datashare.test_pages import DATASHARE_PAGES
    from tests.documents.test_report_pages import REPORT_PAGES
    from tests.inbox.test_pages import INBOX_PAGES
    from tests.offenders.test_restricted_pages import RESTRICTED_PAGES
    from tests.plans.test_pages import PLAN_PAGES
    from tests.reconciliation.test_pages import GET_PAGES as EXCEPTION_PAGES
    from tests.reconciliation.test_pages import POST_STEPS as EXCEPTION_STEPS
    from tests.sentences.test_custody import CUSTODY_PAGES

    api_names = {name for name in _named_urls() if not name.count(":") and "-" in name}
    tabled = (
        {name for name, _, _ in PAGES}
        | {name for name, _, _ in RECORD_PAGES}
        | {name for name, _ in EXCEPTION_PAGES}
        | {name for name, _ in EXCEPTION_STEPS}
        | {name for name, *_ in COURT_PAGES}
        | {name for name, *_ in ALLOCATION_PAGES}
        | {name for name, *_ in REVIEW_PAGES}
        | {name for name, *_ in PRISON_RECORD_PAGES}
        | {name for name, *_ in OUTPUT_PAGES}
        | {name for name, *_ in INSTRUMENT_PAGES}
        | {name for name, *_ in SCHEDULE_PAGES}
        | {name for name, *_ in DATASHARE_PAGES}
        | {name for name, *_ in REPORT_PAGES}
        | {name for name, *_ in INBOX_PAGES}
        | {name for name, *_ in PLAN_PAGES}
        | {name for name, *_ in CONDITION_PAGES}
        | {name for name, *_ in APPOINTMENT_PAGES}
        | {name for name, *_ in COMPLIANCE_PAGES}
        | {name for name, *_ in RECALL_PAGES}
        | {name for name, *_ in RESTRICTED_PAGES}
        | {name for name, *_ in CUSTODY_PAGES}
        | {"muster:mine"}  # a redirect to the user's own office: tests/muster/test_views.py, every role
        | {"signin:otp_verify"}  # the code step after the password: tests/signin/test_second_factor.py
        | PUBLIC
    )
    missing = _named_urls() - tabled - api_names - {"api-root"}
    assert not missing, f"URLs with no row in an access matrix: {sorted(missing)}"
    assert len(ENDPOINTS) > 40, "the API matrix takes every endpoint from the schema"


def test_an_anonymous_visitor_is_sent_to_log_in_from_every_page(client, objects):
    for name, kwargs, _ in PAGES + [(n, k, a) for n, k, a in RECORD_PAGES if not k]:
        if name == "api-schema":
            assert client.get(_url(name, kwargs, objects)).status_code in {401, 403}
            continue
        response = client.get(_url(name, kwargs, objects))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


def test_the_admin_is_for_system_administrators_only(client, office):
    for role in EVERYONE - {SA}:
        user = staff_user(role, office=office, is_staff=True)
        client.force_login(user)
        assert client.get("/admin/").status_code == 302, role  # sent to the admin's own login
    admin = staff_user(SA, office=office, is_staff=True)
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert b"Offences" in response.content
    assert client.get("/admin/sentences/offence/").status_code == 200
    assert client.get("/admin/audit/auditevent/").status_code == 200
