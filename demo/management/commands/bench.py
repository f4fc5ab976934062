"""manage.py bench: time the main pages and API lists against demo data (demo/bench.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo.bench import (
    CLASSIFICATION_BENCH_INCIDENTS,
    COURT_WORKERS_MESSAGES,
    GOAL_P95_MS,
    GOAL_RAW_RATIO,
    INBOX_BENCH_OFFICERS,
    PDF_GOAL_SECONDS,
    format_classification,
    format_court_import,
    format_court_workers,
    format_pdf,
    format_table,
    run_allocation_queue_bench,
    run_bench,
    run_classification_bench,
    run_court_import_bench,
    run_court_workers_bench,
    run_inbox_bench,
    run_pdf_bench,
    write_json,
)
from demo.search_recall import format_recall, run_recall_bench
from demo.seed import SIZES
from demo.volume_bench import VOLUME_BENCH_ROWS, format_volumes, run_volume_bench
from offenders.models import Offender


class Command(BaseCommand):
    help = (
        "Seed demo data if the database has no offenders, then time each target page with the "
        "demo logins and print the median and 95th-percentile times, query counts and the ratio to "
        "the page's own SQL run raw; search recall; court messages applied per second by one and "
        "two worker processes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES, key=SIZES.get), default="small")
        parser.add_argument("--offenders", type=int, default=None, help="Seed exactly this many offenders.")
        parser.add_argument("--runs", type=int, default=20, help="Measured requests per target.")
        parser.add_argument("--seed", type=int, default=None, help="Random seed for the demo data.")
        parser.add_argument("--skip-seed", action="store_true", help="Never seed; use the data as it is.")
        parser.add_argument(
            "--allocation-queue",
            type=int,
            default=2_000,
            help="Also time the allocation queue of an office with this many open requests and 100 "
            "officers, built and rolled back in one transaction (0 to skip).",
        )
        parser.add_argument(
            "--appointments",
            type=int,
            default=60,
            help="Also time an officer's diary and the office calendar with this many cases per officer "
            "(5 officers) against one case each, built and rolled back in one transaction (0 to skip).",
        )
        parser.add_argument(
            "--volumes",
            type=int,
            default=VOLUME_BENCH_ROWS,
            help="Also time the record's conditions and appointments tabs, the work inbox, the diary, "
            "the office calendar and the data share's event feed with a few rows of each, then with "
            "this many appointments, half as many conditions and this many outbox events, in one "
            "transaction rolled back (0 to skip).",
        )
        parser.add_argument(
            "--classification",
            type=int,
            default=CLASSIFICATION_BENCH_INCIDENTS,
            help="Also time pre-populating, scoring and starting a classification review for a "
            "prisoner with a short history and one with this many incident reports (and escapes, "
            "convictions, activities in proportion), and the dry run over every prisoner, built and "
            "rolled back in one transaction (0 to skip).",
        )
        parser.add_argument(
            "--inbox",
            type=int,
            default=INBOX_BENCH_OFFICERS,
            help="Also time the work inbox of a service manager over this many officers with work of "
            "every kind, built and rolled back in one transaction (0 to skip).",
        )
        parser.add_argument(
            "--pdf",
            type=int,
            default=10,
            help="Also make each classification PDF of the demo prison's reviews (the review form, "
            "the letter) this many times and report the median and slowest wall time and the CPU "
            "time against issue 14's 3 seconds (0 to skip).",
        )
        parser.add_argument(
            "--court-import",
            type=int,
            default=100_000,
            help="Also import this many court messages in a rolled-back transaction and report "
            "messages per second (0 to skip).",
        )
        parser.add_argument(
            "--court-workers",
            type=int,
            default=COURT_WORKERS_MESSAGES,
            help="Also apply this many court messages (new sentences for new people) in one worker "
            "process, then as many more in two, committed, and report messages per second (0 to skip).",
        )
        parser.add_argument(
            "--recall",
            type=int,
            default=300,
            help="Also search for this many people picked at random, in the ways staff type names, "
            "and report recall@5 per query form (0 to skip).",
        )
        parser.add_argument(
            "--reseed",
            action="store_true",
            help="Seed even though offenders exist. Casenotes and audit rows are append-only, so this "
            "adds a further set of demo offenders rather than replacing the data.",
        )
        parser.add_argument(
            "--output-dir",
            default=str(Path(settings.BASE_DIR) / "bench-results"),
            help="Where the JSON results go (default: bench-results/).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bars while seeding.")

    def handle(self, *args, **options):
        if options["runs"] < 1:
            raise CommandError("--runs must be at least 1.")
        if options["skip_seed"] and options["reseed"]:
            raise CommandError("Give --skip-seed or --reseed, not both.")
        existing = Offender.objects.exists()
        label = f"{options['offenders']} offenders" if options["offenders"] is not None else options["size"]
        if not options["skip_seed"] and (options["reseed"] or not existing):
            seed_options = {"force": options["reseed"], "no_progress": options["no_progress"]}
            if options["offenders"] is not None:
                seed_options["offenders"] = options["offenders"]
            else:
                seed_options["size"] = options["size"]
            if options["seed"] is not None:
                seed_options["seed"] = options["seed"]
            call_command("seed_demo", stdout=self.stdout, stderr=self.stderr, **seed_options)
        elif existing:
            label = "existing data"
        context, results = run_bench(runs=options["runs"])
        if context is None:
            raise CommandError("There are no offenders to measure; run without --skip-seed.")
        self.stdout.write(
            f"\n{Offender.objects.count():,} offenders; sample record {context.prn}; "
            f"{options['runs']} runs per target after one warm-up request (DEBUG off), each followed by "
            "the request's own SELECTs run raw (Raw SQL ms; × raw = request median / raw median). "
            f"Goal (issue 10): p95 under {GOAL_P95_MS:.0f} ms and within {GOAL_RAW_RATIO:.0f}× raw.\n"
        )
        self.stdout.write(format_table(results))
        path = write_json(
            results,
            directory=Path(options["output_dir"]),
            context=context,
            runs=options["runs"],
            label=label,
        )
        self.stdout.write(f"\nResults written to {path}")
        if options["pdf"]:
            self.stdout.write(
                f"\nClassification PDFs: {options['pdf']} runs each after one warm-up (issue 14: under "
                f"{PDF_GOAL_SECONDS:.0f} s; CPU ms is this process's own time, without waiting for a core)"
            )
            self.stdout.write(format_pdf(run_pdf_bench(runs=options["pdf"])))
        if options["allocation_queue"]:
            self.stdout.write(
                f"\nAllocation queue: an office with {options['allocation_queue']:,} open requests "
                "and 100 officers (rolled back)"
            )
            self.stdout.write(
                format_table(
                    run_allocation_queue_bench(requests=options["allocation_queue"], runs=options["runs"])
                )
            )
        if options["appointments"]:
            from demo.appointments_bench import format_appointments, run_appointments_bench

            self.stdout.write(
                f"\nAppointments: the diary and office calendar, {options['appointments']} cases per officer "
                "(rolled back)"
            )
            appointments = run_appointments_bench(cases=options["appointments"], runs=options["runs"])
            self.stdout.write(format_appointments(appointments))
        if options["volumes"]:
            self.stdout.write(
                f"\nConditions, appointments, the inbox and the event feed with national volumes "
                f"({options['volumes']:,} appointments and outbox events; rolled back)"
            )
            volumes = run_volume_bench(rows=options["volumes"], runs=options["runs"])
            self.stdout.write(format_volumes(volumes) if volumes else "No sample record or demo officer.")
        if options["classification"]:
            self.stdout.write(
                f"\nClassification: scoring a prisoner with a short and a long history "
                f"({options['classification']:,} incidents), rolled back"
            )
            self.stdout.write(
                format_classification(
                    run_classification_bench(incidents=options["classification"], runs=options["runs"])
                )
            )
        if options["inbox"]:
            self.stdout.write(
                f"\nWork inbox: a service manager over {options['inbox']:,} officers (rolled back)"
            )
            self.stdout.write(format_table(run_inbox_bench(officers=options["inbox"], runs=options["runs"])))
        if options["recall"]:
            self.stdout.write(
                f"\nSearch recall: {options['recall']:,} people, each searched for in up to 15 ways "
                "(is the person among the first five results?)"
            )
            self.stdout.write(format_recall(run_recall_bench(people=options["recall"])))
        if options["court_workers"]:
            self.stdout.write(
                f"\nCourt messages applied by worker processes ({options['court_workers']:,} with one, "
                f"{options['court_workers']:,} more with two; committed)"
            )
            self.stdout.write(
                format_court_workers(run_court_workers_bench(messages=options["court_workers"]))
            )
        if options["court_import"]:
            self.stdout.write(f"\nCourt interface: batch import of {options['court_import']:,} messages")
            self.stdout.write(format_court_import(run_court_import_bench(count=options["court_import"])))
