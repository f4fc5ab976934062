"""The demo's conditions (demo/conditions.py): on the demo officer's community sentences, within
their sentences, community work hours never past the order, and seeding again adds none."""

import io

import pytest
from django.core.management import call_command

from conditions.models import Condition
from conditions.selectors import remaining_hours, with_hours
from staff.demo_logins import demo_username
from tests.demo.conftest import seeded  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_demo_officer_s_community_sentences_have_conditions(seeded):  # noqa: F811
    conditions = list(with_hours(Condition.objects.select_related("sentence", "created_by")))
    assert len(conditions) >= 3
    assert "conditions" in seeded
    for condition in conditions:
        assert condition.created_by.username == demo_username("probation_officer")
        assert condition.sentence.sentence_type != "imprisonment"
        assert condition.start_on >= condition.sentence.start_date
        remaining = remaining_hours(condition)
        assert remaining is None or remaining >= 0


def test_seeding_again_adds_no_conditions(seeded):  # noqa: F811
    before = Condition.objects.count()
    call_command("seed_demo", "--offenders", "40", "--no-progress", stdout=io.StringIO())
    assert Condition.objects.count() == before
