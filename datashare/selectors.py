"""Reads of the shared records, for the partner API and the shared record page. Each list takes a
constant number of queries however long it is; what is shown of each row is the share's business
(datashare/catalogue.py), not the query's."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from allocation.models import CaseAllocation
from datashare.catalogue import OFFENDERS, ShareScope
from datashare.models import Share
from events.domain import (
    OffenderRecalled,
    OffenderReleased,
    SentenceChanged,
    SentenceCommenced,
    SentenceCompleted,
    SentenceRecorded,
)
from events.models import OutboxEvent
from offenders.models import Flag, Offender
from sentences.models import Sentence

# Restricted records (issue 11: need-to-know) are never shared with a partner agency: they are left
# out of every shared list and record as if they did not exist, whatever the share carries.


def shared_offenders(scope: ShareScope) -> QuerySet[Offender]:
    offenders = Offender.objects.filter(restricted=False).select_related("home_office").order_by("prn")
    if "warnings" in scope.fields_of(OFFENDERS):
        offenders = offenders.prefetch_related(
            Prefetch(
                "flags",
                queryset=Flag.objects.filter(ended_on__isnull=True).order_by("raised_on", "id"),
                to_attr="shared_warnings",
            )
        )
    return offenders


def shared_sentences() -> QuerySet[Sentence]:
    return (
        Sentence.objects.filter(offender__restricted=False)
        .select_related("offender", "court", "managing_office")
        .order_by("offender__prn", "-start_date", "-id")
    )


def shared_allocations() -> QuerySet[CaseAllocation]:
    return (
        CaseAllocation.objects.filter(offender__restricted=False)
        .select_related("offender", "staff__user", "staff__office")
        .order_by("offender__prn", "ended_on", "-started_on", "-id")
    )


# The events a partner can follow: what happens to sentences (seed 004: core case information).
# Charges, convictions, referrals and break-glass openings are not in the catalogue and never shared.
FEED_EVENT_TYPES = tuple(
    cls.__name__
    for cls in (
        SentenceRecorded,
        SentenceChanged,
        SentenceCommenced,
        SentenceCompleted,
        OffenderReleased,
        OffenderRecalled,
    )
)


def shared_events(*, after: tuple[int, int] | None, limit: int) -> list[OutboxEvent]:
    """The next `limit` outbox rows after the cursor (txid, id), in (txid, id) order: only final rows
    (no transaction still running can commit a row before them), only the shared event types, and
    never a restricted offender's. One query."""
    rows = (
        OutboxEvent.objects.final()
        .filter(event_type__in=FEED_EVENT_TYPES, offender_id__isnull=False)
        # The few restricted records, not the many others: a page never reads every offender.
        .exclude(Exists(Offender.objects.filter(pk=OuterRef("offender_id"), restricted=True)))
        .in_feed_order()
    )
    if after is not None:
        txid, row_id = after
        # The cursor's txid as a bound of the index range; the OR alone is only a filter, and the
        # scan read every event before the cursor (500,000 rows, 156 ms, halfway through a million).
        rows = rows.filter(txid__gte=txid).filter(Q(txid__gt=txid) | Q(id__gt=row_id))
    return list(rows[:limit])


def shares_with_counts() -> QuerySet[Share]:
    """Every share with its numbers of live (unrevoked, unexpired) credentials and of readers, for the
    administrators' list."""
    live = Q(credentials__revoked_at__isnull=True, credentials__expires_at__gt=timezone.now())
    return Share.objects.annotate(
        live_credentials=Count("credentials", filter=live, distinct=True),
        reader_count=Count("readers", distinct=True),
    ).order_by("name")
