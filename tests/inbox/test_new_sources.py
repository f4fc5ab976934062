"""The sources of the records other areas of issue 6 add: sentence-plan activities and reviews
(plans app) and report deadlines (documents app)."""

import datetime

import pytest
from django.utils import timezone

from inbox.selectors import inbox_of, person_of
from staff.roles import Role
from tests.factories import AllocationFactory, OffenderFactory, OfficeFactory, SentenceFactory, staff_user

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def items(user, kind):
    me = person_of(user)
    return [
        row.item
        for row in inbox_of(me, viewer=me, today=today()).rows
        if row.item.kind == kind and not row.escalated
    ]


@pytest.fixture
def case(office):
    """An offender on supervision at `office`, their supervising probation officer, a colleague
    and two service managers."""
    offender = OffenderFactory(home_office=office, family_name="Ngata")
    sentence = SentenceFactory(offender=offender, managing_office=office)
    officer = staff_user(Role.PROBATION_OFFICER, office, username="case.officer")
    AllocationFactory(offender=offender, staff=officer.staff, sentence=sentence)
    return {
        "offender": offender,
        "sentence": sentence,
        "officer": officer,
        "colleague": staff_user(Role.PROBATION_OFFICER, office),
        "manager": staff_user(Role.SERVICE_MANAGER, office),
        "manager2": staff_user(Role.SERVICE_MANAGER, office),
    }


def test_a_plan_activity_is_recorded_by_the_offenders_supervising_officer(case):
    from plans.services import activity_add, activity_record, plan_create

    plan = plan_create(actor=case["officer"], sentence=case["sentence"])
    activity = activity_add(
        actor=case["officer"],
        plan=plan,
        scheduled_on=today() + datetime.timedelta(days=2),
        description="Budgeting",
    )
    far = activity_add(
        actor=case["officer"],
        plan=plan,
        scheduled_on=today() + datetime.timedelta(days=30),
        description="Later",
    )
    [item] = items(case["officer"], "plan_activity")
    assert item.title == "Record attendance: Budgeting"
    assert item.due_on == activity.scheduled_on
    assert item.url == f"/plans/activities/{activity.pk}/"
    assert far.pk not in {int(i.key.split(":")[1]) for i in items(case["officer"], "plan_activity")}
    assert items(case["colleague"], "plan_activity") == []
    assert items(case["manager"], "plan_activity") == []

    activity_record(actor=case["officer"], activity=activity, to_status="completed", on=today())
    assert items(case["officer"], "plan_activity") == []


def test_a_report_is_the_authors_work_then_the_service_managers_to_approve(case):
    from documents.reports import report_approve, report_assemble, report_submit

    due = today() + datetime.timedelta(days=10)
    report = report_assemble(
        actor=case["officer"], offender=case["offender"], kind="pre_sentence", due_on=due
    )
    [item] = items(case["officer"], "report")
    assert item.title == "Write the report: Pre-sentence report"
    assert item.due_on == due
    assert item.url == f"/documents/reports/{report.pk}/"
    assert items(case["manager"], "report") == []

    report_submit(actor=case["officer"], report=report)
    assert items(case["officer"], "report") == []
    for who in ("manager", "manager2"):
        assert [i.title for i in items(case[who], "report")] == [
            "Approve or return the report: Pre-sentence report"
        ]
    other_office_manager = staff_user(Role.SERVICE_MANAGER, OfficeFactory())
    assert items(other_office_manager, "report") == []

    report_approve(actor=case["manager"], report=report)
    assert [i.title for i in items(case["officer"], "report")] == [
        "Issue the approved report: Pre-sentence report"
    ]
    assert items(case["manager2"], "report") == []


def test_their_links_open_for_the_people_they_are_shown_to(client, case):
    from django.urls import reverse

    from documents.reports import report_assemble, report_submit
    from plans.services import activity_add, plan_create

    plan = plan_create(actor=case["officer"], sentence=case["sentence"])
    activity_add(
        actor=case["officer"],
        plan=plan,
        scheduled_on=today() - datetime.timedelta(days=9),
        description="Late",
    )
    due = today() + datetime.timedelta(days=3)
    report_assemble(actor=case["officer"], offender=case["offender"], kind="pre_sentence", due_on=due)
    submitted = report_assemble(
        actor=case["officer"], offender=case["offender"], kind="breach", due_on=due, sentence=case["sentence"]
    )
    report_submit(actor=case["officer"], report=submitted)
    seen = set()
    for who in ("officer", "manager"):
        client.force_login(case[who])
        for name in ("inbox:mine", "inbox:team"):
            response = client.get(reverse(name))
            if response.status_code == 403:
                continue
            for row in response.context["inbox"].rows:
                seen.add((who, name, row.item.kind))
                assert client.get(row.item.url).status_code == 200, (who, row.item.url)
    assert ("officer", "inbox:mine", "plan_activity") in seen
    assert ("officer", "inbox:mine", "report") in seen
    assert ("manager", "inbox:mine", "report") in seen  # the one to approve
    assert ("manager", "inbox:team", "plan_activity") in seen  # the officer's, as their manager sees it
    assert ("manager", "inbox:mine", "plan_activity") in seen  # 9 days overdue: escalated


def test_an_agreed_plans_review_is_the_writers_work_until_it_is_reviewed(case):
    from plans.models import Objective
    from plans.services import objective_add, plan_agree, plan_create, plan_review

    officer = case["officer"]
    plan = plan_create(actor=officer, sentence=case["sentence"])
    need = Objective._meta.get_field("need_area").choices[0][0]
    objective_add(
        actor=officer,
        plan=plan,
        text="Stable housing",
        need_area=need,
        target_on=today() + datetime.timedelta(days=90),
    )
    plan = plan_agree(
        actor=officer, plan=plan, agreed_on=today(), review_on=today() + datetime.timedelta(days=40)
    )
    assert items(officer, "plan_review") == [], "a review weeks away is not work yet"

    type(plan).objects.filter(pk=plan.pk).update(review_on=today() + datetime.timedelta(days=3))
    [item] = items(officer, "plan_review")
    assert item.title == "Review the sentence plan"
    assert item.due_on == today() + datetime.timedelta(days=3)
    assert item.url == f"/plans/{plan.pk}/"
    assert items(case["colleague"], "plan_review") == []
    assert items(case["manager"], "plan_review") == []

    plan.refresh_from_db()
    plan_review(
        actor=officer, plan=plan, reviewed_on=today(), review_on=today() + datetime.timedelta(days=90)
    )
    assert items(officer, "plan_review") == []
