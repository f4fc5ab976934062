"""What each source puts in whose inbox (issue 6: allocate requests, classification reviews at each
step, reviews due, exceptions to reconcile and correction requests), with each item's due date,
and nothing for anyone the producing app would refuse."""

import datetime

import pytest
from django.utils import timezone

from classification.inbox_items import REVIEW_STEPS
from classification.models import ReviewSchedule
from classification.services import (
    review_advise,
    review_approve,
    review_initiate,
    review_recommend,
    review_send_back,
    review_submit,
)
from courts.corrections import (
    correction_request_create,
    correction_request_transition,
    exception_request_correction,
)
from courts.inbox_items import CORRECTION_FOLLOW_UP_DAYS, CORRECTION_SEND_DAYS
from courts.models import CorrectionStatus
from inbox.selectors import has_inbox, inbox_of, person_of
from inbox.sources import SOURCES
from reconciliation.inbox_items import EXCEPTION_RECONCILE_DAYS
from reconciliation.models import DataException, ReasonCode
from reconciliation.services import exception_assign, exception_resolve
from staff.models import OfficeKind
from staff.roles import Role
from tests.factories import OffenderFactory, OfficeFactory, UserFactory, staff_user
from tests.inbox.conftest import allocate_request, classified_prisoner, data_exception

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def items(user, kind=None):
    """The user's own inbox items (not escalations), optionally of one kind."""
    me = person_of(user)
    rows = inbox_of(me, viewer=me, today=today()).rows
    return [row.item for row in rows if not row.escalated and (kind is None or row.item.kind == kind)]


def keys(user, kind=None):
    return {item.key for item in items(user, kind)}


def test_the_inbox_gathers_the_source_each_app_writes_next_to_its_access_rules():
    """The list is pinned: a source that vanished (or moved out of its app) fails here, not as an
    inbox quietly missing a kind of work."""
    assert [(type(source).__module__, type(source).__name__, source.kind) for source in SOURCES] == [
        ("allocation.inbox_items", "AllocateRequestSource", "allocate_request"),
        ("classification.inbox_items", "ClassificationReviewSource", "classification_review"),
        ("classification.inbox_items", "ReviewDueSource", "classification_due"),
        ("reconciliation.inbox_items", "DataExceptionSource", "exception"),
        ("courts.inbox_items", "CorrectionRequestSource", "correction_request"),
        ("plans.inbox_items", "SentencePlanActivitySource", "plan_activity"),
        ("plans.inbox_items", "PlanReviewSource", "plan_review"),
        ("documents.inbox_items", "ReportDeadlineSource", "report"),
        ("appointments.inbox_items", "FirstAppointmentSource", "first_appointment"),
        ("appointments.inbox_items", "ContactLevelSource", "contact_level"),
        ("compliance.inbox_items", "EnforcementDecisionSource", "enforcement_decide"),
        ("compliance.inbox_items", "WarningIssueSource", "enforcement_warning"),
        ("compliance.inbox_items", "BreachApprovalSource", "enforcement_approve"),
        ("compliance.inbox_items", "BreachLaySource", "enforcement_lay"),
    ]


# --- allocate requests -------------------------------------------------------------------------


def test_an_allocate_request_is_work_for_the_service_managers_of_its_office(office, community):
    request = allocate_request(office, due_in=4)
    other_manager = staff_user(Role.SERVICE_MANAGER, OfficeFactory())

    [item] = items(community["manager"], "allocate_request")
    assert item.title == "Allocate a probation officer"
    assert item.due_on == today() + datetime.timedelta(days=4)
    assert not item.overdue
    assert item.url == f"/allocation/requests/{request.pk}/"
    assert item.offender_prn == request.offender.prn
    for user in (community["clerk"], community["officer"], other_manager):
        assert items(user, "allocate_request") == []


def test_a_prison_queue_is_worked_by_the_prisons_senior_officers(prison, prison_staff):
    allocate_request(prison, due_in=-2)
    for who in ("manager", "recommender", "approver"):
        [item] = items(prison_staff[who], "allocate_request")
        assert item.title == "Allocate an offender supervisor"
        assert item.overdue and item.days_overdue == 2
    assert items(prison_staff["initiator"], "allocate_request") == []


def test_an_allocated_request_leaves_the_inbox(office, community):
    request = allocate_request(office)
    type(request).objects.filter(pk=request.pk).update(status="cancelled")
    assert items(community["manager"], "allocate_request") == []


# --- classification reviews at each step -------------------------------------------------------


def test_each_step_of_a_review_is_work_for_the_officers_who_may_take_it(prison, prison_staff, v1):
    inmate = classified_prisoner(prison)
    people = prison_staff
    everyone = list(people.values())

    def holders():
        return {who for who, user in people.items() if items(user, "classification_review")}

    review = review_initiate(actor=people["initiator"], offender=inmate)
    assert holders() == {"initiator"}
    [item] = items(people["initiator"], "classification_review")
    assert item.title == REVIEW_STEPS["initiated"].title
    assert item.due_on == today() + datetime.timedelta(days=REVIEW_STEPS["initiated"].days)
    assert item.url == f"/classification/reviews/{review.pk}/"

    review = review_submit(actor=people["initiator"], review=review)
    assert holders() == {"recommender"}

    review = review_send_back(actor=people["recommender"], review=review, reason="Check A.3.1")
    assert holders() == {"initiator"}
    assert items(people["initiator"], "classification_review")[0].title == REVIEW_STEPS["sent_back"].title

    review = review_recommend(
        actor=people["recommender"], review=review_submit(actor=people["initiator"], review=review)
    )
    assert holders() == {"approver"}

    review = review_approve(actor=people["approver"], review=review)
    # Advising the prisoner: the prison's prison officers (the initiator is one of them).
    assert holders() == {"initiator", "adviser"}
    assert items(people["adviser"], "classification_review")[0].title == REVIEW_STEPS["approved"].title

    review_advise(actor=people["adviser"], review=review, advised_on=today(), prisoner_signed=True)
    assert holders() == set()
    assert all(items(user, "classification_review") == [] for user in everyone)


def test_the_four_eyes_rule_keeps_a_review_from_the_officer_who_initiated_it(prison, prison_staff, v1):
    """An initiating officer who also holds the recommending role is not offered the recommendation."""
    both = staff_user(Role.PRISON_OFFICER, prison, username="both.roles")
    both.groups.add(*type(both.groups.first()).objects.filter(name=Role.RECOMMENDING_OFFICER))
    inmate = classified_prisoner(prison)
    review = review_submit(actor=both, review=review_initiate(actor=both, offender=inmate))
    assert items(both, "classification_review") == []
    assert [item.key for item in items(prison_staff["recommender"], "classification_review")] == [
        f"classification_review:{review.pk}:submitted"
    ]


def test_a_review_is_not_offered_to_officers_of_another_prison(prison, prison_staff, v1):
    elsewhere = OfficeFactory(kind=OfficeKind.PRISON)
    stranger = staff_user(Role.RECOMMENDING_OFFICER, elsewhere)
    inmate = classified_prisoner(prison)
    review_submit(
        actor=prison_staff["initiator"],
        review=review_initiate(actor=prison_staff["initiator"], offender=inmate),
    )
    assert items(stranger, "classification_review") == []
    assert len(items(prison_staff["recommender"], "classification_review")) == 1


def test_an_open_review_is_due_no_later_than_the_schedule_says(prison, prison_staff, v1):
    inmate = classified_prisoner(prison)
    soon = today() + datetime.timedelta(days=2)
    ReviewSchedule.objects.filter(offender=inmate).update(due_on=soon)
    review_initiate(actor=prison_staff["initiator"], offender=inmate)
    [item] = items(prison_staff["initiator"], "classification_review")
    assert item.due_on == soon
    assert "review due by the schedule" in item.detail


def test_a_schedule_already_past_when_the_step_began_gives_the_step_its_own_time(prison, prison_staff, v1):
    inmate = classified_prisoner(prison, classified_days_ago=400)
    assert ReviewSchedule.objects.get(offender=inmate).due_on < today()
    review_initiate(actor=prison_staff["initiator"], offender=inmate)
    [item] = items(prison_staff["initiator"], "classification_review")
    assert item.due_on == today() + datetime.timedelta(days=REVIEW_STEPS["initiated"].days)


# --- classification reviews due ------------------------------------------------------------------


def test_a_review_due_is_work_for_the_prisons_officers_until_one_is_started(prison, prison_staff, v1):
    overdue = classified_prisoner(prison, classified_days_ago=200)  # 6 months: due ~17 days ago
    later = classified_prisoner(prison, classified_days_ago=30)  # due in about 5 months
    schedule = ReviewSchedule.objects.get(offender=overdue)

    [item] = items(prison_staff["initiator"], "classification_due")
    assert item.key == f"classification_due:{overdue.pk}:{schedule.due_on.isoformat()}"
    assert item.due_on == schedule.due_on and item.overdue
    assert item.detail == schedule.reason
    assert item.url == f"/classification/prisoners/{overdue.pk}/"
    assert keys(prison_staff["adviser"], "classification_due") == {item.key}
    # Recommending and approving officers do not start reviews.
    assert items(prison_staff["recommender"], "classification_due") == []
    assert later.pk not in {i.offender_id for i in items(prison_staff["initiator"], "classification_due")}

    review_initiate(actor=prison_staff["initiator"], offender=overdue)
    assert items(prison_staff["adviser"], "classification_due") == []
    assert len(items(prison_staff["initiator"], "classification_review")) == 1


def test_a_review_due_within_fourteen_days_is_listed_and_one_further_off_is_not(prison, prison_staff, v1):
    near, far = classified_prisoner(prison), classified_prisoner(prison)
    ReviewSchedule.objects.filter(offender=near).update(due_on=today() + datetime.timedelta(days=14))
    ReviewSchedule.objects.filter(offender=far).update(due_on=today() + datetime.timedelta(days=15))
    assert {i.offender_id for i in items(prison_staff["initiator"], "classification_due")} == {near.pk}


# --- exceptions ----------------------------------------------------------------------------------


def test_an_unassigned_exception_is_work_for_the_offices_administrative_support(office, community):
    exception = data_exception(office, opened_days_ago=2)
    for who in ("clerk", "clerk2"):
        [item] = items(community[who], "exception")
        assert item.key == f"exception:{exception.pk}"
        assert item.due_on == timezone.localdate(exception.opened_at) + datetime.timedelta(
            days=EXCEPTION_RECONCILE_DAYS
        )
        assert item.url == f"/exceptions/{exception.pk}/"
    assert items(community["officer"], "exception") == []
    assert items(community["manager"], "exception") == []


def test_an_assigned_exception_is_work_for_its_assignee_only(office, community):
    exception = data_exception(office)
    exception_assign(actor=community["manager"], exception=exception, assignee=community["clerk2"])
    assert keys(community["clerk2"], "exception") == {f"exception:{exception.pk}"}
    assert items(community["clerk"], "exception") == []


def test_an_exception_waiting_for_the_courts_or_resolved_is_no_longer_to_reconcile(office, community):
    waiting, done = data_exception(office), data_exception(office)
    exception_request_correction(
        actor=community["clerk"],
        exception=waiting,
        fields=["end_date"],
        what_is_wrong="SED is wrong",
        should_be="12 May 2027 per the order",
    )
    exception_resolve(
        actor=community["clerk"],
        exception=done,
        resolution_reason="Checked the court order on file",
        change_made="No change: the record matches the order",
    )
    assert items(community["clerk"], "exception") == []
    # The correction request raised for the first is now the work.
    [item] = items(community["clerk"], "correction_request")
    assert item.title.startswith("Send correction request CR-")


# --- correction requests ---------------------------------------------------------------------------


def test_a_correction_request_is_sent_then_followed_up_by_the_offices_administrative_support(
    office, community
):
    offender = OffenderFactory(home_office=office)
    request = correction_request_create(
        actor=community["officer"],
        offender=offender,
        fields=["family_name"],
        what_is_wrong="Family name misspelt",
        should_be="Smyth, per the birth certificate",
    )
    [item] = items(community["clerk"], "correction_request")
    assert item.title == f"Send correction request {request.reference} to the courts"
    assert item.due_on == timezone.localdate(request.raised_at) + datetime.timedelta(
        days=CORRECTION_SEND_DAYS
    )
    assert item.url == f"/courts/corrections/{request.pk}/"
    assert items(community["officer"], "correction_request") == []

    correction_request_transition(request=request, to_status=CorrectionStatus.SENT, actor=community["clerk"])
    [item] = items(community["clerk2"], "correction_request")
    assert item.title == f"Follow up correction request {request.reference} with the courts"
    assert item.due_on == today() + datetime.timedelta(days=CORRECTION_FOLLOW_UP_DAYS)

    correction_request_transition(
        request=request, to_status=CorrectionStatus.WITHDRAWN, actor=community["clerk"]
    )
    assert items(community["clerk"], "correction_request") == []


def test_work_placed_in_no_office_is_for_the_system_administrators(db):
    admin = staff_user(Role.SYSTEM_ADMIN, OfficeFactory())
    # A court message naming nobody the portal knows cannot be placed in an office.
    exception = DataException.objects.create(
        reason_code=ReasonCode.UNMATCHED_MESSAGE, detail="Names nobody we know", fingerprint="test:unplaced"
    )
    clerk = staff_user(Role.ADMIN_SUPPORT, OfficeFactory())
    assert keys(admin, "exception") == {f"exception:{exception.pk}"}
    assert items(clerk, "exception") == []


def test_a_data_share_user_and_a_user_without_a_role_have_no_inbox(office):
    assert person_of(UserFactory()) is None
    share = staff_user(Role.DATA_SHARE, office)
    assert not has_inbox(person_of(share))
