"""The event feed's read (datashare.selectors.shared_events): the events after a cursor, in feed
order, found by the index however long the outbox is. Rows are given transaction ids older than any
running transaction, so they are final without being committed (events.models `final`)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from datashare.selectors import shared_events
from events.models import OutboxEvent

pytestmark = pytest.mark.django_db


def outbox(*rows: tuple[int, str]) -> list[OutboxEvent]:
    """Outbox rows of the given (txid, event type), in that order, for a person on record nowhere
    (the feed reads only the restricted records)."""
    return OutboxEvent.objects.bulk_create(
        OutboxEvent(
            txid=txid,
            occurred_at=timezone.now(),
            event_type=event_type,
            offender_id=10**9,
            payload={},
            actor_username="test",
        )
        for txid, event_type in rows
    )


def test_the_events_after_a_cursor_are_those_later_in_its_transaction_and_in_later_ones():
    first, second, third, other_kind, fourth, fifth = outbox(
        (10, "SentenceRecorded"),
        (11, "SentenceCommenced"),
        (11, "SentenceChanged"),
        (11, "AppointmentOutcomeRecorded"),
        (11, "SentenceCompleted"),
        (12, "OffenderRecalled"),
    )

    assert shared_events(after=None, limit=10) == [first, second, third, fourth, fifth]
    assert shared_events(after=(11, second.pk), limit=10) == [third, fourth, fifth]
    assert shared_events(after=(11, fourth.pk), limit=10) == [fifth]
    assert shared_events(after=(10, first.pk), limit=2) == [second, third]
    assert shared_events(after=(12, fifth.pk), limit=10) == []


def _index_conditions(node: dict) -> list[str]:
    found = [node["Index Cond"]] if node.get("Index Name") == "outbox_feed_order" else []
    for child in node.get("Plans", ()):
        found += _index_conditions(child)
    return found


def test_a_cursor_is_found_by_the_index_not_by_reading_every_event_before_it():
    """Halfway through a million events the cursor was only a filter: the scan read the 500,000
    before it (156 ms), and more the longer the outbox grew."""
    outbox(*((1 + n // 5, "SentenceCommenced") for n in range(2_000)))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE events_outboxevent")
    with CaptureQueriesContext(connection) as captured:
        shared_events(after=(200, 0), limit=101)
    (statement,) = captured.captured_queries
    with connection.cursor() as cursor:
        # The test's few rows could be read whole more cheaply than by any index: price that out.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {statement['sql']}")
        (plan,) = cursor.fetchone()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    conditions = _index_conditions(plan[0]["Plan"])
    assert conditions and all("txid >= 200" in condition for condition in conditions), conditions
