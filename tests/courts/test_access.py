"""The access matrix of the court pages (every role, allowed or refused) and the access rules
behind it. COURT_PAGES is also read by tests/test_access_matrix.py's check that every URL is tabled."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from courts.access import (
    access_correction_by_id,
    access_court_message_by_id,
    can_handle_correction,
    can_raise_correction,
    can_review_matches,
    can_view_court_messages,
)
from courts.corrections import correction_request_create, correction_request_withdraw
from courts.models import MatchCandidate, MessageStatus
from staff.roles import Role
from tests.courts.conftest import deliver, imposed, on_sentence
from tests.factories import OffenderFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

PO, SM, AS, PR, RO, AO, DS, SA = (
    Role.PROBATION_OFFICER,
    Role.SERVICE_MANAGER,
    Role.ADMIN_SUPPORT,
    Role.PRISON_OFFICER,
    Role.RECOMMENDING_OFFICER,
    Role.APPROVING_OFFICER,
    Role.DATA_SHARE,
    Role.SYSTEM_ADMIN,
)
MESSAGE_KEEPERS = {AS, SM, SA}
CORRECTION_RAISERS = {PO, AS, SM, SA}


def court_objects(office, known_sentence) -> dict:
    """One record behind each court page: a message awaiting a match (and its candidate), a message
    on the exceptions report, an offender and a correction request."""
    awaiting = deliver(
        imposed(
            "CMS-P1",
            offender={"family_name": "Tamihanna", "given_names": "Wiremu", "date_of_birth": "1990-01-01"},
        )
    )
    OffenderFactory(family_name="Tamihana", given_names="Wiremu", date_of_birth="1990-01-02")
    awaiting = deliver(
        imposed(
            "CMS-P2",
            offender={"family_name": "Tamihana", "given_names": "Wiremu", "date_of_birth": "1990-01-01"},
        )
    )
    assert awaiting.status == MessageStatus.AWAITING_MATCH
    failed = deliver(
        on_sentence("sentence.quashed", "CMS-P3", known_sentence) | {"sentence_ref": {"cms_reference": "X"}}
    )
    assert failed.status == MessageStatus.EXCEPTION
    correction = correction_request_create(
        actor=staff_user(AS, office=office),
        offender=known_sentence.offender,
        sentence=known_sentence,
        fields=["end_date"],
        what_is_wrong="End date",
        should_be="Later",
    )
    return {
        "message": awaiting,
        "failed": failed,
        "candidate": MatchCandidate.objects.filter(message=awaiting).first(),
        "offender": known_sentence.offender,
        "correction": correction,
    }


# (url name, {kwarg: object key}, roles allowed). Everyone works at the office of the records.
COURT_PAGES = [
    ("courts:message_list", {}, MESSAGE_KEEPERS),
    ("courts:message_detail", {"pk": "message"}, MESSAGE_KEEPERS),
    ("courts:message_retry", {"pk": "failed"}, MESSAGE_KEEPERS),
    ("courts:match_reject", {"pk": "message"}, MESSAGE_KEEPERS),
    ("courts:match_queue", {}, MESSAGE_KEEPERS),
    ("courts:match_confirm", {"pk": "candidate"}, MESSAGE_KEEPERS),
    ("courts:correction_list", {}, CORRECTION_RAISERS),
    ("courts:correction_create", {"offender_pk": "offender"}, CORRECTION_RAISERS),
    ("courts:correction_detail", {"pk": "correction"}, CORRECTION_RAISERS),
    ("courts:correction_send", {"pk": "correction"}, {AS, SM, SA}),
    ("courts:correction_withdraw", {"pk": "correction"}, {AS, SM, SA}),
]


def _url(name, kwargs, objects):
    return reverse(name, kwargs={key: objects[value].pk for key, value in kwargs.items()})


@pytest.mark.parametrize("role", sorted(Role.values))
def test_each_role_is_allowed_or_refused_each_page(client, office, objects, role):
    client.force_login(staff_user(role, office=office))

    outcomes = {name: client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in COURT_PAGES}

    assert outcomes == {name: 200 if role in allowed else 403 for name, _, allowed in COURT_PAGES}


def test_every_court_page_is_in_the_matrix():
    from courts.urls import urlpatterns

    assert {f"courts:{pattern.name}" for pattern in urlpatterns} == {name for name, _, _ in COURT_PAGES}


def test_a_user_without_a_role_and_an_anonymous_visitor_are_kept_out(client, objects):
    client.force_login(UserFactory())
    assert {client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in COURT_PAGES} == {403}
    client.logout()
    for name, kwargs, _ in COURT_PAGES:
        response = client.get(_url(name, kwargs, objects))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name


@pytest.fixture
def objects(reference_data, office, known_sentence):
    return court_objects(office, known_sentence)


@pytest.mark.parametrize("role", sorted(Role.values))
def test_the_court_message_rules_by_role(office, role):
    user = staff_user(role, office=office)

    assert can_view_court_messages(user) == (role in MESSAGE_KEEPERS)
    assert can_review_matches(user) == (role in MESSAGE_KEEPERS)


def test_an_unknown_or_malformed_message_id_is_not_found(admin_support):
    for value in (999999, "abc", None):
        with pytest.raises(Http404):
            access_court_message_by_id(admin_support, value)


def test_a_probation_officer_is_refused_court_messages(objects, probation_officer):
    with pytest.raises(PermissionDenied):
        access_court_message_by_id(probation_officer, objects["message"].pk)


def test_corrections_are_raised_by_community_staff_and_handled_by_the_office(
    objects, office, other_office, known_sentence
):
    correction = objects["correction"]
    local_admin = staff_user(Role.ADMIN_SUPPORT, office=office)
    distant_admin = staff_user(Role.ADMIN_SUPPORT, office=other_office)
    officer = staff_user(Role.PROBATION_OFFICER, office=office)

    assert can_raise_correction(officer, known_sentence.offender)
    assert not can_raise_correction(staff_user(Role.DATA_SHARE, office=office), known_sentence.offender)
    assert can_handle_correction(local_admin, correction)
    assert not can_handle_correction(distant_admin, correction)
    assert not can_handle_correction(officer, correction)
    assert can_handle_correction(staff_user(Role.SYSTEM_ADMIN, office=other_office), correction)
    with pytest.raises(PermissionDenied):
        access_correction_by_id(distant_admin, correction.pk, for_handling=True)

    correction_request_withdraw(actor=local_admin, request=correction, reason="Not needed")

    assert not can_handle_correction(local_admin, correction), "a closed request is not handled again"
