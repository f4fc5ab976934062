import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from sentences.models import (
    Charge,
    CompletionReason,
    Conviction,
    Sentence,
    SentenceEvent,
    SentenceEventKind,
    SentenceStatus,
    SentenceType,
)
from sentences.services import (
    charge_create,
    charge_dispose,
    conviction_add,
    sentence_commence,
    sentence_complete,
    sentence_create,
    sentence_event_record,
    sentence_update,
)
from tests.factories import ChargeFactory, CourtFactory, OffenceFactory, OffenderFactory, OfficeFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
ABNORMAL_ENDINGS = [reason for reason in CompletionReason if reason != CompletionReason.NORMAL]


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def actor(admin_support):
    return admin_support


@pytest.fixture
def offender(office):
    return OffenderFactory(home_office=office)


def supervision(actor, offender, *, start=None, convictions=None, **overrides) -> Sentence:
    start = start or today() - 30 * DAY
    data = {
        "sentence_type": SentenceType.SUPERVISION,
        "court": CourtFactory(),
        "order_date": min(start, today()),
        "start_date": start,
        "end_date": start + 365 * DAY,
        "managing_office": offender.home_office,
    }
    data.update(overrides)
    if convictions is None:
        convictions = [{"offence": OffenceFactory(), "convicted_on": data["order_date"]}]
    return sentence_create(actor=actor, offender=offender, convictions=convictions, **data)


def audit_rows_for(obj) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).order_by("id"))


# --- recording a sentence --------------------------------------------------------------------------


def test_a_sentence_is_recorded_with_its_conviction_an_order_event_and_an_audit_row(actor, offender):
    sentence = supervision(actor, offender, court_case_number="CRI-2026-085-001234")

    [conviction] = sentence.convictions.all()
    assert conviction.offender == offender
    [event] = sentence.events.all()
    assert event.kind == SentenceEventKind.ORDER_RECEIVED
    assert event.to_status == SentenceStatus.ACTIVE
    assert event.recorded_by == actor
    [row] = audit_rows_for(sentence)
    assert row.action == AuditAction.CREATE
    assert row.offender_id == offender.pk
    assert row.changes["court_case_number"] == [None, "CRI-2026-085-001234"]
    assert row.changes["sentence_type"] == [None, SentenceType.SUPERVISION]


def test_a_sentence_needs_a_conviction_behind_it(actor, offender):
    with pytest.raises(ValidationError) as refused:
        supervision(actor, offender, convictions=[])

    assert "convictions" in refused.value.message_dict
    assert not Sentence.objects.exists()


def test_a_bad_conviction_leaves_no_sentence_behind(actor, offender):
    order_date = today() - 30 * DAY
    bad = {"offence": OffenceFactory(), "convicted_on": order_date, "offence_date": order_date + DAY}

    with pytest.raises(ValidationError):
        supervision(actor, offender, convictions=[bad])

    assert not Sentence.objects.exists()
    assert not SentenceEvent.objects.exists()


def test_a_sentence_starting_in_the_future_is_pending_until_it_commences(actor, offender):
    sentence = supervision(actor, offender, start=today() + 7 * DAY)

    assert sentence.status == SentenceStatus.PENDING
    assert sentence.events.get().to_status == SentenceStatus.PENDING

    with pytest.raises(ValidationError):
        sentence_commence(actor=actor, sentence=sentence, on=today())
    Sentence.objects.filter(pk=sentence.pk).update(start_date=today(), order_date=today())
    sentence.refresh_from_db()

    commenced = sentence_commence(actor=actor, sentence=sentence, on=today())

    assert commenced.status == SentenceStatus.ACTIVE
    event = commenced.events.get(from_status=SentenceStatus.PENDING)
    assert event.to_status == SentenceStatus.ACTIVE


def test_a_sentence_starting_today_is_active(actor, offender):
    assert supervision(actor, offender, start=today()).status == SentenceStatus.ACTIVE


def test_an_active_sentence_cannot_commence_again(actor, offender):
    sentence = supervision(actor, offender)

    with pytest.raises(ValidationError, match="active cannot become active"):
        sentence_commence(actor=actor, sentence=sentence)


# --- convictions and charges -----------------------------------------------------------------------


def test_a_conviction_disposes_of_the_outstanding_charge_it_answers(actor, offender):
    charge = ChargeFactory(offender=offender)
    convicted_on = today() - 30 * DAY

    sentence = supervision(
        actor,
        offender,
        convictions=[{"offence": charge.offence, "convicted_on": convicted_on, "charge": charge}],
    )

    charge.refresh_from_db()
    assert not charge.outstanding
    assert charge.outcome == Charge.Outcome.CONVICTED
    assert charge.disposed_on == convicted_on
    assert sentence.convictions.get().charge == charge
    disposal = audit_rows_for(charge)[-1]
    assert disposal.changes["outcome"] == ["", Charge.Outcome.CONVICTED]
    assert disposal.offender_id == offender.pk


def test_a_charge_against_another_offender_cannot_support_a_conviction(actor, offender):
    sentence = supervision(actor, offender)
    someone_elses = ChargeFactory()

    with pytest.raises(ValidationError) as refused:
        conviction_add(
            actor=actor,
            sentence=sentence,
            offence=someone_elses.offence,
            convicted_on=sentence.order_date,
            charge=someone_elses,
        )

    assert "charge" in refused.value.message_dict
    someone_elses.refresh_from_db()
    assert someone_elses.outstanding
    assert sentence.convictions.count() == 1


def test_a_further_conviction_can_be_added_to_a_sentence(actor, offender):
    sentence = supervision(actor, offender)

    conviction = conviction_add(
        actor=actor, sentence=sentence, offence=OffenceFactory(), convicted_on=sentence.order_date
    )

    assert sentence.convictions.count() == 2
    assert audit_rows_for(conviction)[0].offender_id == offender.pk


def test_a_conviction_after_the_sentence_was_ordered_is_refused(actor, offender):
    sentence = supervision(actor, offender)

    with pytest.raises(ValidationError) as refused:
        conviction_add(
            actor=actor,
            sentence=sentence,
            offence=OffenceFactory(),
            convicted_on=sentence.order_date + datetime.timedelta(days=1),
        )

    assert "convicted_on" in refused.value.message_dict
    assert sentence.convictions.count() == 1


def test_a_new_charge_is_outstanding_and_audited(actor, offender):
    charge = charge_create(
        actor=actor,
        offender=offender,
        offence=OffenceFactory(),
        charged_on=today(),
        offence_date=today() - 3 * DAY,
    )

    assert charge.outstanding
    assert audit_rows_for(charge)[0].offender_id == offender.pk


def test_the_offence_date_cannot_be_after_the_charge(actor, offender):
    with pytest.raises(ValidationError) as refused:
        charge_create(
            actor=actor,
            offender=offender,
            offence=OffenceFactory(),
            charged_on=today() - DAY,
            offence_date=today(),
        )

    assert "offence_date" in refused.value.message_dict
    assert not Charge.objects.exists()


def test_a_charge_that_is_not_outstanding_needs_its_outcome_and_date(actor, offender):
    with pytest.raises(ValidationError) as refused:
        charge_create(
            actor=actor, offender=offender, offence=OffenceFactory(), charged_on=today(), outstanding=False
        )

    assert "outcome" in refused.value.message_dict


def test_a_charge_is_disposed_of_once_and_not_before_it_was_laid(actor, offender):
    charge = ChargeFactory(offender=offender, charged_on=today() - 10 * DAY)

    with pytest.raises(ValidationError) as refused:
        charge_dispose(
            actor=actor, charge=charge, outcome=Charge.Outcome.DISMISSED, disposed_on=today() - 11 * DAY
        )
    assert "disposed_on" in refused.value.message_dict
    charge.refresh_from_db()
    assert charge.outstanding

    charge_dispose(actor=actor, charge=charge, outcome=Charge.Outcome.WITHDRAWN, disposed_on=today())
    with pytest.raises(ValidationError, match="already been disposed of"):
        charge_dispose(actor=actor, charge=charge, outcome=Charge.Outcome.DISMISSED, disposed_on=today())

    charge.refresh_from_db()
    assert charge.outcome == Charge.Outcome.WITHDRAWN


# --- completion ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", list(CompletionReason))
def test_completing_a_sentence_records_how_it_ended(actor, offender, reason):
    sentence = supervision(actor, offender)
    ordered_end = sentence.end_date
    ended = today() - DAY

    completed = sentence_complete(
        actor=actor, sentence=sentence, reason=reason, completed_on=ended, detail="Court minute 12/3"
    )

    assert completed.status == SentenceStatus.COMPLETED
    assert completed.completion_reason == reason
    assert completed.completed_on == ended
    # A normal completion keeps the ordered expiry; any other ending cuts the sentence short.
    assert completed.end_date == (ordered_end if reason == CompletionReason.NORMAL else ended)
    event = completed.events.get(kind=SentenceEventKind.COMPLETED)
    assert (event.from_status, event.to_status) == (SentenceStatus.ACTIVE, SentenceStatus.COMPLETED)
    assert event.completion_reason == reason
    assert event.occurred_on == ended
    assert event.detail == "Court minute 12/3"
    assert event.recorded_by == actor
    row = audit_rows_for(sentence)[-1]
    assert row.action == AuditAction.UPDATE
    assert row.actor == actor
    assert row.offender_id == offender.pk
    assert row.changes["status"] == [SentenceStatus.ACTIVE, SentenceStatus.COMPLETED]
    assert row.changes["completion_reason"] == [None, reason]


def test_a_normal_completion_without_detail_is_described_by_its_reason(actor, offender):
    sentence = supervision(actor, offender)

    sentence_complete(actor=actor, sentence=sentence, reason=CompletionReason.NORMAL, completed_on=today())

    assert sentence.events.get(kind=SentenceEventKind.COMPLETED).detail == "Completed normally"


def test_a_pending_sentence_can_be_quashed_before_it_starts(actor, offender):
    sentence = supervision(actor, offender, start=today() + 10 * DAY)

    completed = sentence_complete(
        actor=actor,
        sentence=sentence,
        reason=CompletionReason.QUASHED,
        completed_on=today(),
        detail="Quashed on appeal",
    )

    assert completed.status == SentenceStatus.COMPLETED
    assert completed.end_date == sentence.start_date
    event = completed.events.get(kind=SentenceEventKind.COMPLETED)
    assert event.from_status == SentenceStatus.PENDING


def test_a_sentence_cannot_complete_normally_before_it_starts(actor, offender):
    sentence = supervision(actor, offender, start=today() + 10 * DAY)

    with pytest.raises(ValidationError) as refused:
        sentence_complete(
            actor=actor, sentence=sentence, reason=CompletionReason.NORMAL, completed_on=today()
        )

    assert "completed_on" in refused.value.message_dict


def test_a_sentence_cannot_be_completed_twice(actor, offender):
    sentence = supervision(actor, offender)
    sentence_complete(actor=actor, sentence=sentence, reason=CompletionReason.NORMAL, completed_on=today())

    with pytest.raises(ValidationError, match="completed cannot become completed"):
        sentence_complete(
            actor=actor,
            sentence=sentence,
            reason=CompletionReason.QUASHED,
            completed_on=today(),
            detail="Quashed",
        )

    sentence.refresh_from_db()
    assert sentence.completion_reason == CompletionReason.NORMAL
    assert sentence.events.filter(kind=SentenceEventKind.COMPLETED).count() == 1


@pytest.mark.parametrize("reason", ABNORMAL_ENDINGS)
def test_an_ending_other_than_normal_completion_needs_its_detail(actor, offender, reason):
    sentence = supervision(actor, offender)

    with pytest.raises(ValidationError) as refused:
        sentence_complete(actor=actor, sentence=sentence, reason=reason, completed_on=today(), detail="  ")

    assert "detail" in refused.value.message_dict
    sentence.refresh_from_db()
    assert sentence.status == SentenceStatus.ACTIVE


def test_a_completion_cannot_be_recorded_in_the_future(actor, offender):
    sentence = supervision(actor, offender)

    with pytest.raises(ValidationError) as refused:
        sentence_complete(
            actor=actor, sentence=sentence, reason=CompletionReason.NORMAL, completed_on=today() + DAY
        )

    assert "completed_on" in refused.value.message_dict


def test_an_unknown_completion_reason_is_refused(actor, offender):
    sentence = supervision(actor, offender)

    with pytest.raises(ValidationError) as refused:
        sentence_complete(actor=actor, sentence=sentence, reason="escaped", completed_on=today(), detail="x")

    assert "reason" in refused.value.message_dict


# --- changes ---------------------------------------------------------------------------------------


def test_a_completed_sentence_cannot_be_changed(actor, offender):
    sentence = supervision(actor, offender, conditions="")
    sentence_complete(actor=actor, sentence=sentence, reason=CompletionReason.NORMAL, completed_on=today())

    with pytest.raises(ValidationError, match="completed sentence cannot be changed"):
        sentence_update(actor=actor, sentence=sentence, conditions="To attend counselling.")

    sentence.refresh_from_db()
    assert sentence.conditions == ""


def test_changing_the_managing_office_is_recorded_as_a_transfer(actor, offender):
    sentence = supervision(actor, offender)
    old_office = sentence.managing_office
    new_office = OfficeFactory(name="Porirua Community Corrections")

    changes = sentence_update(
        actor=actor, sentence=sentence, managing_office=new_office, reason="Moved to Porirua"
    )

    assert changes == {"managing_office": [str(old_office), "Porirua Community Corrections"]}
    event = sentence.events.get(kind=SentenceEventKind.TRANSFER)
    assert event.detail == "Moved to Porirua"
    assert event.occurred_on == today()
    assert event.recorded_by == actor
    sentence.refresh_from_db()
    assert sentence.managing_office == new_office
    assert audit_rows_for(sentence)[-1].changes == changes


def test_changing_other_details_is_recorded_as_details_changed(actor, offender):
    sentence = supervision(actor, offender)

    sentence_update(actor=actor, sentence=sentence, conditions="To attend a drug programme.")

    event = sentence.events.get(kind=SentenceEventKind.DETAILS_CHANGED)
    assert event.detail == "conditions"


def test_a_change_that_breaks_a_rule_is_refused_and_leaves_no_event(actor, offender):
    sentence = supervision(actor, offender)

    with pytest.raises(ValidationError) as refused:
        sentence_update(actor=actor, sentence=sentence, hours=100)

    assert "hours" in refused.value.message_dict
    sentence.refresh_from_db()
    assert sentence.hours is None
    assert list(sentence.events.values_list("kind", flat=True)) == [SentenceEventKind.ORDER_RECEIVED]


def test_an_update_that_changes_nothing_leaves_no_event(actor, offender):
    sentence = supervision(actor, offender)

    assert sentence_update(actor=actor, sentence=sentence, end_date=sentence.end_date) == {}
    assert sentence.events.count() == 1


# --- events that change no field -------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        SentenceEventKind.APPLICATION,
        SentenceEventKind.APPEAL_SENTENCE,
        SentenceEventKind.APPEAL_CONVICTION,
        SentenceEventKind.BREACH,
    ],
)
def test_applications_appeals_and_breaches_are_recorded_on_the_sentence(actor, offender, kind):
    sentence = supervision(actor, offender)

    event = sentence_event_record(
        actor=actor, sentence=sentence, kind=kind, occurred_on=today() - DAY, detail="Filed at Wellington DC"
    )

    assert event.sentence == sentence
    assert event.recorded_by == actor
    assert event.detail == "Filed at Wellington DC"
    [row] = audit_rows_for(event)
    assert row.action == AuditAction.CREATE
    assert row.offender_id == offender.pk
    sentence.refresh_from_db()
    assert sentence.status == SentenceStatus.ACTIVE


@pytest.mark.parametrize(
    "kind", [SentenceEventKind.COMPLETED, SentenceEventKind.TRANSFER, SentenceEventKind.ORDER_RECEIVED]
)
def test_completion_and_transfer_events_come_only_from_their_own_actions(actor, offender, kind):
    sentence = supervision(actor, offender)

    with pytest.raises(ValidationError) as refused:
        sentence_event_record(actor=actor, sentence=sentence, kind=kind, occurred_on=today(), detail="x")

    assert "kind" in refused.value.message_dict


def test_an_event_needs_a_description_and_a_date_not_in_the_future(actor, offender):
    sentence = supervision(actor, offender)

    with pytest.raises(ValidationError) as no_detail:
        sentence_event_record(
            actor=actor, sentence=sentence, kind=SentenceEventKind.BREACH, occurred_on=today(), detail=" "
        )
    with pytest.raises(ValidationError) as future:
        sentence_event_record(
            actor=actor,
            sentence=sentence,
            kind=SentenceEventKind.BREACH,
            occurred_on=today() + DAY,
            detail="Breach of curfew",
        )

    assert "detail" in no_detail.value.message_dict
    assert "occurred_on" in future.value.message_dict
    assert sentence.events.count() == 1


def test_every_sentence_keeps_its_own_convictions(actor, offender):
    first = supervision(actor, offender)
    second = supervision(actor, offender)

    assert Conviction.objects.filter(offender=offender).count() == 2
    assert first.convictions.get() != second.convictions.get()
