"""manage.py bench_appointments: an officer's diary and the office calendar with 60 cases per officer
(5 officers), against the same pages with one case each: times, the ratio to raw SQL, and the
query counts, which must be the same. Built in a transaction that is rolled back
(demo/appointments_bench.py)."""

from django.core.management.base import BaseCommand, CommandError

from demo.appointments_bench import (
    APPOINTMENTS_BENCH_CASES,
    APPOINTMENTS_BENCH_OFFICERS,
    format_appointments,
    run_appointments_bench,
)


class Command(BaseCommand):
    help = "Time the diary and office calendar with many cases per officer (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=APPOINTMENTS_BENCH_CASES)
        parser.add_argument("--officers", type=int, default=APPOINTMENTS_BENCH_OFFICERS)
        parser.add_argument("--runs", type=int, default=10)

    def handle(self, *args, **options):
        if min(options["cases"], options["officers"], options["runs"]) < 1:
            raise CommandError("--cases, --officers and --runs must be at least 1.")
        outcome = run_appointments_bench(
            cases=options["cases"], officers=options["officers"], runs=options["runs"]
        )
        self.stdout.write(format_appointments(outcome))
        if not outcome.constant_queries:
            raise CommandError("The pages took more queries with more cases.")
