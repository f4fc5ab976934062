"""Classification's reactions to other apps' domain events (subscribed in ioms/subscribers.py).

Seed 003: a review "whenever there is a significant change in the prisoner's circumstances". A new
charge, conviction or sentence, a change of release dates, a sentence starting or ending, and a
prison record recorded, corrected or ended (PrisonRecordChanged) recompute that prisoner's review
schedule (classification/schedule.py) as soon as the change is
committed, rather than at the nightly refresh.

The subscribers run in the publisher's transaction but only note the prisoner: one court message
(a sentence with its convictions) or a batch of them publishes many events for the same people, and
the schedule is then refreshed once after the commit for everyone noted, in the fixed number of
queries `schedule_refresh` takes for any list. The refresh is derived data the nightly refresh also
recomputes, so its failure is logged (robust on_commit) and never undoes the change."""

from django.db import connection, transaction

from classification.schedule import schedule_refresh
from classification.services import reviews_cancel_on_release
from events.domain import CustodyMovementRecorded, DomainEvent, SentenceChanged
from sentences.models import CustodyMovementKind

# The prisoners noted in this connection's transaction, waiting for its commit: one callback per
# transaction refreshes them all. A set whose callback is no longer queued (its transaction rolled
# back) is dropped, so nothing stale carries over. (`run_on_commit` holds Django's queued callbacks.)
_PENDING = "_ioms_review_schedule_pending"


def _refresh_noted() -> None:
    noted = getattr(connection, _PENDING, set())
    setattr(connection, _PENDING, set())
    if noted:
        schedule_refresh(offender_ids=sorted(noted))


def _note(offender_id: int) -> None:
    queued = any(callback is _refresh_noted for _, callback, _ in connection.run_on_commit)
    if not queued:
        setattr(connection, _PENDING, set())
    getattr(connection, _PENDING).add(offender_id)
    if not queued:
        transaction.on_commit(_refresh_noted, robust=True)


def review_schedule_refresh(event: DomainEvent, *, actor) -> None:
    _note(event.offender_id)


# What decides the term being served (classification/schedule.py: the notional single sentence),
# besides the release dates: a change of these moves the regular review between 3 and 6 months.
TERM_FIELDS = frozenset({"sentence_type", "start_date", "indeterminate", "consecutive_to"})


def review_schedule_refresh_on_sentence_change(event: SentenceChanged, *, actor) -> None:
    """A change of release dates is a change of circumstances; a change of the term recomputes the
    regular review. Other details (a court case number, a transfer) change neither."""
    if event.release_dates_changed or TERM_FIELDS.intersection(event.changes):
        _note(event.offender_id)


def cancel_reviews_on_release(event: CustodyMovementRecorded, *, actor) -> None:
    """A release from custody cancels the prisoner's open reviews (classification.services), in
    the release's transaction: the due list and the reviews waiting for a step stop showing them."""
    if event.kind == CustodyMovementKind.RELEASED:
        reviews_cancel_on_release(
            actor=actor, offender_id=event.offender_id, released_on=event.occurred_on, summary=event.summary
        )
