"""Pre-population follows seed 003's words for A.2.1 (only convicted escapes), A.4.3/A.4.4
(misconduct charges dated by the day they were laid or proven, not by the incident) and B.3.1
(time left to the earliest release date still ahead) - issue 13. Every "this score falls on"
date is checked against the answer worked out day by day."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta

from classification.models import CorrectionsActStatus, EscapeCustody, EscapeKind
from classification.prepopulate import leaves_window, prepopulate
from classification.selectors import prisoner_records
from sentences.models import OffenceCategory
from tests.classification.factories import (
    EscapeEventFactory,
    IncidentReportFactory,
    days_ago,
    prison_sentence,
    today,
)
from tests.factories import ConvictionFactory, OffenceFactory

ONE_DAY = datetime.timedelta(days=1)
pytestmark = pytest.mark.django_db


def months_ago(months: int) -> datetime.date:
    """The first day inside "the past N months"; the day before is outside."""
    return today() - relativedelta(months=months)


def in_months(months: int = 0, years: int = 0) -> datetime.date:
    return today() + relativedelta(months=months, years=years)


@pytest.fixture
def offender(db):
    return prison_sentence().offender


def first_change_day_by_day(offender, code: str, horizon_days: int) -> tuple[datetime.date, str] | None:
    """The first day after today on which `code`'s answer differs, found by scoring every day."""
    records = prisoner_records([offender.pk])[offender.pk]
    now = prepopulate(records, today(), with_changes=False)[code].option
    for offset in range(1, horizon_days + 1):
        day = today() + datetime.timedelta(days=offset)
        later = prepopulate(records, day, with_changes=False)[code].option
        if later != now:
            return day, later
    return None


def assert_change_date_is_exact(offender, prepopulated, code: str, horizon_days: int):
    answer = prepopulated(offender)[code]
    found = first_change_day_by_day(offender, code, horizon_days)
    if answer.changes_on is None:
        assert found is None, f"{code} changes on {found} but no change date was given"
    else:
        assert found == (answer.changes_on, answer.changes_to)


# --- A.2.1: only escapes for which the prisoner was convicted ---------------------------------


def test_an_escape_attempt_with_no_conviction_scores_none(offender, prepopulated):
    """Seed 003, A.2.1: "the most recent escape or attempted escape -related incident for which
    the prisoner was convicted"; "If the prisoner has no previous escape convictions, they score
    0 points"."""
    EscapeEventFactory(offender=offender, kind=EscapeKind.ATTEMPT, occurred_on=days_ago(400))
    answer = prepopulated(offender)["A.2.1"]
    assert answer.option == "none"
    assert answer.sources == ()
    assert answer.changes_on is None


def test_a_later_unconvicted_escape_does_not_hide_an_older_conviction(offender, prepopulated):
    """Seed 003, A.2.1: the most recent escape "for which the prisoner was convicted", dated by
    "The most recent of: date of conviction OR date of incident"."""
    convicted = EscapeEventFactory(
        offender=offender,
        custody=EscapeCustody.POLICE,
        occurred_on=today() - relativedelta(years=6),
        convicted_on=today() - relativedelta(years=5),
    )
    EscapeEventFactory(offender=offender, kind=EscapeKind.ATTEMPT, occurred_on=days_ago(100))
    answer = prepopulated(offender)["A.2.1"]
    assert answer.option == "5y_plus"
    assert [(s.label, s.pk) for s in answer.sources] == [("classification.EscapeEvent", convicted.pk)]
    assert "convicted" in answer.sources[0].description
    # The unconvicted attempt's anniversaries move nothing.
    assert answer.changes_on is None


def test_the_escape_score_falls_on_the_conviction_anniversary_only(offender, prepopulated):
    """Seed 003, A.2.1: "The system determines the appropriate category for years since
    conviction"; an unconvicted attempt in between changes nothing."""
    EscapeEventFactory(
        offender=offender,
        occurred_on=today() - relativedelta(years=3) - relativedelta(months=2),
        convicted_on=today() - relativedelta(years=3) + relativedelta(days=20),
    )
    EscapeEventFactory(offender=offender, kind=EscapeKind.ATTEMPT, occurred_on=days_ago(30))
    answer = prepopulated(offender)["A.2.1"]
    assert answer.option == "1_3y"
    assert answer.changes_to == "3_5y"
    assert_change_date_is_exact(offender, prepopulated, "A.2.1", horizon_days=40)


def test_an_escape_conviction_in_the_conviction_history_still_counts_without_an_escape_record(
    db, prepopulated
):
    """Seed 003, A.2.1 sources include "IOMS Criminal and Traffic Conviction History"."""
    sentence = prison_sentence()
    ConvictionFactory(
        sentence=sentence,
        offence=OffenceFactory(categories=[OffenceCategory.ESCAPE]),
        convicted_on=days_ago(400),
    )
    assert prepopulated(sentence.offender)["A.2.1"].option == "1_3y"


# --- A.4.3 / A.4.4: misconduct charges laid or proven in the last 3 months --------------------


def misconduct(offender, occurred_on, charge_laid_on, proven_on=None, **kwargs):
    status = CorrectionsActStatus.PROVEN if proven_on else CorrectionsActStatus.CHARGED
    return IncidentReportFactory(
        offender=offender,
        occurred_on=occurred_on,
        corrections_act=status,
        charge_laid_on=charge_laid_on,
        proven_on=proven_on,
        **kwargs,
    )


def test_a_charge_proven_last_month_for_an_incident_four_months_ago_counts(offender, prepopulated):
    """Seed 003, A.4.3: "the total number of convictions and charges against the prisoner under
    the Corrections Act in the last 3 months": the charge was proven (a conviction) last month,
    though the incident and the charge are older."""
    report = misconduct(offender, months_ago(4), months_ago(4), proven_on=days_ago(30))
    answer = prepopulated(offender)["A.4.3"]
    assert answer.option == "1"
    assert [s.pk for s in answer.sources] == [report.pk]
    description = answer.sources[0].description
    assert f"laid {months_ago(4):%-d %b %Y}" in description
    assert f"proven {days_ago(30):%-d %b %Y}" in description
    # It leaves the count three months after it was proven, not after the incident.
    assert answer.changes_on == leaves_window(days_ago(30), 3) and answer.changes_to == "0"
    assert_change_date_is_exact(offender, prepopulated, "A.4.3", horizon_days=100)


def test_a_charge_laid_in_the_window_for_an_older_incident_counts(offender, prepopulated):
    """Seed 003, A.4.4: "the convictions and charges for drugs, violence and escape-related
    offences under the Corrections Act in the previous 3 months": a charge laid two months ago
    for a violent incident five months ago."""
    misconduct(offender, months_ago(5), months_ago(2), violence_related=True)
    answers = prepopulated(offender)
    assert answers["A.4.4"].option == "1"
    assert answers["A.4.3"].option == "0"
    assert answers["A.4.4"].changes_on == leaves_window(months_ago(2), 3)
    assert_change_date_is_exact(offender, prepopulated, "A.4.4", horizon_days=40)


def test_a_charge_laid_and_proven_in_the_window_is_one_matter_counted_once(offender, prepopulated):
    """Seed 003, A.4.3 counts "convictions and charges": a charge that was proven is the same
    misconduct as the conviction it became, so it counts once, and it counts until the later of
    its two dates leaves the 3 months."""
    report = misconduct(offender, days_ago(50), days_ago(45), proven_on=days_ago(10))
    answer = prepopulated(offender)["A.4.3"]
    assert answer.option == "1"
    assert [s.pk for s in answer.sources] == [report.pk]
    assert answer.changes_on == leaves_window(days_ago(10), 3)
    assert_change_date_is_exact(offender, prepopulated, "A.4.3", horizon_days=100)


def test_a_charge_laid_and_proven_before_the_window_does_not_count_even_to_the_day(db, prepopulated):
    """Seed 003, A.4.3 "in the last 3 months": proven 3 months ago to the day counts, a day
    earlier does not."""
    inside, outside = prison_sentence().offender, prison_sentence().offender
    misconduct(inside, months_ago(5), months_ago(4), proven_on=months_ago(3))
    misconduct(outside, months_ago(5), months_ago(4), proven_on=months_ago(3) - ONE_DAY)
    assert prepopulated(inside)["A.4.3"].option == "1"
    assert prepopulated(outside)["A.4.3"].option == "0"


def test_an_incident_in_the_window_with_no_charge_does_not_count(offender, prepopulated):
    """Seed 003, A.4.3/A.4.4 count charges and convictions, not incidents."""
    IncidentReportFactory(offender=offender, occurred_on=days_ago(5), drugs_related=True)
    answers = prepopulated(offender)
    assert (answers["A.4.3"].option, answers["A.4.4"].option) == ("0", "0")


def test_misconduct_counts_for_drugs_violence_escape_reach_two_or_more(offender, prepopulated):
    """Seed 003, A.4.4: drugs, violence and escape-related Corrections Act matters, each
    counted once whether charged or proven."""
    misconduct(offender, months_ago(6), months_ago(5), proven_on=days_ago(20), drugs_related=True)
    misconduct(offender, days_ago(15), days_ago(14), escape_related=True)
    misconduct(offender, days_ago(9), days_ago(8), proven_on=days_ago(2), violence_related=True)
    answers = prepopulated(offender)
    assert answers["A.4.4"].option == "2_plus" and len(answers["A.4.4"].sources) == 3
    assert answers["A.4.3"].option == "0"


# --- B.3.1: time left to the earliest release date still ahead -------------------------------


def test_a_parole_hearing_already_held_is_not_the_earliest_release_date(db, prepopulated):
    """Seed 003, B.3.1: "the length of time between the current system date and the earliest
    possible release date (Parole Board Hearing Date or Parole Eligibility Date or Statutory
    Release Date)": a hearing 100 days ago is no longer a possible release date."""
    sentence = prison_sentence(
        start_date=days_ago(800),
        end_date=in_months(years=6),
        parole_hearing_date=days_ago(100),
        parole_eligibility_date=days_ago(150),
        statutory_release_date=in_months(years=3),
    )
    answer = prepopulated(sentence.offender)["B.3.1"]
    assert answer.option == "2_5y"
    assert f"earliest release date {in_months(years=3):%-d %b %Y}" in answer.sources[0].description


def test_a_release_date_of_today_still_counts_and_the_next_date_takes_over_tomorrow(
    db, prepopulated, option_on
):
    """Seed 003, B.3.1 "the earliest possible release date": a hearing today is still possible;
    once it has passed, the SRD three years away is the earliest and the score moves."""
    sentence = prison_sentence(
        start_date=days_ago(800),
        end_date=in_months(years=6),
        parole_hearing_date=today(),
        statutory_release_date=in_months(years=3),
    )
    answer = prepopulated(sentence.offender)["B.3.1"]
    assert answer.option == "under_6m"
    assert (answer.changes_on, answer.changes_to) == (today() + ONE_DAY, "2_5y")
    assert option_on(sentence.offender, "B.3.1", today() + ONE_DAY) == "2_5y"


def test_the_score_moves_the_day_after_a_near_hearing_has_passed(db, prepopulated):
    """Seed 003, B.3.1: the earliest possible release date is recomputed as each date passes."""
    sentence = prison_sentence(
        start_date=days_ago(800),
        end_date=in_months(years=3),
        parole_hearing_date=today() + datetime.timedelta(days=10),
        statutory_release_date=in_months(months=13),
    )
    answer = prepopulated(sentence.offender)["B.3.1"]
    assert answer.option == "under_6m"
    assert answer.changes_on == today() + datetime.timedelta(days=11)
    assert answer.changes_to == "1_2y"
    assert_change_date_is_exact(sentence.offender, prepopulated, "B.3.1", horizon_days=20)


def test_a_prisoner_past_every_release_date_has_no_time_left(db, prepopulated):
    """Seed 003, B.3.1 measures to "the earliest possible release date"; when every recorded
    date is past there is no time left to serve: 0 months, the "under 6 months" band, for good."""
    sentence = prison_sentence(
        start_date=days_ago(1200),
        end_date=in_months(months=8),
        parole_hearing_date=days_ago(100),
        parole_eligibility_date=days_ago(50),
        statutory_release_date=days_ago(10),
    )
    answer = prepopulated(sentence.offender)["B.3.1"]
    assert answer.option == "under_6m"
    assert "every release date has passed" in answer.sources[0].description
    assert f"{days_ago(10):%-d %b %Y}" in answer.sources[0].description
    assert answer.changes_on is None


def test_a_sentence_with_no_release_date_yet_is_still_the_longest_band(db, prepopulated):
    """The all-past rule needs at least one recorded date: an indeterminate sentence with no PED,
    SRD or hearing yet keeps the longest band (seed 003, B.3.1 has no date to measure to)."""
    sentence = prison_sentence(
        end_date=None,
        statutory_release_date=None,
        parole_eligibility_date=None,
        parole_hearing_date=None,
    )
    answer = prepopulated(sentence.offender)["B.3.1"]
    assert answer.option == "5y_plus" and answer.changes_on is None


def test_release_change_dates_are_exact_over_a_year_of_passing_dates(db, prepopulated):
    """Every "this score falls on" date for B.3.1 is the first day the answer really changes,
    checked day by day while the hearing and then the PED pass."""
    sentence = prison_sentence(
        start_date=days_ago(900),
        end_date=in_months(years=4),
        parole_hearing_date=in_months(months=2),
        parole_eligibility_date=in_months(months=7),
        statutory_release_date=in_months(months=30),
    )
    answer = prepopulated(sentence.offender)["B.3.1"]
    assert answer.option == "under_6m"
    # The hearing passing leaves the PED five months away: still under 6 months. The PED passing
    # leaves the SRD 23 months away.
    assert answer.changes_on == in_months(months=7) + ONE_DAY and answer.changes_to == "1_2y"
    assert_change_date_is_exact(sentence.offender, prepopulated, "B.3.1", horizon_days=250)
