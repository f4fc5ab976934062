import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from sentences.access import access_sentence_by_id, can_edit_sentence, can_record_sentence
from staff.roles import Role
from tests.factories import AllocationFactory, OffenderFactory, SentenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sentence(office):
    return SentenceFactory(offender=OffenderFactory(home_office=office), managing_office=office)


@pytest.fixture
def distant_sentence(other_office):
    return SentenceFactory(offender=OffenderFactory(home_office=other_office), managing_office=other_office)


def test_the_allocated_probation_officer_edits_the_sentence(probation_officer, sentence):
    assert not can_edit_sentence(probation_officer, sentence)

    AllocationFactory(offender=sentence.offender, staff=probation_officer.staff)

    assert can_edit_sentence(probation_officer, sentence)


@pytest.mark.parametrize("role", [Role.ADMIN_SUPPORT, Role.SERVICE_MANAGER])
def test_office_staff_edit_the_sentences_their_office_manages(role_user, role, sentence, distant_sentence):
    user = role_user(role)

    assert can_edit_sentence(user, sentence)
    assert not can_edit_sentence(user, distant_sentence)


def test_office_staff_edit_a_sentence_their_office_manages_for_an_offender_from_elsewhere(
    admin_support, office, other_office
):
    sentence = SentenceFactory(offender=OffenderFactory(home_office=other_office), managing_office=office)

    assert can_edit_sentence(admin_support, sentence)


def test_the_managing_office_keeps_its_completed_sentences(admin_support, office, other_office):
    sentence = SentenceFactory(
        offender=OffenderFactory(home_office=other_office),
        managing_office=office,
        status="completed",
        completion_reason="normal",
        completed_on=timezone.localdate(),
    )

    assert can_edit_sentence(admin_support, sentence)


@pytest.mark.parametrize("role", [Role.DATA_SHARE, Role.PRISON_OFFICER, Role.APPROVING_OFFICER])
def test_read_only_and_prison_roles_do_not_edit_sentences(role_user, role, sentence):
    assert not can_edit_sentence(role_user(role), sentence)


def test_a_system_administrator_edits_every_sentence(system_admin, distant_sentence):
    assert can_edit_sentence(system_admin, distant_sentence)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN_SUPPORT, True),
        (Role.SERVICE_MANAGER, True),
        (Role.SYSTEM_ADMIN, True),
        (Role.PROBATION_OFFICER, False),
        (Role.DATA_SHARE, False),
        (Role.PRISON_OFFICER, False),
    ],
)
def test_who_may_enter_a_sentence_by_hand_at_their_office(role_user, office, role, allowed):
    user = role_user(role)
    offender = OffenderFactory(home_office=office)
    AllocationFactory(offender=offender, staff=user.staff)

    assert can_record_sentence(user, offender) is allowed


def test_office_staff_do_not_enter_sentences_for_another_offices_offenders(admin_support, other_office):
    assert not can_record_sentence(admin_support, OffenderFactory(home_office=other_office))


def test_access_by_id_lets_every_role_read_and_only_editors_change(
    role_user, data_share, admin_support, sentence
):
    reader = role_user(Role.PRISON_OFFICER)
    assert access_sentence_by_id(reader, sentence.pk) == sentence
    with pytest.raises(PermissionDenied):
        access_sentence_by_id(reader, sentence.pk, for_edit=True)
    # The data share reads only the shared record (datashare/access.py).
    with pytest.raises(PermissionDenied):
        access_sentence_by_id(data_share, sentence.pk)
    assert access_sentence_by_id(admin_support, sentence.pk, for_edit=True) == sentence


@pytest.mark.parametrize("sentence_id", [987654, "x"])
def test_access_by_id_to_a_missing_sentence_is_not_found(system_admin, sentence_id):
    with pytest.raises(Http404):
        access_sentence_by_id(system_admin, sentence_id)
