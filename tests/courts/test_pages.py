"""The court message pages: who may open them, what they show, the audit rows they write and the
number of queries they take."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from courts.models import CorrectionRequest, MatchCandidate, MessageStatus
from courts.services import court_message_process, court_message_receive
from sentences.models import Sentence
from tests.courts.conftest import days_ago, deliver, imposed, on_sentence
from tests.factories import OffenderFactory, SentenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(reference_data, office, known_sentence):
    from tests.courts.test_access import court_objects

    return court_objects(office, known_sentence)


def test_the_list_shows_messages_filtered_by_status_and_type(client, admin_support, objects):
    client.force_login(admin_support)

    page = client.get(reverse("courts:message_list"), {"status": "exception"}).content.decode()

    assert "CMS-P3" in page and "CMS-P2" not in page
    page = client.get(reverse("courts:message_list"), {"message_type": "sentence.imposed"}).content.decode()
    assert "CMS-P2" in page and "CMS-P3" not in page
    assert (
        AuditEvent.objects.filter(action=AuditAction.SEARCH, summary="Searched court messages").count() == 2
    )


def test_the_list_takes_the_same_number_of_queries_however_many_messages(
    client, admin_support, reference_data
):
    client.force_login(admin_support)
    for number in range(3):
        deliver(imposed(f"CMS-Q{number}"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("courts:message_list"))
    for number in range(3, 40):
        court_message_receive(raw=json.dumps(imposed(f"CMS-Q{number}")).encode())
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("courts:message_list"))

    assert "CMS-Q39" in response.content.decode()
    assert len(many) == len(few)


def test_the_detail_shows_the_body_as_received_escaped_and_the_history(client, admin_support, reference_data):
    body = b'{"message_id": "CMS-X", "message_type": "<script>alert(1)</script>"}'
    message = court_message_receive(raw=body).message
    client.force_login(admin_support)

    page = client.get(reverse("courts:message_detail", kwargs={"pk": message.pk})).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Unknown message type" in page
    assert "Rejected: failed validation" in page


def test_viewing_a_message_of_an_offender_is_audited_under_the_offender(
    client, admin_support, known_sentence
):
    message = deliver(
        on_sentence("sentence.transferred", "CMS-P4", known_sentence, transferred_on=days_ago(1))
    )
    client.force_login(admin_support)

    client.get(reverse("courts:message_detail", kwargs={"pk": message.pk}))

    view = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="courts.CourtMessage")
    assert (view.actor, view.offender_id, view.object_id) == (
        admin_support,
        known_sentence.offender_id,
        str(message.pk),
    )


def test_the_queue_lists_each_waiting_message_with_its_candidates(client, admin_support, objects):
    client.force_login(admin_support)

    page = client.get(reverse("courts:match_queue")).content.decode()

    assert "CMS-P2" in page
    assert page.count("Confirm<span") == MatchCandidate.objects.filter(message=objects["message"]).count()


def test_the_queue_takes_the_same_number_of_queries_however_long(client, admin_support, reference_data):
    OffenderFactory(family_name="Smith", given_names="John", date_of_birth="1980-01-01")
    OffenderFactory(family_name="Smyth", given_names="John", date_of_birth="1980-01-01")
    client.force_login(admin_support)

    def waiting(number):
        deliver(
            imposed(
                f"CMS-W{number}",
                offender={"family_name": "Smith", "given_names": "John", "date_of_birth": "1980-01-01"},
            )
        )

    waiting(0)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("courts:match_queue"))
    for number in range(1, 12):
        waiting(number)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("courts:match_queue"))

    assert "CMS-W11" in response.content.decode()
    assert len(many) == len(few)


def test_confirming_on_the_page_applies_the_message(client, admin_support, objects):
    client.force_login(admin_support)
    candidate = objects["candidate"]

    response = client.post(reverse("courts:match_confirm", kwargs={"pk": candidate.pk}))

    assert response.status_code == 302
    message = objects["message"]
    message.refresh_from_db()
    assert message.status == MessageStatus.PROCESSED
    assert Sentence.objects.filter(
        offender=candidate.offender, court_case_number="CRI-2025-085-000123"
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert "applied" in page


def test_rejecting_on_the_page_creates_a_new_record_for_a_new_sentence(client, service_manager, objects):
    client.force_login(service_manager)
    message = objects["message"]

    client.post(reverse("courts:match_reject", kwargs={"pk": message.pk}), {"reason": "Different person"})

    message.refresh_from_db()
    assert message.status == MessageStatus.PROCESSED
    assert message.offender not in {
        candidate.offender for candidate in MatchCandidate.objects.filter(message=message)
    }


def test_a_message_that_failed_is_processed_again_once_the_record_is_right(
    client, admin_support, known_sentence, django_capture_on_commit_callbacks, monkeypatch
):
    message = on_sentence("sentence.quashed", "CMS-P5", known_sentence, effective_on=days_ago(1))
    message["sentence_ref"] = {"court_case_number": "CRI-LATE"}
    failed = deliver(message)
    assert failed.status == MessageStatus.EXCEPTION
    late = SentenceFactory(offender=known_sentence.offender, court_case_number="CRI-LATE")
    client.force_login(admin_support)

    # The retry is queued when the request commits; here the "worker" runs it at once.
    monkeypatch.setattr("courts.services._queue", lambda pk: court_message_process(pk=pk))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("courts:message_retry", kwargs={"pk": failed.pk}), follow=True)

    assert "is queued to be processed again" in response.content.decode()

    failed.refresh_from_db()
    late.refresh_from_db()
    assert failed.status == MessageStatus.PROCESSED
    assert late.status == "completed"
    assert [t.to_status for t in failed.transitions.all()] == ["exception", "received", "processed"]


def test_the_correction_list_is_audited_as_a_search(client, admin_support, objects):
    client.force_login(admin_support)

    client.get(reverse("courts:correction_list"))

    assert AuditEvent.objects.filter(summary="Searched correction requests").exists()
    assert CorrectionRequest.objects.count() == 1
