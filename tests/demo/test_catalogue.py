from decimal import Decimal

import pytest

from demo import names
from demo.offences import BREACH_OFFENCE_BY_SENTENCE_TYPE, OFFENCES, OFFENCES_BY_CODE
from sentences.models import Offence, OffenceCategory, SentenceType
from staff.demo_logins import DEMO_LOGINS, DEMO_USERNAMES
from staff.roles import Role


def test_name_lists_are_large_enough_for_a_varied_population():
    assert len(names.all_family_names()) >= 150
    assert len(names.all_given_names()) >= 150
    for group in names.NAME_GROUPS:
        assert len(names.FAMILY_NAMES[group]) >= 25, group
        assert all(names.GIVEN_NAMES[group][gender] for gender in (names.MALE, names.FEMALE, names.UNISEX))


def test_offence_catalogue_has_about_sixty_offences_with_unique_codes():
    assert len(OFFENCES) >= 60
    assert len(OFFENCES_BY_CODE) == len(OFFENCES)
    assert all(len(offence.code) <= 12 for offence in OFFENCES)


def test_seriousness_scores_follow_the_ministry_scale():
    score = {offence.code: offence.seriousness for offence in OFFENCES}
    assert score["CA172"] == Decimal("11900")  # murder
    assert score["CA172"] > score["CA132-1"] > score["CA177"] > score["CA188-1"] > score["CA235"]
    assert score["CA231"] > score["CA194B"] > score["LTA56-1"] > score["MDA7-C"]
    assert score["CA120"] == Decimal("200")  # escape from custody
    assert score["SA71"] == Decimal("5")  # breach of community work


def test_every_offence_is_a_valid_catalogue_row():
    for spec in OFFENCES:
        Offence(
            code=spec.code,
            description=spec.description,
            act=spec.act,
            section=spec.section,
            seriousness=spec.seriousness,
            categories=list(spec.categories),
        ).full_clean(validate_unique=False)


def test_catalogue_covers_the_acts_and_every_category():
    acts = {offence.act for offence in OFFENCES}
    for act in (
        "Crimes Act 1961",
        "Misuse of Drugs Act 1975",
        "Summary Offences Act 1981",
        "Land Transport Act 1998",
        "Terrorism Suppression Act 2002",
        "Corrections Act 2004",
        "Arms Act 1983",
        "Family Violence Act 2018",
        "Sentencing Act 2002",
    ):
        assert act in acts
    categories = {category for offence in OFFENCES for category in offence.categories}
    assert categories == set(OffenceCategory.values)


def test_each_breachable_sentence_has_its_breach_offence():
    for sentence_type, code in BREACH_OFFENCE_BY_SENTENCE_TYPE.items():
        assert sentence_type in SentenceType.values
        assert code in OFFENCES_BY_CODE


def test_one_demo_login_per_role():
    assert set(DEMO_USERNAMES) == set(Role.values)
    assert [label for label, _, _ in DEMO_LOGINS] == [Role(role).label for role in DEMO_USERNAMES]
    assert len({username for _, username, _ in DEMO_LOGINS}) == len(Role.values)


@pytest.mark.parametrize("password", sorted({password for _, _, password in DEMO_LOGINS}))
def test_demo_password_passes_the_password_validators(password):
    from django.contrib.auth.password_validation import validate_password

    validate_password(password)
