"""/api/v1/conditions/: listed per offender, added, varied with a reason, ended, hours recorded; the
same rules as the pages, reads and refusals audited."""

import pytest

from audit.models import AuditAction, AuditEvent
from conditions import services
from conditions.models import Condition, ConditionKind, ConditionStatus
from tests.conditions.conftest import today

pytestmark = pytest.mark.django_db


def test_an_officer_on_the_case_adds_varies_and_ends_a_condition(api, officer, offender, sentence):
    client = api(officer)
    response = client.post(
        "/api/v1/conditions/",
        {"sentence": sentence.pk, "kind": "non_association", "associates": "Hemi Walker"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["summary"] == "Not associate with Hemi Walker" and body["source"] == "staff"
    pk = body["id"]
    response = client.patch(
        f"/api/v1/conditions/{pk}/", {"associates": "Hemi and Rawiri Walker"}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()
    response = client.patch(
        f"/api/v1/conditions/{pk}/",
        {"associates": "Hemi and Rawiri Walker", "reason": "Court varied"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("varied", 2)
    response = client.post(
        f"/api/v1/conditions/{pk}/end/",
        {"ended_on": today().isoformat(), "reason": "Discharged"},
        format="json",
    )
    assert response.json()["status"] == ConditionStatus.ENDED
    listed = client.get(f"/api/v1/conditions/?offender={offender.pk}").json()["results"]
    assert [item["id"] for item in listed] == [pk]
    assert AuditEvent.objects.filter(
        action=AuditAction.SEARCH, offender_id=offender.pk, actor=officer
    ).exists()


def test_bad_details_are_refused_field_by_field(api, officer, sentence):
    response = api(officer).post(
        "/api/v1/conditions/",
        {"sentence": sentence.pk, "kind": "curfew", "curfew_from": "19:00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["curfew_until"] == ["Give the time the curfew ends each day."]
    assert not Condition.objects.exists()


def test_hours_remaining_over_the_api(api, officer, work_sentence):
    condition = services.condition_create(
        actor=officer, sentence=work_sentence, kind=ConditionKind.COMMUNITY_WORK, hours_ordered=40
    )
    response = api(officer).post(
        f"/api/v1/conditions/{condition.pk}/hours/",
        {"worked_on": today().isoformat(), "hours": "6"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["hours_worked"], response.json()["hours_remaining"]) == ("6.00", 34.0)


def test_a_list_without_an_offender_leaves_out_restricted_records(api, probation_officer, officer, sentence):
    from offenders.models import Offender

    services.condition_create(actor=officer, sentence=sentence, kind=ConditionKind.REPORT)
    assert len(api(probation_officer).get("/api/v1/conditions/").json()["results"]) == 1
    Offender.objects.filter(pk=sentence.offender_id).update(restricted=True)
    assert api(probation_officer).get("/api/v1/conditions/").json()["results"] == []


def test_others_may_read_but_not_change_and_the_refusal_is_audited(
    api, probation_officer, officer, offender, sentence
):
    condition = services.condition_create(actor=officer, sentence=sentence, kind=ConditionKind.REPORT)
    client = api(probation_officer)  # same office, not on the case
    assert client.get(f"/api/v1/conditions/{condition.pk}/").status_code == 200
    response = client.patch(
        f"/api/v1/conditions/{condition.pk}/", {"details": "x", "reason": "y"}, format="json"
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, actor=probation_officer, offender_id=offender.pk
    ).exists()
    condition.refresh_from_db()
    assert condition.version == 1


def test_the_data_share_reads_no_conditions(api, data_share, offender):
    response = api(data_share).get(f"/api/v1/conditions/?offender={offender.pk}")
    assert response.status_code == 403
