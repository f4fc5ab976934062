"""manage.py verify_audit: prove the hash chain of every append-only table end to end (audit/chain.py).

It seals first what can be sealed (twice: the first run records the transactions in flight, the
second chains what they left once they have ended), then recomputes each chain from the rows in id
order and names the first broken row of each table. Exit status 1 when any chain is broken. Rows
newer than the last seal (their transactions were still running) are counted, not verified."""

from django.core.management.base import BaseCommand, CommandError

from audit.chain import SealingRefused, seal_chains, verify_chains

SHOWN_BREAKS = 20


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail and the other append-only tables."

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
        broken = [report for report in reports if report.breaks]
        for report in reports:
            line = f"{report.table}: {report.verified:,} rows verified"
            if report.head_row_id is not None:
                line += f", head row {report.head_row_id} hash {report.head_hash}"
            if report.not_yet_sealed:
                line += (
                    f"; {report.not_yet_sealed:,} newer rows not yet sealed (their transactions were running)"
                )
            self.stdout.write(line)
            if report.breaks:
                self.stdout.write(f"  FIRST BROKEN: {report.breaks[0]}")
                for chain_break in report.breaks[1:SHOWN_BREAKS]:
                    self.stdout.write(f"  also: {chain_break}")
                if len(report.breaks) > SHOWN_BREAKS:
                    self.stdout.write(f"  … and {len(report.breaks) - SHOWN_BREAKS} more")
        if broken:
            first = broken[0].breaks[0]
            raise CommandError(f"The chain is broken in {len(broken)} table(s); first broken row: {first}")
        self.stdout.write(self.style.SUCCESS("Every chain verified: nothing changed, removed or slipped in."))
