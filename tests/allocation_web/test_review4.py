"""Review 4: transfer choices limited to the user's own office; notifications reject bad input."""

import pytest
from django.urls import reverse

from allocation.models import AllocateRequest, Notification
from staff.roles import Role
from tests.allocation.helpers import ensure_weights, record_sentence
from tests.allocation_web.test_views import client_for
from tests.factories import OffenderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def weights(db):
    ensure_weights()


def test_transfer_offers_only_sentences_managed_by_the_users_office(
    service_manager, office, other_office, role_user
):
    offender = OffenderFactory(home_office=office)
    ours = record_sentence(service_manager, offender)
    theirs = record_sentence(service_manager, offender, managing_office=other_office)
    third = role_user(Role.SERVICE_MANAGER, username="third_office").staff.office
    client = client_for(service_manager)
    url = reverse("allocation:transfer", kwargs={"offender_pk": offender.pk})

    html = client.get(url).content.decode()
    assert f'value="{ours.pk}"' in html
    assert f'value="{theirs.pk}"' not in html
    from audit.models import AuditAction, AuditEvent

    assert AuditEvent.objects.filter(
        actor=service_manager, action=AuditAction.VIEW, offender=offender, summary__contains="to transfer"
    ).exists(), "opening the transfer form shows the record, so it is audited"

    response = client.post(url, {"sentence": theirs.pk, "to_office": third.pk, "reason": "Moved"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not AllocateRequest.objects.filter(kind="transfer").exists()


@pytest.mark.parametrize("bad", ["abc", "1.5", "²", "9" * 30, ""])
def test_marking_a_notification_read_with_bad_input_is_refused_politely(officers_for_notes, bad):
    officer, note = officers_for_notes
    response = client_for(officer.user).post(reverse("allocation:notifications"), {"read": bad}, follow=True)

    assert response.status_code == 200
    assert "That notification was not found" in response.content.decode()
    note.refresh_from_db()
    assert note.read_at is None


@pytest.fixture
def officers_for_notes(role_user):
    officer = role_user(Role.PROBATION_OFFICER, username="noted").staff
    note = Notification.objects.create(recipient=officer.user, subject="New case")
    return officer, note
