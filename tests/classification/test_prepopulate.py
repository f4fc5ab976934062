import datetime
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta

from classification.models import (
    ActivityStatus,
    CorrectionsActStatus,
    EscapeCustody,
    EscapeKind,
    IncidentType,
    RiskLevel,
    Stability,
)
from classification.prepopulate import (
    _anniversaries,
    _countdown,
    full_months_between,
    leaves_window,
    seriousness_band,
    within_months,
)
from sentences.models import OffenceCategory, SentenceStatus, SentenceType
from tests.classification.factories import (
    AtRiskAlertFactory,
    EscapeEventFactory,
    HealthStabilityAssessmentFactory,
    IncidentReportFactory,
    PoliceInformationFactory,
    RemovalOrderFactory,
    SentencePlanActivityFactory,
    SentencePlanCategoryChangeFactory,
    days_ago,
    prison_sentence,
    today,
)
from tests.factories import ChargeFactory, ConvictionFactory, OffenceFactory, OffenderFactory, SentenceFactory

ONE_DAY = datetime.timedelta(days=1)
pytestmark = pytest.mark.django_db


def months_ago(months: int) -> datetime.date:
    """The first day inside "the past N months"; the day before is outside."""
    return today() - relativedelta(months=months)


def offence(seriousness="150", act="Crimes Act 1961", categories=()):
    return OffenceFactory(act=act, seriousness=Decimal(seriousness), categories=list(categories))


def completed_sentence(offender, convicted_on, seriousness="150"):
    sentence = SentenceFactory(
        offender=offender,
        sentence_type=SentenceType.SUPERVISION,
        order_date=convicted_on,
        status=SentenceStatus.COMPLETED,
        completion_reason="normal",
        completed_on=convicted_on + datetime.timedelta(days=365),
    )
    return ConvictionFactory(sentence=sentence, offence=offence(seriousness), convicted_on=convicted_on)


@pytest.fixture
def offender(db):
    return prison_sentence().offender


# --- seriousness bands (A.4.1, A.4.2, B.4.1) -------------------------------------------------


@pytest.mark.parametrize(
    ("score", "band"),
    [
        ("0.10", "VL"),
        ("19.90", "VL"),
        ("20.00", "L"),
        ("99.99", "L"),
        ("100.00", "M"),
        ("999.99", "M"),
        ("1000.00", "H"),
        ("11900.00", "H"),
    ],
)
def test_seriousness_bands_follow_seed_003(score, band):
    assert seriousness_band(Decimal(score)) == band


# --- A.1.1 / A.1.2 / B.1.1 overrides ----------------------------------------------------------


def test_an_outstanding_terrorism_charge_suggests_the_terrorism_override(offender, prepopulated):
    charge = ChargeFactory(offender=offender, offence=offence(categories=[OffenceCategory.TERRORISM]))
    answers = prepopulated(offender)
    assert answers["A.1.1"].option == answers["B.1.1"].option == "yes"
    assert answers["A.1.1"].sources[0].pk == charge.pk


def test_a_serious_assault_charge_counts_for_six_months_to_the_day(offender, option_of):
    assault = offence(categories=[OffenceCategory.SERIOUS_ASSAULT, OffenceCategory.VIOLENCE])
    ChargeFactory(offender=offender, offence=assault, charged_on=months_ago(6))
    assert option_of(offender, "A.1.2") == "yes"

    other = prison_sentence().offender
    ChargeFactory(offender=other, offence=assault, charged_on=months_ago(6) - ONE_DAY)
    assert option_of(other, "A.1.2") == "no"


def test_the_serious_assault_override_is_used_once_per_assault(offender, prepopulated):
    assault = offence(categories=[OffenceCategory.SERIOUS_ASSAULT])
    charge = ChargeFactory(offender=offender, offence=assault, charged_on=days_ago(20))
    assert prepopulated(offender)["A.1.2"].option == "yes"
    assert prepopulated(offender, used_assaults=[("sentences.Charge", charge.pk)])["A.1.2"].option == "no"


# --- A.2.1 time since last escape or attempt ------------------------------------------------


def test_no_escape_scores_none(offender, option_of):
    assert option_of(offender, "A.2.1") == "none"


def convicted_escape(offender, day, **kwargs):
    """Seed 003, A.2.1 counts an escape "for which the prisoner was convicted"; convicted the day
    it happened, both dates are the same."""
    return EscapeEventFactory(offender=offender, occurred_on=day, convicted_on=day, **kwargs)


def test_an_escape_a_year_ago_to_the_day_is_in_the_one_to_three_year_band(offender, option_of):
    convicted_escape(offender, today() - relativedelta(years=1))
    assert option_of(offender, "A.2.1") == "1_3y"


def test_an_escape_a_day_short_of_a_year_is_under_one_year(offender, option_of):
    convicted_escape(offender, today() - relativedelta(years=1) + ONE_DAY)
    assert option_of(offender, "A.2.1") == "under_1y"


def test_the_later_conviction_date_counts_and_police_custody_attempts_are_included(
    offender, prepopulated, option_on
):
    event = EscapeEventFactory(
        offender=offender,
        kind=EscapeKind.ATTEMPT,
        custody=EscapeCustody.POLICE,
        occurred_on=days_ago(2000),
        convicted_on=days_ago(100),
    )
    answer = prepopulated(offender)["A.2.1"]
    assert answer.option == "under_1y"
    assert answer.sources[0].label == "classification.EscapeEvent" and answer.sources[0].pk == event.pk
    # The band falls when a year has passed since the conviction: "this score falls on ...".
    assert answer.changes_on == days_ago(100) + relativedelta(years=1)
    assert answer.changes_to == "1_3y"
    assert option_on(offender, "A.2.1", answer.changes_on - ONE_DAY) == "under_1y"
    assert option_on(offender, "A.2.1", answer.changes_on) == "1_3y"
    assert answer.change_note.startswith("This score falls on ")


def test_an_escape_conviction_behind_the_current_sentence_counts(db, option_of):
    sentence = prison_sentence()
    ConvictionFactory(
        sentence=sentence,
        offence=offence("300", categories=[OffenceCategory.ESCAPE]),
        convicted_on=today() - relativedelta(years=3) + ONE_DAY,
    )
    assert option_of(sentence.offender, "A.2.1") == "1_3y"


def test_escapes_three_and_five_years_ago_fall_into_the_older_bands(db, option_of):
    three, five = prison_sentence().offender, prison_sentence().offender
    convicted_escape(three, today() - relativedelta(years=3))
    convicted_escape(five, today() - relativedelta(years=5))
    assert option_of(three, "A.2.1") == "3_5y"
    assert option_of(five, "A.2.1") == "5y_plus"


# --- A.3.1 stability ------------------------------------------------------------------------


def test_a_medical_opinion_of_instability_counts_for_six_months(offender, prepopulated, option_on):
    alert = AtRiskAlertFactory(offender=offender, raised_on=months_ago(6))
    HealthStabilityAssessmentFactory(
        offender=offender, assessed_on=months_ago(6), stability=Stability.UNSTABLE, medical_opinion=True
    )
    answer = prepopulated(offender)["A.3.1"]
    assert answer.option == "U"
    assert ("classification.AtRiskAlert", alert.pk) in {(s.label, s.pk) for s in answer.sources}
    # The opinion is on the window's first day, so the item falls to S within days (month ends).
    assert today() < answer.changes_on <= today() + 4 * ONE_DAY and answer.changes_to == "S"
    assert option_on(offender, "A.3.1", answer.changes_on - ONE_DAY) == "U"


def test_an_instability_opinion_older_than_six_months_gives_stable(offender, option_of):
    HealthStabilityAssessmentFactory(
        offender=offender,
        assessed_on=months_ago(6) - ONE_DAY,
        stability=Stability.UNSTABLE,
        medical_opinion=True,
    )
    assert option_of(offender, "A.3.1") == "S"


# --- A.4.1 / A.4.2 --------------------------------------------------------------------------


def test_most_serious_current_offence_ignores_completed_sentences(db, prepopulated):
    sentence = prison_sentence()
    top = ConvictionFactory(sentence=sentence, offence=offence("999.99"))
    ConvictionFactory(sentence=sentence, offence=offence("20"))
    completed_sentence(sentence.offender, days_ago(900), seriousness="5000")
    answer = prepopulated(sentence.offender)["A.4.1"]
    assert answer.option == "M"
    assert answer.sources[0].pk == top.pk and "999.99" in answer.sources[0].description


def test_most_serious_outstanding_charge_ignores_disposed_charges(offender, option_of):
    ChargeFactory(offender=offender, offence=offence("19.90"))
    ChargeFactory(
        offender=offender,
        offence=offence("1000"),
        outstanding=False,
        outcome="dismissed",
        disposed_on=days_ago(1),
        charged_on=days_ago(10),
    )
    assert option_of(offender, "A.4.2") == "VL"


def test_no_outstanding_charge_scores_none(offender, option_of):
    assert option_of(offender, "A.4.2") == "none"


# --- A.4.3 / A.4.4 Corrections Act ----------------------------------------------------------


def test_corrections_act_charges_count_for_three_months_split_by_drugs_violence_escape(
    offender, prepopulated, option_on
):
    charged = CorrectionsActStatus.CHARGED
    IncidentReportFactory(offender=offender, occurred_on=months_ago(3), corrections_act=charged)
    IncidentReportFactory(
        offender=offender, occurred_on=days_ago(5), corrections_act=CorrectionsActStatus.PROVEN
    )
    IncidentReportFactory(offender=offender, occurred_on=months_ago(3) - ONE_DAY, corrections_act=charged)
    IncidentReportFactory(offender=offender, occurred_on=days_ago(5))  # not charged
    IncidentReportFactory(
        offender=offender, occurred_on=months_ago(3), corrections_act=charged, drugs_related=True
    )
    answers = prepopulated(offender)
    assert answers["A.4.3"].option == "2"
    assert answers["A.4.4"].option == "1"
    # The edge report leaves the window next (tomorrow, or within days at a month end).
    assert today() < answers["A.4.3"].changes_on <= today() + 4 * ONE_DAY
    assert answers["A.4.3"].changes_to == "1"
    assert option_on(offender, "A.4.3", answers["A.4.3"].changes_on - ONE_DAY) == "2"


def test_three_corrections_act_charges_are_three_or_more(offender, option_of):
    for _ in range(4):
        IncidentReportFactory(offender=offender, corrections_act=CorrectionsActStatus.CHARGED)
    assert option_of(offender, "A.4.3") == "3_plus"


# --- A.4.5 / A.4.6 other Acts ---------------------------------------------------------------


def test_other_act_charges_count_three_months_excluding_drugs_violence_escape(offender, option_of):
    ChargeFactory(offender=offender, offence=offence(), charged_on=months_ago(3))
    ChargeFactory(offender=offender, offence=offence(), charged_on=months_ago(3) - ONE_DAY)
    ChargeFactory(
        offender=offender, offence=offence(categories=[OffenceCategory.DRUGS]), charged_on=months_ago(3)
    )
    ChargeFactory(offender=offender, offence=offence(act="Corrections Act 2004"), charged_on=days_ago(3))
    assert option_of(offender, "A.4.5") == "1"


def test_drugs_violence_escape_under_other_acts_count_for_four_months(offender, prepopulated):
    violent = offence(categories=[OffenceCategory.VIOLENCE])
    ChargeFactory(offender=offender, offence=violent, charged_on=months_ago(4))
    ChargeFactory(offender=offender, offence=violent, charged_on=months_ago(4) - ONE_DAY)
    ChargeFactory(
        offender=offender, offence=offence(), charged_on=months_ago(4)
    )  # other, 4 months: outside A.4.5
    answers = prepopulated(offender)
    assert answers["A.4.6"].option == "1"
    assert answers["A.4.5"].option == "0"


def test_a_charge_and_its_conviction_are_one_matter(offender, option_of):
    violent = offence(categories=[OffenceCategory.VIOLENCE])
    later = prison_sentence(offender=offender, start_date=days_ago(10))
    charge = ChargeFactory(
        offender=offender,
        offence=violent,
        charged_on=days_ago(40),
        outstanding=False,
        outcome="convicted",
        disposed_on=days_ago(10),
    )
    ConvictionFactory(sentence=later, offence=violent, charge=charge, convicted_on=days_ago(10))
    assert option_of(offender, "A.4.6") == "1"


def test_the_offence_of_the_initial_sentence_is_excluded(db, option_of):
    sentence = prison_sentence(start_date=days_ago(20))
    charge = ChargeFactory(
        offender=sentence.offender,
        offence=offence(categories=[OffenceCategory.DRUGS]),
        charged_on=days_ago(60),
        outstanding=False,
        outcome="convicted",
        disposed_on=days_ago(20),
    )
    ConvictionFactory(sentence=sentence, offence=charge.offence, charge=charge, convicted_on=days_ago(20))
    assert option_of(sentence.offender, "A.4.6") == "0"


# --- A.5 cooperation ------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "option"), [(0, "good"), (1, "average"), (2, "average"), (3, "poor")])
def test_negative_attitude_reports_over_six_months(offender, option_of, count, option):
    for _ in range(count):
        IncidentReportFactory(offender=offender, occurred_on=months_ago(6), negative_attitude=True)
    IncidentReportFactory(offender=offender, occurred_on=months_ago(6) - ONE_DAY, negative_attitude=True)
    assert option_of(offender, "A.5.1") == option


@pytest.mark.parametrize(
    ("code", "incident_type"), [("A.5.2", IncidentType.STAFF_REQUEST), ("A.5.4", IncidentType.PRISON_RULES)]
)
def test_staff_request_and_rule_file_notes_grade_good_average_poor(
    offender, prepopulated, code, incident_type
):
    assert prepopulated(offender)[code].option == "good"
    IncidentReportFactory(offender=offender, incident_type=incident_type)
    assert prepopulated(offender)[code].option == "average"
    IncidentReportFactory(offender=offender, incident_type=incident_type)
    IncidentReportFactory(offender=offender, incident_type=incident_type)
    assert prepopulated(offender)[code].option == "poor"


def test_one_negative_interaction_is_still_good(offender, prepopulated):
    IncidentReportFactory(offender=offender, incident_type=IncidentType.INTERACTION)
    assert prepopulated(offender)["A.5.3"].option == "good"
    IncidentReportFactory(offender=offender, incident_type=IncidentType.INTERACTION)
    assert prepopulated(offender)["A.5.3"].option == "average"


def test_motivation_all_completed_is_good_some_is_average_none_is_poor(db, option_of):
    good, average, poor = (prison_sentence().offender for _ in range(3))
    SentencePlanActivityFactory(offender=good, status=ActivityStatus.COMPLETED)
    SentencePlanActivityFactory(offender=good, status=ActivityStatus.UNAVAILABLE)
    SentencePlanActivityFactory(offender=average, status=ActivityStatus.COMPLETED)
    SentencePlanActivityFactory(offender=average, status=ActivityStatus.ATTENDED)
    SentencePlanActivityFactory(offender=poor, status=ActivityStatus.SCHEDULED)
    SentencePlanActivityFactory(
        offender=poor, status=ActivityStatus.COMPLETED, scheduled_on=months_ago(6) - ONE_DAY
    )
    assert [option_of(o, "A.5.5") for o in (good, average, poor)] == ["good", "average", "poor"]


def test_motivation_is_good_when_the_plan_changed_to_intervention(offender, option_of):
    SentencePlanActivityFactory(offender=offender, status=ActivityStatus.SCHEDULED)
    SentencePlanCategoryChangeFactory(offender=offender, changed_on=months_ago(6))
    assert option_of(offender, "A.5.5") == "good"


def test_motivation_is_good_when_activities_were_unavailable(offender, option_of):
    SentencePlanActivityFactory(offender=offender, status=ActivityStatus.UNAVAILABLE)
    assert option_of(offender, "A.5.5") == "good"


# --- B.3 ------------------------------------------------------------------------------------


def test_time_left_runs_to_the_earliest_of_hearing_ped_and_srd(db, prepopulated, option_on):
    release = today() + relativedelta(months=6)
    sentence = prison_sentence(
        start_date=days_ago(400),
        statutory_release_date=today() + relativedelta(years=3),
        parole_eligibility_date=today() + relativedelta(years=2),
        parole_hearing_date=release,
    )
    answer = prepopulated(sentence.offender)["B.3.1"]
    assert answer.option == "6_12m"
    assert today() < answer.changes_on <= today() + 4 * ONE_DAY
    assert option_on(sentence.offender, "B.3.1", answer.changes_on - ONE_DAY) == "6_12m"
    assert answer.changes_to == "under_6m"
    assert option_on(sentence.offender, "B.3.1", answer.changes_on) == "under_6m"


def test_time_left_a_day_short_of_six_months_is_under_six_months(db, option_of):
    sentence = prison_sentence(
        start_date=days_ago(400), parole_eligibility_date=today() + relativedelta(months=6) - ONE_DAY
    )
    assert option_of(sentence.offender, "B.3.1") == "under_6m"


def test_time_left_of_five_years_is_the_longest_band(db, option_of):
    sentence = prison_sentence(
        start_date=days_ago(10),
        end_date=today() + relativedelta(years=10),
        statutory_release_date=today() + relativedelta(years=5),
    )
    assert option_of(sentence.offender, "B.3.1") == "5y_plus"


def test_a_removal_order_is_suggested_until_revoked(offender, option_of):
    order = RemovalOrderFactory(offender=offender)
    assert option_of(offender, "B.3.2") == "yes"
    revoked = prison_sentence().offender
    RemovalOrderFactory(offender=revoked, revoked_on=days_ago(1), made_on=order.made_on)
    assert option_of(revoked, "B.3.2") == "no"


# --- B.4 ------------------------------------------------------------------------------------


def test_previous_conviction_counts_for_seven_years_to_the_day(db, prepopulated, option_on):
    inside, outside = prison_sentence().offender, prison_sentence().offender
    completed_sentence(inside, months_ago(84), seriousness="1000")
    completed_sentence(outside, months_ago(84) - ONE_DAY, seriousness="1000")
    answers = prepopulated(inside)
    assert (answers["B.4.1"].option, answers["B.4.2"].option) == ("H", "5_7y")
    assert today() < answers["B.4.1"].changes_on <= today() + 4 * ONE_DAY
    assert answers["B.4.1"].changes_to == "none"
    assert option_on(inside, "B.4.1", answers["B.4.1"].changes_on - ONE_DAY) == "H"
    assert (prepopulated(outside)["B.4.1"].option, prepopulated(outside)["B.4.2"].option) == ("none", "none")


def test_a_first_conviction_scores_none_because_current_offences_are_excluded(offender, option_of):
    assert option_of(offender, "B.4.1") == "none"


def test_time_since_the_previous_conviction_two_years_edge(db, option_of):
    two, under = prison_sentence().offender, prison_sentence().offender
    completed_sentence(two, today() - relativedelta(years=2), seriousness="50")
    completed_sentence(under, today() - relativedelta(years=2) + ONE_DAY, seriousness="50")
    assert option_of(two, "B.4.1") == "L"
    assert option_of(two, "B.4.2") == "2_5y"
    assert option_of(under, "B.4.2") == "under_2y"


def test_information_from_other_sources_uses_the_latest_assessment(offender, prepopulated):
    PoliceInformationFactory(offender=offender, level=RiskLevel.HIGH, received_on=days_ago(200))
    latest = PoliceInformationFactory(offender=offender, level=RiskLevel.LOW, received_on=days_ago(2))
    answer = prepopulated(offender)["B.4.3"]
    assert answer.option == "L" and answer.sources[0].pk == latest.pk
    assert prepopulated(OffenderFactory())["B.4.3"].option == "none"


# --- window arithmetic at month ends ---------------------------------------------------------


def test_window_edges_are_exact_on_every_day_including_month_ends():
    start = datetime.date(2027, 1, 1)
    for offset in range(800):  # includes 29 February 2028 and every 31st
        day = start + datetime.timedelta(days=offset)
        for months in (3, 4, 6, 84):
            leaves = leaves_window(day, months)
            assert within_months(day, leaves - ONE_DAY, months) and not within_months(day, leaves, months)
        for months, edge in zip((12, 36), _anniversaries(day, (12, 36)), strict=True):
            assert full_months_between(day, edge - ONE_DAY) < months <= full_months_between(day, edge)
        for months, edge in zip((6, 24), _countdown(day, (6, 24)), strict=True):
            assert full_months_between(edge - ONE_DAY, day) >= months > full_months_between(edge, day)
