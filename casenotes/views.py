"""Adding, reading and amending casenotes. The list is a tab of the offender record
(records.views.casenotes)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.services import audit_view
from casenotes import services
from casenotes.access import (
    access_casenote_by_id,
    can_add_casenote,
    can_amend_casenote,
    can_read_sensitive,
)
from casenotes.forms import CasenoteAmendForm, CasenoteForm
from casenotes.models import Casenote
from ioms.forms import add_service_errors
from offenders.access import access_offender_by_id
from offenders.views import record_context


@require_http_methods(["GET", "POST"])
def create(request, offender_pk: int):
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_add_casenote(request.user, offender):
        raise PermissionDenied("You may not add casenotes to this record.")
    may_write_sensitive = can_read_sensitive(request.user)
    if request.method == "POST":
        form = CasenoteForm(request.POST, offender=offender, may_write_sensitive=may_write_sensitive)
        if form.is_valid():
            try:
                services.casenote_create(actor=request.user, offender=offender, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error, {"contact_on": "contact_day"})
            else:
                messages.success(request, "Casenote added.")
                return redirect("offenders:casenotes", pk=offender.pk)
    else:
        form = CasenoteForm(offender=offender, may_write_sensitive=may_write_sensitive)
    context = record_context(request, offender, tab="casenotes")
    context.update(form=form)
    return render(request, "casenotes/create.html", context)


def _original_of(note: Casenote) -> Casenote:
    """Corrections are always appended to the original note, so they all show beneath it."""
    while note.amends_id is not None:
        note = Casenote.objects.select_related("offender", "author", "sentence").get(pk=note.amends_id)
    return note


@require_http_methods(["GET"])
def detail(request, pk: int):
    note = access_casenote_by_id(request.user, pk)
    original = _original_of(note)
    audit_view(
        actor=request.user, obj=original, summary=f"Viewed casenote {original.pk} of {original.offender}"
    )
    amendments = list(
        Casenote.objects.filter(amends=original)
        .visible_to_sensitive(can_read_sensitive(request.user))
        .select_related("author")
        .order_by("created_at", "id")
    )
    context = record_context(request, original.offender, tab="casenotes")
    context.update(
        note=original,
        amendments=amendments,
        may_amend=can_amend_casenote(request.user, original),
    )
    return render(request, "casenotes/detail.html", context)


@require_http_methods(["GET", "POST"])
def amend(request, pk: int):
    note = _original_of(access_casenote_by_id(request.user, pk))
    if not can_amend_casenote(request.user, note):
        raise PermissionDenied("You may not correct this casenote.")
    if request.method == "GET":
        audit_view(actor=request.user, obj=note, summary=f"Opened casenote {note.pk} to correct it")
    if request.method == "POST":
        form = CasenoteAmendForm(request.POST)
        if form.is_valid():
            try:
                services.casenote_amend(actor=request.user, note=note, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Correction added beneath the original note.")
                return redirect("casenotes:detail", pk=note.pk)
    else:
        form = CasenoteAmendForm(initial={"text": note.text})
    context = record_context(request, note.offender, tab="casenotes")
    context.update(form=form, note=note)
    return render(request, "casenotes/amend.html", context)
