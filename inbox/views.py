"""The work inbox: the signed-in person's outstanding work, their team's for a manager, one team
member's, and a CSV export. The people are obtained only through inbox.access; the rows come from
inbox.selectors, and every list files a view row under each offender shown."""

import csv

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.models import AuditAction
from audit.services import audit_listed, audit_record
from inbox.access import access_inbox_person_by_id, access_own_inbox, access_team_inbox
from inbox.forms import KindFilterForm
from inbox.selectors import InboxRow, inbox_of, is_manager, team_inbox
from ioms.csv_export import Echo, safe_cell

PER_PAGE = 50


def _page(request, rows: list[InboxRow], *, summary: str):
    form = KindFilterForm(request.GET or None)
    kind = form.chosen_kind()
    shown = [row for row in rows if not kind or row.item.kind == kind]
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))
    audit_listed(
        actor=request.user,
        offender_ids=sorted({row.item.offender_id for row in page.object_list if row.item.offender_id}),
        summary=summary,
    )
    return {
        "form": form,
        "kind": kind,
        "page_obj": page,
        "rows": page.object_list,
        "today": timezone.localdate(),
    }


@require_GET
def mine(request):
    owner = access_own_inbox(request.user)
    inbox = inbox_of(owner, viewer=owner, today=timezone.localdate())
    context = _page(request, inbox.rows, summary="Listed in their own work inbox")
    context.update({"inbox": inbox, "manager": is_manager(owner)})
    return render(request, "inbox/mine.html", context)


@require_GET
def team(request):
    manager = access_team_inbox(request.user)
    inbox = team_inbox(manager, today=timezone.localdate())
    context = _page(request, inbox.rows, summary="Listed in their team's work inbox")
    context.update({"inbox": inbox})
    return render(request, "inbox/team.html", context)


@require_GET
def person(request, staff_pk):
    viewer, owner = access_inbox_person_by_id(request.user, staff_pk)
    inbox = inbox_of(owner, viewer=viewer, today=timezone.localdate())
    context = _page(request, inbox.rows, summary=f"Listed in the work inbox of {owner.name}")
    context.update({"inbox": inbox, "owner": owner, "own": owner.user_id == viewer.user_id})
    return render(request, "inbox/person.html", context)


# --- CSV --------------------------------------------------------------------------------------

HEADER = (
    "Due on",
    "Days overdue",
    "Kind",
    "Work",
    "Detail",
    "PRN",
    "Offender",
    "Who may do it",
    "Escalated",
    "Produced",
    "Link",
)


def _cells(request, row: InboxRow) -> list:
    item = row.item
    return [
        item.due_on.isoformat() if item.due_on else "",
        item.days_overdue if item.overdue else "",
        row.label,
        item.title,
        item.detail,
        item.offender_prn,
        item.offender_name,
        "; ".join(person.name for person in row.assignees),
        row.escalation_label,
        timezone.localtime(item.produced_at).strftime("%Y-%m-%d %H:%M") if item.produced_at else "",
        request.build_absolute_uri(item.url),
    ]


@require_GET
def export(request):
    """The signed-in person's inbox as CSV; `scope=team`: a manager's team inbox."""
    today = timezone.localdate()
    if request.GET.get("scope") == "team":
        manager = access_team_inbox(request.user)
        rows, whose, name = team_inbox(manager, today=today).rows, "their team's", "team-inbox"
    else:
        owner = access_own_inbox(request.user)
        rows, whose, name = inbox_of(owner, viewer=owner, today=today).rows, "their own", "inbox"
    kind = KindFilterForm(request.GET or None).chosen_kind()
    rows = [row for row in rows if not kind or row.item.kind == kind]
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        summary=f"Exported {whose} work inbox ({len(rows)} item{'s' * (len(rows) != 1)})",
        query=request.GET.urlencode(),
    )
    writer = csv.writer(Echo())

    def lines():
        yield writer.writerow(HEADER)
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in _cells(request, row)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{today.isoformat()}.csv"'
    return response
