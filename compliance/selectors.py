"""Reading compliance: a person's compliance summary (failures in the window, warnings, breaches,
the next threshold) and the open enforcement actions of officers and offices, for the record, the
inbox and the API."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from appointments.models import Appointment, AppointmentStatus
from appointments.services import local
from compliance.models import (
    ComplianceRuleSet,
    EnforcementAction,
    EnforcementStatus,
    Recommendation,
)
from compliance.rules import recommendation_for, rules_in_force, window_closes
from compliance.services import counting_from, failures_counted


@dataclass(frozen=True)
class ComplianceSummary:
    rules: ComplianceRuleSet | None
    counting_after: datetime.date | None  # failures on or before this day do not count
    failures: list[Appointment]  # unacceptable failures that count today, oldest first
    acceptable_failures: int  # failures to attend with an acceptable reason, in the same window
    warnings_issued: list[EnforcementAction]  # in the window
    breaches_laid: list[EnforcementAction]  # ever
    open_actions: list[EnforcementAction]
    recommendation: str  # what the failures that count lead to, by the rules
    next_threshold: str  # in words: what the next unacceptable failure leads to, and until when

    @property
    def failure_dates(self) -> list[datetime.date]:
        return [local(appointment.starts_at).date() for appointment in self.failures]


def compliance_summary(offender, today: datetime.date) -> ComplianceSummary:
    """A fixed number of queries, whatever the person's history."""
    rules = rules_in_force(today)
    actions = list(
        EnforcementAction.objects.filter(offender=offender)
        .select_related("appointment", "officer__user", "prepared_by", "approved_by")
        .order_by("-failed_on", "-id")
    )
    breaches = [action for action in actions if action.status == EnforcementStatus.BREACH_LAID]
    open_actions = [action for action in actions if action.is_open]
    if rules is None:
        return ComplianceSummary(
            rules=None,
            counting_after=None,
            failures=[],
            acceptable_failures=0,
            warnings_issued=[],
            breaches_laid=breaches,
            open_actions=open_actions,
            recommendation=Recommendation.NONE,
            next_threshold="No compliance rules are in force.",
        )
    after = counting_from(offender.pk, rules, today)
    failures = failures_counted(offender.pk, rules, today)
    acceptable = Appointment.objects.filter(
        offender=offender,
        status=AppointmentStatus.FAILED_ACCEPTABLE,
        starts_at__date__gt=after,
    ).count()
    warnings = [
        action
        for action in actions
        if action.status == EnforcementStatus.WARNING_ISSUED and action.warning_issued_on > after
    ]
    count = len(failures)
    if count >= rules.enforcement_after:
        next_threshold = (
            f"At the enforcement threshold: {count} unacceptable failures within "
            f"{rules.window_months} months."
        )
    elif count + 1 >= rules.enforcement_after:
        next_threshold = "The next unacceptable failure leads to enforcement action (breach)"
        if failures:
            # Until the oldest failure that counts drops out of the window.
            until = window_closes(rules, local(failures[0].starts_at).date())
            next_threshold += f" if it is by {until:%-d %b %Y}"
        next_threshold += "."
    elif count + 1 >= rules.warning_after:
        next_threshold = "The next unacceptable failure leads to a formal warning."
    else:
        next_threshold = f"{rules.warning_after - count} more unacceptable failures lead to a formal warning."
    return ComplianceSummary(
        rules=rules,
        counting_after=after,
        failures=failures,
        acceptable_failures=acceptable,
        warnings_issued=warnings,
        breaches_laid=breaches,
        open_actions=open_actions,
        recommendation=recommendation_for(rules, count),
        next_threshold=next_threshold,
    )


def open_actions_for_officers(staff_ids) -> QuerySet[EnforcementAction]:
    """Open actions held by these officers (the partial index enforcement_open_by_officer)."""
    return EnforcementAction.objects.open().filter(officer_id__in=list(staff_ids)).with_list_relations()


def breaches_to_approve(office_ids) -> QuerySet[EnforcementAction]:
    """Breaches prepared at these offices, waiting for a service manager's approval."""
    return (
        EnforcementAction.objects.filter(
            office_id__in=list(office_ids), status=EnforcementStatus.BREACH_PREPARED
        )
        .select_related("prepared_by")
        .with_list_relations()
    )
