"""The newer apps' pages with national volumes in their tables (`make bench`, `--volumes N`).

`seed_demo --size national` fills the offenders, sentences and casenotes, but the appointments,
conditions and outbox tables only get the demo officer's few rows, so the pages that read them
would be measured against nearly empty tables. `run_volume_bench` times those pages at two sizes,
in one transaction that is rolled back: first with a few rows of each kind loaded (1,000
appointments and outbox events, 500 conditions; once: the query counts), then with `rows`
appointments spread over every current case (weekly, over the two years around today), half as
many conditions over the current community sentences and `rows` outbox events (three in ten of the
kinds the data share's feed carries), written with INSERT ... SELECT and analysed. The sample
record (demo/bench.py `sample_context`) goes from one appointment and one condition to a long
history: 200 appointments and 12 conditions. Each page: median and p95, the query count, which must
not change with the volumes, and the ratio to the page's own SELECTs run raw (demo/bench.py
`measure_url`).

The outbox rows are given transaction ids older than any running transaction (the feed reads only
those: events.models `final`), spread over the ids already used, so the feed reads them as it would
a committed history. The feed is read from its start, from a cursor in the middle and from near its
end: a cursor must be found by the index, not by reading every event before it."""

import datetime
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from allocation.models import CaseRole
from appointments.models import Appointment, AppointmentKind, AppointmentStatus
from conditions.models import Condition, ConditionKind, ConditionSource, ConditionStatus
from datashare.api import FEED_PAGE_SIZE
from datashare.catalogue import CORE_FIELDS
from datashare.selectors import FEED_EVENT_TYPES
from datashare.services import share_create, share_credential_issue
from demo import bulk
from demo.bench import BenchContext, Result, format_table, measure_url, sample_context, signed_in_client
from events.models import OutboxEvent
from sentences.models import CURRENT_SENTENCE_STATUSES, SentenceType
from staff.demo_logins import demo_username
from staff.roles import Role

VOLUME_BENCH_ROWS = 1_000_000
SAMPLE_APPOINTMENTS = 200
SAMPLE_CONDITIONS = 12
# The first size: a few of everything, so that each page shows some of each kind of row.
SMALL_ROWS = 1_000
FEED_SHARE = 3 / 10  # of the outbox rows, the kinds the feed carries
OUTBOX_SENTENCES = 100_000  # the outbox events name these first sentences, spread


class _RollBack(Exception):
    pass


@dataclass
class VolumeBench:
    rows: int
    loaded: dict[str, int]
    results: list[Result]
    small_queries: dict[str, int]
    load_seconds: float

    @property
    def constant_queries(self) -> bool:
        return all(result.max_queries == self.small_queries.get(result.name) for result in self.results)


_CURRENT = ", ".join(f"'{status}'" for status in CURRENT_SENTENCE_STATUSES)

# Every current case (the officer holding it, at their office) gets `per_case` weekly appointments
# over the two years around today, from 08:00 to 16:00; the past ones attended.
_APPOINTMENTS_SQL = f"""
INSERT INTO {Appointment._meta.db_table}
    (kind, starts_at, ends_at, location, notes, status, outcome_note, outcome_recorded_at, created_at,
     offender_id, office_id, officer_id)
SELECT '{AppointmentKind.OFFICE_VISIT}', slot.starts_at, slot.starts_at + interval '45 minutes',
       'Interview room', '',
       CASE WHEN slot.starts_at < now() THEN '{AppointmentStatus.ATTENDED}'
            ELSE '{AppointmentStatus.SCHEDULED}' END,
       '', CASE WHEN slot.starts_at < now() THEN slot.starts_at END, now(),
       cases.offender_id, cases.office_id, cases.staff_id
FROM (
    SELECT allocation.offender_id, allocation.staff_id, staff.office_id,
           row_number() OVER (ORDER BY allocation.id) AS n
    FROM allocation_caseallocation allocation
    JOIN staff_staffmember staff ON staff.id = allocation.staff_id
    WHERE allocation.ended_on IS NULL AND allocation.role = '{CaseRole.SUPERVISING_OFFICER}'
) AS cases
CROSS JOIN LATERAL generate_series(1, %(per_case)s) AS week(number)
CROSS JOIN LATERAL (
    SELECT date_trunc('day', now()) - interval '365 days'
           + ((cases.n + week.number * 7) %% 730) * interval '1 day'
           + (8 + (cases.n + week.number) %% 9) * interval '1 hour' AS starts_at
) AS slot
LIMIT %(rows)s
"""

_SAMPLE_APPOINTMENTS_SQL = f"""
INSERT INTO {Appointment._meta.db_table}
    (kind, starts_at, ends_at, location, notes, status, outcome_note, outcome_recorded_at, created_at,
     offender_id, office_id, officer_id)
SELECT '{AppointmentKind.OFFICE_VISIT}', slot.starts_at, slot.starts_at + interval '45 minutes',
       'Interview room', '',
       CASE WHEN slot.starts_at < now() THEN '{AppointmentStatus.ATTENDED}'
            ELSE '{AppointmentStatus.SCHEDULED}' END,
       '', CASE WHEN slot.starts_at < now() THEN slot.starts_at END, now(),
       %(offender)s, staff.office_id, staff.id
FROM staff_staffmember staff
CROSS JOIN LATERAL generate_series(1, %(count)s) AS week(number)
CROSS JOIN LATERAL (
    SELECT date_trunc('day', now()) + interval '10 hours'
           - (%(count)s - 8 - week.number) * interval '7 days' AS starts_at
) AS slot
WHERE staff.id = %(staff)s
"""

# Report and reside on every current community sentence, until `rows` are written.
_CONDITIONS_SQL = f"""
INSERT INTO {Condition._meta.db_table}
    (kind, address, programme_name, associates, substance, details, start_on, source, status, version,
     end_reason, created_at, updated_at, offender_id, sentence_id)
SELECT kind.value,
       CASE WHEN kind.value = '{ConditionKind.RESIDE}' THEN '14 Kowhai Street, Naenae' ELSE '' END,
       '', '', '', CASE WHEN kind.value = '{ConditionKind.REPORT}' THEN 'As directed.' ELSE '' END,
       sentence.start_date, '{ConditionSource.COURT}', '{ConditionStatus.ACTIVE}', 1, '', now(), now(),
       sentence.offender_id, sentence.id
FROM sentences_sentence sentence
CROSS JOIN (VALUES ('{ConditionKind.REPORT}'), ('{ConditionKind.RESIDE}')) AS kind(value)
WHERE sentence.status IN ({_CURRENT}) AND sentence.sentence_type <> '{SentenceType.IMPRISONMENT}'
LIMIT %(rows)s
"""

_SAMPLE_CONDITIONS_SQL = f"""
INSERT INTO {Condition._meta.db_table}
    (kind, address, programme_name, associates, substance, details, start_on, source, status, version,
     end_reason, created_at, updated_at, offender_id, sentence_id)
SELECT '{ConditionKind.OTHER}', '', '', '', '', 'Special condition ' || number, sentence.start_date,
       '{ConditionSource.COURT}', '{ConditionStatus.ACTIVE}', 1, '', now(), now(),
       sentence.offender_id, sentence.id
FROM (
    SELECT id, offender_id, start_date FROM sentences_sentence
    WHERE offender_id = %(offender)s AND sentence_type <> '{SentenceType.IMPRISONMENT}'
    ORDER BY start_date DESC, id DESC LIMIT 1
) AS sentence
CROSS JOIN generate_series(1, %(count)s) AS number
"""

# Transaction ids from 1 up to the oldest still running; three in ten of the kinds the feed carries
# (a sentence recorded, whose offices a page looks up, and sentences commenced),
# each naming one of the first OUTBOX_SENTENCES sentences (spread) and its offender.
_OUTBOX_SQL = f"""
INSERT INTO {OutboxEvent._meta.db_table} (txid, occurred_at, event_type, offender_id, payload, actor_username)
SELECT 1 + (n.value - 1)::bigint * %(span)s / %(rows)s,
       now() - (%(rows)s - n.value) * interval '1 second',
       CASE WHEN n.value %% 10 = 0 THEN 'SentenceRecorded'
            WHEN n.value %% 10 < %(feed_tenths)s THEN 'SentenceCommenced'
            ELSE 'AppointmentOutcomeRecorded' END,
       sentence.offender_id,
       CASE WHEN n.value %% 10 = 0
            THEN jsonb_build_object('sentence_id', sentence.id, 'sentence', jsonb_build_object(
                     'id', sentence.id, 'sentence_type', sentence.sentence_type,
                     'start_date', sentence.start_date, 'managing_office_id', sentence.managing_office_id,
                     'court_id', sentence.court_id))
            WHEN n.value %% 10 < %(feed_tenths)s
            THEN jsonb_build_object('sentence_id', sentence.id, 'sentence_type', sentence.sentence_type,
                                    'commenced_on', sentence.start_date)
            ELSE jsonb_build_object('appointment_id', n.value) END,
       'bench'
FROM generate_series(1, %(rows)s) AS n(value)
JOIN (
    -- The first sentences numbered, each event given one of them by its number: an equality the
    -- pool is hashed once for (an array of their ids carried on each row spilled gigabytes).
    SELECT id, offender_id, sentence_type, start_date, managing_office_id, court_id,
           row_number() OVER (ORDER BY id) AS position
    FROM (
        SELECT id, offender_id, sentence_type, start_date, managing_office_id, court_id
        FROM sentences_sentence ORDER BY id LIMIT %(pool)s
    ) AS first_sentences
) AS sentence ON sentence.position = 1 + (n.value::bigint * 7919) %% %(pool)s
"""


def _execute(sql: str, parameters: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.rowcount


def _scalar(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0] or 0


def load_volumes(
    *,
    rows: int,
    context: BenchContext,
    staff_id: int | None,
    sample_appointments: int,
    sample_conditions: int,
) -> dict[str, int]:
    """Write the volumes (inside the caller's transaction) and analyse the tables."""
    cases = _scalar(
        "SELECT count(*) FROM allocation_caseallocation "
        f"WHERE ended_on IS NULL AND role = '{CaseRole.SUPERVISING_OFFICER}'"
    )
    loaded = {
        "appointments": _execute(
            _APPOINTMENTS_SQL, {"per_case": max(1, math.ceil(rows / max(cases, 1))), "rows": rows}
        ),
        "conditions": _execute(_CONDITIONS_SQL, {"rows": rows // 2}),
    }
    if staff_id is not None:
        loaded["appointments"] += _execute(
            _SAMPLE_APPOINTMENTS_SQL,
            {"offender": context.offender.pk, "staff": staff_id, "count": sample_appointments},
        )
    loaded["conditions"] += _execute(
        _SAMPLE_CONDITIONS_SQL, {"offender": context.offender.pk, "count": sample_conditions}
    )
    pool = _scalar(
        f"SELECT count(*) FROM (SELECT 1 FROM sentences_sentence LIMIT {OUTBOX_SENTENCES}) AS first"
    )
    oldest_running = _scalar("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
    loaded["outbox events"] = _execute(
        _OUTBOX_SQL,
        {
            "rows": rows,
            "span": max(oldest_running - 2, 1),
            "feed_tenths": round(FEED_SHARE * 10),
            "pool": max(pool, 1),
        },
    )
    bulk.analyze([Appointment, Condition, OutboxEvent])
    return loaded


def _feed_cursor(position: float, *, before_end: int = 0) -> str:
    """The cursor of the feed's event at `position` (0 to 1) of the events the feed carries, or
    `before_end` events before its last."""
    rows = OutboxEvent.objects.final().filter(event_type__in=FEED_EVENT_TYPES, offender_id__isnull=False)
    total = rows.count()
    if not total:
        return ""
    index = total - 1 - before_end if before_end else int(total * position)
    row = rows.in_feed_order()[max(0, min(total - 1, index))]
    return f"{row.txid}.{row.pk}"


def _pages(context: BenchContext, officer) -> list[tuple[str, str, str, dict]]:
    """(name, client key, URL, query) of each page measured."""
    offender = context.offender.pk
    pages = [
        ("Offender conditions tab", "officer", reverse("conditions:offender", args=[offender]), {}),
        ("Offender appointments tab", "officer", reverse("appointments:offender", args=[offender]), {}),
        ("Work inbox (probation officer)", "officer", reverse("inbox:mine"), {}),
        ("Home page (probation officer)", "officer", reverse("home"), {}),
    ]
    if officer is not None:
        diary = reverse("appointments:diary", args=[officer.pk])
        calendar = reverse("appointments:office", args=[officer.office_id])
        pages += [
            ("Diary (demo officer), today", "officer", diary, {}),
            ("Diary (demo officer), this week", "officer", diary, {"view": "week"}),
            ("Office calendar (demo office), this week", "officer", calendar, {"view": "week"}),
        ]
    feed = reverse("share-event-list")
    pages += [
        ("Event feed, first page", "partner", feed, {}),
        ("Event feed, from the middle", "partner", feed, {"after": lambda: _feed_cursor(0.5)}),
        (
            "Event feed, near the end",
            "partner",
            feed,
            {"after": lambda: _feed_cursor(1.0, before_end=FEED_PAGE_SIZE * 3 // 2)},
        ),
    ]
    return pages


def _query(query: dict) -> dict:
    """A value given as a function (a feed cursor) is found when the page is measured, after the
    volumes are loaded."""
    return {key: value() if callable(value) else value for key, value in query.items()}


def run_volume_bench(*, rows: int = VOLUME_BENCH_ROWS, runs: int = 10) -> VolumeBench | None:
    """Time the pages with a few rows of each kind, then with the volumes; everything is rolled back."""
    context = sample_context()
    if context is None:
        return None
    user = get_user_model().objects.filter(username=demo_username(Role.PROBATION_OFFICER)).first()
    if user is None:
        return None
    officer = getattr(user, "staff", None)
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    results: list[Result] = []
    small: dict[str, int] = {}
    loaded: dict[str, int] = {}
    load_seconds = 0.0
    try:
        with transaction.atomic(), override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
            share = share_create(
                actor=None,
                name="Bench event feed",
                partner="Bench partner",
                purpose="Timing the event feed.",
                allowed_fields={key: list(value) for key, value in CORE_FIELDS.items()},
                starts_on=timezone.localdate() - datetime.timedelta(days=1),
            )
            _credential, token = share_credential_issue(actor=None, share=share, label="Bench")
            clients = {
                "officer": signed_in_client(user),
                "partner": Client(
                    raise_request_exception=False, headers={"authorization": f"Bearer {token}"}
                ),
            }
            pages = _pages(context, officer)
            staff_id = officer.pk if officer else None
            started = time.perf_counter()
            loaded = load_volumes(
                rows=SMALL_ROWS,
                context=context,
                staff_id=staff_id,
                sample_appointments=1,
                sample_conditions=1,
            )
            for name, key, url, query in pages:
                result = Result(name=name, role=_role_label(key))
                measure_url(result, clients[key], url, _query(query), runs=1)
                small[name] = result.max_queries
            more = load_volumes(
                rows=max(rows - SMALL_ROWS, 0),
                context=context,
                staff_id=staff_id,
                sample_appointments=SAMPLE_APPOINTMENTS - 1,
                sample_conditions=SAMPLE_CONDITIONS - 1,
            )
            loaded = {table: count + more.get(table, 0) for table, count in loaded.items()}
            load_seconds = time.perf_counter() - started
            for name, key, url, query in pages:
                result = Result(name=name, role=_role_label(key))
                results.append(measure_url(result, clients[key], url, _query(query), runs=runs))
            raise _RollBack
    except _RollBack:
        pass
    # ANALYZE writes a table's row count in place, not rolled back: the planner went on thinking the
    # tables held the million rows, and chose plans for them (the manager's home page read every
    # offender for the first appointments: 84 ms rather than 22).
    bulk.analyze([Appointment, Condition, OutboxEvent])
    return VolumeBench(
        rows=rows, loaded=loaded, results=results, small_queries=small, load_seconds=load_seconds
    )


def _role_label(key: str) -> str:
    return Role.PROBATION_OFFICER.label if key == "officer" else "Data share (API credential)"


def format_volumes(outcome: VolumeBench) -> str:
    loaded = ", ".join(f"{count:,} {table}" for table, count in outcome.loaded.items())
    lines = [
        f"Loaded {loaded} in {outcome.load_seconds:.0f} s (rolled back afterwards).",
        format_table(outcome.results),
    ]
    for result in outcome.results:
        lines.append(
            f"{result.name}: {result.max_queries} queries with the volumes, "
            f"{outcome.small_queries.get(result.name)} with a few"
        )
    lines.append("Constant queries: " + ("yes" if outcome.constant_queries else "NO"))
    return "\n".join(lines)
