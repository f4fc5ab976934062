"""The muster list (seed 001): everyone currently subject to a sentence managed by an office.

A person is on an office's muster while at least one of their sentences managed there is active or
not yet started. Each row is one person, with the aggregates of those sentences (types, earliest
start, latest end), their current supervising officers and their status flags.

Everything is computed in PostgreSQL: a page in three queries (the count, the page's people, their
rows) and an export in one streamed query. The sentence columns are aggregated over a join filtered
to the office's current sentences; the officers, warnings and outstanding appeals/breaches are
correlated subqueries per person. Filtering, sorting and pagination are SQL, so the number of
queries and the memory used do not grow with the size of the office.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import ArrayAgg, BoolOr
from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

from allocation.models import CaseAllocation, CaseRole
from offenders.models import Flag, FlagKind, Offender
from offenders.phonetics import fold
from sentences.models import Sentence, SentenceEvent, SentenceEventKind, SentenceStatus, SentenceType
from staff.models import Office, StaffMember

# "Currently subject to a sentence": started and running, or ordered and not yet started.
CURRENT_STATUSES = (SentenceStatus.ACTIVE, SentenceStatus.PENDING)
APPEAL_KINDS = (SentenceEventKind.APPEAL_SENTENCE, SentenceEventKind.APPEAL_CONVICTION)
BREACH_KINDS = (SentenceEventKind.BREACH,)
# The offender warnings staff must see before contact (the others are on the record itself).
WARNING_FLAG_KINDS = (FlagKind.OFFENDER_WARNING, FlagKind.CHILD_SEX_OFFENDER, FlagKind.SAFETY_CONCERN)


class MusterFlag(models.TextChoices):
    """The status flags a muster row can carry, and the flag filter's choices."""

    APPEAL = "appeal", "Appeal outstanding"
    BREACH = "breach", "Breach outstanding"
    OFFENDER_WARNING = FlagKind.OFFENDER_WARNING.value, FlagKind.OFFENDER_WARNING.label
    CHILD_SEX_OFFENDER = FlagKind.CHILD_SEX_OFFENDER.value, FlagKind.CHILD_SEX_OFFENDER.label
    SAFETY_CONCERN = FlagKind.SAFETY_CONCERN.value, FlagKind.SAFETY_CONCERN.label


class MusterSort(models.TextChoices):
    NAME = "name", "Name (A to Z)"
    NAME_DESC = "-name", "Name (Z to A)"
    PRN = "prn", "PRN (lowest first)"
    PRN_DESC = "-prn", "PRN (highest first)"
    START = "start", "Start date (earliest first)"
    START_DESC = "-start", "Start date (latest first)"
    END = "end", "End date (soonest first)"
    END_DESC = "-end", "End date (latest first)"


_BY_NAME = ("family_name_folded", "given_names_folded", "pk")
_ORDERINGS: dict[str, tuple] = {
    MusterSort.NAME: _BY_NAME,
    MusterSort.NAME_DESC: ("-family_name_folded", "-given_names_folded", "-pk"),
    MusterSort.PRN: ("prn",),
    MusterSort.PRN_DESC: ("-prn",),
    MusterSort.START: ("earliest_start", *_BY_NAME),
    MusterSort.START_DESC: (F("earliest_start").desc(), *_BY_NAME),
    # An indeterminate sentence never ends: last when soonest first, first when latest first.
    MusterSort.END: (F("latest_end").asc(nulls_last=True), *_BY_NAME),
    MusterSort.END_DESC: (F("latest_end").desc(nulls_first=True), *_BY_NAME),
}


@dataclass(frozen=True)
class MusterFilters:
    text: str = ""  # words of a name, or the start of a PRN
    sentence_type: str = ""
    officer_id: int | None = None  # a supervising officer (StaffMember pk)
    unallocated_only: bool = False
    flags: frozenset[str] = frozenset()  # MusterFlag values: people with any of them
    sort: str = MusterSort.NAME

    def terms(self) -> dict[str, str]:
        """The filters as plain text, for the audit trail."""
        return {
            "text": self.text,
            "sentence_type": self.sentence_type,
            "officer": str(self.officer_id) if self.officer_id else "",
            "unallocated": "yes" if self.unallocated_only else "",
            "flags": ",".join(sorted(self.flags)),
            "sort": self.sort if self.sort != MusterSort.NAME else "",
        }


@dataclass(frozen=True)
class MusterRow:
    offender_id: int
    prn: str
    family_name: str
    given_names: str
    sentence_types: list[str]
    sentence_count: int
    earliest_start: datetime.date
    latest_end: datetime.date | None  # None when a sentence is indeterminate
    indeterminate: bool
    officers: list[str]
    warnings: list[str]  # FlagKind values
    appeal_outstanding: bool
    breach_outstanding: bool

    @classmethod
    def from_values(cls, values: dict) -> "MusterRow":
        return cls(
            offender_id=values["pk"],
            prn=values["prn"],
            family_name=values["family_name"],
            given_names=values["given_names"],
            sentence_types=list(values["sentence_types"]),
            sentence_count=values["sentence_count"],
            earliest_start=values["earliest_start"],
            latest_end=values["latest_end"],
            indeterminate=values["indeterminate"],
            officers=list(values["officers"]),
            warnings=list(values["warnings"]),
            appeal_outstanding=values["appeal_outstanding"],
            breach_outstanding=values["breach_outstanding"],
        )

    @property
    def name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_names}"

    @property
    def sentence_type_labels(self) -> list[str]:
        return [SentenceType(value).label for value in self.sentence_types]

    @property
    def status_flags(self) -> list[str]:
        """Every flag on the row, as labels: outstanding appeal and breach, then the warnings."""
        flags = []
        if self.appeal_outstanding:
            flags.append(MusterFlag.APPEAL.label)
        if self.breach_outstanding:
            flags.append(MusterFlag.BREACH.label)
        flags.extend(self.warning_labels)
        return flags

    @property
    def warning_labels(self) -> list[str]:
        return [FlagKind(kind).label for kind in self.warnings]


@dataclass(frozen=True)
class TypeCount:
    sentence_type: str
    label: str
    people: int
    sentences: int


@dataclass(frozen=True)
class MusterCounts:
    by_type: list[TypeCount] = field(default_factory=list)
    people: int = 0  # each person once, whatever the number of their sentences
    sentences: int = 0


def _current_sentences_at(office_id: int) -> QuerySet[Sentence]:
    return Sentence.objects.filter(managing_office_id=office_id, status__in=CURRENT_STATUSES)


def _outstanding(office_id: int, kinds: tuple[str, ...]) -> Exists:
    """An appeal or breach on one of the person's current sentences here that is not yet resolved
    (seed 001: it stays visible on the sentence until resolved)."""
    return Exists(
        SentenceEvent.objects.filter(
            sentence__offender=OuterRef("pk"),
            sentence__managing_office_id=office_id,
            sentence__status__in=CURRENT_STATUSES,
            kind__in=kinds,
            resolved_on__isnull=True,
        )
    )


def _supervising(**conditions) -> QuerySet[CaseAllocation]:
    return CaseAllocation.objects.filter(
        ended_on__isnull=True, role=CaseRole.SUPERVISING_OFFICER, **conditions
    )


_staff_name = Coalesce(
    NullIf(Trim(Concat("staff__user__first_name", Value(" "), "staff__user__last_name")), Value("")),
    "staff__user__username",
)


def _text_filter(text: str) -> Q:
    """Every word must match: a word of digits the start of the PRN, any other the start of a word
    of the family or given names (folded, so macrons and case do not matter)."""
    condition = Q()
    for word in text.split():
        if word.isascii() and word.isdigit():
            condition &= Q(prn__startswith=word)
            continue
        folded = fold(word)
        if not folded:
            continue
        condition &= (
            Q(family_name_folded__startswith=folded)
            | Q(family_name_folded__contains=f" {folded}")
            | Q(family_name_folded__contains=f"-{folded}")
            | Q(given_names_folded__startswith=folded)
            | Q(given_names_folded__contains=f" {folded}")
        )
    return condition


def _filtered_people(office: Office, filters: MusterFilters) -> QuerySet[Offender]:
    people = Offender.objects.filter(
        sentences__managing_office_id=office.pk, sentences__status__in=CURRENT_STATUSES
    )
    if filters.text.strip():
        people = people.filter(_text_filter(filters.text))
    if filters.sentence_type:
        people = people.filter(
            Exists(
                _current_sentences_at(office.pk).filter(
                    offender=OuterRef("pk"), sentence_type=filters.sentence_type
                )
            )
        )
    if filters.officer_id:
        people = people.filter(Exists(_supervising(offender=OuterRef("pk"), staff_id=filters.officer_id)))
    if filters.unallocated_only:
        people = people.filter(~Exists(_supervising(offender=OuterRef("pk"))))
    if filters.flags:
        any_flag = Q()
        if MusterFlag.APPEAL in filters.flags:
            any_flag |= Q(_outstanding(office.pk, APPEAL_KINDS))
        if MusterFlag.BREACH in filters.flags:
            any_flag |= Q(_outstanding(office.pk, BREACH_KINDS))
        warning_kinds = sorted(set(filters.flags) & set(WARNING_FLAG_KINDS))
        if warning_kinds:
            any_flag |= Q(
                Exists(
                    Flag.objects.filter(
                        offender=OuterRef("pk"), ended_on__isnull=True, kind__in=warning_kinds
                    )
                )
            )
        people = people.filter(any_flag)
    return people


def muster_rows(office: Office, filters: MusterFilters | None = None) -> QuerySet:
    """The muster of `office` as a queryset of dicts (one per person), filtered and sorted in SQL.
    Slice it to paginate; iterate it with `.iterator(chunk_size=...)` to stream it. Turn each dict
    into a MusterRow with `MusterRow.from_values`."""
    filters = filters or MusterFilters()
    officers = (
        _supervising(offender=OuterRef("pk"))
        .order_by("staff__user__last_name", "staff__user__first_name", "staff_id")
        .values(name=_staff_name)
    )
    warnings = (
        Flag.objects.filter(offender=OuterRef("pk"), ended_on__isnull=True, kind__in=WARNING_FLAG_KINDS)
        .order_by("kind")
        .values("kind")
    )
    # The sentence aggregates first; the per-person subqueries in a later annotate(), so Django
    # groups by the person alone rather than by each subquery's result (which PostgreSQL would
    # then compute for every sentence row before grouping, and again to count the rows).
    rows = (
        _filtered_people(office, filters)
        .values("pk", "prn", "family_name", "given_names")
        .annotate(
            sentence_types=ArrayAgg(
                "sentences__sentence_type", distinct=True, order_by="sentences__sentence_type"
            ),
            sentence_count=Count("sentences"),
            earliest_start=Min("sentences__start_date"),
            indeterminate=BoolOr("sentences__indeterminate"),
            latest_end=Case(
                When(BoolOr("sentences__indeterminate"), then=Value(None, output_field=DateField())),
                default=Max("sentences__end_date"),
                output_field=DateField(),
            ),
        )
        .annotate(
            officers=ArraySubquery(officers),
            warnings=ArraySubquery(warnings),
            appeal_outstanding=_outstanding(office.pk, APPEAL_KINDS),
            breach_outstanding=_outstanding(office.pk, BREACH_KINDS),
        )
    )
    return rows.order_by(*_ORDERINGS.get(filters.sort, _BY_NAME))


def muster_page(
    office: Office, filters: MusterFilters, page_number, *, per_page: int
) -> tuple[Page, list[MusterRow]]:
    """One page of the muster in three queries whatever the office's size: the count, the page's
    people (sorted and cut in SQL, without the per-person subqueries, so a late page costs no more
    than the first), then the rows of just those people."""
    people = muster_rows(office, filters).values_list("pk", flat=True)
    page = Paginator(people, per_page).get_page(page_number)
    ids = list(page.object_list)
    by_id = {
        values["pk"]: MusterRow.from_values(values)
        for values in muster_rows(office).filter(pk__in=ids).order_by()
    }
    return page, [by_id[pk] for pk in ids]


def muster_counts(office: Office) -> MusterCounts:
    """People and sentences on the office's muster, by sentence type and in all (two queries)."""
    current = _current_sentences_at(office.pk)
    per_type = {
        row["sentence_type"]: row
        for row in current.order_by()
        .values("sentence_type")
        .annotate(people=Count("offender", distinct=True), sentences=Count("pk"))
    }
    totals = current.aggregate(people=Count("offender", distinct=True), sentences=Count("pk"))
    by_type = [
        TypeCount(
            sentence_type=value,
            label=label,
            people=per_type[value]["people"],
            sentences=per_type[value]["sentences"],
        )
        for value, label in SentenceType.choices
        if value in per_type
    ]
    return MusterCounts(by_type=by_type, people=totals["people"], sentences=totals["sentences"])


def muster_officers(office: Office) -> QuerySet[StaffMember]:
    """The staff currently supervising someone on the office's muster (the officer filter's
    choices), wherever they work."""
    supervising_here = _supervising(
        offender_id__in=_current_sentences_at(office.pk).values("offender_id")
    ).values("staff_id")
    return (
        StaffMember.objects.filter(pk__in=supervising_here)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
