"""The batch import of court messages: a JSON-lines file, every line stored as it is (source
'batch'), duplicates and invalid lines filed in bulk, the accepted messages then processed here or
queued for the workers BATCH_SIZE at a time (courts.services processes them like any other)."""

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from courts.broker import publish
from courts.models import MESSAGE_WORKFLOW, CourtMessage, MessageStatus
from courts.schemas import MAX_BODY_BYTES, ParsedBody, envelope_fields, parse_body, validate_message
from courts.services import (
    BATCH_SIZE,
    ORIGINAL_STATUSES,
    court_messages_process,
    rejected_message_exception_raise,
)
from reconciliation.detection import exception_raise
from reconciliation.models import ReasonCode

logger = logging.getLogger(__name__)


def _file_as(*, messages: list[CourtMessage], to_status: str, reasons: dict[int, str]) -> None:
    """The same step for many messages stored moments ago in this transaction: one UPDATE and one
    INSERT of transition rows for them all, rather than statements per message."""
    for message in messages:
        message.status_reason = reasons.get(message.pk, "")[:4000]
    MESSAGE_WORKFLOW.move_many(
        messages,
        from_status=MessageStatus.RECEIVED,
        to=to_status,
        comments={message.pk: message.status_reason for message in messages},
        fields={"processed_at": timezone.now()},
        own_fields=["status_reason", "duplicate_of"],
        # As for every step of a message (courts.services.message_transition): its transition rows
        # are its history; an audit row each would be a thousand more rows per import batch.
        audit=False,
    )


def _queue_batches(batches: list[list[int]]) -> None:
    """One task a batch, over one connection to the broker."""
    # Imported here: courts.tasks imports courts.services, which this module imports.
    from courts.tasks import process_court_messages

    publish(process_court_messages, [((pks,), pks) for pks in batches])


@dataclass
class ImportSummary:
    lines: int = 0
    blank: int = 0
    accepted: int = 0
    duplicate: int = 0
    conflicting: int = 0  # same message ID as an earlier message, different content: exceptions
    rejected: int = 0
    processed: dict[str, int] = field(default_factory=dict)
    store_seconds: float = 0.0
    process_seconds: float = 0.0
    rejections: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return self.accepted + self.duplicate + self.conflicting + self.rejected


def _read_line(line_number: int, raw: bytes) -> tuple[CourtMessage, str]:
    """One line as a row to store and the reason it is rejected ('' when it is valid). Never
    raises: a line that breaks the checks is rejected with the reason, not the whole import."""
    too_large = len(raw) > MAX_BODY_BYTES
    try:
        parsed = parse_body(raw[:MAX_BODY_BYTES])
        validation = (
            validate_message(parsed.payload) if parsed.payload is not None and not too_large else None
        )
        message_id, message_type = envelope_fields(parsed.payload)
    except Exception as error:  # a line must never stop the import
        logger.exception("Import line %s could not be checked", line_number)
        text = raw[:MAX_BODY_BYTES].decode("utf-8", errors="replace").replace("\x00", "\ufffd")
        parsed = ParsedBody(
            text, raw[:MAX_BODY_BYTES], None, f"The line could not be checked ({type(error).__name__})."
        )
        validation, message_id, message_type = None, "", ""
    row = CourtMessage(
        raw_body=parsed.text,
        raw_bytes=parsed.exact_bytes,
        body_size=len(raw),
        body_truncated=too_large,
        content_type="application/x-ndjson",
        source="batch",
        message_id=message_id,
        message_type=message_type,
        payload=parsed.payload,
    )
    if too_large:
        reason = (
            f"Line {line_number}: the line is {len(raw):,} bytes; the largest message is {MAX_BODY_BYTES:,}."
        )
    elif validation is None:
        reason = f"Line {line_number}: {parsed.error}"
    elif not validation.valid:
        reason = f"Line {line_number}: {validation.reason}"
    else:
        reason = ""
    return row, reason


def _store_batch(batch: list[tuple[int, bytes]], summary: ImportSummary) -> list[int]:
    """Store one batch of lines, file the duplicates and rejections, return the accepted pks. If
    the database refuses the batch, its lines are stored one at a time, so one bad line costs only
    itself."""
    read = [_read_line(line_number, raw) for line_number, raw in batch]
    try:
        with transaction.atomic():
            return _file_batch(read, summary)
    except Exception:
        if len(batch) == 1:
            line_number, raw = batch[0]
            logger.exception("Import line %s could not be stored", line_number)
            row, _ = _read_line(line_number, raw)
            row.payload, row.message_id, row.message_type = None, "", ""
            with transaction.atomic():
                return _file_batch([(row, f"Line {line_number}: the database refused the line.")], summary)
        accepted: list[int] = []
        for line in batch:
            accepted += _store_batch([line], summary)
        return accepted


def _file_batch(read: list[tuple[CourtMessage, str]], summary: ImportSummary) -> list[int]:
    rows = [row for row, _ in read]
    for row in rows:
        row.pk = None
    CourtMessage.objects.bulk_create(rows, batch_size=1000)
    rejected = [(row, reason) for row, reason in read if reason]
    valid = [row for row, reason in read if not reason]
    earlier: dict[str, tuple[int, object]] = {}
    for message_id, pk, payload in (
        CourtMessage.objects.filter(
            message_id__in={row.message_id for row in valid},
            status__in=ORIGINAL_STATUSES,
            pk__lt=min((row.pk for row in rows), default=0),
        )
        .order_by("message_id", "pk")
        .distinct("message_id")
        .values_list("message_id", "pk", "payload")
    ):
        earlier[message_id] = (pk, payload)
    duplicates, conflicts, accepted = [], [], []
    for row in valid:
        original = earlier.get(row.message_id)
        if original is None:
            earlier[row.message_id] = (row.pk, row.payload)
            accepted.append(row)
            continue
        row.duplicate_of_id = original[0]
        (duplicates if original[1] == row.payload else conflicts).append(row)
    _file_as(
        messages=duplicates,
        to_status=MessageStatus.DUPLICATE,
        reasons={
            row.pk: f"Message {row.message_id} was already received (#{row.duplicate_of_id}); this copy "
            "changes nothing."
            for row in duplicates
        },
    )
    _file_as(
        messages=conflicts,
        to_status=MessageStatus.EXCEPTION,
        reasons={
            row.pk: f"Message {row.message_id} was already received as #{row.duplicate_of_id}, and this "
            f"copy (#{row.pk}) says something different. Nothing was applied from it: check with the "
            "courts which is right."
            for row in conflicts
        },
    )
    for row in conflicts:
        exception_raise(
            reason_code=ReasonCode.COURT_CONFLICT,
            detail=f"Court messages #{row.duplicate_of_id} and #{row.pk} ({row.message_type}) share the "
            f"message ID {row.message_id} but their content differs.",
            court_message=row,
        )
    _file_as(
        messages=[row for row, _ in rejected],
        to_status=MessageStatus.REJECTED,
        reasons={row.pk: reason for row, reason in rejected},
    )
    for row, reason in rejected:
        rejected_message_exception_raise(row, reason)
    summary.accepted += len(accepted)
    summary.duplicate += len(duplicates)
    summary.conflicting += len(conflicts)
    summary.rejected += len(rejected)
    summary.rejections += [reason for _, reason in rejected][: max(0, 20 - len(summary.rejections))]
    return [row.pk for row in accepted]


def court_messages_import(
    *,
    lines: Iterable[bytes],
    batch_size: int = 1000,
    process: bool = False,
    queue: bool = True,
    on_line: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import a JSON-lines file of messages: every line is stored as it is (source 'batch'), then
    duplicates and invalid lines are filed, in batches of `batch_size` (bulk inserts). The accepted
    messages are then processed here (`process`) or queued for the workers (`queue`).
    `on_line(bytes_read)` is called per line, for a progress bar."""
    summary = ImportSummary()
    batch: list[tuple[int, bytes]] = []
    accepted: list[int] = []
    started = time.perf_counter()
    for number, line in enumerate(lines, start=1):
        if on_line is not None:
            on_line(len(line))
        summary.lines += 1
        content = line[:-1] if line.endswith(b"\n") else line
        content = content[:-1] if content.endswith(b"\r") else content
        if not content.strip():
            summary.blank += 1
            continue
        batch.append((number, content))
        if len(batch) >= batch_size:
            accepted += _store_batch(batch, summary)
            batch = []
    if batch:
        accepted += _store_batch(batch, summary)
    summary.store_seconds = time.perf_counter() - started
    batches = [accepted[start : start + BATCH_SIZE] for start in range(0, len(accepted), BATCH_SIZE)]
    if process:
        started = time.perf_counter()
        for pks in batches:
            for message in court_messages_process(pks=pks):
                if message is not None:
                    summary.processed[message.status] = summary.processed.get(message.status, 0) + 1
        summary.process_seconds = time.perf_counter() - started
    elif queue:
        _queue_batches(batches)
    return summary
