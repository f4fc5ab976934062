"""Browser pages for sentences, the convictions behind them, their events and charges (seed 001:
the court order received, applications, appeals, breaches, transfers, completion). A sentence's own
page offers what apps above sentences may do next (documents, a recall, a correction): it is a read
model in portal/views.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.services import audit_view
from ioms.forms import add_service_errors
from offenders.access import access_offender_by_id
from sentences.access import (
    access_charge_by_id,
    access_sentence_by_id,
    can_record_custody,
    can_record_sentence,
)
from sentences.custody import REFUSED, custody_receive, custody_release, custody_status_of, receiving_prisons
from sentences.forms import (
    APPLIES_TO,
    OFFENCE_DATALIST_ID,
    ChargeDisposeForm,
    ChargeForm,
    CompleteForm,
    ConvictionFormSet,
    CustodyReceiveForm,
    CustodyReleaseForm,
    EventDecisionForm,
    SentenceEditForm,
    SentenceEventForm,
    SentenceForm,
    offence_datalist,
)
from sentences.models import Sentence, SentenceEvent, SentenceStatus
from sentences.services import (
    SENTENCE_FIELDS,
    charge_create,
    charge_dispose,
    sentence_complete,
    sentence_create,
    sentence_event_record,
    sentence_event_resolve,
    sentence_update,
)


def _require_recorder(user, offender) -> None:
    if not can_record_sentence(user, offender):
        raise PermissionDenied("You may not record sentences or charges for this offender.")


def _outstanding_charges(offender) -> list:
    return list(offender.charges.filter(outstanding=True).select_related("offence").order_by("-charged_on"))


@require_http_methods(["GET", "POST"])
def sentence_create_view(request, offender_pk):
    offender = access_offender_by_id(request.user, offender_pk)
    _require_recorder(request.user, offender)
    charges = _outstanding_charges(offender)
    data = request.POST if request.method == "POST" else None
    form = SentenceForm(data, offender=offender, initial={"managing_office": offender.home_office_id})
    formset = ConvictionFormSet(data, prefix="convictions", form_kwargs={"charges": charges})
    if request.method == "POST":
        form_valid, formset_valid = form.is_valid(), formset.is_valid()
        if form_valid and formset_valid:
            formset.check_against_order(form.cleaned_data["order_date"])
        if form_valid and formset.is_valid():
            try:
                sentence = sentence_create(
                    actor=request.user,
                    offender=offender,
                    convictions=formset.conviction_data(),
                    **{name: form.cleaned_data[name] for name in SENTENCE_FIELDS},
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Recorded {sentence} for {offender.full_name}.")
                return redirect("sentences:detail", pk=sentence.pk)
    return render(
        request,
        "sentences/sentence_form.html",
        {
            "offender": offender,
            "form": form,
            "formset": formset,
            "sentence": None,
            "offences": offence_datalist(),
            "datalist_id": OFFENCE_DATALIST_ID,
            "applies_to": APPLIES_TO,
        },
    )


@require_http_methods(["GET", "POST"])
def sentence_edit(request, pk):
    sentence = access_sentence_by_id(request.user, pk, for_edit=True)
    if sentence.status == SentenceStatus.COMPLETED:
        messages.error(request, "A completed sentence cannot be changed.")
        return redirect("sentences:detail", pk=sentence.pk)
    # The form validates a copy, so the page keeps showing the sentence as it is stored.
    form = SentenceEditForm(request.POST or None, instance=Sentence.objects.get(pk=sentence.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changes = sentence_update(
                actor=request.user,
                sentence=sentence,
                reason=form.cleaned_data["reason"],
                **{name: form.cleaned_data[name] for name in SENTENCE_FIELDS},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Saved the changes to the sentence." if changes else "Nothing was changed."
            )
            return redirect("sentences:detail", pk=sentence.pk)
    return render(
        request,
        "sentences/sentence_form.html",
        {"offender": sentence.offender, "form": form, "sentence": sentence, "applies_to": APPLIES_TO},
    )


@require_http_methods(["GET", "POST"])
def sentence_complete_view(request, pk):
    sentence = access_sentence_by_id(request.user, pk, for_edit=True)
    if sentence.status == SentenceStatus.COMPLETED:
        messages.info(request, "This sentence is already completed.")
        return redirect("sentences:detail", pk=sentence.pk)
    form = CompleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sentence_complete(actor=request.user, sentence=sentence, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Recorded the completion of {sentence}.")
            return redirect("sentences:detail", pk=sentence.pk)
    return render(request, "sentences/complete.html", {"sentence": sentence, "form": form})


@require_http_methods(["GET", "POST"])
def sentence_event(request, pk):
    sentence = access_sentence_by_id(request.user, pk, for_edit=True)
    form = SentenceEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = sentence_event_record(actor=request.user, sentence=sentence, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Recorded: {event.get_kind_display()} on {event.occurred_on:%-d %b %Y}."
            )
            return redirect("sentences:detail", pk=sentence.pk)
    return render(request, "sentences/event.html", {"sentence": sentence, "form": form})


@require_http_methods(["GET", "POST"])
def sentence_event_decide(request, pk):
    """Record the decision on an application, appeal or breach (seed 001: visible until resolved)."""
    try:
        event = SentenceEvent.objects.select_related("sentence").get(pk=int(pk))
    except SentenceEvent.DoesNotExist:
        raise Http404("No such event.") from None
    sentence = access_sentence_by_id(request.user, event.sentence_id, for_edit=True)
    if not event.outstanding:
        messages.info(request, "That has already been decided, or is not something that gets decided.")
        return redirect("sentences:detail", pk=sentence.pk)
    form = EventDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sentence_event_resolve(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Recorded the decision: {event.get_kind_display().lower()}.")
            return redirect("sentences:detail", pk=sentence.pk)
    return render(
        request, "sentences/event_decide.html", {"sentence": sentence, "event": event, "form": form}
    )


@require_http_methods(["GET", "POST"])
def charge_create_view(request, offender_pk):
    offender = access_offender_by_id(request.user, offender_pk)
    _require_recorder(request.user, offender)
    form = ChargeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            charge = charge_create(
                actor=request.user,
                offender=offender,
                offence=data["offence"],
                charged_on=data["charged_on"],
                offence_date=data["offence_date"],
                court=data["court"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Recorded the charge {charge.offence} against {offender.full_name}.")
            return redirect("sentences:charge_create", offender_pk=offender.pk)
    if request.method == "GET":
        audit_view(actor=request.user, obj=offender, summary=f"Viewed the charges of {offender}")
    charges = offender.charges.select_related("offence", "court").order_by(
        "-outstanding", "-charged_on", "-id"
    )
    return render(
        request,
        "sentences/charge_form.html",
        {
            "offender": offender,
            "form": form,
            "charges": charges,
            "offences": offence_datalist(),
            "datalist_id": OFFENCE_DATALIST_ID,
        },
    )


@require_http_methods(["GET", "POST"])
def charge_dispose_view(request, pk):
    charge = access_charge_by_id(request.user, pk, for_edit=True)
    offender = charge.offender
    if not charge.outstanding:
        messages.info(request, "This charge has already been disposed of.")
        return redirect("sentences:charge_create", offender_pk=offender.pk)
    form = ChargeDisposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            charge_dispose(actor=request.user, charge=charge, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Recorded the outcome of the charge {charge.offence}.")
            return redirect("sentences:charge_create", offender_pk=offender.pk)
    return render(
        request, "sentences/charge_dispose.html", {"charge": charge, "offender": offender, "form": form}
    )


# --- custody movements (sentences.custody) ----------------------------------------------------------
#
# Two steps on one address: the form, then "check your answers" with the answers carried in hidden
# fields; only the confirmation (a POST with `confirm`) records the movement. "Change" goes back to
# the form with the answers kept.


def _custody_offender(request, offender_pk):
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_record_custody(request.user, offender):
        raise PermissionDenied(REFUSED)
    return offender


def _custody_step(request, *, offender, form, record, template: str, context: dict):
    """The form (GET, or a POST that failed or asked to change), the check page (a valid POST) or
    the recorded movement (a valid POST with `confirm`)."""
    if request.method == "POST" and "change" not in request.POST and form.is_valid():
        if "confirm" in request.POST:
            try:
                movement = record(form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Recorded: {movement.offender.full_name}, {movement}.")
                return redirect("offenders:sentences", pk=offender.pk)
        else:
            answers = [(form[name].label, _answer(form, name)) for name in form.fields]
            return render(
                request,
                "sentences/custody_check.html",
                {"offender": offender, "form": form, "answers": answers, **context},
            )
    return render(request, template, {"offender": offender, "form": form, **context})


def _answer(form, name: str) -> str:
    value = form.cleaned_data.get(name)
    field = form.fields[name]
    if value in (None, ""):
        return "None given"
    if hasattr(field, "choices") and not hasattr(value, "pk"):
        return str(dict(field.choices).get(value, value))
    if hasattr(value, "strftime"):
        return f"{value.day} {value:%b %Y}"
    return str(value)


@require_http_methods(["GET", "POST"])
def custody_release_view(request, offender_pk):
    offender = _custody_offender(request, offender_pk)
    status = custody_status_of(offender.pk)
    if status is None or not status.in_custody:
        messages.info(request, f"{offender.full_name} is not in custody: there is no release to record.")
        return redirect("offenders:sentences", pk=offender.pk)
    form = CustodyReleaseForm(request.POST or None)
    return _custody_step(
        request,
        offender=offender,
        form=form,
        record=lambda data: custody_release(
            actor=request.user,
            offender=offender,
            reason=data["reason"],
            occurred_on=data["occurred_on"],
            detail=data["detail"],
        ),
        template="sentences/custody_release.html",
        context={"status": status, "movement": "release", "button": "Record the release"},
    )


@require_http_methods(["GET", "POST"])
def custody_receive_view(request, offender_pk):
    offender = _custody_offender(request, offender_pk)
    status = custody_status_of(offender.pk)
    if status is not None and status.in_custody:
        messages.info(request, f"{offender.full_name} is already in custody at {status.prison.name}.")
        return redirect("offenders:sentences", pk=offender.pk)
    prisons = receiving_prisons(offender)
    form = CustodyReceiveForm(request.POST or None, prisons=prisons)
    return _custody_step(
        request,
        offender=offender,
        form=form,
        record=lambda data: custody_receive(
            actor=request.user,
            offender=offender,
            prison=data["prison"],
            occurred_on=data["occurred_on"],
            detail=data["detail"],
        ),
        template="sentences/custody_receive.html",
        context={
            "status": status,
            "prisons": prisons,
            "movement": "reception",
            "button": "Record the reception",
        },
    )
