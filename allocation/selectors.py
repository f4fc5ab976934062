"""Reads for allocation: the queue, officers' workload and the ranked suggestion, caseloads.
Each runs a fixed number of queries whatever the number of requests or officers."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from allocation.models import (
    SINGLE_HOLDER_ROLES,
    TEAM_ORDER,
    AllocateRequest,
    AllocateRequestStatus,
    CaseAllocation,
    CaseRole,
    StaffUnavailability,
    WorkloadWeight,
)
from offenders.access import offender_office_ids
from offenders.models import visible_offenders_q
from sentences.models import Sentence, SentenceType
from staff.models import Office, OfficeKind, StaffMember
from staff.roles import Role

# A case allocated to the whole offender rather than one sentence counts as this many points.
WHOLE_CASE_POINTS = Decimal("1.00")
# Leave starting within this many days is shown against an officer.
UPCOMING_LEAVE_DAYS = 14
# The memberships that count towards an officer's workload: a probation officer's supervision, a
# prison officer's offender supervision (seed 004).
CASELOAD_ROLES = (CaseRole.SUPERVISING_OFFICER, CaseRole.OFFENDER_SUPERVISOR)


def workload_weights(on: datetime.date | None = None) -> dict[str, Decimal]:
    """The weight in force on `on` for each sentence type (the latest effective row)."""
    on = on or timezone.localdate()
    weights: dict[str, Decimal] = {}
    for row in WorkloadWeight.objects.filter(effective_from__lte=on).order_by(
        "sentence_type", "-effective_from"
    ):
        weights.setdefault(row.sentence_type, row.points)
    return weights


@dataclass
class OfficerLoad:
    staff: StaffMember
    cases: int = 0
    points: Decimal = Decimal("0")
    unavailable_now: StaffUnavailability | None = None
    upcoming: list[StaffUnavailability] = field(default_factory=list)
    score: Decimal = Decimal("0")
    reasons: list[str] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return Decimal(self.staff.hours_per_week or 0)

    @property
    def utilisation(self) -> int:
        """Workload points as a percentage of the officer's available hours."""
        if not self.hours:
            return 999
        return int((self.points / self.hours * 100).quantize(Decimal("1")))

    @property
    def over_capacity(self) -> bool:
        return self.utilisation > 100


def officer_loads(staff_members: list[StaffMember], on: datetime.date | None = None) -> list[OfficerLoad]:
    on = on or timezone.localdate()
    loads = {member.pk: OfficerLoad(staff=member) for member in staff_members}
    if not loads:
        return []
    weights = workload_weights(on)
    rows = (
        CaseAllocation.objects.current()
        .filter(staff_id__in=loads, role__in=CASELOAD_ROLES)
        .values("staff_id", "sentence__sentence_type")
        .annotate(n=Count("id"))
    )
    for row in rows:
        load = loads[row["staff_id"]]
        load.cases += row["n"]
        kind = row["sentence__sentence_type"]
        load.points += row["n"] * (weights.get(kind, WHOLE_CASE_POINTS) if kind else WHOLE_CASE_POINTS)
    horizon = on + datetime.timedelta(days=UPCOMING_LEAVE_DAYS)
    for absence in StaffUnavailability.objects.filter(
        staff_id__in=loads, ends_on__gte=on, starts_on__lte=horizon
    ).order_by("starts_on"):
        load = loads[absence.staff_id]
        if absence.starts_on <= on:
            load.unavailable_now = absence
        else:
            load.upcoming.append(absence)
    return list(loads.values())


def office_officers(office: Office) -> QuerySet[StaffMember]:
    """The officers who take cases from the office's queue: probation officers, or at a prison the
    prison officers who become offender supervisors."""
    role = Role.PRISON_OFFICER if office.kind == OfficeKind.PRISON else Role.PROBATION_OFFICER
    return (
        StaffMember.objects.filter(office=office, active=True, user__groups__name=role)
        .select_related("user", "office")
        .distinct()
        .order_by("user__last_name", "user__first_name", "pk")
    )


def office_workload(office: Office, on: datetime.date | None = None) -> list[OfficerLoad]:
    return officer_loads(list(office_officers(office)), on)


def officer_options(request: AllocateRequest, on: datetime.date | None = None) -> list[OfficerLoad]:
    """The officers who could take the request, ranked, each with the reasons for its place:
    continuity with the current officer (seed 002), availability, capacity, office."""
    on = on or timezone.localdate()
    members = list(office_officers(request.office))
    continuity = request.continuity_staff
    prison = request.office.kind == OfficeKind.PRISON
    if continuity is None and not prison:  # a prison's continuity is set on the request itself
        current = (
            CaseAllocation.objects.current()
            .filter(offender_id=request.offender_id, role=CaseRole.SUPERVISING_OFFICER, staff__active=True)
            .select_related("staff__user", "staff__office")
            .order_by("-started_on", "-id")
            .first()
        )
        continuity = current.staff if current else None
    if (
        continuity is not None
        and continuity.active
        and all(member.pk != continuity.pk for member in members)
        and request.kind != "transfer"
        and continuity.office_id in offender_office_ids(request.offender)
    ):
        members.append(continuity)
    roles_held = (
        set(
            CaseAllocation.objects.current()
            .filter(offender_id=request.offender_id, staff=continuity)
            .values_list("role", flat=True)
        )
        if continuity is not None and not prison
        else set()
    )
    if prison:
        continuity_reason = "Offender supervisor of this offender before: continuity (seed 004)."
    elif CaseRole.OFFENDER_MANAGER in roles_held and CaseRole.SUPERVISING_OFFICER not in roles_held:
        continuity_reason = "The offender manager of this offender: one officer throughout (seed 004)."
    else:
        continuity_reason = "Already supervises this offender: one officer for all sentences (seed 002)."
    loads = officer_loads(members, on)
    for load in loads:
        score = Decimal("0")
        reasons = []
        if continuity is not None and load.staff.pk == continuity.pk:
            score += 1000
            reasons.append(continuity_reason)
        if load.unavailable_now is not None:
            score -= 2000
            reasons.append(
                f"Unavailable ({load.unavailable_now.get_kind_display().lower()}) until "
                f"{load.unavailable_now.ends_on:%-d %b %Y}."
            )
        for absence in load.upcoming:
            score -= 20
            reasons.append(f"{absence.get_kind_display()} from {absence.starts_on:%-d %b %Y}.")
        score += Decimal(100 - min(load.utilisation, 200))
        reasons.append(
            f"Caseload {load.cases} case{'s' if load.cases != 1 else ''}, {load.points:.1f} points "
            f"over {load.hours:.1f} available hours ({load.utilisation}% of capacity)"
            + (", over capacity." if load.over_capacity else ".")
        )
        if load.staff.office_id == request.office_id:
            score += 10
            reasons.append(f"Works at {request.office.name}.")
        else:
            reasons.append(f"Works at another office ({load.staff.office.name}).")
        load.score = score
        load.reasons = reasons
    loads.sort(key=lambda load: (-load.score, load.staff.user.last_name, load.staff.pk))
    return loads


def office_queue(office: Office, *, status: str = AllocateRequestStatus.OPEN) -> QuerySet[AllocateRequest]:
    """The office's requests, most urgent first (earliest due date)."""
    return AllocateRequest.objects.filter(office=office, status=status).for_queue()


def officer_caseload(staff: StaffMember, *, viewer) -> list[CaseAllocation]:
    """The officer's current cases with each offender's current sentences (two queries), less the
    restricted records `viewer` may not open."""
    return list(
        CaseAllocation.objects.current()
        .filter(visible_offenders_q(viewer, "offender"))
        .filter(staff=staff)
        .select_related("offender", "sentence")
        .prefetch_related(
            Prefetch(
                "offender__sentences",
                queryset=Sentence.objects.current().order_by("start_date"),
                to_attr="current_sentences",
            )
        )
        .order_by("-started_on", "offender__family_name")
    )


@dataclass
class TeamRole:
    """One role on an offender's team with its current members (seed 004)."""

    role: str
    label: str
    members: list[CaseAllocation] = field(default_factory=list)
    single: bool = False  # at most one current holder


def offender_team(offender) -> list[TeamRole]:
    """The offender's current team by role, in the team's order (one query). The offender manager
    and the offender supervisor are always listed, so an unfilled place shows."""
    members = (
        CaseAllocation.objects.current()
        .filter(offender=offender)
        .select_related("staff__user", "staff__office", "staff__team", "sentence")
        .order_by("started_on", "id")
    )
    team = {
        role: TeamRole(role=role, label=CaseRole(role).label, single=role in SINGLE_HOLDER_ROLES)
        for role in TEAM_ORDER
    }
    for member in members:
        team[member.role].members.append(member)
    return [group for group in team.values() if group.members or group.single]


def allocation_history(*, offender=None, staff=None) -> QuerySet[CaseAllocation]:
    rows = CaseAllocation.objects.select_related(
        "offender", "staff__user", "staff__office", "sentence", "allocated_by"
    )
    if offender is not None:
        rows = rows.filter(offender=offender)
    if staff is not None:
        rows = rows.filter(staff=staff)
    return rows.order_by("-started_on", "-id")


def request_counts(office: Office) -> dict[str, int]:
    today = timezone.localdate()
    rows = AllocateRequest.objects.filter(office=office, status=AllocateRequestStatus.OPEN)
    counts = defaultdict(int)
    counts["open"] = rows.count()
    counts["overdue"] = rows.filter(due_on__lt=today).count()
    return dict(counts)


# --- Continuity: the officer to suggest for a new request (seed 002, seed 004) ---------------------


def continuity_suggestion(
    offender, *, exclude_sentence_id: int | None = None
) -> tuple[StaffMember | None, str]:
    """Seed 002: where practicable one officer manages all of an offender's sentences. With no
    supervising officer (a prisoner being released, say) the offender manager, who holds the case
    throughout (seed 004), is the one to suggest."""
    # Most people a new sentence is recorded for have neither: one indexed read says so before the
    # joins that fetch the officer (planning those costs more than running them).
    allocated = (
        CaseAllocation.objects.current()
        .filter(offender=offender, role__in=(CaseRole.SUPERVISING_OFFICER, CaseRole.OFFENDER_MANAGER))
        .exists()
    )
    current = (
        list(
            CaseAllocation.objects.current()
            .filter(offender=offender, role=CaseRole.SUPERVISING_OFFICER, staff__active=True)
            .select_related("staff__user", "staff__office")
            .order_by("-started_on", "-id")
        )
        if allocated
        else []
    )
    manager = (
        None
        if current or not allocated
        else CaseAllocation.objects.current()
        .filter(offender=offender, role=CaseRole.OFFENDER_MANAGER, staff__active=True)
        .select_related("staff__user", "staff__office")
        .first()
    )
    if manager is not None:
        staff = manager.staff
        return staff, f"{staff} ({staff.office.name}) is the offender manager; suggest them."
    others = (
        Sentence.objects.current()
        .filter(offender=offender)
        .exclude(pk=exclude_sentence_id)
        .exclude(sentence_type=SentenceType.IMPRISONMENT)
        .count()
    )
    if current:
        staff = current[0].staff
        note = f"Already supervised by {staff} ({staff.office.name}); suggest the same probation officer."
        if others:
            note += f" {others} other current sentence{'s' if others != 1 else ''}."
        return staff, note
    if others:
        return (
            None,
            f"Has {others} other current sentence{'s' if others != 1 else ''} but no supervising officer.",
        )
    return None, ""


def prison_continuity_suggestion(offender, prison) -> tuple[StaffMember | None, str]:
    """The offender supervisor this prison last gave the offender (seed 004: continuity), and a note
    naming the community offender manager, who stays on the team."""
    earlier = (
        CaseAllocation.objects.filter(
            offender=offender,
            role=CaseRole.OFFENDER_SUPERVISOR,
            staff__office=prison,
            staff__active=True,
        )
        .select_related("staff__user")
        .order_by("-started_on", "-id")
        .first()
    )
    manager = (
        CaseAllocation.objects.current()
        .filter(offender=offender, role=CaseRole.OFFENDER_MANAGER)
        .select_related("staff__user", "staff__office")
        .first()
    )
    notes = []
    if earlier is not None:
        notes.append(
            f"{earlier.staff} was the offender supervisor here from {earlier.started_on:%-d %b %Y}; "
            "suggest the same officer."
        )
    if manager is not None:
        notes.append(
            f"Offender manager: {manager.staff} ({manager.staff.office.name}), who stays on the team."
        )
    return (earlier.staff if earlier else None), " ".join(notes)
