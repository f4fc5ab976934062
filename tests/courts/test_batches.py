"""The batch import's messages are applied BATCH_SIZE at a time in one transaction
(court_messages_process): each message exactly as if it were alone (whole or not at all, with every
audit row, casenote and transition row), a failure costing only its own message, in a fixed number
of statements per message."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from casenotes.models import Casenote
from courts import services
from courts.models import CourtMessage, MessageStatus, MessageTransition
from courts.schemas import MessageType
from courts.services import court_message_process, court_message_receive, court_messages_process
from offenders.models import Offender
from reconciliation.models import DataException, ReasonCode
from sentences.models import Sentence, SentenceEventKind
from tests.courts.conftest import days_ago, imposed, on_sentence

pytestmark = pytest.mark.django_db


def _receive(message: dict) -> CourtMessage:
    return court_message_receive(raw=json.dumps(message).encode()).message


def _person(number: int) -> dict:
    return {
        "family_name": f"Batchelor{'abcdefghij'[number]}",
        "given_names": "Aroha",
        "date_of_birth": f"19{70 + number}-03-0{1 + number % 9}",
        "gender": "F",
    }


def _rows() -> dict[str, int]:
    return {
        "audit": AuditEvent.objects.count(),
        "casenotes": Casenote.objects.count(),
        "message transitions": MessageTransition.objects.count(),
        "offenders": Offender.objects.count(),
        "sentences": Sentence.objects.count(),
    }


def _added(before: dict[str, int]) -> dict[str, int]:
    return {name: count - before[name] for name, count in _rows().items()}


def test_a_batch_writes_what_each_message_writes_alone(reference_data):
    before = _rows()
    alone = court_message_process(pk=_receive(imposed("CMS-B0", offender=_person(0))).pk)
    one = _added(before)
    assert alone.status == MessageStatus.PROCESSED, alone.status_reason

    before = _rows()
    pks = [_receive(imposed(f"CMS-B{n}", offender=_person(n))).pk for n in (1, 2, 3)]
    results = court_messages_process(pks=pks)

    assert [message.status for message in results] == [MessageStatus.PROCESSED] * 3
    assert _added(before) == {name: 3 * count for name, count in one.items()}
    # The audit row of each casenote names it, though both were inserted at the end of the batch.
    for note in Casenote.objects.filter(offender__in=[message.offender for message in results]):
        assert AuditEvent.objects.filter(object_type="casenotes.Casenote", object_id=str(note.pk)).exists()
    assert {message.attempts for message in CourtMessage.objects.filter(pk__in=pks)} == {1}


def test_a_later_message_of_a_batch_sees_what_an_earlier_one_recorded(reference_data):
    sentence_message = imposed("CMS-B4", offender=_person(4), court_case_number="CRI-B4")
    breach = example_breach("CMS-B5", _person(4), "CRI-B4")

    results = court_messages_process(pks=[_receive(sentence_message).pk, _receive(breach).pk])

    assert [message.status for message in results] == [MessageStatus.PROCESSED] * 2, [
        message.status_reason for message in results
    ]
    sentence = Sentence.objects.get(court_case_number="CRI-B4")
    assert sentence.events.filter(kind=SentenceEventKind.BREACH).exists()
    assert Offender.objects.filter(family_name="Batchelore").count() == 1


def example_breach(message_id: str, person: dict, case: str) -> dict:
    from courts.examples import example

    message = example("breach.charged", message_id=message_id)
    message["sent_at"] = f"{days_ago(0)}T09:00:00+13:00"
    message["offender"] = {key: person[key] for key in ("family_name", "given_names", "date_of_birth")}
    message["sentence_ref"] = {"court_case_number": case}
    message["charged_on"] = days_ago(2)
    return message


def test_a_message_the_record_refuses_leaves_nothing_of_itself_in_a_batch(reference_data, monkeypatch):
    from django.core.exceptions import ValidationError

    from courts import applying

    recorded = applying.sentence_create

    def refusing(**kwargs):
        if kwargs["court_case_number"] == "CRI-REFUSED":
            raise ValidationError({"end_date": "Refused after the offender was created."})
        return recorded(**kwargs)

    monkeypatch.setattr(applying, "sentence_create", refusing)
    before = _rows()
    pks = [
        _receive(imposed("CMS-B6", offender=_person(6))).pk,
        _receive(imposed("CMS-B7", offender=_person(7), court_case_number="CRI-REFUSED")).pk,
        _receive(imposed("CMS-B8", offender=_person(8))).pk,
    ]

    results = court_messages_process(pks=pks)

    assert [message.status for message in results] == [
        MessageStatus.PROCESSED,
        MessageStatus.EXCEPTION,
        MessageStatus.PROCESSED,
    ]
    assert "Refused after the offender was created" in results[1].status_reason
    assert not Offender.objects.filter(family_name=_person(7)["family_name"]).exists()
    assert not AuditEvent.objects.filter(summary__icontains=_person(7)["family_name"]).exists()
    added = _added(before)
    assert (added["offenders"], added["sentences"]) == (2, 2)
    assert DataException.objects.get(court_message_id=pks[1]).reason_code == ReasonCode.REJECTED_MESSAGE


def test_an_unexpected_error_in_a_batch_costs_only_its_own_message(reference_data, monkeypatch):
    apply_imposed = services.APPLY[MessageType.SENTENCE_IMPOSED]

    def broken_for_one(applying):
        if applying.message.message_id == "CMS-B10":
            raise RuntimeError("something nobody expected")
        apply_imposed(applying)

    monkeypatch.setitem(services.APPLY, MessageType.SENTENCE_IMPOSED, broken_for_one)
    pks = [_receive(imposed(f"CMS-B{n}", offender=_person(n - 9))).pk for n in (9, 10, 11)]

    results = court_messages_process(pks=pks)

    assert [message.status for message in results] == [
        MessageStatus.PROCESSED,
        MessageStatus.EXCEPTION,
        MessageStatus.PROCESSED,
    ]
    assert "RuntimeError: something nobody expected" in results[1].status_reason
    assert Sentence.objects.count() == 2
    # One attempt each: the batch that failed and the retry alone are the same attempt.
    assert {message.attempts for message in CourtMessage.objects.filter(pk__in=pks)} == {1}


def test_copies_of_one_message_in_a_batch_are_applied_once(reference_data):
    pks = [_receive(imposed("CMS-B12")).pk, _receive(imposed("CMS-B12")).pk]

    results = court_messages_process(pks=pks)

    assert [message.status for message in results] == [MessageStatus.PROCESSED, MessageStatus.DUPLICATE]
    assert results[1].duplicate_of_id == pks[0]
    assert Sentence.objects.count() == 1


def test_a_message_waiting_for_a_later_one_in_its_batch_is_retried_after_the_batch(
    known_sentence, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[int] = []
    monkeypatch.setattr("courts.services._queue", queued.append)
    decided = _receive(on_sentence("appeal.decided", "CMS-B13", known_sentence, decided_on=days_ago(1)))
    lodged = _receive(
        on_sentence("appeal.lodged", "CMS-B14", known_sentence, against="conviction", lodged_on=days_ago(5))
    )
    early_breach_decision = _receive(
        on_sentence("breach.decided", "CMS-B15", known_sentence, decided_on=days_ago(1))
    )

    with django_capture_on_commit_callbacks(execute=True):
        results = court_messages_process(pks=[decided.pk, lodged.pk, early_breach_decision.pk])

    assert [message.status for message in results] == [
        MessageStatus.EXCEPTION,
        MessageStatus.PROCESSED,
        MessageStatus.EXCEPTION,
    ]
    # The appeal decision failed before the appeal was processed: retried once the batch commits.
    # The breach decision failed after it: as if each message had been committed on its own, the
    # appeal does not retry it.
    assert queued == [decided.pk]
    decided.refresh_from_db()
    assert decided.status == MessageStatus.RECEIVED
    assert "Retried automatically after message CMS-B14" in decided.transitions.order_by("id").last().comment
    early_breach_decision.refresh_from_db()
    assert early_breach_decision.status == MessageStatus.EXCEPTION

    court_message_process(pk=decided.pk)

    decided.refresh_from_db()
    assert decided.status == MessageStatus.PROCESSED, decided.status_reason


def test_a_batch_of_new_sentences_takes_a_fixed_number_of_statements_each(reference_data):
    pks = [_receive(imposed(f"CMS-C{n}", offender=_person(n))).pk for n in range(10)]

    with CaptureQueriesContext(connection) as queries:
        results = court_messages_process(pks=pks)

    assert {message.status for message in results} == {MessageStatus.PROCESSED}
    statements = [query["sql"] for query in queries.captured_queries]
    savepoints = [sql for sql in statements if sql.startswith("SAVEPOINT")]
    # One for the message, one for the allocate request's INSERT (which may meet its constraint);
    # the batch's own transaction is a savepoint too inside the test's.
    assert len(savepoints) <= 2 * len(pks) + 1
    # Each message names a new person (matching, offender, sentence, conviction, order event,
    # allocate request and its steps, the message's own row): about 22 statements, where it took
    # 72 one at a time; its 6 audit rows, casenote and transition rows wait for a few INSERTs.
    assert len(statements) <= 25 * len(pks), len(statements) / len(pks)
    for table in ("audit_auditevent", "casenotes_casenote", "courts_messagetransition"):
        assert len([sql for sql in statements if sql.startswith(f'INSERT INTO "{table}"')]) == 1, table
