"""The shapes of what each app contributes to the pages that gather from many apps.

- The work inbox (inbox): each app with outstanding work writes its `InboxSource`s in
  `<app>/inbox_items.py`, next to its access rules and importing its own models; inbox.sources
  lists them.
- An offender's record (records): each app writes what it adds to the record (what the viewer may
  do there, its tabs, its kinds of timeline entry) in `<app>/record_sections.py`; records.sections
  lists them and registers them here when the app registry is ready, so that the pages of lower
  apps shown inside the record (a casenote's form, the classification tab) draw the same frame
  without importing the apps above them.

These shapes sit in the core so that an app can use them without importing the page that gathers
them."""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

# --- The work inbox -----------------------------------------------------------------------------

# Overdue by more than this many days, an item also appears in the assignee's manager's inbox.
ESCALATE_AFTER_DAYS = 3


@dataclass(frozen=True)
class Person:
    """Someone who may have work: a user with their roles and (if they have one) staff record."""

    user_id: int
    name: str
    roles: frozenset[str]
    staff_id: int | None = None
    office_id: int | None = None
    office_kind: str = ""
    team_id: int | None = None

    def holds(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


@dataclass(frozen=True)
class WorkItem:
    """One piece of outstanding work. `assignee_ids` are the users who may do it (one, or a pool
    such as an office's administrative support); `key` identifies the work across days."""

    key: str
    kind: str
    title: str
    url: str
    assignee_ids: frozenset[int]
    due_on: datetime.date | None
    days_overdue: int | None  # today - due_on: positive when overdue, None without a due date
    offender_id: int | None = None
    offender_prn: str = ""
    offender_name: str = ""
    # Need-to-know: the item's record is restricted; inbox.selectors masks its name and detail
    # for anyone not on its access list.
    offender_restricted: bool = False
    detail: str = ""
    office_ids: frozenset[int] = frozenset()
    produced_at: datetime.datetime | None = None
    sensitive: bool = False  # holds sensitive casenote extracts

    @property
    def overdue(self) -> bool:
        return self.days_overdue is not None and self.days_overdue > 0

    @property
    def days_left(self) -> int | None:
        return None if self.days_overdue is None else -self.days_overdue


class InboxSource:
    """Where one kind of outstanding work comes from. `items_for(people, today)` answers for many
    people at once in a fixed number of queries (one or two), however many people or items;
    `may_see(viewer, item)` says, without a query, whether someone looking at another person's
    inbox (their manager) may see the item. Both follow the producing app's access module, so the
    inbox never offers work a person may not do, nor shows a record they may not see."""

    kind: str = ""
    label: str = ""
    escalate_after_days: int = ESCALATE_AFTER_DAYS

    def items_for(self, people: Sequence[Person], today: datetime.date) -> list[WorkItem]:
        raise NotImplementedError

    def may_see(self, viewer: Person, item: WorkItem) -> bool:
        raise NotImplementedError


# A key no record has, reversed once per page name: a list of hundreds of items then builds each
# link by substitution instead of resolving the URL each time.
_KEY_PLACEHOLDER = 2_147_483_647


@cache
def _url_pattern(name: str) -> str:
    return reverse(name, args=[_KEY_PLACEHOLDER])


def url_for(name: str, pk: int) -> str:
    """reverse(name, args=[pk]) for a page taking one integer key."""
    return _url_pattern(name).replace(str(_KEY_PLACEHOLDER), str(int(pk)), 1)


def offender_fields(offender) -> dict:
    """The offender's part of a WorkItem."""
    if offender is None:
        return {}
    return {
        "offender_id": offender.pk,
        "offender_prn": offender.prn,
        "offender_name": f"{offender.family_name.upper()}, {offender.given_names}",
        "offender_restricted": offender.restricted,
    }


def local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def make_item(*, today: datetime.date, due_on: datetime.date | None, offender=None, **fields) -> WorkItem:
    days_overdue = None if due_on is None else (today - due_on).days
    return WorkItem(due_on=due_on, days_overdue=days_overdue, **offender_fields(offender), **fields)


def pools(people: Iterable[Person], wanted: Callable[[Person], bool]) -> dict[int, set[int]]:
    """Office id -> the user ids of the people there for whom `wanted(person)` holds."""
    found: dict[int, set[int]] = defaultdict(set)
    for person in people:
        if person.office_id is not None and wanted(person):
            found[person.office_id].add(person.user_id)
    return found


# --- An offender's record -----------------------------------------------------------------------


@dataclass(frozen=True)
class RecordTab:
    """A tab of the record, opened by `url_name` with the offender's key. `shown_if`: the
    permission (a key of the record's `may`) without which the tab is not offered."""

    key: str
    label: str
    url_name: str
    shown_if: str = ""


@dataclass(frozen=True)
class TimelineEntry:
    on: datetime.date
    kind: str
    title: str
    detail: str = ""
    at: datetime.datetime | None = None
    url_name: str = ""
    url_pk: int | None = None


@dataclass(frozen=True)
class TimelineKind:
    """One kind of timeline entry: the offender's rows, newest first by `date_field` (a date, or a
    moment when `is_datetime`), and how to turn a row into an entry."""

    queryset: QuerySet
    date_field: str
    is_datetime: bool
    build: Callable[[Any], TimelineEntry]


# permissions(user, offender) -> {name: allowed}: what the viewer may do on the record.
Permissions = Callable[[Any, Any], dict[str, bool]]
# timeline(offender, *, user, may) -> the app's kinds of timeline entry the viewer may read.
Timeline = Callable[..., list[TimelineKind]]


@dataclass(frozen=True)
class RecordSections:
    """Every app's part of the record, each list in the order the record shows it."""

    permissions: tuple[Permissions, ...]
    tabs: tuple[RecordTab, ...]
    timeline: tuple[Timeline, ...]


_record_sections: RecordSections | None = None


def register_record_sections(sections: RecordSections) -> None:
    """Called once, by the records app when the app registry is ready (records.apps)."""
    global _record_sections
    _record_sections = sections


def record_sections() -> RecordSections:
    if _record_sections is None:
        raise ImproperlyConfigured("The record's sections are registered by the records app: install it.")
    return _record_sections
