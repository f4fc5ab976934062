from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from casenotes.access import can_read_sensitive
from documents.models import Document, DocumentVersion, IssueRecord, Report
from offenders.access import (
    can_edit_offender,
    can_search_offenders,
    can_view_offender,
    offender_office_ids,
    refuse_unless_need_to_know,
)
from offenders.models import visible_offenders_q
from staff.access import office_id_of
from staff.roles import Role, has_role, user_roles


def can_read_documents(user, offender) -> bool:
    return can_view_offender(user, offender) and not user_roles(user) <= {Role.DATA_SHARE}


def can_write_documents(user, offender) -> bool:
    return can_edit_offender(user, offender)


def report_of_document(document: Document) -> Report | None:
    try:
        return document.report
    except Report.DoesNotExist:
        return None


def access_document_by_id(user, document_id, *, for_edit: bool = False) -> Document:
    try:
        document = Document.objects.select_related("offender", "sentence", "template", "report").get(
            pk=int(document_id)
        )
    except (Document.DoesNotExist, TypeError, ValueError):
        raise Http404("No such document.") from None
    refuse_unless_need_to_know(user, document.offender)
    if not can_read_documents(user, document.offender):
        raise PermissionDenied("You may not read this offender's documents.")
    report = report_of_document(document)
    if report is not None and report.includes_sensitive and not can_read_sensitive(user):
        raise PermissionDenied(SENSITIVE_REPORT)
    if for_edit and not can_write_documents(user, document.offender):
        raise PermissionDenied("You may not change this offender's documents.")
    return document


def readable_documents(user, documents: QuerySet[Document]) -> QuerySet[Document]:
    """`documents` less those the user may not open: the per-document part of
    `access_document_by_id` (a report quoting sensitive casenotes, for those who may not read
    them) as one filter, so a list costs the same number of queries whoever reads it. Every list
    of documents goes through here: a title the user may not open is not shown to them either.
    Documents of restricted records the user may not open are left out too (need-to-know); the
    offender-level part (`can_read_documents`, `can_list_documents`) is the caller's."""
    documents = documents.filter(visible_offenders_q(user, "offender"))
    if can_read_sensitive(user):
        return documents
    return documents.exclude(report__includes_sensitive=True)


def readable_reports(user, reports: QuerySet[Report]) -> QuerySet[Report]:
    """`readable_documents` for a list of reports (`access_report_by_id`'s per-report part)."""
    reports = reports.filter(visible_offenders_q(user, "offender"))
    if can_read_sensitive(user):
        return reports
    return reports.exclude(includes_sensitive=True)


def can_list_documents(user) -> bool:
    """Document lists across records (the API): `can_read_documents` decided for the user, since
    reading a record is not narrowed per offender. Keep in step with `can_read_documents`."""
    return can_search_offenders(user) and not user_roles(user) <= {Role.DATA_SHARE}


# --- reports for courts and the Parole Board ---------------------------------------------------

SENSITIVE_REPORT = (
    "This report quotes sensitive casenotes: only staff who may read sensitive casenotes may read it."
)
APPROVERS = "A report is approved by a service manager of the offender's office."


def can_read_report(user, report: Report) -> bool:
    if not can_read_documents(user, report.offender):
        return False
    return not report.includes_sensitive or can_read_sensitive(user)


def can_assemble_report(user, offender) -> bool:
    """The record's keepers write its reports: the allocated officer, and administrative support
    and service managers of the offender's office (seed 000)."""
    return can_write_documents(user, offender)


def can_work_report(user, report: Report) -> bool:
    """Edit, submit, issue, cancel or add an addendum (each step also checks the report's status)."""
    return can_write_documents(user, report.offender) and can_read_report(user, report)


def report_contributor_ids(report: Report) -> set[int]:
    """Everyone who wrote the report: its author and whoever saved a version of it (one query)."""
    writers = set(
        DocumentVersion.objects.filter(document_id=report.document_id).values_list("created_by_id", flat=True)
    )
    return writers | {report.author_id}


def approval_refusal(user, report: Report) -> str | None:
    """Why `user` may not approve or return `report`, or None if they may. Four eyes: a service
    manager of the offender's office who wrote no part of it."""
    if not has_role(user, Role.SERVICE_MANAGER):
        return APPROVERS
    office_id = office_id_of(user)
    if office_id is None or office_id not in offender_office_ids(report.offender):
        return APPROVERS
    if not can_read_report(user, report):
        return SENSITIVE_REPORT
    if user.pk == report.author_id:
        return "You wrote this report: another service manager must approve it."
    if user.pk in report_contributor_ids(report):
        return "You wrote part of this report: another service manager must approve it."
    return None


def can_decide_report(user, report: Report) -> bool:
    return approval_refusal(user, report) is None


def access_report_by_id(user, report_id) -> Report:
    """The single gate for a report: 404 when there is none, 403 unless the user may read the
    offender's documents (and, for a report quoting sensitive casenotes, sensitive casenotes)."""
    try:
        report = Report.objects.select_related(
            "document__template",
            "document__sentence__court",
            "offender__home_office",
            "author",
            "approved_by",
            "approved_version",
            "submitted_version",
            "addendum_to__document",
        ).get(pk=int(report_id))
    except (Report.DoesNotExist, TypeError, ValueError):
        raise Http404("No such report.") from None
    refuse_unless_need_to_know(user, report.offender)
    if not can_read_documents(user, report.offender):
        raise PermissionDenied("You may not read this offender's reports.")
    if report.includes_sensitive and not can_read_sensitive(user):
        raise PermissionDenied(SENSITIVE_REPORT)
    return report


def access_issue_by_id(user, issue_id) -> IssueRecord:
    """A record of issue (and the PDF as issued), through its report's gate."""
    try:
        issue = IssueRecord.objects.select_related("version", "issued_by").get(pk=int(issue_id))
    except (IssueRecord.DoesNotExist, TypeError, ValueError):
        raise Http404("No such record of issue.") from None
    issue.report = access_report_by_id(user, issue.report_id)
    return issue
