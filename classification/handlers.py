"""Classification's reactions to other apps' domain events (subscribed in ioms/subscribers.py).

Seed 003: a review "whenever there is a significant change in the prisoner's circumstances". A new
charge, conviction or sentence, a change of release dates, and a sentence starting or ending
recompute that
prisoner's review schedule (classification/schedule.py) as soon as the change is committed, rather
than at the nightly refresh. After commit: the schedule is derived data the nightly refresh also
recomputes, so a failure here (logged by events.domain) must not undo the change itself."""

from classification.schedule import schedule_refresh
from events.domain import DomainEvent, SentenceChanged


def review_schedule_refresh(event: DomainEvent, *, actor) -> None:
    schedule_refresh(offender_ids=[event.offender_id])


def review_schedule_refresh_on_release_dates(event: SentenceChanged, *, actor) -> None:
    if event.release_dates_changed:
        schedule_refresh(offender_ids=[event.offender_id])
