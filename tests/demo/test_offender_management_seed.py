"""The demo's offender management teams, sentence plans and reports (demo/offender_management.py)."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count

from allocation.models import CaseAllocation, CaseRole
from allocation.services import COMMUNITY_OFFICE_KINDS
from casenotes.models import Casenote
from classification.models import ActivityStatus
from classification.selectors import current_prisoner_ids
from demo.work import late_arrival_ids
from documents.models import IssueRecord, Report, ReportStatus
from inbox.selectors import inbox_of, person_of
from plans.models import ObjectiveStatus, PlanStatus, SentencePlan
from sentences.custody import in_custody_q
from sentences.models import Sentence, SentenceStatus, SentenceType
from staff.demo_logins import demo_username
from staff.models import OfficeKind
from staff.roles import Role

pytestmark = pytest.mark.django_db


def demo_user(role):
    return get_user_model().objects.select_related("staff__office").get(username=demo_username(role))


def current(role):
    return CaseAllocation.objects.current().filter(role=role).select_related("staff__office")


def prisons_of_prisoners() -> dict[int, set[int]]:
    prisons: dict[int, set[int]] = {}
    # In custody: a released prisoner serves the rest of the sentence in the community.
    for offender_id, office_id in Sentence.objects.filter(
        in_custody_q(),
        sentence_type=SentenceType.IMPRISONMENT,
        status=SentenceStatus.ACTIVE,
        managing_office__kind=OfficeKind.PRISON,
    ).values_list("offender_id", "managing_office_id"):
        prisons.setdefault(offender_id, set()).add(office_id)
    return prisons


def test_every_current_prisoner_has_one_offender_supervisor_at_their_prison(seeded):
    """Except those recorded after the seeding made the teams (demo/work.py): the prisoner just
    received waits in the prison's allocation queue."""
    late = late_arrival_ids()
    prisons = {pk: offices for pk, offices in prisons_of_prisoners().items() if pk not in late}
    assert prisons and set(prisons) == set(current_prisoner_ids()) - late
    supervisors = {row.offender_id: row for row in current(CaseRole.OFFENDER_SUPERVISOR)}
    assert set(supervisors) == set(prisons)
    for offender_id, row in supervisors.items():
        assert row.staff.office_id in prisons[offender_id]
        assert row.sentence_id is None and row.started_on <= datetime.date.today()
    assert "offender supervisors" in seeded


def test_key_workers_are_officers_at_the_prison_other_than_the_supervisor(seeded):
    supervisors = {row.offender_id: row for row in current(CaseRole.OFFENDER_SUPERVISOR)}
    key_workers = list(current(CaseRole.KEY_WORKER))
    assert key_workers
    for row in key_workers:
        supervisor = supervisors[row.offender_id]
        assert row.staff.office_id == supervisor.staff.office_id
        assert row.staff_id != supervisor.staff_id


def test_offenders_supervised_in_the_community_have_an_offender_manager_at_that_office(seeded):
    supervising = {}
    for row in current(CaseRole.SUPERVISING_OFFICER).filter(staff__office__kind__in=COMMUNITY_OFFICE_KINDS):
        supervising.setdefault(row.offender_id, set()).add(row.staff.office_id)
    managers = list(current(CaseRole.OFFENDER_MANAGER))
    assert supervising and {row.offender_id for row in managers} == set(supervising)
    for row in managers:
        assert row.staff.office.kind in COMMUNITY_OFFICE_KINDS
        assert row.staff.office_id in supervising[row.offender_id]
        assert row.sentence_id is None


def test_the_demo_probation_officer_has_agreed_plans_with_objectives_and_activities(seeded):
    officer = demo_user(Role.PROBATION_OFFICER)
    plans = list(SentencePlan.objects.filter(written_by=officer).prefetch_related("objectives", "activities"))
    agreed = [plan for plan in plans if plan.status == PlanStatus.AGREED]
    assert agreed, "the demo officer has an agreed plan"
    for plan in plans:
        # Written for a sentence on the officer's own caseload.
        assert CaseAllocation.objects.current().filter(offender=plan.offender, staff__user=officer).exists()
        assert plan.objectives.exists()
    activities = [activity for plan in agreed for activity in plan.activities.all()]
    assert {activity.offender_id for activity in activities} <= {plan.offender_id for plan in agreed}
    with_programme = [activity for activity in activities if activity.programme_id]
    assert with_programme and all(activity.referral_id for activity in with_programme)
    assert any(activity.status == ActivityStatus.COMPLETED for activity in activities)
    [unavailable] = [activity for activity in activities if activity.status == ActivityStatus.UNAVAILABLE]
    assert unavailable.unavailable_reason
    achieved = [o for plan in agreed for o in plan.objectives.all() if o.status == ObjectiveStatus.ACHIEVED]
    assert all(objective.status_changed_on for objective in achieved)
    # Made through the services: the agreement is on the offender's casenotes.
    for plan in agreed:
        assert Casenote.objects.filter(offender=plan.offender, summary="Sentence plan agreed").exists()


def test_the_demo_probation_officer_has_a_draft_report_due_at_a_hearing_to_come(seeded):
    officer = demo_user(Role.PROBATION_OFFICER)
    drafts = Report.objects.filter(author=officer, status=ReportStatus.DRAFT)
    assert drafts.exists()
    assert all(report.due_on >= datetime.date.today() for report in drafts)


def test_the_demo_service_manager_has_a_report_awaiting_approval_in_their_inbox(seeded):
    manager = demo_user(Role.SERVICE_MANAGER)
    waiting = Report.objects.get(status=ReportStatus.SUBMITTED)
    assert waiting.author_id != manager.pk and waiting.submitted_version_id is not None
    me = person_of(manager)
    keys = {row.item.key for row in inbox_of(me, viewer=me, today=datetime.date.today()).rows}
    assert f"report:{waiting.pk}:submitted" in keys


def test_the_issued_report_was_approved_by_someone_other_than_its_author(seeded):
    issued = Report.objects.get(status=ReportStatus.ISSUED)
    assert issued.approved_by == demo_user(Role.SERVICE_MANAGER)
    assert issued.approved_by_id != issued.author_id
    issue = IssueRecord.objects.get(report=issued)
    assert issue.version_id == issued.approved_version_id and issue.pdf


def test_a_second_seeding_adds_no_duplicates(seeded):
    plans, reports = SentencePlan.objects.count(), Report.objects.count()
    call_command("seed_demo", "--offenders", "20", "--force", "--no-progress", stdout=io.StringIO())
    assert (SentencePlan.objects.count(), Report.objects.count()) == (plans, reports)
    for role in (CaseRole.OFFENDER_MANAGER, CaseRole.OFFENDER_SUPERVISOR):
        held = current(role).values("offender_id").annotate(n=Count("id"))
        assert not held.filter(n__gt=1).exists()
    # The new offenders supervised in the community were given their offender manager too.
    supervised = set(
        current(CaseRole.SUPERVISING_OFFICER)
        .filter(staff__office__kind__in=COMMUNITY_OFFICE_KINDS)
        .values_list("offender_id", flat=True)
    )
    assert supervised == set(current(CaseRole.OFFENDER_MANAGER).values_list("offender_id", flat=True))
    assert set(prisons_of_prisoners()) == set(
        current(CaseRole.OFFENDER_SUPERVISOR).values_list("offender_id", flat=True)
    )
