"""Enforcement actions over the API, read-only: the same rules as the pages (whoever may see the
record, never the data share), filters by offender and status, audited lists, reads and refusals."""

import pytest
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from compliance.models import EnforcementStatus
from offenders.models import RestrictedAccess
from staff.roles import Role
from tests.compliance.helpers import action_at
from tests.factories import staff_user

pytestmark = pytest.mark.django_db
S = EnforcementStatus


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def actions(probation_officer, office):
    return {
        "considered": action_at(S.CONSIDERED, probation_officer, office),
        "warning": action_at(S.WARNING_PREPARED, probation_officer, office),
    }


def test_staff_who_may_see_the_records_list_them_filtered_by_offender_and_status(
    actions, probation_officer, service_manager, office, other_office
):
    for user in (probation_officer, service_manager, staff_user(Role.PRISON_OFFICER, office=other_office)):
        response = api(user).get("/api/v1/enforcement/")
        assert response.status_code == 200
        assert {row["id"] for row in response.json()["results"]} == {a.pk for a in actions.values()}, user

    warning = actions["warning"]
    by_status = api(probation_officer).get("/api/v1/enforcement/?status=warning_prepared").json()["results"]
    assert [row["id"] for row in by_status] == [warning.pk]
    assert by_status[0]["status"] == "warning_prepared" and by_status[0]["recommendation"] == "warning"
    by_offender = api(probation_officer).get(f"/api/v1/enforcement/?offender={warning.offender_id}")
    assert [row["id"] for row in by_offender.json()["results"]] == [warning.pk]
    assert AuditEvent.objects.filter(
        actor=probation_officer, action=AuditAction.SEARCH, offender_id=warning.offender_id
    ).exists()
    assert AuditEvent.objects.filter(
        actor=probation_officer, action=AuditAction.VIEW, offender_id=actions["considered"].offender_id
    ).exists()


def test_the_data_share_reads_none_and_anonymous_callers_are_refused(actions, data_share):
    action = actions["considered"]
    assert api(data_share).get("/api/v1/enforcement/").json()["results"] == []
    assert api(data_share).get(f"/api/v1/enforcement/{action.pk}/").status_code == 403
    assert AuditEvent.objects.filter(actor=data_share, action=AuditAction.DENIED).exists()
    assert api().get("/api/v1/enforcement/").status_code in (401, 403)


def test_a_read_is_audited_and_names_the_officer(actions, service_manager, probation_officer):
    action = actions["considered"]
    response = api(service_manager).get(f"/api/v1/enforcement/{action.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["officer_name"] == probation_officer.get_full_name()
    assert body["offender_prn"] == action.offender.prn and body["due_on"] == action.due_on.isoformat()
    assert AuditEvent.objects.filter(
        actor=service_manager, action=AuditAction.VIEW, offender_id=action.offender_id
    ).exists()


def test_a_restricted_record_is_left_out_for_those_not_on_its_list(actions, service_manager, office):
    action = actions["considered"]
    type(action.offender).objects.filter(pk=action.offender_id).update(restricted=True)
    RestrictedAccess.objects.create(
        offender_id=action.offender_id, user=service_manager, added_by=service_manager
    )
    outsider = staff_user(Role.PROBATION_OFFICER, office=office)

    listed = {row["id"] for row in api(outsider).get("/api/v1/enforcement/").json()["results"]}
    assert action.pk not in listed and actions["warning"].pk in listed
    assert api(outsider).get(f"/api/v1/enforcement/{action.pk}/").status_code in (403, 404)
    assert api(service_manager).get(f"/api/v1/enforcement/{action.pk}/").status_code == 200


def test_the_api_takes_no_step(actions, probation_officer):
    action = actions["considered"]
    assert api(probation_officer).post("/api/v1/enforcement/", {}, format="json").status_code == 405
    assert (
        api(probation_officer).patch(f"/api/v1/enforcement/{action.pk}/", {}, format="json").status_code
        == 405
    )
