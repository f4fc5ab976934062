"""Builders for the report tests (kept beside them; tests/factories.py is shared)."""

import datetime

from django.utils import timezone

from agencies.models import Attendance, ReferralStatus
from classification.models import ClassificationKind, SecurityClassification
from documents import reports
from documents.models import IssueMethod, RecipientKind, ReportKind
from sentences.models import SentenceEvent, SentenceEventKind
from tests.factories import (
    CasenoteFactory,
    ChargeFactory,
    ConvictionFactory,
    OffenceFactory,
    ProgrammeFactory,
    ReferralFactory,
)


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def moment(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def build_history(*, offender, sentence, recorder, size: int) -> None:
    """`size` of each kind of record: convictions, charges, breaches and appeals (decided and not),
    programme referrals with sessions, classifications and casenotes."""
    for n in range(size):
        ConvictionFactory(
            sentence=sentence,
            offence=OffenceFactory(code=f"HIST{n:03d}", description=f"Historic offence {n}"),
            convicted_on=sentence.order_date - datetime.timedelta(days=n),
        )
        ChargeFactory(
            offender=offender, offence=OffenceFactory(code=f"CHG{n:03d}", description=f"Charge {n}")
        )
        SentenceEvent.objects.create(
            sentence=sentence,
            kind=SentenceEventKind.BREACH if n % 2 else SentenceEventKind.APPEAL_SENTENCE,
            occurred_on=days_ago(300 + n),
            detail=f"Event {n}",
            resolved_on=days_ago(200 + n) if n % 3 else None,
            outcome="Convicted of breach; fined" if n % 3 else "",
            recorded_by=recorder,
        )
        referral = ReferralFactory(
            offender=offender,
            programme=ProgrammeFactory(name=f"Programme {n}"),
            referred_on=days_ago(400 + n),
            status=ReferralStatus.COMPLETED,
            status_changed_on=days_ago(100 + n),
            outcome_note="Completed all modules",
            referred_by=recorder,
        )
        for session in range(3):
            Attendance.objects.create(
                referral=referral,
                session_on=days_ago(300 + n * 5 + session),
                attended=session != 2,
                recorded_by=recorder,
            )
        SecurityClassification.objects.create(
            offender=offender,
            kind=ClassificationKind.INITIAL,
            internal_category="A" if n % 2 else "B",
            external_category="B",
            effective_on=days_ago(600 - n),
            reason=f"Classification {n}",
        )
        CasenoteFactory(
            offender=offender,
            contact_on=moment(50 + n),
            summary=f"Visit {n}",
            text=f"Talked about the programme {n}.",
            author=recorder,
        )


def assembled(author, offender, sentence, *, kind=ReportKind.PAROLE_PROGRESS, casenote_ids=(), **kwargs):
    return reports.report_assemble(
        actor=author,
        offender=offender,
        kind=kind,
        due_on=kwargs.pop("due_on", today() + datetime.timedelta(days=30)),
        sentence=sentence,
        casenote_ids=casenote_ids,
        **kwargs,
    )


def submitted(author, offender, sentence, **kwargs):
    report = assembled(author, offender, sentence, **kwargs)
    reports.report_revise(actor=author, report=report, body_html="<h1>Progress report</h1><p>Ready.</p>")
    return reports.report_submit(actor=author, report=report, note="Ready for approval")


def approved(author, approver, offender, sentence, **kwargs):
    report = submitted(author, offender, sentence, **kwargs)
    return reports.report_approve(actor=approver, report=report)


def issued(author, approver, offender, sentence, **kwargs):
    report = approved(author, approver, offender, sentence, **kwargs)
    issue = reports.report_issue(
        actor=author, report=report, recipient_kind=RecipientKind.PAROLE_BOARD, method=IssueMethod.PORTAL
    )
    issue.report.refresh_from_db()
    return issue


# --- reading the PDFs (pypdf is not installed) --------------------------------------------------


def pdf_subject(content: bytes) -> str:
    """The PDF's Subject (from the page's description): WeasyPrint writes it, UTF-16 encoded, in a
    compressed object stream of the file."""
    import re
    import zlib

    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            data = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        found = re.search(rb"/Subject\s*<([0-9a-fA-F]+)>", data)
        if found:
            return bytes.fromhex(found.group(1).decode()).decode("utf-16")
        found = re.search(rb"/Subject\s*\((.*?)\)", data)
        if found:
            return found.group(1).decode("latin-1")
    raise AssertionError("The PDF has no Subject")


def page_texts(html: str) -> list[str]:
    """The text WeasyPrint lays out on each page of `html`, running headers and footers included."""
    from weasyprint import HTML

    return [
        " ".join(" ".join(box.text for box in page._page_box.descendants() if hasattr(box, "text")).split())
        for page in HTML(string=html).render().pages
    ]
