"""Every endpoint, taken from the OpenAPI schema so that a new endpoint joins these checks by itself:
anonymous callers are refused, the data share writes nothing, and nothing is ever deleted."""

import base64
import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote
from conditions.services import condition_create
from documents.services import document_create
from offenders.models import FlagKind
from offenders.services import flag_raise
from plans.services import plan_create
from staff.access import staff_of
from tests.factories import (
    AllocationFactory,
    CasenoteFactory,
    ChargeFactory,
    DocumentTemplateFactory,
    OffenceFactory,
    ProgrammeFactory,
    ReferralFactory,
    TeamFactory,
)

PATH_PARAMETER = re.compile(r"{(\w+)}")


def endpoints() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "patch", "put", "delete"}
    ]


ENDPOINTS = endpoints()


@pytest.fixture
def records(service_manager, probation_officer, offender, sentence, office):
    """One record behind every `{id}` in the schema's paths, keyed by the path's first segment."""
    template = DocumentTemplateFactory()
    document = document_create(actor=service_manager, offender=offender, template=template)
    flag = flag_raise(actor=service_manager, offender=offender, kind=FlagKind.GANG, reason="Gang")
    return {
        "offenders": offender.pk,
        "sentences": sentence.pk,
        "custody": offender.pk,
        "charges": ChargeFactory(offender=offender).pk,
        "offences": OffenceFactory().pk,
        "casenotes": CasenoteFactory(offender=offender).pk,
        "documents": document.pk,
        "agencies": ProgrammeFactory().agency_id,
        "programmes": ProgrammeFactory().pk,
        "referrals": ReferralFactory(offender=offender).pk,
        "staff": staff_of(probation_officer).pk,
        "offices": office.pk,
        "teams": TeamFactory(office=office).pk,
        "allocations": AllocationFactory(offender=offender, staff=staff_of(probation_officer)).pk,
        "audit-events": AuditEvent.objects.first().pk,
        "flag_id": flag.pk,
        "sentence-plans": plan_create(actor=service_manager, sentence=sentence).pk,
        "conditions": condition_create(actor=service_manager, sentence=sentence, kind="report").pk,
        "appointments": an_appointment(service_manager, probation_officer, offender, office).pk,
        "enforcement": an_enforcement_action(probation_officer, office).pk,
        **classification_records(),
    }


def an_appointment(actor, officer, offender, office):
    """An appointment an hour ago (tests/appointments/test_api.py)."""
    import datetime

    from django.utils import timezone

    from appointments.services import appointment_create

    starts_at = timezone.now() - datetime.timedelta(hours=1)
    return appointment_create(
        actor=actor,
        offender=offender,
        officer=staff_of(officer),
        office=office,
        kind="office_visit",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1),
    )


def an_enforcement_action(officer, office):
    """An action being considered for a failure to attend (tests/compliance/test_api.py)."""
    from tests.compliance.helpers import action_at

    return action_at("considered", officer, office)


def classification_records() -> dict:
    """A review to read and the version-1 instrument (tests/classification/test_api.py)."""
    from staff.models import OfficeKind
    from tests.classification.test_api import classified_prisoner, review_of
    from tests.factories import OfficeFactory

    prison = OfficeFactory(kind=OfficeKind.PRISON)
    review = review_of(classified_prisoner(prison), prison)
    return {"classification/reviews": review.pk, "classification/instruments": review.instrument.version}


def url_for(path: str, records: dict) -> str:
    resource = path.removeprefix("/api/v1/").split("/")[0]

    def fill(match):
        name = match.group(1)
        if name == "flag_id":
            return str(records["flag_id"])
        # A resource under a prefix ("classification/reviews") has its own record.
        prefix = path[: match.start()].removeprefix("/api/v1/").strip("/")
        return str(records.get(prefix, records.get(resource)))

    return PATH_PARAMETER.sub(fill, path)


def call(client, method: str, url: str):
    return getattr(client, method.lower())(url, {}, format="json")


def test_the_schema_lists_an_endpoint_for_every_record():
    paths = {path for _, path in ENDPOINTS}
    for resource in [
        "offenders",
        "offences",
        "charges",
        "sentences",
        "casenotes",
        "documents",
        "agencies",
        "programmes",
        "referrals",
        "staff",
        "offices",
        "teams",
        "allocations",
        "audit-events",
        "classification/instrument",
        "classification/instruments",
        "classification/reviews",
        "sentence-plans",
        "conditions",
        "appointments",
        "enforcement",
    ]:
        assert f"/api/v1/{resource}/" in paths


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_callers_are_refused(api, records, method, path):
    response = call(api(), method, url_for(path, records))

    assert response.status_code in (401, 403)
    assert "results" not in response.json()


# The court endpoint takes no user at all (its own credential: tests/courts/test_endpoint.py).
WRITES = [
    (method, path)
    for method, path in ENDPOINTS
    if method in {"POST", "PATCH"} and path != "/api/v1/court-messages/"
]


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_the_data_share_may_not_write(api, data_share, records, method, path):
    writes_before = AuditEvent.objects.filter(action__in=[AuditAction.CREATE, AuditAction.UPDATE]).count()

    response = call(api(data_share), method, url_for(path, records))

    assert response.status_code == 403
    assert response.json()["detail"] == "This account is read-only: it may not change records."
    assert (
        AuditEvent.objects.filter(action__in=[AuditAction.CREATE, AuditAction.UPDATE]).count()
        == writes_before
    )


def test_the_data_share_is_refused_even_a_valid_write(api, data_share, offender):
    response = api(data_share).post(
        "/api/v1/casenotes/", {"offender": offender.pk, "summary": "S", "text": "T"}, format="json"
    )

    assert response.status_code == 403
    assert not Casenote.objects.exists()


DETAIL_PATHS = sorted({path for method, path in ENDPOINTS if path.endswith("{id}/")})


@pytest.mark.parametrize("path", DETAIL_PATHS)
@pytest.mark.parametrize("method", ["DELETE", "PUT"])
def test_nothing_is_deleted_or_replaced(api, system_admin, records, path, method):
    response = call(api(system_admin), method, url_for(path, records))

    assert response.status_code == 405


def test_no_endpoint_offers_delete_or_put():
    assert [(method, path) for method, path in ENDPOINTS if method in {"DELETE", "PUT"}] == []


def test_http_basic_authentication_is_refused(api, offender):
    """Passwords are only accepted by the audited login page, never per request."""
    from tests.factories import UserFactory

    UserFactory(username="reporting", roles=["data_share"])
    token = base64.b64encode(b"reporting:correct-horse-battery").decode()

    response = api().get("/api/v1/offenders/", HTTP_AUTHORIZATION=f"Basic {token}")

    assert response.status_code in {401, 403}
    assert "results" not in response.json()


def test_a_casenote_list_files_a_view_under_each_offender_it_shows(api, service_manager, offender):
    from tests.factories import CasenoteFactory, OffenderFactory

    other = OffenderFactory(home_office=offender.home_office)
    CasenoteFactory(offender=offender)
    CasenoteFactory(offender=other)

    response = api(service_manager).get("/api/v1/casenotes/")

    assert response.status_code == 200
    viewed = set(
        AuditEvent.objects.filter(actor=service_manager, action=AuditAction.VIEW).values_list(
            "offender_id", flat=True
        )
    )
    assert {offender.pk, other.pk} <= viewed


def test_a_huge_offender_filter_is_a_clear_error_not_a_crash(api, service_manager, offender):
    response = api(service_manager).get("/api/v1/casenotes/?offender=99999999999999999999")
    assert response.status_code in {200, 400}
