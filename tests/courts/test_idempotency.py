"""The same message ID twice changes nothing the second time, whatever order the copies arrive and
are processed in, and even when two workers process two copies at the same moment."""

import contextlib
import json
import threading

import pytest
from django.db import connection

from courts.models import CourtMessage, MessageStatus
from courts.services import court_message_process, court_message_receive
from offenders.models import Offender
from reconciliation.models import DataException, ReasonCode
from sentences.models import Sentence, SentenceEvent
from tests.courts.conftest import days_ago, deliver, imposed, on_sentence


def _receive(message: dict) -> CourtMessage:
    return court_message_receive(raw=json.dumps(message).encode()).message


@contextlib.contextmanager
def _arriving_together():
    """Copies received at the same moment: each is stored before the other is committed, so
    neither finds the other when it is received and both are queued (processing then files the
    later one)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("courts.services._original_of", lambda message: None)
        yield


@pytest.mark.django_db
def test_the_same_message_twice_changes_nothing_the_second_time(reference_data):
    first = deliver(imposed("CMS-D1"))
    second = deliver(imposed("CMS-D1"))

    assert first.status == MessageStatus.PROCESSED
    assert second.status == MessageStatus.DUPLICATE
    assert second.duplicate_of == first
    assert "already received" in second.status_reason
    assert Offender.objects.count() == 1
    assert Sentence.objects.count() == 1
    assert SentenceEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_transfer_sent_twice_is_recorded_once(known_sentence):
    message = on_sentence("sentence.transferred", "CMS-D2", known_sentence, transferred_on=days_ago(1))

    deliver(message)
    deliver(message)

    assert known_sentence.events.filter(kind="transfer").count() == 1


@pytest.mark.django_db
def test_processing_the_same_stored_message_again_does_nothing(reference_data):
    message = _receive(imposed("CMS-D3"))

    assert court_message_process(pk=message.pk).status == MessageStatus.PROCESSED
    assert court_message_process(pk=message.pk).status == MessageStatus.PROCESSED

    assert Sentence.objects.count() == 1
    assert message.transitions.count() == 1


@pytest.mark.django_db
def test_a_later_copy_processed_first_waits_for_the_earlier_one(reference_data):
    with _arriving_together():
        earlier, later = _receive(imposed("CMS-D4")), _receive(imposed("CMS-D4"))
    assert later.status == MessageStatus.RECEIVED

    assert court_message_process(pk=later.pk).status == MessageStatus.DUPLICATE
    assert court_message_process(pk=earlier.pk).status == MessageStatus.PROCESSED

    later.refresh_from_db()
    assert later.duplicate_of == earlier
    assert Sentence.objects.count() == 1


@pytest.mark.django_db
def test_a_copy_with_different_content_is_a_conflict_for_a_person_not_a_silent_duplicate(reference_data):
    first = deliver(imposed("CMS-D5"))

    copy = deliver(imposed("CMS-D5", hours=None, end_date=days_ago(-10)))

    assert copy.status == MessageStatus.EXCEPTION
    assert f"already received as #{first.pk}" in copy.status_reason
    assert "says something different" in copy.status_reason
    exception = DataException.objects.get(court_message=copy)
    assert exception.reason_code == ReasonCode.COURT_CONFLICT
    assert f"#{first.pk} and #{copy.pk}" in exception.detail
    # Nothing of the second copy was applied.
    assert Sentence.objects.get().end_date.isoformat() == days_ago(-335)


@pytest.mark.django_db
def test_an_identical_copy_is_still_a_plain_duplicate(reference_data):
    deliver(imposed("CMS-D7"))

    copy = deliver(imposed("CMS-D7"))

    assert copy.status == MessageStatus.DUPLICATE
    assert not DataException.objects.filter(court_message=copy).exists()


@pytest.mark.django_db
def test_a_processed_copy_is_the_original_even_when_it_arrived_later(reference_data):
    with _arriving_together():
        earlier, later = _receive(imposed("CMS-D8")), _receive(imposed("CMS-D8"))
    # The later copy got processed first (e.g. the earlier one was set aside and retried).
    CourtMessage.objects.filter(pk=earlier.pk).update(status=MessageStatus.REJECTED)
    assert court_message_process(pk=later.pk).status == MessageStatus.PROCESSED
    CourtMessage.objects.filter(pk=earlier.pk).update(status=MessageStatus.RECEIVED)

    result = court_message_process(pk=earlier.pk)

    assert result.status == MessageStatus.DUPLICATE
    assert result.duplicate_of == later
    assert Sentence.objects.count() == 1


@pytest.mark.django_db
def test_a_clash_on_the_processed_constraint_makes_the_copy_a_duplicate(reference_data, monkeypatch):
    with _arriving_together():
        first, second = _receive(imposed("CMS-D9")), _receive(imposed("CMS-D9", cms_reference="S-OTHER"))
    assert court_message_process(pk=first.pk).status == MessageStatus.PROCESSED
    # As if the second copy had not seen the first (the race the lock and the constraint close).
    monkeypatch.setattr("courts.services._original_of", lambda message: None)

    result = court_message_process(pk=second.pk)

    assert result.status == MessageStatus.DUPLICATE
    assert result.duplicate_of == first
    assert Sentence.objects.count() == 1  # the second copy's sentence was rolled back


@pytest.mark.django_db
def test_a_received_message_is_stored_with_its_id_type_and_payload_in_one_insert(reference_data):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(db) as queries:
        message = _receive(imposed("CMS-D10"))

    assert not [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "courts_courtmessage"')]
    inserted = CourtMessage.objects.get(pk=message.pk)
    assert (inserted.message_id, inserted.message_type) == ("CMS-D10", "sentence.imposed")
    assert inserted.payload["message_id"] == "CMS-D10"


@pytest.mark.django_db(transaction=True)
def test_two_workers_processing_two_copies_at_once_apply_it_once(reference_data):
    with _arriving_together():
        copies = [_receive(imposed("CMS-D6")) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def work(pk: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(court_message_process(pk=pk).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(copy.pk,)) for copy in copies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == [MessageStatus.DUPLICATE, MessageStatus.PROCESSED]
    assert Sentence.objects.count() == 1
    assert Offender.objects.count() == 1
