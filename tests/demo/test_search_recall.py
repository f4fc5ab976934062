"""Every query form of the recall bench finds its person at small size (demo/search_recall.py)."""

import datetime
import random

import pytest

from demo.search_recall import measure_recall, queries_for, sound_alike, typo
from offenders.models import Offender
from tests.factories import AliasFactory, OffenderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    names = [
        ("Cameron", "Te Whata"),
        ("Tāne", "Te Kani"),
        ("Daniel", "Jones"),
        ("Stacey Anne", "Reyes"),
        ("Craig", "Wilson"),
        ("Mereana", "Tūhaka"),
        ("Sarah", "Wilson"),
        ("Sarah", "Wilkinson"),
        ("Phillip", "Smith-Jones"),
        ("Ji-woo", "Zhang"),
        ("Hemi", "Ngata"),
        ("Hannah", "Ross"),
    ]
    made = [
        OffenderFactory(
            given_names=given, family_name=family, date_of_birth=datetime.date(1970 + n, 1, 2 + n)
        )
        for n, (given, family) in enumerate(names)
    ]
    AliasFactory(offender=made[2], family_name="Brown", given_names="Danny")
    # Namesakes and near namesakes, so that ranking matters.
    for given, family in [("Daniel", "Johns"), ("Sarah", "Watson"), ("Craig", "Williams"), ("Hana", "Rose")]:
        OffenderFactory(given_names=given, family_name=family)
    return made


def test_every_query_form_finds_the_person_among_the_first_five(people):
    rng = random.Random(1)
    queries = [
        item
        for person in Offender.objects.filter(pk__in=[p.pk for p in people]).prefetch_related("aliases")
        for item in queries_for(person, list(person.aliases.all()), rng)
    ]
    forms = {item.form for item in queries}
    assert {
        "exact",
        "reversed",
        "Family, Given",
        "typo in the family name",
        "first letter misspelt",
        "macrons left out",
        "multi-word family name",
        "alias",
        "part of the PRN",
        "sound-alike spelling",
    } <= forms

    result = measure_recall(queries, people=len(people))

    missed = {form.form: form.missed for form in result.forms if form.found < form.queries}
    assert missed == {}
    assert result.recall == 1.0


def test_typos_change_the_word_and_a_misspelt_first_letter_changes_the_first_letter():
    rng = random.Random(3)
    assert typo("Craig", rng, first_letter=True) == "Kraig"
    assert typo("Phillip", rng, first_letter=True) == "Fillip"
    assert all(typo("Tamihana", rng) != "Tamihana" for _ in range(20))
    assert sound_alike("Smith", random.Random(0)) == "Smyth"
