"""The conditions pages: who may open each (every role at the offender's office, the officer on the
case, another office), refusals and views audited, adding, varying and ending by hand with the
forms' errors, and the tab at a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from conditions import services
from conditions.models import Condition, ConditionKind, ConditionStatus
from sentences.models import SentenceType
from staff.roles import Role
from tests.conditions.conftest import DAY, today
from tests.factories import AllocationFactory, SentenceFactory, staff_user

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
READERS = EVERYONE - {DS}
# At the offender's office, the probation officer not on the case (the officer on the case below).
CHANGERS = frozenset({SM, AS, SA})

CONDITION_PAGES = [
    ("conditions:offender", {"offender_pk": "offender"}, READERS),
    ("conditions:detail", {"pk": "condition"}, READERS),
    ("conditions:add", {"sentence_pk": "sentence"}, CHANGERS),
    ("conditions:vary", {"pk": "condition"}, CHANGERS),
    ("conditions:end", {"pk": "condition"}, CHANGERS),
    ("conditions:hours", {"pk": "condition"}, CHANGERS),
]


@pytest.fixture
def objects(offender, work_sentence, system_admin):
    condition = services.condition_create(
        actor=system_admin, sentence=work_sentence, kind=ConditionKind.COMMUNITY_WORK, hours_ordered=100
    )
    return {"offender": offender, "sentence": work_sentence, "condition": condition}


def _url(name, kwargs, objects):
    return reverse(name, kwargs={key: objects[value].pk for key, value in kwargs.items()})


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_is_allowed_or_refused_each_page(client, office, objects, role):
    client.force_login(staff_user(role, office=office))
    outcomes = {
        name: client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in CONDITION_PAGES
    }
    assert outcomes == {name: 200 if role in allowed else 403 for name, _, allowed in CONDITION_PAGES}


def test_the_officer_on_the_case_may_change_and_another_office_may_only_read(
    client, office, other_office, objects
):
    officer = staff_user(PO, office=office)
    AllocationFactory(offender=objects["offender"], staff=officer.staff)
    client.force_login(officer)
    assert {client.get(_url(n, k, objects)).status_code for n, k, _ in CONDITION_PAGES} == {200}
    for role in (SM, AS):
        client.force_login(staff_user(role, office=other_office))
        outcomes = {
            name: client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in CONDITION_PAGES
        }
        assert outcomes == {name: 200 if allowed == READERS else 403 for name, _, allowed in CONDITION_PAGES}


def test_a_refusal_and_a_view_are_audited(client, probation_officer, objects):
    client.force_login(probation_officer)
    client.get(reverse("conditions:offender", args=[objects["offender"].pk]))
    response = client.post(
        reverse("conditions:add", args=[objects["sentence"].pk]), {"kind": "report", "start_on": today()}
    )
    assert response.status_code == 403
    rows = AuditEvent.objects.filter(actor=probation_officer).order_by("id")
    assert [(row.action, row.offender_id) for row in rows] == [
        (AuditAction.VIEW, objects["offender"].pk),
        (AuditAction.DENIED, objects["offender"].pk),
    ]
    assert Condition.objects.count() == 1


def test_a_service_manager_adds_a_curfew_by_hand(client, service_manager, offender, sentence):
    client.force_login(service_manager)
    response = client.post(
        reverse("conditions:add", args=[sentence.pk]),
        {
            "kind": "curfew",
            "curfew_from": "19:00",
            "curfew_until": "07:00",
            "address": "12 Rata Street",
            "start_on": sentence.start_date.isoformat(),
        },
    )
    assert response.status_code == 302
    condition = Condition.objects.get()
    assert condition.summary == "Curfew at 12 Rata Street, 7pm to 7am"
    assert condition.source == "staff" and condition.created_by == service_manager
    page = client.get(reverse("conditions:offender", args=[offender.pk])).content.decode()
    assert "Curfew at 12 Rata Street, 7pm to 7am" in page
    assert "Entered by staff" in page


def test_the_form_says_what_a_kind_needs_and_changes_nothing(client, service_manager, sentence):
    client.force_login(service_manager)
    response = client.post(
        reverse("conditions:add", args=[sentence.pk]),
        {"kind": "reside", "hours_ordered": "40", "start_on": (sentence.start_date - DAY).isoformat()},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Give the address." in page
    assert "Leave &#x27;hours ordered&#x27; blank" in page
    assert "cannot start before its sentence" in page
    assert not Condition.objects.exists()


def test_varying_and_ending_by_hand(client, service_manager, sentence):
    condition = services.condition_create(
        actor=service_manager, sentence=sentence, kind=ConditionKind.RESIDE, address="12 Rata Street"
    )
    client.force_login(service_manager)
    form = {"address": "4 Kauri Road", "start_on": condition.start_on.isoformat(), "reason": ""}
    response = client.post(reverse("conditions:vary", args=[condition.pk]), form)
    assert "This field is required" in response.content.decode()
    form["reason"] = "Moved with the officer's approval"
    response = client.post(reverse("conditions:vary", args=[condition.pk]), form)
    assert response.status_code == 302
    page = client.get(reverse("conditions:detail", args=[condition.pk])).content.decode()
    assert "Reside at 4 Kauri Road" in page and "Moved with the officer&#x27;s approval" in page
    response = client.post(
        reverse("conditions:end", args=[condition.pk]),
        {"outcome": "ended", "ended_on": today().isoformat(), "reason": "Discharged"},
    )
    assert response.status_code == 302
    condition.refresh_from_db()
    assert condition.status == ConditionStatus.ENDED and condition.version == 2


def test_hours_are_recorded_and_shown_remaining(client, service_manager, objects):
    client.force_login(service_manager)
    condition = objects["condition"]
    response = client.post(
        reverse("conditions:hours", args=[condition.pk]), {"worked_on": today().isoformat(), "hours": "7.5"}
    )
    assert response.status_code == 302
    page = client.get(reverse("conditions:detail", args=[condition.pk])).content.decode()
    assert "100 ordered, 7.5 worked, 92.5 remaining" in page
    tab = client.get(reverse("conditions:offender", args=[objects["offender"].pk])).content.decode()
    assert "92.5 of 100" in tab


def test_the_tab_costs_the_same_however_many_conditions(client, service_manager, offender, sentence):
    client.force_login(service_manager)
    url = reverse("conditions:offender", args=[offender.pk])

    def add(count):
        work = SentenceFactory(offender=offender, sentence_type=SentenceType.COMMUNITY_WORK, hours=400)
        for index in range(count):
            services.condition_create(actor=service_manager, sentence=sentence, kind=ConditionKind.REPORT)
            cw = services.condition_create(
                actor=service_manager, sentence=work, kind=ConditionKind.COMMUNITY_WORK, hours_ordered=40
            )
            services.community_work_hours_record(
                actor=service_manager, condition=cw, on=today() - datetime.timedelta(days=index + 1), hours=2
            )

    add(1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
