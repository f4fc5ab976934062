"""Sentence pages: recording a sentence with its convictions, changing it, events, completion and
charges — each happy path, the errors a user sees next to the fields, and refusals."""

import pytest
from django.urls import reverse

from audit.models import AuditAction
from sentences.models import (
    Charge,
    CompletionReason,
    Sentence,
    SentenceEvent,
    SentenceEventKind,
    SentenceStatus,
    SentenceType,
)
from staff.roles import Role
from tests.factories import (
    AllocationFactory,
    ChargeFactory,
    ConvictionFactory,
    OffenceFactory,
    OfficeFactory,
    SentenceFactory,
)
from tests.web_records.helpers import field_errors, text

pytestmark = pytest.mark.django_db


def iso(value) -> str:
    return value.isoformat() if value else ""


@pytest.fixture
def sentence_post(office, court, burglary, today, days):
    """sentence_post(**overrides) -> the POST data of the sentence form with one conviction."""

    def build(convictions=None, **overrides):
        order = today - days(10)
        data = {
            "sentence_type": SentenceType.SUPERVISION,
            "court": court.pk,
            "court_case_number": "CRI-2026-085-001234",
            "order_date": iso(order),
            "start_date": iso(order),
            "end_date": iso(order + days(365)),
            "parole_eligibility_date": "",
            "statutory_release_date": "",
            "parole_hearing_date": "",
            "hours": "",
            "conditions": "Attend a drug and alcohol programme.",
            "managing_office": office.pk,
        }
        data.update(
            {key: iso(value) if hasattr(value, "isoformat") else value for key, value in overrides.items()}
        )
        rows = (
            convictions
            if convictions is not None
            else [
                {
                    "offence_code": burglary.code.lower(),
                    "convicted_on": data["order_date"],
                    "offence_date": "2020-01-01",
                }
            ]
        )
        data.update(
            {
                "convictions-TOTAL_FORMS": str(max(len(rows), 1) + 1),
                "convictions-INITIAL_FORMS": "0",
                "convictions-MIN_NUM_FORMS": "1",
                "convictions-MAX_NUM_FORMS": "30",
            }
        )
        for index, row in enumerate(rows):
            for key, value in row.items():
                data[f"convictions-{index}-{key}"] = value
        return data

    return build


@pytest.fixture
def sentence(offender, court):
    sentence = SentenceFactory(offender=offender, court=court, conditions="Report weekly.")
    ConvictionFactory(sentence=sentence)
    return sentence


# --- recording a sentence --------------------------------------------------------------------------


def test_admin_support_records_a_sentence_whose_conviction_disposes_of_a_charge(
    as_user, admin_support, offender, burglary, sentence_post, audit_rows, today
):
    charge = ChargeFactory(offender=offender, offence=burglary)
    data = sentence_post()
    data["convictions-0-charge"] = str(charge.pk)

    response = as_user(admin_support).post(
        reverse("sentences:create", kwargs={"offender_pk": offender.pk}), data, follow=True
    )

    sentence = Sentence.objects.get(offender=offender)
    assert response.redirect_chain[-1][0] == reverse("sentences:detail", kwargs={"pk": sentence.pk})
    page = text(response)
    assert "Recorded Supervision" in page
    assert "Wellington District Court" in page
    assert "CRI-2026-085-001234" in page
    assert "BURG01 Burglary" in page
    assert "Attend a drug and alcohol programme." in page
    assert "Court order received" in page
    [conviction] = sentence.convictions.all()
    assert conviction.offence == burglary and conviction.charge == charge
    charge.refresh_from_db()
    assert not charge.outstanding and charge.outcome == Charge.Outcome.CONVICTED
    [event] = sentence.events.all()
    assert event.kind == SentenceEventKind.ORDER_RECEIVED and event.recorded_by == admin_support
    assert [row.action for row in audit_rows(sentence)] == [AuditAction.CREATE, AuditAction.VIEW]


def test_the_form_says_which_sentence_types_each_field_applies_to(as_user, admin_support, offender, burglary):
    response = as_user(admin_support).get(reverse("sentences:create", kwargs={"offender_pk": offender.pk}))

    html = response.content.decode()
    assert "Community work only: 40 to 400 hours." in html
    assert 'data-applies-to="community_work"' in html
    assert 'data-applies-to="imprisonment"' in html
    assert 'list="offence-codes"' in html
    assert '<option value="BURG01">Burglary</option>' in html
    assert "js/sentence-form.js" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"sentence_type": SentenceType.COMMUNITY_WORK, "conditions": ""},
            "hours",
            "Community work needs its number of hours (40 to 400).",
        ),
        ({"end_date": "2001-01-01"}, "end_date", "The end date cannot be before the start date."),
        ({"hours": "120"}, "hours", "Only community work has hours."),
        ({"indeterminate": "on"}, "indeterminate", "Only imprisonment can be indeterminate."),
    ],
)
def test_invalid_sentences_show_the_error_next_to_the_field_and_save_nothing(
    as_user, admin_support, offender, sentence_post, overrides, field, message, audit_rows
):
    response = as_user(admin_support).post(
        reverse("sentences:create", kwargs={"offender_pk": offender.pk}), sentence_post(**overrides)
    )

    assert response.status_code == 200
    assert message in field_errors(response)[field]
    assert message in text(response)
    assert not Sentence.objects.exists()
    assert not SentenceEvent.objects.exists()


def test_a_parole_eligibility_date_after_the_release_date_is_refused(
    as_user, admin_support, offender, sentence_post, today, days
):
    start = today - days(100)
    data = sentence_post(
        sentence_type=SentenceType.IMPRISONMENT,
        conditions="",
        order_date=start,
        start_date=start,
        end_date=start + days(1000),
        statutory_release_date=start + days(500),
        parole_eligibility_date=start + days(600),
    )

    response = as_user(admin_support).post(
        reverse("sentences:create", kwargs={"offender_pk": offender.pk}), data
    )

    assert field_errors(response)["parole_eligibility_date"] == ["The PED cannot be after the SRD."]
    assert not Sentence.objects.exists()


def test_an_imprisonment_sentence_keeps_its_parole_dates(
    as_user, admin_support, offender, sentence_post, today, days
):
    start = today - days(100)
    data = sentence_post(
        sentence_type=SentenceType.IMPRISONMENT,
        conditions="",
        order_date=start,
        start_date=start,
        end_date=start + days(1000),
        statutory_release_date=start + days(1000),
        parole_eligibility_date=start + days(333),
    )

    response = as_user(admin_support).post(
        reverse("sentences:create", kwargs={"offender_pk": offender.pk}), data, follow=True
    )

    sentence = Sentence.objects.get()
    assert sentence.parole_eligibility_date == start + days(333)
    assert f"{(start + days(333)):%-d %b %Y}" in text(response)


def test_an_unknown_offence_code_is_shown_next_to_the_conviction(
    as_user, admin_support, offender, sentence_post, today
):
    data = sentence_post(convictions=[{"offence_code": "NOPE99", "convicted_on": iso(today)}])

    response = as_user(admin_support).post(
        reverse("sentences:create", kwargs={"offender_pk": offender.pk}), data
    )

    conviction_errors = response.context["formset"].forms[0].errors
    assert "NOPE99" in conviction_errors["offence_code"][0]
    assert "No offence in the catalogue has the code" in text(response)
    assert not Sentence.objects.exists()


def test_a_sentence_needs_a_conviction(as_user, admin_support, offender, sentence_post):
    data = sentence_post(convictions=[{"offence_code": "", "convicted_on": ""}])

    response = as_user(admin_support).post(
        reverse("sentences:create", kwargs={"offender_pk": offender.pk}), data
    )

    assert "offence_code" in response.context["formset"].forms[0].errors
    assert not Sentence.objects.exists()


def test_a_conviction_cannot_be_after_the_order_date(
    as_user, admin_support, offender, sentence_post, burglary, today
):
    data = sentence_post(convictions=[{"offence_code": burglary.code, "convicted_on": iso(today)}])

    response = as_user(admin_support).post(
        reverse("sentences:create", kwargs={"offender_pk": offender.pk}), data
    )

    assert response.context["formset"].forms[0].errors["convicted_on"] == [
        "The conviction cannot be after the sentence's order date."
    ]
    assert not Sentence.objects.exists()


def test_two_convictions_can_be_recorded_at_once(
    as_user, admin_support, offender, sentence_post, burglary, today, days
):
    OffenceFactory(code="THEFT1", description="Theft")
    order = today - days(10)
    data = sentence_post(
        convictions=[
            {"offence_code": burglary.code, "convicted_on": iso(order)},
            {"offence_code": "theft1", "convicted_on": iso(order)},
        ]
    )

    as_user(admin_support).post(reverse("sentences:create", kwargs={"offender_pk": offender.pk}), data)

    assert sorted(Sentence.objects.get().convictions.values_list("offence__code", flat=True)) == [
        "BURG01",
        "THEFT1",
    ]


@pytest.mark.parametrize("role", [Role.PROBATION_OFFICER, Role.PRISON_OFFICER, Role.DATA_SHARE])
def test_roles_that_do_not_record_sentences_are_refused(as_user, role_user, offender, sentence_post, role):
    client = as_user(role_user(role))
    url = reverse("sentences:create", kwargs={"offender_pk": offender.pk})

    assert client.get(url).status_code == 403
    assert client.post(url, sentence_post()).status_code == 403
    assert not Sentence.objects.exists()


def test_admin_support_of_another_office_is_refused(as_user, role_user, offender, sentence_post):
    elsewhere = role_user(Role.ADMIN_SUPPORT, at=OfficeFactory(code="CHC01"))

    response = as_user(elsewhere).post(
        reverse("sentences:create", kwargs={"offender_pk": offender.pk}), sentence_post()
    )

    assert response.status_code == 403
    assert not Sentence.objects.exists()


def test_an_unknown_offender_or_sentence_is_not_found(as_user, admin_support):
    client = as_user(admin_support)
    assert client.get(reverse("sentences:create", kwargs={"offender_pk": 999999})).status_code == 404
    assert client.get(reverse("sentences:detail", kwargs={"pk": 999999})).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, sentence):
    response = client.get(reverse("sentences:detail", kwargs={"pk": sentence.pk}))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the sentence page -----------------------------------------------------------------------------


def test_the_sentence_page_shows_its_details_convictions_and_events_and_audits_the_view(
    as_user, probation_officer, sentence, audit_rows, admin_support, today
):
    SentenceEvent.objects.create(
        sentence=sentence,
        kind=SentenceEventKind.APPEAL_SENTENCE,
        occurred_on=today,
        detail="Appeal lodged at the High Court",
        source=SentenceEvent.Source.COURT_INTERFACE,
    )
    conviction = sentence.convictions.get()

    response = as_user(probation_officer).get(reverse("sentences:detail", kwargs={"pk": sentence.pk}))

    page = text(response)
    assert "Supervision" in page and "Active" in page
    assert sentence.court.name in page
    assert "Report weekly." in page
    assert f"{conviction.offence.code} {conviction.offence.description}" in page
    assert "Appeal against sentence Appeal lodged at the High Court" in page
    assert "Court interface (CMS)" in page
    [view] = audit_rows(sentence, AuditAction.VIEW)
    assert view.actor == probation_officer and view.offender_id == sentence.offender_id


def test_the_actions_shown_are_those_the_user_may_take(as_user, probation_officer, admin_support, sentence):
    url = reverse("sentences:detail", kwargs={"pk": sentence.pk})
    edit_url = reverse("sentences:edit", kwargs={"pk": sentence.pk})
    complete_url = reverse("sentences:complete", kwargs={"pk": sentence.pk})

    not_allocated = as_user(probation_officer).get(url).content.decode()
    assert edit_url not in not_allocated and complete_url not in not_allocated

    maintainer = as_user(admin_support).get(url).content.decode()
    assert edit_url in maintainer and complete_url in maintainer

    AllocationFactory(offender=sentence.offender, staff=probation_officer.staff)
    allocated = as_user(probation_officer).get(url).content.decode()
    assert complete_url in allocated


# --- changing a sentence ---------------------------------------------------------------------------


def edit_data(sentence, **overrides):
    data = {
        "sentence_type": sentence.sentence_type,
        "court": sentence.court_id,
        "court_case_number": sentence.court_case_number,
        "order_date": iso(sentence.order_date),
        "start_date": iso(sentence.start_date),
        "end_date": iso(sentence.end_date),
        "parole_eligibility_date": "",
        "statutory_release_date": "",
        "parole_hearing_date": "",
        "hours": "",
        "conditions": sentence.conditions,
        "managing_office": sentence.managing_office_id,
        "reason": "",
    }
    data.update(
        {key: iso(value) if hasattr(value, "isoformat") else value for key, value in overrides.items()}
    )
    return data


def test_changing_a_sentence_records_a_history_event_and_an_audit_row(
    as_user, admin_support, sentence, audit_rows, days
):
    new_end = sentence.end_date + days(30)

    response = as_user(admin_support).post(
        reverse("sentences:edit", kwargs={"pk": sentence.pk}),
        edit_data(sentence, end_date=new_end, reason="Court extended the sentence on review"),
        follow=True,
    )

    sentence.refresh_from_db()
    assert sentence.end_date == new_end
    assert "Court extended the sentence on review" in text(response)
    event = sentence.events.get(kind=SentenceEventKind.DETAILS_CHANGED)
    assert event.recorded_by == admin_support
    [update] = audit_rows(sentence, AuditAction.UPDATE)
    assert update.changes["end_date"][1] == new_end.isoformat()


def test_changing_the_managing_office_is_recorded_as_a_transfer(as_user, admin_support, sentence):
    other = OfficeFactory(code="PNR01", name="Palmerston North Community Corrections")

    as_user(admin_support).post(
        reverse("sentences:edit", kwargs={"pk": sentence.pk}), edit_data(sentence, managing_office=other.pk)
    )

    assert sentence.events.filter(kind=SentenceEventKind.TRANSFER).exists()


def test_an_invalid_change_shows_the_error_and_changes_nothing(
    as_user, admin_support, sentence, days, audit_rows
):
    before = sentence.end_date

    response = as_user(admin_support).post(
        reverse("sentences:edit", kwargs={"pk": sentence.pk}),
        edit_data(sentence, end_date=sentence.start_date - days(1)),
    )

    assert field_errors(response)["end_date"] == ["The end date cannot be before the start date."]
    sentence.refresh_from_db()
    assert sentence.end_date == before
    assert not audit_rows(sentence, AuditAction.UPDATE)
    assert not sentence.events.exists()


def test_a_completed_sentence_cannot_be_changed(as_user, admin_support, sentence, today):
    Sentence.objects.filter(pk=sentence.pk).update(
        status=SentenceStatus.COMPLETED, completion_reason=CompletionReason.NORMAL, completed_on=today
    )

    response = as_user(admin_support).post(
        reverse("sentences:edit", kwargs={"pk": sentence.pk}),
        edit_data(sentence, conditions="New"),
        follow=True,
    )

    assert "A completed sentence cannot be changed." in text(response)
    sentence.refresh_from_db()
    assert sentence.conditions == "Report weekly."


def test_a_probation_officer_not_on_the_case_cannot_change_it(as_user, probation_officer, sentence):
    response = as_user(probation_officer).post(
        reverse("sentences:edit", kwargs={"pk": sentence.pk}), edit_data(sentence, conditions="New")
    )
    assert response.status_code == 403
    sentence.refresh_from_db()
    assert sentence.conditions == "Report weekly."


# --- completion ------------------------------------------------------------------------------------


def test_completing_a_sentence_records_the_reason_and_an_event(
    as_user, admin_support, sentence, today, audit_rows
):
    response = as_user(admin_support).post(
        reverse("sentences:complete", kwargs={"pk": sentence.pk}),
        {
            "reason": CompletionReason.QUASHED,
            "completed_on": iso(today),
            "detail": "Quashed by the Court of Appeal",
        },
        follow=True,
    )

    sentence.refresh_from_db()
    assert sentence.status == SentenceStatus.COMPLETED
    assert sentence.completion_reason == CompletionReason.QUASHED
    page = text(response)
    assert "Completed" in page and "Quashed" in page and "Quashed by the Court of Appeal" in page
    event = sentence.events.get(kind=SentenceEventKind.COMPLETED)
    assert event.completion_reason == CompletionReason.QUASHED and event.recorded_by == admin_support
    assert audit_rows(sentence, AuditAction.UPDATE)[-1].changes["status"] == ["active", "completed"]
    assert reverse("sentences:complete", kwargs={"pk": sentence.pk}) not in response.content.decode()


def test_an_abnormal_completion_needs_its_detail(as_user, admin_support, sentence, today):
    response = as_user(admin_support).post(
        reverse("sentences:complete", kwargs={"pk": sentence.pk}),
        {"reason": CompletionReason.DISCHARGED_EARLY, "completed_on": iso(today), "detail": ""},
    )

    assert field_errors(response)["detail"] == ["Say what ended the sentence (e.g. the court's decision)."]
    sentence.refresh_from_db()
    assert sentence.status == SentenceStatus.ACTIVE
    assert not sentence.events.exists()


def test_a_completion_in_the_future_is_refused(as_user, admin_support, sentence, today, days):
    response = as_user(admin_support).post(
        reverse("sentences:complete", kwargs={"pk": sentence.pk}),
        {"reason": CompletionReason.NORMAL, "completed_on": iso(today + days(3)), "detail": ""},
    )

    assert field_errors(response)["completed_on"] == ["A completion cannot be recorded in the future."]
    sentence.refresh_from_db()
    assert sentence.status == SentenceStatus.ACTIVE


def test_data_share_cannot_complete_a_sentence(as_user, data_share, sentence, today):
    response = as_user(data_share).post(
        reverse("sentences:complete", kwargs={"pk": sentence.pk}),
        {"reason": CompletionReason.NORMAL, "completed_on": iso(today)},
    )
    assert response.status_code == 403
    sentence.refresh_from_db()
    assert sentence.status == SentenceStatus.ACTIVE


# --- events ----------------------------------------------------------------------------------------


def test_an_appeal_is_recorded_on_the_sentence(as_user, admin_support, sentence, today, audit_rows):
    response = as_user(admin_support).post(
        reverse("sentences:event", kwargs={"pk": sentence.pk}),
        {
            "kind": SentenceEventKind.APPEAL_CONVICTION,
            "occurred_on": iso(today),
            "detail": "Notice of appeal filed",
        },
        follow=True,
    )

    event = sentence.events.get()
    assert event.kind == SentenceEventKind.APPEAL_CONVICTION and event.recorded_by == admin_support
    assert "Appeal against conviction Notice of appeal filed" in text(response)
    assert [row.action for row in audit_rows(event)] == [AuditAction.CREATE]


def test_an_event_without_detail_or_in_the_future_is_refused(as_user, admin_support, sentence, today, days):
    client = as_user(admin_support)
    url = reverse("sentences:event", kwargs={"pk": sentence.pk})

    no_detail = client.post(url, {"kind": SentenceEventKind.BREACH, "occurred_on": iso(today), "detail": ""})
    future = client.post(
        url, {"kind": SentenceEventKind.BREACH, "occurred_on": iso(today + days(2)), "detail": "x"}
    )

    assert "detail" in field_errors(no_detail)
    assert field_errors(future)["occurred_on"] == ["The event cannot be in the future."]
    assert not sentence.events.exists()


def test_completion_cannot_be_recorded_as_an_event(as_user, admin_support, sentence, today):
    response = as_user(admin_support).post(
        reverse("sentences:event", kwargs={"pk": sentence.pk}),
        {"kind": SentenceEventKind.COMPLETED, "occurred_on": iso(today), "detail": "Done"},
    )
    assert "kind" in field_errors(response)
    assert not sentence.events.exists()


# --- charges ---------------------------------------------------------------------------------------


def test_a_charge_is_recorded_and_then_disposed_of(
    as_user, admin_support, offender, burglary, court, today, days, audit_rows
):
    client = as_user(admin_support)

    response = client.post(
        reverse("sentences:charge_create", kwargs={"offender_pk": offender.pk}),
        {
            "offence_code": "burg01",
            "charged_on": iso(today - days(5)),
            "offence_date": iso(today - days(9)),
            "court": court.pk,
        },
        follow=True,
    )

    charge = Charge.objects.get(offender=offender)
    assert charge.offence == burglary and charge.outstanding
    assert "BURG01 Burglary" in text(response) and "Outstanding" in text(response)
    assert [row.action for row in audit_rows(charge)] == [AuditAction.CREATE]

    response = client.post(
        reverse("sentences:charge_dispose", kwargs={"pk": charge.pk}),
        {"outcome": Charge.Outcome.WITHDRAWN, "disposed_on": iso(today)},
        follow=True,
    )

    charge.refresh_from_db()
    assert not charge.outstanding and charge.outcome == Charge.Outcome.WITHDRAWN
    assert "Withdrawn" in text(response)


def test_a_charge_with_an_offence_date_after_the_charge_is_refused(
    as_user, admin_support, offender, burglary, today, days
):
    response = as_user(admin_support).post(
        reverse("sentences:charge_create", kwargs={"offender_pk": offender.pk}),
        {
            "offence_code": burglary.code,
            "charged_on": iso(today - days(5)),
            "offence_date": iso(today - days(1)),
        },
    )

    assert field_errors(response)["offence_date"] == ["The offence date cannot be after the charge date."]
    assert not Charge.objects.exists()


def test_a_charge_cannot_be_disposed_of_before_it_was_laid(as_user, admin_support, offender, today, days):
    charge = ChargeFactory(offender=offender, charged_on=today - days(5))

    response = as_user(admin_support).post(
        reverse("sentences:charge_dispose", kwargs={"pk": charge.pk}),
        {"outcome": Charge.Outcome.DISMISSED, "disposed_on": iso(today - days(10))},
    )

    assert field_errors(response)["disposed_on"] == ["A charge cannot be disposed of before it was laid."]
    charge.refresh_from_db()
    assert charge.outstanding


def test_a_probation_officer_cannot_record_or_dispose_of_charges(
    as_user, probation_officer, offender, burglary, today
):
    charge = ChargeFactory(offender=offender)
    client = as_user(probation_officer)

    assert (
        client.post(
            reverse("sentences:charge_create", kwargs={"offender_pk": offender.pk}),
            {"offence_code": burglary.code, "charged_on": iso(today)},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("sentences:charge_dispose", kwargs={"pk": charge.pk}),
            {"outcome": Charge.Outcome.DISMISSED, "disposed_on": iso(today)},
        ).status_code
        == 403
    )
    charge.refresh_from_db()
    assert charge.outstanding and Charge.objects.count() == 1


def test_the_charges_page_lists_charges_and_audits_the_view(
    as_user, admin_support, offender, burglary, audit_rows
):
    ChargeFactory(offender=offender, offence=burglary)

    response = as_user(admin_support).get(
        reverse("sentences:charge_create", kwargs={"offender_pk": offender.pk})
    )

    assert "BURG01 Burglary" in text(response) and "Outstanding" in text(response)
    [view] = audit_rows(offender, AuditAction.VIEW)
    assert view.summary.startswith("Viewed the charges of")


def test_an_appeal_stays_outstanding_on_the_sentence_until_its_decision_is_recorded(
    client, admin_support, office
):
    from sentences.models import SentenceEvent, SentenceEventKind
    from sentences.services import sentence_event_record
    from tests.factories import OffenderFactory, SentenceFactory

    sentence = SentenceFactory(offender=OffenderFactory(home_office=office), managing_office=office)
    appeal = sentence_event_record(
        actor=admin_support,
        sentence=sentence,
        kind=SentenceEventKind.APPEAL_SENTENCE,
        occurred_on=sentence.start_date,
        detail="Appeal to the High Court, CRI-2026-485-12",
    )
    client.force_login(admin_support)
    page = client.get(reverse("sentences:detail", kwargs={"pk": sentence.pk})).content.decode()
    assert "Awaiting a decision" in page and "CRI-2026-485-12" in page

    refused = client.post(reverse("sentences:event_decide", kwargs={"pk": appeal.pk}), {"resolved_on": ""})
    assert refused.status_code == 200 and "Record the outcome." in refused.content.decode()
    assert SentenceEvent.objects.get(pk=appeal.pk).resolved_on is None

    response = client.post(
        reverse("sentences:event_decide", kwargs={"pk": appeal.pk}),
        {"resolved_on": sentence.start_date.isoformat(), "outcome": "Appeal dismissed"},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.outcome == "Appeal dismissed" and not appeal.outstanding
    page = client.get(reverse("sentences:detail", kwargs={"pk": sentence.pk})).content.decode()
    assert "Awaiting a decision" not in page and "Appeal dismissed" in page
    assert sentence.casenotes.filter(note_type="system", summary__contains="decided").exists()


def test_someone_who_may_not_keep_the_sentence_cannot_decide_its_appeal(client, role_user, office):
    from sentences.models import SentenceEventKind
    from sentences.services import sentence_event_record
    from tests.factories import OffenderFactory, SentenceFactory

    keeper = role_user(Role.ADMIN_SUPPORT)
    sentence = SentenceFactory(offender=OffenderFactory(home_office=office), managing_office=office)
    appeal = sentence_event_record(
        actor=keeper,
        sentence=sentence,
        kind=SentenceEventKind.BREACH,
        occurred_on=sentence.start_date,
        detail="Breach of supervision",
    )
    client.force_login(role_user(Role.DATA_SHARE))
    assert client.get(reverse("sentences:event_decide", kwargs={"pk": appeal.pk})).status_code == 403
