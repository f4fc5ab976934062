"""Reports for courts and the Parole Board (issue 6; seed 000: "the majority of the information
required for provision to courts and the NZPB will be available through the IOMS system").

A report is assembled from the record as version 1 of a Document, edited (each save a new version),
submitted, approved by a service manager of the offender's office who wrote none of it (or returned
with a reason), and issued as a PDF to a court, the Parole Board or another recipient. The issued
version is frozen: a later change is an addendum, a new report pointing at the issued one.

Workflow: REPORT_WORKFLOW (REPORT_TRANSITIONS) in documents.models; one service per step, each
checking the actor and the source state under a row lock, then moving the report by
`REPORT_WORKFLOW.move` (conditional update, a ReportTransition and an audit row in the same
transaction). Nothing else assigns Report.status.
"""

import datetime
import hashlib
from collections.abc import Iterable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_created, audit_record
from documents.access import approval_refusal, can_assemble_report, can_work_report
from documents.assembly import ChosenExtracts, chosen_extracts, report_context
from documents.models import (
    DOCUMENT_WORKFLOW,
    PAROLE_REPORT_KINDS,
    REPORT_AUDIENCE,
    REPORT_EDITABLE_STATUSES,
    REPORT_TRANSITIONS,
    REPORT_WORKFLOW,
    Document,
    DocumentStatus,
    DocumentTemplate,
    DocumentVersion,
    IssueMethod,
    IssueRecord,
    RecipientKind,
    Report,
    ReportKind,
    ReportStatus,
)
from documents.sanitise import sanitise_html
from documents.services import html_to_pdf, render_body_text, render_template_body, version_add
from sentences.models import SentenceType
from staff.models import OfficeKind

# The bodies a kind of report starts from, until an administrator replaces them (the admin's
# document templates with a report kind).
BODY_DIRECTORY = Path(__file__).resolve().parent / "report_templates"
PAROLE_BOARD = "New Zealand Parole Board"


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def report_template(kind: str) -> DocumentTemplate:
    """The active template `kind` is assembled from: the one an administrator set up, or — the first
    time a report of the kind is assembled — the default beside this module."""
    template = DocumentTemplate.objects.filter(report_kind=kind, active=True).first()
    if template is not None:
        return template
    template, _ = DocumentTemplate.objects.get_or_create(
        code=f"report-{kind.replace('_', '-')}",
        defaults={
            "name": ReportKind(kind).label,
            "audience": REPORT_AUDIENCE[kind],
            "report_kind": kind,
            "body": (BODY_DIRECTORY / f"{kind}.html").read_text(encoding="utf-8"),
        },
    )
    if not template.active:
        raise ValidationError(
            {"kind": f"No {ReportKind(kind).label.lower()} template is in use: ask an administrator."}
        )
    return template


def _check_request(*, offender, kind: str, due_on, sentence) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in ReportKind.values:
        errors["kind"] = "Choose the kind of report."
        return errors
    if sentence is not None and sentence.offender_id != offender.pk:
        errors["sentence"] = "That sentence belongs to a different offender."
    elif kind in PAROLE_REPORT_KINDS and (
        sentence is None or sentence.sentence_type != SentenceType.IMPRISONMENT
    ):
        errors["sentence"] = "A report to the Parole Board is about a sentence of imprisonment: choose it."
    elif kind == ReportKind.BREACH and sentence is None:
        errors["sentence"] = "A breach report is about the sentence breached: choose it."
    if due_on is None:
        errors["due_on"] = "Enter the date of the court hearing or Parole Board hearing."
    elif due_on < timezone.localdate():
        errors["due_on"] = "The report is due on a hearing still to come: the date cannot be in the past."
    return errors


@transaction.atomic
def report_assemble(
    *,
    actor,
    offender,
    kind: str,
    due_on: datetime.date | None,
    sentence=None,
    title: str = "",
    casenote_ids: Iterable[int] = (),
    addendum_to: Report | None = None,
) -> Report:
    """A new report, its version 1 built from the record and the casenotes the author chose."""
    if not can_assemble_report(actor, offender):
        raise PermissionDenied("You may not write reports on this offender's record.")
    errors = _check_request(offender=offender, kind=kind, due_on=due_on, sentence=sentence)
    try:
        extracts = chosen_extracts(actor=actor, offender=offender, casenote_ids=casenote_ids)
    except ValueError:
        # A sensitive note the author may not read is "not found", like any other: not revealed.
        errors["casenotes"] = "Choose casenotes from this offender's record that are open to you."
        extracts = ChosenExtracts(notes=[], includes_sensitive=False)
    if errors:
        raise ValidationError(errors)
    template = report_template(kind)
    context = report_context(
        actor=actor,
        offender=offender,
        kind=kind,
        due_on=due_on,
        sentence=sentence,
        extracts=extracts,
        addendum_to=addendum_to,
    )
    if addendum_to is None:
        body = render_template_body(template, context)
        default_title = f"{template.name} — {offender.full_name}"
    else:
        body = render_body_text(
            (BODY_DIRECTORY / "addendum.html").read_text(encoding="utf-8"), context, name="Addendum"
        )
        default_title = f"Addendum to {addendum_to.document.title}"
    document = Document(
        offender=offender,
        sentence=sentence,
        template=template,
        title=(title.strip() or default_title)[:200],
        created_by=actor,
    )
    document.full_clean()
    document.save()
    DOCUMENT_WORKFLOW.record_step(document, from_status="", to=DocumentStatus.DRAFT, actor=actor)
    report = Report.objects.create(
        document=document,
        offender=offender,
        kind=kind,
        due_on=due_on,
        author=actor,
        includes_sensitive=extracts.includes_sensitive,
        addendum_to=addendum_to,
    )
    report.extracts.set(extracts.notes)
    version = DocumentVersion.objects.create(
        document=document,
        number=1,
        body_html=sanitise_html(body),
        created_by=actor,
        author_note="Assembled from the record",
    )
    REPORT_WORKFLOW.record_step(
        report,
        from_status="",
        to=ReportStatus.DRAFT,
        actor=actor,
        comment=f"Assembled from the record with {len(extracts.notes)} casenote extract(s)",
        row={"version": version},
    )
    audit_created(
        actor=actor,
        obj=report,
        fields=("kind", "due_on", "status", "includes_sensitive", "addendum_to"),
        summary=f"Assembled {report.get_kind_display().lower()} {report.pk} for {offender}",
    )
    return report


@transaction.atomic
def report_addendum_create(
    *, actor, report: Report, due_on: datetime.date | None, casenote_ids: Iterable[int] = (), title: str = ""
) -> Report:
    """An issued report is never changed: what has happened since goes in an addendum."""
    if report.status != ReportStatus.ISSUED:
        raise ValidationError("Only an issued report has addenda; change this report itself instead.")
    return report_assemble(
        actor=actor,
        offender=report.offender,
        kind=report.kind,
        due_on=due_on,
        sentence=report.document.sentence,
        title=title,
        casenote_ids=casenote_ids,
        addendum_to=report,
    )


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("document", "offender", "approved_version", "approved_by")
        .get(pk=report.pk)
    )


def _latest_version(report: Report) -> DocumentVersion:
    return DocumentVersion.objects.filter(document_id=report.document_id).order_by("-number").first()


_STEP_NAMES = {
    ReportStatus.SUBMITTED: "submitted for approval",
    ReportStatus.APPROVED: "approved",
    ReportStatus.RETURNED: "returned",
    ReportStatus.ISSUED: "issued",
    ReportStatus.CANCELLED: "cancelled",
}


def _step(
    report: Report,
    to: str,
    *,
    actor,
    comment: str = "",
    version: DocumentVersion | None = None,
    **fields,
) -> Report:
    """Move a locked report to `to` if the map allows it, with its transition and audit rows."""
    before = report.status
    if to not in REPORT_TRANSITIONS[before]:
        raise ValidationError(
            f"A report that is {ReportStatus(before).label.lower()} cannot be {_STEP_NAMES[to]}."
        )
    REPORT_WORKFLOW.move(
        report,
        to=to,
        actor=actor,
        comment=comment[:1000],
        fields={**fields, "updated_at": timezone.now()},
        row={"version": version},
        summary=f"{ReportStatus(to).label}: {report.document.title}"
        + (f" (version {version.number})" if version else ""),
    )
    return report


@transaction.atomic
def report_revise(*, actor, report: Report, body_html: str, note: str = "") -> DocumentVersion:
    """Save an edit of a draft (or returned) report as its next version."""
    report = _locked(report)
    if not can_work_report(actor, report):
        raise PermissionDenied("You may not change this offender's reports.")
    if report.status not in REPORT_EDITABLE_STATUSES:
        raise ValidationError(not_editable_reason(report))
    version = version_add(actor=actor, document=report.document, body_html=body_html, note=note)
    Report.objects.filter(pk=report.pk).update(updated_at=timezone.now())
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=report,
        summary=f"Saved version {version.number} of {report.document.title}",
    )
    return version


def not_editable_reason(report: Report) -> str:
    if report.status == ReportStatus.ISSUED:
        return "An issued report cannot be changed: write an addendum instead."
    if report.status == ReportStatus.CANCELLED:
        return "A cancelled report cannot be changed."
    return (
        f"A report that is {report.get_status_display().lower()} cannot be changed: "
        "ask the approving service manager to return it."
    )


@transaction.atomic
def report_submit(*, actor, report: Report, note: str = "") -> Report:
    report = _locked(report)
    if not can_work_report(actor, report):
        raise PermissionDenied("You may not submit this offender's reports.")
    latest = _latest_version(report)
    return _step(
        report, ReportStatus.SUBMITTED, actor=actor, comment=note, version=latest, submitted_version=latest
    )


@transaction.atomic
def report_approve(*, actor, report: Report, note: str = "") -> Report:
    """Four eyes: a service manager of the offender's office who wrote no part of the report
    approves the version submitted (no edit is possible while it waits)."""
    report = _locked(report)
    refusal = approval_refusal(actor, report)
    if refusal:
        raise PermissionDenied(refusal)
    version = report.submitted_version if report.status == ReportStatus.SUBMITTED else None
    return _step(
        report,
        ReportStatus.APPROVED,
        actor=actor,
        comment=note,
        version=version,
        approved_version=version,
        approved_by=actor,
        approved_at=timezone.now(),
    )


@transaction.atomic
def report_return(*, actor, report: Report, reason: str) -> Report:
    report = _locked(report)
    refusal = approval_refusal(actor, report)
    if refusal:
        raise PermissionDenied(refusal)
    if not reason.strip():
        raise ValidationError({"reason": "Say what the author needs to change."})
    return _step(
        report, ReportStatus.RETURNED, actor=actor, comment=reason.strip(), version=report.submitted_version
    )


@transaction.atomic
def report_cancel(*, actor, report: Report, reason: str) -> Report:
    report = _locked(report)
    if not can_work_report(actor, report):
        raise PermissionDenied("You may not cancel this offender's reports.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the report is no longer needed."})
    return _step(report, ReportStatus.CANCELLED, actor=actor, comment=reason.strip())


def _recipient(*, recipient_kind: str, recipient_court, recipient_name: str) -> str:
    if recipient_kind == RecipientKind.COURT:
        if recipient_court is None or recipient_court.kind != OfficeKind.COURT:
            raise ValidationError({"recipient_court": "Choose the court the report is issued to."})
        return recipient_court.name
    if recipient_court is not None:
        raise ValidationError({"recipient_court": "A court is chosen only when issuing to a court."})
    if recipient_kind == RecipientKind.PAROLE_BOARD:
        return PAROLE_BOARD
    if recipient_kind == RecipientKind.OTHER:
        if not recipient_name.strip():
            raise ValidationError({"recipient_name": "Name the person or organisation the report goes to."})
        return recipient_name.strip()[:200]
    raise ValidationError({"recipient_kind": "Choose who the report is issued to."})


@transaction.atomic
def report_issue(
    *,
    actor,
    report: Report,
    recipient_kind: str,
    method: str,
    recipient_court=None,
    recipient_name: str = "",
    note: str = "",
) -> IssueRecord:
    """Issue the approved version as a PDF to a recipient, keeping the PDF exactly as issued. The
    first issue freezes the report; further copies of the same version may go to others."""
    report = _locked(report)
    if not can_work_report(actor, report):
        raise PermissionDenied("You may not issue this offender's reports.")
    if report.status not in {ReportStatus.APPROVED, ReportStatus.ISSUED}:
        raise ValidationError("Only an approved report can be issued.")
    if method not in IssueMethod.values:
        raise ValidationError({"method": "Choose how the report is sent."})
    recipient = _recipient(
        recipient_kind=recipient_kind, recipient_court=recipient_court, recipient_name=recipient_name
    )
    issue = IssueRecord(
        report=report,
        version=report.approved_version,
        recipient_kind=recipient_kind,
        recipient_court=recipient_court if recipient_kind == RecipientKind.COURT else None,
        recipient=recipient,
        method=method,
        note=note.strip()[:300],
        issued_by=actor,
        issued_at=timezone.now(),
    )
    issue.pdf = report_pdf(report=report, version=report.approved_version, issue=issue)
    issue.pdf_sha256 = hashlib.sha256(issue.pdf).hexdigest()
    issue.save()
    summary = f"Issued version {issue.version.number} to {recipient} ({issue.get_method_display().lower()})"
    if report.status == ReportStatus.APPROVED:
        _step(report, ReportStatus.ISSUED, actor=actor, comment=summary, version=issue.version)
        # The text is frozen from now on: document_revise refuses a final document. No audit row of
        # its own: the report's step to issued and the export row below are the record of it.
        DOCUMENT_WORKFLOW.move(
            report.document,
            to=DocumentStatus.FINAL,
            actor=actor,
            comment=summary,
            fields={"updated_at": timezone.now()},
            audit=False,
        )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=report,
        summary=f"{summary}: {report.document.title}",
        changes={
            "issued_to": [None, recipient],
            "method": [None, method],
            "version": [None, issue.version.number],
            "pdf_sha256": [None, issue.pdf_sha256],
        },
    )
    return issue


# --- the PDF ---------------------------------------------------------------------------------


def report_pdf(*, report: Report, version: DocumentVersion, issue: IssueRecord | None = None) -> bytes:
    """`version` of the report as PDF: a running header and footer name the report, the version and
    — for an issued copy — "Issued to … on … by …"; anything else is marked as not issued. The
    body is sanitised again and nothing outside the page is fetched."""
    return html_to_pdf(report_pdf_html(report=report, version=version, issue=issue))


def report_pdf_html(*, report: Report, version: DocumentVersion, issue: IssueRecord | None = None) -> str:
    """The page report_pdf prints, from plain values only."""
    document = report.document
    approved = report.approved_version_id == version.pk and report.approved_by_id is not None
    context = {
        "title": document.title,
        "reference": f"Report {report.pk}",
        "kind": report.get_kind_display(),
        "audience": REPORT_AUDIENCE[report.kind].label,
        "offender": {
            "full_name": report.offender.full_name,
            "prn": report.offender.prn,
            "date_of_birth": report.offender.date_of_birth,
        },
        "due_on": report.due_on,
        "version": {"number": version.number, "created_at": version.created_at},
        "approved": {"by": _person(report.approved_by), "at": report.approved_at} if approved else None,
        "issue": {
            "recipient": issue.recipient,
            "method": issue.get_method_display(),
            "issued_at": issue.issued_at,
            "issued_by": _person(issue.issued_by),
        }
        if issue is not None
        else None,
        "status": "approved, not issued" if approved else report.get_status_display().lower(),
        "body_html": sanitise_html(version.body_html),
    }
    return render_to_string("documents/reports/pdf.html", context)
