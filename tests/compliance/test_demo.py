"""The demo data has enforcement at each stage a demonstration needs: a failure being considered, a
formal warning given and a breach waiting for the demo service manager's approval."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from compliance.models import EnforcementAction, EnforcementStatus
from inbox.selectors import inbox_of, person_of
from staff.demo_logins import DEMO_USERNAMES
from staff.roles import Role
from tests.demo.conftest import seeded  # noqa: F401 (the module's demo database)

pytestmark = pytest.mark.django_db
S = EnforcementStatus


def kinds(username):
    me = person_of(get_user_model().objects.get(username=username))
    return {row.item.kind for row in inbox_of(me, viewer=me, today=timezone.localdate()).rows}


def test_the_demo_has_enforcement_at_each_stage(seeded):  # noqa: F811
    officer = get_user_model().objects.get(username=DEMO_USERNAMES[Role.PROBATION_OFFICER])
    statuses = set(EnforcementAction.objects.filter(officer=officer.staff).values_list("status", flat=True))
    assert {S.CONSIDERED, S.WARNING_ISSUED, S.BREACH_PREPARED} <= statuses

    assert "enforcement_decide" in kinds(DEMO_USERNAMES[Role.PROBATION_OFFICER])
    assert "enforcement_approve" in kinds(DEMO_USERNAMES[Role.SERVICE_MANAGER])
