"""Custody movements (sentences.custody): who may record a reception or a release, what a release
changes (the person leaves the prison's lists; the sentence goes on), the audit row and the casenote,
the prison-side lists and the review schedule, and the migration that took custody from the
sentences already recorded."""

import datetime
import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from allocation.models import AllocateRequest, AllocateRequestKind
from allocation.requests import allocate_requests_for_upcoming_releases
from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote
from classification.models import ReviewSchedule
from classification.schedule import reviews_due, schedule_refresh, unclassified_at
from classification.selectors import current_prisoner_ids
from events.models import OutboxEvent
from muster.selectors import MusterFilters, muster_counts, muster_page
from sentences.custody import custody_receive, custody_release, custody_status_of, custody_transfer
from sentences.models import (
    CustodyMovement,
    CustodyMovementKind,
    CustodyStatus,
    ReleaseReason,
    SentenceStatus,
    SentenceType,
)
from sentences.services import sentence_create
from staff.roles import Role
from tests.classification.factories import days_ago, prison_sentence, today
from tests.factories import (
    CourtFactory,
    OffenceFactory,
    OffenderFactory,
    PrisonFactory,
    SentenceFactory,
    staff_user,
)

backfill = importlib.import_module("sentences.migrations.0009_custody_movements")


@pytest.fixture
def prison(db):
    return PrisonFactory(code="RIM", name="Rimutaka Prison")


@pytest.fixture
def other_prison(db):
    return PrisonFactory(code="SPR", name="Spring Hill Corrections Facility")


@pytest.fixture
def sentence(prison, office):
    """Serving imprisonment at Rimutaka, home office Wellington: in custody (the factory receives)."""
    offender = OffenderFactory(home_office=office)
    return prison_sentence(offender=offender, managing_office=prison)


@pytest.fixture
def prisoner(sentence):
    return sentence.offender


@pytest.fixture
def officer(prison):
    return staff_user(Role.PRISON_OFFICER, office=prison, username="hemi")


def release(actor, offender, **kwargs):
    data = {"reason": ReleaseReason.PAROLE, "occurred_on": today(), "detail": ""} | kwargs
    return custody_release(actor=actor, offender=offender, **data)


# --- who may record ------------------------------------------------------------------------------


def test_a_prison_officer_of_the_managing_prison_records_a_release_and_the_sentence_goes_on(
    officer, prisoner, sentence, prison
):
    movement = release(officer, prisoner, occurred_on=days_ago(1))

    status = custody_status_of(prisoner.pk)
    assert (status.in_custody, status.prison, status.since, status.movement) == (
        False,
        prison,
        days_ago(1),
        movement,
    )
    assert (movement.kind, movement.release_reason, movement.recorded_by) == (
        CustodyMovementKind.RELEASED,
        ReleaseReason.PAROLE,
        officer,
    )
    sentence.refresh_from_db()
    assert sentence.status == SentenceStatus.ACTIVE and sentence.completed_on is None


def test_the_release_is_audited_with_a_casenote_and_an_event(officer, prisoner):
    movement = release(officer, prisoner, occurred_on=days_ago(2))

    audit = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="sentences.CustodyMovement")
    assert audit.object_id == str(movement.pk) and audit.offender_id == prisoner.pk
    assert audit.actor == officer
    assert (
        audit.summary == f"Released on parole from Rimutaka Prison on {days_ago(2).day} {days_ago(2):%b %Y}"
    )
    note = Casenote.objects.get(offender=prisoner)
    assert note.summary == audit.summary
    event = OutboxEvent.objects.get(event_type="CustodyMovementRecorded")
    assert event.offender_id == prisoner.pk and event.payload["release_reason"] == "parole"


def test_a_system_administrator_may_record_anywhere(prisoner, role_user):
    admin = role_user(Role.SYSTEM_ADMIN)
    release(admin, prisoner, reason=ReleaseReason.STATUTORY_RELEASE)
    assert not custody_status_of(prisoner.pk).in_custody


@pytest.mark.parametrize(
    "role",
    [Role.PROBATION_OFFICER, Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT, Role.DATA_SHARE],
)
def test_community_staff_may_not_record_a_release(prisoner, role_user, role):
    with pytest.raises(PermissionDenied):
        release(role_user(role), prisoner)
    assert custody_status_of(prisoner.pk).in_custody
    assert not CustodyMovement.objects.filter(kind=CustodyMovementKind.RELEASED).exists()


def test_prison_staff_of_another_prison_may_not_record_a_release(prisoner, other_prison):
    stranger = staff_user(Role.PRISON_OFFICER, office=other_prison, username="stranger")
    with pytest.raises(PermissionDenied):
        release(stranger, prisoner)
    assert custody_status_of(prisoner.pk).in_custody


# --- what is refused -----------------------------------------------------------------------------


def test_a_release_in_the_future_or_before_the_reception_is_refused(officer, prisoner, sentence):
    with pytest.raises(ValidationError, match="future"):
        release(officer, prisoner, occurred_on=today() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="before the last movement"):
        release(officer, prisoner, occurred_on=sentence.start_date - datetime.timedelta(days=1))
    assert custody_status_of(prisoner.pk).in_custody
    assert CustodyMovement.objects.filter(offender=prisoner).count() == 1


def test_a_release_by_court_order_names_the_order_and_a_second_release_is_refused(officer, prisoner):
    with pytest.raises(ValidationError, match="court's order"):
        release(officer, prisoner, reason=ReleaseReason.COURT_ORDER)
    release(
        officer, prisoner, reason=ReleaseReason.COURT_ORDER, detail="Bail granted, High Court CIV-2026-485"
    )
    with pytest.raises(ValidationError, match="not in custody"):
        release(officer, prisoner)
    assert CustodyMovement.objects.filter(offender=prisoner, kind=CustodyMovementKind.RELEASED).count() == 1


def test_a_recall_is_a_reception_at_the_managing_prison(officer, prisoner, prison, other_prison):
    release(officer, prisoner, occurred_on=days_ago(30))
    with pytest.raises(ValidationError, match="managing one of"):
        custody_receive(actor=officer, offender=prisoner, prison=other_prison, occurred_on=today())
    custody_receive(actor=officer, offender=prisoner, prison=prison, occurred_on=today(), detail="Recalled")

    status = custody_status_of(prisoner.pk)
    assert status.in_custody and status.since == today()
    with pytest.raises(ValidationError, match="already in custody"):
        custody_receive(actor=officer, offender=prisoner, prison=prison, occurred_on=today())


def test_recording_a_sentence_of_imprisonment_in_force_receives_the_person(prison, office, role_user):
    offender = OffenderFactory(home_office=office)
    start = days_ago(10)
    sentence_create(
        actor=role_user(Role.ADMIN_SUPPORT),
        offender=offender,
        convictions=[{"offence": OffenceFactory(), "convicted_on": start}],
        sentence_type=SentenceType.IMPRISONMENT,
        court=CourtFactory(),
        order_date=start,
        start_date=start,
        end_date=start + datetime.timedelta(days=700),
        statutory_release_date=start + datetime.timedelta(days=350),
        managing_office=prison,
    )
    status = custody_status_of(offender.pk)
    assert status.in_custody and status.prison == prison and status.since == start
    assert status.movement.source == CustodyMovement.Source.SYSTEM


# --- the prison-side lists ------------------------------------------------------------------------


def test_a_released_prisoner_leaves_the_prison_muster_and_appears_on_the_community_one(
    officer, prisoner, sentence, prison, office
):
    stays = prison_sentence(offender=OffenderFactory(home_office=office), managing_office=prison)
    release(officer, prisoner, occurred_on=days_ago(5))
    SentenceFactory(
        offender=prisoner,
        sentence_type=SentenceType.PAROLE,
        order_date=days_ago(20),
        start_date=days_ago(5),
        managing_office=office,
    )

    _, rows = muster_page(prison, MusterFilters(), 1, per_page=50)
    assert [row.offender_id for row in rows] == [stays.offender_id]
    assert muster_counts(prison).people == 1
    _, community = muster_page(office, MusterFilters(), 1, per_page=50)
    assert [row.offender_id for row in community] == [prisoner.pk]


def test_the_prison_muster_page_costs_the_same_however_many_are_held(
    prison, office, django_assert_max_num_queries
):
    for _ in range(3):
        prison_sentence(offender=OffenderFactory(home_office=office), managing_office=prison)
    with django_assert_max_num_queries(1):
        muster_page(prison, MusterFilters(), 1, per_page=50)


def test_a_released_prisoner_is_no_longer_due_a_classification_review(
    officer, prisoner, prison, django_capture_on_commit_callbacks
):
    schedule_refresh()
    assert ReviewSchedule.objects.filter(offender=prisoner).exists()
    assert [row.offender_id for row in unclassified_at(prison.pk, today=today())] == [prisoner.pk]

    with django_capture_on_commit_callbacks(execute=True):
        release(officer, prisoner)  # the CustodyMovementRecorded handler refreshes the schedule

    assert not ReviewSchedule.objects.filter(offender=prisoner).exists()
    assert list(unclassified_at(prison.pk, today=today())) == []
    assert list(reviews_due(prison.pk, today=today(), within_days=None)) == []
    assert prisoner.pk not in current_prisoner_ids()
    schedule_refresh()
    assert not ReviewSchedule.objects.filter(offender=prisoner).exists()


def test_the_home_page_lists_only_the_prisoners_held(client, officer, prisoner, prison, office):
    stays = prison_sentence(offender=OffenderFactory(home_office=office), managing_office=prison).offender
    release(officer, prisoner)
    client.force_login(officer)
    page = client.get(reverse("home")).content.decode()
    assert stays.prn in page and prisoner.prn not in page


def test_someone_released_on_parole_gets_no_pre_release_request(officer, prisoner, sentence):
    sentence.statutory_release_date = today() + datetime.timedelta(days=10)
    sentence.save(update_fields=["statutory_release_date"])
    release(officer, prisoner)
    allocate_requests_for_upcoming_releases()
    assert not AllocateRequest.objects.filter(
        offender=prisoner, kind=AllocateRequestKind.PRE_RELEASE
    ).exists()


# --- the page and the API ---------------------------------------------------------------------------

# The custody pages' rows of the access matrix (tests/test_access_matrix.py): (url name, who may open it).
PRISON_AND_ADMIN = frozenset(
    {Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER, Role.SYSTEM_ADMIN}
)
CUSTODY_PAGES = (
    ("sentences:custody_release", PRISON_AND_ADMIN),
    ("sentences:custody_receive", PRISON_AND_ADMIN),
)


def test_the_release_page_checks_the_answers_before_recording(client, officer, prisoner):
    url = reverse("sentences:custody_release", kwargs={"offender_pk": prisoner.pk})
    client.force_login(officer)
    assert "Record a release from prison" in client.get(url).content.decode()
    answers = {
        "reason": ReleaseReason.STATUTORY_RELEASE,
        "occurred_on": days_ago(1).isoformat(),
        "detail": "",
    }

    check = client.post(url, answers).content.decode()
    assert "Check the release before recording it" in check
    assert "Released at the statutory release date" in check and "Rimutaka Prison" in check
    assert custody_status_of(prisoner.pk).in_custody  # nothing recorded yet

    done = client.post(url, answers | {"confirm": "yes"})
    assert done.status_code == 302
    status = custody_status_of(prisoner.pk)
    assert not status.in_custody and status.movement.release_reason == ReleaseReason.STATUTORY_RELEASE


def test_the_release_page_shows_a_bad_date_and_records_nothing(client, officer, prisoner):
    url = reverse("sentences:custody_release", kwargs={"offender_pk": prisoner.pk})
    client.force_login(officer)
    future = (today() + datetime.timedelta(days=3)).isoformat()
    page = client.post(url, {"reason": "parole", "occurred_on": future, "confirm": "yes"}).content.decode()
    assert "A movement cannot be recorded in the future." in page
    assert custody_status_of(prisoner.pk).in_custody


@pytest.mark.parametrize("role", sorted(Role.values))
def test_who_may_open_the_release_and_reception_pages(client, prisoner, prison, office, role):
    allowed = all(role in roles for _, roles in CUSTODY_PAGES)
    user = staff_user(role, office=prison if role != Role.DATA_SHARE else office, username=f"u-{role}")
    client.force_login(user)
    release_url = reverse("sentences:custody_release", kwargs={"offender_pk": prisoner.pk})
    receive_url = reverse("sentences:custody_receive", kwargs={"offender_pk": prisoner.pk})
    expected = 200 if allowed else 403
    assert client.get(release_url).status_code == expected
    # Already in custody: the reception page sends those allowed back to the record.
    assert client.get(receive_url).status_code == (302 if allowed else 403)
    if not allowed:
        assert AuditEvent.objects.filter(actor=user, action=AuditAction.DENIED).exists()


def test_the_api_records_a_release_and_refuses_community_staff(client, officer, prisoner, probation_officer):
    url = f"/api/v1/custody/{prisoner.pk}/release/"
    client.force_login(probation_officer)
    refused = client.post(
        url, {"reason": "parole", "occurred_on": today().isoformat()}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert custody_status_of(prisoner.pk).in_custody

    client.force_login(officer)
    bad = client.post(
        url, {"reason": "escaped", "occurred_on": today().isoformat()}, content_type="application/json"
    )
    assert bad.status_code == 400 and "reason" in bad.json()
    done = client.post(
        url, {"reason": "parole", "occurred_on": today().isoformat()}, content_type="application/json"
    )
    assert done.status_code == 200
    body = done.json()
    assert body["in_custody"] is False and body["movements"][0]["release_reason"] == "parole"
    assert client.get(f"/api/v1/custody/{prisoner.pk}/").json()["in_custody"] is False
    assert AuditEvent.objects.filter(actor=officer, action=AuditAction.VIEW, offender=prisoner).exists()


# --- the migration ----------------------------------------------------------------------------------


def test_the_migration_takes_custody_from_active_prison_sentences(prison, other_prison, office):
    held = OffenderFactory(home_office=office)
    SentenceFactory(
        offender=held,
        sentence_type=SentenceType.IMPRISONMENT,
        start_date=days_ago(400),
        order_date=days_ago(400),
        managing_office=prison,
        statutory_release_date=days_ago(-100),
        in_custody=False,
    )
    SentenceFactory(
        offender=held,
        sentence_type=SentenceType.IMPRISONMENT,
        start_date=days_ago(100),
        order_date=days_ago(100),
        managing_office=other_prison,
        statutory_release_date=days_ago(-100),
        in_custody=False,
    )
    served = OffenderFactory(home_office=office)
    SentenceFactory(
        offender=served,
        sentence_type=SentenceType.IMPRISONMENT,
        managing_office=prison,
        status=SentenceStatus.COMPLETED,
        completion_reason="normal",
        completed_on=days_ago(3),
        statutory_release_date=days_ago(30),
        in_custody=False,
    )
    community = SentenceFactory(
        offender=OffenderFactory(home_office=office), sentence_type=SentenceType.SUPERVISION
    )
    not_a_prison = OffenderFactory(home_office=office)
    SentenceFactory(
        offender=not_a_prison,
        sentence_type=SentenceType.IMPRISONMENT,
        managing_office=office,
        statutory_release_date=days_ago(-100),
        in_custody=False,
    )

    with connection.cursor() as cursor:
        cursor.execute(backfill.BACKFILL_SQL)
        cursor.execute(backfill.BACKFILL_SQL)  # again: those already recorded are left alone

    status = CustodyStatus.objects.get(offender=held)
    # From the earliest start, at the prison managing the latest sentence.
    assert (status.in_custody, status.since, status.prison) == (True, days_ago(400), other_prison)
    assert status.movement.kind == CustodyMovementKind.RECEIVED and status.movement.source == "system"
    assert CustodyMovement.objects.filter(offender=held).count() == 1
    others = CustodyStatus.objects.filter(offender__in=[served, community.offender, not_a_prison])
    assert not others.exists()


def test_a_transfer_moves_the_person_to_another_prison(officer, prisoner, prison, other_prison):
    with pytest.raises(ValidationError, match="already held"):
        custody_transfer(actor=officer, offender=prisoner, prison=prison, occurred_on=today())
    custody_transfer(actor=officer, offender=prisoner, prison=other_prison, occurred_on=today())

    status = custody_status_of(prisoner.pk)
    assert status.in_custody and status.prison == other_prison
    assert status.movement.kind == CustodyMovementKind.TRANSFERRED
    assert Casenote.objects.get(offender=prisoner).summary.startswith(
        "Transferred from Rimutaka Prison to Spring Hill Corrections Facility"
    )
