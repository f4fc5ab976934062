"""The allocation-queue benchmark: measured inside a transaction that is rolled back."""

import pytest

from allocation.models import AllocateRequest
from demo.bench import run_allocation_queue_bench
from offenders.models import Offender

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_the_queue_bench_measures_constant_queries_and_leaves_no_data():
    small = run_allocation_queue_bench(requests=60, officers=5, runs=2)
    large = run_allocation_queue_bench(requests=240, officers=20, runs=2)

    assert [result.note for result in small + large] == [""] * 6
    assert [result.max_queries for result in small] == [result.max_queries for result in large]
    assert large[0].name == "Allocation queue (240 requests, 20 officers)"
    assert not AllocateRequest.objects.exists() and not Offender.objects.exists()
