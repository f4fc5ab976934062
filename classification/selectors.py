"""Reads for the Review Security Classification: instruments, classification history, the
records pre-population reads (for many prisoners in a fixed number of queries) and the dry run."""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from classification.access import can_view_classification
from classification.models import (
    AtRiskAlert,
    EscapeEvent,
    HealthStabilityAssessment,
    IncidentReport,
    Instrument,
    InstrumentItem,
    InstrumentStatus,
    ItemKind,
    PoliceInformation,
    RemovalOrder,
    Review,
    ReviewAnswerCorrection,
    ReviewTransition,
    SecurityClassification,
    SentencePlanActivity,
    SentencePlanCategoryChange,
)
from classification.prepopulate import PrisonerRecords, answers_of, prepopulate
from classification.scoring import CARRY_OVERS, INTERNAL_CATEGORY_ITEM, InstrumentSpec, ItemSpec, score
from offenders.models import Offender
from sentences.custody import in_custody_q
from sentences.models import Charge, Conviction, Sentence, SentenceStatus, SentenceType

# --- instruments ----------------------------------------------------------------------------


def active_instrument() -> Instrument | None:
    return Instrument.objects.filter(status=InstrumentStatus.ACTIVE).first()


def instrument_with_items(instrument_id: int) -> Instrument:
    return Instrument.objects.prefetch_related(
        Prefetch("items", queryset=InstrumentItem.objects.prefetch_related("options"))
    ).get(pk=instrument_id)


def instrument_spec(instrument: Instrument) -> InstrumentSpec:
    """A plain, immutable copy of one instrument version for the scoring engine, read afresh from
    the database (3 queries), so a caller's stale instance cannot score with old thresholds."""
    return spec_from_instrument(instrument_with_items(instrument.pk))


def spec_from_instrument(instrument: Instrument) -> InstrumentSpec:
    """The spec of an instrument whose items and options are already loaded."""
    return InstrumentSpec(
        version=instrument.version,
        internal_b_from=instrument.internal_b_from,
        external_b_from=instrument.external_b_from,
        items={
            item.code: ItemSpec(
                code=item.code,
                section=item.section,
                kind=item.kind,
                points={option.code: option.points for option in item.options.all()},
            )
            for item in instrument.items.all()
        },
    )


# --- classification history -----------------------------------------------------------------


def current_classification(offender_id: int) -> SecurityClassification | None:
    """The prisoner's current classification: the latest row of its history."""
    return (
        SecurityClassification.objects.filter(offender_id=offender_id)
        .order_by("-effective_on", "-id")
        .first()
    )


def classification_history(offender_id: int) -> list[SecurityClassification]:
    return list(
        SecurityClassification.objects.filter(offender_id=offender_id)
        .select_related("instrument", "recorded_by")
        .order_by("-effective_on", "-id")
    )


def current_classifications(offender_ids: Iterable[int]) -> dict[int, SecurityClassification]:
    rows = (
        SecurityClassification.objects.filter(offender_id__in=list(offender_ids))
        .order_by("offender_id", "-effective_on", "-id")
        .distinct("offender_id")
    )
    return {row.offender_id: row for row in rows}


# --- prisoners and their records ------------------------------------------------------------


def current_prisoner_ids() -> list[int]:
    """Offenders serving an active sentence of imprisonment and in custody (a released prisoner
    still serves the sentence, on parole or conditions, but is no longer classified)."""
    return list(
        Sentence.objects.filter(sentence_type=SentenceType.IMPRISONMENT, status=SentenceStatus.ACTIVE)
        .filter(in_custody_q())
        .order_by("offender_id")
        .values_list("offender_id", flat=True)
        .distinct()
    )


def prisoner_records(offender_ids: Iterable[int]) -> dict[int, PrisonerRecords]:
    """Everything pre-population reads, for every prisoner in `offender_ids`, in 12 queries
    whatever the number of prisoners or the length of their histories."""
    ids = list(offender_ids)
    bundles = {
        offender.pk: PrisonerRecords(offender=offender) for offender in Offender.objects.filter(pk__in=ids)
    }
    sources: list[tuple[str, Iterable]] = [
        ("sentences", Sentence.objects.filter(offender_id__in=ids)),
        ("convictions", Conviction.objects.filter(offender_id__in=ids).select_related("offence", "sentence")),
        ("charges", Charge.objects.filter(offender_id__in=ids).select_related("offence")),
        ("incidents", IncidentReport.objects.filter(offender_id__in=ids)),
        ("escapes", EscapeEvent.objects.filter(offender_id__in=ids)),
        ("at_risk_alerts", AtRiskAlert.objects.filter(offender_id__in=ids)),
        ("stability_assessments", HealthStabilityAssessment.objects.filter(offender_id__in=ids)),
        ("plan_activities", SentencePlanActivity.objects.filter(offender_id__in=ids)),
        ("plan_category_changes", SentencePlanCategoryChange.objects.filter(offender_id__in=ids)),
        ("removal_orders", RemovalOrder.objects.filter(offender_id__in=ids)),
        ("police_information", PoliceInformation.objects.filter(offender_id__in=ids)),
    ]
    for attribute, queryset in sources:
        grouped = defaultdict(list)
        for row in queryset:
            grouped[row.offender_id].append(row)
        for offender_id, rows in grouped.items():
            if offender_id in bundles:
                setattr(bundles[offender_id], attribute, rows)
    return bundles


# --- dry run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DryRunChange:
    offender_id: int
    prn: str
    name: str
    active_categories: tuple[str, str]  # (internal, external) under the active instrument
    draft_categories: tuple[str, str]


@dataclass(frozen=True)
class DryRunReport:
    draft_version: int
    active_version: int
    prisoners_scored: int
    changes: tuple[DryRunChange, ...]

    @property
    def changed_count(self) -> int:
        return len(self.changes)


DRY_RUN_BATCH = 500  # prisoners whose records are loaded at once: 12 queries a batch


def instrument_dry_run(
    *,
    draft: Instrument,
    active: Instrument,
    today: datetime.date | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    batch_size: int = DRY_RUN_BATCH,
) -> DryRunReport:
    """Score every current prisoner's pre-populated answers with `draft` and with `active`, and
    report whose categories would change. Writes nothing; set-based reads a batch of prisoners at
    a time (a fixed number of queries per batch), scoring in Python; `on_progress(done, total)`
    is called after each batch."""
    today = today or timezone.localdate()
    draft_spec, active_spec = instrument_spec(draft), instrument_spec(active)
    prisoner_ids = current_prisoner_ids()
    total = len(prisoner_ids)
    scored = 0
    changes = []
    if on_progress:
        on_progress(0, total)
    for start in range(0, total, batch_size):
        records = prisoner_records(prisoner_ids[start : start + batch_size])
        for offender_id, bundle in sorted(records.items()):
            answers = answers_of(prepopulate(bundle, today, with_changes=False))
            before = score(active_spec, answers).categories
            after = score(draft_spec, answers).categories
            if before != after:
                offender = bundle.offender
                changes.append(DryRunChange(offender_id, offender.prn, offender.full_name, before, after))
        scored += len(records)
        if on_progress:
            on_progress(min(start + batch_size, total), total)
    return DryRunReport(draft.version, active.version, scored, tuple(changes))


# --- the review pages -----------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRow:
    """One item of a review as its page and its PDF show it (seed 003, sections A and B)."""

    code: str
    section: str
    text: str
    kind: str
    option: str
    option_label: str
    points: int | None  # None for overrides (they score nothing; they decide a category)
    prepopulated_label: str
    corrected: bool
    sources: tuple[dict, ...]
    changes_on: datetime.date | None
    changes_to_label: str
    carried_from: tuple[str, ...] = ()  # a carried-over item's section A items (seed 003, B.2)


@dataclass(frozen=True)
class ReviewSheet:
    review: Review
    instrument: Instrument
    sections: dict[str, list[AnswerRow]]  # "A" / "B" -> rows in the instrument's order
    corrections: list  # each with .question, the corrected item's question
    transitions: list
    overrides: list[AnswerRow]  # the override items that applied, for the pages to name in words


def review_sheet(review) -> ReviewSheet:
    """Everything a review's page shows, in a fixed number of queries: the instrument version's
    items with their options, each answer with its points, sources and "this score falls on",
    the corrections and the transitions."""
    instrument = instrument_with_items(review.instrument_id)
    spec = spec_from_instrument(instrument)
    answers = review.answers or {}
    try:
        points = score(spec, {code: entry["option"] for code, entry in answers.items()}).item_points
    except ValueError:
        points = {}
    sections: dict[str, list[AnswerRow]] = {"A": [], "B": []}
    for item in instrument.items.all():
        labels = {option.code: option.label for option in item.options.all()}
        entry = answers.get(item.code) or {}
        option = entry.get("option") or ""
        changes_on = entry.get("changes_on")
        sections.setdefault(item.section, []).append(
            AnswerRow(
                code=item.code,
                section=item.section,
                text=item.text,
                kind=item.kind,
                option=option,
                option_label=_answer_label(item, labels, option, review),
                points=None if item.kind == "override" else points.get(item.code, 0),
                prepopulated_label=labels.get(entry.get("prepopulated") or "", ""),
                corrected=bool(entry.get("prepopulated")) and entry.get("prepopulated") != option,
                sources=tuple(entry.get("sources") or ()),
                changes_on=datetime.date.fromisoformat(changes_on) if changes_on else None,
                changes_to_label=labels.get(entry.get("changes_to") or "", ""),
                carried_from=CARRY_OVERS.get(item.code, ()),
            )
        )
    rows = {row.code: row for section_rows in sections.values() for row in section_rows}
    corrections = list(ReviewAnswerCorrection.objects.filter(review=review).select_related("corrected_by"))
    for correction in corrections:
        # Pages name the question in words; the item number stays beside it as secondary text.
        correction.question = rows[correction.item].text if correction.item in rows else ""
    return ReviewSheet(
        review=review,
        instrument=instrument,
        sections=sections,
        corrections=corrections,
        transitions=list(ReviewTransition.objects.filter(review=review).select_related("actor")),
        overrides=[rows[code] for code in review.scoring_overrides or () if code in rows],
    )


def _answer_label(item, labels: dict[str, str], option: str, review: Review) -> str:
    """What the answer column says: the option's label; for seed 003's automatic items, what
    they carry (B.2.x: section A's points; B.4.4: the internal category just scored)."""
    if item.code == INTERNAL_CATEGORY_ITEM:
        return f"Internal {labels.get(review.internal_category, review.internal_category)} (just scored)"
    if item.kind == ItemKind.CARRY_OVER:
        return "Carried over from section A"
    return labels.get(option, option or "Not answered")


def prisoner_reviews(offender_id: int) -> list:
    return list(
        Review.objects.filter(offender_id=offender_id)
        .select_related("instrument", "initiated_by", "approved_by")
        .order_by("-initiated_at", "-id")
    )


def prison_reviews(*, prison_id: int | None, statuses: Iterable[str]):
    """Reviews in `statuses` of prisoners whose current imprisonment sentence the prison manages
    (every prison's with `prison_id` None), oldest first, with what a list shows."""
    reviews = Review.objects.filter(status__in=list(statuses))
    if prison_id is not None:
        reviews = reviews.filter(
            Exists(
                Sentence.objects.current().filter(
                    offender_id=OuterRef("offender_id"),
                    sentence_type=SentenceType.IMPRISONMENT,
                    managing_office_id=prison_id,
                )
            )
        )
    return reviews.select_related("offender", "initiated_by", "recommended_by", "approved_by").order_by(
        "updated_at", "id"
    )


def classification_report_section(*, actor, offender, is_prisoner: bool) -> dict:
    """A report's `classification` section (documents.assembly.REPORT_SECTIONS): the prisoner's
    security classification history, newest first — only when the author may read it
    (classification.access: the form behind it carries police information)."""
    if not is_prisoner:
        return {"applies": False, "included": False, "history": []}
    if not can_view_classification(actor, offender):
        return {"applies": True, "included": False, "history": []}
    return {
        "applies": True,
        "included": True,
        "history": [
            {
                "effective_on": row.effective_on,
                "kind_label": row.get_kind_display(),
                "internal_category": row.internal_category,
                "external_category": row.external_category,
                "internal_score": row.internal_score,
                "external_score": row.external_score,
                "reason": row.reason,
            }
            for row in classification_history(offender.pk)
        ],
    }
