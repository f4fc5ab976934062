"""The prison records pages: a prisoner's records of every kind with the sources seed 003 names, the
generic record / correct / end forms, and the initial classification at reception. Who may see and
do what, refusals audited, bad input changing nothing, every view of the list audited."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote
from classification import records
from classification.models import (
    AtRiskAlert,
    ClassificationKind,
    EscapeEvent,
    HealthStabilityAssessment,
    IncidentReport,
    PoliceInformation,
    RemovalOrder,
    SecurityClassification,
)
from classification.schedule import schedule_refresh
from classification.services import security_classification_record
from events.models import OutboxEvent
from staff.models import OfficeKind
from staff.roles import Role
from tests.classification.factories import days_ago, prison_sentence, today
from tests.factories import ConvictionFactory, OffenderFactory, OfficeFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

EVERY_ROLE = list(Role)
PRISON_ROLES = {Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER}
RECORDERS = PRISON_ROLES | {Role.SYSTEM_ADMIN}
VIEWERS = RECORDERS | {Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT, Role.PROBATION_OFFICER}

# (URL name, kwargs builder, roles allowed at the prisoner's prison): the access matrix of these pages
# (tests/test_access_matrix.py checks every URL is tabled somewhere).
PRISON_RECORD_PAGES = [
    ("classification:prison_records", lambda o: {"offender_id": o["inmate"].pk}, VIEWERS),
    (
        "classification:prison_record_new",
        lambda o: {"offender_id": o["inmate"].pk, "kind": "incidents"},
        RECORDERS,
    ),
    (
        "classification:prison_record_correct",
        lambda o: {"offender_id": o["inmate"].pk, "kind": "at-risk-alerts", "pk": o["alert"].pk},
        RECORDERS,
    ),
    (
        "classification:prison_record_end",
        lambda o: {"offender_id": o["inmate"].pk, "kind": "at-risk-alerts", "pk": o["alert"].pk},
        RECORDERS,
    ),
    ("classification:initial_classification", lambda o: {"offender_id": o["received"].pk}, RECORDERS),
]

# slug -> (form data, the model, bad form data and the field it names)
FORMS = {
    "incidents": (
        {
            "occurred_on": days_ago(3).isoformat(),
            "incident_type": "prison_rules",
            "corrections_act": "proven",
            "charge_laid_on": days_ago(2).isoformat(),
            "proven_on": days_ago(1).isoformat(),
            "drugs_related": "on",
            "description": "Cannabis found in cell",
        },
        IncidentReport,
        (
            {"occurred_on": days_ago(3).isoformat(), "incident_type": "other", "corrections_act": "charged"},
            "charge_laid_on_day",  # a date's link in the error summary goes to its Day box
        ),
    ),
    "escapes": (
        {
            "kind": "escape",
            "custody": "prison",
            "occurred_on": days_ago(400).isoformat(),
            "convicted_on": days_ago(200).isoformat(),
        },
        EscapeEvent,
        (
            {
                "kind": "escape",
                "custody": "prison",
                "occurred_on": days_ago(4).isoformat(),
                "convicted_on": days_ago(5).isoformat(),
            },
            "convicted_on_day",
        ),
    ),
    "at-risk-alerts": (
        {"raised_on": days_ago(1).isoformat(), "reason": "Low mood"},
        AtRiskAlert,
        ({"raised_on": ""}, "raised_on_day"),
    ),
    "stability-assessments": (
        {"assessed_on": days_ago(1).isoformat(), "stability": "S"},
        HealthStabilityAssessment,
        ({"assessed_on": days_ago(1).isoformat(), "stability": "U"}, "stability"),
    ),
    "removal-orders": (
        {"kind": "removal", "made_on": days_ago(9).isoformat()},
        RemovalOrder,
        ({"kind": "removal", "made_on": (today().replace(year=today().year + 1)).isoformat()}, "made_on_day"),
    ),
    "police-information": (
        {"source": "police", "level": "L", "received_on": days_ago(1).isoformat()},
        PoliceInformation,
        ({"source": "police", "received_on": days_ago(1).isoformat()}, "level"),
    ),
}


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON, name="Christchurch Women's Prison", code="CWP01")


@pytest.fixture
def officer(prison):
    return staff_user(Role.PRISON_OFFICER, prison)


def _prisoner(prison, classified=True):
    offender = OffenderFactory(home_office=prison)
    ConvictionFactory(sentence=prison_sentence(offender=offender, managing_office=prison))
    if classified:
        security_classification_record(
            actor=None,
            offender=offender,
            kind=ClassificationKind.INITIAL,
            internal_category="B",
            external_category="A",
            effective_on=days_ago(60),
        )
    return offender


@pytest.fixture
def inmate(prison):
    return _prisoner(prison)


@pytest.fixture
def objects(prison, inmate, officer):
    return {
        "inmate": inmate,
        "received": _prisoner(prison, classified=False),
        "alert": records.at_risk_alert_raise(actor=officer, offender=inmate, raised_on=days_ago(20)),
    }


def _url(name, kwargs):
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_each_role_at_the_prison(client, prison, objects, role):
    client.force_login(staff_user(role, prison))
    outcomes = {
        name: client.get(_url(name, kwargs(objects))).status_code for name, kwargs, _ in PRISON_RECORD_PAGES
    }
    assert outcomes == {name: 200 if role in allowed else 403 for name, _, allowed in PRISON_RECORD_PAGES}


@pytest.mark.parametrize("role", sorted(VIEWERS - {Role.SYSTEM_ADMIN}))
def test_staff_of_another_prison_see_and_record_nothing(client, objects, role):
    client.force_login(staff_user(role, OfficeFactory(kind=OfficeKind.PRISON)))
    for name, kwargs, _ in PRISON_RECORD_PAGES:
        assert client.get(_url(name, kwargs(objects))).status_code == 403, name


def test_no_role_and_anonymous(client, objects):
    for name, kwargs, _ in PRISON_RECORD_PAGES:
        response = client.get(_url(name, kwargs(objects)))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name
    client.force_login(UserFactory(roles=[]))
    for name, kwargs, _ in PRISON_RECORD_PAGES:
        assert client.get(_url(name, kwargs(objects))).status_code == 403, name


def test_an_unknown_kind_or_record_is_404(client, officer, objects):
    client.force_login(officer)
    inmate = objects["inmate"]
    assert (
        client.get(
            _url("classification:prison_record_new", {"offender_id": inmate.pk, "kind": "tattoos"})
        ).status_code
        == 404
    )
    assert (
        client.get(
            _url(
                "classification:prison_record_correct",
                {"offender_id": objects["received"].pk, "kind": "at-risk-alerts", "pk": objects["alert"].pk},
            )
        ).status_code
        == 404
    ), "another prisoner's record is not reached through this one"
    assert (
        client.get(
            _url("classification:prison_record_end", {"offender_id": inmate.pk, "kind": "escapes", "pk": 1})
        ).status_code
        == 404
    )


# --- recording through the forms ---------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(FORMS))
def test_an_officer_records_each_kind_through_its_form(
    client, officer, inmate, slug, django_capture_on_commit_callbacks
):
    data, model, _ = FORMS[slug]
    client.force_login(officer)
    url = _url("classification:prison_record_new", {"offender_id": inmate.pk, "kind": slug})

    form = client.get(url).content.decode()
    assert f"Sources: {records.RECORD_KINDS[slug].sources}" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data, follow=True)

    assert response.redirect_chain[-1][0] == _url("classification:prison_records", {"offender_id": inmate.pk})
    assert "recorded." in response.content.decode()
    record = model.objects.get(offender=inmate)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, actor=officer, object_type=model._meta.label, object_id=str(record.pk)
    ).exists()
    event = OutboxEvent.objects.get(event_type="PrisonRecordChanged", payload__record_id=record.pk)
    assert Casenote.objects.filter(offender=inmate, summary=event.payload["summary"]).exists()


@pytest.mark.parametrize("slug", sorted(FORMS))
def test_bad_input_shows_the_error_summary_and_changes_nothing(client, officer, inmate, slug):
    _, model, (bad, field) = FORMS[slug]
    client.force_login(officer)

    response = client.post(
        _url("classification:prison_record_new", {"offender_id": inmate.pk, "kind": slug}), bad
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'href="#id_{field}"' in html
    assert not model.objects.filter(offender=inmate).exists()


@pytest.mark.parametrize("role", [Role.PROBATION_OFFICER, Role.SERVICE_MANAGER])
def test_a_viewer_who_may_not_record_is_refused_and_the_refusal_audited(client, prison, inmate, role):
    user = staff_user(role, prison)
    client.force_login(user)
    data, model, _ = FORMS["escapes"]

    response = client.post(
        _url("classification:prison_record_new", {"offender_id": inmate.pk, "kind": "escapes"}), data
    )

    assert response.status_code == 403
    assert not model.objects.exists()
    refusal = AuditEvent.objects.get(action=AuditAction.DENIED, actor=user)
    assert refusal.offender_id == inmate.pk


def test_a_prison_officer_of_another_prison_is_refused_and_the_refusal_audited(client, inmate):
    stranger = staff_user(Role.PRISON_OFFICER, OfficeFactory(kind=OfficeKind.PRISON))
    client.force_login(stranger)
    data, _, _ = FORMS["incidents"]

    response = client.post(
        _url("classification:prison_record_new", {"offender_id": inmate.pk, "kind": "incidents"}), data
    )

    assert response.status_code == 403
    assert not IncidentReport.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=stranger).exists()


# --- the list ---------------------------------------------------------------------------------------------


def test_the_list_shows_each_kind_with_its_sources_and_who_recorded_it_and_is_audited(
    client, prison, officer, inmate
):
    officer.first_name, officer.last_name = "Mere", "Tahi"
    officer.save(update_fields=["first_name", "last_name"])
    records.escape_record(
        actor=officer, offender=inmate, kind="attempt", custody="police", occurred_on=days_ago(40)
    )
    records.police_information_record(
        actor=officer, offender=inmate, level="H", received_on=days_ago(3), source="crime_prevention"
    )
    reader = staff_user(Role.PROBATION_OFFICER, prison)
    client.force_login(reader)

    response = client.get(_url("classification:prison_records", {"offender_id": inmate.pk}))

    html = response.content.decode()
    for kind in records.RECORD_KINDS.values():
        assert kind.sources in html
    assert "by Mere Tahi" in html
    assert "Kind: Attempted escape" in html
    assert "Level: High" in html
    assert "Received from" not in html, "only the prison's staff see where information came from"
    assert "Record an incident" not in html and "Correct" not in html
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, actor=reader, offender_id=inmate.pk).exists()


def test_the_classification_page_links_to_the_records(client, officer, inmate):
    client.force_login(officer)

    html = client.get(reverse("classification:prisoner", kwargs={"offender_id": inmate.pk})).content.decode()

    assert _url("classification:prison_records", {"offender_id": inmate.pk}) in html


# --- correcting and ending -------------------------------------------------------------------------------


def test_a_correction_with_a_reason_changes_the_record(client, officer, objects):
    alert, inmate = objects["alert"], objects["inmate"]
    client.force_login(officer)
    url = _url(
        "classification:prison_record_correct",
        {"offender_id": inmate.pk, "kind": "at-risk-alerts", "pk": alert.pk},
    )
    raised = days_ago(20)
    page = client.get(url).content.decode()
    for part, value in (("day", raised.day), ("month", raised.month), ("year", raised.year)):
        assert f'name="raised_on_{part}" type="text" value="{value}"' in page

    response = client.post(
        url,
        {
            "raised_on": days_ago(21).isoformat(),
            "reason": "",
            "correction_reason": "Raised the day before, per the penal file",
        },
    )

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.raised_on == days_ago(21)
    assert OutboxEvent.objects.filter(event_type="PrisonRecordChanged", payload__action="corrected").exists()


def test_a_correction_without_a_reason_is_refused_and_changes_nothing(client, officer, objects):
    alert, inmate = objects["alert"], objects["inmate"]
    client.force_login(officer)
    url = _url(
        "classification:prison_record_correct",
        {"offender_id": inmate.pk, "kind": "at-risk-alerts", "pk": alert.pk},
    )

    response = client.post(url, {"raised_on": days_ago(21).isoformat(), "correction_reason": ""})

    assert response.status_code == 400
    assert "Reason for the correction" in response.content.decode()
    alert.refresh_from_db()
    assert alert.raised_on == days_ago(20)


def test_an_alert_is_ended_through_its_form(client, officer, objects):
    alert, inmate = objects["alert"], objects["inmate"]
    client.force_login(officer)

    response = client.post(
        _url(
            "classification:prison_record_end",
            {"offender_id": inmate.pk, "kind": "at-risk-alerts", "pk": alert.pk},
        ),
        {"ended_on": days_ago(2).isoformat()},
        follow=True,
    )

    alert.refresh_from_db()
    assert alert.ended_on == days_ago(2)
    assert f"Ended {days_ago(2).day} " in response.content.decode()


# --- the initial classification --------------------------------------------------------------------------


def test_an_officer_records_the_initial_classification_at_reception(client, officer, objects):
    received = objects["received"]
    client.force_login(officer)
    prisoner_page = client.get(
        reverse("classification:prisoner", kwargs={"offender_id": received.pk})
    ).content.decode()
    url = _url("classification:initial_classification", {"offender_id": received.pk})
    assert url in prisoner_page

    response = client.post(
        url,
        {"internal_category": "A", "external_category": "B", "effective_on": today().isoformat()},
        follow=True,
    )

    assert "Initial classification recorded" in response.content.decode()
    classification = SecurityClassification.objects.get(offender=received)
    assert (classification.kind, classification.internal_category, classification.external_category) == (
        ClassificationKind.INITIAL,
        "A",
        "B",
    )
    # A second one is not offered: a review changes a classification (seed 003).
    again = client.get(url, follow=True)
    assert "start a review to change it" in again.content.decode()


def test_the_due_list_links_an_unclassified_prisoner_to_the_initial_classification(client, officer, objects):
    schedule_refresh(offender_ids=[objects["received"].pk])
    client.force_login(officer)

    html = client.get(reverse("classification:due"), {"show": "unclassified"}).content.decode()

    assert _url("classification:initial_classification", {"offender_id": objects["received"].pk}) in html


def test_the_list_costs_the_same_queries_however_many_records(client, officer, inmate):
    client.force_login(officer)
    url = _url("classification:prison_records", {"offender_id": inmate.pk})

    def one_of_each():
        records.incident_record(
            actor=officer, offender=inmate, occurred_on=days_ago(3), incident_type="other"
        )
        records.escape_record(
            actor=officer, offender=inmate, kind="escape", custody="prison", occurred_on=days_ago(9)
        )
        records.at_risk_alert_raise(actor=officer, offender=inmate, raised_on=days_ago(2))
        records.stability_assessment_record(
            actor=officer, offender=inmate, assessed_on=days_ago(2), stability="S"
        )
        records.removal_order_record(actor=officer, offender=inmate, kind="removal", made_on=days_ago(2))
        records.police_information_record(actor=officer, offender=inmate, level="L", received_on=days_ago(2))

    one_of_each()
    client.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    one_of_each()
    one_of_each()
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert response.content.decode().count(">Correct<") == 18
    assert len(many) == len(few)
