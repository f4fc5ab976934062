"""Reading the compliance rules: the version in force on a day and the window failures count in.
Pure functions of the rules and dates, shared by the services (which act on a failure) and the
selectors (which summarise a person's compliance)."""

import datetime

from dateutil.relativedelta import relativedelta

from compliance.models import ComplianceRuleSet, Recommendation


def rules_in_force(on: datetime.date) -> ComplianceRuleSet | None:
    """The latest version that has taken effect by `on`, or None before the first one."""
    return ComplianceRuleSet.objects.filter(effective_from__lte=on).order_by("-effective_from").first()


def window_opens(rules: ComplianceRuleSet, on: datetime.date) -> datetime.date:
    """Failures on or before this day are too old to count on `on`: "within 12 months" of a
    failure on 6 Dec 2026 means after 6 Dec 2025 (a failure 364 days before counts, 366 does not;
    365 days before is exactly 12 months in a year without 29 February, and does not count)."""
    return on - relativedelta(months=rules.window_months)


def window_closes(rules: ComplianceRuleSet, failed_on: datetime.date) -> datetime.date:
    """The last day on which a failure on `failed_on` still counts: the day before the first on
    which window_opens reaches it. Not simply the failure's day plus the months less a day: adding
    months clips to a month's end (29 Feb 2028 + 12 months is 28 Feb 2029, yet the failure still
    counts on 28 Feb 2029, whose window opens on 28 Feb 2028)."""
    day = failed_on + relativedelta(months=rules.window_months)
    while window_opens(rules, day) < failed_on:  # at most three days past a clipped month's end
        day += datetime.timedelta(days=1)
    return day - datetime.timedelta(days=1)


def recommendation_for(rules: ComplianceRuleSet, failures: int) -> str:
    if failures >= rules.enforcement_after:
        return Recommendation.BREACH
    if failures >= rules.warning_after:
        return Recommendation.WARNING
    return Recommendation.NONE
