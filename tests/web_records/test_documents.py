"""Document pages: create from a template, read with versions, revise (sanitised) as a new
version, finalise, and download a real PDF — audited, and refused to those who may not."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from audit.models import AuditAction
from documents.forms import sanitise_html
from documents.models import Document, DocumentStatus, DocumentVersion
from documents.services import document_create
from staff.roles import Role
from tests.factories import DocumentTemplateFactory, SentenceFactory
from tests.web_records.helpers import field_errors, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(db):
    return DocumentTemplateFactory(
        code="psr",
        name="Pre-sentence report",
        body=(
            "<h1>Report on {{ offender.full_name }}</h1><p>PRN {{ offender.prn }}</p>"
            "{% if sentence %}<p>Sentence: {{ sentence.get_sentence_type_display }}</p>{% endif %}"
        ),
    )


@pytest.fixture
def document(admin_support, offender, template):
    return document_create(actor=admin_support, offender=offender, template=template)


def test_a_document_is_created_from_a_template_for_a_sentence(
    as_user, admin_support, offender, template, audit_rows
):
    sentence = SentenceFactory(offender=offender, sentence_type="community_work", hours=100)
    client = as_user(admin_support)

    form_page = client.get(
        reverse("documents:create", kwargs={"offender_pk": offender.pk}) + f"?sentence={sentence.pk}"
    )
    assert form_page.context["form"]["sentence"].value() == str(sentence.pk)

    response = client.post(
        reverse("documents:create", kwargs={"offender_pk": offender.pk}),
        {"template": template.pk, "sentence": sentence.pk, "title": ""},
        follow=True,
    )

    document = Document.objects.get()
    assert document.sentence == sentence and document.status == DocumentStatus.DRAFT
    page = text(response)
    assert "Pre-sentence report — Aroha Ngata" in page
    assert "Report on Aroha Ngata" in page and "PRN 48765432" in page and "Sentence: Community work" in page
    assert [row.action for row in audit_rows(document)] == [AuditAction.CREATE, AuditAction.VIEW]


def test_a_document_needs_a_template(as_user, admin_support, offender):
    response = as_user(admin_support).post(
        reverse("documents:create", kwargs={"offender_pk": offender.pk}), {"template": "", "title": "x"}
    )
    assert "template" in field_errors(response)
    assert not Document.objects.exists()


def test_the_document_page_lists_versions_and_audits_each_view(
    as_user, probation_officer, document, audit_rows
):
    response = as_user(probation_officer).get(reverse("documents:detail", kwargs={"pk": document.pk}))

    page = text(response)
    assert "Report on Aroha Ngata" in page
    assert "Generated from the record" in page
    assert reverse("documents:pdf", kwargs={"pk": document.pk, "version": 1}) in response.content.decode()
    # A probation officer not on the case reads but may not edit.
    assert reverse("documents:revise", kwargs={"pk": document.pk}) not in response.content.decode()
    [view] = audit_rows(document, AuditAction.VIEW)
    assert view.actor == probation_officer and view.offender_id == document.offender_id


def test_revising_saves_a_sanitised_new_version_and_keeps_the_old_one(
    as_user, admin_support, document, audit_rows
):
    body = (
        '<h1 onclick="steal()">Report</h1><script>alert("x")</script>'
        '<p style="background:url(https://evil.example/x.png)">Reports <b>weekly</b>.'
        '<img src="https://evil.example/track.png"><a href="javascript:alert(1)">link text</a></p>'
    )

    response = as_user(admin_support).post(
        reverse("documents:revise", kwargs={"pk": document.pk}),
        {"body_html": body, "note": "Added reporting"},
        follow=True,
    )

    latest = document.versions.get(number=2)
    assert latest.body_html == "<h1>Report</h1><p>Reports <b>weekly</b>.link text</p>"
    assert latest.author_note == "Added reporting" and latest.created_by == admin_support
    assert "Report on Aroha Ngata" in document.versions.get(number=1).body_html
    html = response.content.decode()
    assert "evil.example" not in html and "alert(" not in html and "onclick" not in html
    assert "Saved version 2" in text(response)
    assert audit_rows(document, AuditAction.UPDATE)


def test_a_body_that_is_empty_once_sanitised_is_refused(as_user, admin_support, document):
    response = as_user(admin_support).post(
        reverse("documents:revise", kwargs={"pk": document.pk}), {"body_html": "<script>x()</script>  "}
    )

    assert field_errors(response)["body_html"] == ["The document cannot be empty."]
    assert document.versions.count() == 1


def test_an_earlier_version_can_be_read(as_user, admin_support, document):
    client = as_user(admin_support)
    client.post(reverse("documents:revise", kwargs={"pk": document.pk}), {"body_html": "<p>Second draft</p>"})

    latest = text(client.get(reverse("documents:detail", kwargs={"pk": document.pk})))
    first = text(client.get(reverse("documents:detail", kwargs={"pk": document.pk}) + "?version=1"))

    assert "Second draft" in latest
    assert "Report on Aroha Ngata" in first and "Second draft" not in first
    assert (
        client.get(reverse("documents:detail", kwargs={"pk": document.pk}) + "?version=9").status_code == 404
    )


def test_a_finalised_document_cannot_be_revised(as_user, admin_support, document, audit_rows):
    client = as_user(admin_support)

    response = client.post(reverse("documents:finalise", kwargs={"pk": document.pk}), follow=True)

    document.refresh_from_db()
    assert document.status == DocumentStatus.FINAL
    assert "is final" in text(response)
    assert audit_rows(document, AuditAction.UPDATE)[-1].changes["status"] == ["draft", "final"]

    response = client.post(
        reverse("documents:revise", kwargs={"pk": document.pk}),
        {"body_html": "<p>Late change</p>"},
        follow=True,
    )
    assert "A final document cannot be changed" in text(response)
    assert document.versions.count() == 1


def test_the_pdf_is_a_real_pdf_of_the_chosen_version_and_is_audited(
    as_user, probation_officer, admin_support, document, audit_rows
):
    as_user(admin_support).post(
        reverse("documents:revise", kwargs={"pk": document.pk}), {"body_html": "<p>Version two</p>"}
    )
    client = as_user(probation_officer)

    latest = client.get(reverse("documents:pdf", kwargs={"pk": document.pk}))
    first = client.get(reverse("documents:pdf", kwargs={"pk": document.pk, "version": 1}))

    for response in (latest, first):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert len(response.content) > 1000
    assert 'filename="48765432-psr-v2.pdf"' in latest["Content-Disposition"]
    assert 'filename="48765432-psr-v1.pdf"' in first["Content-Disposition"]
    exports = audit_rows(document, AuditAction.EXPORT)
    assert [row.summary.rsplit(" version ", 1)[1] for row in exports] == ["2 as PDF", "1 as PDF"]
    assert all(row.actor == probation_officer for row in exports)
    assert client.get(reverse("documents:pdf", kwargs={"pk": document.pk, "version": 7})).status_code == 404


def test_the_print_template_carries_the_prn_and_the_body_without_external_assets(document):
    version = document.versions.get()

    html = render_to_string(
        "documents/pdf.html", {"version": version, "document": document, "body_html": version.body_html}
    )

    assert "48765432" in html
    assert "Report on Aroha Ngata" in html
    assert "DRAFT" in html
    assert "http://" not in html and "https://" not in html and "<link" not in html


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.DATA_SHARE, 403),
        (Role.PRISON_OFFICER, 200),
        (Role.SERVICE_MANAGER, 200),
    ],
)
def test_who_may_read_documents(as_user, role_user, document, role, status):
    client = as_user(role_user(role))
    assert client.get(reverse("documents:detail", kwargs={"pk": document.pk})).status_code == status
    assert client.get(reverse("documents:pdf", kwargs={"pk": document.pk})).status_code == status


def test_those_not_on_the_case_may_not_create_revise_or_finalise(
    as_user, probation_officer, offender, template, document
):
    client = as_user(probation_officer)

    assert (
        client.post(
            reverse("documents:create", kwargs={"offender_pk": offender.pk}), {"template": template.pk}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("documents:revise", kwargs={"pk": document.pk}), {"body_html": "<p>x</p>"}
        ).status_code
        == 403
    )
    assert client.post(reverse("documents:finalise", kwargs={"pk": document.pk})).status_code == 403
    assert Document.objects.count() == 1 and DocumentVersion.objects.count() == 1
    document.refresh_from_db()
    assert document.status == DocumentStatus.DRAFT


def test_an_unknown_document_is_not_found(as_user, admin_support):
    assert as_user(admin_support).get(reverse("documents:detail", kwargs={"pk": 424242})).status_code == 404


# --- the sanitiser ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("<p>Plain <strong>text</strong></p>", "<p>Plain <strong>text</strong></p>"),
        ("<script>alert(1)</script><p>x</p>", "<p>x</p>"),
        ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>ok", "ok"),
        ('<p onmouseover="x()" class="lead">x</p>', '<p class="lead">x</p>'),
        ('<td colspan="2" rowspan="x" style="color:red">c</td>', '<td colspan="2">c</td>'),
        ('<a href="https://evil.example">text</a>', "text"),
        ('<img src="x" onerror="alert(1)">after', "after"),
        ("<iframe src='https://evil.example'><p>inside</p></iframe>after", "after"),
        ("<style>body{background:url(https://evil.example)}</style>after", "after"),
        ("<svg/><p>kept</p>", "<p>kept</p>"),
        ("<svg><svg></svg><p>hidden</p></svg><p>kept</p>", "<p>kept</p>"),
        ("<!-- comment --><p>x</p>", "<p>x</p>"),
        ("<p>1 &lt; 2 &amp; 3 > 2</p>", "<p>1 &lt; 2 &amp; 3 &gt; 2</p>"),
        ('<p title="a&quot;b" lang="mi">x</p>', '<p title="a&quot;b" lang="mi">x</p>'),
        ("<p>unclosed <em>tags", "<p>unclosed <em>tags</em></p>"),
        ("</p>stray close", "stray close"),
        ("<ul><li>one<li>two</ul>", "<ul><li>one</li><li>two</li></ul>"),
        (
            "<table><tr><td>a<td>b<tr><td>c</table>",
            "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
        ),
        ("line<br/>break<hr>", "line<br>break<hr>"),
        ("<p>bad <textarea></p><script>x</script></textarea>ok</p>", "<p>bad ok</p>"),
    ],
)
def test_the_sanitiser_keeps_only_plain_formatting(given, kept):
    assert sanitise_html(given) == kept


def test_opening_a_document_to_edit_is_audited_as_a_view(as_user, admin_support, document, audit_rows):
    response = as_user(admin_support).get(reverse("documents:revise", kwargs={"pk": document.pk}))

    assert "Report on Aroha Ngata" in response.content.decode()
    [view] = audit_rows(document, AuditAction.VIEW)
    assert view.actor == admin_support and "to edit" in view.summary
