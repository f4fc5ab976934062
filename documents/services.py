"""Defined-format documents: rendered from a template and the record's data, versioned, and
downloadable as PDF (ioms.pdf: no network, the stylesheet is inline and fonts are local)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_created, audit_record
from documents.models import DOCUMENT_WORKFLOW, Document, DocumentStatus, DocumentTemplate, DocumentVersion
from documents.sanitise import sanitise_html
from ioms.pdf import html_to_pdf

# Document templates are data edited by administrators; render them with autoescaping and without
# the project's template libraries, so a template can only read the context it is given.
_ENGINE = Engine(
    autoescape=True, libraries={}, builtins=["django.template.defaulttags", "django.template.defaultfilters"]
)


def _office(office) -> dict | None:
    return {"name": office.name, "code": office.code} if office is not None else None


def _sentence_facts(sentence) -> dict:
    return {
        "get_sentence_type_display": sentence.get_sentence_type_display(),
        "sentence_type": sentence.sentence_type,
        "court": _office(sentence.court),
        "court_case_number": sentence.court_case_number,
        "order_date": sentence.order_date,
        "start_date": sentence.start_date,
        "end_date": sentence.end_date,
        "parole_eligibility_date": sentence.parole_eligibility_date,
        "statutory_release_date": sentence.statutory_release_date,
        "parole_hearing_date": sentence.parole_hearing_date,
        "hours": sentence.hours,
        "conditions": sentence.conditions,
        "indeterminate": sentence.indeterminate,
        "managing_office": _office(sentence.managing_office),
        "status": sentence.status,
        "get_status_display": sentence.get_status_display(),
        "completion_reason": sentence.completion_reason,
        "get_completion_reason_display": sentence.get_completion_reason_display(),
        "completed_on": sentence.completed_on,
    }


def _offence_facts(offence) -> dict:
    return {
        "code": offence.code,
        "description": offence.description,
        "act": offence.act,
        "section": offence.section,
        "seriousness": offence.seriousness,
    }


def document_context(*, offender, sentence=None) -> dict:
    """The facts a document template may use, as plain values: a template is data edited by
    administrators, so it gets no model instances to walk from (no casenotes, no other people)."""
    sentences = offender.sentences.select_related("court", "managing_office").order_by("-start_date")
    convictions = offender.convictions.select_related("offence", "sentence").order_by("-convicted_on")
    charges = offender.charges.filter(outstanding=True).select_related("offence").order_by("-charged_on")
    return {
        "offender": {
            "prn": offender.prn,
            "family_name": offender.family_name,
            "given_names": offender.given_names,
            "preferred_name": offender.preferred_name,
            "full_name": offender.full_name,
            "date_of_birth": offender.date_of_birth,
            "gender": offender.get_gender_display(),
            "ethnicity": offender.ethnicity,
            "home_office": _office(offender.home_office),
        },
        "sentence": _sentence_facts(sentence) if sentence is not None else None,
        "sentences": [_sentence_facts(item) for item in sentences],
        "convictions": [
            {
                "offence": _offence_facts(conviction.offence),
                "convicted_on": conviction.convicted_on,
                "offence_date": conviction.offence_date,
                "sentence": {"get_sentence_type_display": conviction.sentence.get_sentence_type_display()},
            }
            for conviction in convictions
        ],
        "outstanding_charges": [
            {"offence": _offence_facts(charge.offence), "charged_on": charge.charged_on} for charge in charges
        ],
        "today": timezone.localdate(),
    }


def render_template_body(template: DocumentTemplate, context: dict) -> str:
    return render_body_text(template.body, context, name=template.name)


def render_body_text(body: str, context: dict, *, name: str) -> str:
    """`body` rendered as a document template (autoescaped, no template libraries)."""
    try:
        return _ENGINE.from_string(body).render(Context(context))
    except TemplateSyntaxError as exc:
        raise ValidationError(f"The document template '{name}' is broken: {exc}") from exc


@transaction.atomic
def document_create(
    *, actor, offender, template: DocumentTemplate, title: str = "", sentence=None
) -> Document:
    if not template.active:
        raise ValidationError({"template": "That document template is no longer in use."})
    if template.report_kind:
        raise ValidationError({"template": "Reports are assembled from the record on the report pages."})
    document = Document(
        offender=offender,
        sentence=sentence,
        template=template,
        title=(title or f"{template.name} — {offender.full_name}")[:200],
        created_by=actor,
    )
    document.full_clean()
    document.save()
    DOCUMENT_WORKFLOW.record_step(document, from_status="", to=DocumentStatus.DRAFT, actor=actor)
    body = sanitise_html(
        render_template_body(template, document_context(offender=offender, sentence=sentence))
    )
    DocumentVersion.objects.create(
        document=document, number=1, body_html=body, created_by=actor, author_note="Generated from the record"
    )
    audit_created(
        actor=actor, obj=document, fields=("title", "template", "sentence"), summary=f"Created {document}"
    )
    return document


def is_report_document(document: Document) -> bool:
    """Whether the document is the text of a report (documents.reports), which changes only
    through the report's steps."""
    from documents.models import Report

    return Report.objects.filter(document_id=document.pk).exists()


def version_add(*, actor, document: Document, body_html: str, note: str = "") -> DocumentVersion:
    """The next numbered version of a document the caller has locked; the body is sanitised and
    earlier versions are kept as they were."""
    body_html = sanitise_html(body_html).strip()
    if not body_html:
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
    return version


@transaction.atomic
def document_revise(*, actor, document: Document, body_html: str, note: str = "") -> DocumentVersion:
    """Save an edit as the next version; earlier versions are kept as they were."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status == DocumentStatus.FINAL:
        raise ValidationError("A final document cannot be changed; create a new document instead.")
    if is_report_document(document):
        raise ValidationError("This document is a report: edit it on the report's page.")
    version = version_add(actor=actor, document=document, body_html=body_html, note=note)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=document,
        summary=f"Saved version {version.number} of {document}",
    )
    return version


@transaction.atomic
def document_finalise(*, actor, document: Document) -> Document:
    if is_report_document(document):
        raise ValidationError("A report is approved and issued, not finalised: use the report's page.")
    if document.status == DocumentStatus.FINAL:
        raise ValidationError("This document is already final.")
    DOCUMENT_WORKFLOW.move(
        document,
        to=DocumentStatus.FINAL,
        actor=actor,
        fields={"updated_at": timezone.now()},
        summary=f"Finalised {document}",
    )
    document.refresh_from_db()
    return document


def document_pdf(*, version: DocumentVersion) -> bytes:
    """The version as PDF. The body is sanitised again (older rows, or rows written by other paths)
    and nothing outside the document may be fetched while it renders."""
    safe_body = sanitise_html(version.body_html)
    html = render_to_string(
        "documents/pdf.html", {"version": version, "document": version.document, "body_html": safe_body}
    )
    return html_to_pdf(html)
