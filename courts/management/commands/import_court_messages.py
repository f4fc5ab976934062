"""manage.py import_court_messages FILE.jsonl: court messages in bulk, one JSON message a line.

Every line is stored exactly as it is (source 'batch'), in batches; duplicates of messages already
received and lines that are not valid messages are filed at once (rejected lines go to the
exceptions report). The accepted messages are then queued for the Celery workers, or processed
here with --process."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from courts.batch import court_messages_import


class Command(BaseCommand):
    help = "Import court messages from a JSON-lines file and print a summary."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A file of JSON messages, one a line ('-' for standard input).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--process",
            action="store_true",
            help="Process the accepted messages here rather than queue them.",
        )
        parser.add_argument(
            "--no-queue",
            action="store_true",
            help="Store and check only: leave accepted messages received (a later run of the workers' "
            "sweep queues them).",
        )
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        if options["file"] == "-":
            handle, total = sys.stdin.buffer, None
        else:
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
            handle, total = path.open("rb"), path.stat().st_size
        bar = tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            desc="Importing",
            disable=options["no_progress"],
            file=self.stderr,
        )
        try:
            summary = court_messages_import(
                lines=handle,
                batch_size=options["batch_size"],
                process=options["process"],
                queue=not options["no_queue"] and not options["process"],
                on_line=bar.update,
            )
        finally:
            bar.close()
            if handle is not None and options["file"] != "-":
                handle.close()
        rate = summary.stored / summary.store_seconds if summary.store_seconds else 0
        self.stdout.write(
            f"{summary.lines:,} lines: {summary.accepted:,} accepted, {summary.duplicate:,} duplicate, "
            f"{summary.rejected:,} rejected"
            + (f", {summary.conflicting:,} conflicting with an earlier copy" if summary.conflicting else "")
            + (f", {summary.blank:,} blank" if summary.blank else "")
            + f". Stored in {summary.store_seconds:.1f} s ({rate:,.0f} messages/s)."
        )
        if options["process"]:
            outcome = ", ".join(f"{count:,} {status}" for status, count in sorted(summary.processed.items()))
            handled = sum(summary.processed.values())
            prate = handled / summary.process_seconds if summary.process_seconds else 0
            self.stdout.write(
                f"Processed: {outcome or 'nothing'} in {summary.process_seconds:.1f} s "
                f"({prate:,.0f} messages/s)."
            )
        elif options["no_queue"]:
            self.stdout.write("Accepted messages were left received (not queued).")
        else:
            self.stdout.write(f"Queued {summary.accepted:,} messages for processing.")
        for reason in summary.rejections[:10]:
            self.stdout.write(f"  rejected: {reason[:300]}")
        if summary.rejected > 10:
            self.stdout.write(f"  … and {summary.rejected - 10:,} more on the exceptions report.")
