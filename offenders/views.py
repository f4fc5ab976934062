"""Browser pages of the offender record: search, the record's tabs, and the forms that change it.

Every page obtains the offender through `access_offender_by_id` and writes an audit row for the
view; every change goes through offenders.services."""

import copy
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from agencies.access import can_refer
from agencies.models import Referral
from allocation.access import can_allocate_case
from allocation.models import CaseAllocation
from allocation.views import team_panel
from audit.refusals import Refused
from audit.services import audit_search, audit_view
from casenotes.access import (
    can_add_casenote,
    can_read_casenotes,
    can_read_sensitive,
    casenote_amend_checker,
)
from casenotes.models import Casenote, CasenoteType
from classification.access import can_view_classification
from courts.access import can_raise_correction
from datashare.access import reads_through_share
from datashare.views import shared_record, shared_search
from documents.access import can_read_documents, can_write_documents, readable_documents
from documents.models import Document
from offenders import services
from offenders.access import (
    access_offender_by_id,
    can_create_offender,
    can_edit_offender,
    can_manage_restriction,
    can_restrict_offender,
    can_search_offenders,
    can_view_history,
    current_break_glass,
)
from offenders.forms import (
    AddressForm,
    AliasForm,
    FlagEndForm,
    FlagRaiseForm,
    IdentifierForm,
    OffenderDetailsForm,
    OffenderSearchForm,
    add_service_errors,
)
from offenders.models import Flag, Offender
from offenders.selectors import (
    SearchTerms,
    next_key_date,
    offender_active_flags,
    offender_record,
    offender_search,
    offender_timeline,
)
from sentences.access import can_record_sentence
from sentences.models import Conviction, Sentence, SentenceStatus
from staff.access import office_id_of

CASENOTES_PER_PAGE = 20
LIST_PER_PAGE = 25

TABS = (
    ("details", "Details", "offenders:detail"),
    ("sentences", "Sentences", "offenders:sentences"),
    ("casenotes", "Casenotes", "offenders:casenotes"),
    ("documents", "Documents", "offenders:documents"),
    ("staff", "Staff", "offenders:staff"),
    ("programmes", "Programmes", "offenders:programmes"),
    ("plans", "Sentence plans", "plans:offender"),
    ("classification", "Classification", "classification:prisoner"),
    ("timeline", "Timeline", "offenders:timeline"),
    ("history", "History", "audit:offender_history"),
)


def record_context(request, offender: Offender, *, tab: str) -> dict:
    """What every page of the record shows: the header with its warnings, the tabs the user may
    open, and what the user may do."""
    user = request.user
    may = {
        "edit": can_edit_offender(user, offender),
        "read_casenotes": can_read_casenotes(user, offender),
        "add_casenote": can_add_casenote(user, offender),
        "read_documents": can_read_documents(user, offender),
        "write_documents": can_write_documents(user, offender),
        "view_history": can_view_history(user, offender),
        "allocate": can_allocate_case(user, offender),
        "refer": can_refer(user, offender),
        "record_sentence": can_record_sentence(user, offender),
        "raise_correction": can_raise_correction(user, offender),
        "view_classification": can_view_classification(user, offender),
        "restrict": can_restrict_offender(user, offender),
        "manage_restriction": can_manage_restriction(user, offender),
    }
    hidden = set()
    if not may["read_casenotes"]:
        hidden.add("casenotes")
    if not may["read_documents"]:
        hidden.add("documents")
    if not may["view_history"]:
        hidden.add("history")
    if not may["view_classification"]:
        hidden.add("classification")
    tabs = [
        {"key": key, "label": label, "url": reverse(url_name, args=[offender.pk]), "current": key == tab}
        for key, label, url_name in TABS
        if key not in hidden
    ]
    return {
        "offender": offender,
        "warnings": offender_active_flags(offender),
        "tabs": tabs,
        "tab": tab,
        "may": may,
        # Need-to-know: the banner of a restricted record, and the grant of one opened through the glass.
        "break_glass": current_break_glass(user, offender) if offender.restricted else None,
    }


def _refuse(request, offender: Offender, what: str):
    raise Refused(f"You may not see the {what} of this record.", obj=offender)


def _offender_for_tab(request, pk: int, what: str) -> Offender:
    """The offender of a tab of the full record. A data-share user is refused every tab (the front
    page shows them the shared record instead) and the refusal is audited."""
    if reads_through_share(request.user):
        _refuse(request, get_object_or_404(Offender, pk=pk), what)
    return access_offender_by_id(request.user, pk)


# --- Search --------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def search(request):
    if reads_through_share(request.user):
        return shared_search(request)
    if not can_search_offenders(request.user):
        raise PermissionDenied("You may not search offender records.")
    submitted = any(name in request.GET for name in ("q", "date_of_birth", "office"))
    form = OffenderSearchForm(request.GET if submitted else None)
    hits = None
    if submitted and form.is_valid():
        text = form.cleaned_data["q"].strip()
        date_of_birth = form.cleaned_data["date_of_birth"]
        office = form.cleaned_data["office"]
        audit_search(
            actor=request.user,
            scope="offenders",
            terms={
                "text": text,
                "date_of_birth": date_of_birth.isoformat() if date_of_birth else "",
                "office": office.code if office else "",
            },
        )
        hits = offender_search(
            SearchTerms(text=text, date_of_birth=date_of_birth, office_id=office.pk if office else None),
            viewer=request.user,
        )
        if len(hits) == 1 and hits[0].matched_on == "PRN":
            return redirect("offenders:detail", pk=hits[0].offender.pk)
    return render(
        request,
        "offenders/search.html",
        {
            "form": form,
            "hits": hits,
            "limit_reached": hits is not None and len(hits) >= 50,
            "may_create": can_create_offender(request.user),
        },
    )


# --- The record's tabs ---------------------------------------------------------------------------


@require_http_methods(["GET"])
def detail(request, pk: int):
    if reads_through_share(request.user):
        return shared_record(request, pk)
    offender = access_offender_by_id(request.user, pk)
    audit_view(actor=request.user, obj=offender)
    record = offender_record(offender)
    current_sentences = list(
        Sentence.objects.current().filter(offender=offender).select_related("managing_office")
    )
    context = record_context(request, offender, tab="details")
    context.update(
        record=record,
        current_sentences=current_sentences,
        key_date=next_key_date(current_sentences, timezone.localdate()),
    )
    return render(request, "offenders/detail.html", context)


@require_http_methods(["GET"])
def sentences(request, pk: int):
    offender = _offender_for_tab(request, pk, "sentences")
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the sentences of {offender}")
    rows = (
        Sentence.objects.filter(offender=offender)
        .select_related("court", "managing_office")
        .prefetch_related(
            Prefetch(
                "convictions", queryset=Conviction.objects.select_related("offence").order_by("-convicted_on")
            )
        )
        .annotate(
            finished=Case(
                When(status=SentenceStatus.COMPLETED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("finished", "-start_date", "-id")
    )
    page_obj = Paginator(rows, LIST_PER_PAGE).get_page(request.GET.get("page"))
    context = record_context(request, offender, tab="sentences")
    context.update(page_obj=page_obj)
    return render(request, "offenders/sentences.html", context)


@require_http_methods(["GET"])
def casenotes(request, pk: int):
    offender = _offender_for_tab(request, pk, "casenotes")
    if not can_read_casenotes(request.user, offender):
        _refuse(request, offender, "casenotes")
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the casenotes of {offender}")
    sensitive = can_read_sensitive(request.user)
    notes = (
        Casenote.objects.filter(offender=offender, amends__isnull=True)
        .visible_to_sensitive(sensitive)
        .select_related("author", "sentence")
        .prefetch_related(
            Prefetch(
                "amendments",
                queryset=Casenote.objects.visible_to_sensitive(sensitive)
                .select_related("author")
                .order_by("created_at", "id"),
            )
        )
        .order_by("-contact_on", "-id")
    )
    note_type = request.GET.get("type", "")
    if note_type in CasenoteType.values:
        notes = notes.filter(note_type=note_type)
    else:
        note_type = ""
    page_obj = Paginator(notes, CASENOTES_PER_PAGE).get_page(request.GET.get("page"))
    may_amend = casenote_amend_checker(request.user, offender)
    for note in page_obj:
        note.may_amend = may_amend(note)
    context = record_context(request, offender, tab="casenotes")
    context.update(page_obj=page_obj, note_types=CasenoteType.choices, note_type=note_type)
    return render(request, "offenders/casenotes.html", context)


@require_http_methods(["GET"])
def documents(request, pk: int):
    offender = _offender_for_tab(request, pk, "documents")
    if not can_read_documents(request.user, offender):
        _refuse(request, offender, "documents")
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the documents of {offender}")
    rows = (
        readable_documents(request.user, Document.objects.filter(offender=offender))
        .select_related("template", "sentence", "created_by")
        .annotate(version_count=Count("versions"))
        .order_by("-updated_at", "-id")
    )
    page_obj = Paginator(rows, LIST_PER_PAGE).get_page(request.GET.get("page"))
    context = record_context(request, offender, tab="documents")
    context.update(page_obj=page_obj)
    return render(request, "offenders/documents.html", context)


@require_http_methods(["GET"])
def staff(request, pk: int):
    offender = _offender_for_tab(request, pk, "staff")
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the staff allocated to {offender}")
    rows = (
        CaseAllocation.objects.filter(offender=offender)
        .select_related("staff__user", "staff__office", "staff__team", "sentence", "allocated_by")
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on", "-id")
    )
    page_obj = Paginator(rows, LIST_PER_PAGE).get_page(request.GET.get("page"))
    context = record_context(request, offender, tab="staff")
    context.update(page_obj=page_obj, **team_panel(request.user, offender))
    return render(request, "offenders/staff.html", context)


@require_http_methods(["GET"])
def programmes(request, pk: int):
    offender = _offender_for_tab(request, pk, "programmes")
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the programmes of {offender}")
    rows = (
        Referral.objects.filter(offender=offender)
        .select_related("programme__agency", "sentence", "referred_by")
        .annotate(
            sessions=Count("attendances"),
            attended=Count("attendances", filter=Q(attendances__attended=True)),
        )
        .order_by("-referred_on", "-id")
    )
    page_obj = Paginator(rows, LIST_PER_PAGE).get_page(request.GET.get("page"))
    context = record_context(request, offender, tab="programmes")
    context.update(page_obj=page_obj)
    return render(request, "offenders/programmes.html", context)


@require_http_methods(["GET"])
def timeline(request, pk: int):
    offender = _offender_for_tab(request, pk, "timeline")
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the timeline of {offender}")
    before = None
    if request.GET.get("before"):
        try:
            before = datetime.date.fromisoformat(request.GET["before"])
        except ValueError:
            before = None
    context = record_context(request, offender, tab="timeline")
    result = offender_timeline(
        offender,
        casenotes=context["may"]["read_casenotes"],
        sensitive=can_read_sensitive(request.user),
        documents=(
            readable_documents(request.user, Document.objects.filter(offender=offender))
            if context["may"]["read_documents"]
            else None
        ),
        before=before,
    )
    context.update(timeline=result, before=before)
    return render(request, "offenders/timeline.html", context)


# --- Changes -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def create(request):
    if not can_create_offender(request.user):
        raise PermissionDenied("You may not create offender records.")
    if request.method == "POST":
        form = OffenderDetailsForm(request.POST)
        if form.is_valid():
            try:
                offender = services.offender_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Created the record of {offender.full_name} (PRN {offender.prn}).")
                return redirect("offenders:detail", pk=offender.pk)
    else:
        form = OffenderDetailsForm(initial={"home_office": office_id_of(request.user)})
    return render(request, "offenders/create.html", {"form": form})


def _record_form(request, offender: Offender, form, *, title: str, submit: str, intro: str = ""):
    context = record_context(request, offender, tab="details")
    context.update(form=form, title=title, submit=submit, intro=intro)
    return render(request, "offenders/record_form.html", context)


@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    offender = access_offender_by_id(request.user, pk, for_edit=True)
    if request.method == "GET":
        audit_view(actor=request.user, obj=offender, summary=f"Opened {offender} to change details")
    # The form works on a copy, so the page header keeps the saved values if the input is refused.
    if request.method == "POST":
        form = OffenderDetailsForm(request.POST, instance=copy.copy(offender), editing=True)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.fields}
            try:
                changes = services.offender_update(actor=request.user, offender=offender, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if changes:
                    messages.success(request, f"Saved the changes to {offender.full_name}'s details.")
                else:
                    messages.info(request, "Nothing was changed.")
                return redirect("offenders:detail", pk=offender.pk)
    else:
        form = OffenderDetailsForm(instance=copy.copy(offender), editing=True)
    return _record_form(request, offender, form, title="Change personal details", submit="Save changes")


def _add_to_record(
    request, pk: int, form_class, service, *, title: str, submit: str, done: str, intro: str = ""
):
    """The shape every "add something to the record" page shares: validate, call the service,
    show its errors, or redirect to the record with a message."""
    offender = access_offender_by_id(request.user, pk, for_edit=True)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                service(actor=request.user, offender=offender, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, done)
                return redirect("offenders:detail", pk=offender.pk)
    else:
        form = form_class()
    return _record_form(request, offender, form, title=title, submit=submit, intro=intro)


@require_http_methods(["GET", "POST"])
def alias_add(request, pk: int):
    return _add_to_record(
        request,
        pk,
        AliasForm,
        services.alias_add,
        title="Add an alias",
        submit="Add alias",
        done="Alias added.",
    )


@require_http_methods(["GET", "POST"])
def address_add(request, pk: int):
    return _add_to_record(
        request,
        pk,
        AddressForm,
        services.address_add,
        title="Add an address",
        submit="Add address",
        done="Address added.",
        intro="The current address of the same kind will end the day before the new one starts.",
    )


@require_http_methods(["GET", "POST"])
def identifier_add(request, pk: int):
    return _add_to_record(
        request,
        pk,
        IdentifierForm,
        services.identifier_add,
        title="Add an identifier",
        submit="Add identifier",
        done="Identifier added.",
    )


@require_http_methods(["GET", "POST"])
def flag_raise(request, pk: int):
    return _add_to_record(
        request,
        pk,
        FlagRaiseForm,
        services.flag_raise,
        title="Raise a flag",
        submit="Raise flag",
        done="Flag raised.",
        intro="Active flags are shown as warnings at the top of every page of the record.",
    )


@require_http_methods(["GET", "POST"])
def flag_end(request, pk: int, flag_pk: int):
    offender = access_offender_by_id(request.user, pk, for_edit=True)
    flag = get_object_or_404(Flag, pk=flag_pk, offender=offender)
    if request.method == "POST":
        form = FlagEndForm(request.POST)
        if form.is_valid():
            try:
                services.flag_end(
                    actor=request.user,
                    flag=flag,
                    reason=form.cleaned_data["reason"],
                    ended_on=form.cleaned_data["ended_on"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "ended_reason" in error.error_dict:
                    error = ValidationError({"reason": error.error_dict["ended_reason"]})
                add_service_errors(form, error)
            else:
                messages.success(request, f"Ended the flag “{flag}”.")
                return redirect("offenders:detail", pk=offender.pk)
    else:
        form = FlagEndForm()
    return _record_form(
        request,
        offender,
        form,
        title=f"End the flag “{flag}”",
        submit="End flag",
        intro=f"Raised on {flag.raised_on:%d %B %Y}: {flag.reason}",
    )
