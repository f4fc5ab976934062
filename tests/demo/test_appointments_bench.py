"""The diary and office calendar bench (`make bench --appointments N`) beside the demo's people."""

import datetime

import pytest

from appointments.models import Appointment
from demo.appointments_bench import run_appointments_bench
from tests.factories import OffenderFactory

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_the_bench_runs_beside_people_holding_any_eight_digit_prn():
    """At national size the demo's PRNs take numbers across the whole eight-digit range: the bench's
    own people once took 91100000 onwards, and the bench failed on the first one already taken."""
    for prn in ("91100000", "91200000", "91200008"):
        OffenderFactory(prn=prn, date_of_birth=datetime.date(1990, 1, 1))
    before = Appointment.objects.count()

    outcome = run_appointments_bench(cases=2, officers=1, runs=1)

    assert [result.note for result in outcome.results] == [""] * 4
    assert outcome.constant_queries
    assert Appointment.objects.count() == before, "rolled back"
