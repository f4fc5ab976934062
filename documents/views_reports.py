"""Browser pages for reports to courts and the Parole Board (issue 6): an offender's reports, assembling
one from the record (with casenote extracts chosen by the officer), editing, submitting, approving or
returning, issuing, cancelling, addenda, and the PDFs — a preview of any version, and each copy
exactly as issued. Every page obtains its report through access_report_by_id (or the offender
through access_offender_by_id), every step goes through documents.reports, and every view and
download is audited."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import AuditAction
from audit.services import audit_record, audit_view
from casenotes.access import can_read_sensitive
from casenotes.models import Casenote
from documents import reports
from documents.access import (
    access_issue_by_id,
    access_report_by_id,
    approval_refusal,
    can_assemble_report,
    can_read_documents,
    can_work_report,
    readable_reports,
)
from documents.forms import (
    DocumentReviseForm,
    ReportAddendumForm,
    ReportAssembleForm,
    ReportDecisionForm,
    ReportIssueForm,
    ReportNoteForm,
    ReportReasonForm,
)
from documents.models import (
    REPORT_EDITABLE_STATUSES,
    REPORT_TRANSITIONS,
    DocumentVersion,
    RecipientKind,
    Report,
    ReportKind,
    ReportStatus,
)
from documents.sanitise import sanitise_html
from ioms.forms import add_service_errors
from offenders.access import access_offender_by_id

REPORTS_PER_PAGE = 25
CASENOTES_PER_PAGE = 20


def _title(report: Report) -> str:
    return report.document.title


def _latest(report: Report) -> DocumentVersion:
    return (
        DocumentVersion.objects.filter(document_id=report.document_id)
        .select_related("created_by")
        .order_by("-number")
        .first()
    )


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _ids(values) -> set[int]:
    return {int(value) for value in values if str(value).isdigit()}


# --- an offender's reports and assembling a new one ---------------------------------------------


@require_GET
def report_list(request, offender_pk):
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_read_documents(request.user, offender):
        raise PermissionDenied("You may not read this offender's reports.")
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the reports on {offender}")
    rows = (
        readable_reports(request.user, Report.objects.filter(offender=offender))
        .select_related("document", "author")
        .annotate(latest_version=Max("document__versions__number"))
        .order_by("-created_at", "-id")
    )
    page_obj = Paginator(rows, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/reports/list.html",
        {
            "offender": offender,
            "page_obj": page_obj,
            "today": timezone.localdate(),
            "may_assemble": can_assemble_report(request.user, offender),
        },
    )


def _casenote_choices(user, offender):
    """The casenotes the author may quote: the offender's notes (corrections are shown with the note
    they correct), sensitive ones only for staff who may read them."""
    return (
        Casenote.objects.filter(offender=offender, amends__isnull=True)
        .visible_to_sensitive(can_read_sensitive(user))
        .select_related("author")
        .order_by("-contact_on", "-id")
    )


@require_http_methods(["GET", "POST"])
def report_assemble_view(request, offender_pk):
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_assemble_report(request.user, offender):
        raise PermissionDenied("You may not write reports on this offender's record.")
    paginator = Paginator(_casenote_choices(request.user, offender), CASENOTES_PER_PAGE)
    chosen: set[int] = set()
    if request.method == "POST":
        # The choices on the other pages of casenotes travel as hidden inputs; the page shown is
        # read from its checkboxes, so unticking a note there drops it.
        shown = {note.pk for note in paginator.get_page(request.POST.get("shown_page"))}
        chosen = (_ids(request.POST.getlist("carried")) - shown) | _ids(request.POST.getlist("casenotes"))
        if "page" in request.POST:
            page_number = request.POST["page"]
            # Another page of casenotes: what was typed is shown again, unchecked, read as each
            # widget reads it (a date is three boxes, not one value under its name).
            form = ReportAssembleForm(offender=offender)
            form.initial = {
                name: field.widget.value_from_datadict(request.POST, request.FILES, name)
                for name, field in form.fields.items()
            }
        else:
            page_number = request.POST.get("shown_page")
            form = ReportAssembleForm(request.POST, offender=offender)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    report = reports.report_assemble(
                        actor=request.user,
                        offender=offender,
                        kind=data["kind"],
                        due_on=data["due_on"],
                        sentence=data["sentence"],
                        title=data["title"],
                        casenote_ids=chosen,
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(
                        request, f"Assembled {report.document.title} from the record (version 1, draft)."
                    )
                    return redirect("documents:report_detail", pk=report.pk)
    else:
        page_number = request.GET.get("page")
        initial = {}
        if request.GET.get("kind") in ReportKind.values:
            initial["kind"] = request.GET["kind"]
        if request.GET.get("sentence", "").isdigit():
            initial["sentence"] = request.GET["sentence"]
        form = ReportAssembleForm(initial=initial, offender=offender)
    page_obj = paginator.get_page(page_number)
    on_page = {note.pk for note in page_obj}
    audit_view(
        actor=request.user,
        obj=offender,
        summary=f"Listed the casenotes of {offender} to choose report extracts",
    )
    return render(
        request,
        "documents/reports/assemble.html",
        {
            "offender": offender,
            "form": form,
            "page_obj": page_obj,
            "chosen": chosen,
            "carried": sorted(chosen - on_page),
            "chosen_count": len(chosen),
        },
    )


# --- one report ----------------------------------------------------------------------------------


def _report_actions(user, report: Report) -> dict[str, bool]:
    may_work = can_work_report(user, report)
    status = report.status
    return {
        "edit": may_work and status in REPORT_EDITABLE_STATUSES,
        "submit": may_work and ReportStatus.SUBMITTED in REPORT_TRANSITIONS[status],
        "decide": status == ReportStatus.SUBMITTED and approval_refusal(user, report) is None,
        "issue": may_work and status in {ReportStatus.APPROVED, ReportStatus.ISSUED},
        "cancel": may_work and ReportStatus.CANCELLED in REPORT_TRANSITIONS[status],
        "addendum": may_work and status == ReportStatus.ISSUED,
    }


@require_GET
def report_detail(request, pk):
    report = access_report_by_id(request.user, pk)
    versions = list(
        DocumentVersion.objects.filter(document_id=report.document_id)
        .select_related("created_by")
        .order_by("-number")
    )
    number = request.GET.get("version", "")
    shown = versions[0] if not number else next((v for v in versions if str(v.number) == number), None)
    if shown is None:
        raise Http404("No such version of this report.")
    audit_view(actor=request.user, obj=report, summary=f"Viewed {_title(report)} version {shown.number}")
    transitions = list(report.transitions.select_related("actor", "version").order_by("at", "id"))
    returned = next((step for step in reversed(transitions) if step.to_status == ReportStatus.RETURNED), None)
    return render(
        request,
        "documents/reports/detail.html",
        {
            "report": report,
            "offender": report.offender,
            "versions": versions,
            "version": shown,
            "body": mark_safe(sanitise_html(shown.body_html)),
            "transitions": transitions,
            "returned": returned if report.status == ReportStatus.RETURNED else None,
            "issues": report.issues.select_related("issued_by", "version")
            .defer("pdf")
            .order_by("issued_at", "id"),
            "extracts": report.extracts.select_related("author").order_by("contact_on", "id"),
            "addenda": readable_reports(request.user, report.addenda.all())
            .select_related("document")
            .order_by("created_at", "id"),
            "actions": _report_actions(request.user, report),
            "today": timezone.localdate(),
        },
    )


def _workable(request, pk) -> Report:
    report = access_report_by_id(request.user, pk)
    if not can_work_report(request.user, report):
        raise PermissionDenied("You may not change this offender's reports.")
    return report


@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    report = _workable(request, pk)
    if report.status not in REPORT_EDITABLE_STATUSES:
        messages.error(request, reports.not_editable_reason(report))
        return redirect("documents:report_detail", pk=report.pk)
    latest = _latest(report)
    form = DocumentReviseForm(request.POST or None, initial={"body_html": sanitise_html(latest.body_html)})
    form.fields["body_html"].label = "Report (HTML)"
    if request.method == "POST" and form.is_valid():
        try:
            version = reports.report_revise(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved version {version.number} of {_title(report)}.")
            return redirect("documents:report_detail", pk=report.pk)
    if request.method == "GET":
        audit_view(
            actor=request.user, obj=report, summary=f"Opened {_title(report)} version {latest.number} to edit"
        )
    return render(request, "documents/reports/edit.html", {"report": report, "latest": latest, "form": form})


@require_http_methods(["GET", "POST"])
def report_submit_view(request, pk):
    report = _workable(request, pk)
    if ReportStatus.SUBMITTED not in REPORT_TRANSITIONS[report.status]:
        messages.info(
            request, f"This report is {report.get_status_display().lower()}: it cannot be submitted."
        )
        return redirect("documents:report_detail", pk=report.pk)
    latest = _latest(report)
    form = ReportNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reports.report_submit(actor=request.user, report=report, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Submitted version {latest.number} of {_title(report)} for approval.")
            return redirect("documents:report_detail", pk=report.pk)
    return render(
        request, "documents/reports/submit.html", {"report": report, "latest": latest, "form": form}
    )


@require_http_methods(["GET", "POST"])
def report_decide(request, pk):
    report = access_report_by_id(request.user, pk)
    refusal = approval_refusal(request.user, report)
    if refusal:
        raise PermissionDenied(refusal)
    if report.status != ReportStatus.SUBMITTED:
        messages.info(
            request, f"This report is {report.get_status_display().lower()}: it is not waiting for approval."
        )
        return redirect("documents:report_detail", pk=report.pk)
    version = report.submitted_version
    form = ReportDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == ReportDecisionForm.APPROVE:
                reports.report_approve(actor=request.user, report=report, note=data["reason"])
                done = f"Approved version {version.number} of {_title(report)} for issue."
            else:
                reports.report_return(actor=request.user, report=report, reason=data["reason"])
                done = f"Returned {_title(report)} to its author."
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("documents:report_detail", pk=report.pk)
    if request.method == "GET":
        audit_view(
            actor=request.user,
            obj=report,
            summary=f"Opened {_title(report)} version {version.number} to approve",
        )
    return render(
        request,
        "documents/reports/decide.html",
        {
            "report": report,
            "version": version,
            "body": mark_safe(sanitise_html(version.body_html)),
            "form": form,
        },
    )


def _issue_initial(report: Report) -> dict:
    if report.kind in {ReportKind.PAROLE_PROGRESS, ReportKind.PAROLE_ASSESSMENT}:
        return {"recipient_kind": RecipientKind.PAROLE_BOARD}
    sentence = report.document.sentence
    return {"recipient_kind": RecipientKind.COURT, "recipient_court": sentence.court_id if sentence else None}


@require_http_methods(["GET", "POST"])
def report_issue_view(request, pk):
    report = _workable(request, pk)
    if report.status not in {ReportStatus.APPROVED, ReportStatus.ISSUED}:
        messages.info(request, "Only an approved report can be issued.")
        return redirect("documents:report_detail", pk=report.pk)
    form = ReportIssueForm(request.POST or None, initial=_issue_initial(report))
    if request.method == "POST" and form.is_valid():
        try:
            issue = reports.report_issue(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Issued version {issue.version.number} of {_title(report)} to {issue.recipient}."
            )
            return redirect("documents:report_detail", pk=report.pk)
    return render(request, "documents/reports/issue.html", {"report": report, "form": form})


@require_http_methods(["GET", "POST"])
def report_cancel_view(request, pk):
    report = _workable(request, pk)
    if ReportStatus.CANCELLED not in REPORT_TRANSITIONS[report.status]:
        messages.info(
            request, f"This report is {report.get_status_display().lower()}: it cannot be cancelled."
        )
        return redirect("documents:report_detail", pk=report.pk)
    form = ReportReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reports.report_cancel(actor=request.user, report=report, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Cancelled {_title(report)}.")
            return redirect("documents:report_detail", pk=report.pk)
    return render(request, "documents/reports/cancel.html", {"report": report, "form": form})


@require_http_methods(["GET", "POST"])
def report_addendum_view(request, pk):
    report = _workable(request, pk)
    if report.status != ReportStatus.ISSUED:
        messages.info(request, "Only an issued report has addenda; change this report itself instead.")
        return redirect("documents:report_detail", pk=report.pk)
    form = ReportAddendumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            addendum = reports.report_addendum_create(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Started {addendum.document.title} (version 1, draft).")
            return redirect("documents:report_detail", pk=addendum.pk)
    return render(request, "documents/reports/addendum.html", {"report": report, "form": form})


# --- PDFs -----------------------------------------------------------------------------------------


@require_GET
def report_pdf_view(request, pk, version=None):
    """Any version as a PDF marked "not issued" (a draft to read, or the approved text before it
    goes); audited as an export."""
    report = access_report_by_id(request.user, pk)
    versions = DocumentVersion.objects.filter(document_id=report.document_id)
    chosen = (versions.filter(number=version) if version else versions.order_by("-number")).first()
    if chosen is None:
        raise Http404("No such version of this report.")
    content = reports.report_pdf(report=report, version=chosen)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=report,
        summary=f"Downloaded version {chosen.number} of {_title(report)} as PDF (not issued)",
    )
    return _pdf_response(content, f"{report.offender.prn}-report-{report.pk}-v{chosen.number}-not-issued.pdf")


@require_GET
def report_issued_pdf(request, pk):
    """A copy exactly as it was issued (the stored PDF); audited as an export."""
    issue = access_issue_by_id(request.user, pk)
    report = issue.report
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=report,
        summary=f"Downloaded version {issue.version.number} of {_title(report)} as issued to "
        f"{issue.recipient} on {timezone.localtime(issue.issued_at):%-d %b %Y} (issue {issue.pk})",
    )
    return _pdf_response(
        bytes(issue.pdf),
        f"{report.offender.prn}-report-{report.pk}-v{issue.version.number}-issued-{issue.pk}.pdf",
    )
