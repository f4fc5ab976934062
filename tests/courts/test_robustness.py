"""No message is ever stuck or lost, hostile input never costs a 500, a credential can be revoked,
and a message that arrived before the one it depends on is retried once that one is processed."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from courts import batch, services
from courts.models import CourtApiCredential, CourtMessage, MessageStatus
from courts.schemas import MessageType
from courts.services import MAX_ATTEMPTS, court_message_process, court_message_receive, court_messages_requeue
from offenders.models import Offender
from reconciliation.models import DataException, ReasonCode
from sentences.models import SentenceEventKind, SentenceStatus
from tests.courts.conftest import days_ago, deliver, imposed, on_sentence

pytestmark = pytest.mark.django_db
URL = "/api/v1/court-messages/"


def _receive(message: dict) -> CourtMessage:
    return court_message_receive(raw=json.dumps(message).encode()).message


def _nested(depth: int) -> bytes:
    """A message whose extra field is a list nested `depth` deep (too deep for a recursive walk)."""
    return b'{"message_id": "CMS-DEEP", "message_type": "sentence.imposed", "x": ' + (
        b"[" * depth + b"]" * depth + b"}"
    )


# --- item 2: nothing stays RECEIVED for good ------------------------------------------------------


def test_a_family_name_that_folds_longer_than_its_column_is_still_processed(reference_data):
    name = "ﬀ" * 80  # 80 characters, 160 once folded to "ff"
    message = deliver(
        imposed(
            "CMS-R1",
            offender={
                "family_name": name,
                "given_names": "ﬀ" * 60,
                "date_of_birth": "1990-05-17",
                "aliases": [{"family_name": "ﬃ" * 80, "given_names": "Wiremu"}],
            },
        )
    )

    assert message.status == MessageStatus.PROCESSED, message.status_reason
    offender = Offender.objects.get()
    assert offender.family_name == name
    assert offender.family_name_folded == "f" * 80
    assert offender.aliases.get().family_name_folded == ("ffi" * 80)[:80]


def test_an_unexpected_error_puts_the_message_on_the_exceptions_report(reference_data, monkeypatch):
    def broken(applying):
        raise RuntimeError("something nobody expected")

    monkeypatch.setitem(services.APPLY, MessageType.SENTENCE_IMPOSED, broken)
    message = _receive(imposed("CMS-R2"))

    result = court_message_process(pk=message.pk)

    message.refresh_from_db()
    assert message.status == MessageStatus.EXCEPTION
    assert result.status == MessageStatus.EXCEPTION
    assert "RuntimeError: something nobody expected" in message.status_reason
    assert "Nothing was applied" in message.status_reason
    exception = DataException.objects.get(court_message=message)
    assert exception.reason_code == ReasonCode.REJECTED_MESSAGE
    assert "something nobody expected" in exception.detail
    assert not Offender.objects.exists()


def test_a_transient_database_error_is_retried_then_given_up_on_the_last_attempt(reference_data, monkeypatch):
    def deadlock(applying):
        raise OperationalError("deadlock detected")

    monkeypatch.setitem(services.APPLY, MessageType.SENTENCE_IMPOSED, deadlock)
    message = _receive(imposed("CMS-R3"))

    with pytest.raises(OperationalError):
        court_message_process(pk=message.pk)  # the task retries it
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.RECEIVED, 1)

    CourtMessage.objects.filter(pk=message.pk).update(attempts=MAX_ATTEMPTS - 1)
    court_message_process(pk=message.pk)

    message.refresh_from_db()
    assert message.status == MessageStatus.EXCEPTION
    assert "OperationalError" in message.status_reason


def test_a_message_that_keeps_stopping_the_worker_is_given_up_not_processed_forever(reference_data):
    message = _receive(imposed("CMS-R4"))
    # Every earlier delivery stopped the worker before it finished (acks_late delivers it again).
    CourtMessage.objects.filter(pk=message.pk).update(attempts=MAX_ATTEMPTS)

    court_message_process(pk=message.pk)

    message.refresh_from_db()
    assert message.status == MessageStatus.EXCEPTION
    assert f"started {MAX_ATTEMPTS} times without finishing" in message.status_reason
    assert DataException.objects.filter(court_message=message).exists()
    assert not Offender.objects.exists()


def test_the_sweep_gives_up_on_a_message_out_of_attempts_and_queues_the_others(reference_data, monkeypatch):
    queued: list[int] = []
    monkeypatch.setattr("courts.services._queue", queued.append)
    monkeypatch.setattr("courts.services._queue_many", lambda pks: queued.extend(pks) or len(pks))
    spent, waiting = _receive(imposed("CMS-R5")), _receive(imposed("CMS-R6"))
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    CourtMessage.objects.filter(pk=spent.pk).update(attempts=MAX_ATTEMPTS, received_at=an_hour_ago)
    CourtMessage.objects.filter(pk=waiting.pk).update(attempts=1, received_at=an_hour_ago)

    assert court_messages_requeue() == 1

    assert queued == [waiting.pk]
    spent.refresh_from_db()
    assert spent.status == MessageStatus.EXCEPTION
    assert DataException.objects.filter(court_message=spent).exists()


# --- item 5: hostile input ------------------------------------------------------------------------


def test_a_deeply_nested_body_posted_is_stored_and_rejected_not_a_500(court_api, reference_data):
    body = _nested(990)

    response = court_api.generic("POST", URL, body, content_type="application/json")

    assert response.status_code == 400, response.content[:300]
    message = CourtMessage.objects.get(pk=response.json()["id"])
    assert message.status == MessageStatus.REJECTED
    assert "nested too deeply" in message.status_reason
    assert message.raw_body == body.decode()
    assert DataException.objects.get(court_message=message).reason_code == ReasonCode.REJECTED_MESSAGE


def test_a_deeply_nested_line_in_an_import_is_rejected_and_the_rest_imported(
    tmp_path, reference_data, monkeypatch
):
    monkeypatch.setattr("courts.services._queue", lambda pk: None)
    path = tmp_path / "messages.jsonl"
    path.write_bytes(
        json.dumps(imposed("CMS-R7")).encode()
        + b"\n"
        + _nested(990)
        + b"\n"
        + json.dumps(imposed("CMS-R8")).encode()
    )
    out = io.StringIO()

    call_command("import_court_messages", str(path), "--no-queue", stdout=out, stderr=io.StringIO())

    assert "3 lines: 2 accepted, 0 duplicate, 1 rejected" in out.getvalue()
    deep = CourtMessage.objects.get(status=MessageStatus.REJECTED)
    assert "Line 2" in deep.status_reason and "nested too deeply" in deep.status_reason
    assert set(
        CourtMessage.objects.filter(status=MessageStatus.RECEIVED).values_list("message_id", flat=True)
    ) == {
        "CMS-R7",
        "CMS-R8",
    }


def test_a_line_the_checks_cannot_handle_is_rejected_alone(tmp_path, reference_data, monkeypatch):
    real = services.validate_message

    def fragile(payload):
        if payload.get("message_id") == "CMS-R10":
            raise RecursionError("maximum recursion depth exceeded")
        return real(payload)

    monkeypatch.setattr("courts.batch.validate_message", fragile)
    summary = batch.court_messages_import(
        lines=[json.dumps(imposed("CMS-R9")).encode(), json.dumps(imposed("CMS-R10")).encode()], queue=False
    )

    assert (summary.accepted, summary.rejected) == (1, 1)
    assert "could not be checked (RecursionError)" in summary.rejections[0]


def test_a_different_copy_in_an_import_is_a_conflict(tmp_path, reference_data):
    deliver(imposed("CMS-R11"))

    summary = batch.court_messages_import(
        lines=[json.dumps(imposed("CMS-R11", end_date=days_ago(-10))).encode()], queue=False
    )

    assert (summary.duplicate, summary.conflicting) == (0, 1)
    copy = CourtMessage.objects.get(message_id="CMS-R11", source="batch")
    assert copy.status == MessageStatus.EXCEPTION
    assert DataException.objects.get(court_message=copy).reason_code == ReasonCode.COURT_CONFLICT


@pytest.mark.parametrize("text", ["²", "١٢٣", "12²"])
def test_searching_messages_for_a_digit_that_is_not_ascii_finds_nothing_not_a_500(
    client, admin_support, reference_data, text
):
    deliver(imposed("CMS-R12"))
    client.force_login(admin_support)

    response = client.get(reverse("courts:message_list"), {"q": text})

    assert response.status_code == 200
    assert "CMS-R12" not in response.content.decode()


# --- item 10: revoking a credential ---------------------------------------------------------------


def test_a_revoked_credential_is_refused_and_the_revocation_audited(court_api, credential, reference_data):
    assert (
        court_api.generic(
            "POST", URL, json.dumps(imposed("CMS-R13")), content_type="application/json"
        ).status_code
        == 202
    )
    out = io.StringIO()

    call_command("revoke_court_credential", "CMS test", "--reason", "token leaked", stdout=out)

    assert "Revoked court credential 'CMS test'" in out.getvalue()
    assert not CourtApiCredential.objects.get(name="CMS test").active
    response = court_api.generic("POST", URL, json.dumps(imposed("CMS-R14")), content_type="application/json")
    assert response.status_code in (401, 403)
    assert not CourtMessage.objects.filter(message_id="CMS-R14").exists()
    audit = AuditEvent.objects.get(object_type="courts.CourtApiCredential", action=AuditAction.UPDATE)
    assert audit.summary == "Revoked court credential CMS test: token leaked"


def test_revoking_an_unknown_or_revoked_credential_says_so(credential):
    with pytest.raises(CommandError, match="No court credential is named 'nope'"):
        call_command("revoke_court_credential", "nope")
    call_command("revoke_court_credential", "CMS test", stdout=io.StringIO())
    with pytest.raises(CommandError, match="already revoked"):
        call_command("revoke_court_credential", "CMS test")


# --- item 12: out of order ------------------------------------------------------------------------


def test_a_decision_that_arrived_before_its_appeal_is_applied_once_the_appeal_is(
    known_sentence, monkeypatch, django_capture_on_commit_callbacks
):
    decided = deliver(on_sentence("appeal.decided", "CMS-R15", known_sentence, decided_on=days_ago(1)))
    assert decided.status == MessageStatus.EXCEPTION
    monkeypatch.setattr("courts.services._queue", lambda pk: court_message_process(pk=pk))

    with django_capture_on_commit_callbacks(execute=True):
        lodged = deliver(
            on_sentence(
                "appeal.lodged", "CMS-R16", known_sentence, against="conviction", lodged_on=days_ago(5)
            )
        )

    assert lodged.status == MessageStatus.PROCESSED
    decided.refresh_from_db()
    assert decided.status == MessageStatus.PROCESSED, decided.status_reason
    assert [t.to_status for t in decided.transitions.all()] == ["exception", "received", "processed"]
    assert "Retried automatically after message CMS-R16" in decided.transitions.all()[1].comment
    known_sentence.refresh_from_db()
    assert known_sentence.status == SentenceStatus.COMPLETED
    assert known_sentence.events.get(kind=SentenceEventKind.APPEAL_CONVICTION).outcome.startswith(
        "Appeal allowed"
    )
    # The exception the early decision raised is settled by its own later processing.
    from reconciliation.models import DataException, ExceptionStatus

    settled = DataException.objects.get(court_message=decided)
    assert settled.status == ExceptionStatus.RESOLVED
    assert settled.resolution_reason == "The court message was processed on a later attempt."


# --- item 11: system casenotes for what a court message adds to the record -------------------------


def test_aliases_addresses_and_identifiers_from_the_courts_leave_casenotes(reference_data):
    from casenotes.models import Casenote

    message = imposed("CMS-R17")
    message["offender"]["cms_participant_id"] = "P-55"

    result = deliver(message)

    assert result.status == MessageStatus.PROCESSED, result.status_reason
    notes = {note.summary: note.text for note in Casenote.objects.filter(offender=result.offender)}
    assert "The courts know this person as William Thomas." in notes["Alias added (from the court interface)"]
    assert "12 Rata Street" in notes["Address added (from the court interface)"]
    assert "P-55" in notes["Identifier added (from the court interface)"]
    for what in ("Alias", "Address", "Identifier"):
        assert "Court message CMS-R17." in notes[f"{what} added (from the court interface)"]
