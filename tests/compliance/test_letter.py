"""The formal warning letter: a PDF in plain words for the person (the failed appointment's day and
time, that no acceptable reason was given, what happens next and by when, how to reach the office,
the officer), without offence or casenote detail; downloaded by those who may act on the warning,
audited as an export; none before a warning is decided.

pypdf is not installed, so the text is read from WeasyPrint's own layout of the same HTML (as
tests/classification/test_outputs.py does) and the bytes are checked to be a PDF."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from appointments.services import local
from audit.models import AuditAction, AuditEvent
from compliance.letter import warning_letter_html, warning_letter_pdf
from compliance.models import EnforcementStatus
from compliance.rules import window_closes
from compliance.services import warning_issue
from ioms.pdf import pdf_document
from staff.models import Office
from staff.roles import Role
from tests.compliance.helpers import action_at
from tests.factories import CasenoteFactory, ChargeFactory, OffenceFactory, staff_user

pytestmark = pytest.mark.django_db
S = EnforcementStatus


def text_of(html: str) -> str:
    pages = [
        " ".join(box.text for box in page._page_box.descendants() if hasattr(box, "text"))
        for page in pdf_document(html).pages
    ]
    return " ".join(" ".join(pages).split())


@pytest.fixture
def warning(probation_officer, office):
    Office.objects.filter(pk=office.pk).update(address="12 Victoria Street, Wellington", phone="04 555 0100")
    action = action_at(
        S.WARNING_PREPARED, probation_officer, office, family_name="Ngata", given_names="Aroha"
    )
    ChargeFactory(offender=action.offender, offence=OffenceFactory(description="Aggravated robbery"))
    CasenoteFactory(offender=action.offender, summary="Disclosed", text="Talked about the victim's family")
    action.refresh_from_db()
    return action


def test_the_letter_is_a_pdf_in_plain_words(warning, probation_officer):
    pdf = warning_letter_pdf(warning)
    text = text_of(warning_letter_html(warning))
    starts = local(warning.appointment.starts_at)

    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert "Aroha Ngata" in text
    assert "Formal warning" in text
    assert f"{timezone.localdate():%-d %B %Y}" in text
    assert f"You did not come to your office visit on {starts:%A %-d %B %Y} at 10:00 am." in text
    assert "You did not give us a reason we could accept for missing it." in text
    until = window_closes(warning.rules, warning.failed_on)
    assert f"If you miss another appointment without an acceptable reason by {until:%-d %B %Y}" in text
    assert "take you back to court for breaching your supervision" in text
    assert "12 Victoria Street, Wellington" in text and "Phone 04 555 0100" in text
    assert probation_officer.get_full_name() in text


def test_the_letter_holds_no_offence_or_casenote_detail(warning):
    text = text_of(warning_letter_html(warning))
    for sensitive in ("Aggravated robbery", "Crimes Act", "victim", "Disclosed", "Second chance refused"):
        assert sensitive not in text


def test_an_issued_warning_is_dated_the_day_it_was_given(warning, probation_officer):
    day = timezone.localdate()
    warning_issue(actor=probation_officer, action=warning, issued_on=day)
    assert f"{day:%-d %B %Y}" in text_of(warning_letter_html(warning))


def test_there_is_no_letter_before_a_warning_is_decided(probation_officer, office, client):
    considered = action_at(S.CONSIDERED, probation_officer, office)
    with pytest.raises(ValidationError):
        warning_letter_pdf(considered)

    client.force_login(probation_officer)
    response = client.get(reverse("compliance:letter", args=[considered.pk]))
    assert response.status_code == 409
    assert "No warning letter yet" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_download_is_audited_as_an_export_and_refused_to_others(
    warning, probation_officer, office, client
):
    client.force_login(probation_officer)
    response = client.get(reverse("compliance:letter", args=[warning.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"{warning.offender.prn}-formal-warning-{warning.pk}.pdf" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, actor=probation_officer, offender_id=warning.offender_id
    ).exists()

    colleague = staff_user(Role.PROBATION_OFFICER, office=office)
    client.force_login(colleague)
    assert client.get(reverse("compliance:letter", args=[warning.pk])).status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=colleague).exists()


def test_the_action_page_links_the_letter_as_a_pdf_download(warning, probation_officer, client):
    client.force_login(probation_officer)
    page = client.get(reverse("compliance:detail", args=[warning.pk])).content.decode()
    # progress.js prepares any same-site link ending .pdf with its "Preparing the PDF…" status.
    assert f'href="/compliance/actions/{warning.pk}/letter.pdf"' in page
