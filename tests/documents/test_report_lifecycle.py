"""A report's lifecycle (issue 6): draft → edited (each save a version) → submitted → approved by a
service manager of the offender's office who wrote none of it, or returned with a reason → issued
to a recipient as a PDF kept exactly as issued → frozen; addenda instead of changes. Every step is
a transition row and an audit row; the record of issue cannot be rewritten."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from documents import reports
from documents.models import (
    REPORT_AUTHOR_WORK_STATUSES,
    REPORT_AWAITING_APPROVAL_STATUSES,
    DocumentStatus,
    IssueMethod,
    IssueRecord,
    RecipientKind,
    Report,
    ReportStatus,
    ReportTransition,
)
from documents.services import document_finalise, document_revise
from staff.roles import Role
from tests.documents.helpers import approved, assembled, issued, page_texts, pdf_subject, submitted, today
from tests.factories import OfficeFactory, staff_user

pytestmark = pytest.mark.django_db


def audit_summaries(report: Report) -> list[tuple[str, str]]:
    rows = AuditEvent.objects.filter(object_type="documents.Report", object_id=str(report.pk)).order_by("id")
    return [(row.action, row.summary) for row in rows]


def test_each_save_is_a_new_version_and_earlier_versions_are_kept(offender, imprisonment, author):
    report = assembled(author, offender, imprisonment)
    original = report.document.versions.get().body_html

    second = reports.report_revise(actor=author, report=report, body_html="<p>Second</p>", note="Rewrote")
    third = reports.report_revise(
        actor=author, report=report, body_html='<p onclick="x()">Third</p><script>x()</script>'
    )

    assert (second.number, third.number) == (2, 3)
    assert third.body_html == "<p>Third</p>"
    assert list(report.document.versions.values_list("number", "body_html")) == [
        (3, "<p>Third</p>"),
        (2, "<p>Second</p>"),
        (1, original),
    ]


def test_the_whole_lifecycle_from_draft_to_issue(offender, imprisonment, author, manager):
    report = submitted(author, offender, imprisonment)
    assert report.status == ReportStatus.SUBMITTED and report.submitted_version.number == 2

    report = reports.report_approve(actor=manager, report=report, note="Clear and complete")
    assert report.status == ReportStatus.APPROVED
    assert (report.approved_by, report.approved_version.number) == (manager, 2)

    issue = reports.report_issue(
        actor=author,
        report=report,
        recipient_kind=RecipientKind.PAROLE_BOARD,
        method=IssueMethod.PORTAL,
        note="Board reference 2025/77",
    )

    report.refresh_from_db()
    assert report.status == ReportStatus.ISSUED
    assert report.document.status == DocumentStatus.FINAL
    assert (issue.version.number, issue.recipient, issue.method, issue.issued_by) == (
        2,
        "New Zealand Parole Board",
        IssueMethod.PORTAL,
        author,
    )
    assert list(report.transitions.values_list("from_status", "to_status", "actor")) == [
        ("", ReportStatus.DRAFT, author.pk),
        (ReportStatus.DRAFT, ReportStatus.SUBMITTED, author.pk),
        (ReportStatus.SUBMITTED, ReportStatus.APPROVED, manager.pk),
        (ReportStatus.APPROVED, ReportStatus.ISSUED, author.pk),
    ]
    actions = [action for action, _ in audit_summaries(report)]
    assert actions == [
        AuditAction.CREATE,
        AuditAction.UPDATE,  # version 2 saved
        AuditAction.UPDATE,  # submitted
        AuditAction.UPDATE,  # approved
        AuditAction.UPDATE,  # issued
        AuditAction.EXPORT,  # the PDF given to the Board
    ]
    export = AuditEvent.objects.filter(object_type="documents.Report", action=AuditAction.EXPORT).get()
    assert export.offender_id == offender.pk
    assert export.changes["issued_to"] == [None, "New Zealand Parole Board"]


def test_the_author_cannot_approve_their_own_report(offender, imprisonment, role_user):
    # A service manager of the office who wrote the report.
    writing_manager = role_user(Role.SERVICE_MANAGER, username="writer")
    report = submitted(writing_manager, offender, imprisonment)

    with pytest.raises(PermissionDenied, match="You wrote this report"):
        reports.report_approve(actor=writing_manager, report=report)

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.approved_by is None


def test_a_manager_who_saved_a_version_cannot_approve_it(offender, imprisonment, author, manager):
    report = assembled(author, offender, imprisonment)
    reports.report_revise(actor=manager, report=report, body_html="<p>My improvements</p>")
    reports.report_submit(actor=author, report=report)

    with pytest.raises(PermissionDenied, match="You wrote part of this report"):
        reports.report_approve(actor=manager, report=report)


def test_the_database_refuses_an_approver_who_is_the_author(offender, imprisonment, author, manager):
    report = approved(author, manager, offender, imprisonment)

    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(approved_by=author)


@pytest.mark.parametrize(
    "role",
    [Role.PROBATION_OFFICER, Role.ADMIN_SUPPORT, Role.SYSTEM_ADMIN, Role.APPROVING_OFFICER, Role.DATA_SHARE],
)
def test_only_a_service_manager_approves(offender, imprisonment, author, role_user, role):
    report = submitted(author, offender, imprisonment)

    with pytest.raises(PermissionDenied, match="service manager of the offender's office"):
        reports.report_approve(actor=role_user(role), report=report)


def test_a_service_manager_of_another_office_cannot_approve(offender, imprisonment, author):
    report = submitted(author, offender, imprisonment)
    elsewhere = staff_user(Role.SERVICE_MANAGER, office=OfficeFactory())

    with pytest.raises(PermissionDenied):
        reports.report_approve(actor=elsewhere, report=report)


def test_a_returned_report_says_why_and_can_be_changed_and_resubmitted(
    offender, imprisonment, author, manager
):
    report = submitted(author, offender, imprisonment)

    with pytest.raises(ValidationError):
        reports.report_return(actor=manager, report=report, reason="  ")
    reports.report_return(actor=manager, report=report, reason="Add the release address.")

    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    step = report.transitions.get(to_status=ReportStatus.RETURNED)
    assert (step.actor, step.comment) == (manager, "Add the release address.")
    version = reports.report_revise(actor=author, report=report, body_html="<p>Address added</p>")
    reports.report_submit(actor=author, report=report)
    report = reports.report_approve(actor=manager, report=report)
    assert report.approved_version == version


def test_a_submitted_or_approved_report_cannot_be_edited(offender, imprisonment, author, manager):
    report = submitted(author, offender, imprisonment)
    with pytest.raises(ValidationError, match="ask the approving service manager to return it"):
        reports.report_revise(actor=author, report=report, body_html="<p>Sneaky change</p>")

    reports.report_approve(actor=manager, report=report)
    with pytest.raises(ValidationError):
        reports.report_revise(actor=author, report=report, body_html="<p>Sneaky change</p>")
    assert report.document.versions.count() == 2


def test_an_issued_report_is_frozen_everywhere(offender, imprisonment, author, manager):
    report = issued(author, manager, offender, imprisonment).report

    with pytest.raises(ValidationError, match="write an addendum instead"):
        reports.report_revise(actor=author, report=report, body_html="<p>Later change</p>")
    # Not through the plain document services either.
    with pytest.raises(ValidationError):
        document_revise(actor=author, document=report.document, body_html="<p>Later change</p>")
    with pytest.raises(ValidationError):
        document_finalise(actor=author, document=report.document)
    for step in (reports.report_submit, reports.report_approve):
        with pytest.raises((ValidationError, PermissionDenied)):
            step(actor=author, report=report)
    with pytest.raises(ValidationError):
        reports.report_cancel(actor=author, report=report, reason="Changed my mind")
    assert report.document.versions.count() == 2


def test_a_draft_report_cannot_be_approved_or_issued(offender, imprisonment, author, manager):
    report = assembled(author, offender, imprisonment)

    with pytest.raises(ValidationError, match="draft cannot be approved"):
        reports.report_approve(actor=manager, report=report)
    with pytest.raises(ValidationError, match="Only an approved report can be issued"):
        reports.report_issue(
            actor=author, report=report, recipient_kind=RecipientKind.PAROLE_BOARD, method=IssueMethod.EMAIL
        )
    assert not IssueRecord.objects.exists()


def test_the_issued_pdf_is_kept_as_issued_and_names_the_recipient(offender, imprisonment, author, manager):
    issue = issued(author, manager, offender, imprisonment)

    assert bytes(issue.pdf).startswith(b"%PDF") and len(issue.pdf) > 1000
    assert issue.pdf_sha256 == hashlib.sha256(bytes(issue.pdf)).hexdigest()
    report = issue.report
    when = f"{timezone.localtime(issue.issued_at):%-d %B %Y}"
    # The stored file itself says who it was issued to ...
    assert pdf_subject(bytes(issue.pdf)) == (
        f"Report {report.pk}, version 2: issued to New Zealand Parole Board on {when} by Mere Tane"
    )
    # ... and so does every page's header and footer.
    pages = page_texts(reports.report_pdf_html(report=report, version=issue.version, issue=issue))
    for page in pages:
        assert f"IN CONFIDENCE — Parole progress report Report {report.pk}, version 2 — PRN 48765432" in page
        assert (
            f"Issued to New Zealand Parole Board on {when} by Mere Tane (court or parole board portal)"
            in page
        )
    assert "Ready." in pages[0] and "Approved by Hemi Walker on" in pages[0]
    assert "DRAFT" not in " ".join(pages) and "NOT ISSUED" not in " ".join(pages)


def test_every_page_of_a_long_report_names_it_and_says_whether_it_was_issued(
    offender, imprisonment, author, manager
):
    report = assembled(author, offender, imprisonment)
    long_body = "".join(f"<h2>Part {n}</h2><p>{'Progress noted. ' * 60}</p>" for n in range(12))
    reports.report_revise(actor=author, report=report, body_html=long_body)
    draft = report.document.versions.get(number=2)

    draft_pages = page_texts(reports.report_pdf_html(report=report, version=draft))

    assert len(draft_pages) > 2
    for number, page in enumerate(draft_pages, start=1):
        assert f"Report {report.pk}, version 2 — PRN 48765432" in page
        assert "Not issued: draft." in page and f"Page {number} of {len(draft_pages)}" in page


def test_a_copy_may_go_to_a_court_and_another_recipient_as_well(
    offender, imprisonment, author, manager, court, clerk
):
    report = issued(author, manager, offender, imprisonment).report

    to_court = reports.report_issue(
        actor=clerk,
        report=report,
        recipient_kind=RecipientKind.COURT,
        recipient_court=court,
        method=IssueMethod.HAND,
    )
    to_lawyer = reports.report_issue(
        actor=clerk,
        report=report,
        recipient_kind=RecipientKind.OTHER,
        recipient_name="Counsel for the offender",
        method=IssueMethod.EMAIL,
    )

    assert [issue.recipient for issue in report.issues.order_by("id")] == [
        "New Zealand Parole Board",
        "Wellington District Court",
        "Counsel for the offender",
    ]
    assert {issue.version.number for issue in (to_court, to_lawyer)} == {2}
    assert "issued to Counsel for the offender on" in pdf_subject(bytes(to_lawyer.pdf))
    # A second issue is not a new step: the report stays issued.
    assert report.transitions.filter(to_status=ReportStatus.ISSUED).count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"recipient_kind": RecipientKind.COURT}, "recipient_court"),
        ({"recipient_kind": RecipientKind.OTHER, "recipient_name": " "}, "recipient_name"),
        ({"recipient_kind": "the press"}, "recipient_kind"),
        ({"recipient_kind": RecipientKind.PAROLE_BOARD, "method": "pigeon"}, "method"),
    ],
)
def test_an_issue_names_its_recipient_and_method(offender, imprisonment, author, manager, data, field):
    report = approved(author, manager, offender, imprisonment)

    with pytest.raises(ValidationError) as refused:
        reports.report_issue(actor=author, report=report, **{"method": IssueMethod.EMAIL, **data})

    assert field in refused.value.message_dict
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and not IssueRecord.objects.exists()


def test_the_record_of_issue_and_the_steps_cannot_be_rewritten(offender, imprisonment, author, manager):
    issue = issued(author, manager, offender, imprisonment)

    for rows in (IssueRecord.objects.filter(pk=issue.pk), ReportTransition.objects.all()):
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            rows.update(comment="x") if rows.model is ReportTransition else rows.update(recipient="Someone")
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            rows.delete()


def test_someone_who_does_not_keep_the_record_cannot_work_the_report(
    offender, imprisonment, author, manager, role_user
):
    report = submitted(author, offender, imprisonment)
    prison_officer = role_user(Role.PRISON_OFFICER)

    with pytest.raises(PermissionDenied):
        reports.report_revise(actor=prison_officer, report=report, body_html="<p>x</p>")
    with pytest.raises(PermissionDenied):
        reports.report_cancel(actor=prison_officer, report=report, reason="x")
    report = reports.report_approve(actor=manager, report=report)
    with pytest.raises(PermissionDenied):
        reports.report_issue(
            actor=prison_officer,
            report=report,
            recipient_kind=RecipientKind.PAROLE_BOARD,
            method=IssueMethod.EMAIL,
        )


def test_a_cancelled_report_keeps_its_reason_and_is_no_longer_work(offender, imprisonment, author):
    report = assembled(author, offender, imprisonment)

    with pytest.raises(ValidationError):
        reports.report_cancel(actor=author, report=report, reason="")
    reports.report_cancel(actor=author, report=report, reason="Hearing vacated")

    report.refresh_from_db()
    assert report.status == ReportStatus.CANCELLED
    assert report.transitions.last().comment == "Hearing vacated"
    assert not Report.objects.author_work().exists() and not Report.objects.open().exists()


def test_an_addendum_is_a_new_report_pointing_at_the_issued_one(offender, imprisonment, author, manager):
    original = issued(author, manager, offender, imprisonment).report

    addendum = reports.report_addendum_create(
        actor=author, report=original, due_on=today() + datetime.timedelta(days=60)
    )

    assert addendum.addendum_to == original and addendum.status == ReportStatus.DRAFT
    assert addendum.document.title == f"Addendum to {original.document.title}"
    body = addendum.document.versions.get().body_html
    assert "Addendum to the parole progress report" in body
    assert "version 2, issued to New Zealand Parole Board on" in body
    original.refresh_from_db()
    assert original.status == ReportStatus.ISSUED and original.document.versions.count() == 2
    with pytest.raises(ValidationError, match="Only an issued report has addenda"):
        reports.report_addendum_create(actor=author, report=addendum, due_on=today())


def test_the_inbox_reads_the_author_work_and_the_reports_awaiting_approval(
    offender, imprisonment, author, manager
):
    draft = assembled(author, offender, imprisonment)
    waiting = submitted(author, offender, imprisonment)
    ready = approved(author, manager, offender, imprisonment)
    done = issued(author, manager, offender, imprisonment).report

    assert set(Report.objects.author_work()) == {draft, ready}
    assert set(Report.objects.awaiting_approval()) == {waiting}
    assert set(Report.objects.open()) == {draft, waiting, ready}
    assert done.status not in REPORT_AUTHOR_WORK_STATUSES | REPORT_AWAITING_APPROVAL_STATUSES
    assert all(report.due_on == today() + datetime.timedelta(days=30) for report in Report.objects.all())
