"""Sentence calculation at its boundaries (sentences/calculation.py; Parole Act 2002 as
../shared/DOMAIN.md gives it: short-term sentences of 2 years or less released at half; long-term
ones eligible for parole at one third unless a minimum period is imposed, released at expiry;
concurrent and cumulative sentences combined into a notional single sentence; remand counted as
time served)."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta

from sentences.calculation import (
    CalculationError,
    SentenceTerm,
    calculate,
    disagreements,
    served_with_current,
)

pytestmark = pytest.mark.django_db

START = datetime.date(2025, 1, 1)


def term(sentence_id=1, start=START, years=0, months=0, days=0, **fields):
    end = start + relativedelta(years=years, months=months, days=days)
    return SentenceTerm(
        sentence_id=sentence_id, start_date=start, end_date=end, label=f"S{sentence_id}", **fields
    )


def test_exactly_two_years_is_short_term_released_at_half():
    result = calculate([term(years=2)])
    assert result.long_term is False
    assert result.length_days == 730
    assert result.statutory_release_date == START + datetime.timedelta(days=365)
    assert result.parole_eligibility_date is None
    assert "2 years or less" in " ".join(result.steps)


def test_two_years_and_a_day_is_long_term_with_parole_at_one_third_and_release_at_expiry():
    result = calculate([term(years=2, days=1)])
    assert result.long_term is True
    assert result.length_days == 731
    assert result.parole_eligibility_date == START + datetime.timedelta(days=244)  # 731 / 3 rounded up
    assert result.statutory_release_date == START + relativedelta(years=2, days=1)
    assert result.expiry_date == result.statutory_release_date


def test_half_of_an_odd_number_of_days_is_rounded_up():
    result = calculate([term(days=11)])
    assert result.statutory_release_date == START + datetime.timedelta(days=6)


def test_two_cumulative_sentences_of_18_months_make_a_long_term_notional_sentence_of_3_years():
    first = term(1, months=18)
    second = term(2, months=18, consecutive_to_id=1)
    result = calculate([first, second])
    served = {item.term.sentence_id: item for item in result.served}
    assert served[2].start_date == first.end_date
    assert result.long_term is True
    assert result.start_date == START
    assert result.statutory_release_date == served[2].end_date
    assert result.parole_eligibility_date == START + datetime.timedelta(days=-(-result.length_days // 3))
    assert any("cumulative on S1" in step for step in result.steps)


def test_two_concurrent_sentences_of_18_months_stay_short_term():
    result = calculate([term(1, months=18), term(2, start=START + relativedelta(months=1), months=18)])
    assert result.long_term is False
    assert result.start_date == START
    # The notional term runs from the first start to the last end: 19 months.
    assert result.length_days == (START + relativedelta(months=19) - START).days
    assert result.statutory_release_date == START + datetime.timedelta(days=-(-result.length_days // 2))


def test_a_cumulative_sentence_starts_on_its_own_date_when_that_is_later():
    first = term(1, months=6)
    later = term(2, start=START + relativedelta(months=9), months=6, consecutive_to_id=1)
    served = {item.term.sentence_id: item for item in calculate([first, later]).served}
    assert served[2].start_date == later.start_date


def test_a_cumulative_sentence_on_one_outside_the_set_runs_from_its_own_start():
    result = calculate([term(2, months=6, consecutive_to_id=99)])
    assert result.served[0].start_date == START
    assert result.served[0].cumulative_on is None


def test_remand_time_moves_every_key_date_earlier():
    without = calculate([term(years=3)])
    result = calculate([term(years=3, remand_days=30)])
    thirty = datetime.timedelta(days=30)
    assert result.parole_eligibility_date == without.parole_eligibility_date - thirty
    assert result.statutory_release_date == without.statutory_release_date - thirty
    assert result.expiry_date == without.expiry_date - thirty
    assert any("remand" in step for step in result.steps)


def test_remand_credit_does_not_change_whether_a_sentence_is_long_term():
    # The term imposed decides the kind; remand shortens the time left to serve, not the sentence.
    result = calculate([term(years=2, days=1, remand_days=60)])
    assert result.long_term is True


def test_remand_longer_than_the_time_to_serve_releases_on_the_start_date_not_before():
    result = calculate([term(months=2, remand_days=100)])
    assert result.statutory_release_date == START


def test_the_same_custody_counts_once_across_concurrent_sentences():
    result = calculate([term(1, years=3, remand_days=30), term(2, years=3, remand_days=20)])
    plain = calculate([term(1, years=3), term(2, years=3)])
    assert result.statutory_release_date == plain.statutory_release_date - datetime.timedelta(days=30)


def test_a_minimum_period_later_than_one_third_sets_parole_eligibility():
    result = calculate([term(years=6, minimum_period_months=36)])
    assert result.parole_eligibility_date == START + relativedelta(months=36)
    assert any("minimum period" in step for step in result.steps)


def test_a_minimum_period_earlier_than_one_third_leaves_one_third():
    result = calculate([term(years=6, minimum_period_months=12)])
    assert result.parole_eligibility_date == START + datetime.timedelta(days=-(-result.length_days // 3))


def test_an_indeterminate_sentence_has_no_release_date_and_parole_at_its_minimum_period():
    life = SentenceTerm(
        sentence_id=1, start_date=START, end_date=None, minimum_period_months=120, label="Life"
    )
    result = calculate([life, term(2, years=3)])
    assert result.indeterminate and result.long_term
    assert result.statutory_release_date is None
    assert result.parole_eligibility_date == START + relativedelta(months=120)


def test_a_sentence_cumulative_on_itself_through_another_is_refused():
    with pytest.raises(CalculationError):
        calculate([term(1, months=6, consecutive_to_id=2), term(2, months=6, consecutive_to_id=1)])


def test_no_sentences_have_no_calculation():
    assert calculate([]) is None


def test_recorded_dates_that_differ_from_the_calculation_are_named():
    result = calculate([term(years=3)])
    found = disagreements(
        result,
        {
            "parole_eligibility_date": result.parole_eligibility_date,
            "statutory_release_date": result.statutory_release_date - datetime.timedelta(days=1),
        },
    )
    assert [(d.field, d.calculated) for d in found] == [
        ("statutory_release_date", result.statutory_release_date)
    ]
    assert disagreements(result, result.dates()) == []


def test_a_determinate_sentence_served_with_an_indeterminate_one_keeps_its_own_release_date():
    """The notional sentence of a set with life imprisonment has no statutory release date; the
    determinate sentence's own SRD is not a difference (it could never be put right)."""
    life = SentenceTerm(
        sentence_id=1, start_date=START, end_date=None, minimum_period_months=120, label="Life"
    )
    result = calculate([life, term(2, years=3)])
    assert disagreements(result, {"statutory_release_date": START + relativedelta(years=3)}) == []


def test_a_blank_parole_eligibility_date_differs_only_on_a_combined_sentence():
    """18 months and a cumulative 18 months: a long-term notional sentence with a PED. A sentence
    alone with no PED recorded is a missing date (another check); a combined one is a difference."""
    result = calculate([term(1, months=18), term(2, months=18, consecutive_to_id=1)])
    blank = {"parole_eligibility_date": None, "statutory_release_date": result.statutory_release_date}
    assert disagreements(result, blank, alone=True) == []
    assert [d.field for d in disagreements(result, blank, alone=False)] == ["parole_eligibility_date"]


class Row:
    """A stand-in for a Sentence row as served_with_current reads it."""

    def __init__(self, pk, start, end, status="active", consecutive_to_id=None, completion_reason=""):
        self.pk, self.start_date, self.end_date, self.status = pk, start, end, status
        self.consecutive_to_id, self.completion_reason, self.indeterminate = (
            consecutive_to_id,
            completion_reason,
            False,
        )


def test_a_concurrent_sentence_that_expired_first_stays_in_the_notional_sentence():
    first = Row(1, START, START + relativedelta(years=2), status="completed", completion_reason="normal")
    second = Row(2, START + relativedelta(years=1), START + relativedelta(years=3))
    earlier_episode = Row(
        3, START - relativedelta(years=6), START - relativedelta(years=5), status="completed"
    )
    quashed = Row(4, START, START + relativedelta(years=4), status="completed", completion_reason="quashed")

    kept = served_with_current([earlier_episode, first, quashed, second], ["pending", "active"])

    assert [row.pk for row in kept] == [1, 2]


# --- sets of sentences at the 2-year boundary, and remand across a set --------------------------

DAY = datetime.timedelta(days=1)


def days_term(sentence_id, start, days, **fields):
    return SentenceTerm(
        sentence_id=sentence_id,
        start_date=start,
        end_date=start + days * DAY,
        label=f"S{sentence_id}",
        **fields,
    )


def test_cumulative_sentences_of_exactly_two_years_in_all_are_short_term_released_at_half_of_both():
    """Parole Act 2002, s 4 and s 75: the notional single sentence of 365 days followed by a
    cumulative 365 days ends on the same date two years later: 2 years or less."""
    result = calculate([days_term(1, START, 365), days_term(2, START, 365, consecutive_to_id=1)])
    assert result.start_date == START and result.expiry_date == START + relativedelta(years=2)
    assert (result.length_days, result.long_term) == (730, False)
    assert result.parole_eligibility_date is None
    assert result.statutory_release_date == START + 365 * DAY


def test_cumulative_sentences_of_two_years_and_a_day_in_all_are_long_term():
    result = calculate([days_term(1, START, 365), days_term(2, START, 366, consecutive_to_id=1)])
    assert (result.length_days, result.long_term) == (731, True)
    assert result.parole_eligibility_date == START + 244 * DAY  # 731 / 3 rounded up
    assert result.statutory_release_date == START + relativedelta(years=2, days=1)


@pytest.mark.parametrize(("extra_days", "long_term"), [(0, False), (1, True)])
def test_concurrent_sentences_spanning_exactly_two_years_are_short_term_and_a_day_more_long_term(
    extra_days, long_term
):
    """Neither sentence is more than a year and a half; together, from the first start to the last
    end, they span 2 years (or a day more)."""
    later = START + relativedelta(months=6)
    last_end = START + relativedelta(years=2) + extra_days * DAY
    result = calculate([term(1, months=18), days_term(2, later, (last_end - later).days)])
    assert (result.start_date, result.expiry_date) == (START, last_end)
    assert result.long_term is long_term
    if long_term:
        assert result.parole_eligibility_date == START + 244 * DAY
        assert result.statutory_release_date == last_end
    else:
        assert result.parole_eligibility_date is None
        assert result.statutory_release_date == START + 365 * DAY


def test_a_concurrent_sentence_outlasting_a_cumulative_pair_sets_the_notional_end():
    """A set of both kinds: S2 is served after S1; S3 runs from its own start and ends last."""
    s1 = days_term(1, START, 365)
    s2 = days_term(2, START, 180, consecutive_to_id=1)
    s3_start = START + relativedelta(years=1)
    s3 = days_term(3, s3_start, (START + relativedelta(years=2, days=1) - s3_start).days)
    result = calculate([s1, s2, s3])
    served = {item.term.sentence_id: item for item in result.served}
    assert (served[2].start_date, served[2].end_date) == (s1.end_date, s1.end_date + 180 * DAY)
    assert served[3].start_date == s3_start and served[3].cumulative_on is None
    assert result.expiry_date == s3.end_date and result.long_term is True
    assert result.parole_eligibility_date == START + 244 * DAY


def test_remand_on_cumulative_sentences_is_counted_once_by_the_largest_credit():
    """Parole Act 2002, s 91: the same days in custody count once across the set, not the sum."""
    plain = calculate([term(1, months=18), term(2, months=18, consecutive_to_id=1)])
    credited = calculate(
        [term(1, months=18, remand_days=40), term(2, months=18, consecutive_to_id=1, remand_days=25)]
    )
    assert credited.remand_days == 40
    assert credited.parole_eligibility_date == plain.parole_eligibility_date - 40 * DAY
    assert credited.statutory_release_date == plain.statutory_release_date - 40 * DAY
    assert credited.long_term is True


@pytest.mark.parametrize(("remand", "released_after"), [(182, 1), (183, 0), (184, 0)])
def test_remand_brings_release_to_the_start_at_most(remand, released_after):
    """365 days: released after 183 (half, rounded up); remand of a day less releases a day after
    the start, remand of exactly that long or longer on the start itself, never before."""
    result = calculate([days_term(1, START, 365, remand_days=remand)])
    assert result.statutory_release_date == START + released_after * DAY


# --- the worked examples of docs/sentence-calculation.md ---------------------------------------

DOCS = datetime.date(2025, 2, 1)


def test_the_documented_examples_are_what_the_calculation_gives():
    """Every worked example in docs/sentence-calculation.md, so the document cannot drift."""

    def key_dates(*terms):
        result = calculate(terms)
        return result.length_days, result.parole_eligibility_date, result.statutory_release_date

    d = datetime.date
    exactly_two = calculate([days_term(1, DOCS, 730)])
    assert exactly_two.steps[1:] == (
        "Notional single sentence: 1 Feb 2025 to 1 Feb 2027, 730 days.",
        "2 years or less: a short-term sentence, released at half, with no parole eligibility date.",
        "Half of the term: statutory release on 1 Feb 2026.",
    )
    assert key_dates(days_term(1, DOCS, 731)) == (731, d(2025, 10, 3), d(2027, 2, 2))
    assert key_dates(days_term(1, DOCS, 546), days_term(2, DOCS, 546, consecutive_to_id=1)) == (
        1092,
        d(2026, 1, 31),
        d(2028, 1, 29),
    )
    assert key_dates(
        SentenceTerm(1, DOCS, d(2026, 8, 1)), SentenceTerm(2, d(2025, 5, 1), d(2026, 11, 1))
    ) == (638, None, d(2025, 12, 17))
    remand = calculate([SentenceTerm(1, DOCS, d(2028, 2, 1), remand_days=60)])
    assert (remand.parole_eligibility_date, remand.statutory_release_date, remand.expiry_date) == (
        d(2025, 12, 3),
        d(2027, 12, 3),
        d(2027, 12, 3),
    )
    assert key_dates(SentenceTerm(1, DOCS, d(2031, 2, 1), minimum_period_months=36)) == (
        2191,
        d(2028, 2, 1),
        d(2031, 2, 1),
    )
    life = calculate(
        [SentenceTerm(1, DOCS, None, minimum_period_months=120), SentenceTerm(2, DOCS, d(2028, 2, 1))]
    )
    assert (life.indeterminate, life.parole_eligibility_date, life.statutory_release_date) == (
        True,
        d(2035, 2, 1),
        None,
    )
