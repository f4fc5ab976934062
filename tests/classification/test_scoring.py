import pytest

from classification.scoring import CARRY_OVERS, ScoringError, category_for, score

LOWEST = {
    "A.1.1": "no",
    "A.1.2": "no",
    "A.2.1": "none",
    "A.3.1": "S",
    "A.4.1": "none",
    "A.4.2": "none",
    "A.4.3": "0",
    "A.4.4": "0",
    "A.4.5": "0",
    "A.4.6": "0",
    "A.5.1": "good",
    "A.5.2": "good",
    "A.5.3": "good",
    "A.5.4": "good",
    "A.5.5": "good",
    "B.1.1": "no",
    "B.3.1": "under_6m",
    "B.3.2": "no",
    "B.4.1": "none",
    "B.4.2": "none",
    "B.4.3": "none",
}


def answers(**changes):
    result = dict(LOWEST)
    result.update({code.replace("_", "."): option for code, option in changes.items()})
    return result


def test_lowest_answers_score_nothing_and_classify_a_a(v1_spec):
    result = score(v1_spec, LOWEST)
    assert (result.internal_total, result.external_total) == (0, 0)
    assert result.categories == ("A", "A")
    assert result.instrument_version == 1


def test_internal_26_is_category_a_and_27_is_category_b(v1_spec):
    # 14 (A.2.1 < 1 year) + 6 (A.3.1 U) + 4 (A.4.2 M) + 2 (A.4.3 one) = 26
    at_26 = score(v1_spec, answers(A_2_1="under_1y", A_3_1="U", A_4_2="M", A_4_3="1"))
    # 14 + 6 + 7 (A.4.2 H) = 27
    at_27 = score(v1_spec, answers(A_2_1="under_1y", A_3_1="U", A_4_2="H"))
    assert (at_26.internal_total, at_26.internal_category) == (26, "A")
    assert (at_27.internal_total, at_27.internal_category) == (27, "B")


def test_external_23_is_category_a_and_24_is_category_b(v1_spec):
    # 9 (B.3.1 5 years+) + 8 (B.3.2 order) + 5 (B.4.3 M) + 1 (B.4.1 VL) = 23
    at_23 = score(v1_spec, answers(B_3_1="5y_plus", B_3_2="yes", B_4_3="M", B_4_1="VL"))
    # ... + 1 (B.4.2 5 to 7 years) = 24
    at_24 = score(v1_spec, answers(B_3_1="5y_plus", B_3_2="yes", B_4_3="M", B_4_1="VL", B_4_2="5_7y"))
    assert (at_23.external_total, at_23.external_category) == (23, "A")
    assert (at_24.external_total, at_24.external_category) == (24, "B")


def test_category_for_uses_the_threshold_inclusively():
    assert category_for(26, 27) == "A"
    assert category_for(27, 27) == "B"


def test_carry_overs_copy_the_internal_points_into_section_b(v1_spec):
    result = score(
        v1_spec,
        answers(
            A_2_1="1_3y", A_4_1="M", A_4_5="1", A_4_6="2_plus", A_5_1="average", A_5_2="poor", A_5_5="average"
        ),
    )
    points = result.item_points
    assert points["B.2.1"] == points["A.2.1"] == 8
    assert points["B.2.2"] == points["A.4.1"] == 4
    assert points["B.2.3"] == points["A.4.5"] + points["A.4.6"] == 2 + 8
    assert points["B.2.4"] == sum(points[code] for code in CARRY_OVERS["B.2.4"]) == 2 + 4 + 2
    assert result.internal_total == 30
    assert result.external_total == (8 + 4 + 10 + 8) + 8  # the carry-overs, and B.4.4 B (8)


def test_b_4_4_is_the_internal_category_just_scored_whatever_was_answered(v1_spec):
    internal_b = answers(A_2_1="under_1y", A_3_1="U", A_4_2="H", B_4_4="A")
    result = score(v1_spec, internal_b)
    assert result.internal_category == "B"
    assert result.item_points["B.4.4"] == 8


def test_terrorism_overrides_both_parts_to_b_and_leaves_internal_risk_uncompleted(v1_spec):
    only_override = {"A.1.1": "yes"}
    result = score(v1_spec, only_override)
    assert result.categories == ("B", "B")
    assert result.internal_completed is False
    assert result.overrides == ("A.1.1",)
    assert not any(code.startswith("A.") for code in result.item_points)


def test_terrorism_recorded_in_external_risk_b_1_1_also_overrides(v1_spec):
    assert score(v1_spec, answers(B_1_1="yes")).categories == ("B", "B")


def test_serious_assault_overrides_internal_risk_only(v1_spec):
    result = score(v1_spec, answers(A_1_2="yes"))
    assert result.internal_total == 0
    assert result.categories == ("B", "A")
    assert result.overrides == ("A.1.2",)
    assert result.item_points["B.4.4"] == 8  # B.4.4 follows the overridden internal category


def test_missing_and_unknown_answers_are_all_reported(v1_spec):
    incomplete = answers(A_4_1="XX")
    del incomplete["B.3.1"]
    with pytest.raises(ScoringError) as error:
        score(v1_spec, incomplete)
    assert set(error.value.problems) == {"A.4.1", "B.3.1"}
