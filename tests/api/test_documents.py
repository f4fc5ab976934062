import pytest

from audit.models import AuditAction, AuditEvent
from documents.models import Document, DocumentVersion
from documents.services import document_create
from tests.factories import DocumentTemplateFactory, OffenderFactory, SentenceFactory

URL = "/api/v1/documents/"


@pytest.fixture
def template(db):
    return DocumentTemplateFactory(code="psr", name="Pre-sentence report")


@pytest.fixture
def document(service_manager, offender, template):
    return document_create(actor=service_manager, offender=offender, template=template)


def test_create_renders_the_template_with_the_record(api, service_manager, offender, template):
    response = api(service_manager).post(
        URL, {"offender": offender.pk, "template": template.pk}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Pre-sentence report — Wiremu Tamihana"
    assert [version["number"] for version in body["versions"]] == [1]
    version = DocumentVersion.objects.get(document_id=body["id"])
    assert "Report on Wiremu Tamihana" in version.body_html
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="documents.Document").exists()


def test_create_from_a_retired_template_is_a_400(api, service_manager, offender):
    retired = DocumentTemplateFactory(code="old", active=False)

    response = api(service_manager).post(
        URL, {"offender": offender.pk, "template": retired.pk}, format="json"
    )

    assert response.status_code == 400
    assert "template" in response.json()
    assert not Document.objects.exists()


def test_create_on_another_offenders_sentence_is_a_400_naming_sentence(
    api, service_manager, offender, template
):
    theirs = SentenceFactory(offender=OffenderFactory())

    response = api(service_manager).post(
        URL, {"offender": offender.pk, "template": template.pk, "sentence": theirs.pk}, format="json"
    )

    assert response.status_code == 400
    assert "sentence" in response.json()


def test_someone_who_cannot_edit_the_record_may_not_create_documents(
    api, probation_officer, offender, template
):
    response = api(probation_officer).post(
        URL, {"offender": offender.pk, "template": template.pk}, format="json"
    )

    assert response.status_code == 403


def test_list_and_filter_documents(api, probation_officer, document, template):
    other = document_create(actor=document.created_by, offender=OffenderFactory(), template=template)

    rows = api(probation_officer).get(URL, {"offender": document.offender_id}).json()["results"]

    assert [(row["id"], row["latest_version"]) for row in rows] == [(document.pk, 1)]
    assert other.pk not in [row["id"] for row in rows]


def test_retrieve_and_versions_are_audited(api, probation_officer, document):
    client = api(probation_officer)

    detail = client.get(f"{URL}{document.pk}/")
    versions = client.get(f"{URL}{document.pk}/versions/")

    assert detail.json()["template_name"] == "Pre-sentence report"
    assert "Report on" in versions.json()["results"][0]["body_html"]
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(document.pk)).count() == 2


def test_revise_saves_the_next_version_and_keeps_the_first(api, service_manager, document):
    response = api(service_manager).post(
        f"{URL}{document.pk}/versions/",
        {"body_html": "<p>Edited</p>", "note": "Added history"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["number"] == 2
    assert (
        list(document.versions.order_by("number").values_list("body_html", flat=True))[1] == "<p>Edited</p>"
    )
    assert "Report on" in document.versions.get(number=1).body_html


def test_an_empty_revision_is_a_400_naming_the_body(api, service_manager, document):
    response = api(service_manager).post(f"{URL}{document.pk}/versions/", {"body_html": "  "}, format="json")

    assert response.status_code == 400
    assert "body_html" in response.json()
    assert document.versions.count() == 1


def test_a_final_document_cannot_be_revised(api, service_manager, document):
    client = api(service_manager)

    finalised = client.post(f"{URL}{document.pk}/finalise/")
    revised = client.post(f"{URL}{document.pk}/versions/", {"body_html": "<p>Late</p>"}, format="json")

    assert finalised.json()["status"] == "final"
    assert revised.status_code == 400
    assert document.versions.count() == 1


def test_download_a_version_as_pdf_is_audited_as_an_export(api, probation_officer, document):
    response = api(probation_officer).get(f"{URL}{document.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"document-{document.pk}-v1.pdf" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(document.pk)).exists()


def test_download_of_a_missing_version_is_404(api, probation_officer, document):
    assert api(probation_officer).get(f"{URL}{document.pk}/pdf/", {"version": 9}).status_code == 404


def test_the_data_share_sees_no_documents(api, data_share, document):
    client = api(data_share)

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{document.pk}/").status_code == 403
    assert client.get(f"{URL}{document.pk}/pdf/").status_code == 403
    # Nothing was read: the trail holds the three refusals only (every refusal is audited, issue 11).
    assert set(AuditEvent.objects.filter(actor=data_share).values_list("action", flat=True)) == {"denied"}
    assert AuditEvent.objects.filter(actor=data_share).count() == 3
