"""The dry run of a draft instrument version, as a Celery task with its progress in the cache.

Scoring every current prisoner twice takes tens of seconds (about 33 s for 10,000 prisoners with
realistic records), too long for a request. The administrator starts the dry run; a worker scores
the prisoners in batches, writing its progress and then the result to the cache (Redis), where the
dry-run page reads them. A result is tied to a fingerprint of the draft's points and thresholds
and the active version, so a dry run of points since changed is shown as out of date.

Writes nothing to the database: the dry run is a read (issue 5: "dry-run it against every current
prisoner (how many categories would change, and whose) before activating it").
"""

import datetime
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from classification.models import Instrument, InstrumentOption
from classification.selectors import DryRunChange, DryRunReport, instrument_dry_run

logger = logging.getLogger(__name__)

BATCH_SIZE = 500  # prisoners read and scored per step (bounds memory; one progress update each)
KEEP_SECONDS = 24 * 60 * 60  # a result stays a day; the records it read keep changing
STALLED_AFTER = datetime.timedelta(minutes=10)  # no progress for this long: the worker died

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def dry_run_key(draft_id: int) -> str:
    return f"classification:instrument-dry-run:{draft_id}"


def dry_run_fingerprint(draft: Instrument, active: Instrument) -> str:
    """What a dry run's result depends on, besides the prisoners' records: the draft's points and
    thresholds and the active version. One query."""
    points = list(
        InstrumentOption.objects.filter(item__instrument=draft).order_by("pk").values_list("pk", "points")
    )
    material = [
        draft.pk,
        draft.created_at.isoformat(),
        draft.internal_b_from,
        draft.external_b_from,
        active.pk,
        points,
    ]
    return hashlib.sha256(json.dumps(material).encode()).hexdigest()


# --- the dry run itself -----------------------------------------------------------------------


# --- its state in the cache -------------------------------------------------------------------


@dataclass(frozen=True)
class DryRunState:
    """A dry run as the cache holds it (a plain dict there, so a code change never leaves an
    entry that cannot be read)."""

    state: str
    run_id: str
    fingerprint: str
    done: int
    total: int | None
    queued_at: datetime.datetime
    updated_at: datetime.datetime
    finished_at: datetime.datetime | None = None
    seconds: float | None = None
    report: DryRunReport | None = None
    error: str = ""

    @property
    def in_progress(self) -> bool:
        return self.state in (QUEUED, RUNNING)

    @property
    def stalled(self) -> bool:
        return self.in_progress and timezone.now() - self.updated_at > STALLED_AFTER

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.state == DONE else 0
        return int(100 * self.done / self.total)

    @classmethod
    def from_cache(cls, entry: dict) -> "DryRunState":
        report = None
        if entry.get("report"):
            raw = entry["report"]
            report = DryRunReport(
                draft_version=raw["draft_version"],
                active_version=raw["active_version"],
                prisoners_scored=raw["prisoners_scored"],
                changes=tuple(
                    DryRunChange(offender_id, prn, name, tuple(before), tuple(after))
                    for offender_id, prn, name, before, after in raw["changes"]
                ),
            )
        return cls(
            state=entry["state"],
            run_id=entry["run_id"],
            fingerprint=entry["fingerprint"],
            done=entry.get("done", 0),
            total=entry.get("total"),
            queued_at=datetime.datetime.fromisoformat(entry["queued_at"]),
            updated_at=datetime.datetime.fromisoformat(entry["updated_at"]),
            finished_at=(
                datetime.datetime.fromisoformat(entry["finished_at"]) if entry.get("finished_at") else None
            ),
            seconds=entry.get("seconds"),
            report=report,
            error=entry.get("error", ""),
        )


def _now() -> str:
    return timezone.now().isoformat()


def dry_run_state(draft: Instrument) -> DryRunState | None:
    """The latest dry run of `draft` (running, done or failed), or None."""
    entry = cache.get(dry_run_key(draft.pk))
    return DryRunState.from_cache(entry) if entry else None


def _update(draft_id: int, run_id: str, **changes) -> bool:
    """Change the cached run `run_id`; False (and nothing written) when a newer run replaced it."""
    key = dry_run_key(draft_id)
    entry = cache.get(key)
    if entry is None or entry["run_id"] != run_id:
        return False
    cache.set(key, {**entry, **changes, "updated_at": _now()}, KEEP_SECONDS)
    return True


def dry_run_start(*, draft: Instrument, active: Instrument) -> DryRunState:
    """Queue a dry run of `draft` against `active` once the request commits. A run of the same
    points still going is left alone (and returned) rather than started twice."""
    fingerprint = dry_run_fingerprint(draft, active)
    current = dry_run_state(draft)
    if current and current.in_progress and not current.stalled and current.fingerprint == fingerprint:
        return current
    run_id = uuid.uuid4().hex
    now = _now()
    entry = {
        "state": QUEUED,
        "run_id": run_id,
        "fingerprint": fingerprint,
        "done": 0,
        "total": None,
        "queued_at": now,
        "updated_at": now,
    }
    cache.set(dry_run_key(draft.pk), entry, KEEP_SECONDS)
    draft_id, active_id = draft.pk, active.pk
    transaction.on_commit(lambda: _queue(draft_id, active_id, run_id))
    return DryRunState.from_cache(entry)


def _queue(draft_id: int, active_id: int, run_id: str) -> None:
    try:
        instrument_dry_run_task.delay(draft_id, active_id, run_id)
    except OperationalError:
        logger.exception("Could not queue the dry run of instrument %s", draft_id)
        _update(
            draft_id,
            run_id,
            state=FAILED,
            error="The task queue could not be reached. Try again in a few minutes.",
        )


@shared_task
def instrument_dry_run_task(draft_id: int, active_id: int, run_id: str) -> dict[str, int]:
    """Score every current prisoner with the draft and the active version; the progress and the
    result go to the cache under the draft's key, for run `run_id` only."""
    started = timezone.now()
    draft = Instrument.objects.get(pk=draft_id)
    active = Instrument.objects.get(pk=active_id)
    # The points as they are now (they may have changed since the run was queued).
    if not _update(draft_id, run_id, state=RUNNING, fingerprint=dry_run_fingerprint(draft, active)):
        return {"superseded": 1}

    def progress(done: int, total: int) -> None:
        _update(draft_id, run_id, done=done, total=total)

    try:
        report = instrument_dry_run(draft=draft, active=active, on_progress=progress, batch_size=BATCH_SIZE)
    except Exception as error:
        # Recorded for the page, then raised again for the worker's log.
        _update(draft_id, run_id, state=FAILED, error=f"The dry run failed: {error.__class__.__name__}.")
        raise
    finished = timezone.now()
    _update(
        draft_id,
        run_id,
        state=DONE,
        done=report.prisoners_scored,
        total=report.prisoners_scored,
        finished_at=finished.isoformat(),
        seconds=round((finished - started).total_seconds(), 1),
        report={
            "draft_version": report.draft_version,
            "active_version": report.active_version,
            "prisoners_scored": report.prisoners_scored,
            "changes": [
                [c.offender_id, c.prn, c.name, list(c.active_categories), list(c.draft_categories)]
                for c in report.changes
            ],
        },
    )
    return {"prisoners_scored": report.prisoners_scored, "changed": report.changed_count}
