"""Enforcement in the inbox: each open step is work for whoever takes it, due when the rules say,
and leaves the inbox when taken; a breach waits for a manager who did not prepare it; each source
costs one query whatever the number of actions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance.inbox_items import (
    BreachApprovalSource,
    BreachLaySource,
    EnforcementDecisionSource,
    WarningIssueSource,
)
from compliance.models import EnforcementStatus
from compliance.services import breach_approve, enforcement_decide, warning_issue
from inbox.selectors import inbox_of, people_at, person_of
from staff.roles import Role
from tests.compliance.helpers import action_at, fail, supervised
from tests.factories import OfficeFactory, staff_user

pytestmark = pytest.mark.django_db
S = EnforcementStatus


def items(user, kind):
    me = person_of(user)
    rows = inbox_of(me, viewer=me, today=timezone.localdate()).rows
    return [row.item for row in rows if row.item.kind == kind and not row.escalated]


def test_each_step_is_work_for_the_one_who_takes_it(office, probation_officer, role_user):
    preparer, approver = role_user(Role.SERVICE_MANAGER), role_user(Role.SERVICE_MANAGER)
    elsewhere = staff_user(Role.SERVICE_MANAGER, OfficeFactory())
    offender = supervised(probation_officer, office, family_name="Ngata", given_names="Aroha")
    action = fail(probation_officer, offender, days_ago=2)

    [item] = items(probation_officer, "enforcement_decide")
    assert item.title == "Decide on enforcement"
    assert item.due_on == action.due_on and item.offender_name == "NGATA, Aroha"
    assert item.url == f"/compliance/actions/{action.pk}/"
    assert "recommended: formal warning" in item.detail
    assert items(preparer, "enforcement_decide") == []

    enforcement_decide(actor=preparer, action=action, decision="breach")
    assert items(probation_officer, "enforcement_decide") == []
    [item] = items(approver, "enforcement_approve")
    assert item.title == "Approve a breach" and item.due_on == action.due_on
    assert preparer.get_full_name() in item.detail
    assert items(preparer, "enforcement_approve") == []  # four eyes: not theirs to approve
    assert items(elsewhere, "enforcement_approve") == []
    assert items(probation_officer, "enforcement_approve") == []

    action = breach_approve(actor=approver, action=action)
    assert items(approver, "enforcement_approve") == []
    [item] = items(probation_officer, "enforcement_lay")
    assert item.title == "Lay the breach with the court" and item.due_on == action.due_on


def test_a_prepared_warning_is_work_for_the_officer_until_it_is_issued(office, probation_officer):
    action = action_at(S.WARNING_PREPARED, probation_officer, office)

    [item] = items(probation_officer, "enforcement_warning")
    assert item.title == "Issue the warning" and item.due_on == action.due_on

    warning_issue(actor=probation_officer, action=action, issued_on=timezone.localdate())
    assert items(probation_officer, "enforcement_warning") == []


def test_each_source_is_one_query_however_many_actions(office, probation_officer, role_user):
    approver = role_user(Role.SERVICE_MANAGER)
    people = people_at(office.pk)
    sources = [EnforcementDecisionSource(), WarningIssueSource(), BreachApprovalSource(), BreachLaySource()]

    def costs():
        counts = []
        for source in sources:
            with CaptureQueriesContext(connection) as captured:
                found = source.items_for(people, timezone.localdate())
            counts.append((len(captured), len(found)))
        return counts

    for status in (S.CONSIDERED, S.WARNING_PREPARED, S.BREACH_PREPARED, S.APPROVED):
        action_at(status, probation_officer, office, approver=approver)
    few = costs()
    for status in (S.CONSIDERED, S.WARNING_PREPARED, S.BREACH_PREPARED, S.APPROVED) * 3:
        action_at(status, probation_officer, office, approver=approver)
    many = costs()

    assert [found for _, found in few] == [1, 1, 1, 1]
    assert [found for _, found in many] == [4, 4, 4, 4]
    assert [queries for queries, _ in few] == [queries for queries, _ in many] == [1, 1, 1, 1]


def test_another_probation_officer_of_the_office_may_not_see_the_item(office, probation_officer, role_user):
    colleague = role_user(Role.PROBATION_OFFICER, username="po_colleague")
    offender = supervised(probation_officer, office, family_name="Ngata", given_names="Aroha")
    fail(probation_officer, offender, days_ago=2)
    [item] = items(probation_officer, "enforcement_decide")

    assert EnforcementDecisionSource().may_see(person_of(probation_officer), item)
    assert not EnforcementDecisionSource().may_see(person_of(colleague), item)
    assert EnforcementDecisionSource().may_see(person_of(role_user(Role.SERVICE_MANAGER)), item)
