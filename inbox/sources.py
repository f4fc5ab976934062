"""Where outstanding work comes from. Each source reads the records that produced the work (an
allocate request waiting in a queue, a classification review at one of its steps, an exception
to reconcile ...) and says who may act on each: nothing is copied into the inbox, so there is
nothing to keep in step.

A source's `items_for(people, today)` answers for many people at once in a fixed number of
queries (one or two per source), however many people or items; `may_see(viewer, item)` says,
without a query, whether someone looking at another person's inbox (their manager) may see the
item. Both mirror the producing app's access module (named in each source), so the inbox never
offers work a person may not do, nor shows a record they may not see.

Due dates, where the record carries none, are the portal's working targets, kept here per
kind: EXCEPTION_RECONCILE_DAYS, CORRECTION_SEND_DAYS, CORRECTION_FOLLOW_UP_DAYS and REVIEW_STEPS.
An item overdue by more than its source's `escalate_after_days` is escalated to the assignee's
manager (inbox.selectors, inbox.services)."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from allocation.access import PRISON_MANAGING_ROLES
from allocation.models import AllocateRequest, AllocateRequestKind, CaseAllocation
from classification.access import CLASSIFICATION_VIEWING_ROLES
from classification.models import OPEN_REVIEW_STATUSES, Review, ReviewSchedule, ReviewStatus, ReviewTransition
from courts.access import CORRECTION_RAISING_ROLES
from courts.models import CorrectionRequest, CorrectionStatus
from offenders.access import VIEWING_ROLES
from reconciliation.access import OFFICE_WORKER_ROLES
from reconciliation.models import DataException, ExceptionStatus
from sentences.models import Sentence, SentenceType
from staff.models import OfficeKind
from staff.roles import Role

# Overdue by more than this many days, an item also appears in the assignee's manager's inbox.
ESCALATE_AFTER_DAYS = 3


@dataclass(frozen=True)
class Person:
    """Someone who may have work: a user with their roles and (if they have one) staff record."""

    user_id: int
    name: str
    roles: frozenset[str]
    staff_id: int | None = None
    office_id: int | None = None
    office_kind: str = ""
    team_id: int | None = None

    def holds(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


@dataclass(frozen=True)
class WorkItem:
    """One piece of outstanding work. `assignee_ids` are the users who may do it (one, or a pool
    such as an office's administrative support); `key` identifies the work across days."""

    key: str
    kind: str
    title: str
    url: str
    assignee_ids: frozenset[int]
    due_on: datetime.date | None
    days_overdue: int | None  # today - due_on: positive when overdue, None without a due date
    offender_id: int | None = None
    offender_prn: str = ""
    offender_name: str = ""
    # Need-to-know: the item's record is restricted; inbox.selectors masks its name and detail
    # for anyone not on its access list.
    offender_restricted: bool = False
    detail: str = ""
    office_ids: frozenset[int] = frozenset()
    produced_at: datetime.datetime | None = None
    sensitive: bool = False  # holds sensitive casenote extracts

    @property
    def overdue(self) -> bool:
        return self.days_overdue is not None and self.days_overdue > 0

    @property
    def days_left(self) -> int | None:
        return None if self.days_overdue is None else -self.days_overdue


# A key no record has, reversed once per page name: a list of hundreds of items then builds each
# link by substitution instead of resolving the URL each time.
_KEY_PLACEHOLDER = 2_147_483_647


@cache
def _url_pattern(name: str) -> str:
    return reverse(name, args=[_KEY_PLACEHOLDER])


def url_for(name: str, pk: int) -> str:
    """reverse(name, args=[pk]) for a page taking one integer key."""
    return _url_pattern(name).replace(str(_KEY_PLACEHOLDER), str(int(pk)), 1)


def _offender_fields(offender) -> dict:
    if offender is None:
        return {}
    return {
        "offender_id": offender.pk,
        "offender_prn": offender.prn,
        "offender_name": f"{offender.family_name.upper()}, {offender.given_names}",
        "offender_restricted": offender.restricted,
    }


def _local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def make_item(*, today: datetime.date, due_on: datetime.date | None, offender=None, **fields) -> WorkItem:
    days_overdue = None if due_on is None else (today - due_on).days
    return WorkItem(due_on=due_on, days_overdue=days_overdue, **_offender_fields(offender), **fields)


def _pools(people: Iterable[Person], wanted) -> dict[int, set[int]]:
    """Office id -> the user ids of the people there for whom `wanted(person)` holds."""
    pools: dict[int, set[int]] = defaultdict(set)
    for person in people:
        if person.office_id is not None and wanted(person):
            pools[person.office_id].add(person.user_id)
    return pools


class Source:
    kind: str = ""
    label: str = ""
    escalate_after_days: int = ESCALATE_AFTER_DAYS

    @classmethod
    def available(cls) -> bool:
        """Whether the records this source reads exist in this installation."""
        return True

    def items_for(self, people: Sequence[Person], today: datetime.date) -> list[WorkItem]:
        raise NotImplementedError

    def may_see(self, viewer: Person, item: WorkItem) -> bool:
        raise NotImplementedError


# --- Allocate requests (allocation app) -------------------------------------------------------


class AllocateRequestSource(Source):
    """Seed 002: an open allocate request waits in its office's queue for a service manager of
    that office; in a prison's queue its senior officers work it too
    (allocation.access.can_work_queue). Due: the request's own date, set when it was raised
    (within ALLOCATE_WITHIN_DAYS, or before the start or release for a pre-allocation)."""

    kind = "allocate_request"
    label = "Allocate requests"

    @staticmethod
    def _works_queue(person: Person) -> bool:
        if person.holds(Role.SERVICE_MANAGER):
            return True
        return person.office_kind == OfficeKind.PRISON and person.holds(*PRISON_MANAGING_ROLES)

    def items_for(self, people, today):
        pools = _pools(people, self._works_queue)
        if not pools:
            return []
        requests = (
            AllocateRequest.objects.open()
            .filter(office_id__in=list(pools))
            .select_related("offender", "office", "sentence")
        )
        items = []
        for request in requests:
            for_prison = request.office.kind == OfficeKind.PRISON
            detail = request.get_kind_display()
            if request.kind == AllocateRequestKind.PRE_RELEASE and request.sentence is not None:
                release = _next_release(request.sentence, today)
                if release:
                    detail = f"{detail}: release on {release:%-d %b %Y}"
            items.append(
                make_item(
                    today=today,
                    due_on=request.due_on,
                    offender=request.offender,
                    key=f"{self.kind}:{request.pk}",
                    kind=self.kind,
                    title="Allocate an offender supervisor" if for_prison else "Allocate a probation officer",
                    detail=f"{detail} ({request.office.name})",
                    url=url_for("allocation:request", request.pk),
                    assignee_ids=frozenset(pools[request.office_id]),
                    office_ids=frozenset({request.office_id}),
                    produced_at=request.received_at,
                )
            )
        return items

    def may_see(self, viewer, item):
        if viewer.holds(Role.SYSTEM_ADMIN):
            return True
        return viewer.office_id in item.office_ids and self._works_queue(viewer)


def _next_release(sentence, today: datetime.date) -> datetime.date | None:
    """The next parole hearing or statutory release still to come (as allocation.services)."""
    dates = [day for day in (sentence.parole_hearing_date, sentence.statutory_release_date) if day]
    coming = [day for day in dates if day >= today]
    return min(coming) if coming else None


# --- Classification reviews (classification app) ----------------------------------------------


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


class ClassificationReviewSource(Source):
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
            began = _local_day(review.step_began or review.initiated_at)
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


class ReviewDueSource(Source):
    """Issue 5, Scheduling: a prisoner's next review (classification.models.ReviewSchedule) due
    within REVIEW_DUE_WITHIN_DAYS, or overdue, with no review open yet, is work for the prison
    officers of the prison managing the sentence, who may initiate it
    (classification.access.can_initiate_review). Due: the schedule's date."""

    kind = "classification_due"
    label = "Classification reviews due"

    def items_for(self, people, today):
        pools = _pools(people, lambda person: person.holds(Role.PRISON_OFFICER))
        if not pools:
            return []
        rows = (
            ReviewSchedule.objects.filter(
                due_on__isnull=False, due_on__lte=today + datetime.timedelta(days=REVIEW_DUE_WITHIN_DAYS)
            )
            .filter(_held_at("offender_id", sorted(pools)))
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
            assignees = set().union(*(pools.get(prison, set()) for prison in prisons))
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


# --- Exceptions to reconcile (reconciliation app) ---------------------------------------------

# The working target for reconciling an exception: a week from when it was raised (5 days).
EXCEPTION_RECONCILE_DAYS = 5


def _works_exceptions_of(person: Person, office_id: int | None) -> bool:
    """reconciliation.access.can_work_exception."""
    if person.holds(Role.SYSTEM_ADMIN):
        return True
    return office_id is not None and person.holds(*OFFICE_WORKER_ROLES) and person.office_id == office_id


class DataExceptionSource(Source):
    """Seed 001: an open or in-progress exception is work for whoever holds it (while they may still
    reconcile it, reconciliation.access.can_work_exception); one nobody holds is work for the
    office's administrative support, and one placed in no office for the system administrators.
    An exception waiting for a correction from the courts is followed up as the correction
    request (CorrectionRequestSource). Due: EXCEPTION_RECONCILE_DAYS after it was raised."""

    kind = "exception"
    label = "Exceptions to reconcile"

    def items_for(self, people, today):
        by_user = {person.user_id: person for person in people}
        pools = _pools(people, lambda person: person.holds(Role.ADMIN_SUPPORT))
        national = {person.user_id for person in people if person.holds(Role.SYSTEM_ADMIN)}
        unheld = Q(office_id__in=list(pools))
        if national:
            unheld |= Q(office__isnull=True)
        rows = (
            DataException.objects.filter(status__in=[ExceptionStatus.OPEN, ExceptionStatus.IN_PROGRESS])
            .filter(Q(assignee_id__in=list(by_user)) | (Q(assignee__isnull=True) & unheld))
            .select_related("offender")
            .order_by("opened_at", "pk")
        )
        items = []
        for exception in rows:
            holder = by_user.get(exception.assignee_id)
            if holder is not None and _works_exceptions_of(holder, exception.office_id):
                assignees = {holder.user_id}
            elif exception.office_id is None:
                assignees = national
            else:
                assignees = pools.get(exception.office_id, set())
            if not assignees:
                continue
            status = "" if exception.status == ExceptionStatus.OPEN else f"{exception.get_status_display()}: "
            items.append(
                make_item(
                    today=today,
                    due_on=_local_day(exception.opened_at)
                    + datetime.timedelta(days=EXCEPTION_RECONCILE_DAYS),
                    offender=exception.offender,
                    key=f"{self.kind}:{exception.pk}",
                    kind=self.kind,
                    title=f"Reconcile: {exception.get_reason_code_display()}",
                    detail=f"{status}{exception.detail}"[:300],
                    url=url_for("reconciliation:detail", exception.pk),
                    assignee_ids=frozenset(assignees),
                    office_ids=frozenset({exception.office_id}) if exception.office_id else frozenset(),
                    produced_at=exception.opened_at,
                )
            )
        return items

    def may_see(self, viewer, item):
        office_id = next(iter(item.office_ids), None)
        return _works_exceptions_of(viewer, office_id)


# --- Data-correction requests to the courts (courts app) --------------------------------------

# An open request is sent to the courts within 2 days; one sent is followed up after 20 days
# without the courts' correction.
CORRECTION_SEND_DAYS = 2
CORRECTION_FOLLOW_UP_DAYS = 20


class CorrectionRequestSource(Source):
    """Seed 000: staff ask MoJ (Courts) to correct their data; the administrative staff of the
    office that follows the request up send it and chase it (courts.access.can_handle_correction:
    administrative support and service managers of that office, here its administrative support;
    a request placed in no office: the system administrators). Open: send it, due
    CORRECTION_SEND_DAYS after it was raised. Sent: follow it up, due CORRECTION_FOLLOW_UP_DAYS
    after it was sent, until the courts' correction arrives or it is withdrawn."""

    kind = "correction_request"
    label = "Correction requests"

    def items_for(self, people, today):
        pools = _pools(people, lambda person: person.holds(Role.ADMIN_SUPPORT))
        national = {person.user_id for person in people if person.holds(Role.SYSTEM_ADMIN)}
        if not pools and not national:
            return []
        placed = Q(office_id__in=list(pools))
        if national:
            placed |= Q(office__isnull=True)
        rows = (
            CorrectionRequest.objects.filter(status__in=[CorrectionStatus.OPEN, CorrectionStatus.SENT])
            .filter(placed)
            .select_related("offender")
            .order_by("raised_at", "pk")
        )
        items = []
        for request in rows:
            assignees = national if request.office_id is None else pools.get(request.office_id, set())
            if not assignees:
                continue
            if request.status == CorrectionStatus.OPEN:
                title = f"Send correction request {request.reference} to the courts"
                due_on = _local_day(request.raised_at) + datetime.timedelta(days=CORRECTION_SEND_DAYS)
            else:
                title = f"Follow up correction request {request.reference} with the courts"
                due_on = _local_day(request.sent_at or request.raised_at) + datetime.timedelta(
                    days=CORRECTION_FOLLOW_UP_DAYS
                )
            items.append(
                make_item(
                    today=today,
                    due_on=due_on,
                    offender=request.offender,
                    key=f"{self.kind}:{request.pk}:{request.status}",
                    kind=self.kind,
                    title=title,
                    detail=request.what_is_wrong[:300],
                    url=url_for("courts:correction_detail", request.pk),
                    assignee_ids=frozenset(assignees),
                    office_ids=frozenset({request.office_id}) if request.office_id else frozenset(),
                    produced_at=request.raised_at,
                )
            )
        return items

    def may_see(self, viewer, item):
        return viewer.holds(*CORRECTION_RAISING_ROLES)


# --- Sources of records other areas are adding (registered once their records exist) -----------
# Sentence plans (plans app, the classification activity extended with its plan) and reports for
# courts and the Parole Board (documents app) are read through apps.get_model and checked fields,
# so the inbox works in a checkout where either is not there yet.


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _has_fields(model, *names: str) -> bool:
    try:
        for name in names:
            model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _may_read_record(viewer: Person) -> bool:
    """offenders.access.can_view_offender, less the read-only data share (plans.access.can_view_plans,
    documents.access.can_read_documents)."""
    return bool(viewer.roles & VIEWING_ROLES)


def _offender_offices(offender_ref: str = "offender_id") -> ArraySubquery:
    """The offices of offenders.access.offender_office_ids, less the home office (added in Python)."""
    return ArraySubquery(
        Sentence.objects.current()
        .filter(offender_id=OuterRef(offender_ref), managing_office__isnull=False)
        .values("managing_office_id")
    )


def _allocated_users(offender_ref: str = "offender_id", roles: Iterable[str] | None = None) -> ArraySubquery:
    allocations = CaseAllocation.objects.current().filter(offender_id=OuterRef(offender_ref))
    if roles is not None:
        allocations = allocations.filter(role__in=list(roles))
    return ArraySubquery(allocations.values("staff__user_id"))


# Sentence-plan activities: open ones are recorded (attended, completed, not completed or
# unavailable) by the offender's team, from this many days before they start or are due to end.
PLAN_ACTIVITY_MODEL = "classification.SentencePlanActivity"
PLAN_ACTIVITY_WITHIN_DAYS = 7
PLAN_TEAM_ROLES = ("offender_manager", "offender_supervisor", "supervising")


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


class SentencePlanActivitySource(Source):
    """Issue 6, sentence plans: an open activity of a sentence plan is work for the members of the
    offender's team who hold it (offender manager, offender supervisor, supervising officers:
    allocation.CaseAllocation) and may write the plan (plans.access.can_write_plan_for: a probation
    officer on the case; for a prison sentence's plan, a prison officer of the prison managing it).
    Scheduled: record attendance, due the day it starts. Attended: record the outcome, due the day
    it is planned to end. An activity whose programme referral is still open is recorded on the
    referral by the agency, not here. Registered once the activity has its plan."""

    kind = "plan_activity"
    label = "Sentence-plan activities"

    @classmethod
    def available(cls) -> bool:
        model = _model(PLAN_ACTIVITY_MODEL)
        return (
            model is not None
            and _has_fields(model, "plan", "offender", "scheduled_on", "planned_end_on", "status", "referral")
            and _url_exists("plans:activity_record")
        )

    def items_for(self, people, today):
        staff_ids = [person.staff_id for person in people if person.staff_id is not None]
        if not staff_ids:
            return []
        model = _model(PLAN_ACTIVITY_MODEL)
        open_referral_statuses = _constant("agencies.models", "OPEN_REFERRAL_STATUSES", ())
        horizon = today + datetime.timedelta(days=PLAN_ACTIVITY_WITHIN_DAYS)
        team = CaseAllocation.objects.current().filter(
            offender_id=OuterRef("offender_id"), role__in=PLAN_TEAM_ROLES, staff_id__in=staff_ids
        )
        rows = (
            model.objects.filter(plan__isnull=False)
            .filter(
                Q(status="scheduled", scheduled_on__lte=horizon)
                | Q(status="attended", planned_end_on__isnull=False, planned_end_on__lte=horizon)
            )
            .exclude(referral__status__in=list(open_referral_statuses))
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
            if activity.status == "scheduled":
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


PLAN_MODEL = "plans.SentencePlan"
PLAN_REVIEW_WITHIN_DAYS = 14  # an agreed plan's review shows this long before it is due


class PlanReviewSource(Source):
    """Issue 6, sentence plans: an agreed plan whose review date (SentencePlan.review_on) is
    within two weeks or past is work for the team members who may write the plan (as for its
    activities); it is done when the plan is reviewed (plans:review sets the next date)."""

    kind = "plan_review"
    label = "Sentence-plan reviews"

    @classmethod
    def available(cls) -> bool:
        model = _model(PLAN_MODEL)
        return (
            model is not None
            and _has_fields(model, "offender", "sentence", "status", "review_on")
            and _url_exists("plans:detail")
        )

    def items_for(self, people, today):
        staff_ids = [person.staff_id for person in people if person.staff_id is not None]
        if not staff_ids:
            return []
        model = _model(PLAN_MODEL)
        team = CaseAllocation.objects.current().filter(
            offender_id=OuterRef("offender_id"), role__in=PLAN_TEAM_ROLES, staff_id__in=staff_ids
        )
        rows = (
            model.objects.filter(
                status="agreed",
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


# Reports for courts and the Parole Board.
REPORT_MODEL = "documents.Report"
# The roles holding casenotes.view_sensitive_casenote (staff migration 0002): a report with
# sensitive casenote extracts is read only by them (documents.access.can_read_report).
SENSITIVE_READER_ROLES = frozenset({Role.SERVICE_MANAGER, Role.SYSTEM_ADMIN})
REPORT_TITLES = {
    "draft": "Write the report",
    "returned": "Rework the report returned to you",
    "approved": "Issue the approved report",
    "submitted": "Approve or return the report",
}


class ReportDeadlineSource(Source):
    """Issue 6, reports: a report not yet issued or cancelled is work until its due date (the court
    or hearing date). Draft, returned or approved: its author's, while they may still work it
    (documents.access.can_work_report: the record's keepers, can_edit_offender). Waiting for
    approval: the service managers of the offender's offices who wrote no part of it (four eyes,
    documents.access.approval_refusal). A report with sensitive casenote extracts only for those
    who may read them. Registered once documents.Report exists."""

    kind = "report"
    label = "Report deadlines"

    @classmethod
    def available(cls) -> bool:
        model = _model(REPORT_MODEL)
        return (
            model is not None
            and _has_fields(model, "offender", "due_on", "status", "author", "document", "includes_sensitive")
            and _url_exists("documents:report_detail")
        )

    def items_for(self, people, today):
        model = _model(REPORT_MODEL)
        version = _model("documents.DocumentVersion")
        by_user = {person.user_id: person for person in people}
        manager_offices = sorted(
            {p.office_id for p in people if p.office_id is not None and p.holds(Role.SERVICE_MANAGER)}
        )
        awaiting = Q(status="submitted") & (
            Q(offender__home_office_id__in=manager_offices)
            | Exists(
                Sentence.objects.current().filter(
                    offender_id=OuterRef("offender_id"), managing_office_id__in=manager_offices
                )
            )
        )
        authors_work = Q(status__in=["draft", "returned", "approved"], author_id__in=list(by_user))
        rows = (
            model.objects.filter(authors_work | awaiting)
            .select_related("offender")
            .annotate(
                offices=_offender_offices(),
                allocated=_allocated_users(),
                contributors=ArraySubquery(
                    version.objects.filter(document_id=OuterRef("document_id")).values("created_by_id")
                ),
            )
            .order_by("due_on", "pk")
        )
        items = []
        for report in rows:
            offices = set(report.offices) | {report.offender.home_office_id}
            if report.status == "submitted":
                barred = {report.author_id, *report.contributors}
                assignees = {
                    p.user_id
                    for p in people
                    if p.holds(Role.SERVICE_MANAGER)
                    and p.office_id in offices
                    and p.user_id not in barred
                    and (not report.includes_sensitive or p.holds(*SENSITIVE_READER_ROLES))
                }
            else:
                author = by_user.get(report.author_id)
                assignees = (
                    {author.user_id}
                    if author is not None and self._may_work(author, report, offices)
                    else set()
                )
            if not assignees:
                continue
            items.append(
                make_item(
                    today=today,
                    due_on=report.due_on,
                    offender=report.offender,
                    key=f"{self.kind}:{report.pk}:{report.status}",
                    kind=self.kind,
                    title=f"{REPORT_TITLES[report.status]}: {report.get_kind_display()}"[:200],
                    detail=report.get_status_display(),
                    url=url_for("documents:report_detail", report.pk),
                    assignee_ids=frozenset(assignees),
                    office_ids=frozenset(offices - {None}),
                    sensitive=report.includes_sensitive,
                    produced_at=report.created_at,
                )
            )
        return items

    @staticmethod
    def _may_work(person: Person, report, offices: set) -> bool:
        """documents.access.can_work_report: offenders.access.can_edit_offender, and may read it."""
        if report.includes_sensitive and not person.holds(*SENSITIVE_READER_ROLES):
            return False
        if person.holds(Role.SYSTEM_ADMIN):
            return True
        if person.holds(Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT) and person.office_id in offices:
            return True
        return person.holds(Role.PROBATION_OFFICER) and person.user_id in report.allocated

    def may_see(self, viewer, item):
        if item.sensitive and not viewer.holds(*SENSITIVE_READER_ROLES):
            return False
        return _may_read_record(viewer)


def _url_exists(name: str) -> bool:
    """Whether the page `name` (taking one key) exists in this installation."""
    try:
        reverse(name, args=[1])
    except NoReverseMatch:
        return False
    return True


def _constant(module: str, name: str, default):
    import importlib

    try:
        return getattr(importlib.import_module(module), name, default)
    except ImportError:
        return default


# --- The registry ----------------------------------------------------------------------------

SOURCES: list[type[Source]] = [
    AllocateRequestSource,
    ClassificationReviewSource,
    ReviewDueSource,
    DataExceptionSource,
    CorrectionRequestSource,
    SentencePlanActivitySource,
    PlanReviewSource,
    ReportDeadlineSource,
]


@cache
def registered_sources() -> tuple[Source, ...]:
    """The sources whose records exist (checked once, after the app registry is ready)."""
    return tuple(source() for source in SOURCES if source.available())


def source_labels() -> dict[str, str]:
    return {source.kind: source.label for source in registered_sources()}
