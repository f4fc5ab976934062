"""Writes for the Review Security Classification core: classification history and instrument
versions. Each service validates, writes and files its own audit row in one transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from audit.models import AuditAction
from audit.services import audit_created, audit_record
from classification.default_instrument import ITEMS
from classification.models import (
    Category,
    ClassificationKind,
    Instrument,
    InstrumentItem,
    InstrumentOption,
    InstrumentStatus,
    SecurityClassification,
)
from offenders.models import Offender

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
    errors: dict[str, str] = {}
    if kind not in ClassificationKind.values:
        errors["kind"] = "Choose an initial or a review classification."
    if internal_category not in Category.values:
        errors["internal_category"] = "The internal category is A or B."
    if external_category not in Category.values:
        errors["external_category"] = "The external category is A or B."
    # Lock the prisoner's row so two classifications of one prisoner are recorded one at a time.
    Offender.objects.select_for_update().filter(pk=offender.pk).first()
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
            f"The current classification took effect on {latest.effective_on:%d %b %Y}; "
            "a new one cannot take effect before it."
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
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
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
    return classification


# --- instrument versions --------------------------------------------------------------------


def _require_draft(instrument: Instrument) -> None:
    if instrument.status != InstrumentStatus.DRAFT:
        raise ValidationError(
            f"Version {instrument.version} is {instrument.get_status_display().lower()}; "
            "only a draft can change."
        )


@transaction.atomic
def instrument_draft_create(*, actor, source: Instrument, effective_from: datetime.date) -> Instrument:
    """A new draft version: a copy of `source` (items, options, points, thresholds)."""
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
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    _require_draft(instrument)
    problems = instrument_problems(instrument)
    if problems:
        raise ValidationError(problems)
    retired = list(
        Instrument.objects.select_for_update()
        .filter(status=InstrumentStatus.ACTIVE)
        .values_list("version", flat=True)
    )
    Instrument.objects.filter(status=InstrumentStatus.ACTIVE).update(status=InstrumentStatus.RETIRED)
    updated = Instrument.objects.filter(pk=instrument.pk, status=InstrumentStatus.DRAFT).update(
        status=InstrumentStatus.ACTIVE
    )
    if not updated:
        raise ValidationError("Someone else changed this version first.")
    instrument.status = InstrumentStatus.ACTIVE
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=instrument,
        summary=f"Activated instrument version {instrument.version}",
        changes={"status": ["draft", "active"], "retired_versions": [None, retired]},
    )
    return instrument
