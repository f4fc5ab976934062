"""manage.py bench_classification: pre-populating, scoring and starting a Review Security
Classification for a prisoner with a short and one with a long history (the same number of queries
for both), and the instrument dry run over every current prisoner. Built in a transaction that is
rolled back (demo/bench.py, run_classification_bench)."""

from django.core.management.base import BaseCommand, CommandError

from demo.bench import CLASSIFICATION_BENCH_INCIDENTS, format_classification, run_classification_bench


class Command(BaseCommand):
    help = "Time classification scoring for a short and a long prison history (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--incidents",
            type=int,
            default=CLASSIFICATION_BENCH_INCIDENTS,
            help="Incident reports in the long history; the other records scale with it.",
        )
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--dry-runs", type=int, default=3, help="Timed runs of the dry run.")

    def handle(self, *args, **options):
        if options["incidents"] < 1 or options["runs"] < 1 or options["dry_runs"] < 1:
            raise CommandError("--incidents, --runs and --dry-runs must be at least 1.")
        outcome = run_classification_bench(
            incidents=options["incidents"], runs=options["runs"], dry_runs=options["dry_runs"]
        )
        self.stdout.write(format_classification(outcome))
        if not outcome.constant_queries:
            raise CommandError("The long history took more queries than the short one.")
