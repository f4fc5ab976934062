"""What the documents app adds to an offender's record (records.sections gathers it): the
documents tab for those who may read them, whether the viewer may write one, and the documents
they may open on the timeline (documents.access.readable_documents)."""

from django.utils import timezone

from documents.access import can_read_documents, can_write_documents, readable_documents
from documents.models import Document
from ioms.read_models import RecordTab, TimelineEntry, TimelineKind

TAB = RecordTab("documents", "Documents", "offenders:documents", shown_if="read_documents")


def permissions(user, offender) -> dict[str, bool]:
    return {
        "read_documents": can_read_documents(user, offender),
        "write_documents": can_write_documents(user, offender),
    }


def timeline(offender, *, user, may) -> list[TimelineKind]:
    if not may["read_documents"]:
        return []
    return [
        TimelineKind(
            readable_documents(user, Document.objects.filter(offender=offender))
            .select_related("template")
            .order_by("-created_at", "-id"),
            "created_at",
            True,
            lambda document: TimelineEntry(
                on=timezone.localdate(document.created_at),
                at=document.created_at,
                kind="Document",
                title=f"Document created: {document.title}",
                detail=f"{document.template} ({document.get_status_display().lower()})",
                url_name="documents:detail",
                url_pk=document.pk,
            ),
        )
    ]
