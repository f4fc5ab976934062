"""The one registry of subscribers (ioms/subscribers.py), pinned: who reacts to which event, and
whether in the publisher's transaction or after its commit. A change here is a change of behaviour
and is made on purpose."""

import dataclasses
import datetime

import pytest

from events.domain import EVENT_TYPES, OffenderRecalled, publish, registry

EXPECTED = {
    "SentenceRecorded": [
        ("casenotes.handlers.note_sentence_recorded", "in transaction"),
        ("allocation.handlers.request_allocation", "in transaction"),
        ("classification.handlers.review_schedule_refresh", "in transaction"),
        ("reconciliation.handlers.key_dates_check_on_sentence_recorded", "in transaction"),
    ],
    "SentenceChanged": [
        ("casenotes.handlers.note_sentence_changed", "in transaction"),
        ("allocation.handlers.request_allocation_on_transfer", "in transaction"),
        ("classification.handlers.review_schedule_refresh_on_sentence_change", "in transaction"),
        ("reconciliation.handlers.key_dates_check_on_sentence_changed", "in transaction"),
    ],
    "SentenceCommenced": [
        ("casenotes.handlers.note_sentence_commenced", "in transaction"),
        ("classification.handlers.review_schedule_refresh", "in transaction"),
    ],
    "SentenceCompleted": [
        ("casenotes.handlers.note_sentence_completed", "in transaction"),
        ("classification.handlers.review_schedule_refresh", "in transaction"),
    ],
    "SentenceEventRecorded": [("casenotes.handlers.note_sentence_event_recorded", "in transaction")],
    "SentenceEventResolved": [("casenotes.handlers.note_sentence_event_resolved", "in transaction")],
    "OffenderReleased": [("allocation.handlers.hand_over_on_release", "in transaction")],
    "OffenderRecalled": [],
    "CustodyMovementRecorded": [
        ("casenotes.handlers.note_custody_movement_recorded", "in transaction"),
        ("classification.handlers.review_schedule_refresh", "in transaction"),
        ("classification.handlers.cancel_reviews_on_release", "in transaction"),
    ],
    "OffenderDetailsChanged": [("casenotes.handlers.note_offender_details_changed", "in transaction")],
    "ChargeLaid": [("classification.handlers.review_schedule_refresh", "in transaction")],
    "ChargeDisposed": [],
    "ConvictionRecorded": [("classification.handlers.review_schedule_refresh", "in transaction")],
    "RestrictedRecordOpened": [("allocation.handlers.notify_access_list", "in transaction")],
    "ReferralStatusChanged": [("plans.handlers.follow_referral", "in transaction")],
    "ReferralAttendanceRecorded": [("plans.handlers.follow_attendance", "in transaction")],
    "PrisonRecordChanged": [
        ("casenotes.handlers.note_prison_record_changed", "in transaction"),
        ("classification.handlers.review_schedule_refresh", "in transaction"),
    ],
    "AppointmentOutcomeRecorded": [("compliance.handlers.consider_failure", "in transaction")],
}


def test_the_registry_lists_exactly_these_subscribers():
    listed = {
        event.__name__: [
            (subscriber.name, "on commit" if subscriber.after_commit else "in transaction")
            for subscriber in subscribers
        ]
        for event, subscribers in registry().items()
    }
    assert listed == EXPECTED


def test_every_event_type_is_in_the_registry_even_with_no_subscriber():
    assert {event.__name__ for event in registry()} == set(EVENT_TYPES)


def test_events_are_frozen_and_name_their_offender():
    for event in EVENT_TYPES.values():
        assert event.__dataclass_params__.frozen, event
        assert "offender_id" in {field.name for field in dataclasses.fields(event)}, event


def test_publishing_outside_a_transaction_is_refused():
    """An event reports a change in the transaction making it; alone it would report nothing."""
    event = OffenderRecalled(
        offender_id=1,
        release_sentence_id=1,
        prison_id=1,
        recalled_on=datetime.date.today(),
        allocate_request_id=1,
    )
    with pytest.raises(RuntimeError, match="inside the transaction"):
        publish(event, actor=None)
