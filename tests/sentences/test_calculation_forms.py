"""Recording and changing a sentence's 'cumulative on', remand credit and minimum period, on the
sentence forms and over the API: the same rules (Sentence.clean through the services), errors next
to the field, nothing saved on bad input."""

import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import OutboxEvent
from sentences.models import Sentence, SentenceStatus, SentenceType
from tests.factories import CourtFactory, OffenceFactory, OffenderFactory, SentenceFactory

pytestmark = pytest.mark.django_db

START = timezone.localdate() - datetime.timedelta(days=30)
URL = "/api/v1/sentences/"


@pytest.fixture
def offender(office):
    return OffenderFactory(home_office=office)


@pytest.fixture
def court(db):
    return CourtFactory()


@pytest.fixture
def offence(db):
    return OffenceFactory(code="BURG01")


@pytest.fixture
def web(client, admin_support):
    client.force_login(admin_support)
    return client


@pytest.fixture
def api(admin_support):
    client = APIClient()
    client.force_login(admin_support)
    return client


def prison(offender, *, start=START, years=3, **fields) -> Sentence:
    return SentenceFactory(
        offender=offender,
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=start,
        start_date=start,
        end_date=start + relativedelta(years=years),
        statutory_release_date=start + relativedelta(years=years),
        **fields,
    )


def form_data(offender, court, offence, **overrides) -> dict:
    end = START + relativedelta(years=4)
    data = {
        "sentence_type": SentenceType.IMPRISONMENT,
        "court": court.pk,
        "court_case_number": "CRI-2026-085-000777",
        "order_date": START.isoformat(),
        "start_date": START.isoformat(),
        "end_date": end.isoformat(),
        "parole_eligibility_date": "",
        "statutory_release_date": end.isoformat(),
        "parole_hearing_date": "",
        "hours": "",
        "conditions": "",
        "managing_office": offender.home_office_id,
        "consecutive_to": "",
        "remand_days": "",
        "minimum_period_months": "",
        "convictions-TOTAL_FORMS": "1",
        "convictions-INITIAL_FORMS": "0",
        "convictions-MIN_NUM_FORMS": "1",
        "convictions-MAX_NUM_FORMS": "30",
        "convictions-0-offence_code": offence.code,
        "convictions-0-convicted_on": START.isoformat(),
    }
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def choices_of(response) -> list[int]:
    field = response.context["form"].fields["consecutive_to"]
    return [choice.pk for choice in field.queryset]


# --- the browser forms -------------------------------------------------------------------------------


def test_cumulative_on_offers_only_the_offenders_other_current_sentences_of_imprisonment(
    web, offender, office
):
    current = prison(offender, court_case_number="CRI-2026-085-000001")
    pending = prison(offender, status=SentenceStatus.PENDING)
    prison(
        offender,
        start=START - relativedelta(years=4),
        status=SentenceStatus.COMPLETED,
        completion_reason="normal",
        completed_on=START,
    )
    SentenceFactory(offender=offender)  # supervision
    prison(OffenderFactory(home_office=office))

    response = web.get(reverse("sentences:create", kwargs={"offender_pk": offender.pk}))

    assert sorted(choices_of(response)) == sorted([current.pk, pending.pk])
    html = response.content.decode()
    assert "Concurrent (not cumulative on another sentence)" in html
    assert f"CRI-2026-085-000001: Imprisonment from {START:%-d %b %Y}" in html
    assert "Time on remand credited (days)" in html and "Minimum period of imprisonment (months)" in html
    assert 'name="consecutive_to"' in html and 'data-applies-to="imprisonment"' in html
    # Blank, not 0: a field holding a value stays shown whatever the type (sentence-form.js).
    [remand_input] = re.findall(r'<input[^>]*name="remand_days"[^>]*>', html)
    assert "value=" not in remand_input


def test_staff_record_a_sentence_cumulative_on_another_with_remand_and_a_minimum_period(
    web, offender, court, offence
):
    first = prison(offender)

    response = web.post(
        reverse("sentences:create", kwargs={"offender_pk": offender.pk}),
        form_data(
            offender, court, offence, consecutive_to=first.pk, remand_days=45, minimum_period_months=20
        ),
    )

    sentence = Sentence.objects.exclude(pk=first.pk).get()
    assert response.status_code == 302, response.context["form"].errors
    assert (sentence.consecutive_to, sentence.remand_days, sentence.minimum_period_months) == (first, 45, 20)


def test_a_blank_remand_credit_is_none(web, offender, court, offence):
    web.post(
        reverse("sentences:create", kwargs={"offender_pk": offender.pk}), form_data(offender, court, offence)
    )
    assert Sentence.objects.get().remand_days == 0


def test_a_refused_field_shows_its_error_beside_it_and_saves_nothing(web, offender, court, offence):
    response = web.post(
        reverse("sentences:create", kwargs={"offender_pk": offender.pk}),
        form_data(offender, court, offence, minimum_period_months=6),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "longer than one third of the term" in errors["minimum_period_months"][0]
    assert "longer than one third of the term" in response.content.decode()
    assert not Sentence.objects.exists()


def test_the_edit_form_shows_and_changes_the_fields(web, offender):
    first = prison(offender)
    second = prison(offender, remand_days=10)
    url = reverse("sentences:edit", kwargs={"pk": second.pk})

    response = web.get(url)
    assert choices_of(response) == [first.pk]  # never itself
    assert response.context["form"].initial["remand_days"] == 10

    data = {
        name: "" if value is None else value
        for name, value in response.context["form"].initial.items()
        if name in response.context["form"].fields
    }
    data = {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in data.items()}
    data.update(consecutive_to=first.pk, remand_days=12, reason="Court order amended")
    data = {name: value for name, value in data.items() if value is not False}
    response = web.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    second.refresh_from_db()
    assert (second.consecutive_to, second.remand_days) == (first, 12)
    changed = OutboxEvent.objects.get(event_type="SentenceChanged")
    assert set(changed.payload["changes"]) == {"consecutive_to", "remand_days"}


def test_the_edit_form_refuses_a_circle_of_cumulative_sentences(web, offender):
    first = prison(offender)
    second = prison(offender, consecutive_to=first)
    url = reverse("sentences:edit", kwargs={"pk": first.pk})
    form = web.get(url).context["form"]
    data = {
        name: (value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else value))
        for name, value in form.initial.items()
        if name in form.fields and value is not False
    }
    data["consecutive_to"] = second.pk

    response = web.post(url, data)

    assert response.context["form"].errors["consecutive_to"] == [
        "A sentence cannot be cumulative on itself, directly or through others."
    ]
    first.refresh_from_db()
    assert first.consecutive_to is None


# --- the API -----------------------------------------------------------------------------------------


def api_body(offender, court, offence, **fields) -> dict:
    end = START + relativedelta(years=4)
    body = {
        "offender": offender.pk,
        "sentence_type": "imprisonment",
        "court": court.pk,
        "order_date": START.isoformat(),
        "start_date": START.isoformat(),
        "end_date": end.isoformat(),
        "statutory_release_date": end.isoformat(),
        "managing_office": offender.home_office_id,
        "convictions": [{"offence": offence.pk, "convicted_on": START.isoformat()}],
    }
    body.update(fields)
    return body


def test_the_api_records_and_shows_the_fields(api, offender, court, offence):
    first = prison(offender)

    response = api.post(
        URL,
        api_body(offender, court, offence, consecutive_to=first.pk, remand_days=30, minimum_period_months=18),
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["consecutive_to"], body["remand_days"], body["minimum_period_months"]) == (first.pk, 30, 18)
    listed = {row["id"]: row for row in api.get(URL, {"offender": offender.pk}).json()["results"]}
    assert listed[body["id"]]["consecutive_to"] == first.pk
    assert listed[first.pk]["remand_days"] == 0


def test_the_api_changes_the_fields_through_the_service(api, offender):
    first = prison(offender)
    second = prison(offender)

    response = api.patch(f"{URL}{second.pk}/", {"consecutive_to": first.pk, "remand_days": 7}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["consecutive_to"] == first.pk
    changed = OutboxEvent.objects.get(event_type="SentenceChanged")
    assert set(changed.payload["changes"]) == {"consecutive_to", "remand_days"}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"remand_days": 5000}, "remand_days", "cannot be more than the term"),
        ({"minimum_period_months": 121}, "minimum_period_months", "at most"),
        (
            {"sentence_type": "supervision", "statutory_release_date": None, "remand_days": 3},
            "remand_days",
            "Only imprisonment",
        ),
    ],
)
def test_the_api_refuses_bad_values_naming_the_field(api, offender, court, offence, fields, field, message):
    response = api.post(URL, api_body(offender, court, offence, **fields), format="json")

    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert not Sentence.objects.exists()


def test_the_api_refuses_a_sentence_cumulative_on_another_offenders(api, offender, court, offence, office):
    theirs = prison(OffenderFactory(home_office=office))
    response = api.post(URL, api_body(offender, court, offence, consecutive_to=theirs.pk), format="json")
    assert response.status_code == 400
    assert response.json()["consecutive_to"] == [
        "A sentence can only be cumulative on another sentence of the same offender."
    ]


def test_the_api_answers_alike_for_another_offenders_sentence_and_one_that_does_not_exist(
    api, offender, court, offence, office
):
    theirs = prison(OffenderFactory(home_office=office))
    missing = Sentence.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000

    answers = [
        api.post(URL, api_body(offender, court, offence, consecutive_to=pk), format="json").json()
        for pk in (theirs.pk, missing)
    ]

    assert answers[0]["consecutive_to"] == answers[1]["consecutive_to"]
