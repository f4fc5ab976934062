import datetime

import pytest

from audit.models import AuditAction, AuditEvent
from sentences.models import Charge, Conviction, Sentence, SentenceEvent, SentenceEventKind
from tests.api.conftest import count_queries
from tests.factories import (
    ChargeFactory,
    ConvictionFactory,
    CourtFactory,
    OffenceFactory,
    OffenderFactory,
    SentenceFactory,
)

TODAY = datetime.date.today
URL = "/api/v1/sentences/"


def days_ago(days: int) -> datetime.date:
    return TODAY() - datetime.timedelta(days=days)


def test_list_shows_sentences_with_offender_court_and_office(api, prison_officer, sentence):
    response = api(prison_officer).get(URL)

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["offender_prn"] == "12345678"
    assert row["offender_name"] == "Wiremu Tamihana"
    assert row["sentence_type"] == "supervision"
    assert row["court_name"] == sentence.court.name
    assert row["managing_office_name"] == "Wellington Community Corrections"
    assert row["status"] == "active"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sentence_type": "community_work"}, ["work"]),
        ({"status": "completed"}, ["done"]),
        ({"start_date_after": days_ago(100).isoformat()}, ["supervision", "work"]),
        ({"start_date_before": days_ago(100).isoformat()}, ["done"]),
        ({"end_date_before": days_ago(10).isoformat()}, ["done"]),
    ],
)
def test_list_filters(api, probation_officer, sentence, params, expected):
    labels = {sentence.pk: "supervision"}
    work = SentenceFactory(offender=sentence.offender, sentence_type="community_work", hours=100)
    labels[work.pk] = "work"
    done = SentenceFactory(
        offender=sentence.offender,
        order_date=days_ago(800),
        end_date=days_ago(400),
        status="completed",
        completion_reason="normal",
        completed_on=days_ago(400),
    )
    labels[done.pk] = "done"

    response = api(probation_officer).get(URL, params)

    assert sorted(labels[row["id"]] for row in response.json()["results"]) == expected


def test_list_filters_by_offender_and_managing_office(api, probation_officer, sentence, other_office):
    elsewhere = SentenceFactory(offender=OffenderFactory(home_office=other_office))
    client = api(probation_officer)

    by_offender = client.get(URL, {"offender": sentence.offender_id}).json()["results"]
    by_office = client.get(URL, {"managing_office": other_office.pk}).json()["results"]

    assert [row["id"] for row in by_offender] == [sentence.pk]
    assert [row["id"] for row in by_office] == [elsewhere.pk]


def test_a_list_for_one_offender_is_filed_in_that_offenders_audit_history(api, probation_officer, sentence):
    api(probation_officer).get(URL, {"offender": sentence.offender_id})

    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.offender_id == sentence.offender_id
    assert event.query == f"offender={sentence.offender_id}"


def test_sentence_list_runs_the_same_number_of_queries_for_5_and_50_rows(api, probation_officer, office):
    client = api(probation_officer)
    SentenceFactory.create_batch(5, offender__home_office=office)
    few = count_queries(lambda: client.get(URL))
    SentenceFactory.create_batch(45, offender__home_office=office)

    many = count_queries(lambda: client.get(URL))

    assert len(client.get(URL).json()["results"]) == 50
    assert few == many


def test_retrieve_shows_the_convictions_and_is_audited(api, prison_officer, sentence):
    ConvictionFactory(
        sentence=sentence, offence=OffenceFactory(code="AGG01", description="Aggravated robbery")
    )

    response = api(prison_officer).get(f"{URL}{sentence.pk}/")

    assert response.status_code == 200
    [conviction] = response.json()["convictions"]
    assert conviction["offence_code"] == "AGG01"
    assert conviction["offence_description"] == "Aggravated robbery"
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.object_type, event.object_id, event.offender_id) == (
        "sentences.Sentence",
        str(sentence.pk),
        sentence.offender_id,
    )


def sentence_body(offender, court, offence, **overrides):
    return {
        "offender": offender.pk,
        "sentence_type": "community_work",
        "court": court.pk,
        "order_date": days_ago(5).isoformat(),
        "start_date": days_ago(5).isoformat(),
        "end_date": (TODAY() + datetime.timedelta(days=360)).isoformat(),
        "hours": 200,
        "managing_office": offender.home_office_id,
        "convictions": [{"offence": offence.pk, "convicted_on": days_ago(5).isoformat()}],
        **overrides,
    }


def test_admin_support_records_a_sentence_with_its_conviction(api, admin_support, offender):
    court, offence = CourtFactory(), OffenceFactory()
    charge = ChargeFactory(offender=offender, offence=offence)
    body = sentence_body(offender, court, offence)
    body["convictions"][0]["charge"] = charge.pk

    response = api(admin_support).post(URL, body, format="json")

    assert response.status_code == 201, response.json()
    sentence = Sentence.objects.get(pk=response.json()["id"])
    assert sentence.hours == 200
    assert Conviction.objects.get(sentence=sentence).charge == charge
    # The conviction disposes of the outstanding charge.
    charge.refresh_from_db()
    assert (charge.outstanding, charge.outcome) == (False, "convicted")
    assert sentence.events.get().kind == SentenceEventKind.ORDER_RECEIVED
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="sentences.Sentence", object_id=str(sentence.pk)
    ).exists()


def test_community_work_without_hours_is_a_400_naming_hours(api, admin_support, offender):
    body = sentence_body(offender, CourtFactory(), OffenceFactory(), hours=None)

    response = api(admin_support).post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["hours"] == ["Community work needs its number of hours (40 to 400)."]
    assert not Sentence.objects.exists()


def test_a_sentence_without_a_conviction_is_a_400_naming_convictions(api, admin_support, offender):
    body = sentence_body(offender, CourtFactory(), OffenceFactory(), convictions=[])

    response = api(admin_support).post(URL, body, format="json")

    assert response.status_code == 400
    assert "convictions" in response.json()
    assert not Sentence.objects.exists()


def test_a_probation_officer_may_not_record_sentences(api, probation_officer, offender):
    body = sentence_body(offender, CourtFactory(), OffenceFactory())

    response = api(probation_officer).post(URL, body, format="json")

    assert response.status_code == 403
    assert not Sentence.objects.exists()


def test_patch_transfers_the_sentence_through_sentence_update(api, service_manager, sentence, other_office):
    response = api(service_manager).patch(
        f"{URL}{sentence.pk}/",
        {"managing_office": other_office.pk, "reason": "Moved to Auckland"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["managing_office_name"] == "Auckland Central Community Corrections"
    event = sentence.events.get()
    assert (event.kind, event.detail) == (SentenceEventKind.TRANSFER, "Moved to Auckland")
    assert AuditEvent.objects.get(action=AuditAction.UPDATE).changes["managing_office"][1] == str(
        other_office
    )


def test_patch_with_an_end_before_the_start_changes_nothing(api, service_manager, sentence):
    end = sentence.end_date
    response = api(service_manager).patch(
        f"{URL}{sentence.pk}/", {"end_date": days_ago(400).isoformat()}, format="json"
    )

    assert response.status_code == 400
    assert "end_date" in response.json()
    sentence.refresh_from_db()
    assert sentence.end_date == end


def test_complete_a_sentence_early(api, service_manager, sentence):
    response = api(service_manager).post(
        f"{URL}{sentence.pk}/complete/",
        {"reason": "discharged_early", "completed_on": TODAY().isoformat(), "detail": "Court order"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    assert response.json()["completion_reason"] == "discharged_early"
    assert sentence.events.get().kind == SentenceEventKind.COMPLETED


def test_completing_other_than_normally_needs_a_detail(api, service_manager, sentence):
    response = api(service_manager).post(
        f"{URL}{sentence.pk}/complete/",
        {"reason": "quashed", "completed_on": TODAY().isoformat()},
        format="json",
    )

    assert response.status_code == 400
    assert "detail" in response.json()
    sentence.refresh_from_db()
    assert sentence.status == "active"


def test_commence_a_pending_sentence_on_its_start_date(api, service_manager, offender):
    pending = SentenceFactory(offender=offender, order_date=TODAY(), start_date=TODAY(), status="pending")

    response = api(service_manager).post(f"{URL}{pending.pk}/commence/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "active"


def test_a_sentence_cannot_be_commenced_before_its_start_date(api, service_manager, offender):
    pending = SentenceFactory(
        offender=offender,
        order_date=TODAY(),
        start_date=TODAY() + datetime.timedelta(days=1),
        status="pending",
    )

    response = api(service_manager).post(f"{URL}{pending.pk}/commence/", {}, format="json")

    assert response.status_code == 400
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_record_and_list_sentence_events(api, service_manager, sentence):
    client = api(service_manager)

    created = client.post(
        f"{URL}{sentence.pk}/events/",
        {"kind": "appeal_sentence", "occurred_on": TODAY().isoformat(), "detail": "Appeal lodged"},
        format="json",
    )
    listed = client.get(f"{URL}{sentence.pk}/events/")

    assert created.status_code == 201
    assert [(row["kind"], row["detail"]) for row in listed.json()["results"]] == [
        ("appeal_sentence", "Appeal lodged")
    ]
    assert SentenceEvent.objects.count() == 1


def test_a_completion_cannot_be_recorded_as_an_event(api, service_manager, sentence):
    response = api(service_manager).post(
        f"{URL}{sentence.pk}/events/",
        {"kind": "completed", "occurred_on": TODAY().isoformat(), "detail": "Done"},
        format="json",
    )

    assert response.status_code == 400
    assert "kind" in response.json()


# --- charges and offences -----------------------------------------------------------------------


def test_record_and_dispose_a_charge(api, admin_support, offender):
    client = api(admin_support)
    offence = OffenceFactory(code="BUR01", description="Burglary")

    created = client.post(
        "/api/v1/charges/",
        {"offender": offender.pk, "offence": offence.pk, "charged_on": days_ago(3).isoformat()},
        format="json",
    )
    charge_id = created.json()["id"]
    disposed = client.post(
        f"/api/v1/charges/{charge_id}/dispose/",
        {"outcome": "dismissed", "disposed_on": TODAY().isoformat()},
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["offence_description"] == "Burglary"
    assert disposed.status_code == 200
    assert (disposed.json()["outstanding"], disposed.json()["outcome"]) == (False, "dismissed")
    assert AuditEvent.objects.filter(object_type="sentences.Charge", action=AuditAction.CREATE).exists()


def test_a_charge_with_an_offence_date_after_the_charge_is_a_400(api, admin_support, offender):
    response = api(admin_support).post(
        "/api/v1/charges/",
        {
            "offender": offender.pk,
            "offence": OffenceFactory().pk,
            "charged_on": days_ago(3).isoformat(),
            "offence_date": TODAY().isoformat(),
        },
        format="json",
    )

    assert response.status_code == 400
    assert "offence_date" in response.json()
    assert not Charge.objects.exists()


def test_charges_filter_by_offender_and_outstanding(api, probation_officer, offender):
    ChargeFactory(offender=offender)
    ChargeFactory(offender=offender, outstanding=False, outcome="withdrawn", disposed_on=TODAY())
    ChargeFactory()

    rows = api(probation_officer).get("/api/v1/charges/", {"offender": offender.pk, "outstanding": "true"})

    assert [row["outstanding"] for row in rows.json()["results"]] == [True]


def test_retrieving_a_charge_is_audited(api, probation_officer, offender):
    charge = ChargeFactory(offender=offender)

    assert api(probation_officer).get(f"/api/v1/charges/{charge.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="sentences.Charge").exists()


def test_the_offence_catalogue_is_read_only_and_filterable(api, probation_officer):
    OffenceFactory(code="MUR01", description="Murder", seriousness=11900, categories=["violence"])
    OffenceFactory(code="THE01", description="Theft", seriousness=5)
    client = api(probation_officer)

    violent = client.get("/api/v1/offences/", {"category": "violence"}).json()["results"]
    posted = client.post("/api/v1/offences/", {"code": "NEW", "description": "New"}, format="json")

    assert [row["code"] for row in violent] == ["MUR01"]
    assert violent[0]["seriousness"] == "11900.00"
    assert posted.status_code == 405
