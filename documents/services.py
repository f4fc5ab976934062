"""Defined-format documents: rendered from a template and the record's data, versioned, and
downloadable as PDF (WeasyPrint, no network: the stylesheet is inline and fonts are local)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_created, audit_record
from documents.models import Document, DocumentStatus, DocumentTemplate, DocumentVersion

# Document templates are data edited by administrators; render them with autoescaping and without
# the project's template libraries, so a template can only read the context it is given.
_ENGINE = Engine(
    autoescape=True, libraries={}, builtins=["django.template.defaulttags", "django.template.defaultfilters"]
)


def document_context(*, offender, sentence=None) -> dict:
    sentences = list(offender.sentences.select_related("court", "managing_office").order_by("-start_date"))
    convictions = list(offender.convictions.select_related("offence", "sentence").order_by("-convicted_on"))
    return {
        "offender": offender,
        "sentence": sentence,
        "sentences": sentences,
        "convictions": convictions,
        "outstanding_charges": list(offender.charges.filter(outstanding=True).select_related("offence")),
        "today": timezone.localdate(),
    }


def render_template_body(template: DocumentTemplate, context: dict) -> str:
    try:
        return _ENGINE.from_string(template.body).render(Context(context))
    except TemplateSyntaxError as exc:
        raise ValidationError(f"The document template '{template.name}' is broken: {exc}") from exc


@transaction.atomic
def document_create(
    *, actor, offender, template: DocumentTemplate, title: str = "", sentence=None
) -> Document:
    if not template.active:
        raise ValidationError({"template": "That document template is no longer in use."})
    document = Document(
        offender=offender,
        sentence=sentence,
        template=template,
        title=(title or f"{template.name} — {offender.full_name}")[:200],
        created_by=actor,
    )
    document.full_clean()
    document.save()
    body = render_template_body(template, document_context(offender=offender, sentence=sentence))
    DocumentVersion.objects.create(
        document=document, number=1, body_html=body, created_by=actor, author_note="Generated from the record"
    )
    audit_created(
        actor=actor, obj=document, fields=("title", "template", "sentence"), summary=f"Created {document}"
    )
    return document


@transaction.atomic
def document_revise(*, actor, document: Document, body_html: str, note: str = "") -> DocumentVersion:
    """Save an edit as the next version; earlier versions are kept as they were."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status == DocumentStatus.FINAL:
        raise ValidationError("A final document cannot be changed; create a new document instead.")
    if not body_html.strip():
        raise ValidationError({"body_html": "The document cannot be empty."})
    latest = document.versions.order_by("-number").first()
    version = DocumentVersion.objects.create(
        document=document,
        number=(latest.number if latest else 0) + 1,
        body_html=body_html,
        author_note=note[:300],
        created_by=actor,
    )
    Document.objects.filter(pk=document.pk).update(updated_at=timezone.now())
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=document,
        summary=f"Saved version {version.number} of {document}",
    )
    return version


@transaction.atomic
def document_finalise(*, actor, document: Document) -> Document:
    updated = Document.objects.filter(pk=document.pk, status=DocumentStatus.DRAFT).update(
        status=DocumentStatus.FINAL, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError("This document is already final.")
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=document,
        summary=f"Finalised {document}",
        changes={"status": [DocumentStatus.DRAFT, DocumentStatus.FINAL]},
    )
    document.refresh_from_db()
    return document


def document_pdf(*, version: DocumentVersion) -> bytes:
    from weasyprint import HTML

    html = render_to_string("documents/pdf.html", {"version": version, "document": version.document})
    return HTML(string=html, base_url=None, url_fetcher=_refuse_fetch).write_pdf()


def _refuse_fetch(url: str, *args, **kwargs):
    raise ValueError(f"Documents may not load external resources ({url[:80]})")
