"""Browser pages of the audit trail. (Signing in and out: signin/views.py.)"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import csrf
from django.views.decorators.http import require_http_methods

from audit.models import AuditAction, AuditEvent
from audit.refusals import note_refusal
from audit.services import audit_view
from casenotes.access import can_read_sensitive
from casenotes.models import Casenote
from offenders.access import access_offender_by_id, can_view_history
from offenders.views import record_context

HISTORY_PAGE_SIZE = 50


def csrf_failure(request, reason: str = ""):
    """Django's CSRF refusal page; the refusal is audited like any other (audit/refusals.py)."""
    note_refusal(request, f"CSRF verification failed: {reason}")
    return csrf.csrf_failure(request, reason=reason)


def _redact_sensitive_casenotes(user, events) -> None:
    """The trail records a casenote's summary when it is written; a reader without the
    sensitive-casenote permission sees that a sensitive note was written, not what it says."""
    if can_read_sensitive(user):
        return
    note_ids = {event.object_id for event in events if event.object_type == "casenotes.Casenote"}
    if not note_ids:
        return
    sensitive = {
        str(pk)
        for pk in Casenote.objects.filter(pk__in=note_ids, sensitive=True).values_list("pk", flat=True)
    }
    for event in events:
        if event.object_type == "casenotes.Casenote" and event.object_id in sensitive:
            event.changes = {}
            event.summary = f"{event.summary} (sensitive note: details withheld)"


@require_http_methods(["GET"])
def offender_history(request, offender_pk: int):
    """The audit trail of one offender's record: who viewed, searched to and changed what."""
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_view_history(request.user, offender):
        raise PermissionDenied("You may not see the history of this record.")
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the history of {offender}")
    events = AuditEvent.objects.filter(offender=offender).order_by("-at", "-id")
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        events = events.filter(action=action)
    page_obj = Paginator(events, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    page_obj.object_list = list(page_obj.object_list)
    _redact_sensitive_casenotes(request.user, page_obj.object_list)
    context = record_context(request, offender, tab="history")
    context.update(page_obj=page_obj, actions=AuditAction.choices, action=action)
    return render(request, "audit/offender_history.html", context)
