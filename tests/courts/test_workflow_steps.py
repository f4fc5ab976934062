"""The court message and correction request lifecycles go through the one workflow mechanism: a
step from a status someone else has since changed is refused and changes nothing, and a step the
map does not allow is refused."""

import json

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from courts.corrections import correction_request_create, correction_request_send, correction_request_withdraw
from courts.models import (
    CorrectionRequest,
    CorrectionStatus,
    CorrectionTransition,
    CourtMessage,
    MessageStatus,
    MessageTransition,
)
from courts.services import (
    court_message_process,
    court_message_receive,
    court_message_retry,
    message_transition,
)
from tests.courts.conftest import days_ago, deliver, imposed, on_sentence
from workflow.transitions import ConcurrentChange, TransitionNotAllowed

pytestmark = pytest.mark.django_db


def _audit_rows(obj) -> int:
    return AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).count()


@pytest.fixture
def failed_message(known_sentence, monkeypatch):
    """A message on the exceptions report: it names a sentence not on record."""
    monkeypatch.setattr("courts.services._queue", lambda pk: None)
    message = on_sentence("sentence.quashed", "CMS-W1", known_sentence, effective_on=days_ago(1))
    message["sentence_ref"] = {"court_case_number": "CRI-UNKNOWN"}
    failed = deliver(message)
    assert failed.status == MessageStatus.EXCEPTION, failed.status_reason
    return failed


def test_retrying_a_message_someone_else_retried_meanwhile_is_refused_and_changes_nothing(
    failed_message, admin_support
):
    seen = CourtMessage.objects.get(pk=failed_message.pk)  # the page a person had open
    court_message_retry(actor=admin_support, message=failed_message)
    rows, audits = MessageTransition.objects.count(), _audit_rows(seen)

    with pytest.raises(ConcurrentChange, match="Someone else changed this message while you had it open"):
        # The step itself, from the status the person read.
        message_transition(
            message=seen, to_status=MessageStatus.RECEIVED, reason="again", actor=admin_support
        )

    assert CourtMessage.objects.get(pk=seen.pk).status == MessageStatus.RECEIVED
    assert MessageTransition.objects.count() == rows
    assert _audit_rows(seen) == audits


def test_a_person_retrying_a_message_is_audited_and_queued_once(failed_message, admin_support):
    retried = court_message_retry(actor=admin_support, message=failed_message)

    assert retried.status == MessageStatus.RECEIVED and retried.attempts == 0
    step = retried.transitions.order_by("id").last()
    assert (step.from_status, step.to_status, step.actor, step.comment) == (
        MessageStatus.EXCEPTION,
        MessageStatus.RECEIVED,
        admin_support,
        "Retried by a person",
    )
    assert AuditEvent.objects.filter(summary=f"Retried court message {retried}").count() == 1


def test_a_processed_message_cannot_be_retried(reference_data, admin_support, monkeypatch):
    monkeypatch.setattr("courts.services._queue", lambda pk: None)
    receipt = court_message_receive(raw=json.dumps(imposed("CMS-W2")).encode())
    processed = court_message_process(pk=receipt.message.pk)
    assert processed.status == MessageStatus.PROCESSED
    rows = processed.transitions.count()

    with pytest.raises(TransitionNotAllowed, match="A message that is processed cannot become received"):
        court_message_retry(actor=admin_support, message=processed)

    assert CourtMessage.objects.get(pk=processed.pk).status == MessageStatus.PROCESSED
    assert processed.transitions.count() == rows


@pytest.fixture
def request_raised(known_sentence, admin_support):
    return correction_request_create(
        actor=admin_support,
        offender=known_sentence.offender,
        sentence=known_sentence,
        fields=["end_date"],
        what_is_wrong="Expiry date 1 June",
        should_be="2 June (court order)",
    )


def test_a_new_request_has_its_first_status_as_a_row(request_raised, admin_support):
    [row] = request_raised.transitions.all()
    assert (row.from_status, row.to_status, row.actor) == ("", CorrectionStatus.OPEN, admin_support)


def test_sending_a_request_someone_else_withdrew_meanwhile_is_refused_and_changes_nothing(
    request_raised, admin_support
):
    seen = CorrectionRequest.objects.get(pk=request_raised.pk)
    correction_request_withdraw(actor=admin_support, request=request_raised, reason="Raised in error")
    rows, audits = CorrectionTransition.objects.count(), _audit_rows(seen)

    with pytest.raises(
        ValidationError, match="Someone else changed this request while you had it open: it is now withdrawn"
    ):
        correction_request_send(actor=admin_support, request=seen)

    fresh = CorrectionRequest.objects.get(pk=seen.pk)
    assert (fresh.status, fresh.sent_at) == (CorrectionStatus.WITHDRAWN, None)
    assert CorrectionTransition.objects.count() == rows
    assert _audit_rows(seen) == audits


def test_a_withdrawn_request_cannot_be_sent(request_raised, admin_support):
    correction_request_withdraw(actor=admin_support, request=request_raised, reason="Raised in error")
    rows = CorrectionTransition.objects.count()

    with pytest.raises(TransitionNotAllowed, match="A request that is withdrawn cannot become sent"):
        correction_request_send(actor=admin_support, request=request_raised)

    assert CorrectionRequest.objects.get(pk=request_raised.pk).status == CorrectionStatus.WITHDRAWN
    assert CorrectionTransition.objects.count() == rows


def test_filing_many_messages_when_one_has_moved_meanwhile_changes_none_of_them(reference_data, monkeypatch):
    from courts.models import MESSAGE_WORKFLOW

    monkeypatch.setattr("courts.services._queue", lambda pk: None)
    messages = [
        court_message_receive(raw=json.dumps(imposed(f"CMS-M{n}")).encode()).message for n in range(3)
    ]
    # Someone else settles the second one meanwhile.
    message_transition(
        message=CourtMessage.objects.get(pk=messages[1].pk),
        to_status=MessageStatus.EXCEPTION,
        reason="Theirs",
    )
    rows = MessageTransition.objects.count()

    with pytest.raises(ConcurrentChange, match="Someone else changed 1 of these messages"):
        MESSAGE_WORKFLOW.move_many(
            messages, from_status=MessageStatus.RECEIVED, to=MessageStatus.DUPLICATE, audit=False
        )

    statuses = dict(CourtMessage.objects.values_list("pk", "status"))
    assert [statuses[message.pk] for message in messages] == ["received", "exception", "received"]
    assert MessageTransition.objects.count() == rows
