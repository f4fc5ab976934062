"""The one registry of domain-event subscribers (events/domain.py): who reacts to what, and when.

This is the composition root: it alone may import every app's handlers, the way ROOT_URLCONF names
every app's urls, and events.domain finds it through the IOMS_EVENT_SUBSCRIBERS setting.
in_transaction: runs in the publisher's transaction (its failure undoes the change).
on_commit: runs after the commit, never for a change rolled back (its failure is logged).
tests/events/test_registry.py pins this table."""

from allocation import handlers as allocation
from classification import handlers as classification
from events.domain import (
    ChargeDisposed,
    ChargeLaid,
    ConvictionRecorded,
    DomainEvent,
    OffenderRecalled,
    OffenderReleased,
    ReferralAttendanceRecorded,
    ReferralStatusChanged,
    RestrictedRecordOpened,
    SentenceChanged,
    SentenceCommenced,
    SentenceCompleted,
    SentenceRecorded,
    Subscriber,
    in_transaction,
    on_commit,
)
from plans import handlers as plans

SUBSCRIBERS: dict[type[DomainEvent], tuple[Subscriber, ...]] = {
    SentenceRecorded: (
        in_transaction(allocation.request_allocation),
        on_commit(classification.review_schedule_refresh),
    ),
    SentenceChanged: (
        in_transaction(allocation.request_allocation_on_transfer),
        on_commit(classification.review_schedule_refresh_on_release_dates),
    ),
    SentenceCommenced: (on_commit(classification.review_schedule_refresh),),
    SentenceCompleted: (on_commit(classification.review_schedule_refresh),),
    OffenderReleased: (in_transaction(allocation.hand_over_on_release),),
    OffenderRecalled: (),
    ChargeLaid: (on_commit(classification.review_schedule_refresh),),
    ChargeDisposed: (),
    ConvictionRecorded: (on_commit(classification.review_schedule_refresh),),
    RestrictedRecordOpened: (in_transaction(allocation.notify_access_list),),
    ReferralStatusChanged: (in_transaction(plans.follow_referral),),
    ReferralAttendanceRecorded: (in_transaction(plans.follow_attendance),),
}
