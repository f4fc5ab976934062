"""Issue 11, leaks at the edges: a report quoting sensitive casenotes is not even listed, by title,
to someone who may not open it, wherever documents are listed (the documents API, the record's
documents tab, its timeline, its reports, the sentence page). Someone who may open it sees it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.access import access_document_by_id, readable_documents
from documents.models import Document
from staff.roles import Role
from tests.documents.helpers import assembled, moment
from tests.factories import CasenoteFactory

# Plain words: an apostrophe would be escaped in the pages, and a missing title prove nothing.
SECRET_TITLE = "Parole report quoting the victim whereabouts"
PLAIN_TITLE = "Parole report on programme progress"


@pytest.fixture
def reports_on_record(offender, imprisonment, manager):
    """Two reports by a service manager on the record: one quoting a sensitive casenote."""
    secret = CasenoteFactory(offender=offender, sensitive=True, summary="Victim", contact_on=moment(2))
    sensitive = assembled(manager, offender, imprisonment, casenote_ids=[secret.pk], title=SECRET_TITLE)
    plain = assembled(manager, offender, imprisonment, title=PLAIN_TITLE)
    assert sensitive.includes_sensitive and not plain.includes_sensitive
    return sensitive, plain


@pytest.fixture
def refused(role_user):
    """Administrative support of the office: keeps the record, may not read sensitive casenotes."""
    return role_user(Role.ADMIN_SUPPORT, username="refused.clerk")


@pytest.fixture
def allowed(role_user):
    return role_user(Role.SERVICE_MANAGER, username="allowed.manager")


def _listings(offender, sentence) -> dict[str, str]:
    return {
        "documents API": f"/api/v1/documents/?offender={offender.pk}",
        "documents tab": reverse("offenders:documents", kwargs={"pk": offender.pk}),
        "timeline": reverse("offenders:timeline", kwargs={"pk": offender.pk}),
        "reports list": reverse("documents:reports", kwargs={"offender_pk": offender.pk}),
        "sentence page": reverse("sentences:detail", kwargs={"pk": sentence.pk}),
    }


def test_a_user_refused_the_report_does_not_see_its_title_in_any_list(
    client, offender, imprisonment, reports_on_record, refused
):
    sensitive, _ = reports_on_record
    client.force_login(refused)
    assert client.get(reverse("documents:report_detail", kwargs={"pk": sensitive.pk})).status_code == 403

    for place, address in _listings(offender, imprisonment).items():
        response = client.get(address)
        body = response.content.decode()
        assert response.status_code == 200, place
        assert SECRET_TITLE not in body, place
        assert PLAIN_TITLE in body, place


def test_a_user_allowed_the_report_sees_its_title_in_every_list(
    client, offender, imprisonment, reports_on_record, allowed
):
    client.force_login(allowed)

    for place, address in _listings(offender, imprisonment).items():
        body = client.get(address).content.decode()
        assert SECRET_TITLE in body, place
        assert PLAIN_TITLE in body, place


def test_an_addendum_quoting_sensitive_casenotes_is_not_listed_on_its_report_to_those_refused_it(
    client, offender, imprisonment, manager, refused
):
    from documents.models import Report

    plain = assembled(manager, offender, imprisonment, title=PLAIN_TITLE)
    secret = CasenoteFactory(offender=offender, sensitive=True, summary="Victim", contact_on=moment(2))
    addendum = assembled(manager, offender, imprisonment, casenote_ids=[secret.pk], title=SECRET_TITLE)
    Report.objects.filter(pk=addendum.pk).update(addendum_to=plain)
    page = reverse("documents:report_detail", kwargs={"pk": plain.pk})

    client.force_login(refused)
    assert SECRET_TITLE not in client.get(page).content.decode()
    client.force_login(manager)
    assert SECRET_TITLE in client.get(page).content.decode()


@pytest.mark.parametrize("role", [Role.ADMIN_SUPPORT, Role.PROBATION_OFFICER, Role.SERVICE_MANAGER])
def test_the_list_rule_is_the_rule_of_the_report_itself(role, role_user, reports_on_record, offender):
    """What a list shows is exactly what the single gate would open."""
    user = role_user(role, username=f"reader.{role}")
    listed = set(
        readable_documents(user, Document.objects.filter(offender=offender)).values_list("pk", flat=True)
    )
    openable = set()
    for document in Document.objects.filter(offender=offender):
        try:
            access_document_by_id(user, document.pk)
        except PermissionDenied:
            continue
        openable.add(document.pk)
    assert listed == openable


def test_hiding_reports_costs_no_query_per_document(client, offender, imprisonment, manager, refused):
    def queries_for_documents_tab() -> int:
        client.force_login(refused)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("offenders:documents", kwargs={"pk": offender.pk})).status_code == 200
        return len(captured)

    secret = CasenoteFactory(offender=offender, sensitive=True, summary="Victim", contact_on=moment(2))
    assembled(manager, offender, imprisonment, casenote_ids=[secret.pk], title=SECRET_TITLE)
    assembled(manager, offender, imprisonment, title=PLAIN_TITLE)  # a page with rows to show
    queries_for_documents_tab()  # warms the caches a first request fills (content types)
    one = queries_for_documents_tab()
    for n in range(3):
        assembled(manager, offender, imprisonment, casenote_ids=[secret.pk], title=f"{SECRET_TITLE} {n}")
        assembled(manager, offender, imprisonment, title=f"{PLAIN_TITLE} {n}")
    assert queries_for_documents_tab() == one
