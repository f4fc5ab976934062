"""The classification app's work in the inbox (inbox.sources gathers it): reviews at each step,
for whoever may take that step (classification.access and the four-eyes rule of
classification.services), and reviews coming due by the schedule (classification.schedule).

Each step's working target (REVIEW_STEPS) is the portal's: the review records none."""

import datetime
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, F, OuterRef, Subquery

from classification.access import CLASSIFICATION_VIEWING_ROLES
from classification.models import OPEN_REVIEW_STATUSES, Review, ReviewSchedule, ReviewStatus, ReviewTransition
from ioms.read_models import InboxSource, Person, WorkItem, local_day, make_item, pools, url_for
from sentences.models import Sentence, SentenceType
from staff.roles import Role


@dataclass(frozen=True)
class ReviewStep:
    title: str
    days: int


# Each step's target, in days from the day the review reached it.
REVIEW_STEPS: dict[str, ReviewStep] = {
    ReviewStatus.INITIATED: ReviewStep("Complete and submit the classification review", 7),
    ReviewStatus.SENT_BACK: ReviewStep("Correct and resubmit the classification review sent back", 5),
    ReviewStatus.SUBMITTED: ReviewStep("Recommend the classification review", 5),
    ReviewStatus.RECOMMENDED: ReviewStep("Approve the classification review", 5),
    ReviewStatus.REFERRED_BACK: ReviewStep("Put right the classification referred back", 2),
    ReviewStatus.APPROVED: ReviewStep("Advise the prisoner of the approved classification", 5),
}


def _prisons_of(offender_ref: str = "offender_id") -> ArraySubquery:
    """The prisons managing the offender's current imprisonment sentences (as
    classification.access.prison_office_ids), as an array on each row."""
    return ArraySubquery(
        Sentence.objects.current()
        .filter(
            offender_id=OuterRef(offender_ref),
            sentence_type=SentenceType.IMPRISONMENT,
            managing_office__isnull=False,
        )
        .values("managing_office_id")
    )


def _held_at(offender_ref: str, office_ids: list[int]) -> Exists:
    return Exists(
        Sentence.objects.current().filter(
            offender_id=OuterRef(offender_ref),
            sentence_type=SentenceType.IMPRISONMENT,
            managing_office_id__in=office_ids,
        )
    )


def _may_see_classification(viewer: Person, item: WorkItem) -> bool:
    """classification.access.can_view_classification: staff of the prison in the viewing roles."""
    if viewer.holds(Role.SYSTEM_ADMIN):
        return True
    return viewer.holds(*CLASSIFICATION_VIEWING_ROLES) and viewer.office_id in item.office_ids


PRISON_STEP_ROLES = (Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER)


class ClassificationReviewSource(InboxSource):
    """Seed 003, C to E, as classification.access and the four-eyes rule in
    classification.services decide who takes each step:

    - initiated or sent back: the initiating officer, while a prison officer of the prison;
    - submitted: the prison's recommending officers, never the initiating officer nor anyone who
      submitted or approved it in an earlier round;
    - recommended, or referred back from the advising check: the prison's approving officers,
      never anyone who initiated, submitted or recommended it;
    - approved: the prison's prison officers, to advise the prisoner.

    Due: each step's target (REVIEW_STEPS) from the day the review reached it; while the review is
    open, no later than the date the review schedule says it is due, unless that date had already
    passed when the step began (then the step's own target gives the officer time to do it)."""

    kind = "classification_review"
    label = "Classification reviews"

    def items_for(self, people, today):
        steps = REVIEW_STEPS
        at_prisons = [p for p in people if p.office_id is not None and p.holds(*PRISON_STEP_ROLES)]
        if not at_prisons:
            return []
        offices = sorted({p.office_id for p in at_prisons})

        def actors(to_status: str) -> ArraySubquery:
            return ArraySubquery(
                ReviewTransition.objects.filter(review_id=OuterRef("pk"), to_status=to_status).values(
                    "actor_id"
                )
            )

        reviews = (
            Review.objects.filter(status__in=list(steps))
            .filter(_held_at("offender_id", offices))
            .select_related("offender")
            .annotate(
                prisons=_prisons_of(),
                submitters=actors(ReviewStatus.SUBMITTED),
                recommenders=actors(ReviewStatus.RECOMMENDED),
                approvers=actors(ReviewStatus.APPROVED),
                step_began=Subquery(
                    ReviewTransition.objects.filter(review_id=OuterRef("pk"))
                    .order_by("-at", "-id")
                    .values("at")[:1]
                ),
                schedule_due=F("offender__review_schedule__due_on"),
            )
            .order_by("pk")
        )
        items = []
        for review in reviews:
            prisons = set(review.prisons)
            here = [p for p in at_prisons if p.office_id in prisons]
            assignees = self._actors(review, here)
            if not assignees:
                continue
            step = steps[review.status]
            began = local_day(review.step_began or review.initiated_at)
            due_on = began + datetime.timedelta(days=step.days)
            detail = review.get_status_display()
            if review.status in OPEN_REVIEW_STATUSES and review.schedule_due:
                detail = f"{detail}; review due by the schedule on {review.schedule_due:%-d %b %Y}"
                if review.schedule_due >= began:
                    due_on = min(due_on, review.schedule_due)
            items.append(
                make_item(
                    today=today,
                    due_on=due_on,
                    offender=review.offender,
                    key=f"{self.kind}:{review.pk}:{review.status}",
                    kind=self.kind,
                    title=step.title,
                    detail=detail,
                    url=url_for("classification:review", review.pk),
                    assignee_ids=frozenset(assignees),
                    office_ids=frozenset(prisons),
                    produced_at=review.step_began or review.initiated_at,
                )
            )
        return items

    @staticmethod
    def _actors(review, here: list[Person]) -> set[int]:
        status = review.status
        if status in (ReviewStatus.INITIATED, ReviewStatus.SENT_BACK):
            return {
                p.user_id
                for p in here
                if p.user_id == review.initiated_by_id and p.holds(Role.PRISON_OFFICER)
            }
        if status == ReviewStatus.SUBMITTED:
            barred = {review.initiated_by_id, *review.submitters, *review.approvers}
            return {p.user_id for p in here if p.holds(Role.RECOMMENDING_OFFICER) and p.user_id not in barred}
        if status in (ReviewStatus.RECOMMENDED, ReviewStatus.REFERRED_BACK):
            barred = {
                review.initiated_by_id,
                review.recommended_by_id,
                *review.submitters,
                *review.recommenders,
            }
            return {p.user_id for p in here if p.holds(Role.APPROVING_OFFICER) and p.user_id not in barred}
        if status == ReviewStatus.APPROVED:
            return {p.user_id for p in here if p.holds(Role.PRISON_OFFICER)}
        return set()

    def may_see(self, viewer, item):
        return _may_see_classification(viewer, item)


# Reviews due within this many days appear in the prison officers' inboxes (issue 6).
REVIEW_DUE_WITHIN_DAYS = 14


class ReviewDueSource(InboxSource):
    """Issue 5, Scheduling: a prisoner's next review (classification.models.ReviewSchedule) due
    within REVIEW_DUE_WITHIN_DAYS, or overdue, with no review open yet, is work for the prison
    officers of the prison managing the sentence, who may initiate it
    (classification.access.can_initiate_review). Due: the schedule's date."""

    kind = "classification_due"
    label = "Classification reviews due"

    def items_for(self, people, today):
        officers = pools(people, lambda person: person.holds(Role.PRISON_OFFICER))
        if not officers:
            return []
        rows = (
            ReviewSchedule.objects.filter(
                due_on__isnull=False, due_on__lte=today + datetime.timedelta(days=REVIEW_DUE_WITHIN_DAYS)
            )
            .filter(_held_at("offender_id", sorted(officers)))
            .exclude(
                Exists(
                    Review.objects.filter(
                        offender_id=OuterRef("offender_id"), status__in=OPEN_REVIEW_STATUSES
                    )
                )
            )
            .select_related("offender")
            .annotate(prisons=_prisons_of())
            .order_by("due_on", "offender_id")
        )
        items = []
        for row in rows:
            prisons = set(row.prisons)
            assignees = set().union(*(officers.get(prison, set()) for prison in prisons))
            if not assignees:
                continue
            items.append(
                make_item(
                    today=today,
                    due_on=row.due_on,
                    offender=row.offender,
                    key=f"{self.kind}:{row.offender_id}:{row.due_on.isoformat()}",
                    kind=self.kind,
                    title="Start the classification review",
                    detail=row.reason,
                    url=url_for("classification:prisoner", row.offender_id),
                    assignee_ids=frozenset(assignees),
                    office_ids=frozenset(prisons),
                    produced_at=row.computed_at,
                )
            )
        return items

    def may_see(self, viewer, item):
        return _may_see_classification(viewer, item)
