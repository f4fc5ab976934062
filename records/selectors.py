"""The record's timeline: every app's kinds of entry (records.sections), in one date-ordered list."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from ioms.read_models import TimelineEntry
from offenders.models import Offender
from records.sections import RECORD_SECTIONS


@dataclass
class Timeline:
    entries: list[TimelineEntry]
    # Pass as `before` for the next (older) page; None when nothing older is left.
    next_before: datetime.date | None


def offender_timeline(
    offender: Offender,
    *,
    user,
    may: dict[str, bool],
    before: datetime.date | None = None,
    per_kind: int = 25,
) -> Timeline:
    """One date-ordered list (newest first) of everything on the record that `user` may read
    (`may`: the record's permissions, offenders.views.record_context).

    Each kind is fetched newest first and bounded to `per_kind` rows, so the page costs one query
    per kind whatever the record's size. Where a kind was cut short, older entries of the other
    kinds would be misleading (the gap would look empty), so the page stops at the newest date a
    cut-short kind reached, and `next_before` continues from there.
    """
    kinds = [kind for timeline in RECORD_SECTIONS.timeline for kind in timeline(offender, user=user, may=may)]
    entries: list[TimelineEntry] = []
    cutoff: datetime.date | None = None
    before_at = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min)) if before else None
    for kind in kinds:
        queryset = kind.queryset
        if before is not None:
            bound = before_at if kind.is_datetime else before
            queryset = queryset.filter(**{f"{kind.date_field}__lt": bound})
        rows = list(queryset[: per_kind + 1])
        built = [kind.build(row) for row in rows[:per_kind]]
        if len(rows) > per_kind:
            oldest = built[-1].on
            cutoff = oldest if cutoff is None else max(cutoff, oldest)
        entries.extend(built)

    next_before = None
    if cutoff is not None:
        newer = [entry for entry in entries if entry.on > cutoff]
        if newer:
            entries, next_before = newer, cutoff + datetime.timedelta(days=1)
        else:
            # One kind fills a whole page within a single day: show that day as far as fetched.
            entries, next_before = [entry for entry in entries if entry.on >= cutoff], cutoff
    minimum = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    entries.sort(key=lambda entry: (entry.on, entry.at or minimum), reverse=True)
    return Timeline(entries=entries, next_before=next_before)
