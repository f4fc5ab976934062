"""manage.py seed_demo: fill an empty database with synthetic demonstration data (demo/seed.py)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from demo.seed import DEFAULT_SEED, DEFAULT_SIZE, SIZES, resolve_size, seed_allocation_queue, seed_demo
from offenders.models import Offender
from staff.demo_logins import DEMO_LOGINS


class Command(BaseCommand):
    help = (
        "Generate synthetic offenders, sentences, casenotes, staff and the demo logins. "
        "Sizes: " + ", ".join(f"{name} ({count:,} offenders)" for name, count in SIZES.items()) + "."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES, key=SIZES.get), default=None)
        parser.add_argument("--offenders", type=int, default=None, help="Exact number of offenders.")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Random seed (default %(default)s)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add demo data even though offenders exist (reuses offices and staff).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="Do not list the demo logins at the end (`make run` prints them in its banner).",
        )

    def handle(self, *args, **options):
        if options["size"] and options["offenders"] is not None:
            raise CommandError("Give --size or --offenders, not both.")
        try:
            count = resolve_size(options["size"], options["offenders"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        existing = Offender.objects.count()
        if existing and not options["force"]:
            # Not an error: `make run` seeds on first start and must go on to start the portal.
            self.stderr.write(
                f"The database already holds {existing:,} offenders; not adding demo data. "
                "Use --force to add more anyway."
            )
            return
        progress = not options["no_progress"] and sys.stderr.isatty()
        label = options["size"] or ("custom" if options["offenders"] is not None else DEFAULT_SIZE)
        self.stdout.write(f"Seeding {count:,} offenders ({label}, seed {options['seed']})…")
        try:
            report = seed_demo(offenders=count, seed=options["seed"], first_index=existing, progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for name, rows in sorted(report.counts.items()):
            self.stdout.write(f"  {name:<24} {rows:>12,}")
        phases = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in report.phase_seconds.items())
        self.stdout.write(self.style.SUCCESS(f"Done in {report.seconds:.1f}s ({phases})."))
        queued = seed_allocation_queue()
        self.stdout.write(f"  allocate requests queued for the demo service manager: {queued}")
        if options["no_logins"]:
            return
        self.stdout.write("Demo logins (role, username, password):")
        for role_label, username, password in DEMO_LOGINS:
            self.stdout.write(f"  {role_label:<28} {username:<14} {password}")
