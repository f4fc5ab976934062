"""Documents and reports go through the one workflow mechanism: a step is refused when someone else
moved the record first (nothing changes: status, transition rows, audit rows), the
allowed-transitions maps are enforced, and every step — the first status too — is a row."""

import pytest

from audit.models import AuditEvent
from documents.models import (
    DOCUMENT_WORKFLOW,
    REPORT_WORKFLOW,
    Document,
    DocumentStatus,
    DocumentTransition,
    Report,
    ReportStatus,
    ReportTransition,
)
from documents.services import document_create, document_finalise
from tests.documents.helpers import assembled, issued, submitted
from tests.factories import DocumentTemplateFactory
from workflow.transitions import ConcurrentChange, TransitionNotAllowed

pytestmark = pytest.mark.django_db


def steps(rows) -> list[tuple[str, str]]:
    return list(rows.order_by("id").values_list("from_status", "to_status"))


@pytest.fixture
def document(author, offender):
    return document_create(actor=author, offender=offender, template=DocumentTemplateFactory())


def test_a_document_is_written_as_a_draft_then_finalised_each_a_row(document, author):
    document_finalise(actor=author, document=document)

    assert steps(document.transitions) == [
        ("", DocumentStatus.DRAFT),
        (DocumentStatus.DRAFT, DocumentStatus.FINAL),
    ]
    assert document.transitions.order_by("id").last().actor == author
    audit = AuditEvent.objects.filter(object_type="documents.Document", object_id=str(document.pk)).order_by(
        "id"
    )
    assert audit.last().summary == f"Finalised {document}"
    assert audit.last().changes == {"status": [DocumentStatus.DRAFT, DocumentStatus.FINAL]}


def test_finalising_a_document_someone_else_finalised_while_it_was_open_is_refused(document, author):
    stale = Document.objects.get(pk=document.pk)
    document_finalise(actor=author, document=document)
    rows, audits = DocumentTransition.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ConcurrentChange, match="Someone else changed this document .* it is now final"):
        document_finalise(actor=author, document=stale)

    assert Document.objects.get(pk=document.pk).status == DocumentStatus.FINAL
    assert (DocumentTransition.objects.count(), AuditEvent.objects.count()) == (rows, audits)


def test_a_final_document_never_becomes_a_draft_again(document, author):
    document_finalise(actor=author, document=document)

    with pytest.raises(TransitionNotAllowed, match="A document that is final cannot become draft"):
        DOCUMENT_WORKFLOW.move(document, to=DocumentStatus.DRAFT, actor=author)

    assert Document.objects.get(pk=document.pk).status == DocumentStatus.FINAL
    assert document.transitions.count() == 2


def test_a_report_and_its_text_record_every_step_up_to_the_issue(author, manager, offender, imprisonment):
    issue = issued(author, manager, offender, imprisonment)
    report = issue.report

    assert steps(report.transitions) == [
        ("", ReportStatus.DRAFT),
        (ReportStatus.DRAFT, ReportStatus.SUBMITTED),
        (ReportStatus.SUBMITTED, ReportStatus.APPROVED),
        (ReportStatus.APPROVED, ReportStatus.ISSUED),
    ]
    assert [row.version.number for row in report.transitions.order_by("id")] == [1, 2, 2, 2]
    # The first issue freezes the text: a step of the document, audited as the report's issue.
    assert steps(report.document.transitions) == [
        ("", DocumentStatus.DRAFT),
        (DocumentStatus.DRAFT, DocumentStatus.FINAL),
    ]
    assert not AuditEvent.objects.filter(object_type="documents.Document", object_id=str(report.document_id))


def test_a_report_step_from_a_status_someone_else_changed_is_refused_and_nothing_changes(
    author, offender, imprisonment
):
    report = submitted(author, offender, imprisonment)
    rows, audits = ReportTransition.objects.count(), AuditEvent.objects.count()

    with pytest.raises(
        ConcurrentChange, match="Someone else changed this report .* it is now waiting for approval"
    ):
        REPORT_WORKFLOW.move(
            report,
            from_status=ReportStatus.DRAFT,  # as read before the author submitted it
            to=ReportStatus.CANCELLED,
            actor=author,
            comment="Not needed",
        )

    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    assert (ReportTransition.objects.count(), AuditEvent.objects.count()) == (rows, audits)


def test_the_report_map_is_enforced_by_the_workflow(author, offender, imprisonment):
    report = assembled(author, offender, imprisonment)

    with pytest.raises(TransitionNotAllowed, match="A report that is draft cannot become issued"):
        REPORT_WORKFLOW.move(report, to=ReportStatus.ISSUED, actor=author)

    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    assert report.transitions.count() == 1
