"""The one registry of domain-event subscribers (events/domain.py): who reacts to what, and when.

This is the composition root: it alone may import every app's handlers, the way ROOT_URLCONF names
every app's urls, and events.domain finds it through the IOMS_EVENT_SUBSCRIBERS setting.
in_transaction: runs in the publisher's transaction (its failure undoes the change).
on_commit: runs after the commit, never for a change rolled back (its failure is logged).
tests/events/test_registry.py pins this table."""

from allocation import handlers as allocation
from casenotes import handlers as casenotes
from classification import handlers as classification
from compliance import handlers as compliance
from events.domain import (
    AppointmentOutcomeRecorded,
    ChargeDisposed,
    ChargeLaid,
    ConvictionRecorded,
    CustodyMovementRecorded,
    DomainEvent,
    OffenderDetailsChanged,
    OffenderRecalled,
    OffenderReleased,
    PrisonRecordChanged,
    ReferralAttendanceRecorded,
    ReferralStatusChanged,
    RestrictedRecordOpened,
    SentenceChanged,
    SentenceCommenced,
    SentenceCompleted,
    SentenceEventRecorded,
    SentenceEventResolved,
    SentenceRecorded,
    Subscriber,
    in_transaction,
)
from plans import handlers as plans
from reconciliation import handlers as reconciliation

# The system casenote of a change (seed 001) comes first, ahead of what the other subscribers write
# (allocation's own casenotes among them), as it did when the publisher wrote it itself.
SUBSCRIBERS: dict[type[DomainEvent], tuple[Subscriber, ...]] = {
    SentenceRecorded: (
        in_transaction(casenotes.note_sentence_recorded),
        in_transaction(allocation.request_allocation),
        in_transaction(classification.review_schedule_refresh),
        in_transaction(reconciliation.key_dates_check_on_sentence_recorded),
    ),
    SentenceChanged: (
        in_transaction(casenotes.note_sentence_changed),
        in_transaction(allocation.request_allocation_on_transfer),
        in_transaction(classification.review_schedule_refresh_on_sentence_change),
        in_transaction(reconciliation.key_dates_check_on_sentence_changed),
    ),
    SentenceCommenced: (
        in_transaction(casenotes.note_sentence_commenced),
        in_transaction(classification.review_schedule_refresh),
    ),
    SentenceCompleted: (
        in_transaction(casenotes.note_sentence_completed),
        in_transaction(classification.review_schedule_refresh),
    ),
    SentenceEventRecorded: (in_transaction(casenotes.note_sentence_event_recorded),),
    SentenceEventResolved: (in_transaction(casenotes.note_sentence_event_resolved),),
    OffenderReleased: (in_transaction(allocation.hand_over_on_release),),
    OffenderRecalled: (),
    CustodyMovementRecorded: (
        in_transaction(casenotes.note_custody_movement_recorded),
        in_transaction(classification.review_schedule_refresh),
        in_transaction(classification.cancel_reviews_on_release),
    ),
    OffenderDetailsChanged: (in_transaction(casenotes.note_offender_details_changed),),
    ChargeLaid: (in_transaction(classification.review_schedule_refresh),),
    ChargeDisposed: (),
    ConvictionRecorded: (in_transaction(classification.review_schedule_refresh),),
    RestrictedRecordOpened: (in_transaction(allocation.notify_access_list),),
    ReferralStatusChanged: (in_transaction(plans.follow_referral),),
    ReferralAttendanceRecorded: (in_transaction(plans.follow_attendance),),
    PrisonRecordChanged: (
        in_transaction(casenotes.note_prison_record_changed),
        in_transaction(classification.review_schedule_refresh),
    ),
    AppointmentOutcomeRecorded: (in_transaction(compliance.consider_failure),),
}
