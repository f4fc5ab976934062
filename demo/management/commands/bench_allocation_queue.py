"""manage.py bench_allocation_queue: the queue of an office with 2,000 open allocate requests and 100
probation officers, built in a transaction that is rolled back (demo/bench.py)."""

from django.core.management.base import BaseCommand

from demo.bench import (
    ALLOCATION_BENCH_OFFICERS,
    ALLOCATION_BENCH_REQUESTS,
    format_table,
    run_allocation_queue_bench,
)


class Command(BaseCommand):
    help = "Time the allocation queue of a large office (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=ALLOCATION_BENCH_REQUESTS)
        parser.add_argument("--officers", type=int, default=ALLOCATION_BENCH_OFFICERS)
        parser.add_argument("--runs", type=int, default=10)

    def handle(self, *args, **options):
        results = run_allocation_queue_bench(
            requests=options["requests"], officers=options["officers"], runs=options["runs"]
        )
        self.stdout.write(format_table(results))
