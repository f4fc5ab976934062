"""Browser pages for defined-format documents: create from a template, read with its versions,
revise as a new version, finalise, and download as PDF."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from audit.models import AuditAction
from audit.services import audit_record, audit_view
from documents.access import access_document_by_id, can_write_documents, report_of_document
from documents.forms import DocumentCreateForm, DocumentReviseForm
from documents.models import Document, DocumentStatus, DocumentVersion
from documents.sanitise import sanitise_html
from documents.services import document_create, document_finalise, document_pdf, document_revise
from ioms.forms import add_service_errors
from offenders.access import access_offender_by_id


def _version(document: Document, number) -> DocumentVersion:
    versions = document.versions.select_related("created_by")
    version = versions.filter(number=number).first() if number else versions.order_by("-number").first()
    if version is None:
        raise Http404("No such version of this document.")
    return version


def _to_report(request, document: Document, *, message: str = ""):
    """A report's text changes only through the report's steps: its pages are the report's."""
    report = report_of_document(document)
    if report is None:
        return None
    if message:
        messages.info(request, message)
    return redirect("documents:report_detail", pk=report.pk)


def _safe_body(version: DocumentVersion) -> str:
    # Bodies are sanitised when revised here, but a stored body may have come another way.
    return mark_safe(sanitise_html(version.body_html))


@require_http_methods(["GET", "POST"])
def document_create_view(request, offender_pk):
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_write_documents(request.user, offender):
        raise PermissionDenied("You may not create documents for this offender.")
    initial = {"sentence": request.GET.get("sentence")} if request.GET.get("sentence", "").isdigit() else {}
    form = DocumentCreateForm(request.POST or None, offender=offender, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            document = document_create(actor=request.user, offender=offender, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Created {document.title} (version 1, draft).")
            return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/create.html", {"offender": offender, "form": form})


@require_http_methods(["GET"])
def document_detail(request, pk):
    document = access_document_by_id(request.user, pk)
    if (to_report := _to_report(request, document)) is not None:
        return to_report
    number = request.GET.get("version", "")
    version = _version(document, int(number) if number.isdigit() else None)
    audit_view(actor=request.user, obj=document, summary=f"Viewed {document} version {version.number}")
    versions = document.versions.select_related("created_by").order_by("-number")
    may_write = can_write_documents(request.user, document.offender)
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "offender": document.offender,
            "version": version,
            "versions": versions,
            "body": _safe_body(version),
            "can_revise": may_write and document.status == DocumentStatus.DRAFT,
        },
    )


@require_http_methods(["GET", "POST"])
def document_revise_view(request, pk):
    document = access_document_by_id(request.user, pk, for_edit=True)
    if (
        to_report := _to_report(request, document, message="Edit a report on the report's page.")
    ) is not None:
        return to_report
    if document.status == DocumentStatus.FINAL:
        messages.error(request, "A final document cannot be changed; create a new document instead.")
        return redirect("documents:detail", pk=document.pk)
    latest = _version(document, None)
    form = DocumentReviseForm(request.POST or None, initial={"body_html": sanitise_html(latest.body_html)})
    if request.method == "POST" and form.is_valid():
        try:
            version = document_revise(actor=request.user, document=document, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved version {version.number} of {document.title}.")
            return redirect("documents:detail", pk=document.pk)
    if request.method == "GET":
        # The edit page shows the whole text: it is a view of the document.
        audit_view(
            actor=request.user, obj=document, summary=f"Opened {document} version {latest.number} to edit"
        )
    return render(request, "documents/revise.html", {"document": document, "latest": latest, "form": form})


@require_http_methods(["GET", "POST"])
def document_finalise_view(request, pk):
    document = access_document_by_id(request.user, pk, for_edit=True)
    if to_report := _to_report(request, document, message="A report is approved and issued, not finalised."):
        return to_report
    if document.status == DocumentStatus.FINAL:
        messages.info(request, "This document is already final.")
        return redirect("documents:detail", pk=document.pk)
    latest = _version(document, None)
    errors = []
    if request.method == "POST":
        try:
            document_finalise(actor=request.user, document=document)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"{document.title} is final (version {latest.number}).")
            return redirect("documents:detail", pk=document.pk)
    return render(
        request, "documents/finalise.html", {"document": document, "latest": latest, "errors": errors}
    )


@require_http_methods(["GET"])
def document_pdf_view(request, pk, version=None):
    document = access_document_by_id(request.user, pk)
    report = report_of_document(document)
    if report is not None:
        # A report prints with its own header and footer (issued or not).
        if version:
            return redirect("documents:report_pdf", pk=report.pk, version=version)
        return redirect("documents:report_pdf", pk=report.pk)
    chosen = _version(document, version)
    # Print the sanitised body (in memory only: the stored version is unchanged).
    chosen.body_html = sanitise_html(chosen.body_html)
    pdf = document_pdf(version=chosen)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=document,
        summary=f"Downloaded {document} version {chosen.number} as PDF",
    )
    filename = f"{document.offender.prn}-{document.template.code}-v{chosen.number}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
