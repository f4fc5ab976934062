"""The one workflow mechanism (workflow.transitions), exercised through a real state machine:
the data exceptions of the exceptions report."""

import pytest
from django.db import connection, transaction

from audit.models import AuditAction, AuditEvent
from reconciliation.detection import exception_raise
from reconciliation.models import (
    EXCEPTION_WORKFLOW,
    DataException,
    ExceptionStatus,
    ExceptionTransition,
    ReasonCode,
)
from staff.roles import Role
from tests.factories import OffenderFactory, staff_user
from workflow.transitions import ConcurrentChange, TransitionNotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def exception():
    raised, _ = exception_raise(
        reason_code=ReasonCode.MISSING_KEY_DATES, detail="No release date", offender=OffenderFactory()
    )
    return raised


@pytest.fixture
def person():
    return staff_user(Role.ADMIN_SUPPORT)


def test_a_step_changes_the_status_and_writes_the_transition_row_and_the_audit_row(exception, person):
    step = EXCEPTION_WORKFLOW.move(exception, to=ExceptionStatus.IN_PROGRESS, actor=person, comment="On it")

    assert DataException.objects.get(pk=exception.pk).status == ExceptionStatus.IN_PROGRESS
    assert exception.status == ExceptionStatus.IN_PROGRESS
    row = ExceptionTransition.objects.get(pk=step.pk)
    assert (row.from_status, row.to_status, row.actor, row.comment) == (
        ExceptionStatus.OPEN,
        ExceptionStatus.IN_PROGRESS,
        person,
        "On it",
    )
    audit = AuditEvent.objects.filter(object_id=str(exception.pk), action=AuditAction.UPDATE).get()
    assert audit.actor == person
    assert audit.changes == {"status": [ExceptionStatus.OPEN, ExceptionStatus.IN_PROGRESS]}
    assert audit.offender_id == exception.offender_id


def test_a_step_the_map_does_not_allow_is_refused_and_changes_nothing(exception, person):
    EXCEPTION_WORKFLOW.move(exception, to=ExceptionStatus.RESOLVED, actor=person)
    rows = ExceptionTransition.objects.count()

    with pytest.raises(TransitionNotAllowed, match="An exception that is resolved cannot become in progress"):
        EXCEPTION_WORKFLOW.move(exception, to=ExceptionStatus.IN_PROGRESS, actor=person)

    assert DataException.objects.get(pk=exception.pk).status == ExceptionStatus.RESOLVED
    assert ExceptionTransition.objects.count() == rows


def test_a_step_from_a_status_read_before_someone_else_moved_it_is_refused(exception, person):
    stale = DataException.objects.get(pk=exception.pk)
    EXCEPTION_WORKFLOW.move(exception, to=ExceptionStatus.RESOLVED, actor=person)
    rows = ExceptionTransition.objects.count()
    audits = AuditEvent.objects.count()

    with pytest.raises(ConcurrentChange, match="Someone else changed this exception .* it is now resolved"):
        EXCEPTION_WORKFLOW.move(stale, to=ExceptionStatus.IN_PROGRESS, actor=person)

    assert DataException.objects.get(pk=exception.pk).status == ExceptionStatus.RESOLVED
    assert ExceptionTransition.objects.count() == rows
    assert AuditEvent.objects.count() == audits


def test_fields_change_with_the_status_in_one_update_and_the_row_keeps_its_own_detail(exception, person):
    EXCEPTION_WORKFLOW.move(
        exception,
        to=ExceptionStatus.IN_PROGRESS,
        actor=person,
        fields={"assignee": person},
        row={"assignee": person, "step": "started"},
    )

    assert DataException.objects.get(pk=exception.pk).assignee == person
    row = ExceptionTransition.objects.filter(exception=exception).last()
    assert (row.assignee, row.step) == (person, "started")


def test_side_effects_run_only_when_the_change_commits(exception, person):
    ran = []
    with transaction.atomic():
        EXCEPTION_WORKFLOW.move(
            exception, to=ExceptionStatus.IN_PROGRESS, actor=person, on_commit=[lambda: ran.append("sent")]
        )
        assert ran == []
        # pytest-django's transaction never commits: run what would run at commit.
        callbacks = [callback for _, callback, _ in connection.run_on_commit]
    assert ran == []
    for callback in callbacks:
        callback()
    assert ran == ["sent"]


def test_a_rolled_back_step_leaves_no_row_no_audit_and_runs_no_side_effect(exception, person):
    ran = []
    rows = ExceptionTransition.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        EXCEPTION_WORKFLOW.move(
            exception, to=ExceptionStatus.IN_PROGRESS, actor=person, on_commit=[lambda: ran.append("sent")]
        )
        raise RuntimeError("the rest of the service failed")

    assert DataException.objects.get(pk=exception.pk).status == ExceptionStatus.OPEN
    assert ExceptionTransition.objects.count() == rows
    assert not AuditEvent.objects.filter(object_id=str(exception.pk), action=AuditAction.UPDATE).exists()
    assert [callback for _, callback, _ in connection.run_on_commit] == []
    assert ran == []
