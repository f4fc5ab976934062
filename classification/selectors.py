"""Reads for the Review Security Classification: instruments, classification history, the
records pre-population reads (for many prisoners in a fixed number of queries) and the dry run."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from classification.models import (
    AtRiskAlert,
    EscapeEvent,
    HealthStabilityAssessment,
    IncidentReport,
    Instrument,
    InstrumentItem,
    InstrumentStatus,
    PoliceInformation,
    RemovalOrder,
    SecurityClassification,
    SentencePlanActivity,
    SentencePlanCategoryChange,
)
from classification.prepopulate import PrisonerRecords, answers_of, prepopulate
from classification.scoring import InstrumentSpec, ItemSpec, score
from offenders.models import Offender
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
    instrument = instrument_with_items(instrument.pk)
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
    """Offenders serving an active sentence of imprisonment."""
    return list(
        Sentence.objects.filter(sentence_type=SentenceType.IMPRISONMENT, status=SentenceStatus.ACTIVE)
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


def instrument_dry_run(
    *, draft: Instrument, active: Instrument, today: datetime.date | None = None
) -> DryRunReport:
    """Score every current prisoner's pre-populated answers with `draft` and with `active`, and
    report whose categories would change. Writes nothing; set-based reads (a fixed number of
    queries, whatever the number of prisoners), scoring in Python."""
    today = today or timezone.localdate()
    draft_spec, active_spec = instrument_spec(draft), instrument_spec(active)
    records = prisoner_records(current_prisoner_ids())
    changes = []
    for offender_id, bundle in sorted(records.items()):
        answers = answers_of(prepopulate(bundle, today))
        before = score(active_spec, answers).categories
        after = score(draft_spec, answers).categories
        if before != after:
            offender = bundle.offender
            changes.append(DryRunChange(offender_id, offender.prn, offender.full_name, before, after))
    return DryRunReport(draft.version, active.version, len(records), tuple(changes))
