"""The one list of append-only tables (issue 11). Each is guarded in the database by a row trigger
refusing UPDATE and DELETE and a statement trigger refusing TRUNCATE, both calling
`ioms_refuse_change()` (audit migrations 0002 and 0004); each chained table is sealed into a hash
chain (audit/chain.py) that `manage.py verify_audit` proves.

Migrations copy these names rather than import them (a migration must not change when this list
does). tests/audit/test_append_only.py compares this list with the triggers found in pg_trigger, so
a table given an append-only trigger but left out here fails the tests, and so does the reverse."""

from dataclasses import dataclass


@dataclass(frozen=True)
class AppendOnlyTable:
    table: str
    reason: str
    # False only for the chain itself: its rows are what the chain is made of.
    chained: bool = True


APPEND_ONLY_TABLES: tuple[AppendOnlyTable, ...] = (
    AppendOnlyTable("audit_auditevent", "every view, search and change: the audit trail"),
    AppendOnlyTable(
        "casenotes_casenote", "casenotes are never edited in place: a correction is an amendment"
    ),
    AppendOnlyTable(
        "classification_securityclassification",
        "seed 003: a prisoner's classifications are history, the latest row is the current one",
    ),
    AppendOnlyTable("documents_issuerecord", "issue 6: who issued which report to whom, with the PDF"),
    AppendOnlyTable("documents_reporttransition", "issue 6: each step of a report"),
    AppendOnlyTable(
        "events_outboxevent",
        "every domain event, read in order by partner systems: a row behind a reader's cursor never changes",
    ),
    AppendOnlyTable("audit_chainseal", "the hash chain over the tables above", chained=False),
)


def chained_tables() -> tuple[AppendOnlyTable, ...]:
    return tuple(entry for entry in APPEND_ONLY_TABLES if entry.chained)
