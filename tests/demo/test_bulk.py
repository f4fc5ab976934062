"""Set-based loading of the demo data (demo/bulk.py): COPY, keys numbered by the generator,
indexes rebuilt after a large load, and ANALYZE of what was loaded."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from casenotes.models import Casenote
from demo import bulk, seed
from offenders.models import Address, Offender
from tests.factories import OffenderFactory

pytestmark = pytest.mark.django_db

LOADED = [model for model, _, _ in seed.TABLES]


def _indexes_and_keys() -> set[tuple]:
    """The loaded tables' indexes (name, unique, columns, partial) and foreign keys. Not the index
    definitions' text: PostgreSQL words a partial index's condition differently once it has read
    it back, with the same meaning."""
    tables = [model._meta.db_table for model in LOADED]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indisunique, i.indnatts, i.indpred IS NOT NULL FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = ANY(%s::regclass[])",
            [tables],
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = ANY(%s::regclass[])",
            [tables],
        )
        return indexes | set(cursor.fetchall())


def _estimated_rows(model) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        return cursor.fetchone()[0]


def test_copy_keeps_tabs_newlines_and_backslashes_and_fills_the_other_columns():
    offender = OffenderFactory()
    line = "Flat 2\\B\tRear\nof 14 Main Road\r"
    table = bulk.CopyTable(
        Address, ["offender_id", "kind", "line1", "city", "started_on"], now=timezone.now()
    )
    table.write([(offender.pk, Address.Kind.RESIDENTIAL, line, "Wellington", datetime.date(2025, 1, 6))])
    address = Address.objects.get(offender=offender)
    assert address.line1 == line
    assert (address.line2, address.suburb, address.ended_on) == ("", "", None)
    assert address.created_at is not None


def test_keys_numbered_by_the_generator_are_not_given_again():
    before = OffenderFactory()
    keys = bulk.reserve_keys([Offender])
    reserved = next(keys[Offender])
    assert reserved > before.pk
    columns = ["id", "prn", "family_name", "given_names", "date_of_birth"]
    table = bulk.CopyTable(Offender, columns, now=timezone.now())
    table.write([(reserved, "123456789", "Ngata", "Hemi", datetime.date(1990, 5, 1))])
    bulk.release_keys([Offender])
    assert OffenderFactory().pk == reserved + 1


def test_a_large_load_rebuilds_every_index_and_foreign_key(monkeypatch):
    before = _indexes_and_keys()
    monkeypatch.setattr(seed, "REBUILD_INDEXES_FROM", 1)
    report = seed.seed_demo(offenders=30, seed=7, waiting_work=False)
    assert "indexes" in report.phase_seconds, "the indexes were dropped and built again"
    assert _indexes_and_keys() == before
    assert Offender.objects.count() == 30


def test_rebuilt_foreign_keys_refuse_rows_that_point_nowhere():
    offender = OffenderFactory()
    missing = offender.pk + 1000
    with pytest.raises(IntegrityError), transaction.atomic():
        deferred = bulk.DeferredIndexes([Casenote])
        table = bulk.CopyTable(Casenote, ["offender_id", "contact_on", "summary", "text"], now=timezone.now())
        table.write([(missing, "2025-03-04 10:00:00+13:00", "Home visit", "Not at home.")])
        deferred.rebuild()


def test_the_planner_knows_what_a_seed_loaded_even_inside_a_transaction(seeded):
    """A test runs in a transaction: ANALYZE there counts the transaction's own rows, so no query
    after the seed is planned for empty tables (issue 10: a test sat 25 minutes on such a plan)."""
    from django.contrib.auth import get_user_model

    from staff.models import StaffMember

    User = get_user_model()
    for model in (Offender, Casenote, StaffMember, User.groups.through):
        assert _estimated_rows(model) >= model.objects.count() * 0.9 > 0, model.__name__
