"""Assembling a report from the record (issue 6): what goes into version 1, the casenote extracts
the officer chooses (never a sensitive note the officer may not read), the plain-fact context, and
a number of queries that does not grow with the history."""

import datetime
import decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote
from documents.assembly import report_context
from documents.models import Document, DocumentTemplate, Report, ReportKind, ReportStatus
from documents.reports import report_assemble
from staff.roles import Role
from tests.documents.helpers import assembled, build_history, days_ago, moment, today
from tests.factories import CasenoteFactory, OffenderFactory, SentenceFactory, staff_user

pytestmark = pytest.mark.django_db


def body_of(report: Report) -> str:
    return report.document.versions.get(number=1).body_html


def test_a_parole_report_is_assembled_from_the_whole_record(record, imprisonment, author):
    report = assembled(author, record, imprisonment)

    assert report.status == ReportStatus.DRAFT and report.kind == ReportKind.PAROLE_PROGRESS
    assert report.author == author and report.offender == record
    assert report.document.title == "Parole progress report — Aroha Ngata"
    body = body_of(report)
    # The offender and the sentence the Board is considering.
    assert "Progress report to the New Zealand Parole Board" in body
    assert "PRN" in body and "48765432" in body and "CRI-2024-085-1234" in body
    assert "Wellington District Court" in body
    # Conviction and sentence history.
    assert "Historic offence 0" in body and "Historic offence 1" in body
    assert "Supervision" in body and "Completed: completed normally" in body
    # Compliance: breaches and appeals with their outcomes, or not yet decided.
    assert "Charged with breach" in body and "Appeal against sentence" in body
    assert "Convicted of breach; fined" in body and "Not yet decided" in body
    # Programmes with their provider, attendance and outcome.
    assert "Programme 0" in body and "2 of 3 sessions" in body and "Completed all modules" in body
    # The prisoner's classification history (the author works at the prisoner's office).
    assert "Security classification" in body and "Classification 1" in body
    # No casenote was chosen, so none is quoted.
    assert "From the casenotes" not in body and "Visit 0" not in body
    assert "[Release plan" not in body and "Release plan" in body


def test_the_report_body_is_sanitised_and_the_records_text_escaped(offender, imprisonment, author):
    offender.given_names = '<script>alert("x")</script>'
    offender.save(update_fields=["given_names"])

    body = body_of(assembled(author, offender, imprisonment))

    assert "<script" not in body
    assert "&lt;script&gt;" in body


def test_chosen_casenotes_are_quoted_with_date_type_author_and_text(record, imprisonment, author):
    visit = Casenote.objects.get(summary="Visit 1")
    untouched = Casenote.objects.get(summary="Visit 0")

    report = assembled(author, record, imprisonment, casenote_ids=[visit.pk])

    body = body_of(report)
    assert "From the casenotes" in body
    assert f"{visit.contact_on.astimezone():%-d %b %Y}" in body
    assert "Contact" in body and "Mere Tane" in body
    assert "Visit 1" in body and "Talked about the programme 1." in body
    assert "Visit 0" not in body and untouched.text not in body
    assert list(report.extracts.all()) == [visit]
    assert not report.includes_sensitive


def test_a_quoted_note_shows_its_latest_correction(record, imprisonment, author, manager):
    from casenotes.services import casenote_amend

    visit = Casenote.objects.get(summary="Visit 1")
    casenote_amend(
        actor=manager, note=visit, text="Talked about the programme and about work.", reason="Typo"
    )

    body = body_of(assembled(author, record, imprisonment, casenote_ids=[visit.pk]))

    assert "Corrected" in body and "Typo" in body and "Talked about the programme and about work." in body


def test_an_officer_who_may_not_read_sensitive_notes_cannot_quote_one(record, imprisonment, author):
    secret = Casenote.objects.get(sensitive=True)

    with pytest.raises(ValidationError) as refused:
        assembled(author, record, imprisonment, casenote_ids=[secret.pk])

    # Refused like a note that does not exist: its existence is not revealed.
    assert refused.value.message_dict["casenotes"] == [
        "Choose casenotes from this offender's record that are open to you."
    ]
    assert not Report.objects.exists() and not Document.objects.exists()


def test_a_casenote_of_another_offender_cannot_be_quoted(record, imprisonment, author):
    stranger = CasenoteFactory(offender=OffenderFactory(), summary="Someone else")

    with pytest.raises(ValidationError, match="open to you"):
        assembled(author, record, imprisonment, casenote_ids=[stranger.pk])


def test_a_manager_may_quote_a_sensitive_note_and_the_report_is_then_sensitive(record, imprisonment, manager):
    secret = Casenote.objects.get(sensitive=True)

    report = assembled(manager, record, imprisonment, casenote_ids=[secret.pk])

    assert report.includes_sensitive
    body = body_of(report)
    assert "The victim has moved to Napier." in body and "the portal" in body


def test_classification_history_is_left_out_when_the_author_may_not_read_it(
    record, imprisonment, other_office
):
    # A system administrator reads classifications anywhere; an officer of another office does not.
    from allocation.models import CaseAllocation

    stranger = staff_user(Role.PROBATION_OFFICER, office=other_office, username="stranger")
    CaseAllocation.objects.create(offender=record, staff=stranger.staff, started_on=days_ago(3))

    body = body_of(assembled(stranger, record, imprisonment))

    assert "Classification 1" not in body
    assert "not open to the report's author" in body


def test_the_context_gives_the_template_plain_facts_only(record, imprisonment, author):
    context = report_context(
        actor=author, offender=record, kind=ReportKind.BREACH, due_on=today(), sentence=imprisonment
    )

    def plain(value):
        if isinstance(value, dict):
            return all(plain(item) for item in value.values())
        if isinstance(value, list):
            return all(plain(item) for item in value)
        return value is None or isinstance(value, str | int | bool | decimal.Decimal | datetime.date)

    assert plain(context)
    assert [event["kind"] for event in context["breaches"]] == ["breach"]
    assert {event["kind"] for event in context["appeals"]} == {"appeal_sentence"}


@pytest.mark.parametrize(
    ("kind", "sentence", "field"),
    [
        (ReportKind.PAROLE_ASSESSMENT, None, "sentence"),
        (ReportKind.PAROLE_PROGRESS, "supervision", "sentence"),
        (ReportKind.BREACH, None, "sentence"),
        ("essay", "imprisonment", "kind"),
    ],
)
def test_each_kind_of_report_needs_the_right_sentence(
    request, offender, imprisonment, supervision, author, kind, sentence, field
):
    chosen = request.getfixturevalue(sentence) if sentence else None

    with pytest.raises(ValidationError) as refused:
        assembled(author, offender, chosen, kind=kind)

    assert field in refused.value.message_dict


def test_a_report_is_due_on_a_hearing_still_to_come(offender, imprisonment, author):
    with pytest.raises(ValidationError) as refused:
        assembled(author, offender, imprisonment, due_on=days_ago(1))

    assert "due_on" in refused.value.message_dict


def test_a_sentence_of_another_offender_is_refused(offender, author):
    with pytest.raises(ValidationError) as refused:
        assembled(author, offender, SentenceFactory(), kind=ReportKind.PRE_SENTENCE)

    assert "sentence" in refused.value.message_dict


def test_only_those_who_keep_the_record_assemble_reports(offender, role_user):
    for role in (Role.PROBATION_OFFICER, Role.PRISON_OFFICER, Role.DATA_SHARE):
        with pytest.raises(PermissionDenied):
            assembled(role_user(role), offender, None, kind=ReportKind.PRE_SENTENCE)
    assert not Report.objects.exists()


def test_every_kind_is_assembled_from_its_own_template_once_created(
    offender, imprisonment, supervision, author
):
    for kind, sentence in [
        (ReportKind.PRE_SENTENCE, None),
        (ReportKind.PAROLE_PROGRESS, imprisonment),
        (ReportKind.PAROLE_ASSESSMENT, imprisonment),
        (ReportKind.BREACH, supervision),
    ]:
        report = assembled(author, offender, sentence, kind=kind)
        assert report.document.template.report_kind == kind
        assert ReportKind(kind).label.split()[0] in body_of(report)
    assembled(author, offender, None, kind=ReportKind.PRE_SENTENCE)
    assert DocumentTemplate.objects.filter(report_kind=ReportKind.PRE_SENTENCE).count() == 1


def test_an_administrators_template_is_used_when_there_is_one(offender, author):
    DocumentTemplate.objects.create(
        code="our-psr",
        name="Our pre-sentence report",
        audience="court",
        report_kind=ReportKind.PRE_SENTENCE,
        body="<p>PSR for {{ offender.full_name }}, due {{ report.due_on|date:'j M Y' }}</p>",
    )

    report = assembled(author, offender, None, kind=ReportKind.PRE_SENTENCE)

    assert body_of(report).startswith("<p>PSR for Aroha Ngata, due ")
    assert report.document.title == "Our pre-sentence report — Aroha Ngata"


def test_a_report_template_is_not_offered_for_plain_documents(offender, author):
    from documents.services import document_create

    template = assembled(author, offender, None, kind=ReportKind.PRE_SENTENCE).document.template

    with pytest.raises(ValidationError, match="Reports are assembled"):
        document_create(actor=author, offender=offender, template=template)


def test_assembly_is_audited_and_recorded_as_the_first_step(offender, imprisonment, author):
    report = assembled(author, offender, imprisonment)

    [created] = AuditEvent.objects.filter(object_type="documents.Report", object_id=str(report.pk))
    assert created.action == AuditAction.CREATE and created.offender_id == offender.pk
    assert created.actor == author
    [step] = report.transitions.all()
    assert (step.from_status, step.to_status, step.actor) == ("", ReportStatus.DRAFT, author)
    assert step.version.number == 1


def _assembly_queries(author, offender, sentence) -> int:
    notes = list(Casenote.objects.filter(offender=offender, sensitive=False).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        report_assemble(
            actor=author,
            offender=offender,
            kind=ReportKind.PAROLE_PROGRESS,
            due_on=today(),
            sentence=sentence,
            casenote_ids=notes,
        )
    return len(queries)


def test_assembly_takes_the_same_number_of_queries_for_a_short_and_a_long_history(
    office, court, author, role_user
):
    from allocation.models import CaseAllocation

    counts = []
    for size in (1, 12):
        offender = OffenderFactory(home_office=office)
        sentence = SentenceFactory(
            offender=offender,
            court=court,
            sentence_type="imprisonment",
            order_date=days_ago(900),
            start_date=days_ago(900),
            end_date=days_ago(900) + datetime.timedelta(days=2000),
            statutory_release_date=days_ago(900) + datetime.timedelta(days=1000),
        )
        CaseAllocation.objects.create(offender=offender, staff=author.staff, started_on=days_ago(3))
        build_history(offender=offender, sentence=sentence, recorder=author, size=size)
        CasenoteFactory(offender=offender, contact_on=moment(1), author=author)
        assembled(author, offender, sentence)  # the template exists from now on, for both sizes
        # A fresh user object each time, as in a request: nothing cached from the last run.
        fresh = type(author).objects.get(pk=author.pk)
        counts.append(_assembly_queries(fresh, offender, sentence))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 30
