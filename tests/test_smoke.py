import pytest

from offenders.phonetics import soundex
from offenders.selectors import SearchTerms, offender_search
from tests.factories import OffenderFactory


def test_soundex_matches_common_misspellings():
    assert soundex("Smith") == soundex("Smyth") == "S530"
    assert soundex("Tamihana") == soundex("Tamihanna")


@pytest.mark.django_db
def test_search_finds_a_misspelt_family_name():
    wanted = OffenderFactory(family_name="Tamihana", given_names="Wiremu")
    OffenderFactory(family_name="Brown", given_names="Wiremu")
    hits = offender_search(SearchTerms(text="Wiremu Tamihanna"))
    assert [hit.offender for hit in hits] == [wanted]
