"""Pages of need-to-know (issue 11): restricting a record and lifting it, its access list, breaking
the glass, and the break-glass report. Every change goes through offenders.services; every refusal
is audited."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import AuditAction
from audit.refusals import Refused
from audit.services import audit_record, audit_view
from ioms.csv_export import Echo, safe_cell
from ioms.forms import posted
from offenders import services
from offenders.access import (
    access_offender_by_id,
    can_break_glass,
    can_manage_restriction,
    can_restrict_offender,
    can_view_break_glass_report,
    can_view_offender,
)
from offenders.forms import (
    AccessGrantForm,
    AccessRevokeForm,
    BreakGlassForm,
    RestrictForm,
    RestrictionLiftForm,
    add_service_errors,
)
from offenders.models import Offender, RestrictedAccess
from offenders.selectors import break_glass_report_rows, restriction_history
from offenders.views import record_context

REPORT_PER_PAGE = 50


def _refuse(request, message: str, *, offender: Offender | None = None, summary: str = ""):
    """Refused: audited where the refusal becomes a response (audit.refusals), filed under the record."""
    raise Refused(f"{message} ({summary})" if summary else message, obj=offender)


def _record_page(request, offender: Offender, template: str, **extra):
    context = record_context(request, offender, tab="details")
    context.update(extra)
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def restrict(request, pk: int):
    offender = access_offender_by_id(request.user, pk)
    if not can_restrict_offender(request.user, offender):
        _refuse(
            request,
            "Only a system administrator or a service manager may restrict a record.",
            offender=offender,
            summary=f"restricting record {offender.prn}",
        )
    form = RestrictForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.offender_restrict(
                actor=request.user, offender=offender, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "The record is restricted. You are on its access list; add the others who need it."
            )
            return redirect("offenders:access_list", pk=offender.pk)
    return _record_page(request, offender, "offenders/restrict.html", form=form)


@require_http_methods(["GET", "POST"])
def restriction_lift(request, pk: int):
    offender = access_offender_by_id(request.user, pk)
    if not can_manage_restriction(request.user, offender):
        _refuse(
            request,
            "Only a service manager on the access list or a system administrator may lift the restriction.",
            offender=offender,
            summary=f"lifting the restriction of record {offender.prn}",
        )
    form = RestrictionLiftForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.offender_restriction_lift(
                actor=request.user, offender=offender, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The restriction is lifted: every role may open the record again.")
            return redirect("offenders:detail", pk=offender.pk)
    return _record_page(request, offender, "offenders/restriction_lift.html", form=form)


@require_http_methods(["GET", "POST"])
def access_list(request, pk: int):
    """Who may open a restricted record, its history, and (for those who keep it) adding a name."""
    offender = access_offender_by_id(request.user, pk)
    if not offender.restricted:
        return redirect("offenders:detail", pk=offender.pk)
    may_manage = can_manage_restriction(request.user, offender)
    form = AccessGrantForm(posted(request)) if may_manage else None
    if request.method == "POST":
        if not may_manage:
            _refuse(
                request,
                "Only a service manager on the access list or a system administrator may change it.",
                offender=offender,
                summary=f"changing the access list of record {offender.prn}",
            )
        if form.is_valid():
            try:
                services.restricted_access_grant(
                    actor=request.user, offender=offender, user=form.cleaned_data["user"]
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "user" in error.error_dict:
                    error = ValidationError({"username": error.error_dict["user"]})
                add_service_errors(form, error)
            else:
                messages.success(request, f"Added {form.cleaned_data['username']} to the access list.")
                return redirect("offenders:access_list", pk=offender.pk)
    else:
        audit_view(
            actor=request.user, obj=offender, summary=f"Viewed the access list of record {offender.prn}"
        )
    history = restriction_history(offender)
    return _record_page(
        request,
        offender,
        "offenders/access_list.html",
        form=form,
        may_manage=may_manage,
        **history,
    )


@require_http_methods(["GET", "POST"])
def access_revoke(request, pk: int, access_pk: int):
    offender = access_offender_by_id(request.user, pk)
    access = get_object_or_404(
        RestrictedAccess.objects.select_related("user"),
        pk=access_pk,
        offender=offender,
        removed_at__isnull=True,
    )
    if not can_manage_restriction(request.user, offender):
        _refuse(
            request,
            "Only a service manager on the access list or a system administrator may change it.",
            offender=offender,
            summary=f"changing the access list of record {offender.prn}",
        )
    form = AccessRevokeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.restricted_access_revoke(
                actor=request.user, access=access, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Took {access.user.get_username()} off the access list.")
            return redirect("offenders:access_list", pk=offender.pk)
    return _record_page(request, offender, "offenders/access_revoke.html", form=form, access=access)


@require_http_methods(["GET", "POST"])
def break_glass(request, pk: int):
    """Not through the gate: this is the page for those the gate refuses."""
    offender = get_object_or_404(Offender, pk=pk)
    if can_view_offender(request.user, offender):
        return redirect("offenders:detail", pk=offender.pk)
    if not can_break_glass(request.user, offender):
        _refuse(
            request,
            "You may not open offender records.",
            offender=offender if offender.restricted else None,
            summary="breaking the glass",
        )
    form = BreakGlassForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.offender_break_glass(
                actor=request.user, offender=offender, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.warning(
                request,
                f"You broke the glass on record {offender.prn}. You may open it until "
                f"{timezone.localtime(grant.expires_at):%-d %b %Y %H:%M}; its owners have been told.",
            )
            return redirect("offenders:detail", pk=offender.pk)
    return render(
        request, "offenders/break_glass.html", {"form": form, "prn": offender.prn, "offender_id": offender.pk}
    )


def _report_access(request) -> None:
    if not can_view_break_glass_report(request.user):
        _refuse(
            request,
            "Only system administrators and service managers may read the break-glass report.",
            summary="the break-glass report",
        )


@require_GET
def break_glass_report(request):
    _report_access(request)
    audit_record(actor=request.user, action=AuditAction.VIEW, summary="Viewed the break-glass report")
    page_obj = Paginator(break_glass_report_rows(), REPORT_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "offenders/break_glass_report.html", {"page_obj": page_obj})


REPORT_COLUMNS = ("Granted at", "Expires at", "PRN", "Username", "Name", "Reason")


def _report_lines(rows):
    writer = csv.writer(Echo())
    yield writer.writerow(REPORT_COLUMNS)
    for grant in rows.iterator(chunk_size=1000):
        yield writer.writerow(
            [
                safe_cell(timezone.localtime(grant.granted_at).isoformat(timespec="minutes")),
                safe_cell(timezone.localtime(grant.expires_at).isoformat(timespec="minutes")),
                safe_cell(grant.offender.prn),
                safe_cell(grant.user.get_username()),
                safe_cell(grant.user.get_full_name()),
                safe_cell(grant.reason),
            ]
        )


@require_GET
def break_glass_report_csv(request):
    _report_access(request)
    audit_record(
        actor=request.user, action=AuditAction.EXPORT, summary="Exported the break-glass report (CSV)"
    )
    response = StreamingHttpResponse(
        _report_lines(break_glass_report_rows()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"break-glass-{timezone.localdate():%Y-%m-%d}.csv"
    )
    return response
