"""Reads for the exceptions report: the filtered list, its CSV rows, status counts, the weekly
trend, and an exception's earlier and later occurrences."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from offenders.models import visible_offenders_q
from reconciliation.models import DataException, ExceptionStatus, ExceptionTransition

UNRESOLVED_FILTER = "unresolved"
ANY_STATUS = "any"
UNASSIGNED = "none"
ME = "me"
NEWEST_FIRST = "newest"
OLDEST_FIRST = "oldest"


@dataclass(frozen=True)
class ReportFilters:
    status: str = UNRESOLVED_FILTER  # a status, UNRESOLVED_FILTER or ANY_STATUS
    reason_code: str = ""
    assignee: str = ""  # "", UNASSIGNED, ME or a user id
    older_than_days: int | None = None
    text: str = ""
    sort: str = OLDEST_FIRST

    def as_terms(self) -> dict:
        return {
            "status": self.status,
            "reason": self.reason_code,
            "assignee": self.assignee,
            "older_than_days": self.older_than_days,
            "text": self.text,
            "sort": self.sort,
        }


def exceptions_of_office(office_id: int | None) -> QuerySet:
    """`office_id` None: the exceptions that belong to no office."""
    if office_id is None:
        return DataException.objects.filter(office__isnull=True)
    return DataException.objects.filter(office_id=office_id)


def exception_report(*, office_id: int | None, filters: ReportFilters, user) -> QuerySet:
    """The report's rows, with everything a row shows fetched in the same query."""
    # Not the court message: rows show only its id, and its stored body can be a megabyte.
    rows = exceptions_of_office(office_id).select_related("office", "offender", "sentence", "assignee")
    # Need-to-know: exceptions on restricted records the user may not open are left out (page and
    # CSV); an exception about no one in particular stays.
    rows = rows.filter(Q(offender__isnull=True) | visible_offenders_q(user, "offender"))
    if filters.status == UNRESOLVED_FILTER:
        rows = rows.exclude(status=ExceptionStatus.RESOLVED)
    elif filters.status in ExceptionStatus.values:
        rows = rows.filter(status=filters.status)
    if filters.reason_code:
        rows = rows.filter(reason_code=filters.reason_code)
    if filters.assignee == UNASSIGNED:
        rows = rows.filter(assignee__isnull=True)
    elif filters.assignee == ME:
        rows = rows.filter(assignee=user)
    elif filters.assignee.isascii() and filters.assignee.isdigit():
        rows = rows.filter(assignee_id=int(filters.assignee))
    if filters.older_than_days:
        rows = rows.filter(opened_at__lt=timezone.now() - datetime.timedelta(days=filters.older_than_days))
    text = filters.text.strip()
    if text:
        rows = rows.filter(_text_match(text))
    order = ("opened_at", "id") if filters.sort != NEWEST_FIRST else ("-opened_at", "-id")
    return rows.order_by(*order)


def _text_match(text: str) -> Q:
    """A PRN, an exception number, or words of the offender's name or of the problem."""
    match = Q(detail__icontains=text) | Q(resolution_reason__icontains=text) | Q(change_made__icontains=text)
    if text.isascii() and text.isdigit():
        match |= Q(offender__prn=text)
        if len(text) <= 12:
            match |= Q(pk=int(text))
    for word in text.replace(",", " ").split():
        match |= Q(offender__family_name__iexact=word)
    names = [word for word in text.replace(",", " ").split() if not (word.isascii() and word.isdigit())]
    if len(names) > 1:
        name_match = Q()
        for word in names:
            name_match &= Q(offender__family_name__iexact=word) | Q(offender__given_names__icontains=word)
        match |= name_match
    return match


def exception_status_counts(office_id: int | None) -> dict[str, int]:
    counts = dict.fromkeys(ExceptionStatus.values, 0)
    for row in exceptions_of_office(office_id).values("status").annotate(total=Count("id")):
        counts[row["status"]] = row["total"]
    return counts


def exception_transitions(exception: DataException) -> list[ExceptionTransition]:
    return list(exception.transitions.select_related("actor", "assignee").order_by("at", "id"))


def exception_occurrences(exception: DataException) -> list[DataException]:
    """Every other occurrence of the same problem on the same record, oldest first. Recurrences
    share the fingerprint, so this is one query however long the chain."""
    return list(
        DataException.objects.filter(fingerprint=exception.fingerprint)
        .exclude(pk=exception.pk)
        .select_related("resolved_by")
        .order_by("opened_at", "id")
    )


# --- Trend -----------------------------------------------------------------------------------------

TREND_WEEKS = 12


@dataclass(frozen=True)
class TrendWeek:
    starts_on: datetime.date
    opened: int
    resolved: int


def _week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def exception_trend(
    office_id: int | None, *, weeks: int = TREND_WEEKS, today: datetime.date | None = None
) -> list[TrendWeek]:
    """Exceptions opened and resolved in each of the last `weeks` weeks (Monday to Sunday, New
    Zealand time), the current week last. Two queries."""
    today = today or timezone.localdate()
    first_monday = _week_start(today) - datetime.timedelta(weeks=weeks - 1)
    since = timezone.make_aware(datetime.datetime.combine(first_monday, datetime.time.min))
    exceptions = exceptions_of_office(office_id)

    def by_week(field_name: str, **extra) -> dict[datetime.date, int]:
        rows = (
            exceptions.filter(**{f"{field_name}__gte": since}, **extra)
            .annotate(week=TruncWeek(field_name))
            .values("week")
            .annotate(total=Count("id"))
        )
        return {timezone.localtime(row["week"]).date(): row["total"] for row in rows}

    opened = by_week("opened_at")
    resolved = by_week("resolved_at", status=ExceptionStatus.RESOLVED)
    mondays = [first_monday + datetime.timedelta(weeks=index) for index in range(weeks)]
    return [TrendWeek(monday, opened.get(monday, 0), resolved.get(monday, 0)) for monday in mondays]


# --- Export ----------------------------------------------------------------------------------------

CSV_HEADER = (
    "Exception",
    "Reason code",
    "Reason",
    "Status",
    "Office",
    "PRN",
    "Offender",
    "Sentence",
    "Court message",
    "Detail",
    "Opened",
    "Age (days)",
    "Assignee",
    "No longer detected",
    "Resolved",
    "Resolved by",
    "Resolution reason",
    "Change made",
    "Recurrence of",
)


def _user_label(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def exception_csv_rows(rows: QuerySet) -> Iterator[tuple]:
    """The report's rows for CSV, read from the database in chunks (an export of a whole office
    never holds it all in memory)."""
    yield CSV_HEADER
    for exception in rows.select_related("resolved_by").iterator(chunk_size=2000):
        offender = exception.offender
        yield (
            exception.pk,
            exception.reason_code,
            exception.get_reason_code_display(),
            exception.get_status_display(),
            exception.office.name if exception.office else "",
            offender.prn if offender else "",
            f"{offender.family_name.upper()}, {offender.given_names}" if offender else "",
            exception.sentence_id or "",
            exception.court_message_id or "",
            exception.detail,
            _local(exception.opened_at),
            exception.age_days,
            _user_label(exception.assignee),
            _local(exception.no_longer_detected_at),
            _local(exception.resolved_at),
            _user_label(exception.resolved_by),
            exception.resolution_reason,
            exception.change_made,
            exception.recurrence_of_id or "",
        )
