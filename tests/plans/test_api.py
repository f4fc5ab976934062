"""The sentence-plan API (issue 6): read-only, by whoever may see the offender's record (never the
data share), decided for the whole list in the database; nested objectives, activities and
category history; audit of lists and reads; constant queries; every write refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from classification.models import ActivityStatus, PlanCategory
from plans import services
from plans.access import can_view_plans
from plans.api import plans_visible_to
from plans.models import NeedArea, ObjectiveStatus, PlanStatus, SentencePlan
from staff.roles import Role
from tests.factories import OffenderFactory, SentenceFactory, UserFactory, staff_user
from tests.plans.conftest import DAY, today

pytestmark = pytest.mark.django_db

READERS = frozenset(Role.values) - {Role.DATA_SHARE}
URL = "/api/v1/sentence-plans/"


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def written_plan(actor, sentence) -> SentencePlan:
    return services.plan_create(actor=actor, sentence=sentence, written_on=today() - 10 * DAY)


@pytest.fixture
def plan(system_admin, sentence, programme):
    """A plan agreed with one objective, a programme and a completed activity, moved to
    Intervention."""
    plan = written_plan(system_admin, sentence)
    objective = services.objective_add(
        actor=system_admin,
        plan=plan,
        text="Stay free of drugs",
        need_area=NeedArea.DRUGS,
        target_on=today() + 90 * DAY,
    )
    services.activity_add(
        actor=system_admin,
        plan=plan,
        programme=programme,
        objective=objective,
        scheduled_on=today() - 5 * DAY,
        planned_end_on=today() + 60 * DAY,
    )
    reporting = services.activity_add(
        actor=system_admin, plan=plan, description="Weekly reporting", scheduled_on=today() - 8 * DAY
    )
    services.plan_agree(
        actor=system_admin, plan=plan, agreed_on=today() - 7 * DAY, review_on=today() + 90 * DAY
    )
    services.activity_record(
        actor=system_admin, activity=reporting, to_status=ActivityStatus.ATTENDED, on=today() - 6 * DAY
    )
    services.activity_record(
        actor=system_admin, activity=reporting, to_status=ActivityStatus.COMPLETED, on=today() - DAY
    )
    services.plan_category_change(
        actor=system_admin,
        plan=plan,
        category=PlanCategory.INTERVENTION,
        changed_on=today(),
        reason="Programme place offered",
    )
    return plan


# --- who reads -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(Role.values))
def test_each_role_reads_the_plan_or_is_refused(plan, office, role):
    user = staff_user(role, office)

    listed = client_for(user).get(URL)
    read = client_for(user).get(f"{URL}{plan.pk}/")

    if role in READERS:
        assert [row["id"] for row in listed.json()["results"]] == [plan.pk]
        assert read.status_code == 200 and read.json()["id"] == plan.pk
    else:
        assert listed.status_code == 403 and "results" not in listed.json()
        assert read.status_code == 403


def test_staff_of_another_office_read_the_plan_as_they_read_the_record(plan, other_office):
    user = staff_user(Role.PROBATION_OFFICER, other_office)
    assert client_for(user).get(f"{URL}{plan.pk}/").status_code == 200


def test_anonymous_and_roleless_callers_read_nothing(plan):
    assert client_for().get(URL).status_code in (401, 403)
    roleless = client_for(UserFactory())
    assert roleless.get(URL).status_code == 403
    assert roleless.get(f"{URL}{plan.pk}/").status_code == 403


def test_the_list_filter_is_the_same_rule_as_the_plan_gate(plan, office, other_office):
    other_plan = written_plan(staff_user(Role.SYSTEM_ADMIN, office), SentenceFactory())
    users = [staff_user(role, place) for role in Role.values for place in (office, other_office)]
    users.append(UserFactory())
    for user in users:
        expected = {
            candidate.pk for candidate in (plan, other_plan) if can_view_plans(user, candidate.offender)
        }
        assert set(plans_visible_to(user).values_list("pk", flat=True)) == expected, user


def test_a_user_with_the_data_share_and_a_staff_role_reads_plans(plan, office):
    user = staff_user(Role.PROBATION_OFFICER, office)
    user.groups.add(*staff_user(Role.DATA_SHARE, office).groups.all())
    assert client_for(user).get(f"{URL}{plan.pk}/").status_code == 200


def test_an_unknown_plan_is_not_found(system_admin):
    assert client_for(system_admin).get(f"{URL}999999/").status_code == 404


# --- what it shows -------------------------------------------------------------------------------


def test_a_plan_reads_with_its_objectives_activities_and_category_history(plan, programme, offender):
    body = client_for(staff_user(Role.ADMIN_SUPPORT, offender.home_office)).get(f"{URL}{plan.pk}/").json()

    assert (body["offender"], body["offender_prn"], body["sentence"]) == (
        offender.pk,
        "48765432",
        plan.sentence_id,
    )
    assert body["status"] == PlanStatus.AGREED and body["agreed_on"] == str(today() - 7 * DAY)
    assert body["category"] == PlanCategory.INTERVENTION
    assert [(row["category"], row["reason"]) for row in body["category_history"]] == [
        (PlanCategory.STANDARD, "Plan written"),
        (PlanCategory.INTERVENTION, "Programme place offered"),
    ]
    [objective] = body["objectives"]
    assert (objective["text"], objective["need_area"], objective["status"]) == (
        "Stay free of drugs",
        NeedArea.DRUGS,
        ObjectiveStatus.OPEN,
    )
    reporting, drugs = body["activities"]
    assert (reporting["description"], reporting["status"], reporting["completed_on"]) == (
        "Weekly reporting",
        ActivityStatus.COMPLETED,
        str(today() - DAY),
    )
    assert reporting["programme"] is None and reporting["agency_name"] == ""
    assert (drugs["programme_name"], drugs["agency_name"], drugs["objective"]) == (
        "Drug treatment programme",
        "Te Whare Oranga",
        objective["id"],
    )
    assert drugs["referral"] is not None and drugs["planned_end_on"] == str(today() + 60 * DAY)


def test_the_list_is_filtered_by_offender_and_sentence(plan, system_admin, offender):
    second = written_plan(system_admin, SentenceFactory(offender=offender))
    stranger = written_plan(system_admin, SentenceFactory(offender=OffenderFactory()))
    client = client_for(system_admin)

    def ids(query: str) -> set[int]:
        return {row["id"] for row in client.get(f"{URL}?{query}").json()["results"]}

    assert ids(f"offender={offender.pk}") == {plan.pk, second.pk}
    assert ids(f"sentence={plan.sentence_id}") == {plan.pk}
    assert ids(f"offender={stranger.offender_id}") == {stranger.pk}
    assert ids("status=draft") == {second.pk, stranger.pk}


def test_the_list_is_paginated(system_admin, offender):
    for _ in range(3):
        written_plan(system_admin, SentenceFactory(offender=offender))

    body = client_for(system_admin).get(f"{URL}?page_size=2").json()

    second = client_for(system_admin).get(body["next"]).json()
    assert len(body["results"]) == 2 and "count" not in body
    assert len(second["results"]) == 1 and second["next"] is None and second["previous"]


# --- audit ---------------------------------------------------------------------------------------


def test_a_list_is_audited_as_a_search_with_a_view_under_each_offender_listed(plan, office, offender):
    user = staff_user(Role.SERVICE_MANAGER, office)

    client_for(user).get(f"{URL}?status=agreed")

    search = AuditEvent.objects.get(actor=user, action=AuditAction.SEARCH)
    assert search.summary == "Searched sentence plans (API)" and search.query == "status=agreed"
    viewed = AuditEvent.objects.filter(actor=user, action=AuditAction.VIEW)
    assert set(viewed.values_list("offender_id", flat=True)) == {offender.pk}


def test_a_list_for_one_offender_is_filed_under_that_offender(plan, office, offender):
    user = staff_user(Role.PRISON_OFFICER, office)
    client_for(user).get(f"{URL}?offender={offender.pk}")
    assert AuditEvent.objects.filter(actor=user, action=AuditAction.SEARCH, offender_id=offender.pk).exists()


def test_reading_a_plan_is_audited_under_the_offender(plan, office, offender):
    user = staff_user(Role.PROBATION_OFFICER, office)
    client_for(user).get(f"{URL}{plan.pk}/")
    event = AuditEvent.objects.get(actor=user, action=AuditAction.VIEW)
    assert (event.object_type, event.object_id, event.offender_id) == (
        "plans.SentencePlan",
        str(plan.pk),
        offender.pk,
    )


def test_a_refused_read_files_no_view(plan, data_share):
    assert client_for(data_share).get(f"{URL}{plan.pk}/").status_code == 403
    assert client_for(data_share).get(URL).status_code == 403
    # Only the two refusals are filed (every refusal is audited, issue 11), no view.
    filed = AuditEvent.objects.filter(actor=data_share).exclude(action=AuditAction.LOGIN)
    assert list(filed.values_list("action", flat=True)) == [AuditAction.DENIED] * 2


# --- writes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_every_write_is_refused(plan, system_admin, method):
    client = client_for(system_admin)
    before = SentencePlan.objects.values_list("pk", "status", "updated_at").get()

    on_list = getattr(client, method)(URL, {"sentence": plan.sentence_id}, format="json")
    on_plan = getattr(client, method)(f"{URL}{plan.pk}/", {"status": "closed"}, format="json")

    assert (on_list.status_code, on_plan.status_code) == (405, 405)
    assert SentencePlan.objects.values_list("pk", "status", "updated_at").get() == before


# --- constant queries ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.PROBATION_OFFICER])
def test_the_plan_list_takes_the_same_queries_whatever_its_length(office, system_admin, programme, role):
    client = client_for(staff_user(role, office))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    def planned_offender() -> None:
        plan = written_plan(system_admin, SentenceFactory(offender=OffenderFactory(home_office=office)))
        objective = services.objective_add(
            actor=system_admin,
            plan=plan,
            text="Find work",
            need_area=NeedArea.EDUCATION_EMPLOYMENT,
            target_on=today() + 30 * DAY,
        )
        services.activity_add(
            actor=system_admin, plan=plan, programme=programme, objective=objective, scheduled_on=today()
        )
        services.activity_add(actor=system_admin, plan=plan, description="Job club", scheduled_on=today())

    for _ in range(2):
        planned_offender()
    few = queries()
    for _ in range(4):
        planned_offender()
    many = queries()

    assert len(client.get(URL).json()["results"]) == 6
    assert few == many
