"""The report pages (issue 6): every page for every role, a user with no role and an anonymous
visitor (REPORT_PAGES, read by tests/test_access_matrix.py); assembling with casenote extracts
chosen across pages; editing, submitting, approving or returning, issuing and downloading through
the browser; every view and download audited; lists at a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote
from documents import reports
from documents.models import IssueMethod, IssueRecord, RecipientKind, Report, ReportKind, ReportStatus
from staff.roles import Role
from tests.documents.helpers import approved, assembled, issued, moment, submitted, today
from tests.factories import CasenoteFactory, OfficeFactory, UserFactory, staff_user
from tests.web_records.helpers import field_errors, text

pytestmark = pytest.mark.django_db

PO, SM, AS, PR, RO, AO, DS, SA = (
    Role.PROBATION_OFFICER,
    Role.SERVICE_MANAGER,
    Role.ADMIN_SUPPORT,
    Role.PRISON_OFFICER,
    Role.RECOMMENDING_OFFICER,
    Role.APPROVING_OFFICER,
    Role.DATA_SHARE,
    Role.SYSTEM_ADMIN,
)
EVERYONE = frozenset(Role.values)
READERS = EVERYONE - {DS}  # the data share never sees reports
# The record's keepers at the offender's office (the allocated officer too: tested below).
KEEPERS = frozenset({SM, AS, SA})
APPROVERS = frozenset({SM})  # of the offender's office, and not the author (four eyes)

# (URL name, the object it is asked for, roles allowed at the offender's office). Everyone here
# works at the offender's office; the probation officer is not allocated to the case.
REPORT_PAGES = [
    ("documents:reports", "offender", READERS),
    ("documents:report_assemble", "offender", KEEPERS),
    ("documents:report_detail", "draft", READERS),
    ("documents:report_edit", "draft", KEEPERS),
    ("documents:report_submit", "draft", KEEPERS),
    ("documents:report_cancel", "draft", KEEPERS),
    ("documents:report_decide", "submitted", APPROVERS),
    ("documents:report_issue", "approved", KEEPERS),
    ("documents:report_addendum", "issued", KEEPERS),
    ("documents:report_pdf", "draft", READERS),
    ("documents:report_issued_pdf", "issue", READERS),
]


@pytest.fixture
def objects(offender, imprisonment, author, manager):
    issue = issued(author, manager, offender, imprisonment)
    return {
        "offender": offender,
        "draft": assembled(author, offender, imprisonment),
        "submitted": submitted(author, offender, imprisonment),
        "approved": approved(author, manager, offender, imprisonment),
        "issued": issue.report,
        "issue": issue,
    }


def url(name: str, obj) -> str:
    key = "offender_pk" if name in {"documents:reports", "documents:report_assemble"} else "pk"
    return reverse(name, kwargs={key: obj.pk})


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_is_allowed_or_refused_each_page(client, office, objects, role):
    client.force_login(staff_user(role, office=office))
    outcomes = {name: client.get(url(name, objects[key])).status_code for name, key, _ in REPORT_PAGES}
    expected = {name: 200 if role in allowed else 403 for name, _, allowed in REPORT_PAGES}
    assert outcomes == expected


def test_a_user_without_a_role_is_refused_every_page(client, objects):
    nobody = UserFactory()
    client.force_login(nobody)
    assert {client.get(url(name, objects[key])).status_code for name, key, _ in REPORT_PAGES} == {403}
    assert not AuditEvent.objects.filter(
        actor=nobody, action__in=[AuditAction.VIEW, AuditAction.EXPORT]
    ).exists()


def test_an_anonymous_visitor_is_sent_to_log_in_from_every_page(client, objects):
    for name, key, _ in REPORT_PAGES:
        response = client.get(url(name, objects[key]))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


def test_the_allocated_officer_works_the_report_but_does_not_approve_it(client, objects, author):
    client.force_login(author)
    for name, key, _ in REPORT_PAGES:
        expected = 403 if name == "documents:report_decide" else 200
        assert client.get(url(name, objects[key])).status_code == expected, name


def test_staff_of_another_office_may_read_but_not_write_or_approve(client, objects):
    elsewhere = OfficeFactory()
    for role in (SM, AS):
        client.force_login(staff_user(role, office=elsewhere))
        for name, key, allowed in REPORT_PAGES:
            expected = 200 if allowed == READERS else 403
            assert client.get(url(name, objects[key])).status_code == expected, (role, name)


def test_a_report_quoting_a_sensitive_note_is_only_for_those_who_may_read_it(
    client, offender, imprisonment, manager, role_user
):
    secret = CasenoteFactory(offender=offender, sensitive=True, summary="Victim", contact_on=moment(2))
    report = assembled(manager, offender, imprisonment, casenote_ids=[secret.pk])
    client.force_login(role_user(AS))

    for name in ("documents:report_detail", "documents:report_pdf", "documents:report_edit"):
        response = client.get(url(name, report))
        assert response.status_code == 403, name
        assert "sensitive casenotes" in text(response)
    # Nor through the plain document pages or the API.
    assert client.get(reverse("documents:detail", kwargs={"pk": report.document_id})).status_code == 403
    assert client.get(f"/api/v1/documents/{report.document_id}/versions/").status_code == 403
    client.force_login(role_user(SM, username="reader"))
    assert client.get(url("documents:report_detail", report)).status_code == 200
    assert client.get(f"/api/v1/documents/{report.document_id}/versions/").status_code == 200


# --- assembling ---------------------------------------------------------------------------------


def test_casenotes_are_chosen_across_pages_and_quoted(client, offender, imprisonment, author, manager):
    notes = [
        CasenoteFactory(offender=offender, author=manager, contact_on=moment(n + 1), summary=f"Note {n:02d}")
        for n in range(25)
    ]
    CasenoteFactory(offender=offender, sensitive=True, summary="Victim's address", contact_on=moment(0))
    client.force_login(author)
    assemble = url("documents:report_assemble", offender)

    first = client.get(assemble + f"?kind={ReportKind.PAROLE_PROGRESS}&sentence={imprisonment.pk}")
    page = text(first)
    assert "Note 00" in page and "Note 19" in page and "Note 20" not in page
    assert "Victim's address" not in page  # the author may not read sensitive notes
    assert first.context["form"]["kind"].value() == ReportKind.PAROLE_PROGRESS
    form = {
        "kind": ReportKind.PAROLE_PROGRESS,
        "sentence": imprisonment.pk,
        "due_on": (today() + datetime.timedelta(days=21)).isoformat(),
        "title": "",
        "shown_page": 1,
    }

    # Tick two notes on page 1, then turn to page 2: the ticks are carried.
    second = client.post(assemble, {**form, "casenotes": [notes[0].pk, notes[3].pk], "page": 2})
    assert second.status_code == 200
    assert "Note 24" in text(second) and "Note 00" not in text(second)
    assert second.context["carried"] == sorted([notes[0].pk, notes[3].pk])
    assert "2 chosen" in text(second)

    # Untick nothing, tick one on page 2 and assemble.
    response = client.post(
        assemble,
        {**form, "shown_page": 2, "carried": [notes[0].pk, notes[3].pk], "casenotes": [notes[22].pk]},
        follow=True,
    )

    report = Report.objects.get()
    assert report.due_on == today() + datetime.timedelta(days=21)
    assert set(report.extracts.values_list("pk", flat=True)) == {notes[0].pk, notes[3].pk, notes[22].pk}
    page = text(response)
    assert "Parole progress report — Aroha Ngata" in page and "Draft" in page
    assert "Note 22" in page and "Note 03" in page and "Note 05" not in page.split("Casenotes quoted")[0]
    listing = AuditEvent.objects.filter(
        action=AuditAction.VIEW, offender_id=offender.pk, summary__contains="to choose report extracts"
    )
    assert listing.count() == 2 and set(listing.values_list("actor", flat=True)) == {author.pk}


def test_unticking_a_note_on_the_page_shown_drops_it(client, offender, imprisonment, author):
    note = CasenoteFactory(offender=offender, contact_on=moment(1))
    client.force_login(author)

    response = client.post(
        url("documents:report_assemble", offender),
        {"kind": ReportKind.PRE_SENTENCE, "shown_page": 1, "carried": [note.pk], "page": 1},
    )

    assert response.context["chosen_count"] == 0


def test_a_forged_sensitive_casenote_is_refused_on_the_form(client, offender, imprisonment, author):
    secret = CasenoteFactory(offender=offender, sensitive=True, contact_on=moment(1))
    client.force_login(author)

    response = client.post(
        url("documents:report_assemble", offender),
        {
            "kind": ReportKind.PAROLE_PROGRESS,
            "sentence": imprisonment.pk,
            "due_on": (today() + datetime.timedelta(days=5)).isoformat(),
            "casenotes": [secret.pk],
            "shown_page": 1,
        },
    )

    assert field_errors(response)["__all__"] == [
        "Casenotes: Choose casenotes from this offender's record that are open to you."
    ]
    assert not Report.objects.exists()


def test_the_assembly_form_explains_each_mistake(client, offender, supervision, author):
    client.force_login(author)

    response = client.post(
        url("documents:report_assemble", offender),
        {"kind": ReportKind.PAROLE_ASSESSMENT, "sentence": supervision.pk, "due_on": "2001-01-01"},
    )

    errors = field_errors(response)
    assert errors["sentence"] == [
        "A report to the Parole Board is about a sentence of imprisonment: choose it."
    ]
    assert errors["due_on"] == [
        "The report is due on a hearing still to come: the date cannot be in the past."
    ]
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and "There is a problem" in html
    assert '<legend class="field__label">Due (hearing date)</legend>' in html  # the date's fieldset
    assert '<label class="date-input__label" for="id_due_on_day">Day</label>' in html


def _page_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_assembly_page_takes_the_same_queries_for_few_and_many_casenotes(client, offender, author):
    client.force_login(author)
    address = url("documents:report_assemble", offender)
    CasenoteFactory.create_batch(3, offender=offender, author=author, contact_on=moment(1))
    few = _page_queries(client, address)
    CasenoteFactory.create_batch(60, offender=offender, author=author, contact_on=moment(2))
    many = _page_queries(client, address)
    assert few == many


def test_the_report_page_and_list_take_the_same_queries_for_a_short_and_a_long_history(
    client, offender, imprisonment, author, manager, court
):
    client.force_login(manager)
    short = issued(author, manager, offender, imprisonment).report
    notes = [CasenoteFactory(offender=offender, author=author, contact_on=moment(n + 1)).pk for n in range(8)]
    long = assembled(author, offender, imprisonment, casenote_ids=notes)
    for n in range(6):  # six rounds of rework: versions and steps pile up
        reports.report_revise(actor=author, report=long, body_html=f"<p>Draft {n}</p>")
        reports.report_submit(actor=author, report=long)
        reports.report_return(actor=manager, report=long, reason=f"Round {n}")
    reports.report_submit(actor=author, report=long)
    reports.report_approve(actor=manager, report=long)
    for n in range(5):
        reports.report_issue(
            actor=author,
            report=long,
            recipient_kind=RecipientKind.COURT,
            recipient_court=court,
            method=IssueMethod.EMAIL,
            note=f"Copy {n}",
        )
    assert _page_queries(client, url("documents:report_detail", short)) == _page_queries(
        client, url("documents:report_detail", long)
    )
    listing = url("documents:reports", offender)
    few = _page_queries(client, listing)
    for _ in range(6):
        assembled(author, offender, imprisonment)
    assert _page_queries(client, listing) == few


# --- the steps in the browser ---------------------------------------------------------------------


def test_an_officer_edits_submits_and_a_manager_returns_then_approves(
    client, offender, imprisonment, author, manager
):
    report = assembled(author, offender, imprisonment)
    client.force_login(author)

    client.post(
        url("documents:report_edit", report),
        {"body_html": '<h1>Report</h1><p onclick="x()">Reports weekly.</p><script>x()</script>'},
    )
    assert report.document.versions.get(number=2).body_html == "<h1>Report</h1><p>Reports weekly.</p>"
    client.post(url("documents:report_submit", report), {"note": "Please check the release plan"})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    # While it waits, the author cannot edit it.
    response = client.get(url("documents:report_edit", report), follow=True)
    assert "ask the approving service manager to return it" in text(response)

    client.force_login(manager)
    decide = url("documents:report_decide", report)
    page = text(client.get(decide))
    assert "Reports weekly." in page and "version 2" in page
    refused = client.post(decide, {"decision": "return", "reason": ""})
    assert field_errors(refused)["reason"] == ["Say what the author needs to change."]
    response = client.post(decide, {"decision": "return", "reason": "Add the address."}, follow=True)
    assert "Returned by Hemi Walker" in text(response) and "Add the address." in text(response)

    client.force_login(author)
    client.post(url("documents:report_edit", report), {"body_html": "<p>Address added.</p>"})
    client.post(url("documents:report_submit", report), {"note": ""})
    client.force_login(manager)
    response = client.post(decide, {"decision": "approve", "reason": ""}, follow=True)

    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.approved_version.number == 3
    assert "Approved version 3" in text(response)
    opened = AuditEvent.objects.filter(
        object_type="documents.Report", object_id=str(report.pk), actor=manager
    )
    assert opened.filter(action=AuditAction.VIEW, summary__endswith="to approve").count() == 1


def test_the_author_manager_is_refused_the_approval_page_with_the_reason(
    client, offender, imprisonment, role_user
):
    writer = role_user(SM, username="writer")
    report = submitted(writer, offender, imprisonment)
    client.force_login(writer)

    response = client.get(url("documents:report_decide", report))

    assert response.status_code == 403
    assert "You wrote this report: another service manager must approve it." in text(response)
    assert "Approve or return" not in text(client.get(url("documents:report_detail", report)))


def test_issuing_in_the_browser_keeps_the_record_and_each_download_is_audited(
    client, offender, imprisonment, author, manager, clerk, court
):
    report = approved(author, manager, offender, imprisonment)
    client.force_login(clerk)
    issue_page = client.get(url("documents:report_issue", report))
    # A Parole Board report goes to the Board unless the officer says otherwise.
    assert issue_page.context["form"]["recipient_kind"].value() == RecipientKind.PAROLE_BOARD

    refused = client.post(
        url("documents:report_issue", report), {"recipient_kind": "court", "method": "hand"}
    )
    assert field_errors(refused)["recipient_court"] == ["Choose the court the report is issued to."]
    response = client.post(
        url("documents:report_issue", report),
        {
            "recipient_kind": "court",
            "recipient_court": court.pk,
            "method": "hand",
            "note": "Registry counter",
        },
        follow=True,
    )

    issue = IssueRecord.objects.get()
    assert (issue.recipient, issue.issued_by, issue.version.number) == ("Wellington District Court", clerk, 2)
    page = text(response)
    assert "Issued version 2 of Parole progress report — Aroha Ngata to Wellington District Court." in page
    assert "Record of issue" in page and "Registry counter" in page and "By hand" in page
    assert "Write an addendum" in page and "Edit (saves a new version)" not in page

    client.force_login(author)
    downloaded = client.get(url("documents:report_issued_pdf", issue))
    preview = client.get(url("documents:report_pdf", report))
    assert downloaded.content == bytes(issue.pdf)
    assert downloaded["Content-Type"] == "application/pdf" and downloaded["Cache-Control"] == "no-store"
    assert f'-report-{report.pk}-v2-issued-{issue.pk}.pdf"' in downloaded["Content-Disposition"]
    assert preview.content.startswith(b"%PDF") and "not-issued" in preview["Content-Disposition"]
    exports = AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="documents.Report", actor=author
    ).order_by("id")
    assert [row.summary.split(" of ")[0] for row in exports] == [
        "Downloaded version 2",
        "Downloaded version 2",
    ]
    assert "as issued to Wellington District Court" in exports[0].summary
    assert "(not issued)" in exports[1].summary
    assert all(row.offender_id == offender.pk for row in exports)


def test_an_issued_report_is_frozen_in_the_browser(client, objects, author):
    report = objects["issued"]
    client.force_login(author)

    response = client.post(url("documents:report_edit", report), {"body_html": "<p>Late</p>"}, follow=True)

    assert "An issued report cannot be changed: write an addendum instead." in text(response)
    assert report.document.versions.count() == 2
    response = client.post(
        url("documents:report_addendum", report),
        {"due_on": (today() + datetime.timedelta(days=9)).isoformat()},
        follow=True,
    )
    addendum = Report.objects.get(addendum_to=report)
    assert f"Addendum to {report.document.title}" in text(response)
    assert addendum.status == ReportStatus.DRAFT and addendum.author == author


def test_a_report_is_cancelled_with_a_reason(client, objects, author):
    report = objects["draft"]
    client.force_login(author)

    assert "reason" in field_errors(client.post(url("documents:report_cancel", report), {"reason": ""}))
    client.post(url("documents:report_cancel", report), {"reason": "Hearing vacated"})

    report.refresh_from_db()
    assert report.status == ReportStatus.CANCELLED


def test_the_plain_document_pages_of_a_report_lead_to_the_report(client, objects, author):
    report = objects["draft"]
    client.force_login(author)
    for name in ("documents:detail", "documents:revise", "documents:finalise", "documents:pdf"):
        response = client.get(reverse(name, kwargs={"pk": report.document_id}))
        assert response.status_code == 302, name
        assert response["Location"].startswith(url("documents:report_detail", report).rstrip("/")), name


def test_the_report_page_shows_versions_history_and_quoted_casenotes(client, offender, imprisonment, author):
    note = CasenoteFactory(offender=offender, author=author, contact_on=moment(3), summary="Home visit")
    report = assembled(author, offender, imprisonment, casenote_ids=[note.pk])
    client.force_login(author)

    page = text(client.get(url("documents:report_detail", report)))

    assert "Assembled from the record with 1 casenote extract(s)" in page
    assert "Home visit" in page.split("Casenotes quoted")[1]
    assert "Due" in page and "Not issued yet." in page
    assert Casenote.objects.count() == 1


def test_the_api_reads_a_report_document_but_cannot_change_or_finalise_it(client, objects, author, manager):
    report = objects["draft"]
    address = f"/api/v1/documents/{report.document_id}/"
    client.force_login(manager)
    assert client.get(address + "versions/").status_code == 200

    client.force_login(author)
    revised = client.post(address + "versions/", {"body_html": "<p>Around the report</p>"})
    finalised = client.post(address + "finalise/")

    assert (revised.status_code, finalised.status_code) == (400, 400)
    assert "report" in revised.content.decode() and "report" in finalised.content.decode()
    assert report.document.versions.count() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.document.status == "draft"
