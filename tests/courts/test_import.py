"""manage.py import_court_messages: every line stored exactly, a summary of accepted, duplicate and
rejected lines, then processed here or queued."""

import io
import json

import pytest
from django.core.management import call_command

from courts.models import CourtMessage, MessageStatus
from reconciliation.models import DataException
from sentences.models import Sentence
from tests.courts.conftest import deliver, imposed

pytestmark = pytest.mark.django_db


def _line(message: dict) -> bytes:
    return json.dumps(message).encode()


@pytest.fixture
def jsonl(tmp_path, reference_data):
    deliver(imposed("CMS-I0"))  # already received before the import
    lines = [
        _line(imposed("CMS-I1")),
        _line(
            imposed(
                "CMS-I2",
                offender={"family_name": "Ngata", "given_names": "Aroha", "date_of_birth": "1984-02-29"},
            )
        ),
        b"",
        _line(imposed("CMS-I1")),  # a copy of line 1
        b'{"message_id": "CMS-I3", ',  # broken
        _line(imposed("CMS-I0")),  # a copy of a message received earlier
        b'{"message_id": "CMS-I4", "bytes": "\xff"}',  # not UTF-8
        _line(
            imposed(
                "CMS-I5",
                offender={"family_name": "Rangi", "given_names": "Mere", "date_of_birth": "1979-12-01"},
            )
        )
        + b"\r",
    ]
    path = tmp_path / "messages.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path, lines


def test_the_import_stores_every_line_exactly_and_summarises(jsonl):
    path, lines = jsonl
    out = io.StringIO()

    call_command(
        "import_court_messages", str(path), "--no-progress", "--process", stdout=out, stderr=io.StringIO()
    )

    summary = out.getvalue()
    assert "8 lines: 3 accepted, 2 duplicate, 2 rejected, 1 blank." in summary
    assert "Processed: 3 processed" in summary
    assert "rejected: Line 5: The body is not valid JSON" in summary
    assert "rejected: Line 7: The body is not UTF-8 text" in summary
    batch = CourtMessage.objects.filter(source="batch").order_by("pk")
    assert [m.raw_body for m in batch[:2]] == [lines[0].decode(), lines[1].decode()]
    assert bytes(batch.get(raw_bytes__isnull=False).raw_bytes) == lines[6]
    assert batch.get(message_id="CMS-I5").raw_body.endswith("}")  # the \r\n line ending is not the message
    statuses = sorted(batch.values_list("status", flat=True))
    assert statuses == sorted(["processed"] * 3 + ["duplicate"] * 2 + ["rejected"] * 2)
    copy_of_earlier = batch.get(message_id="CMS-I0")
    assert copy_of_earlier.duplicate_of == CourtMessage.objects.get(message_id="CMS-I0", source="api")
    assert Sentence.objects.count() == 4
    assert DataException.objects.filter(court_message__source="batch").count() == 2
    for message in batch:
        assert message.transitions.exists()


def test_without_process_the_accepted_messages_are_queued(jsonl, monkeypatch):
    path, _ = jsonl
    batches: list[list[int]] = []
    monkeypatch.setattr("courts.batch._queue_batches", batches.extend)
    out = io.StringIO()

    call_command("import_court_messages", str(path), "--no-progress", stdout=out, stderr=io.StringIO())

    accepted = CourtMessage.objects.filter(source="batch", status=MessageStatus.RECEIVED)
    queued = [pk for batch in batches for pk in batch]
    assert sorted(queued) == sorted(accepted.values_list("pk", flat=True))
    assert len(queued) == 3
    assert "Queued 3 messages for processing." in out.getvalue()


def test_importing_the_same_file_twice_adds_only_duplicates(jsonl):
    path, _ = jsonl
    call_command(
        "import_court_messages",
        str(path),
        "--no-progress",
        "--process",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    out = io.StringIO()

    call_command(
        "import_court_messages", str(path), "--no-progress", "--process", stdout=out, stderr=io.StringIO()
    )

    assert "8 lines: 0 accepted, 5 duplicate, 2 rejected, 1 blank." in out.getvalue()
    assert Sentence.objects.count() == 4


def test_the_progress_bar_goes_to_stderr(jsonl):
    path, _ = jsonl
    err = io.StringIO()

    call_command("import_court_messages", str(path), "--no-queue", stdout=io.StringIO(), stderr=err)

    assert "Importing" in err.getvalue()


def test_a_missing_file_is_a_clear_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No such file"):
        call_command("import_court_messages", "/nonexistent.jsonl", "--no-progress")
