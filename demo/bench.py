"""Page and API timings against demo data (`manage.py bench`).

Each measured target is a `Target` in `TARGETS`: a name, the URL name(s) to reverse, the role of
the demo login that makes the request, and builders for the URL arguments and query string from a
`BenchContext` (a sample offender on the demo probation officer's caseload and search terms for
it). A later feature adds its own measurement by appending a Target:

    from demo.bench import TARGETS, Target
    TARGETS.append(Target("Muster list", ("allocation:muster",), Role.SERVICE_MANAGER))

A target whose URL name does not resolve (the view is not written yet) is reported as
"not available" rather than failing the run. Requests go through Django's test Client, so they
include the middleware, the session and the login, and every query is counted.

Each request is measured side by side with its raw SQL: the distinct SELECTs the request ran for
what it shows (captured on the warm-up request; not the session and login look-ups, not Django's
`COUNT(*)`s, not the audit INSERTs) executed through a plain cursor with every row fetched,
alternating with the request, as many times. The ratio request median / raw SQL median is what the
ORM, the templates, the serializers, the middleware and the writes add to fetching the rows.

Requests commit as they do in production: each one is audited like any other, and the court
workers' messages add people and sentences. Run the bench on demo data; it never removes what it
wrote (the audit trail and casenotes are append-only, and no tool of ours works around that).
"""

import datetime
import json
import math
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from allocation.models import (
    AllocateRequest,
    AllocateRequestStep,
    AllocationTrigger,
    CaseAllocation,
    ChecklistStep,
)
from classification import models as cm
from classification import services
from classification.models import (
    Review,
    ReviewSchedule,
    ReviewStatus,
    ReviewTransition,
    ScheduleBasis,
    SecurityClassification,
)
from classification.models import Review as ClassificationReview
from classification.outputs import review_form_html, review_form_pdf, review_letter_html, review_letter_pdf
from classification.prepopulate import answers_of, prepopulate
from classification.scoring import score
from classification.selectors import active_instrument, instrument_dry_run, instrument_spec, prisoner_records
from classification.services import review_initiate
from courts.batch import court_messages_import
from courts.examples import example
from courts.models import CorrectionRequest, CourtMessage, MessageStatus
from courts.services import BATCH_SIZE, court_message_process, court_messages_process
from demo import bulk
from inbox.selectors import person_of, team_inbox
from ioms.pdf import pdf_document
from offenders.models import Offender
from offenders.selectors import name_codes
from reconciliation.models import DataException, ReasonCode
from sentences.custody import in_custody_q
from sentences.models import (
    Charge,
    Conviction,
    Offence,
    OffenceCategory,
    Sentence,
    SentenceStatus,
    SentenceType,
)
from staff.demo_logins import demo_username
from staff.models import Office, OfficeKind, StaffMember
from staff.roles import Role


@dataclass(frozen=True)
class BenchContext:
    offender: Offender
    name_text: str  # "Given Family" of the sample offender
    misspelt_text: str  # the same with the family name misspelt
    prn: str


def _no_args(context: BenchContext) -> tuple:
    return ()


def _no_query(context: BenchContext) -> dict:
    return {}


def _offender_args(context: BenchContext) -> tuple:
    return (context.offender.pk,)


@dataclass(frozen=True)
class Target:
    name: str
    url_names: tuple[str, ...]  # tried in order; the first that resolves is measured
    role: str
    args: Callable[[BenchContext], tuple] = _no_args
    query: Callable[[BenchContext], dict] = _no_query
    ok_statuses: tuple[int, ...] = (200,)
    goal: bool = False  # issue 10: p95 under GOAL_P95_MS and within GOAL_RAW_RATIO of its raw SQL


# Issue 10's targets on national data for the pages marked `goal`.
GOAL_P95_MS = 100.0
GOAL_RAW_RATIO = 5.0


TARGETS: list[Target] = [
    Target("Home page (probation officer)", ("home",), Role.PROBATION_OFFICER),
    Target("Home page (service manager)", ("home",), Role.SERVICE_MANAGER),
    # Its list of prisoners: the people in custody at the officer's prison (sentences.custody).
    Target("Home page (prison officer)", ("home",), Role.PRISON_OFFICER),
    Target(
        "Offender search: name",
        ("offenders:search",),
        Role.PROBATION_OFFICER,
        query=lambda context: {"q": context.name_text},
        goal=True,
    ),
    Target(
        "Offender search: misspelt name",
        ("offenders:search",),
        Role.PROBATION_OFFICER,
        query=lambda context: {"q": context.misspelt_text},
        goal=True,
    ),
    Target(
        "Offender search: PRN",
        ("offenders:search",),
        Role.PROBATION_OFFICER,
        query=lambda context: {"q": context.prn},
        ok_statuses=(200, 302),  # a single PRN match goes straight to the record
        goal=True,
    ),
    Target("Offender record", ("offenders:detail",), Role.PROBATION_OFFICER, args=_offender_args, goal=True),
    Target(
        "Offender casenotes tab",
        ("offenders:casenotes",),
        Role.PROBATION_OFFICER,
        args=_offender_args,
        goal=True,
    ),
    # The data share reads through its own API (/api/v1/share/); the main API's lists are timed for
    # a prison officer, who sees every offender.
    Target("API offender list", ("offender-list", "api:offender-list"), Role.PRISON_OFFICER, goal=True),
    Target("API sentence list", ("sentence-list", "api:sentence-list"), Role.PRISON_OFFICER, goal=True),
    Target("API casenote list", ("casenote-list", "api:casenote-list"), Role.PROBATION_OFFICER, goal=True),
    Target("Staff directory", ("staff:list",), Role.PROBATION_OFFICER),
    Target("Agencies list", ("agencies:list",), Role.PROBATION_OFFICER),
]


@dataclass
class Result:
    name: str
    role: str
    url: str = ""
    runs: int = 0
    median_ms: float | None = None
    p95_ms: float | None = None
    min_queries: int | None = None
    max_queries: int | None = None
    statuses: list[int] = field(default_factory=list)
    note: str = ""
    raw_median_ms: float | None = None  # the request's SELECTs through a plain cursor
    raw_statements: int | None = None
    ratio: float | None = None  # median_ms / raw_median_ms
    goal: bool = False
    goal_missed: list[str] = field(default_factory=list)

    @property
    def measured(self) -> bool:
        return self.runs > 0 and not self.note


def misspell(name: str) -> str:
    """A misspelling that sounds the same (and has a double-metaphone code in common): double the consonant
    before a final vowel ('Tamihana' -> 'Tamihanna'), else write an inner i as y ('Smith' ->
    'Smyth'), else double the last letter ('Le' -> 'Lee')."""
    vowels = "aeiouAEIOU"
    if len(name) >= 3 and name[-1] in vowels and name[-2].isalpha() and name[-2] not in vowels:
        return name[:-1] + name[-2] + name[-1]
    position = name.find("i", 1)
    if position > 0:
        return name[:position] + "y" + name[position + 1 :]
    return name + name[-1] if name else name


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def sample_context() -> BenchContext | None:
    """The offender on the demo probation officer's caseload with the most casenotes: a record
    that is heavier than most, so its pages are a fair worst case."""
    allocation = (
        CaseAllocation.objects.filter(
            ended_on__isnull=True, staff__user__username=demo_username(Role.PROBATION_OFFICER)
        )
        .annotate(notes=Count("offender__casenotes"))
        .select_related("offender")
        .order_by("-notes", "offender_id")
        .first()
    )
    offender = allocation.offender if allocation else Offender.objects.order_by("pk").first()
    if offender is None:
        return None
    given = offender.given_names.split()[0] if offender.given_names else ""
    return BenchContext(
        offender=offender,
        name_text=f"{given} {offender.family_name}".strip(),
        misspelt_text=f"{given} {misspell(offender.family_name)}".strip(),
        prn=offender.prn,
    )


def resolve(target: Target, context: BenchContext) -> str | None:
    for url_name in target.url_names:
        try:
            return reverse(url_name, args=target.args(context))
        except NoReverseMatch:
            continue
    return None


def measure(target: Target, context: BenchContext, *, runs: int, clients: dict[str, Client]) -> Result:
    result = Result(name=target.name, role=Role(target.role).label, goal=target.goal)
    url = resolve(target, context)
    if url is None:
        result.note = "not available"
        return result
    result.url = url
    client = clients.get(target.role)
    if client is None:
        user = get_user_model().objects.filter(username=demo_username(target.role)).first()
        if user is None:
            result.note = f"no demo login for {Role(target.role).label}"
            return result
        client = signed_in_client(user)
        clients[target.role] = client
    return measure_url(result, client, url, target.query(context), runs=runs, ok_statuses=target.ok_statuses)


def signed_in_client(user) -> Client:
    """A client signed in as `user` as a person is: the password step, then the one-time code for
    those with a device (the demo system administrator's key is published in the README). A code
    is taken once: if this window's code was used (a bench run a moment ago), the next one is."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(raise_request_exception=False)
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return client
    for attempt in range(2):
        if attempt:
            time.sleep(30 - time.time() % 30 + 1)
        device.refresh_from_db()
        totp = TOTP(device.bin_key, step=device.step, digits=device.digits, drift=device.drift)
        code = f"{totp.token():0{device.digits}d}"
        if client.post(reverse("signin:otp_verify"), {"code": code}).status_code == 302:
            return client
    raise RuntimeError(f"The bench could not give {user}'s one-time code.")


def _get(client: Client, url: str, query: dict):
    response = client.get(url, query)
    if getattr(response, "streaming", False):
        # A streamed export is only done when its last byte is read.
        for _chunk in response.streaming_content:
            pass
    return response


# What a request reads that is not what the page shows: the session, the logged-in user and their
# groups and permissions (middleware and access checks on every page).
_LOGIN_LOOKUPS = re.compile(
    r'"django_session"|"auth_permission"'
    r'|FROM "auth_user" WHERE "auth_user"\."id" = \d+ LIMIT 21$'
    r'|WHERE "auth_user_groups"\."user_id" = \d+$',
    re.DOTALL,
)
# `.iterator()` outside a transaction reads through a named cursor: the SELECT is what it runs.
_NAMED_CURSOR = re.compile(r'^DECLARE\s+"[^"]+"\s+NO\s+SCROLL\s+CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+')


def row_queries(captured: list[dict]) -> list[str]:
    """The distinct SELECTs among a request's captured queries that read what it shows: not the
    login look-ups, not Django's `COUNT(*)` (a count is not the rows), not writes or savepoints."""
    selects: list[str] = []
    for query in captured:
        sql = _NAMED_CURSOR.sub("", query["sql"].strip())
        if not re.match(r"(SELECT|WITH)\b", sql, re.IGNORECASE):
            continue
        if sql.startswith('SELECT COUNT(*) AS "__count"') or _LOGIN_LOOKUPS.search(sql):
            continue
        if sql not in selects:
            selects.append(sql)
    return selects


def time_raw_sql(statements: list[str]) -> float:
    """Milliseconds to execute `statements` one after another and fetch every row."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)  # no parameters: the SQL as captured, literals included
            cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def measure_url(
    result: Result, client: Client, url: str, query: dict, *, runs: int, ok_statuses: tuple[int, ...] = (200,)
) -> Result:
    """One warm-up request (template loading and first-use caches are not measured; its SELECTs are
    the raw SQL), then `runs` requests, each followed by the raw SQL."""
    result.url = url
    with CaptureQueriesContext(connection) as warm_up:
        _get(client, url, query)
    raw_sql = row_queries(warm_up.captured_queries)
    timings, raw_timings, queries = [], [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = _get(client, url, query)
            timings.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured.captured_queries))
        result.statuses.append(response.status_code)
        if raw_sql:
            raw_timings.append(time_raw_sql(raw_sql))
    result.runs = runs
    result.median_ms = round(statistics.median(timings), 1)
    result.p95_ms = round(percentile(timings, 0.95), 1)
    result.min_queries, result.max_queries = min(queries), max(queries)
    if raw_timings:
        raw_median = statistics.median(raw_timings)
        result.raw_median_ms = round(raw_median, 2)
        result.raw_statements = len(raw_sql)
        result.ratio = round(statistics.median(timings) / raw_median, 1) if raw_median else None
    unexpected = sorted(set(result.statuses) - set(ok_statuses))
    if unexpected:
        result.note = f"HTTP {', '.join(map(str, unexpected))}"
    if result.goal:
        if result.p95_ms > GOAL_P95_MS:
            result.goal_missed.append(f"p95 over {GOAL_P95_MS:.0f} ms")
        if result.ratio is None or result.ratio > GOAL_RAW_RATIO:
            result.goal_missed.append(f"over {GOAL_RAW_RATIO:.0f}× raw SQL")
    return result


def run_bench(*, runs: int, targets: list[Target] | None = None) -> tuple[BenchContext | None, list[Result]]:
    """Measure every target, as the demo logins (audited like any request)."""
    context = sample_context()
    if context is None:
        return None, []
    targets = targets or TARGETS
    clients: dict[str, Client] = {}
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
        results = [measure(target, context, runs=runs, clients=clients) for target in targets]
    return context, results


def _queries(result: Result) -> str:
    if result.min_queries == result.max_queries:
        return str(result.min_queries)
    return f"{result.min_queries}–{result.max_queries}"


def _note(result: Result) -> str:
    notes = [result.note] if result.note else []
    if result.goal and result.runs and not result.note:
        notes.append("goal missed: " + ", ".join(result.goal_missed) if result.goal_missed else "goal met")
    return "; ".join(notes)


def format_table(results: list[Result]) -> str:
    """One line per target. `Raw SQL ms` is the median time of the request's own SELECTs through a
    plain cursor, `× raw` the request's median over it."""
    header = ("Target", "Role", "Median ms", "p95 ms", "Queries", "Raw SQL ms", "× raw", "Note")
    rows = []
    for result in results:
        if result.runs:
            rows.append(
                (
                    result.name,
                    result.role,
                    f"{result.median_ms:.1f}",
                    f"{result.p95_ms:.1f}",
                    _queries(result),
                    "–" if result.raw_median_ms is None else f"{result.raw_median_ms:.1f}",
                    "–" if result.ratio is None else f"{result.ratio:.1f}",
                    _note(result),
                )
            )
        else:
            rows.append((result.name, result.role, "–", "–", "–", "–", "–", result.note))
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    numeric = {2, 3, 4, 5, 6}

    def line(row) -> str:
        cells = [
            cell.rjust(width) if column in numeric else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *map(line, rows)])


def write_json(
    results: list[Result], *, directory: Path, context: BenchContext | None, runs: int, label: str
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    stamp = f"{now.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}"
    path, number = directory / f"{stamp}.json", 1
    while path.exists():
        number += 1
        path = directory / f"{stamp}-{number}.json"
    payload = {
        "timestamp": now.isoformat(),
        "size": label,
        "runs": runs,
        "database": connection.settings_dict.get("NAME", ""),
        "offenders": Offender.objects.count(),
        "offenders_under_sentence": Sentence.objects.current().values("offender").distinct().count(),
        "sample_offender": {"id": context.offender.pk, "prn": context.prn} if context else None,
        "results": [asdict(result) for result in results],
    }
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path


# --- Muster list (seed 001) ------------------------------------------------------------------------


def largest_office_args(context: BenchContext) -> tuple:
    """The office managing the most people under current sentence: the heaviest muster list. Asked
    when the URL is resolved, before the timed requests."""
    largest = (
        Sentence.objects.current()
        .filter(managing_office__isnull=False)
        .values("managing_office")
        .annotate(people=Count("offender", distinct=True))
        .order_by("-people", "managing_office")
        .first()
    )
    return (largest["managing_office"],) if largest else (0,)


def largest_prison_args(context: BenchContext) -> tuple:
    """The prison holding the most people in custody under a current sentence it manages: the
    heaviest muster list with the custody filter (sentences.custody)."""
    largest = (
        Sentence.objects.current()
        .filter(in_custody_q(), managing_office__kind=OfficeKind.PRISON)
        .values("managing_office")
        .annotate(people=Count("offender", distinct=True))
        .order_by("-people", "managing_office")
        .first()
    )
    return (largest["managing_office"],) if largest else (0,)


# A national role, since the largest office need not be the demo service manager's. The CSV body is
# streamed; a measurement counts the rows' query only if the bench reads the streamed body.
TARGETS.extend(
    [
        Target(
            "Muster list (largest office)",
            ("muster:office",),
            Role.SYSTEM_ADMIN,
            args=largest_office_args,
            goal=True,
        ),
        Target(
            "Muster list sorted by end date",
            ("muster:office",),
            Role.SYSTEM_ADMIN,
            args=largest_office_args,
            query=lambda context: {"sort": "end", "page": 3},
            goal=True,
        ),
        Target(
            "Muster list (largest prison, people in custody)",
            ("muster:office",),
            Role.SYSTEM_ADMIN,
            args=largest_prison_args,
            goal=True,
        ),
        Target(
            "Muster CSV export (largest office)",
            ("muster:export_csv",),
            Role.SYSTEM_ADMIN,
            args=largest_office_args,
        ),
        Target(
            "Muster XLSX export (largest office)",
            ("muster:export_xlsx",),
            Role.SYSTEM_ADMIN,
            args=largest_office_args,
        ),
    ]
)


# --- Court interface: batch import of court messages (courts app) ----------------------------------
# Not a page target: `run_court_import_bench` times `courts.batch.court_messages_import` on a
# generated JSON-lines file of N messages (default 100,000: mostly new sentences, some duplicates
# and malformed lines), then processes a sample of the accepted messages synchronously. Everything
# runs in one transaction that is rolled back, so the demo data is left as it was. Run it with
# `manage.py bench_court_import [N]` (or a `--court-import N` flag on `manage.py bench`).


@dataclass
class CourtImportResult:
    messages: int
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    store_seconds: float = 0.0
    processed: int = 0
    process_seconds: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def stored_per_second(self) -> float:
        return self.messages / self.store_seconds if self.store_seconds else 0.0

    @property
    def processed_per_second(self) -> float:
        return self.processed / self.process_seconds if self.process_seconds else 0.0


class _RollBack(Exception):
    pass


def _court_reference_data() -> tuple[str, str, list[str]]:
    """A court code, a managing office code and offence codes that exist (made, inside the rolled
    back transaction, if the database has none)."""
    court = Office.objects.filter(kind=OfficeKind.COURT).order_by("pk").first()
    office = Office.objects.filter(kind=OfficeKind.PROBATION).order_by("pk").first()
    if court is None:
        court = Office.objects.create(code="BENCH-CT", name="Bench District Court", kind=OfficeKind.COURT)
    if office is None:
        office = Office.objects.create(code="BENCH-OF", name="Bench office", kind=OfficeKind.PROBATION)
    codes = list(Offence.objects.order_by("code").values_list("code", flat=True)[:20])
    if not codes:
        Offence.objects.create(
            code="BENCH1", description="Bench offence", act="Crimes Act 1961", seriousness=100
        )
        codes = ["BENCH1"]
    return court.code, office.code, codes


def court_import_lines(
    count: int,
    *,
    court: str,
    office: str,
    offences: list[str],
    seed: int = 1,
    duplicates: float = 0.05,
    malformed: float = 0.02,
    family_names: list[str] | None = None,
    prefix: str = "BENCH",
) -> list[bytes]:
    """`count` JSON lines: new sentences for distinct people, with by default 5% copies of earlier
    messages (duplicates) and 2% malformed lines. Message IDs and CMS references start with
    `prefix`; family names are drawn from `family_names` (default: the demo's)."""
    import random

    from demo.names import all_family_names, all_given_names

    rng = random.Random(seed)
    families, givens = family_names or all_family_names(), all_given_names()
    today = timezone.localdate()
    lines: list[bytes] = []
    for index in range(count):
        roll = rng.random()
        if roll < duplicates and lines:
            lines.append(lines[rng.randrange(len(lines))])
            continue
        if roll < duplicates + malformed:
            lines.append(b'{"message_id": "%s-BROKEN-%d", "message_type": ' % (prefix.encode(), index))
            continue
        order = today - datetime.timedelta(days=rng.randint(1, 700))
        message = example("sentence.imposed", message_id=f"{prefix}-{seed}-{index}")
        message["offender"] = {
            "family_name": rng.choice(families),
            "given_names": f"{rng.choice(givens)} {rng.choice(givens)}",
            "date_of_birth": (today - datetime.timedelta(days=rng.randint(18 * 365, 70 * 365))).isoformat(),
            "gender": rng.choice("MF"),
        }
        message["sentence"].update(
            {
                "cms_reference": f"{prefix}-S-{seed}-{index}",
                "court_code": court,
                "court_case_number": f"CRI-{order.year}-{index:06d}",
                "order_date": order.isoformat(),
                "start_date": order.isoformat(),
                "end_date": (order + datetime.timedelta(days=365)).isoformat(),
                "managing_office_code": office,
                "convictions": [{"offence_code": rng.choice(offences), "convicted_on": order.isoformat()}],
            }
        )
        lines.append(json.dumps(message).encode())
    return lines


def run_court_import_bench(*, count: int = 100_000, process_sample: int = 2_000) -> CourtImportResult:
    import tempfile

    result = CourtImportResult(messages=count)
    try:
        with transaction.atomic():
            court, office, offences = _court_reference_data()
            lines = court_import_lines(count, court=court, office=office, offences=offences)
            with tempfile.TemporaryFile() as handle:
                handle.write(b"\n".join(lines) + b"\n")
                del lines
                handle.seek(0)
                summary = court_messages_import(lines=handle, batch_size=1000, process=False, queue=False)
            bulk.analyze([CourtMessage])  # the sample below is read from what was just stored
            result.accepted, result.duplicate, result.rejected = (
                summary.accepted,
                summary.duplicate,
                summary.rejected,
            )
            result.store_seconds = summary.store_seconds

            sample = list(
                CourtMessage.objects.filter(
                    source="batch", status=MessageStatus.RECEIVED, message_id__startswith="BENCH-"
                )
                .order_by("pk")
                .values_list("pk", flat=True)[:process_sample]
            )
            started = time.perf_counter()
            for pk in sample:
                message = court_message_process(pk=pk)
                status = message.status if message is not None else "not found"
                result.outcomes[status] = result.outcomes.get(status, 0) + 1
            result.process_seconds = time.perf_counter() - started
            result.processed = len(sample)
            raise _RollBack
    except _RollBack:
        pass
    return result


def format_court_import(result: CourtImportResult) -> str:
    outcomes = ", ".join(f"{count:,} {status}" for status, count in sorted(result.outcomes.items()))
    return (
        f"Court message import: {result.messages:,} lines ({result.accepted:,} accepted, "
        f"{result.duplicate:,} duplicate, {result.rejected:,} rejected) stored and checked in "
        f"{result.store_seconds:.1f} s = {result.stored_per_second:,.0f} messages/s.\n"
        f"Processing in that transaction (savepoints, nothing committed): {result.processed:,} messages "
        f"({outcomes or 'none'}) in {result.process_seconds:.1f} s = {result.processed_per_second:,.0f} "
        "messages/s."
    )


# --- Court messages applied by one and by two worker processes (issue 10) -----------------------------
# `run_court_workers_bench` stores 2 x `messages` sentence.imposed messages (with the batch import,
# committed), then applies `messages` of them in one worker process and the other `messages` split
# between two, each worker a forked process with its own database connection calling
# `courts.services.court_message_process` (what the Celery task calls) on its own messages, one
# committed transaction each, as a Celery worker does. Each worker first applies WARM_UP messages of
# its own (imports, first-use caches, the connection), then all start together; the rate is the
# messages over the time until the last worker finishes. The people and sentences the messages
# create stay on record, as any delivery's do.
#
# The messages name new people, the commonest heavy case (a new record, sentence, convictions,
# allocate request, casenotes and audit rows). Their family names are invented and checked to share
# no sound (double metaphone) with any name on record, so no message can be applied to, or wait on,
# someone already on record; their dates of birth are realistic, so matching reads the usual dozen or
# so candidates born on the same or a near date.

COURT_WORKERS_MESSAGES = 400
WARM_UP = 2


@dataclass
class CourtWorkersRun:
    workers: int
    messages: int = 0
    seconds: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


@dataclass
class CourtWorkersResult:
    runs: list[CourtWorkersRun] = field(default_factory=list)
    statements_per_message: int | None = None  # of a warmed-up worker's message

    @property
    def scaling(self) -> float | None:
        """Two workers' rate over one worker's."""
        if len(self.runs) < 2 or not self.runs[0].per_second:
            return None
        return self.runs[1].per_second / self.runs[0].per_second


def invented_family_names(count: int, *, seed: int = 10) -> list[str]:
    """`count` family names that sound like no word of any name on record (no double-metaphone code
    in common with the search vocabulary), so matching never takes a bench person for someone else."""
    import random

    with connection.cursor() as cursor:
        cursor.execute("SELECT code, alternate_code FROM offenders_nameword")
        taken = {code for pair in cursor.fetchall() for code in pair if code}
    rng = random.Random(seed)
    onsets, vowels, codas = "bdfgklmnprstvwz", "aeiou", ["x", "lt", "rv", "mb", "nq", "zk", "ft"]
    names: list[str] = []
    while len(names) < count:
        candidates = {
            "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(2)).title() + rng.choice(codas)
            for _ in range(count * 4)
        }
        codes = name_codes(candidates - set(names))
        names += sorted(name for name, found in codes.items() if found and not found & taken)
    return names[:count]


def _court_worker(pks: list[int], capture_last_warm_up: bool, start, results) -> None:
    """One worker process: warm up, wait for the others, apply its messages, report."""
    from collections import Counter

    from django.db import connections

    try:
        statements = None
        with override_settings(DEBUG=False):
            for number, pk in enumerate(pks[:WARM_UP], start=1):
                if capture_last_warm_up and number == WARM_UP:
                    with CaptureQueriesContext(connection) as captured:
                        court_message_process(pk=pk)
                    statements = len(captured.captured_queries)
                else:
                    court_message_process(pk=pk)
            start.wait()
            outcomes = Counter()
            # In batches, as the batch import queues them (courts.tasks.process_court_messages).
            measured = pks[WARM_UP:]
            for first in range(0, len(measured), BATCH_SIZE):
                for message in court_messages_process(pks=measured[first : first + BATCH_SIZE]):
                    outcomes[message.status if message is not None else "not found"] += 1
        results.put(("done", dict(outcomes), statements))
    except BaseException as error:  # the parent reports it; the process ends either way
        start.abort()  # nobody waits for a worker that will not come
        results.put(("failed", f"{type(error).__name__}: {error}", None))
    finally:
        connections.close_all()


def _run_court_workers(batches: list[list[int]], *, capture: bool) -> tuple[CourtWorkersRun, int | None]:
    import multiprocessing
    import queue as queues
    import threading

    from demo.court_worker import court_worker_main

    if connection.in_atomic_block:
        raise RuntimeError("The court workers read committed messages: run them outside a transaction.")
    # Spawned, not forked: each worker sets Django up and opens its own connection (demo/court_worker.py).
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(len(batches) + 1), context.Queue()
    database = connection.settings_dict["NAME"]
    workers = [
        context.Process(
            target=court_worker_main,
            args=(database, batch, capture and not n, start, results),
            daemon=True,
        )
        for n, batch in enumerate(batches)
    ]
    for worker in workers:
        worker.start()
    run = CourtWorkersRun(workers=len(batches))
    statements = None
    try:
        try:
            start.wait(timeout=600)
        except threading.BrokenBarrierError:
            state, detail, _ = results.get(timeout=30)
            raise RuntimeError(f"A court worker failed while warming up: {detail}") from None
        started = time.perf_counter()
        for _ in workers:
            while True:
                try:
                    state, detail, counted = results.get(timeout=5)
                    break
                except queues.Empty:
                    if any(worker.exitcode not in (None, 0) for worker in workers):
                        raise RuntimeError("A court worker process died.") from None
            if state != "done":
                raise RuntimeError(f"A court worker failed: {detail}")
            for status, number in detail.items():
                run.outcomes[status] = run.outcomes.get(status, 0) + number
            statements = statements or counted
        run.seconds = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
    run.messages = sum(run.outcomes.values())
    return run, statements


def run_court_workers_bench(*, messages: int = COURT_WORKERS_MESSAGES) -> CourtWorkersResult:
    """Apply `messages` court messages with one worker process, then `messages` more with two."""
    import secrets

    result = CourtWorkersResult()
    per_worker = {1: [messages], 2: [messages // 2, messages - messages // 2]}
    # The messages are new people with invented names, left on record like any court delivery.
    court, office, offences = _court_reference_data()
    prefix = f"BENCH-W{secrets.token_hex(3).upper()}"
    total = sum(count + WARM_UP for counts in per_worker.values() for count in counts)
    lines = court_import_lines(
        total,
        court=court,
        office=office,
        offences=offences,
        seed=10,
        duplicates=0,
        malformed=0,
        family_names=invented_family_names(max(50, total // 10)),
        prefix=prefix,
    )
    court_messages_import(lines=lines, process=False, queue=False)
    stored = iter(
        CourtMessage.objects.filter(message_id__startswith=f"{prefix}-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for workers, counts in per_worker.items():
        batches = [[next(stored) for _ in range(count + WARM_UP)] for count in counts]
        run, statements = _run_court_workers(batches, capture=workers == 1)
        result.runs.append(run)
        result.statements_per_message = result.statements_per_message or statements
    return result


def format_court_workers(result: CourtWorkersResult) -> str:
    lines = []
    for run in result.runs:
        outcomes = ", ".join(f"{count:,} {status}" for status, count in sorted(run.outcomes.items()))
        lines.append(
            f"{run.workers} worker{'s' if run.workers > 1 else ''}: {run.messages:,} messages ({outcomes}) "
            f"in {run.seconds:.1f} s = {run.per_second:,.1f} messages/s"
            + (f" ({run.per_second / run.workers:,.1f} per worker)" if run.workers > 1 else "")
        )
    if result.scaling is not None:
        lines.append(f"Two workers apply {result.scaling:.2f}× as many messages a second as one.")
    if result.statements_per_message is not None:
        statements = result.statements_per_message
        lines.append(f"SQL statements for one message processed alone (a warmed-up worker): {statements}.")
    return "\n".join(lines)


# --- Allocation queue (issue 4) ----------------------------------------------------------------------
# The demo service manager's own queue is a page target. The queue of a large office (2,000 open
# allocate requests, 100 probation officers) is `run_allocation_queue_bench`: like the court import it
# builds that office in one transaction, measures the queue (first and a late page) and the officer
# page of one request (its checklist completed first: that page ranks all 100 officers; the request's
# task list ranks no one) through the test Client, and rolls everything back, so the demo data is
# left as it was. Run it with `manage.py bench_allocation_queue`.
#
# Measured 22 Nov 2026 (10 runs, DEBUG off, service manager): queue page 1 median 58.5 ms / 13
# queries, page 40 (the last) median 58.8 ms / 13 queries, a request ranking 100 officers median
# 61.4 ms / 13 queries (the request page of then, before the checklist became a task list). The
# counts do not grow with requests or officers (tests/allocation_web).

TARGETS.append(
    Target("Allocation queue (demo service manager)", ("allocation:queue",), Role.SERVICE_MANAGER, goal=True)
)


# --- classification pages (issue 5) -----------------------------------------------------------
# The demo prison's most recent review (demo/classification.py makes reviews at every step there)
# and its prisoner; the demo prison officer works at that prison.


def _demo_review():
    from demo.reference import DEMO_PRISON_CODE

    return (
        Review.objects.filter(
            offender__sentences__managing_office__code=DEMO_PRISON_CODE, offender__sentences__status="active"
        )
        .order_by("-id")
        .first()
    )


def _demo_approved_review():
    from demo.reference import DEMO_PRISON_CODE

    return (
        Review.objects.filter(
            offender__sentences__managing_office__code=DEMO_PRISON_CODE,
            offender__sentences__status="active",
            status__in=cm.APPROVED_REVIEW_STATUSES,
        )
        .order_by("-id")
        .first()
    )


def _demo_approved_review_args(context: BenchContext) -> tuple:
    review = _demo_approved_review()
    return (review.pk,) if review else ()


def _demo_review_args(context: BenchContext) -> tuple:
    review = _demo_review()
    return (review.pk,) if review else ()


def _demo_prisoner_args(context: BenchContext) -> tuple:
    review = _demo_review()
    return (review.offender_id,) if review else ()


TARGETS.extend(
    [
        Target(
            "Classification review page",
            ("classification:review",),
            Role.PRISON_OFFICER,
            args=_demo_review_args,
        ),
        Target(
            "Prisoner's classification tab",
            ("classification:prisoner",),
            Role.PRISON_OFFICER,
            args=_demo_prisoner_args,
        ),
        Target("Classification reviews in progress", ("classification:reviews",), Role.APPROVING_OFFICER),
        Target("Classification reviews due (prison)", ("classification:due",), Role.PRISON_OFFICER),
        Target(
            "Review form PDF", ("classification:review_pdf",), Role.PRISON_OFFICER, args=_demo_review_args
        ),
        Target(
            "Review letter PDF",
            ("classification:review_letter",),
            Role.PRISON_OFFICER,
            args=_demo_approved_review_args,
        ),
    ]
)


# --- Classification PDFs (issue 14: "generated in under 3 s") -----------------------------------------
# Not a ratio: a PDF's time is WeasyPrint's layout and drawing, not SQL. `run_pdf_bench` makes each
# classification PDF of the demo prison's reviews `runs` times (after one warm-up) through the same
# functions the downloads call, and reports the median and slowest wall time and the median CPU time
# of the process (on a shared machine the wall time is mostly waiting for a core; the CPU time is
# what one PDF costs).
#
# Measured 6 Dec 2026 on small demo data, a 2-core machine shared at load average 13-18 (10 runs):
# the form PDF of an approved review (6 pages) took 1.7 s of CPU (8-11 s of wall time), 1.4 s of it
# WeasyPrint's layout. Its tables were laid out automatically (every cell's text measured to find
# the column widths) and every PDF built urllib's HTTPS handler, reading the system's certificates,
# for a fetcher that fetches nothing. With fixed table layout (the widths the template already
# gives) and a bare fetcher: 1.25 s of CPU for that form (median of 3), 1.1 s for a 5-page form,
# 0.25 s for the letter. On an idle machine the wall time is about the CPU time (the README's
# national run: 542 ms); under this load it was 1.6-8.4 s median.

PDF_GOAL_SECONDS = 3.0


@dataclass
class PdfResult:
    name: str
    review_id: int
    pages: int
    kilobytes: float
    runs: int
    median_ms: float
    max_ms: float
    cpu_median_ms: float

    @property
    def over_goal(self) -> bool:
        return self.max_ms > PDF_GOAL_SECONDS * 1000


def run_pdf_bench(*, runs: int = 10) -> list[PdfResult]:
    """Time each classification PDF (the form of the latest review and of the latest approved one,
    and the letter of the approved one) at the demo prison; nothing is written."""
    latest, approved = _demo_review(), _demo_approved_review()
    outputs = []
    if latest is not None:
        outputs.append(("Review form PDF (latest review)", latest, review_form_pdf, review_form_html))
    if approved is not None:
        outputs.append(("Review form PDF (approved review)", approved, review_form_pdf, review_form_html))
        outputs.append(("Review letter PDF", approved, review_letter_pdf, review_letter_html))
    results = []
    for name, review, make, html_of in outputs:
        pdf = make(review)  # warm-up: fonts and WeasyPrint's first-use caches
        walls, cpus = [], []
        for _ in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            make(review)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        results.append(
            PdfResult(
                name=name,
                review_id=review.pk,
                pages=len(pdf_document(html_of(review)).pages),
                kilobytes=round(len(pdf) / 1024, 1),
                runs=runs,
                median_ms=round(statistics.median(walls), 1),
                max_ms=round(max(walls), 1),
                cpu_median_ms=round(statistics.median(cpus), 1),
            )
        )
    return results


def format_pdf(results: list[PdfResult]) -> str:
    if not results:
        return "No classification review at the demo prison: nothing to print."
    header = ("PDF", "Review", "Pages", "KiB", "Median ms", "Max ms", "CPU median ms", "Note")
    rows = [
        (
            result.name,
            str(result.review_id),
            str(result.pages),
            f"{result.kilobytes:.1f}",
            f"{result.median_ms:.1f}",
            f"{result.max_ms:.1f}",
            f"{result.cpu_median_ms:.1f}",
            f"over {PDF_GOAL_SECONDS:.0f} s" if result.over_goal else f"under {PDF_GOAL_SECONDS:.0f} s",
        )
        for result in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    )


ALLOCATION_BENCH_REQUESTS = 2_000
ALLOCATION_BENCH_OFFICERS = 100


def _allocation_bench_office(*, requests: int, officers: int):
    """An office with `requests` open allocate requests, `officers` probation officers holding as
    many cases again between them, and a service manager. Returns (office, manager)."""
    import random

    from django.contrib.auth.models import Group

    rng = random.Random(4)
    today = timezone.localdate()
    User = get_user_model()
    office = Office.objects.create(
        code="BENCH-ALLOC", name="Bench allocation office", kind=OfficeKind.PROBATION
    )
    court = Office.objects.create(code="BENCH-ACT", name="Bench allocation court", kind=OfficeKind.COURT)
    users = User.objects.bulk_create(
        [
            User(username=f"bench.alloc.{n}", first_name=f"Officer{n:03d}", last_name="Bench", password="!")
            for n in range(officers + 1)
        ]
    )
    groups = {group.name: group.pk for group in Group.objects.filter(name__in=Role.values)}
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(
                user_id=user.pk,
                group_id=groups[Role.SERVICE_MANAGER if n == officers else Role.PROBATION_OFFICER],
            )
            for n, user in enumerate(users)
        ]
    )
    staff = StaffMember.objects.bulk_create(
        [
            StaffMember(
                user=user, staff_number=f"BA{n:05d}", office=office, hours_per_week=rng.choice([20, 32, 40])
            )
            for n, user in enumerate(users)
        ]
    )[:officers]
    offenders = Offender.objects.bulk_create(
        [
            Offender(
                prn=f"97{n:07d}",
                family_name=f"Benchqueue{n:04d}",
                given_names="Alex",
                date_of_birth=datetime.date(1980, 1, 1) + datetime.timedelta(days=n),
                home_office=office,
            )
            for n in range(requests * 2)
        ]
    )
    kinds = [SentenceType.SUPERVISION, SentenceType.COMMUNITY_DETENTION, SentenceType.HOME_DETENTION]
    sentences = Sentence.objects.bulk_create(
        [
            Sentence(
                offender=offender,
                sentence_type=rng.choice(kinds),
                court=court,
                order_date=today,
                start_date=today,
                end_date=today + datetime.timedelta(days=365),
                managing_office=office,
            )
            for offender in offenders
        ]
    )
    # Half the offenders are already someone's case (the officers' workload); half wait in the queue.
    CaseAllocation.objects.bulk_create(
        [
            CaseAllocation(
                offender=sentence.offender,
                staff=staff[n % len(staff)],
                sentence=sentence,
                started_on=today,
                trigger=AllocationTrigger.SENTENCE,
            )
            for n, sentence in enumerate(sentences[requests:])
        ]
    )
    made = AllocateRequest.objects.bulk_create(
        [
            AllocateRequest(
                offender=sentence.offender,
                sentence=sentence,
                office=office,
                kind="sentence",
                trigger=AllocationTrigger.SENTENCE,
                due_on=today + datetime.timedelta(days=rng.randint(-10, 20)),
            )
            for sentence in sentences[:requests]
        ]
    )
    AllocateRequestStep.objects.bulk_create(
        [
            AllocateRequestStep(request=request, step=step, position=position)
            for request in made
            for position, step in enumerate(ChecklistStep.values, start=1)
        ]
    )
    # The pages measured next are planned on statistics of what was just loaded, not of empty tables.
    bulk.analyze(
        [
            User,
            User.groups.through,
            StaffMember,
            Offender,
            Sentence,
            CaseAllocation,
            AllocateRequest,
            AllocateRequestStep,
        ]
    )
    return office, users[-1]


def _checklist_complete(request: AllocateRequest, manager) -> None:
    """The checklist of `request` done, as a manager leaves it before choosing the officer: the
    officer page ranks the officers only then (seed 002). The bench's offenders are not child sex
    offenders, so the CSO step does not apply, as checklist_create would have marked it."""
    request.steps.exclude(step=ChecklistStep.CSO_NOTIFICATION).update(
        done_at=timezone.now(), done_by=manager, outcome="No OWS criteria met"
    )
    request.steps.filter(step=ChecklistStep.CSO_NOTIFICATION).update(
        applicable=False, not_applicable_reason="The offender has no active child sex offender flag."
    )


def run_allocation_queue_bench(
    *, requests: int = ALLOCATION_BENCH_REQUESTS, officers: int = ALLOCATION_BENCH_OFFICERS, runs: int = 10
) -> list[Result]:
    """Time the queue of a large office and the officer page of one of its requests, which ranks
    every officer of the office; everything is rolled back."""
    results: list[Result] = []
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    try:
        with transaction.atomic(), override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
            office, manager = _allocation_bench_office(requests=requests, officers=officers)
            first = AllocateRequest.objects.filter(office=office).order_by("due_on", "pk").first()
            _checklist_complete(first, manager)
            last_page = math.ceil(requests / 50)
            client = Client(raise_request_exception=False)
            client.force_login(manager)
            for name, url, query in [
                (
                    f"Allocation queue ({requests:,} requests, {officers} officers)",
                    reverse("allocation:queue"),
                    {},
                ),
                (f"Allocation queue, page {last_page}", reverse("allocation:queue"), {"page": last_page}),
                (
                    f"Choose the officer (ranks {officers} officers)",
                    reverse("allocation:request_officer", args=[first.pk]),
                    {},
                ),
            ]:
                result = Result(name=name, role=Role.SERVICE_MANAGER.label)
                results.append(measure_url(result, client, url, query, runs=runs))
            # A page that refused to rank (an open step) would be timed as a fast page.
            if 'name="staff"' not in client.get(results[-1].url).content.decode():
                results[-1].note = "no officers ranked"
            raise _RollBack
    except _RollBack:
        pass
    return results


# --- Review Security Classification (issue 5) ---------------------------------------------------------
# "Scoring a prisoner with a long history takes a constant number of queries." Not a page target:
# `run_classification_bench` builds, in one transaction that is rolled back, a prisoner with a short
# history (a few records) and one with a long history (by default 500 incident reports, 50 escapes,
# 200 convictions with their charges, 300 sentence-plan activities, 20 earlier reviews ...), and times
# for each (a) reading the records, pre-populating and scoring them (classification.selectors
# .prisoner_records, .instrument_spec, classification.prepopulate.prepopulate, classification.scoring
# .score) and (b) classification.services.review_initiate end to end; then (c) the instrument dry run
# (classification.selectors.instrument_dry_run) of a draft over every current prisoner in the
# database. The query counts of (a) and (b) must be the same for both histories. Run it with
# `manage.py bench_classification` (or the `--classification N` flag of `manage.py bench`).
#
# Measured against the medium demo (5,000 offenders, 438 prisoners; a shared 2-CPU machine under load,
# so the times are high): pre-populate and score, short history median 24 ms / 15 queries, long
# history 2.4-3.5 s / 15 queries; review_initiate short 26 ms / 28 queries, long 2.2-4.5 s / 28
# queries; dry run over 438 prisoners 3.2-4.5 s / 19 queries (large demo: 4,234 prisoners, 21 s / 19
# queries). The query counts do not grow with the history; the long history's time is Python in
# classification.prepopulate, mostly `within_months` building a relativedelta per record per
# candidate date (months_before(today, n) could be computed once per evaluation).

CLASSIFICATION_BENCH_INCIDENTS = 500


@dataclass(frozen=True)
class PrisonHistory:
    """How many of each record one bench prisoner has."""

    incidents: int
    escapes: int
    convictions: int  # each with the charge it came from
    outstanding_charges: int
    past_sentences: int
    activities: int
    category_changes: int
    at_risk_alerts: int
    assessments: int
    removal_orders: int
    police_information: int
    past_reviews: int  # approved and advised reviews, each with its classification

    def describe(self) -> str:
        return (
            f"{self.incidents} incidents, {self.escapes} escapes, {self.convictions} convictions, "
            f"{self.activities} activities, {self.past_reviews} earlier reviews"
        )


SHORT_HISTORY = PrisonHistory(
    incidents=3,
    escapes=0,
    convictions=2,
    outstanding_charges=0,
    past_sentences=0,
    activities=2,
    category_changes=1,
    at_risk_alerts=0,
    assessments=1,
    removal_orders=0,
    police_information=0,
    past_reviews=0,
)


def long_history(incidents: int = CLASSIFICATION_BENCH_INCIDENTS) -> PrisonHistory:
    """A long history in the proportions of the issue's example (500 incidents, 50 escapes, 200
    convictions and charges, 300 plan activities), scaled by the number of incidents."""

    def scaled(count: int) -> int:
        return max(1, round(count * incidents / CLASSIFICATION_BENCH_INCIDENTS))

    return PrisonHistory(
        incidents=incidents,
        escapes=scaled(50),
        convictions=scaled(200),
        outstanding_charges=scaled(40),
        past_sentences=scaled(20),
        activities=scaled(300),
        category_changes=scaled(20),
        at_risk_alerts=scaled(30),
        assessments=scaled(40),
        removal_orders=scaled(5),
        police_information=scaled(30),
        past_reviews=scaled(20),
    )


@dataclass
class ClassificationBenchResult:
    short: PrisonHistory
    long: PrisonHistory
    # (short, long) pairs of the same measurement: (a) scoring, (b) review_initiate.
    pairs: list[tuple[Result, Result]] = field(default_factory=list)
    dry_run: Result | None = None
    dry_run_prisoners: int = 0
    dry_run_changed: int = 0

    @property
    def results(self) -> list[Result]:
        rows = [result for pair in self.pairs for result in pair]
        return rows + ([self.dry_run] if self.dry_run else [])

    @property
    def constant_queries(self) -> bool:
        """The same number of queries, on every run, for the short and the long history."""
        return all(
            short.min_queries == short.max_queries == long.min_queries == long.max_queries
            for short, long in self.pairs
        )


_bench_prn_counter = iter(range(10**6))


def _classification_bench_setting(today: datetime.date):
    """A prison with a prison officer, a court and offences of every category the form reads."""
    from decimal import Decimal

    from django.contrib.auth.models import Group

    prison = Office.objects.create(
        code="BENCH-CLPR", name="Bench classification prison", kind=OfficeKind.PRISON
    )
    court = Office.objects.create(code="BENCH-CLCT", name="Bench classification court", kind=OfficeKind.COURT)
    officer = get_user_model().objects.create(
        username="bench.classification", first_name="Bench", password="!"
    )
    officer.groups.add(Group.objects.get_or_create(name=Role.PRISON_OFFICER)[0])
    StaffMember.objects.create(user=officer, staff_number="BENCH-CL-1", office=prison, hours_per_week=40)
    category = OffenceCategory
    specs = [
        (
            "BCL-SA",
            "Wounding with intent",
            "Crimes Act 1961",
            1500,
            [category.VIOLENCE, category.SERIOUS_ASSAULT],
        ),
        ("BCL-ESC", "Escape from lawful custody", "Crimes Act 1961", 200, [category.ESCAPE]),
        ("BCL-DRG", "Possession of methamphetamine", "Misuse of Drugs Act 1975", 150, [category.DRUGS]),
        ("BCL-VIO", "Common assault", "Summary Offences Act 1981", 25, [category.VIOLENCE]),
        ("BCL-THF", "Theft", "Crimes Act 1961", 40, []),
        ("BCL-CA", "Misconduct: disobeying an order", "Corrections Act 2004", 5, []),
        ("BCL-BRG", "Burglary", "Crimes Act 1961", 400, []),
    ]
    offences = Offence.objects.bulk_create(
        Offence(code=code, description=text, act=act, seriousness=Decimal(score), categories=categories)
        for code, text, act, score, categories in specs
    )
    return prison, court, officer, offences


def _classification_bench_prisoner(
    history: PrisonHistory, *, label: str, setting, instrument, today: datetime.date
) -> Offender:
    """One prisoner with `history`, written with bulk inserts."""
    import random

    prison, court, officer, offences = setting
    rng = random.Random(label)
    day = datetime.timedelta(days=1)

    def ago(low: int, high: int) -> datetime.date:
        return today - day * rng.randint(low, high)

    number = next(_bench_prn_counter)
    offender = Offender.objects.create(
        prn=f"96{number:07d}",
        family_name=f"Bench{label.title()}",
        given_names="Alex",
        date_of_birth=datetime.date(1985, 1, 1),
        home_office=prison,
    )
    start = today - day * 400
    current = Sentence.objects.create(
        offender=offender,
        sentence_type=SentenceType.IMPRISONMENT,
        court=court,
        order_date=start,
        start_date=start,
        end_date=start + day * 365 * 5,
        parole_eligibility_date=start + day * 600,
        statutory_release_date=start + day * 365 * 5,
        managing_office=prison,
    )
    past = []
    for _ in range(history.past_sentences):
        order = ago(500, 3500)
        past.append(
            Sentence(
                offender=offender,
                sentence_type=SentenceType.IMPRISONMENT,
                court=court,
                order_date=order,
                start_date=order,
                end_date=order + day * 90,
                statutory_release_date=order + day * 45,
                managing_office=prison,
                status=SentenceStatus.COMPLETED,
                completion_reason="normal",
                completed_on=order + day * 90,
            )
        )
    past = Sentence.objects.bulk_create(past)
    charges, convictions = [], []
    for index in range(history.convictions):
        offence = offences[index % len(offences)]
        sentence = current if index < 2 or not past else past[index % len(past)]
        convicted = sentence.order_date if sentence is current else ago(60, 3000)
        charge = Charge(
            offender=offender,
            offence=offence,
            charged_on=convicted - day * 30,
            offence_date=convicted - day * 40,
            court=court,
            outstanding=False,
            disposed_on=convicted,
            outcome=Charge.Outcome.CONVICTED,
        )
        charges.append(charge)
        convictions.append(
            Conviction(
                sentence=sentence,
                offender=offender,
                offence=offence,
                charge=charge,
                offence_date=convicted - day * 40,
                convicted_on=convicted,
            )
        )
    charges += [
        Charge(
            offender=offender, offence=offences[index % len(offences)], charged_on=ago(1, 200), court=court
        )
        for index in range(history.outstanding_charges)
    ]
    Charge.objects.bulk_create(charges)
    Conviction.objects.bulk_create(convictions)
    types = cm.IncidentType.values
    acts = cm.CorrectionsActStatus.values
    incidents = []
    for index in range(history.incidents):
        occurred, act = ago(0, 730), acts[index % len(acts)]
        incidents.append(
            cm.IncidentReport(
                offender=offender,
                prison=prison,
                occurred_on=occurred,
                incident_type=types[index % len(types)],
                corrections_act=act,
                # Charged the day of the incident and proven the same day: the dates are valid.
                charge_laid_on=None if act == cm.CorrectionsActStatus.NONE else occurred,
                proven_on=occurred if act == cm.CorrectionsActStatus.PROVEN else None,
                drugs_related=index % 5 == 0,
                violence_related=index % 7 == 0,
                escape_related=index % 50 == 0,
                negative_attitude=index % 3 == 0,
                description="Bench incident",
            )
        )
    cm.IncidentReport.objects.bulk_create(incidents)
    escapes = []
    for index in range(history.escapes):
        occurred = ago(30, 3650)
        escapes.append(
            cm.EscapeEvent(
                offender=offender,
                kind=cm.EscapeKind.values[index % 2],
                custody=cm.EscapeCustody.values[index % 2],
                occurred_on=occurred,
                convicted_on=min(occurred + day * 60, today) if index % 3 else None,
            )
        )
    cm.EscapeEvent.objects.bulk_create(escapes)
    cm.AtRiskAlert.objects.bulk_create(
        cm.AtRiskAlert(offender=offender, raised_on=ago(100, 700), ended_on=ago(0, 99) if index % 2 else None)
        for index in range(history.at_risk_alerts)
    )
    cm.HealthStabilityAssessment.objects.bulk_create(
        cm.HealthStabilityAssessment(
            offender=offender,
            assessed_on=ago(0, 700),
            stability=cm.Stability.UNSTABLE if index % 4 == 0 else cm.Stability.STABLE,
            medical_opinion=index % 4 == 0,
        )
        for index in range(history.assessments)
    )
    statuses = cm.ActivityStatus.values
    # An unavailable or not-completed activity says why (issue 6: database constraints).
    reasons = {
        cm.ActivityStatus.UNAVAILABLE: "Not running",
        cm.ActivityStatus.NOT_COMPLETED: "Stopped attending",
    }
    cm.SentencePlanActivity.objects.bulk_create(
        cm.SentencePlanActivity(
            offender=offender,
            scheduled_on=ago(-60, 365),
            description="Bench activity",
            status=(status := statuses[index % len(statuses)]),
            unavailable_reason=reasons[status] if status == cm.ActivityStatus.UNAVAILABLE else "",
            not_completed_reason=reasons[status] if status == cm.ActivityStatus.NOT_COMPLETED else "",
        )
        for index in range(history.activities)
    )
    cm.SentencePlanCategoryChange.objects.bulk_create(
        cm.SentencePlanCategoryChange(
            offender=offender, changed_on=ago(0, 700), category=cm.PlanCategory.values[index % 2]
        )
        for index in range(history.category_changes)
    )
    cm.RemovalOrder.objects.bulk_create(
        cm.RemovalOrder(offender=offender, kind=cm.RemovalKind.values[index % 3], made_on=ago(10, 700))
        for index in range(history.removal_orders)
    )
    cm.PoliceInformation.objects.bulk_create(
        cm.PoliceInformation(offender=offender, level=cm.RiskLevel.values[index % 3], received_on=ago(0, 700))
        for index in range(history.police_information)
    )
    # The classification history: the initial one, then the earlier reviews (each approved, advised
    # and with the serious assault it used, which a new review must not use again).
    classifications = [
        cm.SecurityClassification(
            offender=offender,
            kind=cm.ClassificationKind.INITIAL,
            internal_category="A",
            external_category="A",
            effective_on=start + day * 7,
        )
    ]
    review_dates = sorted(start + day * rng.randint(30, 399) for _ in range(history.past_reviews))
    classifications += [
        cm.SecurityClassification(
            offender=offender,
            kind=cm.ClassificationKind.REVIEW,
            internal_category="B",
            external_category="A",
            effective_on=effective,
            instrument=instrument,
            internal_score=30,
            external_score=12,
        )
        for effective in review_dates
    ]
    classifications = cm.SecurityClassification.objects.bulk_create(classifications)
    assault = next((c for c in convictions if c.offence.code == "BCL-SA"), None)
    used = [{"label": "sentences.Conviction", "pk": assault.pk, "description": "Bench"}] if assault else []
    cm.Review.objects.bulk_create(
        cm.Review(
            offender=offender,
            instrument=instrument,
            status=cm.ReviewStatus.ADVISED,
            prepopulated_on=classification.effective_on,
            answers={"A.1.2": {"option": "yes", "prepopulated": "yes", "sources": used}},
            internal_score=30,
            external_score=12,
            internal_category="B",
            external_category="A",
            initiated_by=officer,
            approved_internal_category="B",
            approved_external_category="A",
            classification=classification,
        )
        for classification in classifications[1:]
    )
    # Scoring is timed next: planned on statistics of the history just loaded.
    bulk.analyze(
        [
            Sentence,
            Charge,
            Conviction,
            cm.IncidentReport,
            cm.EscapeEvent,
            cm.AtRiskAlert,
            cm.HealthStabilityAssessment,
            cm.SentencePlanActivity,
            cm.SentencePlanCategoryChange,
            cm.RemovalOrder,
            cm.PoliceInformation,
            cm.SecurityClassification,
            cm.Review,
        ]
    )
    return offender


def _timed(name: str, call: Callable[[], object], *, runs: int) -> Result:
    """Run `call` once to warm up, then `runs` times, each timed and its queries counted."""
    timings, queries = [], []
    for run in range(runs + 1):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            elapsed = (time.perf_counter() - started) * 1000
        if run:
            timings.append(elapsed)
            queries.append(len(captured.captured_queries))
    return _summary(name, timings, queries)


def _summary(name: str, timings: list[float], queries: list[int]) -> Result:
    return Result(
        name=name,
        role="–",
        runs=len(timings),
        median_ms=round(statistics.median(timings), 1),
        p95_ms=round(percentile(timings, 0.95), 1),
        min_queries=min(queries),
        max_queries=max(queries),
    )


def _measure_prisoner(
    offender_id: int, *, kind: str, history: PrisonHistory, instrument, officer_id: int, today, runs: int
) -> tuple[Result, Result]:
    """(a) pre-population and scoring, (b) review_initiate, for one bench prisoner."""

    def scoring():
        spec = instrument_spec(instrument)
        records = prisoner_records([offender_id])[offender_id]
        return score(spec, answers_of(prepopulate(records, today)))

    scored = _timed(f"Pre-populate and score: {kind} history ({history.describe()})", scoring, runs=runs)
    # Each review starts from a fresh prisoner and officer (nothing cached on them) in a savepoint
    # rolled back afterwards, so the prisoner never has an open review; only the service is timed.
    timings, queries = [], []
    for run in range(runs + 1):
        offender = Offender.objects.get(pk=offender_id)
        actor = get_user_model().objects.get(pk=officer_id)
        savepoint = transaction.savepoint_create()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            # Requested by staff: the long history's last review was approved recently, when a
            # review is not "due" (classification.services.review_restart_guard).
            review_initiate(
                actor=actor,
                offender=offender,
                today=today,
                reason=cm.ReviewReason.MANUAL,
                comments="Benchmark of starting a review",
            )
            elapsed = (time.perf_counter() - started) * 1000
        transaction.savepoint_rollback(savepoint)
        if run:
            timings.append(elapsed)
            queries.append(len(captured.captured_queries))
    return scored, _summary(f"Start a review (review_initiate): {kind} history", timings, queries)


def run_classification_bench(
    *, incidents: int = CLASSIFICATION_BENCH_INCIDENTS, runs: int = 20, dry_runs: int = 3
) -> ClassificationBenchResult:
    """Time scoring and starting a review for a prisoner with a short and one with a long history,
    and the dry run over every current prisoner; everything is rolled back."""
    today = timezone.localdate()
    outcome = ClassificationBenchResult(short=SHORT_HISTORY, long=long_history(incidents))
    try:
        with transaction.atomic():
            instrument = active_instrument()
            if instrument is None:
                raise ValueError("No instrument version is active; run the migrations.")
            setting = _classification_bench_setting(today)
            officer = setting[2]
            measured = []
            for kind, history in (("short", outcome.short), ("long", outcome.long)):
                offender = _classification_bench_prisoner(
                    history, label=kind, setting=setting, instrument=instrument, today=today
                )
                measured.append(
                    _measure_prisoner(
                        offender.pk,
                        kind=kind,
                        history=history,
                        instrument=instrument,
                        officer_id=officer.pk,
                        today=today,
                        runs=runs,
                    )
                )
            outcome.pairs = list(zip(*measured, strict=True))  # (short, long) per measurement

            draft = services.instrument_draft_create(actor=officer, source=instrument, effective_from=today)
            services.instrument_thresholds_set(
                actor=officer,
                instrument=draft,
                internal_b_from=max(1, instrument.internal_b_from - 3),
                external_b_from=max(1, instrument.external_b_from - 3),
            )
            reports = []
            outcome.dry_run = _timed(
                "Dry run of a draft over every current prisoner",
                lambda: reports.append(instrument_dry_run(draft=draft, active=instrument, today=today)),
                runs=dry_runs,
            )
            outcome.dry_run_prisoners = reports[-1].prisoners_scored
            outcome.dry_run_changed = reports[-1].changed_count
            outcome.dry_run.name += f" ({outcome.dry_run_prisoners:,})"
            raise _RollBack
    except _RollBack:
        pass
    return outcome


def format_classification(outcome: ClassificationBenchResult) -> str:
    counts = ", ".join(
        f"{short.min_queries} = {long.min_queries}"
        if short.min_queries == long.min_queries
        else f"{short.min_queries}–{short.max_queries} ≠ {long.min_queries}–{long.max_queries}"
        for short, long in outcome.pairs
    )
    verdict = "yes" if outcome.constant_queries else "NO"
    lines = [
        format_table(outcome.results),
        f"Same number of queries for the short and the long history: {verdict} ({counts}).",
    ]
    if outcome.dry_run:
        lines.append(
            f"Dry run (thresholds 3 lower): {outcome.dry_run_prisoners:,} prisoners scored, "
            f"{outcome.dry_run_changed:,} would change category."
        )
    return "\n".join(lines)


# --- The work inbox (issue 6) -------------------------------------------------------------------------
# "The inbox of a service manager over 100 officers stays at a constant number of queries and is
# measured in `make bench`." `run_inbox_bench` builds, in one transaction that is rolled back, a prison
# with a service manager over `officers` staff (prison officers, recommending officers and administrative
# support) and work of every kind the inbox reads: prisoners with reviews due and overdue, open reviews
# at each step, allocate requests, exceptions (held and not) and correction requests; then times the
# team inbox (first and last page), the manager's own inbox (with escalations), one officer's inbox as
# the manager sees it, and the manager's home page (which counts the inbox). Run it with
# `manage.py bench --inbox 100` (on by default; 0 skips it).

INBOX_BENCH_OFFICERS = 100


def _inbox_bench_prison(*, officers: int):
    """A prison with a service manager over `officers` people and their work. Returns (manager,
    one prison officer)."""
    import random

    from django.contrib.auth.models import Group

    rng = random.Random(6)
    today = timezone.localdate()
    now = timezone.now()
    User = get_user_model()
    prison = Office.objects.create(code="BENCH-INBOX", name="Bench inbox prison", kind=OfficeKind.PRISON)
    court = Office.objects.create(code="BENCH-INBOXC", name="Bench inbox court", kind=OfficeKind.COURT)
    # 80% prison officers, 15% recommending officers, 5% administrative support (at least one of
    # each); two approving officers and the service manager last.
    clerk_count, recommender_count = max(1, officers // 20), max(1, officers * 15 // 100)
    roles = [
        *[Role.PRISON_OFFICER] * (officers - clerk_count - recommender_count),
        *[Role.RECOMMENDING_OFFICER] * recommender_count,
        *[Role.ADMIN_SUPPORT] * clerk_count,
    ] + [Role.APPROVING_OFFICER, Role.APPROVING_OFFICER, Role.SERVICE_MANAGER]
    users = User.objects.bulk_create(
        [
            User(username=f"bench.inbox.{n}", first_name=f"Officer{n:03d}", last_name="Inbox", password="!")
            for n in range(len(roles))
        ]
    )
    groups = {group.name: group.pk for group in Group.objects.filter(name__in=Role.values)}
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user_id=user.pk, group_id=groups[role])
            for user, role in zip(users, roles, strict=True)
        ]
    )
    StaffMember.objects.bulk_create(
        [StaffMember(user=user, staff_number=f"BI{n:05d}", office=prison) for n, user in enumerate(users)]
    )
    by_role: dict[str, list] = {}
    for user, role in zip(users, roles, strict=True):
        by_role.setdefault(role, []).append(user)
    prisoners = officers * 4
    offenders = Offender.objects.bulk_create(
        [
            Offender(
                prn=f"96{n:07d}",
                family_name=f"Benchinbox{n:04d}",
                given_names="Rewi",
                date_of_birth=datetime.date(1980, 1, 1) + datetime.timedelta(days=n),
                home_office=prison,
            )
            for n in range(prisoners + officers)
        ]
    )
    Sentence.objects.bulk_create(
        [
            Sentence(
                offender=offender,
                sentence_type=SentenceType.IMPRISONMENT,
                court=court,
                order_date=today - datetime.timedelta(days=400),
                start_date=today - datetime.timedelta(days=400),
                end_date=today + datetime.timedelta(days=800),
                statutory_release_date=today + datetime.timedelta(days=300),
                managing_office=prison,
            )
            for offender in offenders[:prisoners]
        ]
    )
    classifications = SecurityClassification.objects.bulk_create(
        [
            SecurityClassification(
                offender=offender,
                kind="initial",
                internal_category="B",
                external_category="B",
                effective_on=today - datetime.timedelta(days=rng.randint(120, 240)),
            )
            for offender in offenders[:prisoners]
        ]
    )
    ReviewSchedule.objects.bulk_create(
        [
            ReviewSchedule(
                offender=classification.offender,
                due_on=today + datetime.timedelta(days=rng.randint(-40, 60)),
                basis=ScheduleBasis.REGULAR,
                reason="6 months after the initial classification (bench)",
                counted_from=classification,
                computed_at=now,
            )
            for classification in classifications
        ]
    )
    # One review in every four prisoners, at every step.
    instrument = active_instrument()
    steps = [
        ReviewStatus.INITIATED,
        ReviewStatus.SENT_BACK,
        ReviewStatus.SUBMITTED,
        ReviewStatus.RECOMMENDED,
        ReviewStatus.APPROVED,
    ]
    reviewed = offenders[: prisoners // 4]
    approved = [
        offender for n, offender in enumerate(reviewed) if steps[n % len(steps)] == ReviewStatus.APPROVED
    ]
    approvals = dict(
        zip(
            (offender.pk for offender in approved),
            SecurityClassification.objects.bulk_create(
                [
                    SecurityClassification(
                        offender=offender,
                        kind="review",
                        instrument=instrument,
                        internal_category="B",
                        external_category="B",
                        effective_on=today - datetime.timedelta(days=2),
                    )
                    for offender in approved
                ]
            ),
            strict=True,
        )
    )
    officers_list = by_role[Role.PRISON_OFFICER]
    reviews = ClassificationReview.objects.bulk_create(
        [
            ClassificationReview(
                offender=offender,
                instrument=instrument,
                status=steps[n % len(steps)],
                prepopulated_on=today - datetime.timedelta(days=10),
                internal_category="B",
                external_category="B",
                initiated_by=officers_list[n % len(officers_list)],
                classification=approvals.get(offender.pk),
            )
            for n, offender in enumerate(reviewed)
        ]
    )
    ReviewTransition.objects.bulk_create(
        [
            ReviewTransition(
                review=review, from_status="", to_status=review.status, actor=review.initiated_by
            )
            for review in reviews
        ]
    )
    clerks = by_role[Role.ADMIN_SUPPORT]
    AllocateRequest.objects.bulk_create(
        [
            AllocateRequest(
                offender=offender,
                office=prison,
                kind="recall",
                trigger=AllocationTrigger.RECALL,
                due_on=today + datetime.timedelta(days=rng.randint(-10, 10)),
            )
            for offender in offenders[prisoners : prisoners + officers // 2]
        ]
    )
    exceptions = DataException.objects.bulk_create(
        [
            DataException(
                reason_code=ReasonCode.MISSING_KEY_DATES,
                detail="Imprisonment has no SRD (bench).",
                fingerprint=f"bench-inbox:{n}",
                office=prison,
                offender=offender,
                assignee=clerks[n % len(clerks)] if n % 2 else None,
            )
            for n, offender in enumerate(offenders[prisoners : prisoners + officers * 2 // 3])
        ]
    )
    DataException.objects.filter(pk__in=[e.pk for e in exceptions]).update(
        opened_at=now - datetime.timedelta(days=8)
    )
    CorrectionRequest.objects.bulk_create(
        [
            CorrectionRequest(
                offender=offender,
                office=prison,
                fields=["family_name"],
                what_is_wrong="Family name misspelt (bench)",
                should_be="As on the warrant",
                raised_by=clerks[0],
            )
            for offender in offenders[prisoners : prisoners + officers // 2]
        ]
    )
    # The inbox pages measured next are planned on statistics of what was just loaded.
    bulk.analyze(
        [
            User,
            User.groups.through,
            StaffMember,
            Offender,
            Sentence,
            SecurityClassification,
            ReviewSchedule,
            ClassificationReview,
            ReviewTransition,
            AllocateRequest,
            DataException,
            CorrectionRequest,
        ]
    )
    return by_role[Role.SERVICE_MANAGER][0], officers_list[0]


def run_inbox_bench(*, officers: int = INBOX_BENCH_OFFICERS, runs: int = 10) -> list[Result]:
    """Time the inbox pages of a service manager over `officers` people; everything is rolled back."""
    results: list[Result] = []
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    try:
        with transaction.atomic(), override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
            manager, officer = _inbox_bench_prison(officers=officers)
            client = Client(raise_request_exception=False)
            client.force_login(manager)
            rows = team_inbox(person_of(manager), today=timezone.localdate()).total
            last_page = max(1, math.ceil(rows / 50))
            member = StaffMember.objects.get(user=officer)
            for name, url, query in [
                (f"Team inbox ({officers} people, {rows:,} items)", reverse("inbox:team"), {}),
                (f"Team inbox, page {last_page}", reverse("inbox:team"), {"page": last_page}),
                ("Manager's own inbox (with escalations)", reverse("inbox:mine"), {}),
                ("One officer's inbox, as the manager", reverse("inbox:person", args=[member.pk]), {}),
                ("Team inbox as CSV", reverse("inbox:export"), {"scope": "team"}),
                ("Manager's home page (inbox count)", reverse("home"), {}),
            ]:
                result = Result(name=name, role=Role.SERVICE_MANAGER.label)
                results.append(measure_url(result, client, url, query, runs=runs))
            raise _RollBack
    except _RollBack:
        pass
    return results
