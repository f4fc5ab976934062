"""The facts offenders' access rules take from apps above offenders (offenders.access_facts): who
provides each, and that a missing provider fails loudly rather than refusing everyone quietly."""

from dataclasses import fields

import pytest
from django.core.exceptions import ImproperlyConfigured

from allocation.access import is_allocated
from offenders import access_facts
from offenders.access import can_edit_offender, offender_office_ids
from offenders.checks import check_access_facts
from sentences.access import current_managing_office_ids
from staff.roles import Role
from tests.factories import AllocationFactory, OffenderFactory, SentenceFactory

pytestmark = pytest.mark.django_db


def test_sentences_and_allocation_provide_the_facts_when_the_apps_are_ready():
    assert access_facts.PROVIDERS.managing_office_ids is current_managing_office_ids
    assert access_facts.PROVIDERS.is_allocated is is_allocated
    assert access_facts.missing_facts() == []
    assert check_access_facts() == []


def test_every_fact_names_the_app_that_provides_it():
    assert set(access_facts.PROVIDING_APPS) == {fact.name for fact in fields(access_facts.AccessFacts)}


def test_the_offices_of_a_record_cost_one_query_and_are_kept_on_the_instance(
    django_assert_num_queries, office, other_office
):
    offender = OffenderFactory(home_office=office)
    SentenceFactory(offender=offender, managing_office=other_office)

    with django_assert_num_queries(1):
        assert offender_office_ids(offender) == {office.pk, other_office.pk}
        assert offender_office_ids(offender) == {office.pk, other_office.pk}


def test_without_the_allocation_provider_an_officer_edit_check_fails_loudly(monkeypatch, probation_officer):
    offender = OffenderFactory()
    AllocationFactory(offender=offender, staff=probation_officer.staff)
    monkeypatch.setattr(access_facts.PROVIDERS, "is_allocated", None)

    with pytest.raises(ImproperlyConfigured, match="the allocation app provides it"):
        can_edit_offender(probation_officer, offender)
    [error] = check_access_facts()
    assert error.id == "offenders.E001"
    assert "is_allocated" in error.msg and "allocation" in error.hint


def test_without_the_sentences_provider_an_office_edit_check_fails_loudly(
    monkeypatch, role_user, other_office
):
    manager = role_user(Role.SERVICE_MANAGER)
    offender = OffenderFactory(home_office=other_office)
    monkeypatch.setattr(access_facts.PROVIDERS, "managing_office_ids", None)

    with pytest.raises(ImproperlyConfigured, match="the sentences app provides it"):
        can_edit_offender(manager, offender)
    [error] = check_access_facts()
    assert "managing_office_ids" in error.msg and "sentences" in error.hint
