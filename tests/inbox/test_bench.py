"""The inbox's `make bench` target: a service manager's inboxes at a prison built and rolled back,
every page answering, in the same number of queries for a small and a larger team."""

import io

import pytest
from django.core.management import call_command

from demo.bench import run_inbox_bench
from staff.models import StaffMember

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_the_inbox_bench_measures_each_page_in_the_same_queries_for_any_team_size():
    small, large = run_inbox_bench(officers=4, runs=2), run_inbox_bench(officers=24, runs=2)
    assert [result.note for result in small + large] == [""] * (len(small) + len(large))
    assert len(small) == len(large) == 6
    assert [(r.min_queries, r.max_queries) for r in small] == [(r.min_queries, r.max_queries) for r in large]
    assert "24 people" in large[0].name
    assert not StaffMember.objects.filter(staff_number__startswith="BI").exists(), "rolled back"


@pytest.mark.slow
def test_make_bench_reports_the_inbox(tmp_path):
    out = io.StringIO()
    call_command(
        "bench",
        "--offenders",
        "10",
        "--runs",
        "1",
        "--no-progress",
        "--court-import",
        "0",
        "--allocation-queue",
        "0",
        "--classification",
        "0",
        "--inbox",
        "3",
        "--court-workers",
        "0",
        "--recall",
        "0",
        "--volumes",
        "0",
        "--output-dir",
        str(tmp_path),
        stdout=out,
    )
    assert "Work inbox: a service manager over 3 officers (rolled back)" in out.getvalue()
    assert "Team inbox (3 people" in out.getvalue()
