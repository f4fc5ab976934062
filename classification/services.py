"""Writes for the Review Security Classification core: classification history, instrument
versions and the review workflow. Each service validates, writes and files its own audit row in one
transaction.

The review (`REVIEW_WORKFLOW`) and the instrument versions (`INSTRUMENT_WORKFLOW`) are state
machines moved by `workflow.transitions`: a service locks the record, refuses it if its status is
no longer the one the caller read (someone else got there first), checks the actor's right and the
form, then the workflow changes the status with a conditional update and writes the transition row
and the audit row."""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.actors import actor_user
from audit.models import AuditAction
from audit.services import audit_created, audit_record
from classification.access import (
    can_advise_review,
    can_approve_review,
    can_cancel_review,
    can_edit_review,
    can_initiate_review,
    can_recommend_review,
)
from classification.default_instrument import ITEMS
from classification.models import (
    INSTRUMENT_WORKFLOW,
    OPEN_REVIEW_STATUSES,
    REVIEW_ACTIONS,
    REVIEW_WORKFLOW,
    Category,
    ClassificationKind,
    Instrument,
    InstrumentItem,
    InstrumentOption,
    InstrumentStatus,
    ItemKind,
    Review,
    ReviewAnswerCorrection,
    ReviewReason,
    ReviewSchedule,
    ReviewStatus,
    ReviewTransition,
    SecurityClassification,
)
from classification.prepopulate import prepopulate
from classification.schedule import DUE_WITHIN_DAYS, SHORT_TERM_MONTHS, schedule_refresh
from classification.scoring import INTERNAL_CATEGORY_ITEM, SERIOUS_ASSAULT_ITEM, ScoringError, score
from classification.selectors import (
    active_instrument,
    current_classification,
    instrument_spec,
    prisoner_records,
)
from offenders.models import Offender
from workflow.transitions import ConcurrentChange, Workflow

# The item and option codes the pre-population and the scoring engine rely on (seed 003). A new
# version may change points and thresholds, not the questions.
REQUIRED_OPTIONS = {code: {option[0] for option in options} for code, _, _, _, _, options in ITEMS}


# --- classification history -----------------------------------------------------------------


@transaction.atomic
def security_classification_record(
    *,
    actor,
    offender: Offender,
    kind: str,
    internal_category: str,
    external_category: str,
    effective_on: datetime.date,
    instrument: Instrument | None = None,
    internal_score: int | None = None,
    external_score: int | None = None,
    reason: str = "",
) -> SecurityClassification:
    """Add a classification to the prisoner's history; it becomes the current one. Rows are never
    edited: a later classification supersedes an earlier one."""
    # Lock the prisoner's row so two classifications of one prisoner are recorded one at a time.
    Offender.objects.select_for_update().filter(pk=offender.pk).first()
    errors = _classification_errors(
        offender=offender,
        kind=kind,
        categories=(internal_category, external_category),
        effective_on=effective_on,
        instrument=instrument,
    )
    if errors:
        raise ValidationError(errors)
    classification = SecurityClassification.objects.create(
        offender=offender,
        kind=kind,
        internal_category=internal_category,
        external_category=external_category,
        effective_on=effective_on,
        instrument=instrument,
        internal_score=internal_score,
        external_score=external_score,
        reason=reason,
        recorded_by=actor_user(actor),
    )
    audit_created(
        actor=actor,
        obj=classification,
        fields=(
            "kind",
            "internal_category",
            "external_category",
            "effective_on",
            "internal_score",
            "external_score",
        ),
    )
    schedule_refresh(offender_ids=[offender.pk])  # the next review counts from this one (approve, reconfirm)
    return classification


def _classification_errors(
    *,
    offender: Offender,
    kind: str,
    categories: tuple[str, str],
    effective_on: datetime.date,
    instrument: Instrument | None,
) -> dict[str, str]:
    """What keeps a classification from joining the prisoner's history (read under their lock)."""
    errors: dict[str, str] = {}
    if kind not in ClassificationKind.values:
        errors["kind"] = "Choose an initial or a review classification."
    if categories[0] not in Category.values:
        errors["internal_category"] = "The internal category is A or B."
    if categories[1] not in Category.values:
        errors["external_category"] = "The external category is A or B."
    history = SecurityClassification.objects.filter(offender=offender)
    if kind == ClassificationKind.REVIEW:
        # Seed 003, General: the review form must not be used for an initial classification.
        if not history.filter(kind=ClassificationKind.INITIAL).exists():
            errors["kind"] = "An initial classification must be recorded before a review."
        if instrument is None:
            errors["instrument"] = "A review records the instrument version that scored it."
    latest = history.order_by("-effective_on", "-id").first()
    if latest and effective_on < latest.effective_on:
        errors["effective_on"] = (
            f"The current classification took effect on {latest.effective_on:%-d %b %Y}; "
            "a new one cannot take effect before it."
        )
    return errors


# --- instrument versions --------------------------------------------------------------------


def _refuse_if_changed(workflow: Workflow, locked, read_status: str) -> None:
    """Refuse, as the workflow's conditional update does, a record whose status is no longer the
    one the caller read: the caller decided on what it saw, and someone else got there first."""
    if locked.status != read_status:
        raise ConcurrentChange(
            f"Someone else changed this {workflow.noun} while you had it open: "
            f"it is now {workflow.label(locked.status)}."
        )


def _require_draft(instrument: Instrument) -> None:
    if instrument.status != InstrumentStatus.DRAFT:
        raise ValidationError(
            f"Version {instrument.version} is {instrument.get_status_display().lower()}; "
            "only a draft can change."
        )


@transaction.atomic
def instrument_draft_create(*, actor, source: Instrument, effective_from: datetime.date) -> Instrument:
    """A new draft version: a copy of `source` (items, options, points, thresholds). One draft at a
    time (a database constraint too): change and activate it before drafting another."""
    existing = Instrument.objects.select_for_update().filter(status=InstrumentStatus.DRAFT).first()
    if existing is not None:
        raise ValidationError(
            f"Version {existing.version} is already a draft. "
            "Change it and activate it before drafting another."
        )
    next_version = (Instrument.objects.aggregate(top=Max("version"))["top"] or 0) + 1
    draft = Instrument.objects.create(
        version=next_version,
        name=source.name,
        effective_from=effective_from,
        status=InstrumentStatus.DRAFT,
        internal_b_from=source.internal_b_from,
        external_b_from=source.external_b_from,
        notes=f"Drafted from version {source.version}.",
    )
    INSTRUMENT_WORKFLOW.record_step(draft, from_status="", to=InstrumentStatus.DRAFT, actor=actor)
    items = list(InstrumentItem.objects.filter(instrument=source).prefetch_related("options"))
    copies = InstrumentItem.objects.bulk_create(
        InstrumentItem(
            instrument=draft,
            code=item.code,
            section=item.section,
            text=item.text,
            kind=item.kind,
            prepopulated=item.prepopulated,
            position=item.position,
        )
        for item in items
    )
    InstrumentOption.objects.bulk_create(
        InstrumentOption(
            item=copy, code=option.code, label=option.label, points=option.points, position=option.position
        )
        for item, copy in zip(items, copies, strict=True)
        for option in item.options.all()
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=draft,
        summary=f"Drafted instrument version {next_version}",
    )
    return draft


@transaction.atomic
def instrument_option_set_points(*, actor, option: InstrumentOption, points: int) -> InstrumentOption:
    instrument = Instrument.objects.select_for_update().get(pk=option.item.instrument_id)
    _require_draft(instrument)
    if points < 0:
        raise ValidationError({"points": "Points cannot be negative."})
    before = option.points
    option.points = points
    option.save(update_fields=["points"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=instrument,
        summary=f"Version {instrument.version}: {option.item.code} {option.label} points",
        changes={"points": [before, points]},
    )
    return option


@transaction.atomic
def instrument_thresholds_set(
    *, actor, instrument: Instrument, internal_b_from: int, external_b_from: int
) -> Instrument:
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    _require_draft(instrument)
    if internal_b_from < 1 or external_b_from < 1:
        raise ValidationError("A threshold is at least 1 point.")
    before = [instrument.internal_b_from, instrument.external_b_from]
    instrument.internal_b_from, instrument.external_b_from = internal_b_from, external_b_from
    instrument.save(update_fields=["internal_b_from", "external_b_from"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=instrument,
        summary=f"Version {instrument.version}: thresholds",
        changes={"thresholds": [before, [internal_b_from, external_b_from]]},
    )
    return instrument


def instrument_problems(instrument: Instrument) -> list[str]:
    """What keeps a version from scoring seed 003's form: a missing item or option."""
    present: dict[str, set[str]] = {}
    for item_code, option_code in InstrumentOption.objects.filter(item__instrument=instrument).values_list(
        "item__code", "code"
    ):
        present.setdefault(item_code, set()).add(option_code)
    item_codes = set(InstrumentItem.objects.filter(instrument=instrument).values_list("code", flat=True))
    problems = []
    for code, options in REQUIRED_OPTIONS.items():
        if code not in item_codes:
            problems.append(f"Item {code} is missing.")
        elif options - present.get(code, set()):
            problems.append(
                f"Item {code} lacks options {', '.join(sorted(options - present.get(code, set())))}."
            )
    return problems


@transaction.atomic
def instrument_activate(*, actor, instrument: Instrument) -> Instrument:
    """Make a draft the one active version; the previously active version is retired. Reviews keep
    the version that scored them, so nothing already scored changes."""
    read_status = instrument.status
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    _refuse_if_changed(INSTRUMENT_WORKFLOW, instrument, read_status)
    _require_draft(instrument)
    problems = instrument_problems(instrument)
    if problems:
        raise ValidationError(problems)
    # One active version (a database constraint): the active one is retired before the draft
    # takes its place.
    previous = list(Instrument.objects.select_for_update().filter(status=InstrumentStatus.ACTIVE))
    for version in previous:
        INSTRUMENT_WORKFLOW.move(
            version,
            to=InstrumentStatus.RETIRED,
            actor=actor,
            comment=f"Version {instrument.version} was activated.",
            summary=f"Retired instrument version {version.version}",
        )
    INSTRUMENT_WORKFLOW.move(
        instrument,
        to=InstrumentStatus.ACTIVE,
        actor=actor,
        summary=f"Activated instrument version {instrument.version}",
        audit_changes={"retired_versions": [None, [version.version for version in previous]]},
    )
    return instrument


# --- the review workflow (seed 003, sections C, D and E) --------------------------------------

ACTION_LABELS = {
    "submit": "submitted",
    "recommend": "recommended",
    "approve": "approved",
    "send_back": "sent back",
    "cancel": "cancelled",
    "advise": "marked as advised",
    "refer_back": "referred back",
    "reconfirm": "confirmed again",
}
# Answers the officer may correct while the review is open (not while it is with a recommending
# or approving officer).
EDITABLE_STATUSES = frozenset({ReviewStatus.INITIATED, ReviewStatus.SENT_BACK})


def _refuse(message: str) -> None:
    raise PermissionDenied(message)


def _locked_review(review: Review, action: str | None = None) -> Review:
    """The review re-read under a row lock, refused if someone else changed its status since the
    caller read it; with `action`, refused unless its status allows the step (else unless it
    can be edited)."""
    locked = (
        Review.objects.select_for_update(of=("self",))
        .select_related("offender", "instrument")
        .get(pk=review.pk)
    )
    _refuse_if_changed(REVIEW_WORKFLOW, locked, review.status)
    sources = REVIEW_ACTIONS[action][0] if action else EDITABLE_STATUSES
    if locked.status not in sources:
        step = ACTION_LABELS.get(action, "changed")
        raise ValidationError(
            f"This review is {locked.get_status_display().lower()}; it cannot be {step} now."
        )
    return locked


def _step(
    review: Review,
    *,
    actor,
    action: str,
    comment: str = "",
    fields: dict | None = None,
    changes: dict | None = None,
) -> None:
    """Move `review` (locked by `_locked_review`) along `action`, writing `fields` in the same
    update as its status, with its transition row and its audit row."""
    target = REVIEW_ACTIONS[action][1]
    REVIEW_WORKFLOW.move(
        review,
        to=target,
        actor=actor,
        comment=comment,
        # A queryset update does not stamp `auto_now` fields.
        fields={**(fields or {}), "updated_at": timezone.now()},
        summary=f"Classification review {action.replace('_', ' ')}: {ReviewStatus(target).label}",
        audit_changes=changes,
    )


def _actors_of(review: Review, *statuses: str) -> set[int]:
    """Everyone who moved this review into one of `statuses`, in any round (a review sent back
    and resubmitted keeps its earlier recommenders and approvers bound by the four-eyes rule)."""
    return set(
        ReviewTransition.objects.filter(review=review, to_status__in=statuses).values_list(
            "actor_id", flat=True
        )
    )


def _used_assaults(offender: Offender) -> set[tuple[str, int]]:
    """Seed 003, A.1.2: a serious assault is used once; these were used by approved reviews."""
    used = set()
    for answers in Review.objects.filter(
        offender=offender, status__in=[ReviewStatus.APPROVED, ReviewStatus.ADVISED]
    ).values_list("answers", flat=True):
        entry = answers.get(SERIOUS_ASSAULT_ITEM) or {}
        if entry.get("option") == "yes":
            used.update((source["label"], source["pk"]) for source in entry.get("sources", []))
    return used


# What `_score_review` sets.
SCORE_FIELDS = (
    "internal_score",
    "external_score",
    "internal_category",
    "external_category",
    "scoring_overrides",
)


def _score_review(review: Review, spec=None) -> None:
    """Seed 003, C.1 and C.2: total each part and derive the preliminary classification."""
    spec = spec or instrument_spec(review.instrument)
    try:
        result = score(spec, {code: entry["option"] for code, entry in review.answers.items()})
    except ScoringError as error:
        raise ValidationError(error.problems) from error
    review.internal_score = result.internal_total
    review.external_score = result.external_total
    review.internal_category = result.internal_category
    review.external_category = result.external_category
    review.scoring_overrides = list(result.overrides)


def _prepopulated_answers(offender: Offender, today: datetime.date) -> dict:
    """Every answer as the prisoner's records give it today, in the shape `Review.answers` keeps."""
    records = prisoner_records([offender.pk])[offender.pk]
    suggested = prepopulate(records, today, used_assaults=_used_assaults(offender))
    return {
        code: {
            "option": answer.option,
            "prepopulated": answer.option,
            "sources": [
                {"label": source.label, "pk": source.pk, "description": source.description}
                for source in answer.sources
            ],
            "changes_on": answer.changes_on.isoformat() if answer.changes_on else None,
            "changes_to": answer.changes_to,
        }
        for code, answer in suggested.items()
    }


def _require_independent_approver(actor, review: Review, doing: str) -> None:
    """Seed 003, D.2 and the four-eyes rule: an approving officer of the prison who neither
    initiated nor recommended the review, in any round."""
    if not can_approve_review(actor, review) or actor.pk in _actors_of(
        review, ReviewStatus.SUBMITTED, ReviewStatus.RECOMMENDED
    ):
        _refuse(
            "Only an approving officer of the prison who neither initiated nor recommended "
            f"this review can {doing}."
        )


def _review_classification_record(
    *, actor, review: Review, categories: tuple[str, str], effective_on: datetime.date, reason: str
) -> SecurityClassification:
    """The prisoner's new current classification, as this review scored and approved it."""
    return security_classification_record(
        actor=actor,
        offender=review.offender,
        kind=ClassificationKind.REVIEW,
        internal_category=categories[0],
        external_category=categories[1],
        effective_on=effective_on,
        instrument=review.instrument,
        internal_score=review.internal_score,
        external_score=review.external_score,
        reason=reason[:500],
    )


def _require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


@dataclass(frozen=True)
class RestartGuard:
    """A review approved recently: until `ends_on`, a new review is not "due" and needs a stated
    reason."""

    approved_on: datetime.date
    due_on: datetime.date | None  # None: no regular review scheduled (internal A, external A)
    ends_on: datetime.date


def review_restart_guard(offender: Offender, today: datetime.date | None = None) -> RestartGuard | None:
    """The restart rule (issue 14): after an approved review, a review started before the next
    one is listed as due (the schedule's due date less the due list's `DUE_WITHIN_DAYS`) cannot
    give "Review due" as its reason; it is a change of circumstances or requested by staff, with
    the reason written down. With no review scheduled (internal A, external A) the rule lasts the
    shortest regular interval (3 months, seed 003). None when the rule does not apply (no
    approved review yet, or its time is over)."""
    today = today or timezone.localdate()
    # Both read whatever the history, so starting a review takes as many queries for any prisoner.
    current = current_classification(offender.pk)
    schedule = ReviewSchedule.objects.filter(offender=offender).first()
    if current is None or current.kind != ClassificationKind.REVIEW:
        return None
    due_on = schedule.due_on if schedule else None
    if due_on is not None:
        ends_on = due_on - datetime.timedelta(days=DUE_WITHIN_DAYS)
    else:
        ends_on = current.effective_on + relativedelta(months=SHORT_TERM_MONTHS)
    if today >= ends_on:
        return None
    return RestartGuard(approved_on=current.effective_on, due_on=due_on, ends_on=ends_on)


def _refuse_early_restart(offender: Offender, reason: str, comments: str, today: datetime.date) -> None:
    guard = review_restart_guard(offender, today)
    if guard is None:
        return
    approved = f"{guard.approved_on:%-d %b %Y}"
    if reason == ReviewReason.DUE:
        when = (
            f"the next review is due on {guard.due_on:%-d %b %Y}"
            if guard.due_on
            else f"no regular review is scheduled (until {guard.ends_on:%-d %b %Y})"
        )
        raise ValidationError(
            {
                "reason": (
                    f"This prisoner's classification was approved on {approved} and {when}, so a "
                    "review is not due yet. Choose change of circumstances or requested by staff."
                )
            }
        )
    if not comments.strip():
        raise ValidationError(
            {
                "comments": (
                    f"Say what has changed or who asked for the review: the classification was "
                    f"approved on {approved}."
                )
            }
        )


@transaction.atomic
def review_initiate(
    *,
    actor,
    offender: Offender,
    reason: str = ReviewReason.DUE,
    comments: str = "",
    today: datetime.date | None = None,
) -> Review:
    """Seed 003, C: a prison officer starts a review; every answer is pre-populated from the
    prisoner's records and scored with the active instrument, which the review keeps. Soon after
    an approved review, a new one needs a reason other than "Review due" (`review_restart_guard`)."""
    if not can_initiate_review(actor, offender):
        _refuse("Only a prison officer of the prison managing this prisoner's sentence can start a review.")
    if reason not in ReviewReason.values:
        raise ValidationError({"reason": "Choose why the review is being done."})
    today = today or timezone.localdate()
    Offender.objects.select_for_update().filter(pk=offender.pk).first()
    # Seed 003, General: the review form is never used for an initial classification.
    if not SecurityClassification.objects.filter(offender=offender, kind=ClassificationKind.INITIAL).exists():
        raise ValidationError("This prisoner has no initial classification; a review cannot be started.")
    if Review.objects.filter(offender=offender, status__in=OPEN_REVIEW_STATUSES).exists():
        raise ValidationError("This prisoner already has a review in progress.")
    _refuse_early_restart(offender, reason, comments, today)
    instrument = active_instrument()
    if instrument is None:
        raise ValidationError("No instrument version is active.")
    review = Review(
        offender=offender,
        instrument=instrument,
        reason=reason,
        prepopulated_on=today,
        initiated_by=actor,
        initiator_comments=comments.strip(),
        answers=_prepopulated_answers(offender, today),
    )
    _score_review(review)
    review.save()
    REVIEW_WORKFLOW.record_step(
        review, from_status="", to=review.status, actor=actor, comment=review.initiator_comments
    )
    audit_created(
        actor=actor,
        obj=review,
        fields=("reason", "internal_score", "external_score", "internal_category", "external_category"),
        summary=f"Started a classification review (instrument version {instrument.version})",
    )
    return review


@transaction.atomic
def review_correct_answer(*, actor, review: Review, item: str, option: str, reason: str) -> Review:
    """Correct a pre-populated answer; the reason is recorded and the review rescored."""
    review = _locked_review(review)
    if not can_edit_review(actor, review):
        _refuse("Only the initiating officer can correct this review's answers.")
    reason = _require_text(reason, "reason", "Say why the pre-populated answer is wrong.")
    spec = instrument_spec(review.instrument)
    spec_item = spec.items.get(item)
    if spec_item is None or spec_item.kind == ItemKind.CARRY_OVER or item == INTERNAL_CATEGORY_ITEM:
        raise ValidationError({"item": f"{item} is not an answer staff can correct."})
    if option not in spec_item.points:
        raise ValidationError({"option": f'"{option}" is not an option of {item}.'})
    entry = dict(review.answers.get(item) or {"prepopulated": None, "sources": []})
    before = entry.get("option")
    if before == option:
        raise ValidationError({"option": f"{item} is already {option}."})
    entry["option"] = option
    review.answers = {**review.answers, item: entry}
    _score_review(review, spec)
    review.save(update_fields=["answers", *SCORE_FIELDS, "updated_at"])
    ReviewAnswerCorrection.objects.create(
        review=review,
        item=item,
        from_option=before or "",
        to_option=option,
        reason=reason,
        corrected_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=review,
        summary=f"Corrected {item} on a classification review: {reason}"[:300],
        changes={item: [before, option]},
    )
    return review


@transaction.atomic
def review_submit(
    *,
    actor,
    review: Review,
    comments: str = "",
    override_internal_category: str = "",
    override_external_category: str = "",
    override_reason: str = "",
) -> Review:
    """Seed 003, C.3 and C.4: the initiating officer signs the form, optionally recommending
    another classification with the reasons for it, and sends it to a recommending officer."""
    review = _locked_review(review, "submit")
    if not can_edit_review(actor, review):
        _refuse("Only the initiating officer can submit this review.")
    errors = {}
    for field, value in (
        ("override_internal_category", override_internal_category),
        ("override_external_category", override_external_category),
    ):
        if value and value not in Category.values:
            errors[field] = "The category is A or B."
    override_reason = (override_reason or "").strip()
    if (override_internal_category or override_external_category) and not override_reason:
        errors["override_reason"] = "Give the reasons for recommending another classification (C.3)."
    if errors:
        raise ValidationError(errors)
    comments = (comments or review.initiator_comments).strip()
    recommended = [
        override_internal_category or review.internal_category,
        override_external_category or review.external_category,
    ]
    _step(
        review,
        actor=actor,
        action="submit",
        comment=comments,
        fields={
            "override_internal_category": override_internal_category,
            "override_external_category": override_external_category,
            "override_reason": override_reason,
            "initiator_comments": comments,
            "submitted_at": timezone.now(),
        },
        changes={"recommended_classification": [None, recommended]},
    )
    return review


@transaction.atomic
def review_recommend(*, actor, review: Review, comments: str = "") -> Review:
    """Seed 003, D.1: the recommending officer confirms the information, the scoring and the
    proposed classification. Never the initiating officer."""
    review = _locked_review(review, "recommend")
    if not can_recommend_review(actor, review) or actor.pk in _actors_of(
        review, ReviewStatus.SUBMITTED, ReviewStatus.APPROVED
    ):
        _refuse(
            "Only a recommending officer of the prison who did not initiate this review can recommend it."
        )
    comments = comments.strip()
    _step(
        review,
        actor=actor,
        action="recommend",
        comment=comments,
        fields={"recommended_by": actor, "recommended_at": timezone.now(), "recommender_comments": comments},
    )
    return review


@transaction.atomic
def review_approve(
    *,
    actor,
    review: Review,
    internal_category: str = "",
    external_category: str = "",
    change_reason: str = "",
    comments: str = "",
    today: datetime.date | None = None,
) -> Review:
    """Seed 003, D.2: the approving officer confirms the recommended classification or changes it
    with a reason; the approved classification becomes the prisoner's current one."""
    review = _locked_review(review, "approve")
    _require_independent_approver(actor, review, "approve it")
    recommended = review.recommended_categories
    final = (internal_category or recommended[0], external_category or recommended[1])
    if any(category not in Category.values for category in final):
        raise ValidationError({"internal_category": "The category is A or B."})
    change_reason = (change_reason or "").strip()
    if final != recommended and not change_reason:
        raise ValidationError(
            {
                "change_reason": (
                    "Give the reason for approving a classification other than the one recommended."
                )
            }
        )
    reasons = [review.override_reason, change_reason]
    classification = _review_classification_record(
        actor=actor,
        review=review,
        categories=final,
        effective_on=today or timezone.localdate(),
        reason=" ".join(reason for reason in reasons if reason),
    )
    comments = comments.strip()
    _step(
        review,
        actor=actor,
        action="approve",
        comment=comments,
        fields={
            "classification": classification,
            "approved_by": actor,
            "approved_at": timezone.now(),
            "approver_comments": comments,
            "approved_internal_category": final[0],
            "approved_external_category": final[1],
            "approval_change_reason": change_reason,
        },
        changes={"approved_classification": [list(recommended), list(final)]},
    )
    return review


@transaction.atomic
def review_send_back(*, actor, review: Review, reason: str) -> Review:
    """Seed 003, D.1/D.2: the recommending officer (awaiting recommendation) or the approving
    officer (awaiting approval) returns the review to the initiating officer with a reason."""
    review = _locked_review(review, "send_back")
    allowed = (
        can_recommend_review(actor, review)
        if review.status == ReviewStatus.SUBMITTED
        else can_approve_review(actor, review)
    )
    if not allowed:
        _refuse("Only the officer this review is waiting for can send it back.")
    reason = _require_text(reason, "reason", "Say why the review is being sent back.")
    _step(review, actor=actor, action="send_back", comment=reason)
    return review


@transaction.atomic
def review_cancel(*, actor, review: Review, reason: str) -> Review:
    """Cancel an open review, with a reason, before it is approved."""
    review = _locked_review(review, "cancel")
    if not can_cancel_review(actor, review):
        _refuse("You may not cancel this review.")
    reason = _require_text(reason, "reason", "Say why the review is being cancelled.")
    _step(review, actor=actor, action="cancel", comment=reason, fields={"cancel_reason": reason})
    return review


@transaction.atomic
def reviews_cancel_on_release(
    *, actor, offender_id: int, released_on: datetime.date, summary: str
) -> list[Review]:
    """A prisoner released from custody is no longer classified: each review still open (not yet
    approved) is cancelled, with the release as its reason, whoever recorded the release (a step
    of the release, not a decision about the review). A review already approved stays, to be
    advised or closed by the prison."""
    cancelled = []
    for review in Review.objects.filter(offender_id=offender_id, status__in=OPEN_REVIEW_STATUSES).order_by(
        "pk"
    ):
        review = _locked_review(review, "cancel")
        reason = f"{summary}: a prisoner released from custody is no longer classified."
        _step(review, actor=actor, action="cancel", comment=reason, fields={"cancel_reason": reason[:500]})
        cancelled.append(review)
    return cancelled


@transaction.atomic
def review_advise(
    *,
    actor,
    review: Review,
    advised_on: datetime.date,
    prisoner_signed: bool,
    refusal_note: str = "",
    comments: str = "",
) -> Review:
    """Seed 003, E: the advising officer's pre-issue check (the approved classification is the
    prisoner's current classification in IOMS) and the record that the prisoner was given a copy,
    signed for it or refused to sign."""
    review = _locked_review(review, "advise")
    if not can_advise_review(actor, review):
        _refuse("Only an officer of the prison managing this prisoner's sentence can advise the prisoner.")
    errors = {}
    if advised_on > timezone.localdate():
        errors["advised_on"] = "The date the prisoner was given a copy cannot be in the future."
    elif advised_on < timezone.localtime(review.approved_at).date():
        errors["advised_on"] = "The prisoner cannot be advised before the review was approved."
    refusal_note = (refusal_note or "").strip()
    if not prisoner_signed and not refusal_note:
        errors["refusal_note"] = "Record that the prisoner refused to sign (E.2)."
    # Seed 003, E.1: a discrepancy goes back to the approving officer, not to the prisoner.
    current = current_classification(review.offender_id)
    if current is None or current.pk != review.classification_id:
        errors["__all__"] = (
            "The prisoner's current classification is not the one this review approved; "
            "refer it back to the approving officer before advising the prisoner."
        )
    if errors:
        raise ValidationError(errors)
    comments = comments.strip()
    _step(
        review,
        actor=actor,
        action="advise",
        comment=comments or refusal_note,
        fields={
            "advised_by": actor,
            "advised_at": timezone.now(),
            "prisoner_advised_on": advised_on,
            "prisoner_signed": prisoner_signed,
            "refusal_note": refusal_note,
            "advising_comments": comments,
        },
        changes={"prisoner_advised_on": [None, advised_on.isoformat()]},
    )
    return review


@transaction.atomic
def review_refer_back(*, actor, review: Review, discrepancy: str) -> Review:
    """Seed 003, E.1: the advising officer's pre-issue check found that the prisoner's record does
    not show the approved classification; the review goes back to the approving officer and the
    prisoner is not given a copy."""
    review = _locked_review(review, "refer_back")
    if not can_advise_review(actor, review):
        _refuse("Only an officer of the prison managing this prisoner's sentence can refer this review back.")
    discrepancy = _require_text(discrepancy, "discrepancy", "Describe the discrepancy you found.")
    _step(
        review, actor=actor, action="refer_back", comment=discrepancy, fields={"referral_note": discrepancy}
    )
    return review


@transaction.atomic
def review_reconfirm(*, actor, review: Review, comments: str, today: datetime.date | None = None) -> Review:
    """Seed 003, E.1: the approving officer puts right a discrepancy the advising officer found by
    recording the approved classification again as the prisoner's current classification."""
    review = _locked_review(review, "reconfirm")
    _require_independent_approver(actor, review, "confirm its classification again")
    comments = _require_text(comments, "comments", "Say how the discrepancy was put right.")
    current = current_classification(review.offender_id)
    approved = (review.approved_internal_category, review.approved_external_category)
    classification_id = review.classification_id
    if current is None or current.pk != review.classification_id:
        effective_on = max(
            today or timezone.localdate(), current.effective_on if current else datetime.date.min
        )
        classification_id = _review_classification_record(
            actor=actor,
            review=review,
            categories=approved,
            effective_on=effective_on,
            reason=f"Recorded again after the pre-issue check: {comments}",
        ).pk
    _step(
        review,
        actor=actor,
        action="reconfirm",
        comment=comments,
        fields={"classification_id": classification_id},
        changes={"classification": [None, classification_id]},
    )
    return review
