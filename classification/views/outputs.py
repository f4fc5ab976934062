"""Downloads of a Review Security Classification (issue 5, Outputs): the completed form as PDF
(seed 003's layout; marked "DRAFT — not approved" until approved) and the letter telling the
prisoner the result and the reasons (only once approved).

The review is obtained only through `access_review_by_id`; each download is audited as an export,
as documents.views.document_pdf_view does for documents."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_GET

from audit.models import AuditAction
from audit.services import audit_record, audit_view
from classification.access import access_review_by_id
from classification.models import APPROVED_REVIEW_STATUSES, Review
from classification.outputs import review_form_pdf, review_letter_pdf


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{get_valid_filename(filename)}"'
    response["Cache-Control"] = "no-store"
    return response


def _is_approved(review: Review) -> bool:
    return review.status in APPROVED_REVIEW_STATUSES


@require_GET
def review_pdf(request, pk):
    review = access_review_by_id(request.user, pk)
    pdf = review_form_pdf(review)
    draft = "" if _is_approved(review) else " (not approved)"
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=review,
        summary=f"Downloaded classification review {review.pk} of PRN {review.offender.prn} as PDF{draft}",
    )
    suffix = "" if _is_approved(review) else "-draft"
    return _pdf_response(pdf, f"{review.offender.prn}-classification-review-{review.pk}{suffix}.pdf")


@require_GET
def review_letter(request, pk):
    review = access_review_by_id(request.user, pk)
    if not _is_approved(review):
        # The letter tells the prisoner an approved result (seed 003, D.2 then E.2): none yet.
        audit_view(actor=request.user, obj=review, summary=f"Asked for the letter of unapproved {review}")
        return render(request, "classification/letter_not_ready.html", {"review": review}, status=409)
    pdf = review_letter_pdf(review)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=review,
        summary=f"Downloaded the classification letter of review {review.pk} for PRN {review.offender.prn}",
    )
    return _pdf_response(pdf, f"{review.offender.prn}-classification-letter-{review.pk}.pdf")
