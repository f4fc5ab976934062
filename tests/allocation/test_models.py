"""Open allocations (ended_on IS NULL) are read from a partial index of their own (issue 10)."""

import datetime

import pytest
from django.db import connection

from allocation.models import CaseAllocation, open_caseload
from staff.models import StaffMember
from tests.factories import AllocationFactory

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    """The query plan, with sequential and bitmap scans priced out (the test tables hold a handful
    of rows, which PostgreSQL 18 may rather read by any index and filter) and statistics taken of
    the test's own rows, so that the planner knows how few of them are open."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE allocation_caseallocation")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_current_allocations_are_those_not_ended():
    open_one = AllocationFactory()
    AllocationFactory(ended_on=datetime.date.today())

    assert list(CaseAllocation.objects.current()) == [open_one]


def test_a_staff_members_open_cases_are_read_from_the_partial_index():
    member = AllocationFactory().staff

    assert "allocation_staff_open" in _plan(CaseAllocation.objects.current().filter(staff=member))


def test_caseloads_are_counted_from_the_partial_index():
    member = AllocationFactory().staff
    AllocationFactory(staff=member, ended_on=datetime.date.today())
    caseloads = StaffMember.objects.filter(pk=member.pk).annotate(caseload=open_caseload())

    assert caseloads.get().caseload == 1
    assert "allocation_staff_open" in _plan(caseloads)
