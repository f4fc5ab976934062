"""The hash chain over each append-only table (issue 11): every row, in id order, is sealed with
SHA-256 of its contents and of the previous row's hash, so changing, removing or slipping in a row
anywhere shows in `manage.py verify_audit`, which recomputes the chain from the rows.

Sealing happens after commit, not in the inserting transaction: the portal's writers (web requests,
court workers inserting hundreds of audit rows per transaction) never wait for each other. The
difficulty is order: ids come from a sequence, which is not transactional, so id 100 may commit after
id 101, or never (a rollback leaves a gap). Chaining 101 while 100 is still in flight would leave 100
outside the chain for ever. So each run of the sealer (Celery beat every minute, and verify_audit)
first writes a checkpoint: the last id each table's sequence has handed out, read *before* listing the
transactions then running in this database (their virtual transaction ids from pg_locks, which
every transaction holds from its first statement, whether or not it has written yet). A transaction
that holds an id up to the recorded value had taken it by then, so it is either finished or on
that list. When a later run finds none of the listed transactions running, every id up to the
recorded value is final (committed, or rolled back for good) and the rows up to it are chained in
id order. Nothing blocks writers; sealing lags the longest-running transaction of the moment.

The chain is stored beside the rows (`ChainSeal`), one seal per row. Each seal also names the row
before it, so a removed row is reported even when its seal survives, and a removed seal breaks the
link of the next. The hash covers every column of the row except those that are NULL (so a nullable
column added later leaves old rows' hashes intact; a column added with a default filled into old
rows, or renamed, would show every old row as changed). The sequences must hand out ids one at a
time (CACHE 1, PostgreSQL's default): with a per-session cache, ids would not be handed out in the
order the checkpoint assumes, so the sealer refuses to run.

What it proves: a row changed, removed or inserted among sealed rows, by anyone including the
database owner with the triggers disabled, is found, unless the same person also recomputes every
later seal. Against that, keep the head hash that verify_audit and each sealing run print (the logs
are a copy outside the database) and compare it later."""

import datetime
import decimal
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from audit.append_only import chained_tables
from audit.models import ChainSeal, SealCheckpoint

logger = logging.getLogger(__name__)

# Advisory lock keys: one sealing run at a time (the beat task and verify_audit; held for the run),
# and one writer of seals at a time (held per chunk's transaction). Writers of rows never take them.
SEAL_RUN_KEY = 0x10_5EA0
SEAL_LOCK_KEY = 0x10_5EA1
CHUNK_ROWS = 5000
_JSON_TYPES = {114, 3802}  # json, jsonb: Django's connection hands them over as text


class SealingRefused(RuntimeError):
    pass


def _canonical_value(value: Any, type_code: int) -> Any:
    if type_code in _JSON_TYPES and isinstance(value, str):
        return json.loads(value)
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        # A stored PDF: its digest stands for it.
        return {"sha256": hashlib.sha256(bytes(value)).hexdigest()}
    return value


def canonical_row(columns: Sequence[tuple[str, int]], row: Sequence[Any]) -> bytes:
    """The row as JSON with sorted keys and no spaces, NULL columns left out."""
    values = {
        name: _canonical_value(value, type_code)
        for (name, type_code), value in zip(columns, row, strict=True)
        if value is not None
    }
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def seal_hash(*, table: str, row_id: int, previous_row_id: int | None, previous_hash: str, row: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(f"{previous_hash}\n{table}\n{row_id}\n{previous_row_id or ''}\n".encode())
    digest.update(row)
    return digest.hexdigest()


def _columns(cursor) -> list[tuple[str, int]]:
    return [(column.name, column.type_code) for column in cursor.description]


def _lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])


def _running_elsewhere() -> set[str]:
    """Transactions running now in this database, other than this one (it writes only seals)."""
    with connection.cursor() as cursor:
        # pg_stat_activity is read once per transaction and then cached: a session that connected
        # since would be missing from the join, and its transaction from the list.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            """
            SELECT l.virtualxid FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'virtualxid' AND l.pid IS DISTINCT FROM pg_backend_pid()
              -- A session not (yet) in pg_stat_activity counts: waiting once too often is harmless.
              AND (a.pid IS NULL OR a.datname = current_database() AND a.backend_type <> 'autovacuum worker')
            UNION ALL
            SELECT 'prepared:' || gid FROM pg_prepared_xacts WHERE database = current_database()
            """
        )
        return {value for (value,) in cursor.fetchall()}


def _last_ids_handed_out() -> dict[str, int]:
    values = {}
    with connection.cursor() as cursor:
        for entry in chained_tables():
            cursor.execute(
                """
                SELECT seqcache, pg_sequence_last_value(seqrelid) FROM pg_sequence
                WHERE seqrelid = pg_get_serial_sequence(%s, 'id')::regclass
                """,
                [entry.table],
            )
            cache_size, last_value = cursor.fetchone()
            if cache_size != 1:
                raise SealingRefused(
                    f"The id sequence of {entry.table} caches {cache_size} values per session; sealing "
                    "needs ids handed out one at a time (ALTER SEQUENCE … CACHE 1)."
                )
            values[entry.table] = last_value or 0
    return values


@transaction.atomic
def _advance_checkpoint() -> dict[str, int]:
    """The highest id of each table that is final (from the newest checkpoint whose transactions
    have all ended), and a new checkpoint for the next run."""
    _lock()
    running = _running_elsewhere()
    final: dict[str, int] = {}
    for checkpoint in SealCheckpoint.objects.order_by("-id"):
        if running.isdisjoint(checkpoint.waiting_for):
            # A newer usable checkpoint makes the older ones redundant: whatever was still running
            # at an older one and is running now was running at the newer one as well.
            final = checkpoint.sequence_values
            SealCheckpoint.objects.filter(id__lte=checkpoint.id).delete()
            break
    # The ids first, then the transactions: whoever took an id up to these was running before the
    # list is read, so it is finished or on the list.
    last_ids = _last_ids_handed_out()
    SealCheckpoint.objects.create(sequence_values=last_ids, waiting_for=sorted(_running_elsewhere()))
    return final


def _seal_chunk(table: str, up_to: int) -> int:
    quoted = connection.ops.quote_name(table)
    with transaction.atomic():
        _lock()
        last = ChainSeal.objects.filter(table_name=table).order_by("-row_id").first()
        previous_row_id = last.row_id if last else None
        previous_hash = last.hash if last else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT * FROM {quoted} WHERE id > %s AND id <= %s ORDER BY id LIMIT %s",
                [previous_row_id or 0, up_to, CHUNK_ROWS],
            )
            columns = _columns(cursor)
            id_index = [name for name, _ in columns].index("id")
            rows = cursor.fetchall()
        seals = []
        for row in rows:
            row_id = row[id_index]
            digest = seal_hash(
                table=table,
                row_id=row_id,
                previous_row_id=previous_row_id,
                previous_hash=previous_hash,
                row=canonical_row(columns, row),
            )
            seals.append(
                ChainSeal(table_name=table, row_id=row_id, previous_row_id=previous_row_id, hash=digest)
            )
            previous_row_id, previous_hash = row_id, digest
        ChainSeal.objects.bulk_create(seals)
    return len(rows)


def seal_chains(*, wait: bool = True) -> dict[str, int]:
    """Chain the rows of every chained table whose transactions have certainly ended. Returns the
    number of rows sealed per table. Each chunk is its own transaction, so a first run over millions
    of rows (after `seed_demo --size national`, say) neither holds one huge transaction nor loses its
    work when interrupted. One run at a time: with `wait=False` (the beat task, every minute) a run
    that finds another still going returns at once, sealing nothing."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_lock(%s), true" if wait else "SELECT NULL, pg_try_advisory_lock(%s)",
            [SEAL_RUN_KEY],
        )
        if not cursor.fetchone()[1]:
            logger.info("Another sealing run is still going; this one leaves it the work.")
            return {}
    try:
        final = _advance_checkpoint()
        sealed = {}
        for entry in chained_tables():
            up_to = final.get(entry.table, 0)
            count = 0
            while up_to:
                done = _seal_chunk(entry.table, up_to)
                count += done
                if done < CHUNK_ROWS:
                    break
            sealed[entry.table] = count
        return sealed
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SEAL_RUN_KEY])


# ----------------------------------------------------------------------------------------------
# Verification


@dataclass(frozen=True)
class ChainBreak:
    table: str
    row_id: int
    problem: str

    def __str__(self) -> str:
        return f"{self.table} row {self.row_id}: {self.problem}"


@dataclass
class ChainReport:
    table: str
    verified: int = 0
    head_row_id: int | None = None
    head_hash: str = ""
    not_yet_sealed: int = 0
    breaks: list[ChainBreak] = field(default_factory=list)


def head_token(table: str, row_id: int, digest: str) -> str:
    """A chain's head as verify_audit prints it and takes it back (--expect-head)."""
    return f"{table}:{row_id}:{digest}"


def chain_heads() -> list[str]:
    """The last sealed row of each chain and its hash: worth keeping outside the database."""
    heads = []
    for entry in chained_tables():
        last = ChainSeal.objects.filter(table_name=entry.table).order_by("-row_id").first()
        if last is not None:
            heads.append(head_token(entry.table, last.row_id, last.hash))
    return heads


def check_recorded_head(token: str) -> ChainBreak | None:
    """A head kept outside the database must still be in the chain, with the same hash: otherwise
    the chain was recomputed from that row on (by someone able to rewrite the tables)."""
    try:
        table, row_id, digest = token.split(":")
        row_id = int(row_id)
    except ValueError:
        raise ValueError(
            f"A recorded head reads TABLE:ROW:HASH (as verify_audit prints it), not {token!r}."
        ) from None
    seal = ChainSeal.objects.filter(table_name=table, row_id=row_id).first()
    if seal is None:
        return ChainBreak(table, row_id, "the recorded head is no longer in the chain")
    if seal.hash != digest:
        return ChainBreak(
            table, row_id, f"the chain was recomputed: its seal is {seal.hash}, recorded as {digest}"
        )
    return None


def _stream(sql: str, params: list) -> Iterator[tuple[list[tuple[str, int]], tuple]]:
    """Rows from a server-side cursor, a chunk at a time, with the columns' names and types."""
    with connection.chunked_cursor() as cursor:
        cursor.cursor.itersize = CHUNK_ROWS
        cursor.execute(sql, params)
        columns = None
        for row in cursor:
            if columns is None:
                columns = _columns(cursor)
            yield columns, row


def _by_id(stream: Iterator[tuple[list[tuple[str, int]], tuple]], id_column: str):
    id_index = None
    for columns, row in stream:
        if id_index is None:
            id_index = [name for name, _ in columns].index(id_column)
        yield row[id_index], columns, row


def verify_chain(table: str, *, progress: Callable[[str, int], None] | None = None) -> ChainReport:
    """Recompute `table`'s chain from its rows, in id order, up to the last sealed row. Each row's
    hash is checked against its predecessor's *stored* hash, so one changed row is reported alone
    rather than with every row after it."""
    report = ChainReport(table=table)
    quoted = connection.ops.quote_name(table)
    with transaction.atomic():
        head = ChainSeal.objects.filter(table_name=table).order_by("-row_id").first()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {quoted} WHERE id > %s", [head.row_id if head else 0])
            (report.not_yet_sealed,) = cursor.fetchone()
        if head is None:
            return report
        report.head_row_id, report.head_hash = head.row_id, head.hash
        # Both streams stop at the head read above: seals written while this runs are not its concern.
        seals = _by_id(
            _stream(
                "SELECT row_id, previous_row_id, hash FROM audit_chainseal"
                " WHERE table_name = %s AND row_id <= %s ORDER BY row_id",
                [table, head.row_id],
            ),
            "row_id",
        )
        rows = _by_id(_stream(f"SELECT * FROM {quoted} WHERE id <= %s ORDER BY id", [head.row_id]), "id")
        seal, row = next(seals, None), next(rows, None)
        previous_row_id, previous_hash = None, ""
        while seal is not None or row is not None:
            if row is not None and (seal is None or row[0] < seal[0]):
                report.breaks.append(
                    ChainBreak(table, row[0], "not in the chain: inserted among sealed rows after sealing")
                )
                row = next(rows, None)
                continue
            row_id, _, (_, stored_previous, stored_hash) = seal
            if stored_previous != previous_row_id:
                report.breaks.append(
                    ChainBreak(
                        table,
                        row_id,
                        f"link broken: its seal follows row {stored_previous}, but the chain before it "
                        f"ends at row {previous_row_id} (a seal was removed)",
                    )
                )
            if row is None or row[0] != row_id:
                report.breaks.append(ChainBreak(table, row_id, "missing: the sealed row was removed"))
            else:
                expected = seal_hash(
                    table=table,
                    row_id=row_id,
                    previous_row_id=stored_previous,
                    previous_hash=previous_hash,
                    row=canonical_row(row[1], row[2]),
                )
                if expected != stored_hash:
                    report.breaks.append(
                        ChainBreak(table, row_id, "altered: its contents do not match its sealed hash")
                    )
                report.verified += 1
                if progress is not None and report.verified % 100_000 == 0:
                    progress(table, report.verified)
                row = next(rows, None)
            previous_row_id, previous_hash = row_id, stored_hash
            seal = next(seals, None)
    return report


def verify_chains(*, progress: Callable[[str, int], None] | None = None) -> list[ChainReport]:
    return [verify_chain(entry.table, progress=progress) for entry in chained_tables()]
