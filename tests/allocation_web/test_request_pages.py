"""Working an allocate request through its pages (issue 14): the task list with a status per task,
one page per checklist step, one list of officers with their figures, and a confirmation panel
after the decision. Seed 002: "the steps a service manager follows to allocate an offender"."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from allocation.models import AllocateRequest, AllocateRequestStatus, ChecklistStep
from staff.roles import Role
from tests.allocation.helpers import DAY, ensure_weights, finish_checklist, record_sentence, today
from tests.factories import OffenderFactory

pytestmark = pytest.mark.django_db

PLAIN_STEPS = ("due_checked", "order_received", "order_recorded", "file_set_up")


@pytest.fixture(autouse=True)
def weights(db):
    ensure_weights()


@pytest.fixture
def manager(role_user):
    return role_user(Role.SERVICE_MANAGER, username="hine.m", first_name="Hine", last_name="Walker")


@pytest.fixture
def officers(role_user):
    return [
        role_user(Role.PROBATION_OFFICER, first_name="Aroha", last_name="Ngata", username="aroha").staff,
        role_user(Role.PROBATION_OFFICER, first_name="Ben", last_name="Smith", username="ben").staff,
    ]


@pytest.fixture
def request_(manager, office):
    offender = OffenderFactory(home_office=office, given_names="Wiremu", family_name="Tamihana")
    return AllocateRequest.objects.get(sentence=record_sentence(manager, offender))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def step_url(request, step) -> str:
    return reverse("allocation:request_step", kwargs={"pk": request.pk, "step": step})


def task_status(html: str, row_id: str) -> str:
    """The words in a task's status cell, tags stripped."""
    cell = re.search(rf'id="{row_id}-status">(.*?)</div>', html, re.S).group(1)
    return re.sub(r"<[^>]+>", "", cell).strip()


def test_the_task_list_statuses_follow_the_checklist_to_the_allocation(manager, officers, request_):
    client = client_for(manager)
    url = reverse("allocation:request", kwargs={"pk": request_.pk})

    fresh = client.get(url).content.decode()
    assert "Checklist: <strong>Not started</strong>" in fresh
    assert [task_status(fresh, f"step-{step}") for step in PLAIN_STEPS] == ["Not started"] * 4
    assert task_status(fresh, "step-cso_notification") == "Does not apply"
    assert task_status(fresh, "task-officer") == "Cannot start yet"
    assert reverse("allocation:request_officer", kwargs={"pk": request_.pk}) not in fresh

    client.post(step_url(request_, "due_checked"), {"confirm": "on"})
    started = client.get(url).content.decode()
    assert "Checklist: <strong>In progress</strong> — 2 of 6 steps" in started
    assert task_status(started, "step-due_checked") == "Completed"
    assert "By Hine Walker on" in started, "the manager's name, not the username"
    assert task_status(started, "task-officer") == "Cannot start yet"

    finish_checklist(manager, request_)
    ready = client.get(url).content.decode()
    assert "Checklist: <strong>Completed</strong>" in ready
    assert task_status(ready, "task-officer") == "Not started"
    assert reverse("allocation:request_officer", kwargs={"pk": request_.pk}) in ready

    client.post(reverse("allocation:request_officer", kwargs={"pk": request_.pk}), {"staff": officers[0].pk})
    done = client.get(url).content.decode()
    assert task_status(done, "task-officer") == "Completed"
    assert "Allocated to Aroha Ngata" in done and "by Hine Walker" in done


def test_a_plain_step_is_recorded_only_when_its_box_is_ticked(manager, request_):
    client = client_for(manager)

    refused = client.post(step_url(request_, "order_received"), {})
    html = refused.content.decode()

    assert refused.status_code == 400
    assert "<title>Error: " in html
    assert 'href="#id_confirm"' in html, "the error summary links to the box"
    assert "Confirm that this step is done, or return to the task list." in html
    assert request_.steps.get(step=ChecklistStep.ORDER_RECEIVED).is_open
    response = client.post(step_url(request_, "order_received"), {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "allocation:request", args=[request_.pk]
    )
    assert request_.steps.get(step=ChecklistStep.ORDER_RECEIVED).done_at is not None


def test_the_ows_step_needs_a_choice_and_then_the_outcome_or_when_it_was_done(manager, request_):
    """Seed 002 step 6: "Review offender details against criteria for the offender warning system
    (OWS), if this has not already been done." """
    client = client_for(manager)
    url = step_url(request_, "ows_reviewed")

    page = client.get(url).content.decode()
    no_choice = client.post(url, {}).content.decode()
    no_outcome = client.post(url, {"action": "done", "outcome": " "}).content.decode()
    no_reason = client.post(url, {"action": "not_applicable"}).content.decode()
    client.post(url, {"action": "not_applicable", "not_applicable_reason": "Reviewed by the prison in March"})

    assert "(optional)" not in page, "no field is labelled optional when it is needed"
    assert "Required for the OWS review" not in page
    assert "Say whether you have reviewed the offender warning system criteria." in no_choice
    assert "Enter the outcome of the review." in no_outcome
    assert "Say when and by whom the criteria were reviewed." in no_reason
    row = request_.steps.get(step=ChecklistStep.OWS_REVIEWED)
    assert not row.applicable and row.not_applicable_reason == "Reviewed by the prison in March"
    task_list = client.get(reverse("allocation:request", args=[request_.pk])).content.decode()
    assert task_status(task_list, "step-ows_reviewed") == "Does not apply"
    assert "Reviewed by the prison in March" in task_list


def test_a_settled_step_shows_what_was_recorded_and_cannot_be_posted_again(manager, request_):
    client = client_for(manager)
    client.post(step_url(request_, "ows_reviewed"), {"action": "done", "outcome": "No criteria met"})
    before = request_.steps.get(step=ChecklistStep.OWS_REVIEWED).done_at

    page = client.get(step_url(request_, "ows_reviewed")).content.decode()
    again = client.post(step_url(request_, "ows_reviewed"), {"action": "done", "outcome": "Changed"})
    cso = client.get(step_url(request_, "cso_notification")).content.decode()

    assert "No criteria met" in page and "<form" not in page.split('id="main"')[1].split("</main>")[0]
    assert again.status_code == 302
    row = request_.steps.get(step=ChecklistStep.OWS_REVIEWED)
    assert row.outcome == "No criteria met" and row.done_at == before
    assert "no active child sex offender flag" in cso


def test_an_unknown_step_is_not_found(manager, request_):
    assert client_for(manager).get(step_url(request_, "made_up")).status_code == 404


def test_the_officers_are_one_list_of_radios_with_their_figures(manager, officers, request_):
    finish_checklist(manager, request_)

    html = client_for(manager).get(reverse("allocation:request_officer", args=[request_.pk])).content.decode()

    assert html.count('type="radio"') == 2
    labels = re.findall(r'class="radios__label" for="id_staff_\d">([^<]+)', html)
    assert [label.strip() for label in labels] == ["Aroha Ngata", "Ben Smith"], "each officer once"
    assert html.count("Ben Smith") == 1, "no second list of the officers"
    assert "<table" not in html
    assert "0 cases · 0% of capacity" in html
    assert 'aria-describedby="id_staff_0-hint"' in html and 'id="id_staff_0-hint"' in html
    assert "1 cases" not in html and "(optional) (optional)" not in html
    assert 'Why this allocation <span class="optional">(optional)</span>' in html


def test_allocating_shows_the_confirmation_panel(manager, officers, request_):
    client = client_for(manager)
    for step in PLAIN_STEPS:
        client.post(step_url(request_, step), {"confirm": "on"})
    client.post(step_url(request_, "ows_reviewed"), {"action": "done", "outcome": "No criteria met"})

    response = client.post(
        reverse("allocation:request_officer", args=[request_.pk]),
        {"staff": officers[1].pk, "override_reason": "Ben knows the whānau"},
        follow=True,
    )

    html = response.content.decode()
    assert response.redirect_chain == [(reverse("allocation:request_allocated", args=[request_.pk]), 302)]
    assert '<h1 class="confirmation-panel__title">Wiremu Tamihana is allocated</h1>' in html
    assert "to Ben Smith" in html and "Ben knows the whānau" in html
    request_.refresh_from_db()
    assert request_.status == AllocateRequestStatus.ALLOCATED and request_.allocated_to == officers[1]
    again = client.get(reverse("allocation:request_officer", args=[request_.pk]))
    assert again["Location"] == reverse("allocation:request_allocated", args=[request_.pk])


def test_the_confirmation_of_a_request_not_allocated_leads_to_its_task_list(manager, request_):
    response = client_for(manager).get(reverse("allocation:request_allocated", args=[request_.pk]))

    assert response.status_code == 302 and response["Location"] == reverse(
        "allocation:request", args=[request_.pk]
    )


def test_a_manager_of_another_office_can_record_no_step(role_user, other_office, request_):
    client = client_for(role_user(Role.SERVICE_MANAGER, at=other_office))

    response = client.post(step_url(request_, "due_checked"), {"confirm": "on"})
    cancel = client.post(reverse("allocation:request_cancel", args=[request_.pk]), {"cancel_reason": "x"})

    assert response.status_code == 403 and cancel.status_code == 403
    assert request_.steps.get(step=ChecklistStep.DUE_CHECKED).is_open
    request_.refresh_from_db()
    assert request_.status == AllocateRequestStatus.OPEN


def test_the_timeline_names_who_acted(manager, request_):
    html = client_for(manager).get(reverse("allocation:request", args=[request_.pk])).content.decode()

    timeline = html.split('id="trail-title"')[1]
    assert 'class="request-timeline__entry"' in timeline and "Awaiting allocation" in timeline
    assert "by Hine Walker" in timeline


def test_a_request_one_day_overdue_says_one_day(manager, request_):
    AllocateRequest.objects.filter(pk=request_.pk).update(due_on=today() - DAY)
    client = client_for(manager)

    task_list = client.get(reverse("allocation:request", args=[request_.pk])).content.decode()
    queue = client.get(reverse("allocation:queue")).content.decode()

    assert "overdue by 1 day<" in task_list
    assert "Overdue by 1 day<" in queue


def test_a_cso_flag_raised_after_the_checklist_reopens_the_cso_step_when_allocating_is_refused(
    manager, officers, office
):
    """Seed 002 step 7: the CSO step is re-checked when the manager allocates. When a child sex
    offender flag arrived after the checklist was completed, the refusal says the CSO step is now
    required, and the task list shows it as not started (the reopen is kept, not rolled back with
    the refused allocation)."""
    from audit.models import AuditEvent
    from offenders.models import Flag, FlagKind
    from tests.factories import OffenceFactory

    offender = OffenderFactory(home_office=office, given_names="Rawiri", family_name="Pohatu")
    child_sex = OffenceFactory(categories=["child_sex"])
    request = AllocateRequest.objects.get(sentence=record_sentence(manager, offender, offence=child_sex))
    finish_checklist(manager, request)
    client = client_for(manager)
    task_list_url = reverse("allocation:request", kwargs={"pk": request.pk})
    assert "Checklist: <strong>Completed</strong>" in client.get(task_list_url).content.decode()
    Flag.objects.create(offender=offender, kind=FlagKind.CHILD_SEX_OFFENDER, reason="Registered")

    refused = client.post(
        reverse("allocation:request_officer", kwargs={"pk": request.pk}), {"staff": officers[0].pk}
    )

    html = refused.content.decode()
    assert refused.status_code == 400
    assert "The child sex offender notification (CSO9) is now required" in html
    assert 'name="staff"' not in html, "no officer can be chosen until the step is done"
    request.refresh_from_db()
    assert request.status == AllocateRequestStatus.OPEN
    task_list = client.get(task_list_url).content.decode()
    assert task_status(task_list, "step-cso_notification") == "Not started"
    assert "Checklist: <strong>In progress</strong>" in task_list
    assert task_status(task_list, "task-officer") == "Cannot start yet"
    assert AuditEvent.objects.filter(object_id=str(request.pk), summary__contains="now required").exists(), (
        "the reopened step is audited"
    )
