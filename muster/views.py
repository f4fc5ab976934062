"""Browser pages of the muster list (seed 001): the list of an office, its exports and a printable
copy. The office is obtained only through `access_muster_office_by_id`; viewing the list is
audited as a search of records and every export (or printable copy) as an export."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from audit.models import AuditAction
from audit.services import audit_listed, audit_record, audit_search
from muster.access import (
    access_muster_office_by_id,
    can_choose_muster_office,
    can_view_muster,
    muster_offices,
)
from muster.exports import csv_chunks, write_xlsx
from muster.forms import MusterFilterForm, OfficeChoiceForm
from muster.selectors import (
    MusterFilters,
    MusterSort,
    muster_counts,
    muster_page,
    muster_rows,
)
from staff.access import office_id_of
from staff.models import Office

MUSTER_PAGE_SIZE = 50
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The sortable columns: (column, ascending sort, descending sort).
SORTABLE_COLUMNS = (
    ("name", MusterSort.NAME, MusterSort.NAME_DESC),
    ("prn", MusterSort.PRN, MusterSort.PRN_DESC),
    ("start", MusterSort.START, MusterSort.START_DESC),
    ("end", MusterSort.END, MusterSort.END_DESC),
)


def _audit_terms(office: Office, filters: MusterFilters) -> dict[str, str]:
    return {"office": office.code, **filters.terms()}


def _query_text(terms: dict[str, str]) -> str:
    """The same "key=value&..." text audit_search records, for the export rows."""
    return "&".join(f"{key}={value}" for key, value in sorted(terms.items()) if value not in (None, ""))


def _sorting(current: str) -> dict[str, dict]:
    """For each sortable column header: its aria-sort state and the sort a click on it selects."""
    columns = {}
    for column, ascending, descending in SORTABLE_COLUMNS:
        if current == ascending:
            columns[column] = {"aria_sort": "ascending", "next": descending}
        elif current == descending:
            columns[column] = {"aria_sort": "descending", "next": ascending}
        else:
            columns[column] = {"aria_sort": "", "next": ascending}
    return columns


def _filter_summary(form: MusterFilterForm) -> list[str]:
    """The filters in words, for the caption and the printed copy."""
    data = form.cleaned_data
    parts = []
    if data.get("q", "").strip():
        parts.append(f"name or PRN “{data['q'].strip()}”")
    if data.get("sentence_type"):
        parts.append(f"sentence type {dict(form.fields['sentence_type'].choices)[data['sentence_type']]}")
    if data.get("officer"):
        parts.append(f"supervised by {form.fields['officer'].label_from_instance(data['officer'])}")
    if data.get("unallocated"):
        parts.append("no supervising officer")
    if data.get("flags"):
        labels = dict(form.fields["flags"].choices)
        parts.append("flagged " + " or ".join(labels[flag] for flag in data["flags"]))
    return parts


def _render_list(request, office: Office, form: MusterFilterForm, *, status: int = 200):
    context = {
        "office": office,
        "form": form,
        "counts": muster_counts(office),
        "page_obj": None,
        "rows": [],
        "sorting": _sorting(MusterSort.NAME),
        "office_form": None,
    }
    if can_choose_muster_office(request.user):
        context["office_form"] = OfficeChoiceForm(initial={"office": office.pk}, auto_id="choose_%s")
    if form.is_valid():
        filters = form.filters()
        audit_search(
            actor=request.user, scope=f"muster list of {office.code}", terms=_audit_terms(office, filters)
        )
        page_obj, rows = muster_page(
            office,
            filters,
            request.GET.get("page"),
            per_page=MUSTER_PAGE_SIZE,
            viewer=request.user,
        )
        audit_listed(
            actor=request.user,
            offender_ids=[row.offender_id for row in rows],
            summary=f"Listed on the muster list of {office.code}",
        )
        context.update(
            page_obj=page_obj,
            rows=rows,
            sorting=_sorting(filters.sort),
            filter_summary=_filter_summary(form),
        )
    return render(request, "muster/list.html", context, status=status)


@require_GET
def mine(request):
    """The muster list of the user's own office; a national role's office chooser submits here."""
    user = request.user
    if not can_view_muster(user):
        raise PermissionDenied("You may not see muster lists.")
    if can_choose_muster_office(user) and "office" in request.GET:
        chooser = OfficeChoiceForm(request.GET)
        if not chooser.is_valid():
            raise Http404("No such office.")
        return redirect("muster:office", office_pk=chooser.cleaned_data["office"])
    office_id = office_id_of(user)
    if can_choose_muster_office(user) and not muster_offices().filter(pk=office_id).exists():
        first = muster_offices().first()
        if first is None:
            raise Http404("There are no offices yet.")
        office_id = first.pk
    return redirect("muster:office", office_pk=office_id)


@require_GET
def office(request, office_pk: int):
    office = access_muster_office_by_id(request.user, office_pk)
    return _render_list(request, office, MusterFilterForm(request.GET, office=office))


def _export_filters(request, office: Office) -> tuple[MusterFilterForm, MusterFilters | None]:
    form = MusterFilterForm(request.GET, office=office)
    return form, form.filters() if form.is_valid() else None


def _audit_export(request, office: Office, filters: MusterFilters, what: str) -> None:
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=office,
        summary=f"Exported the muster list of {office} ({what})",
        query=_query_text(_audit_terms(office, filters)),
    )


def _filename(office: Office, extension: str) -> str:
    code = "".join(char if char.isalnum() or char == "-" else "-" for char in office.code)
    return f"muster-{code}-{timezone.localdate():%Y-%m-%d}.{extension}"


@require_GET
def export_csv(request, office_pk: int):
    office = access_muster_office_by_id(request.user, office_pk)
    form, filters = _export_filters(request, office)
    if filters is None:
        return _render_list(request, office, form, status=400)
    _audit_export(request, office, filters, "CSV")
    response = StreamingHttpResponse(
        csv_chunks(muster_rows(office, filters, viewer=request.user)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(True, _filename(office, "csv"))
    return response


@require_GET
def export_xlsx(request, office_pk: int):
    office = access_muster_office_by_id(request.user, office_pk)
    form, filters = _export_filters(request, office)
    if filters is None:
        return _render_list(request, office, form, status=400)
    _audit_export(request, office, filters, "XLSX")
    handle = write_xlsx(
        muster_rows(office, filters, viewer=request.user),
        title=f"Muster list of {office} on {timezone.localdate():%-d %B %Y}",
    )
    return FileResponse(
        handle, as_attachment=True, filename=_filename(office, "xlsx"), content_type=XLSX_CONTENT_TYPE
    )


@require_GET
def printable(request, office_pk: int):
    """The whole filtered list on one page for printing (no navigation, print styles)."""
    office = access_muster_office_by_id(request.user, office_pk)
    form, filters = _export_filters(request, office)
    if filters is None:
        return _render_list(request, office, form, status=400)
    _audit_export(request, office, filters, "printable copy")
    context = {
        "office": office,
        "counts": muster_counts(office),
        # The page holds the whole list anyway; the rows are still read in chunks.
        "rows": list(muster_rows(office, filters, viewer=request.user)),
        "filter_summary": _filter_summary(form),
        "printed_at": timezone.localtime(),
    }
    return render(request, "muster/print.html", context)
