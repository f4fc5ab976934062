"""Reading the inbox: who a person is, who their manager and team are, and their outstanding work
gathered from every source (inbox.sources), sorted by urgency.

Managers and teams (staff.models has no reporting line, so the structure is read from roles):
- A manager holds a managing role at their office: a service manager anywhere; at a prison, its
  approving officers too (the senior officers who approve the prison's classification reviews and
  manage its prison officers).
- A manager's team is the active staff of their office who hold a role with work in the portal
  and are not managers themselves; if the manager belongs to a team (staff.Team), only its
  members and the office's staff in no team.
- A manager's own overdue work is not escalated further: the hierarchy above an office is not
  recorded in the portal.

Urgency: overdue first, the most overdue first; then the soonest due; then work with no due date.
Every list is built in a fixed number of queries: one for the people, one or two per source."""

import dataclasses
import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q, Value

from inbox.sources import SOURCES
from ioms.read_models import InboxSource, Person, WorkItem
from offenders.models import Offender, visible_offenders_q
from staff.access import staff_of
from staff.models import OfficeKind, StaffMember
from staff.roles import Role, user_roles

COMMUNITY_MANAGING_ROLES = frozenset({Role.SERVICE_MANAGER})
PRISON_MANAGING_ROLES = frozenset({Role.SERVICE_MANAGER, Role.APPROVING_OFFICER})
# Roles with no inbox: the read-only data share changes nothing (staff.access.is_read_only_user).
NO_INBOX_ROLES = frozenset({Role.DATA_SHARE})


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def person_of(user) -> Person | None:
    """The signed-in user as a Person, from what the request has already read (no query once the
    roles and the staff record are cached on the user)."""
    roles = user_roles(user)
    if not roles:
        return None
    member = staff_of(user)
    if member is None:
        return Person(user_id=user.pk, name=_name(user), roles=roles)
    return Person(
        user_id=user.pk,
        name=_name(user),
        roles=roles,
        staff_id=member.pk,
        office_id=member.office_id,
        office_kind=member.office.kind,
        team_id=member.team_id,
    )


def _people(members) -> list[Person]:
    members = (
        members.filter(active=True, user__is_active=True)
        .select_related("user", "office")
        .annotate(
            role_names=ArrayAgg(
                "user__groups__name",
                filter=Q(user__groups__name__in=Role.values),
                distinct=True,
                default=Value([]),
            )
        )
        .order_by("user__last_name", "user__first_name", "pk")
    )
    people = []
    for member in members:
        roles = frozenset(member.role_names) | ({Role.SYSTEM_ADMIN} if member.user.is_superuser else set())
        people.append(
            Person(
                user_id=member.user_id,
                name=_name(member.user),
                roles=roles,
                staff_id=member.pk,
                office_id=member.office_id,
                office_kind=member.office.kind,
                team_id=member.team_id,
            )
        )
    return people


def people_at(office_id: int) -> list[Person]:
    """The active staff of an office, with their roles, in one query."""
    return _people(StaffMember.objects.filter(office_id=office_id))


def everyone() -> list[Person]:
    """Every active staff member, with their roles, in one query (the daily escalation)."""
    return _people(StaffMember.objects.all())


def person_by_staff_id(staff_id) -> Person | None:
    try:
        key = int(staff_id)
    except (TypeError, ValueError, OverflowError):
        return None
    found = _people(StaffMember.objects.filter(pk=key))
    return found[0] if found else None


def has_inbox(person: Person | None) -> bool:
    return person is not None and bool(person.roles - NO_INBOX_ROLES)


def managing_roles(office_kind: str) -> frozenset[str]:
    return PRISON_MANAGING_ROLES if office_kind == OfficeKind.PRISON else COMMUNITY_MANAGING_ROLES


def is_manager(person: Person | None) -> bool:
    return (
        person is not None
        and person.office_id is not None
        and person.holds(*managing_roles(person.office_kind))
    )


def manages(manager: Person, member: Person) -> bool:
    """Whether `member` is in `manager`'s team (the rules in this module's docstring)."""
    return (
        is_manager(manager)
        and has_inbox(member)
        and not is_manager(member)
        and member.user_id != manager.user_id
        and member.office_id == manager.office_id
        and (manager.team_id is None or member.team_id is None or member.team_id == manager.team_id)
    )


def team_of(manager: Person) -> list[Person]:
    if not is_manager(manager):
        return []
    return [person for person in people_at(manager.office_id) if manages(manager, person)]


# --- Gathering the work ----------------------------------------------------------------------


def work_for(people: list[Person], today: datetime.date) -> list[tuple[InboxSource, WorkItem]]:
    """Every source's items for these people: one or two queries per source."""
    if not people:
        return []
    return [(source, item) for source in SOURCES for item in source.items_for(people, today)]


@dataclass(frozen=True)
class InboxRow:
    item: WorkItem
    label: str  # the kind's label
    assignees: tuple[Person, ...] = ()  # in a team list: the members who may do it
    escalated_from: tuple[Person, ...] = ()  # in a manager's own inbox: whose overdue item this is

    @property
    def escalated(self) -> bool:
        return bool(self.escalated_from)

    @property
    def escalation_label(self) -> str:
        if not self.escalated_from:
            return ""
        names = [person.name for person in self.escalated_from]
        whose = (
            names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} other{'s' * (len(names) > 2)}"
        )
        days = self.item.days_overdue
        return f"Escalated: {whose}'s item, {days} day{'s' * (days != 1)} overdue"


def urgency(row: InboxRow) -> tuple:
    item = row.item
    return (
        item.due_on is None,
        item.due_on or datetime.date.max,
        item.kind,
        item.offender_name,
        item.key,
    )


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    total: int
    overdue: int


def kind_counts(rows: list[InboxRow]) -> list[KindCount]:
    """Items and overdue items of each kind (zero rows included), in the order of inbox.sources."""
    totals = Counter(row.item.kind for row in rows)
    overdue = Counter(row.item.kind for row in rows if row.item.overdue)
    return [
        KindCount(source.kind, source.label, totals[source.kind], overdue[source.kind]) for source in SOURCES
    ]


@dataclass
class Inbox:
    owner: Person
    rows: list[InboxRow]
    counts: list[KindCount] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def overdue(self) -> int:
        return sum(row.item.overdue for row in self.rows)

    @property
    def escalated(self) -> int:
        return sum(row.escalated for row in self.rows)

    def of_kind(self, kind: str | None) -> list[InboxRow]:
        return [row for row in self.rows if not kind or row.item.kind == kind]


def _beyond_escalation(source: InboxSource, item: WorkItem) -> bool:
    return item.days_overdue is not None and item.days_overdue > source.escalate_after_days


RESTRICTED_NAME = "Restricted record"


def masked_for(viewer: Person, rows: list[InboxRow]) -> list[InboxRow]:
    """Rows on restricted records `viewer` may not open keep their work (it still has to be done)
    but lose the person's name and the detail: one query, and only when a row is restricted."""
    restricted = {row.item.offender_id for row in rows if row.item.offender_restricted}
    if not restricted:
        return rows
    visible = set(
        Offender.objects.filter(pk__in=restricted)
        .filter(visible_offenders_q(None, user_id=viewer.user_id))
        .values_list("pk", flat=True)
    )
    return [
        dataclasses.replace(row, item=dataclasses.replace(row.item, offender_name=RESTRICTED_NAME, detail=""))
        if row.item.offender_restricted and row.item.offender_id not in visible
        else row
        for row in rows
    ]


def inbox_of(owner: Person, *, viewer: Person, today: datetime.date) -> Inbox:
    """`owner`'s work as `viewer` (the owner, or their manager) may see it: the items they may do,
    and, for a manager, their team's items overdue beyond escalation."""
    team = team_of(owner)
    by_user = {person.user_id: person for person in team}
    rows = []
    for source, item in work_for([owner, *team], today):
        if not source.may_see(viewer, item):
            continue
        if owner.user_id in item.assignee_ids:
            rows.append(InboxRow(item, source.label))
        elif _beyond_escalation(source, item):
            late = tuple(by_user[user_id] for user_id in sorted(item.assignee_ids) if user_id in by_user)
            if late:
                rows.append(InboxRow(item, source.label, escalated_from=late))
    rows = masked_for(viewer, rows)
    rows.sort(key=urgency)
    return Inbox(owner=owner, rows=rows, counts=kind_counts(rows))


@dataclass(frozen=True)
class MemberCount:
    person: Person
    total: int
    overdue: int
    escalated: int


@dataclass
class TeamInbox:
    manager: Person
    members: list[MemberCount]
    rows: list[InboxRow]
    counts: list[KindCount]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def overdue(self) -> int:
        return sum(row.item.overdue for row in self.rows)


def team_inbox(manager: Person, *, today: datetime.date) -> TeamInbox:
    """Everyone's items in the manager's team, each once with the members who may do it, and a
    count per member (an item shared by a pool counts for each of them)."""
    team = team_of(manager)
    by_user = {person.user_id: person for person in team}
    rows = []
    totals, overdue, escalated = Counter(), Counter(), Counter()
    for source, item in work_for(team, today):
        if not source.may_see(manager, item):
            continue
        members = tuple(by_user[user_id] for user_id in sorted(item.assignee_ids) if user_id in by_user)
        if not members:
            continue
        rows.append(InboxRow(item, source.label, assignees=members))
        for member in members:
            totals[member.user_id] += 1
            overdue[member.user_id] += item.overdue
            escalated[member.user_id] += _beyond_escalation(source, item)
    rows = masked_for(manager, rows)
    rows.sort(key=urgency)
    counts = [
        MemberCount(person, totals[person.user_id], overdue[person.user_id], escalated[person.user_id])
        for person in team
    ]
    return TeamInbox(manager=manager, members=counts, rows=rows, counts=kind_counts(rows))


@dataclass(frozen=True)
class Escalation:
    manager: Person
    item: WorkItem
    label: str
    late: tuple[Person, ...]


def escalations(people: list[Person], *, today: datetime.date) -> list[Escalation]:
    """Every item overdue beyond escalation, once for each manager of the people who may do it
    (a manager who may do it themselves already has it)."""
    managers_at: dict[int, list[Person]] = {}
    for person in people:
        if is_manager(person):
            managers_at.setdefault(person.office_id, []).append(person)
    managed = {}
    for person in people:
        bosses = [boss for boss in managers_at.get(person.office_id, []) if manages(boss, person)]
        if bosses:
            managed[person.user_id] = (person, bosses)
    if not managed:
        return []
    bosses_too = {boss.user_id: boss for office in managers_at.values() for boss in office}
    found = []
    for source, item in work_for([*(person for person, _ in managed.values()), *bosses_too.values()], today):
        if not _beyond_escalation(source, item):
            continue
        late_by_manager: dict[int, tuple[Person, list[Person]]] = {}
        for user_id in sorted(item.assignee_ids):
            if user_id not in managed:
                continue
            person, bosses = managed[user_id]
            for boss in bosses:
                late_by_manager.setdefault(boss.user_id, (boss, []))[1].append(person)
        for boss, late in late_by_manager.values():
            if boss.user_id in item.assignee_ids or not source.may_see(boss, item):
                continue
            found.append(Escalation(boss, item, source.label, tuple(late)))
    return found
