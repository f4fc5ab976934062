import io
import json
import re

import pytest
from django.core.management import call_command

from audit.models import AuditAction, AuditEvent
from demo.bench import (
    TARGETS,
    PdfResult,
    Result,
    Target,
    format_court_workers,
    format_pdf,
    format_table,
    misspell,
    percentile,
    row_queries,
    run_allocation_queue_bench,
    run_bench,
    run_court_workers_bench,
)
from offenders.models import Offender
from offenders.selectors import name_codes
from staff.roles import Role
from tests.demo.conftest import generated_prns

pytestmark = pytest.mark.django_db


def test_misspelling_keeps_the_sound_of_the_name():
    assert misspell("Tamihana") == "Tamihanna"
    assert misspell("Smith") == "Smyth"
    assert misspell("Le") == "Lee"
    for name in ("Tamihana", "Smith", "Le", "O'Brien", "Te Whata", "Ngāwati"):
        assert misspell(name) != name
        codes = name_codes([name, misspell(name)])
        assert codes[name] & codes[misspell(name)]


def test_percentile_is_the_nearest_rank():
    values = [float(value) for value in range(1, 21)]
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 0.5) == 10.0
    assert percentile([3.0], 0.95) == 3.0


@pytest.mark.slow
def test_bench_seeds_an_empty_database_and_prints_a_table(tmp_path):
    out = io.StringIO()
    call_command(
        "bench",
        "--offenders",
        "40",
        "--runs",
        "2",
        "--no-progress",
        "--court-import",
        "20",  # each is processed too (about 0.1 s each)
        "--allocation-queue",
        "60",
        "--classification",
        "20",
        "--inbox",
        "5",
        "--court-workers",
        "0",  # the workers read committed messages: tests/demo/test_bench.py below, outside this transaction
        "--recall",
        "5",  # every query form for five people (300 by default): tests/demo/test_search_recall.py
        "--pdf",
        "1",
        "--volumes",
        "3000",
        "--output-dir",
        str(tmp_path),
        stdout=out,
    )
    output = out.getvalue()
    assert "batch import of 20 messages" in output
    assert "Allocation queue: an office with 60 open requests" in output
    assert "short and a long history (20 incidents)" in output
    assert "Same number of queries for the short and the long history: yes" in output
    assert "Work inbox: a service manager over 5 officers" in output and "Team inbox (5 people" in output
    assert "Search recall: 5 people" in output and "recall@5" in output
    assert "Classification PDFs: 1 runs each" in output and "Review form PDF (latest review)" in output
    assert "national volumes (3,000 appointments and outbox events; rolled back)" in output
    volumes = output.split("national volumes", 1)[1].split("\n\n", 1)[0]
    assert "Event feed, from the middle" in volumes and "Constant queries: yes" in volumes
    assert Offender.objects.filter(prn__in=generated_prns(40)).count() == 40
    for column in ("Median ms", "p95 ms", "Queries", "Raw SQL ms", "× raw"):
        assert column in output
    for target in TARGETS:
        assert target.name in output

    [written] = tmp_path.glob("*.json")
    payload = json.loads(written.read_text())
    # The offenders stored: the 40 generated and the people of the demo's waiting work.
    assert payload["offenders"] == Offender.objects.count() and payload["runs"] == 2
    results = {result["name"]: result for result in payload["results"]}
    assert set(results) == {target.name for target in TARGETS}
    measured = [result for result in results.values() if result["note"] != "not available"]
    assert measured, "at least the home page exists"
    for result in measured:
        assert result["runs"] == 2
        assert result["median_ms"] > 0 and result["min_queries"] >= 1
        assert result["note"] == "", f"{result['name']}: {result['note']}"
        # Every page reads rows, so each has raw SQL to be compared with.
        assert result["raw_statements"] >= 1 and result["raw_median_ms"] > 0 and result["ratio"] > 0
    goals = {target.name for target in TARGETS if target.goal}
    assert {"Offender search: name", "Offender record", "API casenote list"} <= goals
    assert {name for name, result in results.items() if result["goal"]} == goals


def test_the_allocation_bench_times_the_officer_page_where_the_ranking_runs():
    from django.urls import reverse

    from allocation.models import AllocateRequest
    from tests.allocation.helpers import ensure_weights

    ensure_weights()
    queue, last_page, officer_page = run_allocation_queue_bench(requests=3, officers=4, runs=1)

    assert officer_page.name == "Choose the officer (ranks 4 officers)"
    assert officer_page.url.endswith("/officer/")
    assert officer_page.statuses == [200] and officer_page.note == "", officer_page.note
    assert officer_page.ratio > 0, "compared with its raw SQL like every page"
    # The office was rolled back with its requests.
    assert not AllocateRequest.objects.filter(office__code="BENCH-ALLOC").exists()
    assert reverse("allocation:queue") == queue.url


def test_the_pdf_table_prints_wall_and_cpu_time_against_three_seconds():
    fast = PdfResult("Review letter PDF", 7, 2, 13.6, 10, 240.0, 410.0, 220.0)
    slow = PdfResult("Review form PDF (approved review)", 7, 6, 40.2, 10, 2500.0, 3100.0, 1400.0)

    lines = format_pdf([fast, slow]).splitlines()

    assert re.split(r"\s{2,}", lines[0].strip()) == [
        *("PDF", "Review", "Pages", "KiB", "Median ms", "Max ms", "CPU median ms", "Note")
    ]
    assert re.split(r"\s{2,}", lines[1].strip())[4:] == ["240.0", "410.0", "220.0", "under 3 s"]
    assert re.split(r"\s{2,}", lines[2].strip())[4:] == ["2500.0", "3100.0", "1400.0", "over 3 s"]
    assert "nothing to print" in format_pdf([])


def test_the_pdf_bench_makes_each_classification_pdf_of_the_demo_prison(seeded):
    from demo.bench import run_pdf_bench

    results = {result.name: result for result in run_pdf_bench(runs=1)}

    assert "Review form PDF (latest review)" in results
    for result in results.values():
        assert result.runs == 1 and result.pages >= 1 and result.kilobytes > 1
        assert result.median_ms > 0 and result.cpu_median_ms > 0


def test_bench_uses_existing_data_and_reports_missing_views(seeded, tmp_path):
    targets = [
        Target("Home page", ("home",), Role.PROBATION_OFFICER),
        Target("Not written yet", ("nowhere:list",), Role.PROBATION_OFFICER),
    ]
    context, results = run_bench(runs=3, targets=targets)
    assert context.offender.allocations.filter(staff__user__username="probation").exists()
    home, missing = results
    assert home.runs == 3 and home.statuses == [200, 200, 200]
    assert missing.runs == 0 and missing.note == "not available"


def test_each_view_of_a_record_the_bench_makes_is_audited_like_any_other(seeded):
    before = AuditEvent.objects.filter(action=AuditAction.VIEW).count()
    record = Target(
        "Offender record", ("offenders:detail",), Role.PROBATION_OFFICER, args=lambda c: (c.offender.pk,)
    )
    _, [result] = run_bench(runs=2, targets=[record])
    assert result.runs == 2 and result.note == ""
    # The warm-up request and the two measured ones.
    assert AuditEvent.objects.filter(action=AuditAction.VIEW).count() == before + 3


def test_the_raw_sql_is_the_selects_for_what_the_page_shows():
    notes = 'SELECT "casenotes_casenote"."id" FROM "casenotes_casenote" ORDER BY 1 DESC LIMIT 51'
    captured = [
        'SELECT "django_session"."session_data" FROM "django_session" WHERE "session_key" = \'k\'',
        'SELECT "auth_user"."id" FROM "auth_user" WHERE "auth_user"."id" = 7 LIMIT 21',
        'SELECT "auth_group"."name" FROM "auth_group" INNER JOIN "auth_user_groups" ON (x) '
        'WHERE "auth_user_groups"."user_id" = 7',
        'SELECT COUNT(*) AS "__count" FROM "casenotes_casenote"',
        'INSERT INTO "audit_auditevent" ("at") VALUES (now()) RETURNING "audit_auditevent"."id"',
        notes,
        "\nWITH here AS (SELECT 1) SELECT * FROM here\n",
        'DECLARE "_django_curs_1_sync_1" NO SCROLL CURSOR WITH HOLD FOR \nSELECT 2',
        notes,  # the same query twice is replayed once
    ]
    assert row_queries([{"sql": sql} for sql in captured]) == [
        notes,
        "WITH here AS (SELECT 1) SELECT * FROM here",
        "SELECT 2",
    ]


def test_the_table_shows_the_ratio_to_raw_sql_and_whether_a_goal_was_missed():
    common = {"role": "Probation officer", "runs": 5, "min_queries": 6, "max_queries": 6, "goal": True}
    met = Result(name="Fast list", median_ms=20.0, p95_ms=30.0, raw_median_ms=5.0, ratio=4.0, **common)
    missed = Result(
        name="Slow list",
        median_ms=150.0,
        p95_ms=180.0,
        raw_median_ms=10.0,
        ratio=15.0,
        goal_missed=["p95 over 100 ms", "over 5× raw SQL"],
        **common,
    )
    header, _, fast, slow = format_table([met, missed]).splitlines()
    assert re.split(r"\s{2,}", header) == [
        *("Target", "Role", "Median ms", "p95 ms", "Queries", "Raw SQL ms", "× raw", "Note")
    ]
    assert fast.split()[-7:] == ["20.0", "30.0", "6", "5.0", "4.0", "goal", "met"]
    assert re.split(r"\s{2,}", slow)[2:] == [
        *("150.0", "180.0", "6", "10.0", "15.0", "goal missed: p95 over 100 ms, over 5× raw SQL")
    ]


def test_bench_with_skip_seed_on_an_empty_database_says_what_to_do(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="no offenders"):
        call_command(
            "bench",
            "--skip-seed",
            "--court-import",
            "0",
            "--allocation-queue",
            "0",
            "--inbox",
            "0",
            "--output-dir",
            str(tmp_path),
            stdout=io.StringIO(),
        )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_court_messages_are_applied_by_one_and_two_worker_processes_and_stay_on_record():
    people_before = Offender.objects.count()
    result = run_court_workers_bench(messages=6)
    one, two = result.runs
    assert (one.workers, two.workers) == (1, 2)
    assert one.messages == two.messages == 6
    assert sum(one.outcomes.values()) == 6 and one.outcomes.get("processed", 0) >= 5
    assert one.per_second > 0 and two.per_second > 0 and result.scaling > 0
    assert result.statements_per_message > 10
    text = format_court_workers(result)
    assert "1 worker: 6 messages" in text and "2 workers: 6 messages" in text and "messages/s" in text
    # Each processed message named a new person, as a court delivery would (warm-up messages too).
    processed = one.outcomes.get("processed", 0) + two.outcomes.get("processed", 0)
    assert Offender.objects.count() - people_before >= processed
