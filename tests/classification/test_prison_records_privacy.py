"""Health and intelligence prison records stay with the prisoner's prison: their casenotes (which
every member of staff who may see the offender can read) say only what was recorded, and the
Health Services note, the At Risk reason and the source of Police information are shown only to
staff who may record them. Opening a record to correct or end it is audited as a view."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote
from classification import records
from classification.models import ClassificationKind, PoliceInformation
from classification.services import security_classification_record
from staff.models import OfficeKind
from staff.roles import Role
from tests.classification.factories import days_ago, prison_sentence
from tests.factories import ConvictionFactory, OffenderFactory, OfficeFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON, name="Arohata Prison", code="ARO01")


@pytest.fixture
def community(db):
    return OfficeFactory(name="Porirua Community Corrections", code="POR01")


@pytest.fixture
def inmate(prison, community):
    offender = OffenderFactory(home_office=community)
    ConvictionFactory(sentence=prison_sentence(offender=offender, managing_office=prison))
    security_classification_record(
        actor=None,
        offender=offender,
        kind=ClassificationKind.INITIAL,
        internal_category="B",
        external_category="B",
        effective_on=days_ago(100),
    )
    return offender


@pytest.fixture
def officer(prison):
    return staff_user(Role.PRISON_OFFICER, prison)


def test_the_casenote_of_a_health_assessment_carries_neither_the_result_nor_the_note(inmate, officer):
    records.stability_assessment_record(
        actor=officer,
        offender=inmate,
        assessed_on=days_ago(1),
        stability="U",
        medical_opinion=True,
        note="Psychiatric review: hearing voices",
    )

    note = Casenote.objects.get(offender=inmate)
    assert "voices" not in note.summary + note.text
    assert "Unstable" not in note.summary + note.text
    assert "Health stability assessment" in note.summary


def test_the_casenote_of_an_at_risk_alert_and_its_correction_carry_no_reason(inmate, officer):
    alert = records.at_risk_alert_raise(
        actor=officer, offender=inmate, raised_on=days_ago(3), reason="Self-harm threats on the unit"
    )
    records.prison_record_correct(
        actor=officer,
        record=alert,
        changes={"reason": "Threats of self-harm"},
        reason="Wording of the threat",
    )

    texts = " ".join(note.summary + " " + note.text for note in Casenote.objects.filter(offender=inmate))
    assert "harm" not in texts and "threat" not in texts.lower()


def test_the_casenote_of_police_information_names_neither_source_nor_level(inmate, officer):
    records.police_information_record(
        actor=officer,
        offender=inmate,
        level="H",
        received_on=days_ago(2),
        source=PoliceInformation.Source.CRIME_PREVENTION,
    )

    note = Casenote.objects.get(offender=inmate)
    assert "Crime Prevention" not in note.summary + note.text
    assert "High" not in note.summary + note.text


def test_a_service_manager_of_the_home_office_reading_the_list_does_not_see_the_health_note_or_at_risk_reason(
    client,
    inmate,
    officer,
    community,
):
    records.stability_assessment_record(
        actor=officer, offender=inmate, assessed_on=days_ago(1), stability="S", note="Settled on the unit"
    )
    records.at_risk_alert_raise(actor=officer, offender=inmate, raised_on=days_ago(3), reason="Low mood")
    url = reverse("classification:prison_records", kwargs={"offender_id": inmate.pk})

    client.force_login(officer)
    own = client.get(url).content.decode()
    assert "Settled on the unit" in own and "Low mood" in own

    client.force_login(staff_user(Role.SERVICE_MANAGER, community))
    response = client.get(url)
    assert response.status_code == 200, "the home office's manager may read the prisoner's records"
    page = response.content.decode()
    assert "Settled on the unit" not in page and "Low mood" not in page


def test_opening_a_record_to_correct_it_is_audited_as_a_view(client, inmate, officer):
    alert = records.at_risk_alert_raise(actor=officer, offender=inmate, raised_on=days_ago(3))
    client.force_login(officer)
    before = AuditEvent.objects.filter(actor=officer, action=AuditAction.VIEW, offender=inmate).count()

    url = reverse(
        "classification:prison_record_correct",
        kwargs={"offender_id": inmate.pk, "kind": "at-risk-alerts", "pk": alert.pk},
    )
    assert client.get(url).status_code == 200

    assert (
        AuditEvent.objects.filter(actor=officer, action=AuditAction.VIEW, offender=inmate).count()
        == before + 1
    )
