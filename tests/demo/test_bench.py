import io
import json

import pytest
from django.core.management import call_command

from demo.bench import TARGETS, Target, misspell, percentile, run_bench
from offenders.models import Offender
from offenders.phonetics import soundex
from staff.roles import Role

pytestmark = pytest.mark.django_db


def test_misspelling_keeps_the_sound_of_the_name():
    assert misspell("Tamihana") == "Tamihanna"
    assert misspell("Smith") == "Smyth"
    assert misspell("Le") == "Lee"
    for name in ("Tamihana", "Smith", "Le", "O'Brien", "Te Whata", "Ngāwati"):
        assert misspell(name) != name
        assert soundex(misspell(name)) == soundex(name)


def test_percentile_is_the_nearest_rank():
    values = [float(value) for value in range(1, 21)]
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 0.5) == 10.0
    assert percentile([3.0], 0.95) == 3.0


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
        "200",
        "--allocation-queue",
        "60",
        "--classification",
        "20",
        "--inbox",
        "5",
        "--output-dir",
        str(tmp_path),
        stdout=out,
    )
    output = out.getvalue()
    assert "batch import of 200 messages" in output
    assert "Allocation queue: an office with 60 open requests" in output
    assert "short and a long history (20 incidents)" in output
    assert "Same number of queries for the short and the long history: yes" in output
    assert "Work inbox: a service manager over 5 officers" in output and "Team inbox (5 people" in output
    assert Offender.objects.count() == 40
    assert "Median ms" in output and "p95 ms" in output and "Queries" in output
    for target in TARGETS:
        assert target.name in output

    [written] = tmp_path.glob("*.json")
    payload = json.loads(written.read_text())
    assert payload["offenders"] == 40 and payload["runs"] == 2
    results = {result["name"]: result for result in payload["results"]}
    assert set(results) == {target.name for target in TARGETS}
    measured = [result for result in results.values() if result["note"] != "not available"]
    assert measured, "at least the home page exists"
    for result in measured:
        assert result["runs"] == 2
        assert result["median_ms"] > 0 and result["min_queries"] >= 1
        assert result["note"] == "", f"{result['name']}: {result['note']}"


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
