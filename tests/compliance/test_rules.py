"""The window's two readings agree: the last day a failure counts (window_closes, printed in the
warning letter and the record's next threshold) is the last day window_opens still counts it, also
when the failure is on 29 February or at the end of a longer month than the one a window ends in."""

import datetime

import pytest

from compliance.models import ComplianceRuleSet
from compliance.rules import window_closes, window_opens

pytestmark = pytest.mark.django_db


def _counts_on(rules, failed_on: datetime.date, on: datetime.date) -> bool:
    return window_opens(rules, on) < failed_on <= on


@pytest.mark.parametrize(
    ("months", "failed_on", "last_day"),
    [
        (12, datetime.date(2026, 12, 6), datetime.date(2027, 12, 5)),
        (12, datetime.date(2028, 2, 29), datetime.date(2029, 2, 28)),
        (1, datetime.date(2027, 1, 31), datetime.date(2027, 2, 28)),
        (6, datetime.date(2026, 8, 31), datetime.date(2027, 2, 28)),
    ],
)
def test_a_failure_counts_until_the_last_day_the_window_still_holds_it(months, failed_on, last_day):
    rules = ComplianceRuleSet(window_months=months)

    assert window_closes(rules, failed_on) == last_day
    assert _counts_on(rules, failed_on, last_day)
    assert not _counts_on(rules, failed_on, last_day + datetime.timedelta(days=1))
