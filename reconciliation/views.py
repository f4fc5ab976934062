"""Browser pages of the exceptions report: the report of an office (with its weekly trend and a
CSV export), an exception, and the forms that move it through its lifecycle.

Every exception is obtained through `access_exception_by_id`; every change goes through
reconciliation.services, but for asking the courts to correct their data: that step is the courts'
(courts.views.exception_request_correction, at this page's address, through `perform_step`)."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditAction
from audit.services import audit_listed, audit_record, audit_search, audit_view
from ioms.csv_export import Echo, safe_cell
from ioms.forms import add_service_errors
from reconciliation import services
from reconciliation.access import (
    access_exception_by_id,
    can_choose_any_office,
    can_view_exceptions_report,
    can_work_exception,
    report_offices_for,
    resolve_refusal,
)
from reconciliation.charts import trend_chart
from reconciliation.forms import (
    NO_OFFICE,
    AssignForm,
    CorrectionRequestForm,
    ReopenForm,
    ReportFilterForm,
    ResolveForm,
    StartForm,
)
from reconciliation.models import DataException, ExceptionStep
from reconciliation.selectors import (
    exception_csv_rows,
    exception_occurrences,
    exception_report,
    exception_status_counts,
    exception_transitions,
    exception_trend,
)
from staff.access import office_id_of

PER_PAGE = 25


class _Scope:
    """The office whose report is shown: `office_id` None with `chosen` means the exceptions that
    belong to no office; `chosen` False means a national user has not picked one yet."""

    def __init__(self, *, office_id: int | None, chosen: bool, label: str, code: str):
        self.office_id, self.chosen, self.label, self.code = office_id, chosen, label, code


def _report_form_and_scope(request) -> tuple[ReportFilterForm, _Scope]:
    user = request.user
    if not can_view_exceptions_report(user):
        raise PermissionDenied("The exceptions report is for administrative support and service managers.")
    national = can_choose_any_office(user)
    offices = report_offices_for(user)
    office_id = office_id_of(user)
    assignee_office = office_id
    requested = request.GET.get("office", "")
    if national:
        by_pk = {str(office.pk): office for office in offices}
        if requested == NO_OFFICE:
            scope = _Scope(
                office_id=None, chosen=True, label="Exceptions not placed in an office", code="none"
            )
        elif requested in by_pk:
            office = by_pk[requested]
            scope = _Scope(office_id=office.pk, chosen=True, label=office.name, code=office.code)
        elif not requested and office_id is not None and str(office_id) in by_pk:
            office = by_pk[str(office_id)]
            scope = _Scope(office_id=office.pk, chosen=True, label=office.name, code=office.code)
        else:
            scope = _Scope(office_id=None, chosen=False, label="", code="")
        assignee_office = scope.office_id
    else:
        if requested and requested != str(office_id):
            raise PermissionDenied("You may see only your own office's exceptions.")
        office = offices[0]
        scope = _Scope(office_id=office.pk, chosen=True, label=office.name, code=office.code)
    assignees = services.exception_assignees(assignee_office) if scope.chosen else []
    data = request.GET if request.GET else None
    if data is not None and national and not requested and scope.chosen:
        data = data.copy()
        data["office"] = str(scope.office_id)
    form = ReportFilterForm(
        data,
        offices=offices if national else None,
        assignees=list(assignees),
        initial={"office": str(scope.office_id) if scope.office_id else ""},
    )
    return form, scope


@require_GET
def report(request):
    form, scope = _report_form_and_scope(request)
    context = {"form": form, "scope": scope, "national": can_choose_any_office(request.user)}
    if not scope.chosen:
        return render(request, "reconciliation/report.html", context)
    filters = form.filters()
    audit_search(actor=request.user, scope=f"exceptions report: {scope.label}", terms=filters.as_terms())
    rows = exception_report(office_id=scope.office_id, filters=filters, user=request.user)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    audit_listed(
        actor=request.user,
        offender_ids=[row.offender_id for row in page.object_list if row.offender_id],
        summary=f"Listed on the exceptions report: {scope.label}",
    )
    context.update(
        {
            "page_obj": page,
            "exceptions": page.object_list,
            "filters": filters,
            "counts": exception_status_counts(scope.office_id),
            "chart": trend_chart(exception_trend(scope.office_id)),
            "export_query": _export_query(request),
        }
    )
    return render(request, "reconciliation/report.html", context)


def _export_query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_GET
def export_csv(request):
    form, scope = _report_form_and_scope(request)
    if not scope.chosen:
        messages.error(request, "Choose an office to export its exceptions.")
        return redirect("reconciliation:report")
    filters = form.filters()
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        summary=f"Exported the exceptions report of {scope.label}",
        query="&".join(f"{key}={value}" for key, value in filters.as_terms().items() if value),
    )
    rows = exception_report(office_id=scope.office_id, filters=filters, user=request.user)
    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        (writer.writerow([safe_cell(cell) for cell in row]) for row in exception_csv_rows(rows)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="exceptions-{scope.code}-{stamp}.csv"'
    return response


# --- An exception and its lifecycle ----------------------------------------------------------------

STEP_FORMS = {
    ExceptionStep.ASSIGNED: ("assign", AssignForm),
    ExceptionStep.STARTED: ("start", StartForm),
    ExceptionStep.RESOLVED: ("resolve", ResolveForm),
    ExceptionStep.CORRECTION_REQUESTED: ("correction", CorrectionRequestForm),
    ExceptionStep.REOPENED: ("reopen", ReopenForm),
}


def _step_form(step: str, exception: DataException, data=None):
    prefix, form_class = STEP_FORMS[step]
    kwargs = {"prefix": prefix}
    if form_class is AssignForm:
        kwargs["assignees"] = services.exception_assignees(exception.office_id)
        kwargs["initial"] = {"assignee": exception.assignee_id}
    if form_class is CorrectionRequestForm:
        kwargs["choices"] = services.correction_field_choices(exception)
    return form_class(data, **kwargs)


def _render_detail(request, exception: DataException, *, bound: dict | None = None):
    may_work = can_work_exception(request.user, exception)
    step_forms = {}
    resolve_refused = None
    if may_work:
        for step in services.allowed_steps(exception):
            if step == ExceptionStep.RESOLVED:
                # Four eyes: the reason in place of the form (reconciliation.access.resolve_refusal).
                resolve_refused = resolve_refusal(request.user, exception)
                if resolve_refused is not None:
                    continue
            step_forms[step] = (bound or {}).get(step) or _step_form(step, exception)
    return render(
        request,
        "reconciliation/detail.html",
        {
            "exception": exception,
            "transitions": exception_transitions(exception),
            "occurrences": exception_occurrences(exception),
            "may_work": may_work,
            "assign_form": step_forms.get(ExceptionStep.ASSIGNED),
            "start_form": step_forms.get(ExceptionStep.STARTED),
            "resolve_form": step_forms.get(ExceptionStep.RESOLVED),
            "resolve_refused": resolve_refused,
            "correction_form": step_forms.get(ExceptionStep.CORRECTION_REQUESTED),
            "reopen_form": step_forms.get(ExceptionStep.REOPENED),
            "office_query": f"office={exception.office_id}" if exception.office_id else f"office={NO_OFFICE}",
        },
    )


@require_GET
def detail(request, pk):
    exception = access_exception_by_id(request.user, pk)
    audit_view(actor=request.user, obj=exception, summary=f"Viewed exception {exception.pk}: {exception}")
    return _render_detail(request, exception)


def perform_step(request, pk, step: str, action, success: str):
    """A step's form posted from the exception's page: `action(exception, cleaned_data)` calls the
    step's service; its refusal shows on the page, with the form as it was filled in. The courts'
    step (asking them to correct their data, courts.views) posts here too."""
    exception = access_exception_by_id(request.user, pk, for_work=True)
    if step not in services.allowed_steps(exception):
        messages.error(
            request,
            f"This exception is {exception.get_status_display().lower()}: it cannot be "
            f"{ExceptionStep(step).label.lower()} now.",
        )
        return redirect("reconciliation:detail", pk=exception.pk)
    form = _step_form(step, exception, request.POST)
    if form.is_valid():
        try:
            action(exception, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error, fields={"fields": "fields_wrong"})
        else:
            messages.success(request, success)
            return redirect("reconciliation:detail", pk=exception.pk)
    return _render_detail(request, exception, bound={step: form})


@require_POST
def assign(request, pk):
    def action(exception, data):
        services.exception_assign(
            actor=request.user, exception=exception, assignee=data["assignee"], comment=data["comment"]
        )

    return perform_step(request, pk, ExceptionStep.ASSIGNED, action, "Assigned the exception.")


@require_POST
def start(request, pk):
    def action(exception, data):
        services.exception_start(actor=request.user, exception=exception, comment=data["comment"])

    return perform_step(request, pk, ExceptionStep.STARTED, action, "Work on the exception has started.")


@require_POST
def resolve(request, pk):
    def action(exception, data):
        services.exception_resolve(
            actor=request.user,
            exception=exception,
            resolution_reason=data["resolution_reason"],
            change_made=data["change_made"],
        )

    return perform_step(request, pk, ExceptionStep.RESOLVED, action, "Resolved the exception.")


@require_POST
def reopen(request, pk):
    def action(exception, data):
        services.exception_reopen(actor=request.user, exception=exception, reason=data["reason"])

    return perform_step(request, pk, ExceptionStep.REOPENED, action, "Reopened the exception.")
