"""The sentence page's 'Key dates': the calculation of the offender's current sentences of
imprisonment (sentences/calculation.py) with its breakdown, beside the dates recorded on the
sentence, and a warning where a recorded PED or SRD differs (docs/sentence-calculation.md)."""

import datetime
import math
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from sentences.calculation import day_label
from sentences.models import SentenceStatus, SentenceType
from tests.factories import ConvictionFactory, OffenderFactory, SentenceFactory
from tests.web_records.helpers import text

pytestmark = pytest.mark.django_db

START = timezone.localdate() - datetime.timedelta(days=30)
SRD_WARNING = "The recorded statutory release date differs from the calculation"
PED_WARNING = "The recorded parole eligibility date differs from the calculation"


@pytest.fixture
def offender(office):
    return OffenderFactory(home_office=office)


THREE_YEARS = relativedelta(years=3)


def prison(offender, *, start=START, term=THREE_YEARS, **fields) -> object:
    """A sentence of imprisonment whose recorded PED and SRD are the calculation's, unless given."""
    end = start + term
    days = (end - start).days
    long_term = end > start + relativedelta(years=2)
    fields.setdefault(
        "parole_eligibility_date", start + datetime.timedelta(days=math.ceil(days / 3)) if long_term else None
    )
    fields.setdefault(
        "statutory_release_date", end if long_term else start + datetime.timedelta(days=math.ceil(days / 2))
    )
    sentence = SentenceFactory(
        offender=offender,
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=start,
        start_date=start,
        end_date=end,
        **fields,
    )
    ConvictionFactory(sentence=sentence)
    return sentence


def page_of(client, sentence):
    response = client.get(reverse("sentences:detail", kwargs={"pk": sentence.pk}))
    assert response.status_code == 200
    return response


def steps_of(response) -> list[str]:
    html = response.content.decode()
    [steps] = re.findall(r"<ol [^>]*data-calculation-steps[^>]*>(.*?)</ol>", html, flags=re.S)
    return [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", steps, flags=re.S)]


def test_the_page_shows_the_breakdown_and_no_warning_when_the_recorded_dates_agree(
    as_user, probation_officer, offender
):
    sentence = prison(offender, court_case_number="CRI-2026-085-000101")

    response = page_of(as_user(probation_officer), sentence)

    page = text(response)
    assert "Key dates" in page
    steps = steps_of(response)
    assert steps[0].startswith("CRI-2026-085-000101:")
    assert "More than 2 years: a long-term sentence." in steps
    assert f"Statutory release at the sentence expiry date: {day_label(sentence.end_date)}." in steps
    assert (
        f"Statutory release date (SRD) {day_label(sentence.statutory_release_date)} "
        f"{day_label(sentence.statutory_release_date)}"
    ) in page
    assert "differs from the calculation" not in page
    assert "data-key-dates-warning" not in response.content.decode()


def test_a_recorded_srd_that_differs_is_shown_with_a_warning(as_user, probation_officer, offender):
    sentence = prison(offender, term=relativedelta(months=18))
    calculated = sentence.statutory_release_date
    sentence.statutory_release_date = calculated + datetime.timedelta(days=7)
    sentence.save()

    response = page_of(as_user(probation_officer), sentence)

    page = text(response)
    assert (
        f"Warning {SRD_WARNING}: recorded {day_label(calculated + datetime.timedelta(days=7))}, "
        f"calculated {day_label(calculated)}."
    ) in page
    assert PED_WARNING not in page
    html = response.content.decode()
    # The GOV.UK warning text: the icon hidden from screen readers, the word "Warning" read out.
    assert re.search(
        r'<span class="warning-text__icon" aria-hidden="true">!</span>\s*<strong class="warning-text__text">'
        r'<span class="visually-hidden">Warning</span> ' + SRD_WARNING,
        html,
    )


def test_a_missing_ped_on_a_long_term_sentence_is_warned_about(as_user, probation_officer, offender):
    sentence = prison(offender, parole_eligibility_date=None)
    page = text(page_of(as_user(probation_officer), sentence))
    assert "No parole eligibility date is recorded, but the calculation gives one" in page
    assert SRD_WARNING not in page


def test_cumulative_sentences_are_calculated_together_on_each_ones_page(as_user, probation_officer, offender):
    """18 + 18 months cumulative: a long-term notional sentence of 3 years (Parole Act 2002 s 75)."""
    first = prison(offender, term=relativedelta(months=18), court_case_number="CRI-A")
    second = prison(offender, term=relativedelta(months=18), court_case_number="CRI-B", consecutive_to=first)

    response = page_of(as_user(probation_officer), second)

    page = text(response)
    assert "this sentence and the offender's 1 other current sentence of imprisonment" in page
    steps = steps_of(response)
    assert any(step.startswith("CRI-B:") and "cumulative on CRI-A" in step for step in steps)
    assert "More than 2 years: a long-term sentence." in steps
    # The short-term dates recorded on the second sentence differ from the notional sentence's:
    # its SRD, and the PED a long-term notional sentence has and a short-term one does not.
    assert SRD_WARNING in page
    assert "No parole eligibility date is recorded, but the calculation gives one" in page


def test_remand_credit_and_a_minimum_period_appear_in_the_breakdown(as_user, probation_officer, offender):
    sentence = prison(offender, term=relativedelta(years=6), remand_days=40, minimum_period_months=36)
    steps = " ".join(steps_of(page_of(as_user(probation_officer), sentence)))
    assert "minimum period of imprisonment 36 months" in steps
    assert "Time on remand counts as served: 40 days earlier" in steps


def test_an_indeterminate_sentence_has_no_srd_and_parole_at_its_minimum_period(
    as_user, probation_officer, offender
):
    life = SentenceFactory(
        offender=offender,
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=START,
        start_date=START,
        end_date=None,
        indeterminate=True,
        minimum_period_months=120,
        parole_eligibility_date=START + relativedelta(months=120),
    )
    response = page_of(as_user(probation_officer), life)
    page = text(response)
    assert "An indeterminate sentence is long-term and has no statutory release date." in steps_of(response)
    assert "differs from the calculation" not in page


def test_a_community_sentence_has_no_key_dates_section(as_user, probation_officer, offender):
    supervision = SentenceFactory(offender=offender)
    assert "Key dates" not in text(page_of(as_user(probation_officer), supervision))


def test_a_completed_sentence_says_it_is_no_longer_calculated(as_user, probation_officer, offender):
    served = prison(
        offender,
        start=START - datetime.timedelta(days=800),
        term=relativedelta(years=1),
        status=SentenceStatus.COMPLETED,
        completion_reason="normal",
        completed_on=START,
    )
    page = text(page_of(as_user(probation_officer), served))
    assert "This sentence is completed: it is no longer part of the sentence calculation." in page
    assert "differs from the calculation" not in page


def test_the_view_of_the_key_dates_is_audited_as_the_page_was(as_user, probation_officer, offender):
    sentence = prison(offender)
    page_of(as_user(probation_officer), sentence)
    [view] = AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="sentences.Sentence", object_id=str(sentence.pk)
    )
    assert view.actor == probation_officer and view.offender_id == offender.pk


def test_the_page_reads_as_many_queries_for_one_sentence_as_for_six(as_user, probation_officer, office):
    def queries_for_page_of(sentences: int) -> int:
        offender = OffenderFactory(home_office=office)
        sentence = previous = prison(offender)
        for _ in range(sentences - 1):
            previous = prison(offender, consecutive_to=previous)
        client = as_user(probation_officer)
        page_of(client, sentence)  # the session and the caches
        with CaptureQueriesContext(connection) as queries:
            page_of(client, sentence)
        return len(queries)

    assert queries_for_page_of(1) == queries_for_page_of(6)
