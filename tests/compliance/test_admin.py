"""The compliance rules are versioned data: a system administrator adds a version that takes effect
later; a version in force is never edited."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from compliance.models import ComplianceRuleSet
from staff.roles import Role
from tests.factories import staff_user

pytestmark = pytest.mark.django_db
URL = "/admin/compliance/complianceruleset/"


@pytest.fixture
def admin_client(client, office):
    client.force_login(staff_user(Role.SYSTEM_ADMIN, office=office, is_staff=True, username="sa"))
    return client


def _version(day: datetime.date) -> dict:
    return {
        "effective_from": day.isoformat(),
        "warning_after": "1",
        "enforcement_after": "3",
        "window_months": "12",
        "decide_within_days": "5",
        "approve_within_days": "3",
        "lay_within_days": "10",
        "description": "Three failures before a breach",
    }


def test_a_system_administrator_adds_a_version_that_takes_effect_later(admin_client):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = admin_client.post(f"{URL}add/", _version(tomorrow))

    assert response.status_code == 302, response.content.decode()[:2000]
    version = ComplianceRuleSet.objects.get(effective_from=tomorrow)
    assert version.enforcement_after == 3 and version.created_by.username == "sa"
    assert AuditEvent.objects.filter(object_id=str(version.pk), action="create").exists()


def test_a_version_cannot_take_effect_today_or_before(admin_client):
    before = ComplianceRuleSet.objects.count()

    response = admin_client.post(f"{URL}add/", _version(timezone.localdate()))

    assert response.status_code == 200
    assert "takes effect from tomorrow at the earliest" in response.content.decode()
    assert ComplianceRuleSet.objects.count() == before


def test_a_version_is_never_edited(admin_client):
    version = ComplianceRuleSet.objects.create(effective_from=datetime.date(2030, 1, 1))

    response = admin_client.post(f"{URL}{version.pk}/change/", _version(datetime.date(2030, 1, 1)))

    assert response.status_code in (302, 403)
    version.refresh_from_db()
    assert version.enforcement_after == 2


def test_other_roles_do_not_reach_it(client, office):
    client.force_login(staff_user(Role.SERVICE_MANAGER, office=office, is_staff=True, username="m"))
    assert client.get(URL).status_code == 302
