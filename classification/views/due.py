"""The classification reviews due at a prison (issue 5, Scheduling: "prison officers see reviews due
and overdue for their prison"), as a page and as a CSV export. The prison is obtained only through
classification.schedule.access_due_list_prison; the rows come from its selectors."""

import csv
import datetime

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.models import AuditAction
from audit.services import audit_listed, audit_record
from classification.models import ReviewSchedule
from classification.schedule import (
    DueFilter,
    access_due_list_prison,
    can_choose_any_prison,
    due_counts,
    due_list_prisons_for,
    reviews_due,
    unclassified_at,
)
from ioms.csv_export import Echo, safe_cell
from offenders.models import visible_offenders_q
from staff.models import Office

PER_PAGE = 25


class DueFilterForm(forms.Form):
    prison = forms.ChoiceField(label="Prison", required=False)
    show = forms.ChoiceField(label="Show", choices=DueFilter.choices, required=False)

    def __init__(self, *args, prisons: list[Office] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if prisons is None:
            del self.fields["prison"]
        else:
            self.fields["prison"].choices = [("", "Choose a prison"), *[(str(p.pk), p.name) for p in prisons]]

    def show_value(self) -> str:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("show"):
            return self.cleaned_data["show"]
        return DueFilter.DUE


def _scope(request) -> tuple[Office | None, DueFilterForm]:
    user = request.user
    prison = access_due_list_prison(user, request.GET.get("prison"))
    prisons = due_list_prisons_for(user) if can_choose_any_prison(user) else None
    data = request.GET.copy() if request.GET else None
    if data is not None and prisons is not None and prison is not None:
        data["prison"] = str(prison.pk)
    form = DueFilterForm(
        data,
        prisons=prisons,
        initial={"prison": str(prison.pk) if prison else "", "show": DueFilter.DUE},
    )
    return prison, form


def _rows(prison: Office, show: str, today: datetime.date, user):
    # Need-to-know: restricted records the user may not open are left out (page and CSV).
    visible = visible_offenders_q(user, "offender")
    if show == DueFilter.UNCLASSIFIED:
        return unclassified_at(prison.pk, today=today).filter(visible)
    if show == DueFilter.OVERDUE:
        return reviews_due(prison.pk, today=today, overdue_only=True).filter(visible)
    if show == DueFilter.ALL:
        return reviews_due(prison.pk, today=today, within_days=None).filter(visible)
    return reviews_due(prison.pk, today=today).filter(visible)


@require_GET
def due(request):
    prison, form = _scope(request)
    context = {"form": form, "prison": prison, "national": can_choose_any_prison(request.user)}
    if prison is None:
        return render(request, "classification/due.html", context)
    today = timezone.localdate()
    show = form.show_value()
    page = Paginator(_rows(prison, show, today, request.user), PER_PAGE).get_page(request.GET.get("page"))
    audit_listed(
        actor=request.user,
        offender_ids=[row.offender_id for row in page.object_list],
        summary=f"Listed on the reviews due at {prison.name} ({DueFilter(show).label.lower()})",
    )
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        {
            "today": today,
            "show": show,
            "show_label": DueFilter(show).label,
            "page_obj": page,
            "rows": page.object_list,
            "counts": due_counts(prison.pk, today=today),
            "export_query": query.urlencode(),
        }
    )
    return render(request, "classification/due.html", context)


# --- CSV --------------------------------------------------------------------------------------

HEADER = (
    "PRN",
    "Family name",
    "Given names",
    "Due on",
    "Days overdue",
    "Basis",
    "Reason",
    "Internal category",
    "External category",
    "Classified on",
    "Open review",
)


def csv_cells(row: ReviewSchedule) -> list:
    current = row.counted_from
    return [
        row.offender.prn,
        row.offender.family_name,
        row.offender.given_names,
        row.due_on.isoformat() if row.due_on else "",
        row.days_overdue if row.due_on and row.days_overdue > 0 else "",
        row.get_basis_display(),
        row.reason,
        current.internal_category if current else "",
        current.external_category if current else "",
        current.effective_on.isoformat() if current else "",
        row.open_review_status_label,
    ]


@require_GET
def due_export(request):
    prison, form = _scope(request)
    if prison is None:
        messages.error(request, "Choose a prison to export its reviews due.")
        return redirect("classification:due")
    today = timezone.localdate()
    show = form.show_value()
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=prison,
        summary=f"Exported the classification reviews due at {prison.name} ({DueFilter(show).label.lower()})",
        query=f"prison={prison.pk}&show={show}",
    )
    rows = _rows(prison, show, today, request.user).iterator(chunk_size=2000)
    writer = csv.writer(Echo())

    def lines():
        yield writer.writerow(HEADER)
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in csv_cells(row)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="classification-reviews-due-{prison.code}-{today.isoformat()}.csv"'
    )
    return response
