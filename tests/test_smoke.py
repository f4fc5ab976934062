import pytest

from offenders.selectors import SearchTerms, name_codes, offender_search
from tests.factories import OffenderFactory


@pytest.mark.django_db
def test_the_database_codes_sound_alike_names_alike():
    codes = name_codes(["Smith", "Smyth", "Tamihana", "Tamihanna"])
    assert codes["Smith"] & codes["Smyth"]
    assert codes["Tamihana"] & codes["Tamihanna"]


@pytest.mark.django_db
def test_search_finds_a_misspelt_family_name():
    wanted = OffenderFactory(family_name="Tamihana", given_names="Wiremu")
    OffenderFactory(family_name="Brown", given_names="Wiremu")
    hits = offender_search(SearchTerms(text="Wiremu Tamihanna"), viewer=None)
    assert [hit.offender for hit in hits] == [wanted]
