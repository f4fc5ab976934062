"""The plans app's work in the inbox (inbox.sources gathers it): the open activities of sentence
plans to record, and agreed plans coming up for review, for the members of the offender's team who
may write the plan (plans.access.can_write_plan_for)."""

import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q

from agencies.models import OPEN_REFERRAL_STATUSES
from allocation.models import CaseAllocation, CaseRole
from classification.models import ActivityStatus, SentencePlanActivity
from ioms.read_models import InboxSource, Person, make_item, url_for
from offenders.access import VIEWING_ROLES
from plans.models import PlanStatus, SentencePlan
from sentences.models import SentenceType
from staff.roles import Role

# Open activities are recorded (attended, completed, not completed or unavailable) by the
# offender's team, from this many days before they start or are due to end.
PLAN_ACTIVITY_WITHIN_DAYS = 7
PLAN_REVIEW_WITHIN_DAYS = 14  # an agreed plan's review shows this long before it is due
# The team members who hold a plan's work (allocation.CaseAllocation).
PLAN_TEAM_ROLES = (CaseRole.OFFENDER_MANAGER, CaseRole.OFFENDER_SUPERVISOR, CaseRole.SUPERVISING_OFFICER)


def _may_read_record(viewer: Person) -> bool:
    """plans.access.can_view_plans: offenders.access.can_view_offender, less the read-only data share."""
    return bool(viewer.roles & VIEWING_ROLES)


def _plan_writers(team_user_ids, by_user: dict, sentence) -> set[int]:
    """The team members in `team_user_ids` who may write the sentence's plan: a probation officer
    on the case; for a prison sentence, a prison officer of the prison managing it."""
    prison_id = sentence.managing_office_id if sentence.sentence_type == SentenceType.IMPRISONMENT else None
    return {
        user_id
        for user_id in team_user_ids
        if user_id in by_user
        and (
            by_user[user_id].holds(Role.PROBATION_OFFICER)
            or (
                prison_id is not None
                and by_user[user_id].holds(Role.PRISON_OFFICER)
                and by_user[user_id].office_id == prison_id
            )
        )
    }


class SentencePlanActivitySource(InboxSource):
    """Issue 6, sentence plans: an open activity of a sentence plan is work for the members of the
    offender's team who hold it (offender manager, offender supervisor, supervising officers:
    allocation.CaseAllocation) and may write the plan (plans.access.can_write_plan_for: a probation
    officer on the case; for a prison sentence's plan, a prison officer of the prison managing it).
    Scheduled: record attendance, due the day it starts. Attended: record the outcome, due the day
    it is planned to end. An activity whose programme referral is still open is recorded on the
    referral by the agency, not here."""

    kind = "plan_activity"
    label = "Sentence-plan activities"

    def items_for(self, people, today):
        staff_ids = [person.staff_id for person in people if person.staff_id is not None]
        if not staff_ids:
            return []
        horizon = today + datetime.timedelta(days=PLAN_ACTIVITY_WITHIN_DAYS)
        team = CaseAllocation.objects.current().filter(
            offender_id=OuterRef("offender_id"), role__in=PLAN_TEAM_ROLES, staff_id__in=staff_ids
        )
        rows = (
            SentencePlanActivity.objects.filter(plan__isnull=False)
            .filter(
                Q(status=ActivityStatus.SCHEDULED, scheduled_on__lte=horizon)
                | Q(status=ActivityStatus.ATTENDED, planned_end_on__isnull=False, planned_end_on__lte=horizon)
            )
            .exclude(referral__status__in=list(OPEN_REFERRAL_STATUSES))
            .filter(Exists(team))
            .annotate(team_user_ids=ArraySubquery(team.values("staff__user_id")))
            .select_related("offender", "plan__sentence")
            .order_by("scheduled_on", "pk")
        )
        by_user = {person.user_id: person for person in people}
        items = []
        for activity in rows:
            assignees = _plan_writers(activity.team_user_ids, by_user, activity.plan.sentence)
            if not assignees:
                continue
            if activity.status == ActivityStatus.SCHEDULED:
                title, due_on = f"Record attendance: {activity.description}", activity.scheduled_on
            else:
                title, due_on = f"Record the outcome: {activity.description}", activity.planned_end_on
            items.append(
                make_item(
                    today=today,
                    due_on=due_on,
                    offender=activity.offender,
                    key=f"{self.kind}:{activity.pk}:{activity.status}",
                    kind=self.kind,
                    title=title[:200],
                    detail=f"{activity.get_status_display()}; planned to start "
                    f"{activity.scheduled_on:%-d %b %Y}",
                    url=url_for("plans:activity_record", activity.pk),
                    assignee_ids=frozenset(assignees),
                )
            )
        return items

    def may_see(self, viewer, item):
        return _may_read_record(viewer)


class PlanReviewSource(InboxSource):
    """Issue 6, sentence plans: an agreed plan whose review date (SentencePlan.review_on) is
    within two weeks or past is work for the team members who may write the plan (as for its
    activities); it is done when the plan is reviewed (plans:review sets the next date)."""

    kind = "plan_review"
    label = "Sentence-plan reviews"

    def items_for(self, people, today):
        staff_ids = [person.staff_id for person in people if person.staff_id is not None]
        if not staff_ids:
            return []
        team = CaseAllocation.objects.current().filter(
            offender_id=OuterRef("offender_id"), role__in=PLAN_TEAM_ROLES, staff_id__in=staff_ids
        )
        rows = (
            SentencePlan.objects.filter(
                status=PlanStatus.AGREED,
                review_on__isnull=False,
                review_on__lte=today + datetime.timedelta(days=PLAN_REVIEW_WITHIN_DAYS),
            )
            .filter(Exists(team))
            .annotate(team_user_ids=ArraySubquery(team.values("staff__user_id")))
            .select_related("offender", "sentence")
            .order_by("review_on", "pk")
        )
        by_user = {person.user_id: person for person in people}
        items = []
        for plan in rows:
            assignees = _plan_writers(plan.team_user_ids, by_user, plan.sentence)
            if not assignees:
                continue
            items.append(
                make_item(
                    today=today,
                    due_on=plan.review_on,
                    offender=plan.offender,
                    key=f"{self.kind}:{plan.pk}:{plan.review_on.isoformat()}",
                    kind=self.kind,
                    title="Review the sentence plan",
                    detail=f"Plan for {plan.sentence.get_sentence_type_display().lower()}; "
                    f"review due {plan.review_on:%-d %b %Y}",
                    url=url_for("plans:detail", plan.pk),
                    assignee_ids=frozenset(assignees),
                )
            )
        return items

    def may_see(self, viewer, item):
        return _may_read_record(viewer)
