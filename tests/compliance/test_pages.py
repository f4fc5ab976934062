"""The compliance pages: who may open each (every role; the probation officer here holds the
actions, a colleague is refused), the Compliance tab's summary, each step's form and its error path,
the confirmation after each step, four eyes on a breach, and the audit rows of views and refusals."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from compliance.models import EnforcementAction, EnforcementStatus
from sentences.models import SentenceEvent, SentenceEventKind
from staff.roles import Role
from tests.compliance.helpers import action_at, fail, supervised
from tests.content_support import VisibleText
from tests.factories import UserFactory, staff_user

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
READERS = EVERYONE - {DS}
KEEPERS = frozenset({PO, SM, AS, SA})  # the officer holding it, their office's manager and support
APPROVERS = frozenset({SM, SA})  # who did not prepare it (the officer prepared these)
S = EnforcementStatus

# (url name, {kwarg: object key}, roles allowed). Everyone works at the offender's office; the
# probation officer is the one holding the actions.
COMPLIANCE_PAGES = [
    ("compliance:offender", {"offender_pk": "offender"}, READERS),
    ("compliance:detail", {"pk": "considered"}, READERS),
    ("compliance:done", {"pk": "considered"}, READERS),
    ("compliance:decide", {"pk": "considered"}, KEEPERS),
    ("compliance:withdraw", {"pk": "considered"}, KEEPERS),
    ("compliance:issue", {"pk": "warning"}, KEEPERS),
    ("compliance:letter", {"pk": "warning"}, KEEPERS),
    ("compliance:approve", {"pk": "prepared"}, APPROVERS),
    ("compliance:lay", {"pk": "approved"}, KEEPERS),
]


@pytest.fixture
def objects(probation_officer, office, role_user):
    approver = role_user(SM)
    considered = action_at(S.CONSIDERED, probation_officer, office)
    return {
        "offender": considered.offender,
        "considered": considered,
        "warning": action_at(S.WARNING_PREPARED, probation_officer, office),
        "prepared": action_at(S.BREACH_PREPARED, probation_officer, office),
        "approved": action_at(S.APPROVED, probation_officer, office, approver=approver),
    }


def _url(name, kwargs, objects):
    return reverse(name, kwargs={key: objects[value].pk for key, value in kwargs.items()})


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_is_allowed_or_refused_each_page(client, office, objects, probation_officer, role):
    user = probation_officer if role == PO else staff_user(role, office=office)
    client.force_login(user)
    outcomes = {
        name: client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in COMPLIANCE_PAGES
    }
    expected = {name: 200 if role in allowed else 403 for name, _, allowed in COMPLIANCE_PAGES}
    assert outcomes == expected
    refused = {name for name, _, allowed in COMPLIANCE_PAGES if role not in allowed}
    assert AuditEvent.objects.filter(actor=user, action=AuditAction.DENIED).count() == len(refused)


def test_anonymous_visitors_and_users_without_a_role_are_refused(client, objects):
    for name, kwargs, _ in COMPLIANCE_PAGES:
        response = client.get(_url(name, kwargs, objects))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name
    client.force_login(UserFactory())
    for name, kwargs, _ in COMPLIANCE_PAGES:
        assert client.get(_url(name, kwargs, objects)).status_code == 403, name


def test_another_probation_officer_reads_but_may_not_decide(client, office, objects):
    colleague = staff_user(PO, office=office)
    client.force_login(colleague)
    action = objects["considered"]
    assert client.get(reverse("compliance:detail", args=[action.pk])).status_code == 200
    assert b"Decide what to do" not in client.get(reverse("compliance:detail", args=[action.pk])).content

    response = client.post(reverse("compliance:decide", args=[action.pk]), {"decision": "warning"})

    assert response.status_code == 403
    assert EnforcementAction.objects.get(pk=action.pk).status == S.CONSIDERED
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, actor=colleague, offender_id=action.offender_id
    ).exists()


def test_the_compliance_tab_shows_the_rules_the_failures_and_the_actions(client, probation_officer, office):
    offender = supervised(probation_officer, office, family_name="Ngata", given_names="Aroha")
    action = fail(probation_officer, offender, days_ago=20, hour=9)
    client.force_login(probation_officer)

    response = client.get(reverse("compliance:offender", args=[offender.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "A formal warning after 1 unacceptable failure to attend; enforcement action (a breach) after 2 "
        "within 12 months." in page
    )
    day = action.failed_on
    link = reverse("appointments:detail", args=[action.appointment_id])
    assert f'href="{link}">{day:%-d %b %Y}, 9:00am</a> (office visit)' in page
    assert "The next unacceptable failure leads to enforcement action (breach)" in page
    assert "Being considered" in page and f'href="{reverse("compliance:detail", args=[action.pk])}"' in page
    assert f"{action.due_on:%-d %b %Y}" in page
    assert '<a class="tabs__link" href="/compliance/offender/' in page
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        actor=probation_officer,
        offender_id=offender.pk,
        summary__contains="compliance",
    ).exists()


def test_deciding_a_warning_shows_the_recommendation_and_confirms(client, probation_officer, objects):
    action = objects["considered"]
    client.force_login(probation_officer)
    url = reverse("compliance:decide", args=[action.pk])
    page = client.get(url).content.decode()
    assert "The rules recommend: formal warning." in page
    parser = VisibleText()
    parser.feed(page)
    assert parser.primary_actions == ["Record the decision"]

    response = client.post(url, {"decision": "warning"})

    assert response.status_code == 302 and response["Location"] == reverse(
        "compliance:done", args=[action.pk]
    )
    action.refresh_from_db()
    assert action.status == S.WARNING_PREPARED and action.prepared_by == probation_officer
    done = client.get(response["Location"]).content.decode()
    assert "confirmation-panel" in done and "Formal warning decided" in done
    detail = client.get(reverse("compliance:detail", args=[action.pk])).content.decode()
    assert "Warning letter (PDF)" in detail and "Record the warning as given" in detail
    assert probation_officer.get_full_name() in detail  # the history names the staff


def test_a_decision_without_a_choice_or_a_lighter_one_without_a_reason_changes_nothing(
    client, probation_officer, objects
):
    action = objects["considered"]
    client.force_login(probation_officer)
    url = reverse("compliance:decide", args=[action.pk])

    nothing = client.post(url, {})
    lighter = client.post(url, {"decision": "no_action", "note": "  "})

    assert "There is a problem" in nothing.content.decode()
    assert "Choose a formal warning, a breach or no further action" in nothing.content.decode()
    page = lighter.content.decode()
    assert lighter.status_code == 200 and "There is a problem" in page
    assert "Say why: the rules recommend formal warning" in page
    assert "<title>Error: " in page
    assert EnforcementAction.objects.get(pk=action.pk).status == S.CONSIDERED


def test_no_further_action_with_a_reason_closes_it(client, probation_officer, objects):
    action = objects["considered"]
    client.force_login(probation_officer)
    client.post(
        reverse("compliance:decide", args=[action.pk]), {"decision": "no_action", "note": "Was in hospital"}
    )
    action.refresh_from_db()
    assert action.status == S.NO_ACTION and action.decision_note == "Was in hospital"


def test_issuing_the_warning_refuses_a_future_date_then_records_it(client, probation_officer, objects):
    action = objects["warning"]
    client.force_login(probation_officer)
    url = reverse("compliance:issue", args=[action.pk])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    refused = client.post(url, {"issued_on": tomorrow.isoformat()})

    assert "The warning cannot be issued in the future." in refused.content.decode()
    assert EnforcementAction.objects.get(pk=action.pk).status == S.WARNING_PREPARED
    response = client.post(
        url,
        {
            "issued_on_day": timezone.localdate().day,
            "issued_on_month": timezone.localdate().month,
            "issued_on_year": timezone.localdate().year,
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == S.WARNING_ISSUED and action.warning_issued_on == timezone.localdate()
    assert "Formal warning recorded" in client.get(response["Location"]).content.decode()


def test_the_preparer_waits_for_another_manager_who_approves(client, office, role_user, probation_officer):
    preparer = role_user(SM)
    other = role_user(SM)
    offender = supervised(probation_officer, office)
    action = fail(probation_officer, offender)
    from compliance.services import enforcement_decide

    enforcement_decide(actor=preparer, action=action, decision="breach")
    client.force_login(preparer)
    detail = client.get(reverse("compliance:detail", args=[action.pk])).content.decode()
    assert (
        "Waiting for another manager&#x27;s approval" in detail
        or "Waiting for another manager's approval" in detail
    )
    assert "Approve or return the breach" not in detail
    assert client.get(reverse("compliance:approve", args=[action.pk])).status_code == 403

    client.force_login(other)
    assert (
        "Approve or return the breach"
        in client.get(reverse("compliance:detail", args=[action.pk])).content.decode()
    )
    response = client.post(reverse("compliance:approve", args=[action.pk]), {"outcome": "approve"})

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == S.APPROVED and action.approved_by == other
    assert "Breach approved" in client.get(response["Location"]).content.decode()


def test_returning_a_breach_needs_a_reason(client, role_user, objects):
    action = objects["prepared"]
    client.force_login(role_user(SM))
    url = reverse("compliance:approve", args=[action.pk])

    refused = client.post(url, {"outcome": "return", "note": ""})

    assert "Say why the breach is returned." in refused.content.decode()
    assert EnforcementAction.objects.get(pk=action.pk).status == S.BREACH_PREPARED
    client.post(url, {"outcome": "return", "note": "Check the evidence of illness first"})
    assert EnforcementAction.objects.get(pk=action.pk).status == S.CONSIDERED


def test_laying_the_breach_records_the_sentence_event(client, probation_officer, objects):
    action = objects["approved"]
    client.force_login(probation_officer)
    url = reverse("compliance:lay", args=[action.pk])
    refused = client.post(url, {"laid_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat()})
    assert refused.status_code == 200 and "There is a problem" in refused.content.decode()
    assert not SentenceEvent.objects.filter(kind=SentenceEventKind.BREACH).exists()

    response = client.post(url, {"laid_on": timezone.localdate().isoformat(), "detail": ""})

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == S.BREACH_LAID
    assert action.sentence_event.kind == SentenceEventKind.BREACH
    assert "Breach laid with the court" in client.get(response["Location"]).content.decode()


def test_withdrawing_needs_a_reason(client, probation_officer, objects):
    action = objects["considered"]
    client.force_login(probation_officer)
    url = reverse("compliance:withdraw", args=[action.pk])

    refused = client.post(url, {"reason": ""})

    assert "Say why the enforcement action is withdrawn" in refused.content.decode()
    client.post(url, {"reason": "Medical certificate arrived late"})
    assert EnforcementAction.objects.get(pk=action.pk).status == S.WITHDRAWN


def test_a_step_asked_for_at_the_wrong_stage_goes_back_to_the_action(client, probation_officer, objects):
    action = objects["warning"]
    client.force_login(probation_officer)
    response = client.get(reverse("compliance:decide", args=[action.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "compliance:detail", args=[action.pk]
    )
    assert client.get(reverse("compliance:lay", args=[action.pk])).status_code == 302


HTML_PAGES = [page for page in COMPLIANCE_PAGES if page[0] != "compliance:letter"]


@pytest.mark.parametrize(
    ("name", "kwargs", "allowed"), COMPLIANCE_PAGES, ids=[n for n, *_ in COMPLIANCE_PAGES]
)
def test_each_page_runs_under_the_policy_and_refuses_other_methods(
    client, office, objects, name, kwargs, allowed
):
    from tests.test_page_hardening import (
        assert_page_refuses_methods_it_does_not_handle,
        assert_page_runs_under_the_policy,
        role_allowed,
    )

    client.force_login(staff_user(role_allowed(allowed), office=office))
    url = _url(name, kwargs, objects)
    assert_page_runs_under_the_policy(client, url)
    assert_page_refuses_methods_it_does_not_handle(client, url)


def test_each_page_has_a_title_and_an_h1_of_its_own(client, office, objects):
    from tests.test_page_titles import _title_and_h1s

    client.force_login(staff_user(SA, office=office))
    pages = {
        name: _title_and_h1s(client.get(_url(name, kwargs, objects)).content.decode())
        for name, kwargs, _ in HTML_PAGES
    }

    titles = [title for title, _ in pages.values()]
    assert len(set(titles)) == len(titles), titles
    for name, (title, h1s) in pages.items():
        assert len(h1s) == 1, (name, h1s)
        assert title.startswith(h1s[0]), (name, title, h1s)
    assert len({h1s[0] for _, h1s in pages.values()}) == len(pages)
