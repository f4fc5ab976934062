"""manage.py verify_audit: prove the hash chain of every append-only table end to end (audit/chain.py).

It seals first what can be sealed (twice: the first run records the transactions in flight, the
second chains what they left once they have ended), then recomputes each chain from the rows in id
order and names the first broken row of each table. Each chain's head is printed as
TABLE:ROW:HASH; kept outside the database and given back with --expect-head, it proves the chain was
not recomputed up to that row. Exit status 1 when anything is broken. Rows newer than the last seal
(their transactions were still running) are counted, not verified."""

from django.core.management.base import BaseCommand, CommandError

from audit.chain import SealingRefused, check_recorded_head, head_token, seal_chains, verify_chains

SHOWN_BREAKS = 20


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail and the other append-only tables."

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head",
            action="append",
            default=[],
            metavar="TABLE:ROW:HASH",
            help="A head printed by an earlier run (or logged by the sealing task) that must still be "
            "in the chain with the same hash. May be given once per table or more.",
        )

    def handle(self, *args, **options):
        try:
            for _ in range(2):
                sealed = seal_chains()
        except SealingRefused as error:
            raise CommandError(str(error)) from None
        for table, count in sealed.items():
            if count:
                self.stdout.write(f"Sealed {count} new rows of {table}.")

        def progress(table: str, verified: int) -> None:
            self.stderr.write(f"{table}: {verified:,} rows verified…")

        reports = verify_chains(progress=progress)
        breaks = []
        for report in reports:
            line = f"{report.table}: {report.verified:,} rows verified"
            if report.head_row_id is not None:
                line += f"; head {head_token(report.table, report.head_row_id, report.head_hash)}"
            if report.not_yet_sealed:
                line += f"; {report.not_yet_sealed:,} newer rows not yet sealed (still being written)"
            self.stdout.write(line)
            if report.breaks:
                self.stdout.write(f"  FIRST BROKEN: {report.breaks[0]}")
                for chain_break in report.breaks[1:SHOWN_BREAKS]:
                    self.stdout.write(f"  also: {chain_break}")
                if len(report.breaks) > SHOWN_BREAKS:
                    self.stdout.write(f"  … and {len(report.breaks) - SHOWN_BREAKS} more")
            breaks.extend(report.breaks)
        for token in options["expect_head"]:
            try:
                chain_break = check_recorded_head(token)
            except ValueError as error:
                raise CommandError(str(error)) from None
            if chain_break is not None:
                self.stdout.write(f"  RECORDED HEAD BROKEN: {chain_break}")
                breaks.append(chain_break)
            else:
                self.stdout.write(f"Recorded head still in the chain: {token}")
        if breaks:
            raise CommandError(f"{len(breaks)} break(s) in the chains; first broken row: {breaks[0]}")
        self.stdout.write(self.style.SUCCESS("Every chain verified: nothing changed, removed or slipped in."))
