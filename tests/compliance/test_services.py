"""Compliance rules and the enforcement workflow, on real PostgreSQL: the thresholds at their
boundaries, the rules as versioned data, and the workflow through four-eyes approval to the breach
event the court interface understands."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from audit.refusals import Refused
from casenotes.models import Casenote
from compliance.models import (
    ComplianceRuleSet,
    EnforcementAction,
    EnforcementStatus,
    Recommendation,
)
from compliance.selectors import compliance_summary
from compliance.services import (
    breach_approve,
    breach_lay,
    breach_return,
    enforcement_decide,
    enforcement_withdraw,
    warning_issue,
)
from events.models import OutboxEvent
from sentences.models import SentenceEvent, SentenceEventKind
from sentences.services import sentence_event_resolve
from staff.roles import Role
from tests.appointments.conftest import NZ
from tests.factories import OfficeFactory, staff_user

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2025, 3, 1)


def test_the_first_unacceptable_failure_is_considered_for_a_formal_warning(fail, offender, sentence):
    fail(FIRST)

    action = EnforcementAction.objects.get(offender=offender)
    assert action.status == EnforcementStatus.CONSIDERED
    assert (action.failures_in_window, action.recommendation) == (1, Recommendation.WARNING)
    assert action.failed_on == FIRST and action.sentence == sentence
    # Decided within the rules' 5 days of the failure.
    assert action.due_on == FIRST + datetime.timedelta(days=5)
    assert action.transitions.get().to_status == "considered"
    assert AuditEvent.objects.filter(object_id=str(action.pk), action="create").exists()
    assert Casenote.objects.filter(offender=offender, summary="Enforcement being considered").exists()
    assert OutboxEvent.objects.filter(event_type="AppointmentOutcomeRecorded").count() == 1


@pytest.mark.parametrize("outcome", ["attended", "attended_late", "failed_acceptable", "cancelled"])
def test_other_outcomes_start_no_enforcement(fail, offender, outcome):
    fail(FIRST, outcome, note="Reason given" if outcome == "cancelled" else "")

    assert not EnforcementAction.objects.exists()


def _second_failure(fail, days_after_first: int) -> EnforcementAction:
    fail(FIRST)
    first = EnforcementAction.objects.get()
    # Withdrawn, so that the second failure starts an action of its own rather than joining it.
    enforcement_withdraw(actor=first.officer.user, action=first, reason="Dealt with by a warning by phone")
    fail(FIRST + datetime.timedelta(days=days_after_first))
    return EnforcementAction.objects.exclude(pk=first.pk).get()


def test_a_second_failure_364_days_after_the_first_leads_to_enforcement_action(fail):
    # Seed rule: enforcement action after a second unacceptable failure within 12 months.
    second = _second_failure(fail, 364)

    assert second.failed_on == datetime.date(2026, 2, 28)
    assert (second.failures_in_window, second.recommendation) == (2, Recommendation.BREACH)


def test_a_second_failure_366_days_after_the_first_is_a_first_again(fail):
    second = _second_failure(fail, 366)

    assert second.failed_on == datetime.date(2026, 3, 2)
    assert (second.failures_in_window, second.recommendation) == (1, Recommendation.WARNING)


def test_exactly_12_months_later_the_first_failure_no_longer_counts(fail):
    # 1 Mar 2025 to 1 Mar 2026: 365 days, twelve months to the day, so not "within" them.
    second = _second_failure(fail, 365)

    assert second.recommendation == Recommendation.WARNING


def test_a_further_failure_while_one_is_considered_joins_it_and_raises_the_recommendation(fail, offender):
    fail(FIRST)
    fail(FIRST + datetime.timedelta(days=2))

    action = EnforcementAction.objects.get(offender=offender)
    assert (action.failures_in_window, action.recommendation) == (2, Recommendation.BREACH)
    assert action.failed_on == FIRST  # still the first failure's action, due by its date
    assert action.appointment.starts_at.astimezone(NZ).date() == FIRST + datetime.timedelta(days=2)
    assert Casenote.objects.filter(summary="Enforcement: a further failure to attend").count() == 1


def test_the_rules_in_force_on_the_day_of_the_failure_apply(fail, offender, rules):
    # A stricter version from 1 Jun 2025: enforcement after two failures within 24 months.
    ComplianceRuleSet.objects.create(
        effective_from=datetime.date(2025, 6, 1), warning_after=1, enforcement_after=2, window_months=24
    )
    first = fail(datetime.date(2024, 2, 1))
    enforcement_withdraw(
        actor=first.officer.user, action=EnforcementAction.objects.get(), reason="Warned in person"
    )
    fail(datetime.date(2025, 5, 31))  # 16 months later, under the old 12-month rules: a first
    older = EnforcementAction.objects.get(failed_on=datetime.date(2025, 5, 31))
    assert older.recommendation == Recommendation.WARNING and older.rules == rules

    enforcement_withdraw(actor=first.officer.user, action=older, reason="Warned in person")
    fail(datetime.date(2025, 6, 2))  # under the new rules, all three within 24 months
    newer = EnforcementAction.objects.get(failed_on=datetime.date(2025, 6, 2))
    assert newer.rules.effective_from == datetime.date(2025, 6, 1)
    assert (newer.failures_in_window, newer.recommendation) == (3, Recommendation.BREACH)


def test_failures_answered_by_a_laid_breach_do_not_count_again(
    fail, offender, probation_officer, service_manager
):
    fail(FIRST)
    fail(FIRST + datetime.timedelta(days=10))
    action = EnforcementAction.objects.get()
    enforcement_decide(actor=probation_officer, action=action, decision="breach")
    breach_approve(actor=service_manager, action=action)
    breach_lay(actor=probation_officer, action=action, laid_on=timezone.localdate())

    fail(FIRST + datetime.timedelta(days=40))

    after = EnforcementAction.objects.get(status=EnforcementStatus.CONSIDERED)
    assert (after.failures_in_window, after.recommendation) == (1, Recommendation.WARNING)


# --- the workflow ---------------------------------------------------------------------------------


@pytest.fixture
def breach_considered(fail):
    fail(FIRST)
    fail(FIRST + datetime.timedelta(days=30))
    return EnforcementAction.objects.get()


def test_a_breach_goes_through_four_eyes_to_the_sentence_event_the_court_understands(
    breach_considered, probation_officer, service_manager, sentence, offender
):
    action = breach_considered
    enforcement_decide(actor=probation_officer, action=action, decision="breach")
    assert action.status == EnforcementStatus.BREACH_PREPARED
    assert action.prepared_by == probation_officer

    breach_approve(actor=service_manager, action=action, note="Agreed: two failures in a month")
    assert action.status == EnforcementStatus.APPROVED and action.approved_by == service_manager

    laid_on = timezone.localdate()
    breach_lay(actor=probation_officer, action=action, laid_on=laid_on)
    action.refresh_from_db()
    assert action.status == EnforcementStatus.BREACH_LAID and action.breach_laid_on == laid_on
    event = SentenceEvent.objects.get(sentence=sentence, kind=SentenceEventKind.BREACH)
    assert action.sentence_event == event and event.outstanding
    assert event.occurred_on == laid_on and "Failed to report as directed on 1 Mar 2025" in event.detail
    assert OutboxEvent.objects.filter(event_type="SentenceEventRecorded", offender_id=offender.pk).exists()
    steps = list(action.transitions.values_list("to_status", "actor__username"))
    assert steps == [
        ("considered", "po"),
        ("breach_prepared", "po"),
        ("approved", "sm"),
        ("breach_laid", "po"),
    ]
    for summary in ("Enforcement decided: breach prepared, waiting for approval", "Breach approved"):
        assert Casenote.objects.filter(offender=offender, summary=summary).exists()

    # The court's breach.decided message decides the same event (courts.applying resolves it).
    sentence_event_resolve(actor=service_manager, event=event, outcome="Breach proved", resolved_on=laid_on)
    event.refresh_from_db()
    assert not event.outstanding


def test_the_officer_who_prepared_a_breach_cannot_approve_it(breach_considered, role_user, office):
    manager = role_user(Role.SERVICE_MANAGER, username="sm2")
    enforcement_decide(actor=manager, action=breach_considered, decision="breach")

    with pytest.raises(Refused, match="Another person must approve"):
        breach_approve(actor=manager, action=breach_considered)
    breach_considered.refresh_from_db()
    assert breach_considered.status == EnforcementStatus.BREACH_PREPARED


def test_only_a_manager_of_the_office_approves(breach_considered, probation_officer, db):
    enforcement_decide(actor=probation_officer, action=breach_considered, decision="breach")
    elsewhere = staff_user(Role.SERVICE_MANAGER, office=OfficeFactory(code="AKL09"), username="sm_akl")
    other_officer = staff_user(Role.PROBATION_OFFICER, office=breach_considered.office, username="po2")

    for person in (elsewhere, other_officer):
        with pytest.raises(Refused):
            breach_approve(actor=person, action=breach_considered)
    breach_considered.refresh_from_db()
    assert breach_considered.status == EnforcementStatus.BREACH_PREPARED


def test_the_database_refuses_an_approval_by_the_preparer(breach_considered, probation_officer):
    from django.db import IntegrityError, transaction

    enforcement_decide(actor=probation_officer, action=breach_considered, decision="breach")
    with pytest.raises(IntegrityError), transaction.atomic():
        EnforcementAction.objects.filter(pk=breach_considered.pk).update(
            status=EnforcementStatus.APPROVED, approved_by=probation_officer
        )


def test_a_breach_is_laid_only_once_approved(breach_considered, probation_officer):
    enforcement_decide(actor=probation_officer, action=breach_considered, decision="breach")

    with pytest.raises(ValidationError, match="once a service manager has approved"):
        breach_lay(actor=probation_officer, action=breach_considered, laid_on=datetime.date(2025, 4, 10))
    assert not SentenceEvent.objects.exists()


def test_a_returned_breach_is_considered_again(breach_considered, probation_officer, service_manager):
    enforcement_decide(actor=probation_officer, action=breach_considered, decision="breach")

    with pytest.raises(ValidationError, match="Say why"):
        breach_return(actor=service_manager, action=breach_considered, reason=" ")
    breach_return(actor=service_manager, action=breach_considered, reason="Check the hospital letter first")

    breach_considered.refresh_from_db()
    assert breach_considered.status == EnforcementStatus.CONSIDERED
    assert breach_considered.prepared_by is None


def test_a_lighter_step_than_recommended_needs_the_reason(breach_considered, probation_officer):
    for decision in ("warning", "no_action"):
        with pytest.raises(ValidationError, match="Say why: the rules recommend enforcement action"):
            enforcement_decide(actor=probation_officer, action=breach_considered, decision=decision)
    breach_considered.refresh_from_db()
    assert breach_considered.status == EnforcementStatus.CONSIDERED

    enforcement_decide(
        actor=probation_officer,
        action=breach_considered,
        decision="warning",
        note="First failure was during a family bereavement",
    )
    assert breach_considered.status == EnforcementStatus.WARNING_PREPARED


def test_a_warning_is_prepared_then_issued(fail, probation_officer, offender):
    fail(FIRST)
    action = EnforcementAction.objects.get()
    enforcement_decide(actor=probation_officer, action=action, decision="warning")

    with pytest.raises(ValidationError):
        warning_issue(actor=probation_officer, action=action, issued_on=FIRST - datetime.timedelta(days=1))
    warning_issue(actor=probation_officer, action=action, issued_on=FIRST + datetime.timedelta(days=2))

    action.refresh_from_db()
    assert action.status == EnforcementStatus.WARNING_ISSUED and action.due_on is None
    assert Casenote.objects.filter(offender=offender, summary="Formal warning issued").exists()


def test_someone_without_the_case_may_not_decide(fail, db, office):
    fail(FIRST)
    action = EnforcementAction.objects.get()
    stranger = staff_user(Role.PROBATION_OFFICER, office=office, username="po_other")

    with pytest.raises(Refused):
        enforcement_decide(actor=stranger, action=action, decision="warning")
    action.refresh_from_db()
    assert action.status == EnforcementStatus.CONSIDERED


def test_an_unknown_decision_is_refused_clearly(fail, probation_officer):
    fail(FIRST)
    action = EnforcementAction.objects.get()
    with pytest.raises(ValidationError, match="Choose a formal warning"):
        enforcement_decide(actor=probation_officer, action=action, decision="caution")


# --- the summary ------------------------------------------------------------------------------------


def test_the_summary_counts_the_failures_in_the_window_and_names_the_next_threshold(
    fail, offender, probation_officer
):
    fail(FIRST, "failed_acceptable")
    fail(FIRST + datetime.timedelta(days=7))
    action = EnforcementAction.objects.get()
    enforcement_decide(actor=probation_officer, action=action, decision="warning")
    warning_issue(actor=probation_officer, action=action, issued_on=FIRST + datetime.timedelta(days=9))

    summary = compliance_summary(offender, FIRST + datetime.timedelta(days=30))

    assert summary.failure_dates == [datetime.date(2025, 3, 8)]
    assert summary.acceptable_failures == 1
    assert [warning.pk for warning in summary.warnings_issued] == [action.pk]
    assert summary.recommendation == Recommendation.WARNING
    assert summary.next_threshold == (
        "The next unacceptable failure leads to enforcement action (breach) if it is by 7 Mar 2026."
    )
    # A year on, the failure has dropped out of the window.
    later = compliance_summary(offender, datetime.date(2026, 3, 8))
    assert later.failures == [] and later.recommendation == Recommendation.NONE
    assert later.next_threshold == "The next unacceptable failure leads to a formal warning."


def test_the_summary_takes_the_same_queries_however_long_the_history(
    fail, offender, django_assert_max_num_queries
):
    for week in range(12):
        fail(
            FIRST + datetime.timedelta(days=7 * week),
            "failed_acceptable" if week % 2 else "failed_unacceptable",
        )
    with django_assert_max_num_queries(6):
        compliance_summary(offender, FIRST + datetime.timedelta(days=90))


def test_a_failure_recorded_late_for_an_older_appointment_keeps_the_latest_as_the_one_answered(
    fail, offender
):
    fail(FIRST + datetime.timedelta(days=10))
    fail(FIRST)  # recorded afterwards, for an appointment ten days earlier

    action = EnforcementAction.objects.get()
    assert action.failures_in_window == 2
    assert action.appointment.starts_at.astimezone(NZ).date() == FIRST + datetime.timedelta(days=10)
