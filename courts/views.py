"""Browser pages of the court interface: the message list and a message as received, the queue of
probable matches waiting for a person, and the data-correction requests to the courts.

Objects come only through courts.access (and offenders/sentences access for the record a request
is raised from); every change goes through courts.services; every page that shows an offender's
data is audited."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from audit.models import AuditAction
from audit.services import audit_record, audit_search, audit_view
from courts import corrections, services
from courts.access import (
    access_correction_by_id,
    access_court_message_by_id,
    access_match_candidate_by_id,
    can_handle_correction,
    can_raise_correction,
    can_retry_court_messages,
    can_review_matches,
    can_view_corrections,
    can_view_court_messages,
)
from courts.forms import (
    OUTSTANDING,
    ConfirmForm,
    CorrectionFilterForm,
    CorrectionRequestForm,
    CorrectionSendForm,
    CorrectionWithdrawForm,
    CourtMessageFilterForm,
    MatchRejectForm,
)
from courts.models import CorrectionStatus, MatchDecision, MessageStatus
from courts.selectors import (
    correction_request_list,
    court_message_counts,
    court_message_list,
    match_queue,
    message_candidates,
)
from ioms.forms import add_service_errors
from offenders.access import access_offender_by_id
from offenders.models import visible_offenders_q
from reconciliation.models import (
    OFFENDER_CORRECTION_FIELDS,
    SENTENCE_CORRECTION_FIELDS,
    DataException,
    ExceptionStep,
)
from reconciliation.views import perform_step
from sentences.access import access_sentence_by_id
from staff.access import staff_of

PER_PAGE = 50
QUEUE_PER_PAGE = 20
FIELD_LABELS = dict(OFFENDER_CORRECTION_FIELDS + SENTENCE_CORRECTION_FIELDS)


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# --- court messages -------------------------------------------------------------------------------


@require_http_methods(["GET"])
def message_list(request):
    _refuse_unless(can_view_court_messages(request.user), "You may not see court messages.")
    form = CourtMessageFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = court_message_list(
        status=filters.get("status", ""),
        message_type=filters.get("message_type", ""),
        text=filters.get("q", ""),
    )
    page_obj = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    counts = court_message_counts()
    audit_search(
        actor=request.user,
        scope="court messages",
        terms={key: value for key, value in filters.items() if value},
    )
    return render(
        request,
        "courts/message_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "status_counts": [(value, label, counts[value]) for value, label in MessageStatus.choices],
            "awaiting_count": counts[MessageStatus.AWAITING_MATCH],
            "may_review": can_review_matches(request.user),
        },
    )


def _pretty(payload) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=False) if payload is not None else ""


@require_http_methods(["GET"])
def message_detail(request, pk: int):
    message = access_court_message_by_id(request.user, pk)
    audit_view(actor=request.user, obj=message, summary=f"Viewed court message {message} as received")
    candidates = message_candidates(message)
    awaiting = message.status == MessageStatus.AWAITING_MATCH
    context = {
        "message": message,
        "transitions": message.transitions.select_related("actor"),
        "candidates": candidates,
        "awaiting": awaiting,
        "may_review": awaiting and can_review_matches(request.user),
        "may_retry": message.status == MessageStatus.EXCEPTION and can_retry_court_messages(request.user),
        "exceptions": DataException.objects.filter(court_message=message).order_by("opened_at"),
        "duplicates": message.duplicates.only("pk", "received_at", "status").order_by("pk"),
        "payload_text": _pretty(message.payload),
        "reject_form": MatchRejectForm(),
        "raw_bytes_hex": bytes(message.raw_bytes[:256]).hex(" ") if message.raw_bytes else "",
    }
    return render(request, "courts/message_detail.html", context)


@require_http_methods(["GET"])
def match_queue_view(request):
    _refuse_unless(can_review_matches(request.user), "You may not decide court message matches.")
    page_obj = Paginator(match_queue(), QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    audit_search(actor=request.user, scope="court messages awaiting a match", terms={})
    return render(request, "courts/match_queue.html", {"page_obj": page_obj})


def _settled(request, message) -> None:
    if message.status == MessageStatus.PROCESSED:
        messages.success(request, f"Message {message.message_id} applied. {message.status_reason}")
    elif message.status == MessageStatus.AWAITING_MATCH:
        messages.info(request, f"Message {message.message_id} is waiting for a match again.")
    elif message.status == MessageStatus.RECEIVED:
        messages.info(
            request,
            f"Message {message.message_id} is queued to be processed again: reload this page in a "
            "moment to see the outcome.",
        )
    else:
        messages.warning(
            request,
            f"Message {message.message_id} could not be applied and is on the exceptions report: "
            f"{message.status_reason}",
        )


@require_http_methods(["GET", "POST"])
def match_confirm(request, pk: int):
    candidate = access_match_candidate_by_id(request.user, pk)
    message = candidate.message
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.match_confirm(actor=request.user, candidate=candidate)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _settled(request, message)
            return redirect("courts:message_detail", pk=message.pk)
    audit_view(actor=request.user, obj=candidate.offender, summary=f"Viewed {candidate.offender} as a match")
    return render(
        request,
        "courts/match_confirm.html",
        {
            "form": form,
            "candidate": candidate,
            "message": message,
            "pending": candidate.decision == MatchDecision.PENDING
            and message.status == MessageStatus.AWAITING_MATCH,
        },
    )


@require_http_methods(["GET", "POST"])
def match_reject(request, pk: int):
    message = access_court_message_by_id(request.user, pk)
    _refuse_unless(can_review_matches(request.user), "You may not decide court message matches.")
    form = MatchRejectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.match_reject(
                actor=request.user, message=message, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _settled(request, message)
            return redirect("courts:message_detail", pk=message.pk)
    audit_view(
        actor=request.user, obj=message, summary=f"Viewed court message {message} to reject its matches"
    )
    return render(
        request,
        "courts/match_reject.html",
        {
            "form": form,
            "message": message,
            "candidates": message_candidates(message),
            "pending": message.status == MessageStatus.AWAITING_MATCH,
        },
    )


@require_http_methods(["GET", "POST"])
def message_retry(request, pk: int):
    message = access_court_message_by_id(request.user, pk)
    _refuse_unless(can_retry_court_messages(request.user), "You may not retry court messages.")
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.court_message_retry(actor=request.user, message=message)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _settled(request, message)
            return redirect("courts:message_detail", pk=message.pk)
    return render(
        request,
        "courts/message_retry.html",
        {"form": form, "message": message, "may_retry": message.status == MessageStatus.EXCEPTION},
    )


# --- data-correction requests ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def correction_create(request, offender_pk: int):
    offender = access_offender_by_id(request.user, offender_pk)
    _refuse_unless(
        can_raise_correction(request.user, offender), "You may not raise correction requests for this record."
    )
    sentence = None
    if request.GET.get("sentence"):
        sentence = access_sentence_by_id(request.user, request.GET["sentence"])
        if sentence.offender_id != offender.pk:
            raise PermissionDenied("That sentence is not on this offender's record.")
    form = CorrectionRequestForm(
        request.POST if request.method == "POST" else None, with_sentence=sentence is not None
    )
    if request.method == "POST" and form.is_valid():
        try:
            correction = corrections.correction_request_create(
                actor=request.user, offender=offender, sentence=sentence, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Correction request {correction.reference} raised. Quote it to the courts; it closes "
                "when their correction arrives.",
            )
            return redirect("courts:correction_detail", pk=correction.pk)
    audit_view(
        actor=request.user,
        obj=sentence or offender,
        summary=f"Opened a correction request form for {sentence or offender}",
    )
    back = (
        reverse("sentences:detail", kwargs={"pk": sentence.pk})
        if sentence is not None
        else reverse("offenders:detail", kwargs={"pk": offender.pk})
    )
    return render(
        request,
        "courts/correction_form.html",
        {"form": form, "offender": offender, "sentence": sentence, "back": back},
    )


@require_http_methods(["GET"])
def correction_list(request):
    _refuse_unless(can_view_corrections(request.user), "You may not see correction requests.")
    member = staff_of(request.user)
    data = request.GET.copy() if request.GET else None
    if data is None:
        data = {"status": OUTSTANDING, "office": member.office_id if member else ""}
    form = CorrectionFilterForm(data)
    filters = form.cleaned_data if form.is_valid() else {"status": OUTSTANDING, "office": None}
    office = filters.get("office")
    rows = correction_request_list(
        office_id=office.pk if office else None, status=filters.get("status", "")
    ).filter(
        visible_offenders_q(request.user, "offender")  # need-to-know
    )
    page_obj = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    audit_search(
        actor=request.user,
        scope="correction requests",
        terms={"office": office.code if office else "", "status": filters.get("status", "")},
    )
    return render(
        request,
        "courts/correction_list.html",
        {"form": form, "page_obj": page_obj, "office": office, "field_labels": FIELD_LABELS},
    )


@require_http_methods(["GET"])
def correction_detail(request, pk: int):
    correction = access_correction_by_id(request.user, pk)
    audit_view(
        actor=request.user, obj=correction, summary=f"Viewed correction request {correction.reference}"
    )
    return render(
        request,
        "courts/correction_detail.html",
        {
            "correction": correction,
            "fields": [FIELD_LABELS.get(name, name) for name in correction.fields],
            "transitions": correction.transitions.select_related("actor", "message"),
            "may_handle": can_handle_correction(request.user, correction),
            "may_send": correction.status == CorrectionStatus.OPEN
            and can_handle_correction(request.user, correction),
        },
    )


def _correction_step(request, pk: int, form_class, step, *, template: str, done: str):
    correction = access_correction_by_id(request.user, pk, for_handling=True)
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            step(actor=request.user, request=correction, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done.format(reference=correction.reference))
            return redirect("courts:correction_detail", pk=correction.pk)
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=correction,
        summary=f"Opened correction request {correction.reference} to change it",
    )
    return render(request, template, {"form": form, "correction": correction})


@require_http_methods(["GET", "POST"])
def correction_send(request, pk: int):
    return _correction_step(
        request,
        pk,
        CorrectionSendForm,
        corrections.correction_request_send,
        template="courts/correction_send.html",
        done="Correction request {reference} recorded as sent to the courts.",
    )


@require_http_methods(["GET", "POST"])
def correction_withdraw(request, pk: int):
    return _correction_step(
        request,
        pk,
        CorrectionWithdrawForm,
        corrections.correction_request_withdraw,
        template="courts/correction_withdraw.html",
        done="Correction request {reference} withdrawn.",
    )


@require_http_methods(["POST"])
def exception_request_correction(request, pk: int):
    """The exception page's "ask the courts to correct it" form (reconciliation's page and form, at
    its address: ioms/urls.py), whose step is this app's: the correction request and the exception
    waiting for it (corrections.exception_request_correction)."""

    def action(exception, data):
        corrections.exception_request_correction(
            actor=request.user,
            exception=exception,
            fields=data["fields_wrong"],
            what_is_wrong=data["what_is_wrong"],
            should_be=data["should_be"],
        )

    return perform_step(
        request,
        pk,
        ExceptionStep.CORRECTION_REQUESTED,
        action,
        "Asked the courts to correct their data. The exception waits for the correction.",
    )
