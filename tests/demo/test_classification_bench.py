"""`manage.py bench --classification`: scoring a prisoner with a long history takes as many queries
as one with a short history (issue 5), and the bench leaves nothing behind."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command

from demo.bench import long_history, run_classification_bench

pytestmark = pytest.mark.django_db

COUNTED_APPS = ("classification", "offenders", "sentences", "staff", "audit", "auth")


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for app in COUNTED_APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.managed
    }


@pytest.mark.slow
def test_a_long_history_is_scored_in_as_many_queries_as_a_short_one_and_nothing_is_left(seeded):
    before = row_counts()
    outcome = run_classification_bench(incidents=60, runs=2, dry_runs=1)
    assert outcome.long.incidents == 60 and outcome.long.convictions == 24 and outcome.long.activities == 36
    assert len(outcome.pairs) == 2
    for short, long in outcome.pairs:
        assert short.runs == long.runs == 2
        assert short.min_queries == short.max_queries == long.min_queries == long.max_queries
        assert short.median_ms > 0 and long.median_ms > 0
    assert outcome.constant_queries
    # The dry run scores every current prisoner: the demo's and the two bench prisoners.
    assert outcome.dry_run.runs == 1 and outcome.dry_run.min_queries > 0
    assert outcome.dry_run_prisoners >= 2
    assert row_counts() == before


def test_the_long_history_keeps_the_issues_proportions():
    history = long_history(500)
    assert (history.incidents, history.escapes, history.convictions, history.activities) == (
        500,
        50,
        200,
        300,
    )


@pytest.mark.slow
def test_bench_classification_command_prints_the_comparison(seeded):
    out = io.StringIO()
    call_command("bench_classification", "--incidents", "20", "--runs", "1", "--dry-runs", "1", stdout=out)
    output = out.getvalue()
    assert "Pre-populate and score: long history (20 incidents" in output
    assert "Same number of queries for the short and the long history: yes" in output
    assert "Dry run" in output
