"""The allocation pages: the queue, working a request (checklist and choice of officer), caseloads,
notifications, reallocation, transfer and history — with their access rules."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allocation.checklist import allocate_request_step_record
from allocation.models import (
    AllocateRequest,
    AllocateRequestStatus,
    CaseAllocation,
    ChecklistStep,
    Notification,
)
from allocation.services import case_allocate
from audit.models import AuditAction, AuditEvent
from staff.roles import Role
from tests.allocation.helpers import DAY, ensure_weights, record_sentence, today
from tests.factories import OffenderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def weights(db):
    ensure_weights()


@pytest.fixture
def officers(role_user):
    return [
        role_user(Role.PROBATION_OFFICER, first_name="Aroha", last_name="Ngata", username="aroha").staff,
        role_user(Role.PROBATION_OFFICER, first_name="Ben", last_name="Smith", username="ben").staff,
    ]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_request(manager, office, **kwargs) -> AllocateRequest:
    offender = OffenderFactory(home_office=office)
    sentence = record_sentence(manager, offender, **kwargs)
    return AllocateRequest.objects.get(sentence=sentence)


def finish_checklist(actor, request):
    for row in request.steps.all():
        if row.is_open:
            allocate_request_step_record(
                actor=actor, request=request, step=row.step, outcome="No criteria met"
            )


def test_queue_lists_requests_most_urgent_first_with_overdue_marked(service_manager, office, officers):
    later = open_request(service_manager, office)
    overdue = open_request(service_manager, office)
    AllocateRequest.objects.filter(pk=overdue.pk).update(due_on=today() - 3 * DAY)
    pre = open_request(service_manager, office, sentence_type="home_detention", start=today() + 10 * DAY)

    response = client_for(service_manager).get(reverse("allocation:queue"))

    html = response.content.decode()
    assert response.status_code == 200
    positions = [html.index(str(item.offender)) for item in (overdue, later, pre)]
    assert positions[0] < positions[1], "overdue first"
    assert "Overdue by 3 days" in html
    assert "Pre-allocation" in html and "9 days left" in html
    assert 'id="overdue-count">1<' in html
    assert "Aroha Ngata" in html, "the officers' workload is shown"
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, offender_id=overdue.offender_id).exists()


def test_queue_filters(service_manager, office):
    open_request(service_manager, office)
    pre = open_request(service_manager, office, sentence_type="home_detention", start=today() + 10 * DAY)

    html = (
        client_for(service_manager)
        .get(reverse("allocation:queue"), {"urgency": "pre_allocation"})
        .content.decode()
    )

    assert str(pre.offender) in html
    assert "1 request<" in html


def test_queue_shows_only_the_managers_office(service_manager, office, other_office, role_user):
    here = open_request(service_manager, office)
    elsewhere_manager = role_user(Role.SERVICE_MANAGER, at=other_office)
    there = open_request(elsewhere_manager, other_office)

    html = client_for(service_manager).get(reverse("allocation:queue")).content.decode()

    assert str(here.offender) in html and str(there.offender) not in html


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.SERVICE_MANAGER, True),
        (Role.SYSTEM_ADMIN, True),
        (Role.PROBATION_OFFICER, False),
        (Role.ADMIN_SUPPORT, False),
        (Role.DATA_SHARE, False),
        (Role.PRISON_OFFICER, False),
    ],
)
def test_access_to_the_queue_and_requests(role_user, service_manager, office, role, allowed):
    request = open_request(service_manager, office)
    client = client_for(role_user(role))

    for url in (reverse("allocation:queue"), reverse("allocation:request", kwargs={"pk": request.pk})):
        assert client.get(url).status_code == (200 if allowed else 403)


def test_a_manager_of_another_office_cannot_open_the_request(
    role_user, service_manager, office, other_office
):
    request = open_request(service_manager, office)
    client = client_for(role_user(Role.SERVICE_MANAGER, at=other_office))

    assert client.get(reverse("allocation:request", kwargs={"pk": request.pk})).status_code == 403
    assert (
        client.post(
            reverse("allocation:request_officer", kwargs={"pk": request.pk}), {"staff": "1"}
        ).status_code
        == 403
    )


def test_anonymous_visitors_are_sent_to_log_in(service_manager, office):
    response = Client().get(reverse("allocation:queue"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_request_page_shows_the_checklist_and_the_officer_page_the_ranking_and_reasons(
    service_manager, office, officers
):
    aroha, ben = officers
    request = open_request(service_manager, office)
    case_allocate(actor=service_manager, offender=request.offender, staff=ben)
    client = client_for(service_manager)

    html = client.get(reverse("allocation:request", kwargs={"pk": request.pk})).content.decode()
    finish_checklist(service_manager, request)
    ranking = client.get(reverse("allocation:request_officer", kwargs={"pk": request.pk})).content.decode()

    assert "Offender warning system criteria reviewed" in html
    assert "Does not apply" in html and "no active child sex offender flag" in html
    assert "<strong>Not started</strong> — 1 of 6 steps done or not needed" in html
    assert "Already supervises this offender" in ranking
    assert ranking.index("Ben Smith") < ranking.index("Aroha Ngata"), "the continuing officer first"
    assert 'Ben Smith <strong class="tag tag--active">Suggested' in ranking
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, offender_id=request.offender_id).exists()


def test_recording_a_step_without_its_outcome_shows_the_error_next_to_the_field(service_manager, office):
    request = open_request(service_manager, office)
    url = reverse("allocation:request_step", kwargs={"pk": request.pk, "step": "ows_reviewed"})

    response = client_for(service_manager).post(url, {"action": "done", "outcome": ""})

    assert response.status_code == 400
    assert "Enter the outcome of the review." in response.content.decode()
    assert request.steps.get(step=ChecklistStep.OWS_REVIEWED).done_at is None


def test_allocating_with_open_steps_is_refused_with_a_clear_message(service_manager, office, officers):
    request = open_request(service_manager, office)

    response = client_for(service_manager).post(
        reverse("allocation:request_officer", kwargs={"pk": request.pk}), {"staff": officers[0].pk}
    )

    assert response.status_code == 400
    assert "Complete the checklist first" in response.content.decode()
    assert not CaseAllocation.objects.exists()


def test_manager_works_a_request_through_to_allocation(service_manager, office, officers):
    aroha, ben = officers
    request = open_request(service_manager, office)
    client = client_for(service_manager)
    for step in ("due_checked", "order_received", "order_recorded", "file_set_up"):
        client.post(reverse("allocation:request_step", args=[request.pk, step]), {"confirm": "on"})
    client.post(
        reverse("allocation:request_step", args=[request.pk, "ows_reviewed"]),
        {"action": "done", "outcome": "Not met"},
    )
    url = reverse("allocation:request_officer", kwargs={"pk": request.pk})

    refused = client.post(url, {"staff": ben.pk})
    assert "rather than the suggested Aroha Ngata" in refused.content.decode()
    response = client.post(url, {"staff": ben.pk, "override_reason": "Speaks te reo"})

    assert response.status_code == 302
    assert response["Location"] == reverse("allocation:request_allocated", kwargs={"pk": request.pk})
    request.refresh_from_db()
    assert request.status == AllocateRequestStatus.ALLOCATED and request.allocated_to == ben
    assert request.override_reason == "Speaks te reo"
    follow = client.get(reverse("allocation:queue")).content.decode()
    assert str(request.offender) not in follow.split('id="workload"')[0]
    ben_page = client_for(ben.user).get(reverse("allocation:caseload")).content.decode()
    assert str(request.offender) in ben_page and "New" in ben_page
    notes = client_for(ben.user).get(reverse("allocation:notifications")).content.decode()
    assert f"New case allocated: {request.offender.full_name}" in notes


def test_officer_sees_own_caseload_but_not_a_colleagues(officers):
    aroha, ben = officers
    assert client_for(aroha.user).get(reverse("allocation:caseload")).status_code == 200
    assert client_for(aroha.user).get(reverse("allocation:caseload"), {"staff": ben.pk}).status_code == 403


def test_manager_sees_an_officers_caseload(service_manager, officers):
    response = client_for(service_manager).get(reverse("allocation:caseload"), {"staff": officers[0].pk})
    assert response.status_code == 200 and "Caseload of Aroha Ngata" in response.content.decode()


def test_caseload_shows_sentences_and_next_key_date(service_manager, office, officers):
    aroha, _ = officers
    offender = OffenderFactory(home_office=office)
    sentence = record_sentence(service_manager, offender)
    case_allocate(actor=service_manager, offender=offender, staff=aroha, sentence=sentence)

    html = client_for(aroha.user).get(reverse("allocation:caseload")).content.decode()

    assert "My caseload" in html and "Supervision to" in html
    assert f"{sentence.end_date:%-d %b %Y}" in html


def test_notifications_can_be_marked_read_only_by_their_recipient(officers):
    aroha, ben = officers
    note = Notification.objects.create(recipient=aroha.user, subject="New case allocated: X")

    client_for(ben.user).post(reverse("allocation:notifications"), {"read": note.pk})
    note.refresh_from_db()
    assert note.read_at is None
    client_for(aroha.user).post(reverse("allocation:notifications"), {"read": note.pk})
    note.refresh_from_db()
    assert note.read_at is not None


def test_bulk_reallocation_page(service_manager, office, officers):
    aroha, ben = officers
    cases = [
        case_allocate(actor=service_manager, offender=OffenderFactory(home_office=office), staff=aroha)
        for _ in range(3)
    ]
    url = reverse("allocation:reallocate", kwargs={"staff_pk": aroha.pk})

    bad = client_for(service_manager).post(
        url, {"allocations": [cases[0].pk], "to_staff": ben.pk, "reason": ""}
    )
    assert bad.status_code == 200 and CaseAllocation.objects.current().filter(staff=ben).count() == 0
    response = client_for(service_manager).post(
        url, {"allocations": [cases[0].pk, cases[1].pk], "to_staff": ben.pk, "reason": "Aroha leaving"}
    )

    assert response.status_code == 302
    assert CaseAllocation.objects.current().filter(staff=ben).count() == 2
    assert CaseAllocation.objects.current().filter(staff=aroha).count() == 1


def test_probation_officer_cannot_reallocate(officers):
    aroha, ben = officers
    url = reverse("allocation:reallocate", kwargs={"staff_pk": aroha.pk})
    assert client_for(ben.user).get(url).status_code == 403


def test_transfer_and_history(service_manager, office, other_office, officers):
    offender = OffenderFactory(home_office=office)
    sentence = record_sentence(service_manager, offender)
    client = client_for(service_manager)

    response = client.post(
        reverse("allocation:transfer", kwargs={"offender_pk": offender.pk}),
        {"sentence": sentence.pk, "to_office": other_office.pk, "reason": "Moved to Auckland"},
    )

    assert response.status_code == 302
    transfer = AllocateRequest.objects.get(offender=offender, office=other_office)
    assert transfer.from_office == office
    html = client.get(reverse("allocation:history", kwargs={"offender_pk": offender.pk})).content.decode()
    assert f"Transfer from another office in {other_office.name} from {office.name}" in html


def test_queue_runs_a_constant_number_of_queries(service_manager, office, officers, role_user):
    for _ in range(3):
        open_request(service_manager, office)
    client = client_for(service_manager)
    client.get(reverse("allocation:queue"))  # warm the session and role caches

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("allocation:queue"))
    for _ in range(12):
        open_request(service_manager, office)
    for n in range(5):
        role_user(Role.PROBATION_OFFICER, username=f"extra{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("allocation:queue"))

    assert response.content.decode().count('href="/allocation/requests/') == 15
    assert len(many) == len(few), [query["sql"][:120] for query in many.captured_queries]


def test_request_page_runs_a_constant_number_of_queries(service_manager, office, officers, role_user):
    request = open_request(service_manager, office)
    url = reverse("allocation:request", kwargs={"pk": request.pk})
    client = client_for(service_manager)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        extra = role_user(Role.PROBATION_OFFICER, username=f"extra{n}").staff
        case_allocate(actor=service_manager, offender=OffenderFactory(home_office=office), staff=extra)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


def test_a_request_whose_sentence_was_quashed_can_be_cancelled_with_a_reason(service_manager, office):
    request = open_request(service_manager, office)
    url = reverse("allocation:request_cancel", kwargs={"pk": request.pk})
    client = client_for(service_manager)

    refused = client.post(url, {"cancel_reason": ""})
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    response = client.post(url, {"cancel_reason": "Quashed on appeal"})

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == AllocateRequestStatus.CANCELLED and request.cancel_reason == "Quashed on appeal"
    assert str(request.offender) not in client.get(reverse("allocation:queue")).content.decode()
    history = client.get(reverse("allocation:history", kwargs={"offender_pk": request.offender_id}))
    assert "Cancelled" in history.content.decode()


def test_officer_history_shows_what_triggered_each_change(service_manager, office, officers):
    aroha, ben = officers
    offender = OffenderFactory(home_office=office)
    old = case_allocate(actor=service_manager, offender=offender, staff=aroha)
    from allocation.reallocation import case_reallocate

    case_reallocate(actor=service_manager, allocation=old, to_staff=ben, reason="Aroha leaving")

    html = (
        client_for(service_manager).get(reverse("allocation:caseload"), {"staff": aroha.pk}).content.decode()
    )
    history = html.split('id="officer-history"')[1]
    assert "Allocated by hand" in history and "Reallocated: Aroha leaving" in history
    ben_html = client_for(ben.user).get(reverse("allocation:caseload")).content.decode()
    assert "Reallocation" in ben_html.split('id="officer-history"')[1]
