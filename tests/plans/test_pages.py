"""The sentence-plan pages and the agency's view of its programmes: who may open each (every role,
no role, anonymous), what they show, the forms' errors, CSV exports, and a constant number of
queries whatever the length of the lists."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Attendance, Referral, ReferralStatus
from agencies.services import attendance_record, referral_transition
from audit.models import AuditAction, AuditEvent
from classification.models import ActivityStatus, SentencePlanActivity
from plans import services
from plans.models import NeedArea, PlanStatus, SentencePlan
from staff.roles import Role
from tests.factories import OffenderFactory, ProgrammeFactory, SentenceFactory, UserFactory, staff_user
from tests.plans.conftest import DAY, today

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
READERS = EVERYONE - {DS}  # whoever may see the offender's record; never the data share
# Writers of a community sentence's plan at the offender's office, the probation officer not being
# on the case (the officer on the case, and prison plans, are tested below).
WRITERS = frozenset({SM, SA})
RECORD_KEEPERS = frozenset({SM, AS, SA})

# (url name, {kwarg: object key}, roles allowed). Everyone works at the offender's office.
PLAN_PAGES = [
    ("plans:offender", {"offender_pk": "offender"}, READERS),
    ("plans:detail", {"pk": "plan"}, READERS),
    ("plans:create", {"sentence_pk": "unplanned_sentence"}, WRITERS),
    ("plans:agree", {"pk": "plan"}, WRITERS),
    ("plans:review", {"pk": "plan"}, WRITERS),
    ("plans:close", {"pk": "plan"}, WRITERS),
    ("plans:category", {"pk": "plan"}, WRITERS),
    ("plans:objective_add", {"pk": "plan"}, WRITERS),
    ("plans:activity_add", {"pk": "plan"}, WRITERS),
    ("plans:objective_record", {"pk": "objective"}, WRITERS),
    ("plans:activity_record", {"pk": "activity"}, WRITERS),
    ("agencies:programmes_export", {"pk": "agency"}, EVERYONE),
    ("agencies:programme_referrals_export", {"pk": "programme"}, RECORD_KEEPERS),
]
WRITE_PAGES = [(name, kwargs) for name, kwargs, allowed in PLAN_PAGES if allowed == WRITERS]


@pytest.fixture
def objects(offender, sentence, programme, system_admin):
    plan = services.plan_create(actor=system_admin, sentence=sentence, written_on=today() - 10 * DAY)
    objective = services.objective_add(
        actor=system_admin, plan=plan, text="Stay free of drugs", need_area=NeedArea.DRUGS, target_on=today()
    )
    activity = services.activity_add(
        actor=system_admin, plan=plan, description="Weekly reporting", scheduled_on=today()
    )
    return {
        "offender": offender,
        "plan": plan,
        "objective": objective,
        "activity": activity,
        "unplanned_sentence": SentenceFactory(offender=offender),
        "agency": programme.agency,
        "programme": programme,
    }


def _url(name, kwargs, objects):
    return reverse(name, kwargs={key: objects[value].pk for key, value in kwargs.items()})


def text(response) -> str:
    return " ".join(response.content.decode().split())


# --- the access matrix -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_is_allowed_or_refused_each_page(client, office, objects, role):
    client.force_login(staff_user(role, office=office))
    outcomes = {name: client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in PLAN_PAGES}
    expected = {name: 200 if role in allowed else 403 for name, _, allowed in PLAN_PAGES}
    assert outcomes == expected


def test_a_user_without_a_role_is_refused_every_page(client, objects):
    client.force_login(UserFactory())
    assert {client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in PLAN_PAGES} == {403}


def test_an_anonymous_visitor_is_sent_to_log_in_from_every_page(client, objects):
    for name, kwargs, _ in PLAN_PAGES:
        response = client.get(_url(name, kwargs, objects))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name


def test_the_probation_officer_on_the_case_writes_the_plan(client, objects, officer):
    client.force_login(officer)
    for name, kwargs in WRITE_PAGES:
        assert client.get(_url(name, kwargs, objects)).status_code == 200, name


def test_the_plan_page_has_one_primary_action_its_next_step(client, objects, officer):
    """Issue 14 (GOV.UK: one primary action per page): a draft plan's is recording the agreement."""
    client.force_login(officer)
    page = client.get(_url("plans:detail", {"pk": "plan"}, objects)).content.decode()
    main = page[page.index("<main") : page.index("</main>")]  # not the idle warning's "Stay signed in"
    primary = re.findall(r'class="button"[^>]*>([^<]+)<', main)
    assert primary == ["Record the agreement"]


def test_prison_officers_write_the_plans_of_their_prisoners_only(
    client, prisoner_sentence, prison_officer, office, system_admin
):
    plan = services.plan_create(actor=system_admin, sentence=prisoner_sentence)
    client.force_login(prison_officer)
    assert client.get(reverse("plans:agree", kwargs={"pk": plan.pk})).status_code == 200
    client.force_login(staff_user(PR, office=office))
    assert client.get(reverse("plans:agree", kwargs={"pk": plan.pk})).status_code == 403


def test_unknown_plans_objectives_and_activities_are_not_found(client, system_admin):
    client.force_login(system_admin)
    for name in ("plans:detail", "plans:objective_record", "plans:activity_record"):
        assert client.get(reverse(name, kwargs={"pk": 987654})).status_code == 404


def test_an_activity_recorded_before_sentence_plans_is_not_reached_from_here(client, system_admin, offender):
    earlier = SentencePlanActivity.objects.create(
        offender=offender, scheduled_on=today(), description="Earlier prison record"
    )
    client.force_login(system_admin)
    assert client.get(reverse("plans:activity_record", kwargs={"pk": earlier.pk})).status_code == 404


# --- writing a plan in the browser ------------------------------------------------------------------


def test_the_officer_writes_a_plan_plans_a_programme_and_records_the_agreement(
    client, officer, offender, sentence, programme
):
    client.force_login(officer)
    tab = text(client.get(reverse("plans:offender", kwargs={"offender_pk": offender.pk})))
    assert "No current plan." in tab and "Write a plan" in tab

    response = client.post(
        reverse("plans:create", kwargs={"sentence_pk": sentence.pk}),
        {"category": "intervention", "written_on": today().isoformat(), "review_on": ""},
        follow=True,
    )
    plan = SentencePlan.objects.get()
    assert response.redirect_chain[-1][0] == reverse("plans:detail", kwargs={"pk": plan.pk})
    client.post(
        reverse("plans:objective_add", kwargs={"pk": plan.pk}),
        {
            "text": "Stay free of drugs",
            "need_area": NeedArea.DRUGS,
            "target_on": (today() + 90 * DAY).isoformat(),
        },
    )
    objective = plan.objectives.get()
    client.post(
        reverse("plans:activity_add", kwargs={"pk": plan.pk}),
        {
            "programme": programme.pk,
            "description": "",
            "objective": objective.pk,
            "scheduled_on": (today() + 7 * DAY).isoformat(),
            "planned_end_on": (today() + 63 * DAY).isoformat(),
        },
    )
    response = client.post(
        reverse("plans:agree", kwargs={"pk": plan.pk}),
        {"agreed_on": today().isoformat(), "review_on": (today() + 90 * DAY).isoformat()},
        follow=True,
    )

    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED
    page = text(response)
    assert "The plan is agreed." in page
    assert "Drug treatment programme" in page and "Te Whare Oranga" in page
    assert "Stay free of drugs" in page and "Intervention" in page
    # The plan's history: each step with its note (agreed: the review date).
    assert "Agreed by Mere" in page and f"Review by {today() + 90 * DAY:%-d %b %Y}" in page
    tab = text(client.get(reverse("plans:offender", kwargs={"offender_pk": offender.pk})))
    assert "Agreed" in tab and "Drug treatment programme" in tab and "Write a plan" not in tab
    assert Referral.objects.get().sentence == sentence
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="plans.SentencePlan").exists()


def test_the_plan_tab_is_one_of_the_records_tabs(client, officer, offender):
    client.force_login(officer)
    page = client.get(reverse("offenders:detail", kwargs={"pk": offender.pk})).content.decode()
    assert reverse("plans:offender", kwargs={"offender_pk": offender.pk}) in page


def test_an_unavailable_activity_without_a_reason_is_refused_on_the_form(client, objects, officer):
    activity = objects["activity"]
    client.force_login(officer)

    response = client.post(
        reverse("plans:activity_record", kwargs={"pk": activity.pk}),
        {"to_status": ActivityStatus.UNAVAILABLE, "on": today().isoformat(), "reason": ""},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [
        "Say why the activity was not available (a reason outside the offender's control)."
    ]
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SCHEDULED


def test_a_programme_activity_offers_only_unavailable_while_its_referral_is_open(
    client, objects, officer, programme
):
    activity = services.activity_add(
        actor=officer, plan=objects["plan"], programme=programme, scheduled_on=today()
    )
    client.force_login(officer)

    response = client.get(reverse("plans:activity_record", kwargs={"pk": activity.pk}))

    assert [value for value, _ in response.context["form"].fields["to_status"].choices] == ["unavailable"]
    assert "its referral" in text(response)


def test_agreeing_without_an_objective_shows_the_error(client, officer, sentence):
    plan = services.plan_create(actor=officer, sentence=sentence)
    client.force_login(officer)

    response = client.post(
        reverse("plans:agree", kwargs={"pk": plan.pk}),
        {"agreed_on": today().isoformat(), "review_on": (today() + 30 * DAY).isoformat()},
    )

    assert "Add at least one objective before the plan is agreed." in text(response)


# --- places and attendance in the browser -----------------------------------------------------------


def test_accepting_onto_a_full_programme_shows_why_it_is_refused(client, service_manager, programme):
    for _ in range(programme.capacity):
        referral_transition(
            actor=service_manager,
            referral=Referral.objects.create(
                offender=OffenderFactory(),
                programme=programme,
                referred_on=today(),
                referred_by=service_manager,
            ),
            to_status=ReferralStatus.ACCEPTED,
            on=today(),
        )
    waiting = Referral.objects.create(
        offender=OffenderFactory(), programme=programme, referred_on=today(), referred_by=service_manager
    )
    client.force_login(service_manager)

    response = client.post(
        reverse("agencies:referral_status", kwargs={"pk": waiting.pk}),
        {"to_status": ReferralStatus.ACCEPTED, "on": today().isoformat(), "note": "", "starts_on": ""},
    )

    assert response.context["form"].errors["to_status"] == [
        "Drug treatment programme has no free place: all 2 places are taken. Put the referral on the "
        "waiting list until a place comes free."
    ]


def test_an_excused_absence_is_recorded_from_the_attendance_page(
    client, service_manager, programme, offender
):
    referral = Referral.objects.create(
        offender=offender, programme=programme, referred_on=today() - 5 * DAY, referred_by=service_manager
    )
    client.force_login(service_manager)

    response = client.post(
        reverse("agencies:attendance", kwargs={"pk": referral.pk}),
        {"session_on": today().isoformat(), "attended": "excused", "note": "Tangihanga"},
        follow=True,
    )

    attendance = Attendance.objects.get()
    assert (attendance.attended, attendance.excused) == (False, True)
    assert "Absence excused" in text(response)


# --- the agency's view of its programmes ----------------------------------------------------------


def _fill(programme, manager, referrals: int) -> None:
    """`referrals` referrals to `programme`, one holding a place with two sessions, one waiting."""
    for index in range(referrals):
        referral = Referral.objects.create(
            offender=OffenderFactory(),
            programme=programme,
            referred_on=today() - 10 * DAY,
            referred_by=manager,
        )
        if index == 0:
            attendance_record(actor=manager, referral=referral, session_on=today() - 2 * DAY, attended=True)
            attendance_record(
                actor=manager, referral=referral, session_on=today() - DAY, attended=False, note="Sick"
            )
        elif index == 1:
            referral_transition(
                actor=manager, referral=referral, to_status=ReferralStatus.WAITING, on=today()
            )
        elif index == 2:
            referral_transition(
                actor=manager, referral=referral, to_status=ReferralStatus.DECLINED, on=today()
            )


def test_the_agency_page_shows_places_waiting_and_attendance(client, service_manager, programme):
    _fill(programme, service_manager, 3)
    client.force_login(service_manager)

    response = client.get(reverse("agencies:detail", kwargs={"pk": programme.agency_id}))

    [row] = response.context["programmes"]
    assert (row.capacity, row.places_taken, row.places_free, row.waiting) == (2, 1, 1, 1)
    assert (row.referral_count, row.sessions, row.attended_sessions, row.attendance_rate) == (3, 2, 1, 50)


def test_the_programme_page_lists_the_waiting_list_in_order(client, service_manager, programme):
    late, early = (
        Referral.objects.create(
            offender=OffenderFactory(),
            programme=programme,
            referred_on=today() - 10 * DAY,
            referred_by=service_manager,
        )
        for _ in range(2)
    )
    referral_transition(actor=service_manager, referral=late, to_status=ReferralStatus.WAITING, on=today())
    referral_transition(
        actor=service_manager, referral=early, to_status=ReferralStatus.WAITING, on=today() - 3 * DAY
    )
    client.force_login(service_manager)

    response = client.get(reverse("agencies:programme_detail", kwargs={"pk": programme.pk}))

    assert [(row.position, row.pk) for row in response.context["waiting"]] == [(1, early.pk), (2, late.pk)]


def _query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_agency_and_programme_pages_take_the_same_queries_however_many_rows(
    client, service_manager, programme, agency
):
    client.force_login(service_manager)
    agency_url = reverse("agencies:detail", kwargs={"pk": agency.pk})
    programme_url = reverse("agencies:programme_detail", kwargs={"pk": programme.pk})
    _fill(programme, service_manager, 3)
    small = (_query_count(client, agency_url), _query_count(client, programme_url))

    for _ in range(4):
        _fill(ProgrammeFactory(agency=agency, capacity=3), service_manager, 3)
    for status in (ReferralStatus.REFERRED, ReferralStatus.REFERRED, ReferralStatus.WITHDRAWN):
        Referral.objects.create(
            offender=OffenderFactory(),
            programme=programme,
            referred_on=today(),
            referred_by=service_manager,
            status=status,
        )
    large = (_query_count(client, agency_url), _query_count(client, programme_url))

    assert small == large


def test_the_record_tab_and_the_plan_take_the_same_queries_however_many_plans(
    client, officer, offender, sentence, programme
):
    def plan_with(sentence, activities):
        plan = services.plan_create(actor=officer, sentence=sentence)
        objective = services.objective_add(
            actor=officer, plan=plan, text="Objective", need_area=NeedArea.OTHER, target_on=today()
        )
        for index in range(activities):
            services.activity_add(
                actor=officer,
                plan=plan,
                description=f"Activity {index}",
                objective=objective,
                scheduled_on=today(),
            )
        return plan

    client.force_login(officer)
    tab_url = reverse("plans:offender", kwargs={"offender_pk": offender.pk})
    plan = plan_with(sentence, 1)
    plan_url = reverse("plans:detail", kwargs={"pk": plan.pk})
    small = (_query_count(client, tab_url), _query_count(client, plan_url))

    for _ in range(3):
        plan_with(SentenceFactory(offender=offender), 4)
    for index in range(5):
        services.activity_add(actor=officer, plan=plan, description=f"More {index}", scheduled_on=today())
    services.activity_add(actor=officer, plan=plan, programme=programme, scheduled_on=today())
    large = (_query_count(client, tab_url), _query_count(client, plan_url))

    assert small == large


def test_the_programme_csvs_list_every_row_formula_safe_and_are_audited(
    client, service_manager, programme, agency
):
    _fill(programme, service_manager, 3)
    Referral.objects.filter(status=ReferralStatus.DECLINED).update(outcome_note="=HYPERLINK(1)")
    client.force_login(service_manager)

    programmes = client.get(reverse("agencies:programmes_export", kwargs={"pk": agency.pk}))
    referrals = client.get(reverse("agencies:programme_referrals_export", kwargs={"pk": programme.pk}))

    assert programmes["Content-Type"] == "text/csv; charset=utf-8"
    [row] = list(csv.DictReader(io.StringIO(b"".join(programmes.streaming_content).decode())))
    assert (row["Programme"], row["Places taken"], row["Places free"], row["Attendance rate (%)"]) == (
        "Drug treatment programme",
        "1",
        "1",
        "50",
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(referrals.streaming_content).decode())))
    assert len(rows) == 3
    assert {row["Outcome note"] for row in rows} >= {"'=HYPERLINK(1)"}
    exported = AuditEvent.objects.filter(action=AuditAction.EXPORT).values_list("object_type", flat=True)
    assert sorted(exported) == ["agencies.Agency", "agencies.Programme"]


def test_a_first_session_on_a_full_programme_is_refused_on_the_attendance_form(
    client, service_manager, programme, offender
):
    for _ in range(programme.capacity):
        referral_transition(
            actor=service_manager,
            referral=Referral.objects.create(
                offender=OffenderFactory(),
                programme=programme,
                referred_on=today(),
                referred_by=service_manager,
            ),
            to_status=ReferralStatus.ACCEPTED,
            on=today(),
        )
    referral = Referral.objects.create(
        offender=offender, programme=programme, referred_on=today(), referred_by=service_manager
    )
    client.force_login(service_manager)

    response = client.post(
        reverse("agencies:attendance", kwargs={"pk": referral.pk}),
        {"session_on": today().isoformat(), "attended": "yes", "note": ""},
    )

    assert "no free place" in response.context["form"].errors["attended"][0]
    assert not Attendance.objects.exists()
