"""Demo data for the offender management team, sentence plans and reports (issue 6).

Run by `seed_demo` once the offenders and their classifications are written (demo/seed.py):

- `seed_offender_teams`: bulk rows like the rest of the demo data. Each offender with a current
  supervising probation officer in a community office gets an offender manager: that officer, or
  now and then a colleague at the same office (seed 004: the manager is named deliberately). Each
  current prisoner gets an offender supervisor from the prison's officers, and some a key worker.
  Only offenders without a current offender manager (or prisoners without a current supervisor)
  get one, so a second seeding adds none twice (the partial unique constraints allow one of each).
- `seed_demo_plans` and `seed_demo_reports`: a few sentence plans and reports on the demo probation
  officer's caseload, made through plans.services and documents.reports, so the casenotes, audit
  rows and transitions are the real ones and each demo login has something waiting. Nothing is
  added if the demo probation officer already wrote a plan (or a report): a second seeding.

Choices come from a `random.Random` of the seed (and the PRN for the bulk rows); dates are relative
to `today`, so the same seed and day give the same data.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from agencies.models import OPEN_REFERRAL_STATUSES, AgencyStatus, Programme, ProgrammeStatus, Referral
from allocation.models import AllocationTrigger, CaseAllocation, CaseRole
from allocation.services import COMMUNITY_OFFICE_KINDS
from classification.models import ActivityStatus, PlanCategory
from demo import bulk
from demo.people import days
from demo.reference import DEMO_PRISON_CODE
from documents import reports
from documents.models import IssueMethod, RecipientKind, Report, ReportKind
from offenders.models import Offender
from plans import services
from plans.models import NeedArea, ObjectiveStatus, SentencePlan
from sentences.custody import in_custody_q
from sentences.models import Sentence, SentenceStatus, SentenceType
from staff.demo_logins import demo_username
from staff.models import Office, OfficeKind, StaffMember
from staff.roles import Role

# Share of offenders whose offender manager is a colleague of their supervising officer.
COLLEAGUE_MANAGER_SHARE = 0.1
KEY_WORKER_SHARE = 0.35
# At the demo prison every prisoner has one, so the demo prison logins see key workers at any size.
DEMO_PRISON_KEY_WORKER_SHARE = 1.0


# ---------------------------------------------------------------------------------------------
# The team, in bulk


def _officers_by_office(kinds, role: str, *, field: str = "pk") -> dict[int, list[int]]:
    """The active staff (ids, or `field`) holding `role` at each office of `kinds`, by staff
    number. One query."""
    officers: dict[int, list[int]] = {}
    rows = (
        StaffMember.objects.filter(
            office__kind__in=kinds, active=True, user__is_active=True, user__groups__name=role
        )
        .order_by("staff_number")
        .values_list("office_id", field, "staff_number")
        .distinct()
    )
    for office_id, value, _ in rows:
        officers.setdefault(office_id, []).append(value)
    return officers


def _offender_managers(*, seed: int, today: datetime.date) -> list[CaseAllocation]:
    """An offender manager for each offender with a current supervising officer in a community
    office and no current offender manager: the officer who has supervised them longest."""
    managed = CaseAllocation.objects.current().filter(
        offender_id=OuterRef("offender_id"), role=CaseRole.OFFENDER_MANAGER
    )
    rows = (
        CaseAllocation.objects.current()
        .filter(
            role=CaseRole.SUPERVISING_OFFICER,
            staff__active=True,
            staff__office__kind__in=COMMUNITY_OFFICE_KINDS,
        )
        .exclude(Exists(managed))
        .order_by("offender__prn", "started_on", "pk")
        .values_list(
            "offender_id", "offender__prn", "staff_id", "staff__office_id", "started_on", "allocated_by_id"
        )
    )
    colleagues = _officers_by_office(COMMUNITY_OFFICE_KINDS, Role.PROBATION_OFFICER)
    managers: list[CaseAllocation] = []
    seen: set[int] = set()
    for offender_id, prn, staff_id, office_id, started, allocated_by in rows:
        if offender_id in seen:
            continue
        seen.add(offender_id)
        rng = random.Random(f"offender-manager:{seed}:{prn}")
        others = [pk for pk in colleagues.get(office_id, []) if pk != staff_id]
        named = staff_id
        reason = "Named offender manager: the supervising probation officer"
        if others and rng.random() < COLLEAGUE_MANAGER_SHARE:
            named = rng.choice(others)
            reason = "Named offender manager: assessed the offender before sentence"
        managers.append(
            CaseAllocation(
                offender_id=offender_id,
                staff_id=named,
                role=CaseRole.OFFENDER_MANAGER,
                started_on=min(started, today),
                reason=reason,
                trigger=AllocationTrigger.SENTENCE,
                allocated_by_id=allocated_by,
            )
        )
    return managers


def _prison_team(*, seed: int, today: datetime.date) -> tuple[list[CaseAllocation], list[CaseAllocation]]:
    """An offender supervisor (and for some a key worker) from the officers of the prison holding
    each current prisoner who has no current offender supervisor."""
    supervised = CaseAllocation.objects.current().filter(
        offender_id=OuterRef("offender_id"), role=CaseRole.OFFENDER_SUPERVISOR
    )
    rows = (
        Sentence.objects.filter(
            in_custody_q(),
            sentence_type=SentenceType.IMPRISONMENT,
            status=SentenceStatus.ACTIVE,
            managing_office__kind=OfficeKind.PRISON,
        )
        .exclude(Exists(supervised))
        .order_by("offender__prn", "start_date", "pk")
        .values_list("offender_id", "offender__prn", "managing_office_id", "start_date")
    )
    prisoners: dict[int, tuple[str, int, datetime.date]] = {}
    for offender_id, prn, prison_id, start in rows:
        earliest = prisoners[offender_id][2] if offender_id in prisoners else start
        prisoners[offender_id] = (prn, prison_id, min(start, earliest))  # the latest sentence's prison
    officers = _officers_by_office([OfficeKind.PRISON], Role.PRISON_OFFICER)
    # The prison's senior officer allocates its prisoners' team (allocation.access).
    allocators = _officers_by_office([OfficeKind.PRISON], Role.APPROVING_OFFICER, field="user_id")
    demo_prison = Office.objects.filter(code=DEMO_PRISON_CODE).values_list("pk", flat=True).first()
    supervisors: list[CaseAllocation] = []
    key_workers: list[CaseAllocation] = []
    for offender_id, (prn, prison_id, started) in prisoners.items():
        staff = officers.get(prison_id)
        if not staff:
            continue
        rng = random.Random(f"prison-team:{seed}:{prn}")
        supervisor = rng.choice(staff)
        started_on = min(started + days(rng.randint(1, 14)), today)
        allocated_by = (allocators.get(prison_id) or [None])[0]
        supervisors.append(
            CaseAllocation(
                offender_id=offender_id,
                staff_id=supervisor,
                role=CaseRole.OFFENDER_SUPERVISOR,
                started_on=started_on,
                reason="Allocated on reception",
                trigger=AllocationTrigger.SENTENCE,
                allocated_by_id=allocated_by,
            )
        )
        others = [pk for pk in staff if pk != supervisor]
        share = DEMO_PRISON_KEY_WORKER_SHARE if prison_id == demo_prison else KEY_WORKER_SHARE
        if others and rng.random() < share:
            key_workers.append(
                CaseAllocation(
                    offender_id=offender_id,
                    staff_id=rng.choice(others),
                    role=CaseRole.KEY_WORKER,
                    started_on=min(started_on + days(rng.randint(0, 30)), today),
                    reason="Unit key worker",
                    allocated_by_id=allocated_by,
                )
            )
    return supervisors, key_workers


def seed_offender_teams(*, seed: int, today: datetime.date, counts: Counter) -> None:
    supervisors, key_workers = _prison_team(seed=seed, today=today)
    for label, rows in (
        ("offender managers", _offender_managers(seed=seed, today=today)),
        ("offender supervisors", supervisors),
        ("key workers", key_workers),
    ):
        if rows:
            counts[label] += bulk.copy_instances(rows)
    bulk.analyze([CaseAllocation])


# ---------------------------------------------------------------------------------------------
# Sentence plans and reports on the demo probation officer's caseload, through the services


@dataclass
class DemoCase:
    offender: Offender
    sentence: Sentence  # the current sentence the demo officer supervises


def demo_user(role: str):
    return get_user_model().objects.filter(username=demo_username(role), staff__isnull=False).first()


def demo_caseload(officer) -> list[DemoCase]:
    """The demo officer's current supervised cases with an active sentence, by PRN."""
    allocations = (
        CaseAllocation.objects.current()
        .filter(
            staff__user=officer,
            role=CaseRole.SUPERVISING_OFFICER,
            sentence__status=SentenceStatus.ACTIVE,
        )
        .select_related("offender", "sentence")
        .order_by("offender__prn", "started_on", "pk")
    )
    cases: dict[int, DemoCase] = {}
    for allocation in allocations:
        cases.setdefault(allocation.offender_id, DemoCase(allocation.offender, allocation.sentence))
    return list(cases.values())


def _programmes(office_id: int) -> list[Programme]:
    """The programmes open to the office's offenders: its own and the national ones."""
    return list(
        Programme.objects.filter(status=ProgrammeStatus.ADOPTED, agency__status=AgencyStatus.ACCEPTED)
        .filter(Q(office_id=office_id) | Q(office__isnull=True))
        .order_by("name", "pk")
    )


def _free_programme(rng, programmes: list[Programme], offender: Offender, words: tuple) -> Programme | None:
    """A programme for the objective (its name has one of `words`, else any) that the offender has
    no open referral to: activity_add would join that referral, under way for another reason."""
    busy = set(
        Referral.objects.filter(offender=offender, status__in=OPEN_REFERRAL_STATUSES).values_list(
            "programme_id", flat=True
        )
    )
    free = [programme for programme in programmes if programme.pk not in busy]
    fitting = [programme for programme in free if any(word in programme.name for word in words)]
    return rng.choice(fitting or free) if free else None


def _written_on(today: datetime.date, sentence: Sentence) -> datetime.date:
    """When the plan was written: soon after the sentence started, at most 70 days ago and at
    least 10 days ago (so it can be agreed and its activities under way by today)."""
    return min(max(sentence.start_date, today - days(70)), today - days(10))


@dataclass(frozen=True)
class PlanScenario:
    """An agreed plan: an objective met by a programme, and one met by a completed activity and
    another activity, which is unavailable or still to come."""

    programme_need: str
    programme_objective: str
    programme_words: tuple
    other_need: str
    other_objective: str
    completed: str
    later: str
    unavailable_reason: str = ""  # the later activity was not available (why)
    achieved_note: str = ""  # the other objective was achieved


PLAN_SCENARIOS = (
    PlanScenario(
        programme_need=NeedArea.ALCOHOL,
        programme_objective="Address the alcohol use linked to the offending",
        programme_words=("Alcohol",),
        other_need=NeedArea.EDUCATION_EMPLOYMENT,
        other_objective="Find steady work",
        completed="Job seeker workshop at Work and Income",
        later="Trade training: carpentry",
        unavailable_reason="The course is not running at this office this quarter",
    ),
    PlanScenario(
        programme_need=NeedArea.VIOLENCE,
        programme_objective="Learn to manage conflict without violence",
        programme_words=("Violence", "Rehabilitation"),
        other_need=NeedArea.FINANCE,
        other_objective="Set up a budget and an arrangement to pay the outstanding fines",
        completed="Budgeting sessions with a financial mentor",
        later="Literacy and numeracy tutoring",
        achieved_note="Budget in place and the fines arrangement agreed with the court.",
    ),
)


def _agreed_plan(*, rng, today, officer, case: DemoCase, scenario: PlanScenario, programmes) -> None:
    written = _written_on(today, case.sentence)
    programme = _free_programme(rng, programmes, case.offender, scenario.programme_words)
    plan = services.plan_create(
        actor=officer,
        sentence=case.sentence,
        category=PlanCategory.INTERVENTION if programme else PlanCategory.STANDARD,
        written_on=written,
        review_on=today + days(rng.randint(20, 40)),
    )
    first = services.objective_add(
        actor=officer,
        plan=plan,
        text=scenario.programme_objective,
        need_area=scenario.programme_need,
        target_on=today + days(rng.randint(60, 120)),
    )
    other = services.objective_add(
        actor=officer,
        plan=plan,
        text=scenario.other_objective,
        need_area=scenario.other_need,
        target_on=today + days(rng.randint(90, 180)),
    )
    if programme is not None:
        services.activity_add(
            actor=officer,
            plan=plan,
            objective=first,
            programme=programme,
            scheduled_on=written + days(5),
            planned_end_on=today + days(rng.randint(30, 90)),
        )
    completed = services.activity_add(
        actor=officer,
        plan=plan,
        objective=other,
        description=scenario.completed,
        scheduled_on=written + days(2),
    )
    later = services.activity_add(
        actor=officer,
        plan=plan,
        objective=None if scenario.achieved_note else other,
        description=scenario.later,
        scheduled_on=written + days(6) if scenario.unavailable_reason else today + days(rng.randint(7, 21)),
    )
    services.plan_agree(actor=officer, plan=plan, agreed_on=written + days(3), review_on=today + days(30))
    services.activity_record(
        actor=officer, activity=completed, to_status=ActivityStatus.COMPLETED, on=today - days(2)
    )
    if scenario.unavailable_reason:
        services.activity_record(
            actor=officer,
            activity=later,
            to_status=ActivityStatus.UNAVAILABLE,
            on=written + days(8),
            reason=scenario.unavailable_reason,
        )
    if scenario.achieved_note:
        services.objective_record(
            actor=officer,
            objective=other,
            to_status=ObjectiveStatus.ACHIEVED,
            on=today - days(1),
            note=scenario.achieved_note,
        )


def seed_demo_plans(*, seed: int, today: datetime.date, officer, cases: list[DemoCase]) -> int:
    """Agreed plans (PLAN_SCENARIOS) and then a draft for the first cases of the demo officer's
    caseload. Returns how many."""
    if SentencePlan.objects.filter(written_by=officer).exists():
        return 0
    rng = random.Random(f"plans:{seed}")
    programmes = _programmes(officer.staff.office_id)
    cases = [
        case for case in cases if not SentencePlan.objects.current().filter(sentence=case.sentence).exists()
    ]
    for case, scenario in zip(cases, PLAN_SCENARIOS, strict=False):
        _agreed_plan(
            rng=rng, today=today, officer=officer, case=case, scenario=scenario, programmes=programmes
        )
    if len(cases) <= len(PLAN_SCENARIOS):
        return min(len(cases), len(PLAN_SCENARIOS))
    # A draft: written this week, not yet agreed with the offender.
    draft = services.plan_create(
        actor=officer,
        sentence=cases[len(PLAN_SCENARIOS)].sentence,
        written_on=today - days(rng.randint(1, 5)),
    )
    services.objective_add(
        actor=officer,
        plan=draft,
        text="Keep stable accommodation through the sentence",
        need_area=NeedArea.ACCOMMODATION,
        target_on=today + days(90),
    )
    return len(PLAN_SCENARIOS) + 1


def _court(case: DemoCase) -> Office | None:
    if case.sentence.court_id:
        return case.sentence.court
    return Office.objects.filter(kind=OfficeKind.COURT).order_by("code").first()


def seed_demo_reports(*, seed: int, today: datetime.date, officer, manager, cases: list[DemoCase]) -> int:
    """A draft by the demo probation officer, one of theirs submitted to the demo service manager
    (four eyes: the manager wrote none of it) and one approved and issued. Returns how many."""
    if not cases or Report.objects.filter(author=officer).exists():
        return 0
    rng = random.Random(f"reports:{seed}")
    # Hearings still to come on the real calendar, even when the demo is seeded for a past day.
    hearings_from = max(today, timezone.localdate())
    # Court reports: the demo officer's cases are community sentences, and a Parole Board report is
    # about a sentence of imprisonment. A breach report names the sentence breached.
    draft_case, submitted_case, issued_case = (cases[position % len(cases)] for position in (0, 1, 2))
    reports.report_assemble(
        actor=officer,
        offender=draft_case.offender,
        kind=ReportKind.PRE_SENTENCE,
        due_on=hearings_from + days(rng.randint(10, 21)),
    )
    submitted = reports.report_assemble(
        actor=officer,
        offender=submitted_case.offender,
        kind=ReportKind.BREACH,
        sentence=submitted_case.sentence,
        due_on=hearings_from + days(rng.randint(5, 9)),
    )
    reports.report_submit(actor=officer, report=submitted, note="Ready for approval.")
    made = 2
    court = _court(issued_case)
    if manager is None or court is None:
        return made
    issued = reports.report_assemble(
        actor=officer,
        offender=issued_case.offender,
        kind=ReportKind.PRE_SENTENCE,
        due_on=hearings_from + days(rng.randint(2, 4)),
    )
    reports.report_submit(actor=officer, report=issued)
    reports.report_approve(actor=manager, report=issued, note="Approved.")
    reports.report_issue(
        actor=officer,
        report=issued,
        recipient_kind=RecipientKind.COURT,
        recipient_court=court,
        method=IssueMethod.EMAIL,
        note="Sent to the registry ahead of the hearing.",
    )
    return made + 1


def seed_offender_management(*, seed: int, today: datetime.date, counts: Counter) -> None:
    """The hook seed_demo calls: the teams in bulk, then the demo officer's plans and reports."""
    seed_offender_teams(seed=seed, today=today, counts=counts)
    officer = demo_user(Role.PROBATION_OFFICER)
    if officer is None:
        return
    cases = demo_caseload(officer)
    plans = seed_demo_plans(seed=seed, today=today, officer=officer, cases=cases)
    if plans:
        counts["sentence plans"] += plans
    made = seed_demo_reports(
        seed=seed, today=today, officer=officer, manager=demo_user(Role.SERVICE_MANAGER), cases=cases
    )
    if made:
        counts["reports"] += made
