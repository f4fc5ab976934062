import datetime

import pytest

from offenders.models import Identifier
from offenders.selectors import SearchTerms, offender_search
from tests.factories import AliasFactory, OffenderFactory, OfficeFactory

pytestmark = pytest.mark.django_db


def found(text: str = "", **terms) -> list:
    return [hit.offender for hit in offender_search(SearchTerms(text=text, **terms), viewer=None)]


def test_an_exact_prn_finds_only_that_offender():
    wanted = OffenderFactory(prn="41234567", family_name="Smith")
    OffenderFactory(prn="41234568", family_name="Smith")

    hits = offender_search(SearchTerms(text=" 41234567 "), viewer=None)

    assert [hit.offender for hit in hits] == [wanted]
    assert hits[0].matched_on == "PRN"


def test_a_whole_prn_that_is_on_record_finds_only_that_offender_not_longer_prns_containing_it():
    wanted = OffenderFactory(prn="41234567")
    OffenderFactory(prn="412345678")

    assert found("41234567") == [wanted]


def test_the_start_or_the_end_of_a_prn_lists_the_offenders_whose_prn_it_is():
    starts = OffenderFactory(prn="41230000")
    ends = OffenderFactory(prn="999994123")
    OffenderFactory(prn="94123999")  # in the middle only
    OffenderFactory(prn="40000000")

    hits = offender_search(SearchTerms(text="4123"), viewer=None)

    assert [hit.offender for hit in hits] == [starts, ends]
    assert {hit.matched_on for hit in hits} == {"part of the PRN"}


def test_an_empty_search_finds_nobody():
    OffenderFactory()

    assert found("   ") == []


def test_family_comma_given_puts_the_matching_given_name_first():
    john = OffenderFactory(family_name="Smith", given_names="John")
    jane = OffenderFactory(family_name="Smith", given_names="Jane")

    assert found("Smith, John")[0] == john
    assert found("Smith, Jane")[0] == jane


def test_given_then_family_is_understood_as_a_full_name():
    john = OffenderFactory(family_name="Smith", given_names="John Paul")
    OffenderFactory(family_name="John", given_names="Smith")

    assert found("John Smith")[0] == john


def test_a_family_name_alone_finds_everyone_of_that_name():
    smiths = {OffenderFactory(family_name="Smith").pk, OffenderFactory(family_name="Smith").pk}
    OffenderFactory(family_name="Williams")

    assert {offender.pk for offender in found("smith")} == smiths


def test_a_misspelt_family_name_still_finds_the_offender():
    smith = OffenderFactory(family_name="Smith", given_names="John")
    tamihana = OffenderFactory(family_name="Tamihana", given_names="Wiremu")

    assert found("Smyth") == [smith]
    assert found("Tamihanna") == [tamihana]
    assert found("Tamihanna, Wiremu") == [tamihana]


def test_mc_and_mac_spellings_find_each_other():
    # Double metaphone codes Mc and Mac alike (MKTN), so each spelling finds the other.
    macdonald = OffenderFactory(family_name="MacDonald", given_names="Ian")
    mcdonald = OffenderFactory(family_name="McDonald", given_names="Ann")

    assert set(found("Mcdonald")) == {macdonald, mcdonald}
    assert found("Mcdonald, Ian")[0] == macdonald
    assert found("Macdonald, Ann")[0] == mcdonald


def test_an_unrelated_name_is_not_found():
    OffenderFactory(family_name="Smith")

    assert found("Williams") == []


def test_an_alias_finds_the_offender_and_says_so():
    offender = OffenderFactory(family_name="Ngata", given_names="Hemi")
    AliasFactory(offender=offender, family_name="Brown", given_names="Henry")

    [hit] = offender_search(SearchTerms(text="Brown, Henry"), viewer=None)

    assert hit.offender == offender
    assert hit.matched_on == "alias Brown, Henry"
    assert hit.aliases == ["Brown, Henry"]


def test_an_offender_found_by_name_and_alias_is_listed_once():
    offender = OffenderFactory(family_name="Smith", given_names="John")
    AliasFactory(offender=offender, family_name="Smyth", given_names="Jon")

    assert found("Smith, John") == [offender]


def test_date_of_birth_narrows_a_name_search():
    born_1980 = OffenderFactory(
        family_name="Smith", given_names="John", date_of_birth=datetime.date(1980, 1, 2)
    )
    OffenderFactory(family_name="Smith", given_names="John", date_of_birth=datetime.date(1991, 5, 6))

    assert found("Smith, John", date_of_birth=datetime.date(1980, 1, 2)) == [born_1980]


def test_date_of_birth_alone_lists_everyone_born_that_day():
    first = OffenderFactory(family_name="Aperahama", date_of_birth=datetime.date(1980, 1, 2))
    second = OffenderFactory(family_name="Brown", date_of_birth=datetime.date(1980, 1, 2))
    OffenderFactory(family_name="Cooper", date_of_birth=datetime.date(1980, 1, 3))

    assert found(date_of_birth=datetime.date(1980, 1, 2)) == [first, second]


def test_an_alias_date_of_birth_also_matches():
    offender = OffenderFactory(family_name="Ngata", date_of_birth=datetime.date(1980, 1, 2))
    AliasFactory(offender=offender, family_name="Brown", date_of_birth=datetime.date(1982, 3, 4))

    assert found("Brown", date_of_birth=datetime.date(1982, 3, 4)) == [offender]


def test_the_office_filter_keeps_offenders_of_that_office_only():
    wellington, auckland = OfficeFactory(), OfficeFactory()
    local = OffenderFactory(family_name="Smith", home_office=wellington)
    distant = OffenderFactory(family_name="Smith", home_office=auckland)
    AliasFactory(offender=distant, family_name="Smithson")

    assert found("Smith", office_id=wellington.pk) == [local]
    assert found(distant.prn, office_id=wellington.pk) == []
    assert found(distant.prn, office_id=auckland.pk) == [distant]


def test_the_exact_name_ranks_above_longer_and_sound_alike_names():
    smyth = OffenderFactory(family_name="Smyth", given_names="John")
    smithers = OffenderFactory(family_name="Smithers", given_names="John")
    smith = OffenderFactory(family_name="Smith", given_names="John")

    assert found("Smith")[0] == smith
    assert set(found("Smith")) == {smith, smithers, smyth}
    assert found("John Smith")[0] == smith


def test_another_identifier_finds_its_offender_whatever_the_case_and_says_which(office):
    wanted = OffenderFactory(home_office=office)
    Identifier.objects.create(offender=wanted, kind=Identifier.Kind.DRIVER_LICENCE, value="DL123456")
    OffenderFactory(prn="12345600")

    hits = offender_search(SearchTerms(text="dl123456"), viewer=None)

    assert [hit.offender for hit in hits] == [wanted]
    assert hits[0].matched_on == "Driver licence"
    assert offender_search(SearchTerms(text="dl123456", office_id=OfficeFactory().pk), viewer=None) == []
