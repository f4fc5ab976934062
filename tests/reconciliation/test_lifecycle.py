"""The exception lifecycle: each step, the steps refused from each status, the resolution's
reason and change, who may act, and the rows each step leaves behind."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditAction, AuditEvent
from courts.corrections import exception_request_correction
from courts.models import CorrectionRequest
from reconciliation.detection import exception_raise
from reconciliation.models import (
    EXCEPTION_TRANSITIONS,
    DataException,
    ExceptionStatus,
    ExceptionStep,
    ReasonCode,
)
from reconciliation.services import (
    allowed_steps,
    exception_assign,
    exception_reopen,
    exception_resolve,
    exception_start,
)
from staff.roles import Role
from tests.factories import OffenderFactory, SentenceFactory, staff_user

pytestmark = pytest.mark.django_db

REASON = "Checked against the court order of 3 May"
CHANGE = "Corrected end date from 3 May 2027 to 5 June 2027 per court order"


def _resolve(actor, exception, reason=REASON, change=CHANGE):
    return exception_resolve(actor=actor, exception=exception, resolution_reason=reason, change_made=change)


def _steps(exception):
    return [
        (transition.step, transition.from_status, transition.to_status)
        for transition in exception.transitions.order_by("id")
    ]


def test_raising_twice_returns_the_open_exception(make_exception):
    exception = make_exception()
    again, created = exception_raise(
        reason_code=exception.reason_code, detail="Again", sentence=exception.sentence
    )
    assert again == exception and not created
    assert again.detail == "Imprisonment has no SRD."


def test_an_exception_goes_from_open_to_in_progress_to_resolved(make_exception, admin_support):
    exception = make_exception()

    exception = exception_start(actor=admin_support, exception=exception, comment="Pulling the file")
    assert exception.status == ExceptionStatus.IN_PROGRESS
    assert exception.assignee == admin_support, "whoever starts an unassigned exception holds it"

    exception = _resolve(admin_support, exception)
    assert exception.status == ExceptionStatus.RESOLVED
    assert exception.resolved_by == admin_support
    assert exception.resolved_at is not None
    assert exception.resolution_reason == REASON
    assert exception.change_made == CHANGE
    assert _steps(exception) == [
        (ExceptionStep.RAISED, "", ExceptionStatus.OPEN),
        (ExceptionStep.STARTED, ExceptionStatus.OPEN, ExceptionStatus.IN_PROGRESS),
        (ExceptionStep.RESOLVED, ExceptionStatus.IN_PROGRESS, ExceptionStatus.RESOLVED),
    ]
    resolved = exception.transitions.get(step=ExceptionStep.RESOLVED)
    assert resolved.actor == admin_support
    assert CHANGE in resolved.comment
    audit = AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="reconciliation.DataException", object_id=str(exception.pk)
    )
    assert audit.count() == 2
    assert audit.filter(actor=admin_support, summary__contains="resolved").get().changes == {
        "status": [ExceptionStatus.IN_PROGRESS, ExceptionStatus.RESOLVED]
    }
    assert audit.first().offender_id == exception.offender_id


def test_an_open_exception_can_be_resolved_straight_away(make_exception, service_manager):
    exception = _resolve(service_manager, make_exception())
    assert exception.status == ExceptionStatus.RESOLVED


def test_resolving_needs_a_reason_and_the_change_made(make_exception, admin_support):
    exception = make_exception()
    with pytest.raises(ValidationError) as refused:
        _resolve(admin_support, exception, reason="", change="  ")
    assert set(refused.value.message_dict) == {"resolution_reason", "change_made"}
    with pytest.raises(ValidationError) as refused:
        _resolve(admin_support, exception, reason=REASON, change="fixed")
    assert set(refused.value.message_dict) == {"change_made"}

    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.OPEN, "nothing changes on bad input"
    assert exception.transitions.count() == 1


def test_assigning_to_administrative_staff_of_the_office(make_exception, admin_support, service_manager):
    exception = make_exception()
    colleague = staff_user(Role.ADMIN_SUPPORT, office=exception.office, username="colleague")

    exception = exception_assign(
        actor=service_manager, exception=exception, assignee=colleague, comment="Yours"
    )

    assert exception.assignee == colleague
    assert exception.status == ExceptionStatus.OPEN, "assigning is not a change of status"
    assigned = exception.transitions.get(step=ExceptionStep.ASSIGNED)
    assert (assigned.assignee, assigned.actor, assigned.comment) == (colleague, service_manager, "Yours")
    assert AuditEvent.objects.filter(summary__contains="assigned to").exists()


def test_an_exception_cannot_be_assigned_to_someone_outside_the_office_or_role(
    make_exception, admin_support, probation_officer, other_admin_support
):
    exception = make_exception()
    for outsider in (probation_officer, other_admin_support):
        with pytest.raises(ValidationError) as refused:
            exception_assign(actor=admin_support, exception=exception, assignee=outsider)
        assert "assignee" in refused.value.message_dict
    exception.refresh_from_db()
    assert exception.assignee is None


def _request(actor, exception, **overrides):
    values = {
        "fields": ["end_date"],
        "what_is_wrong": "CMS sent an expiry date of 3 May 2027",
        "should_be": "5 June 2027, per the court order of 1 March",
        **overrides,
    }
    # Asking the courts is their app's step (courts.corrections), which moves the exception on.
    return exception_request_correction(actor=actor, exception=exception, **values)


def test_requesting_a_correction_waits_for_the_courts_then_work_resumes(make_exception, admin_support):
    exception = _request(admin_support, make_exception())
    assert exception.status == ExceptionStatus.CORRECTION_REQUESTED
    requested = exception.transitions.get(step=ExceptionStep.CORRECTION_REQUESTED)
    assert "CMS sent an expiry date of 3 May 2027" in requested.comment
    assert "5 June 2027" in requested.comment

    exception = exception_start(actor=admin_support, exception=exception, comment="Correction arrived")
    assert exception.status == ExceptionStatus.IN_PROGRESS
    assert _resolve(admin_support, exception).status == ExceptionStatus.RESOLVED


def test_a_correction_request_goes_to_the_courts(make_exception, admin_support):
    exception = _request(admin_support, make_exception(), fields=["statutory_release_date"])
    request = CorrectionRequest.objects.get()
    assert (request.offender, request.sentence, request.raised_by) == (
        exception.offender,
        exception.sentence,
        admin_support,
    )
    assert request.fields == ["statutory_release_date"]
    assert (request.what_is_wrong, request.should_be) == (
        "CMS sent an expiry date of 3 May 2027",
        "5 June 2027, per the court order of 1 March",
    )
    assert exception.transitions.get(step=ExceptionStep.CORRECTION_REQUESTED).comment.startswith(
        f"Correction request {request.reference}:"
    )


def test_a_correction_the_courts_refuse_changes_nothing(make_exception, admin_support):
    exception = make_exception()
    with pytest.raises(ValidationError) as refused:
        _request(admin_support, exception, fields=["hair_colour"])
    assert refused.value.message_dict == {"fields": ["Not a field of this record: hair_colour."]}
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.OPEN
    assert exception.transitions.count() == 1
    assert not CorrectionRequest.objects.exists()


def test_a_correction_the_exception_refuses_asks_the_courts_nothing(make_exception, admin_support):
    """The exception's own refusal (its status) comes before the courts are asked."""
    exception = _resolve(admin_support, make_exception())
    with pytest.raises(ValidationError, match="resolved"):
        _request(admin_support, exception)
    assert not CorrectionRequest.objects.exists()
    assert DataException.objects.get(pk=exception.pk).status == ExceptionStatus.RESOLVED


def test_a_correction_request_says_what_is_wrong_and_what_it_should_be(make_exception, admin_support):
    exception = make_exception()
    with pytest.raises(ValidationError) as refused:
        _request(admin_support, exception, fields=[], what_is_wrong=" ", should_be="")
    assert set(refused.value.message_dict) == {"fields", "what_is_wrong", "should_be"}
    assert DataException.objects.get(pk=exception.pk).status == ExceptionStatus.OPEN


def test_a_correction_request_is_recorded_with_the_courts(make_exception, admin_support):
    exception = _request(admin_support, make_exception())
    request = CorrectionRequest.objects.get()
    assert (request.offender_id, request.sentence_id) == (exception.offender_id, exception.sentence_id)
    assert request.fields == ["end_date"]
    assert request.what_is_wrong == "CMS sent an expiry date of 3 May 2027"
    assert exception.status == ExceptionStatus.CORRECTION_REQUESTED
    assert (
        str(request.reference) in exception.transitions.get(step=ExceptionStep.CORRECTION_REQUESTED).comment
    )


def test_reopening_a_resolved_exception_needs_a_reason(make_exception, admin_support):
    exception = _resolve(admin_support, make_exception())
    with pytest.raises(ValidationError):
        exception_reopen(actor=admin_support, exception=exception, reason=" ")

    exception = exception_reopen(actor=admin_support, exception=exception, reason="The file shows otherwise")

    assert exception.status == ExceptionStatus.OPEN
    assert exception.resolved_at is None and exception.resolved_by is None
    assert exception.change_made == ""
    reopened = exception.transitions.get(step=ExceptionStep.REOPENED)
    assert reopened.comment == "The file shows otherwise"
    assert exception.transitions.filter(step=ExceptionStep.RESOLVED).exists(), "history is kept"


def test_a_resolved_exception_cannot_be_reopened_while_a_newer_occurrence_is_open(
    make_exception, admin_support
):
    first = _resolve(admin_support, make_exception())
    exception_raise(reason_code=first.reason_code, detail="Again", sentence=first.sentence)
    with pytest.raises(ValidationError, match="newer occurrence"):
        exception_reopen(actor=admin_support, exception=first, reason="Looks wrong again")
    first.refresh_from_db()
    assert first.status == ExceptionStatus.RESOLVED


@pytest.mark.parametrize(
    ("status", "refused"),
    [
        (ExceptionStatus.OPEN, [ExceptionStep.REOPENED]),
        (ExceptionStatus.IN_PROGRESS, [ExceptionStep.STARTED, ExceptionStep.REOPENED]),
        (ExceptionStatus.CORRECTION_REQUESTED, [ExceptionStep.CORRECTION_REQUESTED, ExceptionStep.REOPENED]),
        (
            ExceptionStatus.RESOLVED,
            [
                ExceptionStep.ASSIGNED,
                ExceptionStep.STARTED,
                ExceptionStep.RESOLVED,
                ExceptionStep.CORRECTION_REQUESTED,
            ],
        ),
    ],
)
def test_steps_the_lifecycle_does_not_allow_are_refused(make_exception, admin_support, status, refused):
    exception = make_exception()
    DataException.objects.filter(pk=exception.pk).update(status=status)
    exception.refresh_from_db()
    attempts = {
        ExceptionStep.ASSIGNED: lambda: exception_assign(
            actor=admin_support, exception=exception, assignee=admin_support
        ),
        ExceptionStep.STARTED: lambda: exception_start(actor=admin_support, exception=exception),
        ExceptionStep.RESOLVED: lambda: _resolve(admin_support, exception),
        ExceptionStep.CORRECTION_REQUESTED: lambda: _request(admin_support, exception),
        ExceptionStep.REOPENED: lambda: exception_reopen(
            actor=admin_support, exception=exception, reason="Why"
        ),
    }
    for step in refused:
        assert step not in allowed_steps(exception)
        with pytest.raises(ValidationError):
            attempts[step]()
    exception.refresh_from_db()
    assert exception.status == status
    assert exception.transitions.count() == 1
    assert not CorrectionRequest.objects.exists()


def test_the_transitions_map_names_every_status():
    assert set(EXCEPTION_TRANSITIONS) == set(ExceptionStatus.values)
    assert all(targets <= set(ExceptionStatus.values) for targets in EXCEPTION_TRANSITIONS.values())


def test_a_step_on_a_stale_copy_is_refused(make_exception, admin_support, service_manager):
    mine = make_exception()
    theirs = DataException.objects.get(pk=mine.pk)
    _resolve(service_manager, theirs)

    with pytest.raises(ValidationError, match="Someone else changed this exception"):
        exception_start(actor=admin_support, exception=mine)
    mine.refresh_from_db()
    assert mine.status == ExceptionStatus.RESOLVED
    assert mine.resolved_by == service_manager


def test_assigning_a_stale_copy_is_refused_and_changes_nothing(
    make_exception, admin_support, service_manager
):
    mine = make_exception()
    theirs = DataException.objects.get(pk=mine.pk)
    exception_start(actor=service_manager, exception=theirs)
    rows = mine.transitions.count()
    audits = AuditEvent.objects.filter(
        object_id=str(mine.pk), object_type="reconciliation.DataException"
    ).count()

    with pytest.raises(ValidationError, match="Someone else changed this exception while you had it open"):
        exception_assign(actor=service_manager, exception=mine, assignee=admin_support)

    fresh = DataException.objects.get(pk=mine.pk)
    assert (fresh.status, fresh.assignee) == (ExceptionStatus.IN_PROGRESS, service_manager)
    assert mine.transitions.count() == rows
    assert (
        AuditEvent.objects.filter(object_id=str(mine.pk), object_type="reconciliation.DataException").count()
        == audits
    )


@pytest.mark.parametrize(
    "role", [Role.PROBATION_OFFICER, Role.PRISON_OFFICER, Role.DATA_SHARE, Role.APPROVING_OFFICER]
)
def test_roles_outside_records_administration_cannot_reconcile(make_exception, office, role):
    exception = make_exception()
    actor = staff_user(role, office=office)
    with pytest.raises(PermissionDenied):
        exception_start(actor=actor, exception=exception)
    with pytest.raises(PermissionDenied):
        _resolve(actor, exception)
    assert DataException.objects.get(pk=exception.pk).status == ExceptionStatus.OPEN


def test_administrative_staff_of_another_office_cannot_reconcile(make_exception, other_admin_support):
    exception = make_exception()
    with pytest.raises(PermissionDenied):
        _resolve(other_admin_support, exception)


def test_a_system_administrator_reconciles_any_office_and_unplaced_exceptions(system_admin, other_office):
    offender = OffenderFactory(home_office=None)
    unplaced, _ = exception_raise(
        reason_code=ReasonCode.NO_MANAGING_OFFICE,
        detail="No office",
        sentence=SentenceFactory(offender=offender, managing_office=None),
    )
    assert unplaced.office is None
    assert _resolve(system_admin, unplaced).status == ExceptionStatus.RESOLVED
    elsewhere, _ = exception_raise(
        reason_code=ReasonCode.MISSING_KEY_DATES,
        detail="No SRD",
        sentence=SentenceFactory(offender=OffenderFactory(home_office=other_office)),
    )
    assert exception_start(actor=system_admin, exception=elsewhere).status == ExceptionStatus.IN_PROGRESS
