"""Fixtures for compliance: the appointments fixtures (an offender on supervision at `office`,
allocated to the probation officer), the rules of the first version, and failures on given days."""

import datetime

import pytest

from appointments.services import outcome_record
from compliance.models import ComplianceRuleSet
from tests.appointments.conftest import (  # noqa: F401  (fixtures)
    arrange,
    nz,
    offender,
    officer,
)
from tests.factories import SentenceFactory


@pytest.fixture
def sentence(offender):  # noqa: F811  (the fixture imported above)
    """Supervision from 1 Jan 2024 for three years: current over every date the tests use."""
    start = datetime.date(2024, 1, 1)
    return SentenceFactory(
        offender=offender, order_date=start, start_date=start, end_date=datetime.date(2027, 12, 31)
    )


@pytest.fixture
def rules(db):
    """The first version, as migration compliance 0002 adds it (a test database may be flushed)."""
    rules, _ = ComplianceRuleSet.objects.update_or_create(
        effective_from=datetime.date(2000, 1, 1),
        defaults={
            "warning_after": 1,
            "enforcement_after": 2,
            "window_months": 12,
            "decide_within_days": 5,
            "approve_within_days": 3,
            "lay_within_days": 10,
        },
    )
    return rules


@pytest.fixture
def fail(arrange, probation_officer, rules):  # noqa: F811  (the fixture imported above)
    """fail(day, outcome="failed_unacceptable") -> the appointment at 10 am on `day`, with that outcome."""

    def record(day: datetime.date, outcome: str = "failed_unacceptable", note: str = ""):
        appointment = arrange(nz(day.year, day.month, day.day))
        if outcome == "failed_acceptable" and not note:
            note = "A letter from the hospital"
        return outcome_record(actor=probation_officer, appointment=appointment, outcome=outcome, note=note)

    return record
