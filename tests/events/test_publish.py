"""events.domain.publish: the outbox row is written in the publisher's transaction, "in transaction"
subscribers hold with the change (their failure undoes it), "on commit" subscribers run only after
the commit, and one failing after commit is logged with its outbox row, never lost silently."""

import datetime
import logging

import pytest
from django.db import transaction

from allocation.models import AllocateRequest
from events.domain import (
    OffenderRecalled,
    Subscriber,
    in_transaction,
    on_commit,
    outbox_batch,
    outbox_batch_undone_on_error,
    publish,
    record_in_hand,
    registry,
)
from events.models import OutboxEvent
from offenders.models import Offender
from sentences.models import Sentence, SentenceType
from tests.allocation.helpers import ensure_weights, record_sentence
from tests.factories import OffenderFactory, staff_user

pytestmark = pytest.mark.django_db

calls: list[str] = []


def remember(event, *, actor) -> None:
    calls.append(type(event).__name__)


def fail(event, *, actor) -> None:
    raise RuntimeError("the subscriber broke")


TEST_REGISTRY: dict = {}


@pytest.fixture
def subscribers(settings):
    """A registry of the test's own, in place of ioms.subscribers for the test."""
    settings.IOMS_EVENT_SUBSCRIBERS = "tests.events.test_publish.TEST_REGISTRY"
    registry.cache_clear()
    calls.clear()
    TEST_REGISTRY.clear()
    yield TEST_REGISTRY
    TEST_REGISTRY.clear()
    registry.cache_clear()


def recalled(offender_id: int) -> OffenderRecalled:
    return OffenderRecalled(
        offender_id=offender_id,
        release_sentence_id=1,
        prison_id=2,
        recalled_on=datetime.date(2026, 3, 4),
        allocate_request_id=3,
    )


def test_the_outbox_row_carries_the_event_its_actor_and_its_transaction(subscribers, office):
    user = staff_user("service_manager", office=office)
    offender = OffenderFactory(home_office=office)

    with transaction.atomic():
        row = publish(recalled(offender.pk), actor=user)

    row = OutboxEvent.objects.get(pk=row.pk)
    assert (row.event_type, row.offender_id, row.actor_id, row.actor_username) == (
        "OffenderRecalled",
        offender.pk,
        user.pk,
        user.get_username(),
    )
    assert row.payload == {
        "release_sentence_id": 1,
        "prison_id": 2,
        "recalled_on": "2026-03-04",
        "allocate_request_id": 3,
    }
    assert row.txid > 0


def test_a_failing_in_transaction_subscriber_undoes_the_change_and_the_outbox_row(subscribers):
    subscribers[OffenderRecalled] = (in_transaction(remember), in_transaction(fail))
    offender = OffenderFactory()

    with pytest.raises(RuntimeError, match="broke"), transaction.atomic():
        publish(recalled(offender.pk), actor=None)

    assert calls == ["OffenderRecalled"]
    assert not OutboxEvent.objects.exists()


seen: list = []


def look_in_hand(event, *, actor) -> None:
    seen.append(record_in_hand(Offender, event.offender_id))


def test_the_publishers_records_go_to_its_in_transaction_subscribers_only(
    subscribers, django_capture_on_commit_callbacks
):
    """Never stored in the outbox, never after the commit (by then they may be out of date)."""
    subscribers[OffenderRecalled] = (in_transaction(look_in_hand), on_commit(look_in_hand))
    offender = OffenderFactory()
    seen.clear()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = publish(recalled(offender.pk), actor=None, records=(offender,))
        publish(recalled(offender.pk), actor=None)

    assert seen[0] is offender
    assert seen[1:] == [None, None, None]
    assert "offender" not in OutboxEvent.objects.get(pk=row.pk).payload


def test_on_commit_subscribers_run_only_after_the_commit(subscribers, django_capture_on_commit_callbacks):
    subscribers[OffenderRecalled] = (on_commit(remember), in_transaction(remember))
    offender = OffenderFactory()

    with django_capture_on_commit_callbacks() as after_commit:
        with transaction.atomic():
            publish(recalled(offender.pk), actor=None)
        assert calls == ["OffenderRecalled"]  # only the one in transaction so far

    for callback in after_commit:
        callback()
    assert calls == ["OffenderRecalled", "OffenderRecalled"]


def test_a_rolled_back_change_never_runs_its_on_commit_subscribers(
    subscribers, django_capture_on_commit_callbacks
):
    subscribers[OffenderRecalled] = (on_commit(remember),)
    offender = OffenderFactory()

    with (
        django_capture_on_commit_callbacks(execute=True) as after_commit,
        pytest.raises(ValueError),
        transaction.atomic(),
    ):
        publish(recalled(offender.pk), actor=None)
        raise ValueError("the change failed")

    assert after_commit == [] and calls == []
    assert not OutboxEvent.objects.exists()


def test_a_failing_on_commit_subscriber_is_logged_with_its_outbox_row_and_the_others_still_run(
    subscribers, django_capture_on_commit_callbacks, caplog
):
    subscribers[OffenderRecalled] = (on_commit(fail), on_commit(remember))
    offender = OffenderFactory()

    with (
        caplog.at_level(logging.ERROR, logger="events.domain"),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        row = publish(recalled(offender.pk), actor=None)

    assert calls == ["OffenderRecalled"]
    [record] = [r for r in caplog.records if r.name == "events.domain"]
    assert record.getMessage() == (
        "On-commit subscriber tests.events.test_publish.fail failed for OffenderRecalled "
        f"(outbox event {row.pk})"
    )
    assert record.exc_info is not None
    assert OutboxEvent.objects.filter(pk=row.pk).exists()


def test_a_rolled_back_sentence_leaves_no_outbox_row_and_no_allocate_request(office):
    ensure_weights()
    manager = staff_user("service_manager", office=office)
    offender = OffenderFactory(home_office=office)

    with pytest.raises(ValueError), transaction.atomic():
        record_sentence(manager, offender, SentenceType.SUPERVISION)
        assert AllocateRequest.objects.filter(offender=offender).exists()  # made with the sentence
        assert OutboxEvent.objects.filter(offender_id=offender.pk, event_type="SentenceRecorded").exists()
        raise ValueError("the court message failed further on")

    assert not Sentence.objects.filter(offender=offender).exists()
    assert not AllocateRequest.objects.filter(offender=offender).exists()
    assert not OutboxEvent.objects.filter(offender_id=offender.pk).exists()


def test_the_allocate_request_fails_with_the_sentence(office, monkeypatch):
    """Seed 002: no sentence without its allocate request. The registry's own subscriber breaking
    (its service raising) undoes the sentence too."""
    ensure_weights()
    manager = staff_user("service_manager", office=office)
    offender = OffenderFactory(home_office=office)
    from allocation import handlers

    def broken(**kwargs):
        raise RuntimeError("allocation is down")

    monkeypatch.setattr(handlers, "allocate_request_for_sentence", broken)

    with pytest.raises(RuntimeError, match="allocation is down"):
        record_sentence(manager, offender, SentenceType.SUPERVISION)

    assert not Sentence.objects.filter(offender=offender).exists()
    assert not OutboxEvent.objects.filter(offender_id=offender.pk).exists()


def test_subscribers_are_named_by_their_module_and_function():
    assert Subscriber(remember).name == "tests.events.test_publish.remember"


def test_a_batch_writes_its_events_together_and_drops_those_of_a_block_that_failed(subscribers):
    """The court interface's batches (audit.services.batch_writes): one INSERT for the events of
    every message, none for a message rolled back to its savepoint."""
    offender = OffenderFactory()

    with transaction.atomic(), outbox_batch():
        publish(recalled(offender.pk), actor=None)
        with pytest.raises(ValueError), transaction.atomic(), outbox_batch_undone_on_error():
            publish(recalled(offender.pk), actor="the failing message")
            raise ValueError("this message fails")
        publish(recalled(offender.pk), actor="the next message")
        assert not OutboxEvent.objects.exists()  # waiting for the end of the batch

    assert list(OutboxEvent.objects.order_by("id").values_list("actor_username", flat=True)) == [
        "system",
        "the next message",
    ]
