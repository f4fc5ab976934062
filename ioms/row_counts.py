"""Numbers of rows for people to read, at a cost that does not grow with the table (issue 10).

COUNT(*) reads every row it counts: at national size the offender and sentence counts on the
system administrator's home page read hundreds of thousands of rows on every visit. A person
needs the size, not the exact figure, and PostgreSQL keeps one: pg_class.reltuples, the rows of a
table or index as of its last ANALYZE or VACUUM (autovacuum runs them as rows change; seed_demo
runs ANALYZE after loading). A partial index's estimate is the number of rows it covers, so
"current sentences" is the size of the partial index of current sentences.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet


@dataclass(frozen=True)
class Estimate:
    """Shown as "about 240,000"; None until the table has first been analysed."""

    rows: int | None

    def __str__(self) -> str:
        if self.rows is None:
            return "not yet estimated"
        return f"about {_two_significant_figures(self.rows):,}"


def _two_significant_figures(number: int) -> int:
    digits = len(str(number))
    return number if digits <= 2 else round(number, 2 - digits)


def estimated_rows(relation: str) -> Estimate:
    """PostgreSQL's estimate of the rows in a table or index, read from one catalogue row."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", [relation])
        row = cursor.fetchone()
    # -1: never analysed or vacuumed (PostgreSQL 14 and later).
    if row is None or row[0] < 0:
        return Estimate(None)
    return Estimate(round(row[0]))


@dataclass(frozen=True)
class CappedCount:
    """An exact count up to a limit; beyond it, "more than 10,000"."""

    rows: int
    limit: int

    def __str__(self) -> str:
        return f"more than {self.limit:,}" if self.rows > self.limit else f"{self.rows:,}"


def count_up_to(queryset: QuerySet, limit: int) -> CappedCount:
    """Counts at most limit + 1 rows: SELECT COUNT(*) FROM (SELECT … LIMIT limit + 1)."""
    return CappedCount(rows=queryset.order_by()[: limit + 1].count(), limit=limit)
