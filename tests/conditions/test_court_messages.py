"""Conditions delivered by the courts' message (docs/court-interface.md, "Conditions")."""

import datetime

import pytest

from conditions.models import Condition, ConditionKind, ConditionSource
from courts.models import CourtMessage, MessageStatus
from sentences.models import Sentence
from tests.courts.conftest import days_ago, deliver, imposed

pytestmark = pytest.mark.django_db


def test_a_sentence_arrives_with_its_structured_conditions(reference_data):
    message = deliver(
        imposed(
            conditions=[
                "Not to enter licensed premises",
                {
                    "kind": "curfew",
                    "curfew_from": "19:00",
                    "curfew_until": "07:00",
                    "address": "12 Rata Street",
                },
                {"kind": "non_association", "associates": "Hemi Walker", "end_on": days_ago(-100)},
                {"kind": "assessment", "substance": "alcohol_and_drugs"},
            ]
        )
    )
    assert message.status == MessageStatus.PROCESSED, message.status_reason
    sentence = message.sentence
    assert sentence.conditions == "Not to enter licensed premises"
    conditions = list(Condition.objects.filter(sentence=sentence).order_by("id"))
    assert [c.kind for c in conditions] == [
        ConditionKind.CURFEW,
        ConditionKind.NON_ASSOCIATION,
        ConditionKind.ASSESSMENT,
    ]
    curfew = conditions[0]
    assert (curfew.curfew_from, curfew.curfew_until) == (datetime.time(19), datetime.time(7))
    assert curfew.start_on == sentence.start_date and curfew.source == ConditionSource.COURT
    assert conditions[1].end_on.isoformat() == days_ago(-100)
    assert "Conditions recorded: Curfew at 12 Rata Street, 7pm to 7am; Not associate with Hemi Walker" in (
        message.status_reason
    )


def test_a_condition_missing_its_details_is_refused_field_by_field(court_api, reference_data):
    body = imposed(
        "CMS-T-BAD",
        conditions=[
            {"kind": "reside"},
            {"kind": "report", "hours_ordered": 10},
            {"kind": "curfew", "curfew_from": "7pm", "curfew_until": "07:00"},
            {"kind": "assessment", "substance": "alcohol", "start_on": days_ago(40)},
            42,
        ],
    )
    response = court_api.post("/api/v1/court-messages/", body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]["sentence"]["conditions"]
    assert errors["0"]["address"] == ["Required for a condition of kind reside."]
    assert errors["1"]["hours_ordered"] == ["Not part of a condition of kind report."]
    assert errors["2"]["curfew_from"] == ["Must be a time of day written HH:MM (24-hour clock)."]
    assert errors["4"] == ["Must be a string or a JSON object."]
    assert "sentence.conditions" in response.json()["reason"]
    # Stored (nothing lost) but nothing applied.
    assert CourtMessage.objects.get(message_id="CMS-T-BAD").status == MessageStatus.REJECTED
    assert not Condition.objects.exists()


def test_a_condition_outside_the_sentence_is_refused(court_api, reference_data):
    body = imposed("CMS-T-EARLY", conditions=[{"kind": "report", "start_on": days_ago(40)}])
    response = court_api.post("/api/v1/court-messages/", body, format="json")
    assert response.status_code == 400
    [message] = response.json()["errors"]["sentence"]["conditions"]["0"]["start_on"]
    assert message.startswith("Must not be before start_date")


def test_a_condition_the_record_refuses_stops_the_whole_message(reference_data):
    message = deliver(imposed("CMS-T-CW", conditions=[{"kind": "community_work", "hours_ordered": 40}]))
    assert message.status == MessageStatus.EXCEPTION
    assert "sentence.conditions[0] cannot be recorded" in message.status_reason
    assert not Condition.objects.exists()
    assert not Sentence.objects.exists()
