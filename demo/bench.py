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
"""

import datetime
import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from allocation.models import CaseAllocation
from offenders.models import Offender
from sentences.models import Sentence
from staff.demo_logins import demo_username
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


TARGETS: list[Target] = [
    Target("Home page (probation officer)", ("home",), Role.PROBATION_OFFICER),
    Target("Home page (service manager)", ("home",), Role.SERVICE_MANAGER),
    Target(
        "Offender search: name",
        ("offenders:search",),
        Role.PROBATION_OFFICER,
        query=lambda context: {"q": context.name_text},
    ),
    Target(
        "Offender search: misspelt name",
        ("offenders:search",),
        Role.PROBATION_OFFICER,
        query=lambda context: {"q": context.misspelt_text},
    ),
    Target(
        "Offender search: PRN",
        ("offenders:search",),
        Role.PROBATION_OFFICER,
        query=lambda context: {"q": context.prn},
        ok_statuses=(200, 302),  # a single PRN match goes straight to the record
    ),
    Target("Offender record", ("offenders:detail",), Role.PROBATION_OFFICER, args=_offender_args),
    Target("Offender casenotes tab", ("offenders:casenotes",), Role.PROBATION_OFFICER, args=_offender_args),
    Target("API offender list", ("offender-list", "api:offender-list"), Role.DATA_SHARE),
    Target("API sentence list", ("sentence-list", "api:sentence-list"), Role.DATA_SHARE),
    Target("API casenote list", ("casenote-list", "api:casenote-list"), Role.PROBATION_OFFICER),
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

    @property
    def measured(self) -> bool:
        return self.runs > 0 and not self.note


def misspell(name: str) -> str:
    """A misspelling that sounds the same (and has the same Soundex code): double the consonant
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
    result = Result(name=target.name, role=Role(target.role).label)
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
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[target.role] = client
    query = target.query(context)
    client.get(url, query)  # warm-up: template loading and first-use caches are not measured
    timings, queries = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, query)
            timings.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured.captured_queries))
        result.statuses.append(response.status_code)
    result.runs = runs
    result.median_ms = round(statistics.median(timings), 1)
    result.p95_ms = round(percentile(timings, 0.95), 1)
    result.min_queries, result.max_queries = min(queries), max(queries)
    unexpected = sorted(set(result.statuses) - set(target.ok_statuses))
    if unexpected:
        result.note = f"HTTP {', '.join(map(str, unexpected))}"
    return result


def run_bench(*, runs: int, targets: list[Target] | None = None) -> tuple[BenchContext | None, list[Result]]:
    context = sample_context()
    if context is None:
        return None, []
    clients: dict[str, Client] = {}
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
        results = [measure(target, context, runs=runs, clients=clients) for target in targets or TARGETS]
    return context, results


def format_table(results: list[Result]) -> str:
    header = ("Target", "Role", "Runs", "Median ms", "p95 ms", "Queries", "Note")
    rows = []
    for result in results:
        if result.runs:
            queries = (
                str(result.min_queries)
                if result.min_queries == result.max_queries
                else f"{result.min_queries}–{result.max_queries}"
            )
            rows.append(
                (
                    result.name,
                    result.role,
                    str(result.runs),
                    f"{result.median_ms:.1f}",
                    f"{result.p95_ms:.1f}",
                    queries,
                    result.note,
                )
            )
        else:
            rows.append((result.name, result.role, "0", "–", "–", "–", result.note))
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    numeric = {2, 3, 4, 5}

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
