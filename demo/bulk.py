"""Set-based writing for the demo data (demo/seed.py): PostgreSQL COPY, primary keys numbered by
the generator, index rebuilds after a large load and ANALYZE of what was loaded.

The generator builds rows as tuples of column values (no model instances: building a Django model
costs more than generating its data) and `CopyTable` writes them with one COPY per table and chunk.
A column the rows leave out takes the field's default, as `Model.save` would give it.

PostgreSQL's advice for populating a database is followed: COPY rather than INSERT; for a load
larger than what is stored, drop the table's secondary indexes and foreign keys first and create
them again afterwards (one sort per index and one join per key, instead of a B-tree descent and a
key lookup per row: about 3 times faster at national size); ANALYZE afterwards. ANALYZE also runs
inside a transaction (a test's), where it counts the transaction's own rows, so the planner never
plans the next queries for empty tables.
"""

import datetime
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import count

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

NULL = "\\N"
COPY_READ_SIZE = 1 << 20


def _text(value: str) -> str:
    """A value in COPY's text format: backslash, tab, newline and carriage return escaped."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _boolean(value) -> str:
    return "t" if value else "f"


def _timestamp(value) -> str:
    # The generator gives timestamps as text with their UTC offset (demo/seed.py `_moment`).
    return value if isinstance(value, str) else value.isoformat()


def _json(value) -> str:
    return _text(json.dumps(value))


def _array(value) -> str:
    items = ('"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"' for item in value)
    return _text("{" + ",".join(items) + "}")


def _converter(field: models.Field) -> Callable:
    if isinstance(field, ArrayField):
        return _array
    if isinstance(field, models.BooleanField):
        return _boolean
    if isinstance(field, models.DateTimeField):
        return _timestamp
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, (models.CharField, models.TextField)):
        return _text
    return str  # numbers, keys and dates (str(date) is its ISO form)


def _stamped(field: models.Field) -> bool:
    """An auto_now or auto_now_add field: `save` sets it, not the model's constructor."""
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


class CopyTable:
    """COPY of one model's rows. Each row gives `columns` (attribute names: `offender_id`) in
    that order; every other column takes the field's default (auto_now fields: `now`), and the
    primary key, when not given, is numbered by the database."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], *, now: datetime.datetime):
        self.model = model
        fields = {field.attname: field for field in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        self.converters = [_converter(fields[name]) for name in columns]
        names = [fields[name].column for name in columns]
        defaults = []
        for field in model._meta.concrete_fields:
            if field.attname in columns or field.primary_key:
                continue
            if _stamped(field):
                value = now if isinstance(field, models.DateTimeField) else now.date()
            elif field.db_default is not NOT_PROVIDED and not field.has_default():
                continue  # the database fills it
            else:
                value = field.get_default()  # as Model() would: "" for a blank text field
                if value is None and not field.null:
                    raise ValueError(f"{model.__name__}.{field.name} has no default: the rows must give it")
            names.append(field.column)
            defaults.append(NULL if value is None else _converter(field)(value))
        self.sql = f"COPY {_quote(model._meta.db_table)} ({', '.join(map(_quote, names))}) FROM STDIN"
        self.line_end = "".join(f"\t{value}" for value in defaults) + "\n"

    def payload(self, rows: Iterable[tuple]) -> bytes:
        """The rows in COPY's text format."""
        converters, line_end = self.converters, self.line_end
        lines = [
            "\t".join([NULL if v is None else convert(v) for convert, v in zip(converters, row, strict=True)])
            + line_end
            for row in rows
        ]
        return "".join(lines).encode()

    def copy(self, payload: bytes) -> None:
        if not payload:
            return
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(self.sql, io.BytesIO(payload), size=COPY_READ_SIZE)
            else:  # psycopg 3
                with raw.copy(self.sql) as copy:
                    copy.write(payload)

    def write(self, rows: Sequence[tuple]) -> int:
        self.copy(self.payload(rows))
        return len(rows)


def copy_instances(instances: Sequence[models.Model]) -> int:
    """Write unsaved model instances (all of one model) with COPY: bulk_create without its
    per-value preparation. The primary keys are numbered by the database and not read back; the
    auto_now fields all take the time of the call."""
    if not instances:
        return 0
    model = type(instances[0])
    columns = [
        field.attname for field in model._meta.concrete_fields if not (field.primary_key or _stamped(field))
    ]
    table = CopyTable(model, columns, now=timezone.now())
    return table.write([tuple(getattr(instance, name) for name in columns) for instance in instances])


# ---------------------------------------------------------------------------------------------
# Primary keys numbered by the generator, so a chunk's rows can point at each other before any is
# written.


def _table_names(model_list: Iterable[type[models.Model]]) -> list[str]:
    return list(dict.fromkeys(model._meta.db_table for model in model_list))


def reserve_keys(model_list: Sequence[type[models.Model]]) -> dict[type[models.Model], Iterator[int]]:
    """A counter of free primary keys for each model. The tables are locked against other writers
    until the transaction ends, so no one else takes those keys; `release_keys` moves the
    sequences past them."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"LOCK TABLE {', '.join(map(_quote, _table_names(model_list)))} IN SHARE ROW EXCLUSIVE MODE"
        )
        counters = {}
        for model in model_list:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {_quote(model._meta.db_table)}")
            counters[model] = count(cursor.fetchone()[0])
    return counters


def release_keys(model_list: Sequence[type[models.Model]]) -> None:
    """Move each table's key sequence to its largest key, so the next row saved takes the next."""
    with connection.cursor() as cursor:
        for table in _table_names(model_list):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
                f"FROM {_quote(table)}",
                [table],
            )


# ---------------------------------------------------------------------------------------------
# Indexes and foreign keys built after a large load


class DeferredIndexes:
    """The secondary indexes and foreign keys of some tables, dropped before a load that is larger
    than what they hold, to be created again (which checks every key and unique index) by
    `rebuild`. Primary keys, unique and check constraints stay. All in the caller's transaction:
    if anything fails, the rollback restores them."""

    def __init__(self, model_list: Sequence[type[models.Model]]):
        tables = _table_names(model_list)
        with connection.cursor() as cursor:
            # Deferred key checks of earlier inserts would block the DDL ("pending trigger events").
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                """
                SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
                FROM pg_constraint
                WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
                ORDER BY 1, 2
                """,
                [tables],
            )
            foreign_keys = cursor.fetchall()
            cursor.execute(
                """
                SELECT index_class.relname, pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                JOIN pg_class index_class ON index_class.oid = i.indexrelid
                WHERE i.indrelid = ANY(%s::regclass[])
                  AND NOT EXISTS (
                      SELECT 1 FROM pg_constraint c
                      WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                  )
                ORDER BY 1
                """,
                [tables],
            )
            indexes = cursor.fetchall()
            for table, name, _ in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(name)}")
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {_quote(name)}")
            # Back to how Django declares its keys: checked at the commit.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self.statements = [definition for _, definition in indexes] + [
            f"ALTER TABLE {table} ADD CONSTRAINT {_quote(name)} {definition}"
            for table, name, definition in foreign_keys
        ]

    def rebuild(self, *, on_step: Callable[[], object] | None = None) -> None:
        with connection.cursor() as cursor:
            # Memory to sort a national table's index in one pass (the default is 64 MB), until
            # the transaction ends.
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for statement in self.statements:
                cursor.execute(statement)
                if on_step:
                    on_step()


def analyze(model_list: Iterable[type[models.Model]]) -> None:
    """Fresh planner statistics for the tables just loaded (also the transaction's own rows)."""
    tables = _table_names(model_list)
    if tables:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(map(_quote, tables))}")


def vacuum(model_list: Iterable[type[models.Model]]) -> None:
    """VACUUM the tables (outside a transaction)."""
    tables = _table_names(model_list)
    if tables:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {', '.join(map(_quote, tables))}")
