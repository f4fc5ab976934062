"""Sizes of big tables for people to read: PostgreSQL's estimate, rounded and said to be one; exact
counts only up to a limit (ioms/row_counts.py, issue 10)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from audit.services import audit_view
from ioms.row_counts import CappedCount, Estimate, count_up_to, estimated_rows
from offenders.models import Offender
from tests.factories import OffenderFactory


@pytest.mark.parametrize(
    ("rows", "shown"),
    [
        (None, "not yet estimated"),
        (0, "about 0"),
        (37, "about 37"),
        (240_113, "about 240,000"),
        (4_861_002, "about 4,900,000"),
    ],
)
def test_an_estimate_is_rounded_and_says_it_is_one(rows, shown):
    assert str(Estimate(rows)) == shown


def test_an_estimate_reads_the_catalogue_not_the_table(db):
    OffenderFactory.create_batch(5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE offenders_offender")

    with CaptureQueriesContext(connection) as queries:
        estimate = estimated_rows(Offender._meta.db_table)

    assert estimate == Estimate(5)
    assert [query["sql"] for query in queries.captured_queries] == [
        "SELECT reltuples FROM pg_class WHERE oid = to_regclass('offenders_offender')"
    ]


def test_a_relation_that_does_not_exist_has_no_estimate(db):
    assert estimated_rows("no_such_table") == Estimate(None)


def test_a_capped_count_stops_at_its_limit(db, system_admin):
    for _ in range(4):
        audit_view(actor=system_admin, obj=OffenderFactory())

    assert count_up_to(AuditEvent.objects.all(), 10) == CappedCount(rows=4, limit=10)
    assert str(count_up_to(AuditEvent.objects.all(), 3)) == "more than 3"
