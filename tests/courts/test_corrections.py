"""Data-correction requests: raised from the record, sent to the courts, closed by the courts'
correction.applied message (or withdrawn)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from courts.corrections import correction_request_create, correction_request_send, correction_request_withdraw
from courts.models import CorrectionRequest, CorrectionStatus, MessageStatus
from reconciliation.models import DataException, ReasonCode
from staff.roles import Role
from tests.courts.conftest import days_ago, deliver
from tests.factories import OffenderFactory, SentenceFactory, staff_user

pytestmark = pytest.mark.django_db


def correction_message(request: CorrectionRequest, message_id: str, **fields) -> dict:
    from courts.examples import example

    message = example("correction.applied", message_id=message_id, correction_request_id=request.reference)
    message["sent_at"] = f"{days_ago(0)}T09:00:00+13:00"
    message["offender"] = {"prn": request.offender.prn}
    message["sentence_ref"] = {"court_case_number": request.sentence.court_case_number}
    message.update(fields)
    return message


@pytest.fixture
def raised(known_sentence, probation_officer):
    return correction_request_create(
        actor=probation_officer,
        offender=known_sentence.offender,
        sentence=known_sentence,
        fields=["date_of_birth", "end_date"],
        what_is_wrong="Date of birth 17/05/1990 and expiry date are wrong",
        should_be="Born 16/05/1990 (passport); expiry a day later per the court order",
    )


def test_raising_a_request_from_the_sentence_page(client, admin_support, known_sentence, office):
    client.force_login(admin_support)
    url = reverse("courts:correction_create", kwargs={"offender_pk": known_sentence.offender_id})
    url += f"?sentence={known_sentence.pk}"

    page = client.get(url)
    assert page.status_code == 200
    assert "Expiry date (SED)" in page.content.decode()  # sentence fields are offered

    response = client.post(
        url,
        {"fields": ["end_date"], "what_is_wrong": "Expiry date 1 June", "should_be": "2 June (court order)"},
    )

    request = CorrectionRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "courts:correction_detail", kwargs={"pk": request.pk}
    )
    assert (request.sentence, request.office, request.raised_by) == (known_sentence, office, admin_support)
    assert request.status == CorrectionStatus.OPEN
    assert request.fields == ["end_date"]
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE,
        object_type="courts.CorrectionRequest",
        offender_id=known_sentence.offender_id,
    ).exists()
    detail = client.get(response["Location"]).content.decode()
    assert f"CR-{request.pk}" in detail and "Expiry date (SED)" in detail


def test_a_request_from_the_offender_record_offers_only_personal_details(
    client, probation_officer, known_sentence
):
    client.force_login(probation_officer)
    url = reverse("courts:correction_create", kwargs={"offender_pk": known_sentence.offender_id})

    page = client.get(url).content.decode()

    assert "Date of birth" in page and "Expiry date (SED)" not in page


def test_an_incomplete_request_shows_the_errors_by_the_fields_and_saves_nothing(
    client, admin_support, known_sentence
):
    client.force_login(admin_support)
    url = reverse("courts:correction_create", kwargs={"offender_pk": known_sentence.offender_id})

    response = client.post(url, {"fields": [], "what_is_wrong": "", "should_be": ""})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the field or fields that are wrong." in page
    assert 'aria-invalid="true"' in page
    assert not CorrectionRequest.objects.exists()


def test_a_sentence_of_another_offender_cannot_be_named(client, admin_support, known_sentence):
    client.force_login(admin_support)
    other = SentenceFactory()
    url = reverse("courts:correction_create", kwargs={"offender_pk": known_sentence.offender_id})

    assert client.get(f"{url}?sentence={other.pk}").status_code == 403


@pytest.mark.parametrize("role", [Role.DATA_SHARE, Role.PRISON_OFFICER])
def test_roles_outside_community_corrections_cannot_raise_requests(client, office, known_sentence, role):
    client.force_login(staff_user(role, office=office))
    url = reverse("courts:correction_create", kwargs={"offender_pk": known_sentence.offender_id})

    assert client.get(url).status_code == 403
    assert client.post(url, {"fields": ["gender"], "what_is_wrong": "x", "should_be": "y"}).status_code == 403


def test_the_lifecycle_open_sent_corrected_by_the_courts_message(raised, admin_support, known_sentence):
    correction_request_send(actor=admin_support, request=raised, comment="Emailed the registry")
    assert raised.status == CorrectionStatus.SENT and raised.sent_at is not None

    message = correction_message(raised, "CMS-C1")
    message["corrected"]["sentence"]["end_date"] = days_ago(-400)

    message = deliver(message)

    assert message.status == MessageStatus.PROCESSED, message.status_reason
    raised.refresh_from_db()
    assert raised.status == CorrectionStatus.CORRECTED
    assert raised.corrected_by_message == message
    assert raised.closed_at is not None
    assert [t.to_status for t in raised.transitions.all()] == ["open", "sent", "corrected"]
    assert raised.transitions.last().message == message
    known_sentence.refresh_from_db()
    known_sentence.offender.refresh_from_db()
    assert known_sentence.offender.date_of_birth == datetime.date(1990, 5, 16)
    assert known_sentence.end_date.isoformat() == days_ago(-400)
    event = known_sentence.events.get(kind="details_changed")
    assert event.source == "court" and raised.reference in event.detail


def test_a_correction_for_a_withdrawn_request_is_a_conflict(raised, admin_support):
    correction_request_withdraw(
        actor=admin_support, request=raised, reason="Our mistake: the order was right"
    )

    message = deliver(correction_message(raised, "CMS-C2"))

    assert message.status == MessageStatus.EXCEPTION
    assert f"{raised.reference} is already withdrawn" in message.status_reason
    assert DataException.objects.get(court_message=message).reason_code == ReasonCode.COURT_CONFLICT
    raised.refresh_from_db()
    assert raised.status == CorrectionStatus.WITHDRAWN


def test_a_correction_naming_an_unknown_request_is_an_exception(raised):
    message = deliver(correction_message(raised, "CMS-C3", correction_request_id="CR-999999"))

    assert message.status == MessageStatus.EXCEPTION
    assert "There is no correction request CR-999999" in message.status_reason


def test_a_correction_for_another_offender_is_an_exception(raised, reference_data):
    stranger = OffenderFactory(prn="55555555")
    message = correction_message(raised, "CMS-C4")
    message["offender"] = {"prn": stranger.prn}
    del message["sentence_ref"]
    message["corrected"] = {"offender": {"gender": "F"}}

    result = deliver(message)

    assert result.status == MessageStatus.EXCEPTION
    assert "is about another offender" in result.status_reason


def test_sending_and_withdrawing_through_the_pages(client, raised, admin_support):
    client.force_login(admin_support)

    response = client.post(
        reverse("courts:correction_send", kwargs={"pk": raised.pk}), {"comment": "Emailed the registry"}
    )
    assert response.status_code == 302
    raised.refresh_from_db()
    assert raised.status == CorrectionStatus.SENT

    empty = client.post(reverse("courts:correction_withdraw", kwargs={"pk": raised.pk}), {"reason": ""})
    assert empty.status_code == 200 and "This field is required." in empty.content.decode()

    client.post(
        reverse("courts:correction_withdraw", kwargs={"pk": raised.pk}), {"reason": "Court order was right"}
    )
    raised.refresh_from_db()
    assert raised.status == CorrectionStatus.WITHDRAWN
    # A closed request is not changed again.
    assert client.get(reverse("courts:correction_send", kwargs={"pk": raised.pk})).status_code == 403


def test_staff_of_another_office_see_but_do_not_handle_the_request(client, raised, other_office):
    client.force_login(staff_user(Role.ADMIN_SUPPORT, office=other_office))

    assert client.get(reverse("courts:correction_detail", kwargs={"pk": raised.pk})).status_code == 200
    assert client.get(reverse("courts:correction_send", kwargs={"pk": raised.pk})).status_code == 403


def test_the_list_shows_the_outstanding_requests_of_the_users_office(
    client, raised, admin_support, other_office
):
    elsewhere = SentenceFactory(managing_office=other_office, court_case_number="CRI-X")
    correction_request_create(
        actor=admin_support,
        offender=elsewhere.offender,
        sentence=elsewhere,
        fields=["hours"],
        what_is_wrong="Hours",
        should_be="More hours",
    )
    closed = correction_request_create(
        actor=admin_support, offender=raised.offender, fields=["gender"], what_is_wrong="G", should_be="H"
    )
    correction_request_withdraw(actor=admin_support, request=closed, reason="No")
    client.force_login(admin_support)

    page = client.get(reverse("courts:correction_list")).content.decode()

    assert raised.reference in page
    assert closed.reference not in page
    assert "CRI-X" not in page and "Hours" not in page
    everywhere = client.get(reverse("courts:correction_list"), {"office": "", "status": ""}).content.decode()
    assert closed.reference in everywhere and "Hours" in everywhere


def test_the_list_takes_the_same_number_of_queries_for_many_requests(client, admin_support, office):
    def add(count):
        for _ in range(count):
            sentence = SentenceFactory(managing_office=office)
            correction_request_create(
                actor=admin_support,
                offender=sentence.offender,
                sentence=sentence,
                fields=["hours"],
                what_is_wrong="x",
                should_be="y",
            )

    client.force_login(admin_support)
    add(2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("courts:correction_list"))
    add(20)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("courts:correction_list"))

    assert response.content.decode().count("CR-") >= 22
    assert len(many) == len(few)


def test_the_exceptions_report_can_raise_a_request_in_its_own_words(known_sentence, admin_support):
    request = correction_request_create(
        actor=admin_support,
        offender=known_sentence.offender,
        sentence=known_sentence,
        summary="Expiry date wrong",
        detail="Court order says 2 June",
    )

    assert (request.what_is_wrong, request.should_be, request.fields) == (
        "Expiry date wrong",
        "Court order says 2 June",
        [],
    )
