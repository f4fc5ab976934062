"""Every refusal is audited once, naming the user, the method, the path and the reason, and the row
outlives the refused request's own transaction (audit/refusals.py; issue 11)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client
from django.urls import include, path, reverse
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from staff.roles import Role
from tests.factories import OffenderFactory, staff_user

pytestmark = pytest.mark.django_db


def refusals():
    return list(AuditEvent.objects.filter(action=AuditAction.DENIED))


@pytest.fixture
def offender(office):
    return OffenderFactory(family_name="Tamihana", given_names="Wiremu", home_office=office)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_a_refused_patch_through_the_api_writes_one_refusal_naming_user_and_path(office, offender):
    officer = staff_user(Role.PROBATION_OFFICER, office=office, username="po")  # not allocated to the case
    url = f"/api/v1/offenders/{offender.pk}/"

    response = api_as(officer).patch(url, {"phone": "021 555 0100"}, format="json")

    assert response.status_code == 403
    (refusal,) = refusals()
    assert (refusal.actor, refusal.actor_label) == (officer, "po")
    assert refusal.summary == f"Refused PATCH {url}: You may not change this offender's record."
    assert refusal.offender_id == offender.pk, "filed under the record refused"
    assert refusal.channel == "api"
    offender.refresh_from_db()
    assert offender.phone != "021 555 0100"


def test_a_refused_read_of_the_audit_trail_writes_one_refusal(office):
    manager = staff_user(Role.SERVICE_MANAGER, office=office, username="sm")

    assert api_as(manager).get("/api/v1/audit-events/", {"actor": "po"}).status_code == 403

    (refusal,) = refusals()
    assert refusal.actor == manager
    assert refusal.summary == (
        "Refused GET /api/v1/audit-events/: Only system administrators may read the audit trail."
    )


def test_a_refused_page_writes_one_refusal_under_the_offenders_history(client, office, offender):
    clerk = staff_user(Role.DATA_SHARE, office=office, username="ds")
    client.force_login(clerk)
    url = reverse("offenders:sentences", args=[offender.pk])

    assert client.get(url).status_code == 403

    (refusal,) = refusals()
    assert refusal.actor == clerk
    assert refusal.summary == f"Refused GET {url}: You may not see the sentences of this record."
    assert refusal.offender_id == offender.pk
    assert refusal.channel == "web"


def test_a_page_refused_by_an_access_gate_names_the_gates_reason(client, other_office, offender):
    manager = staff_user(Role.SERVICE_MANAGER, office=other_office)
    client.force_login(manager)
    url = reverse("offenders:edit", args=[offender.pk])

    assert client.get(url).status_code == 403

    (refusal,) = refusals()
    assert refusal.summary == f"Refused GET {url}: You may not change this offender's record."
    assert refusal.offender_id == offender.pk


def test_a_failed_csrf_check_is_a_refusal_too(office):
    clerk = staff_user(Role.ADMIN_SUPPORT, office=office)
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)

    response = client.post(reverse("offenders:create"), {"family_name": "Smith"})

    assert response.status_code == 403
    (refusal,) = refusals()
    assert refusal.actor == clerk
    assert refusal.summary.startswith("Refused POST /offenders/new/: CSRF verification failed: ")


def test_an_anonymous_request_writes_no_refusal(client):
    assert APIClient().get("/api/v1/audit-events/").status_code == 403
    assert client.get("/").status_code == 302
    assert refusals() == []


def test_an_allowed_request_writes_no_refusal(office):
    admin = staff_user(Role.SYSTEM_ADMIN, office=office)
    assert api_as(admin).get("/api/v1/audit-events/").status_code == 200
    assert refusals() == []


# --- a refusal inside the request's own transaction -------------------------------------------------


@transaction.atomic
def refuse_after_a_change(request):
    audit_record(actor=request.user, action=AuditAction.UPDATE, summary="a change the refusal undoes")
    raise PermissionDenied("Refused half way through.")


urlpatterns = [path("half-way/", refuse_after_a_change), path("", include("ioms.urls"))]


@pytest.mark.urls("tests.audit.test_refusals")
def test_the_refusal_outlives_the_rollback_of_the_refused_request(client, office):
    clerk = staff_user(Role.ADMIN_SUPPORT, office=office)
    client.force_login(clerk)

    assert client.post("/half-way/").status_code == 403

    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists(), "the change was rolled back"
    (refusal,) = refusals()
    assert refusal.summary == "Refused POST /half-way/: Refused half way through."
