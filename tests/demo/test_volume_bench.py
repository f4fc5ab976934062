"""The volume bench (`make bench --volumes N`): the conditions and appointments tabs, the inbox, the
diary, the office calendar and the event feed timed with a few rows of each kind and again with
many, in a transaction that is rolled back."""

import pytest
from django.db import connection

from appointments.models import Appointment
from conditions.models import Condition
from datashare.models import Share
from demo.volume_bench import SAMPLE_APPOINTMENTS, run_volume_bench
from events.models import OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_each_page_answers_in_the_same_queries_with_a_few_rows_and_with_many(seeded):
    before = (Appointment.objects.count(), Condition.objects.count(), OutboxEvent.objects.count())
    outcome = run_volume_bench(rows=4_000, runs=1)

    assert [(result.name, result.note) for result in outcome.results] == [
        (result.name, "") for result in outcome.results
    ]
    assert {result.name for result in outcome.results} >= {
        "Offender conditions tab",
        "Offender appointments tab",
        "Work inbox (probation officer)",
        "Diary (demo officer), this week",
        "Office calendar (demo office), this week",
        "Event feed, first page",
        "Event feed, from the middle",
        "Event feed, near the end",
    }
    assert outcome.constant_queries, [
        (result.name, result.max_queries, outcome.small_queries[result.name]) for result in outcome.results
    ]
    # The sample record's long history and the outbox rows were written, and every row is read raw.
    assert outcome.loaded["appointments"] == 4_000 + SAMPLE_APPOINTMENTS
    assert outcome.loaded["outbox events"] == 4_000
    assert all(result.raw_statements for result in outcome.results)
    assert (Appointment.objects.count(), Condition.objects.count(), OutboxEvent.objects.count()) == before
    assert not Share.objects.filter(name="Bench event feed").exists(), "rolled back"
    # The planner's row counts are the tables' again, not those of the rolled-back volumes.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('appointments_appointment', 'conditions_condition', 'events_outboxevent')"
        )
        estimates = dict(cursor.fetchall())
    assert all(rows < 1_000 for rows in estimates.values()), estimates
