"""The same message ID twice changes nothing the second time, whatever order the copies arrive and
are processed in, and even when two workers process two copies at the same moment."""

import json
import threading

import pytest
from django.db import connection

from courts.models import CourtMessage, MessageStatus
from courts.services import court_message_process, court_message_receive
from offenders.models import Offender
from sentences.models import Sentence, SentenceEvent
from tests.courts.conftest import days_ago, deliver, imposed, on_sentence


def _receive(message: dict) -> CourtMessage:
    return court_message_receive(raw=json.dumps(message).encode()).message


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
    earlier, later = _receive(imposed("CMS-D4")), _receive(imposed("CMS-D4"))

    assert court_message_process(pk=later.pk).status == MessageStatus.DUPLICATE
    assert court_message_process(pk=earlier.pk).status == MessageStatus.PROCESSED

    later.refresh_from_db()
    assert later.duplicate_of == earlier
    assert Sentence.objects.count() == 1


@pytest.mark.django_db
def test_a_copy_with_different_content_is_still_a_duplicate_and_says_so(reference_data):
    deliver(imposed("CMS-D5"))

    copy = deliver(imposed("CMS-D5", hours=None, end_date=days_ago(-10)))

    assert copy.status == MessageStatus.DUPLICATE
    assert "Its content differs from the first copy's." in copy.status_reason
    assert Sentence.objects.get().end_date.isoformat() == days_ago(-335)


@pytest.mark.django_db(transaction=True)
def test_two_workers_processing_two_copies_at_once_apply_it_once(reference_data):
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
