"""Pages of the prison records the Review Security Classification reads (seed 003: "IOMS is used
as the principal source"): one page listing a prisoner's records of every kind, and one generic
set of forms (record, correct, end) driven by classification.records.RECORD_KINDS, plus the initial
classification at reception.

Anyone who may read the prisoner's classification may read the list; staff of the prisoner's
prison (and system administrators) may record and correct (classification.records
.can_record_prison_records). A refusal is a 403, audited by the middleware; a view of the list is
audited as a view of the offender's record."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import AuditAction, AuditEvent
from audit.refusals import Refused
from audit.services import audit_view
from classification import records
from classification.access import can_view_classification
from classification.forms_records import (
    CORRECTION_FORMS,
    END_FORMS,
    RECORD_FORMS,
    InitialClassificationForm,
    correction_initial,
)
from classification.records import (
    END_SERVICES,
    RECORD_KINDS,
    RECORD_SERVICES,
    RecordKind,
    can_record_prison_records,
)
from classification.selectors import classification_history
from ioms.forms import add_service_errors
from offenders.access import access_offender_by_id
from offenders.views import record_context


def _access_records(request, offender_id):
    offender = access_offender_by_id(request.user, offender_id)
    if not can_view_classification(request.user, offender):
        raise Refused("You may not see this prisoner's prison records.", obj=offender)
    return offender


def _access_recording(request, offender_id):
    offender = _access_records(request, offender_id)
    if not can_record_prison_records(request.user, offender):
        raise Refused(
            "Only staff of the prisoner's prison may record or correct prison records.", obj=offender
        )
    return offender


def _kind(slug: str) -> RecordKind:
    kind = RECORD_KINDS.get(slug)
    if kind is None:
        raise Http404("No such kind of prison record.")
    return kind


def _record_of(kind: RecordKind, offender, pk: int):
    record = kind.model.objects.filter(offender=offender, pk=pk).select_related("offender").first()
    if record is None:
        raise Http404(f"No such {kind.noun} on this prisoner's record.")
    return record


# --- the list ----------------------------------------------------------------------------------


def _details(kind: RecordKind, record, shown_private: bool) -> list[str]:
    """The record's fields other than its date, as words (a flag by its label when set); the
    kind's private fields only for those who may record it."""
    details = []
    for name in kind.fields:
        if name in (kind.date_field, kind.end_field) or (name in kind.private_fields and not shown_private):
            continue
        value = getattr(record, name)
        if value is False or value in (None, ""):
            continue
        label = records.field_label(record, name)
        details.append(label if value is True else f"{label}: {records.field_shown(record, name)}")
    return details


def _status(kind: RecordKind, record) -> str:
    if not kind.end_field:
        return ""
    ended = getattr(record, kind.end_field)
    if kind.slug == "at-risk-alerts":
        return f"Ended {records.day_label(ended)}" if ended else "Active"
    return f"Revoked {records.day_label(ended)}" if ended else "In force"


def _recorders(rows: list) -> dict[tuple[str, str], str]:
    """Who recorded each listed record, from its audit row (one query for the whole page)."""
    wanted = Q(pk__in=[])
    by_label: dict[str, list[str]] = {}
    for record in rows:
        by_label.setdefault(record._meta.label, []).append(str(record.pk))
    for label, ids in by_label.items():
        wanted |= Q(object_type=label, object_id__in=ids)
    if not by_label:
        return {}
    events = AuditEvent.objects.filter(wanted, action=AuditAction.CREATE).select_related("actor")
    return {
        (event.object_type, event.object_id): (
            event.actor.get_full_name() or event.actor.get_username() if event.actor else event.actor_label
        )
        for event in events
    }


@require_GET
def prison_records(request, offender_id):
    offender = _access_records(request, offender_id)
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the prison records of {offender}")
    may_record = can_record_prison_records(request.user, offender)
    found = {slug: list(kind.model.objects.filter(offender=offender)) for slug, kind in RECORD_KINDS.items()}
    recorders = _recorders([record for rows in found.values() for record in rows])
    sections = [
        {
            "kind": kind,
            "rows": [
                {
                    "record": record,
                    "date": getattr(record, kind.date_field),
                    "details": _details(kind, record, shown_private=may_record),
                    "status": _status(kind, record),
                    "recorded_by": recorders.get((record._meta.label, str(record.pk)), ""),
                    "may_end": bool(kind.end_field) and getattr(record, kind.end_field) is None,
                }
                for record in found[slug]
            ],
        }
        for slug, kind in RECORD_KINDS.items()
    ]
    history = classification_history(offender.pk)
    context = record_context(request, offender, tab="classification")
    context.update(sections=sections, may_record=may_record, current=history[0] if history else None)
    return render(request, "classification/records/list.html", context)


# --- record, correct, end ----------------------------------------------------------------------


def _form_page(
    request, offender, *, form, heading: str, kind: RecordKind | None, button: str, status=200, **extra
):
    context = record_context(request, offender, tab="classification")
    context.update(form=form, heading=heading, kind=kind, button=button, **extra)
    return render(request, "classification/records/form.html", context, status=status)


def _saved(request, offender, message: str):
    messages.success(request, message)
    return redirect("classification:prison_records", offender_id=offender.pk)


@require_http_methods(["GET", "POST"])
def prison_record_new(request, offender_id, kind):
    kind = _kind(kind)
    offender = _access_recording(request, offender_id)
    form = RECORD_FORMS[kind.slug](request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            RECORD_SERVICES[kind.slug](actor=request.user, offender=offender, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, offender, f"{kind.noun[0].upper()}{kind.noun[1:]} recorded.")
    return _form_page(
        request,
        offender,
        form=form,
        heading=kind.record_verb,
        kind=kind,
        button="Save",
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def prison_record_correct(request, offender_id, kind, pk):
    kind = _kind(kind)
    offender = _access_recording(request, offender_id)
    record = _record_of(kind, offender, pk)
    if request.method == "GET":
        audit_view(actor=request.user, obj=offender, summary=f"Opened the {kind.noun} {record} to correct it")
    form = CORRECTION_FORMS[kind.slug](request.POST or None, initial=correction_initial(kind, record))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("correction_reason")
        try:
            changed = records.prison_record_correct(
                actor=request.user, record=record, changes=data, reason=reason
            )
        except ValidationError as error:
            add_service_errors(form, error, fields={"reason": "correction_reason"})
        else:
            if not changed:
                messages.info(request, "Nothing was changed: the record already says that.")
                return redirect("classification:prison_records", offender_id=offender.pk)
            return _saved(request, offender, f"{kind.noun[0].upper()}{kind.noun[1:]} corrected.")
    return _form_page(
        request,
        offender,
        form=form,
        heading=f"Correct the {kind.noun} of {records.day_label(getattr(record, kind.date_field))}",
        kind=kind,
        button="Save the correction",
        record=record,
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def prison_record_end(request, offender_id, kind, pk):
    kind = _kind(kind)
    if kind.slug not in END_SERVICES:
        raise Http404(f"An {kind.noun} does not end.")
    offender = _access_recording(request, offender_id)
    record = _record_of(kind, offender, pk)
    if request.method == "GET":
        audit_view(actor=request.user, obj=offender, summary=f"Opened the {kind.noun} {record} to end it")
    form = END_FORMS[kind.slug](request.POST or None, initial={kind.end_field: timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        service, keyword = END_SERVICES[kind.slug]
        try:
            service(actor=request.user, **{keyword: record}, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, offender, f"{kind.end_verb}: done.")
    return _form_page(
        request,
        offender,
        form=form,
        heading=f"{kind.end_verb} ({kind.noun} of {records.day_label(getattr(record, kind.date_field))})",
        kind=kind,
        button="Save",
        record=record,
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def initial_classification(request, offender_id):
    offender = _access_recording(request, offender_id)
    history = classification_history(offender.pk)
    if history:
        messages.info(
            request, "This prisoner already has a security classification: start a review to change it."
        )
        return redirect("classification:prisoner", offender_id=offender.pk)
    form = InitialClassificationForm(request.POST or None, initial={"effective_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            records.initial_classification_record(actor=request.user, offender=offender, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Initial classification recorded. Reviews are now scheduled from it.")
            return redirect("classification:prisoner", offender_id=offender.pk)
    return _form_page(
        request,
        offender,
        form=form,
        heading="Record the initial classification at reception",
        kind=None,
        button="Record the classification",
        status=400 if form.errors else 200,
    )
