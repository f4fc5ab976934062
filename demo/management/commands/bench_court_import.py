"""manage.py bench_court_import [N]: messages per second for the batch import of N court messages
(demo/bench.py, run_court_import_bench). Runs in a transaction that is rolled back."""

from django.core.management.base import BaseCommand, CommandError

from demo.bench import format_court_import, run_court_import_bench


class Command(BaseCommand):
    help = "Time the batch import of N court messages (default 100,000) and a processing sample."

    def add_arguments(self, parser):
        parser.add_argument("count", nargs="?", type=int, default=100_000)
        parser.add_argument(
            "--process-sample", type=int, default=2_000, help="How many accepted messages to process."
        )

    def handle(self, *args, **options):
        if options["count"] < 1 or options["process_sample"] < 0:
            raise CommandError("N must be at least 1 and --process-sample at least 0.")
        result = run_court_import_bench(count=options["count"], process_sample=options["process_sample"])
        self.stdout.write(format_court_import(result))
