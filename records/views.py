"""The pages of an offender's record that gather from the apps above offenders: the search (and
the data share's shared search), the front page (the data share's shared record in its place), and
the tabs of sentences, casenotes, documents, staff, programmes and the timeline. Served under the
offenders namespace and addresses (records.urls); the templates are the offenders app's.

Every page obtains the offender through `access_offender_by_id`, writes an audit row for the view,
and draws the record's frame through offenders.views.record_context."""

import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from agencies.models import Referral
from allocation.models import CaseAllocation
from allocation.views import team_panel
from audit.refusals import Refused
from audit.services import audit_search, audit_view
from casenotes.access import can_read_casenotes, can_read_sensitive, casenote_amend_checker
from casenotes.models import Casenote, CasenoteType
from datashare.access import reads_through_share
from datashare.views import shared_record, shared_search
from documents.access import can_read_documents, readable_documents
from documents.models import Document
from offenders.access import access_offender_by_id, can_create_offender, can_search_offenders
from offenders.forms import OffenderSearchForm
from offenders.models import Offender
from offenders.selectors import SearchTerms, offender_record, offender_search
from offenders.views import record_context
from records.selectors import offender_timeline
from sentences.custody import custody_movements_of, custody_status_of
from sentences.models import Conviction, Sentence, SentenceStatus
from sentences.selectors import next_key_date

CASENOTES_PER_PAGE = 20
LIST_PER_PAGE = 25


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
    context.update(
        page_obj=page_obj,
        custody=custody_status_of(offender.pk),
        custody_movements=custody_movements_of(offender.pk),
    )
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
    result = offender_timeline(offender, user=request.user, may=context["may"], before=before)
    context.update(timeline=result, before=before)
    return render(request, "offenders/timeline.html", context)
