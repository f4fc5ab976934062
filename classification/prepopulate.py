"""Pre-population of the Review Security Classification (seed 003) from the prisoner's records.

`prepopulate(records, today)` is pure: it reads a `PrisonerRecords` bundle (loaded for many
prisoners at once by classification.selectors.prisoner_records) and returns, for each item, the
suggested option, the records that produced it and, where time alone will move the item into
another band, the date that happens ("this score falls on 3 March").

Items seed 003 marks "Pre-populated: NO" (A.1.1, A.1.2, A.3.1, A.5.x, B.3.2, B.4.3) are suggested
from the records too; the officer confirms or corrects every answer.
"""

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import models

from classification.models import (
    ActivityStatus,
    CorrectionsActStatus,
    IncidentType,
    PlanCategory,
)
from sentences.models import OffenceCategory, SentenceStatus, SentenceType

CORRECTIONS_ACT = "Corrections Act"  # Offence.act of misconduct offences ("Corrections Act 2004")
DRUGS_VIOLENCE_ESCAPE = frozenset(
    {
        OffenceCategory.DRUGS,
        OffenceCategory.VIOLENCE,
        OffenceCategory.ESCAPE,
        OffenceCategory.SERIOUS_ASSAULT,  # a serious assault is a violence offence
    }
)
ONE_DAY = datetime.timedelta(days=1)


@dataclass
class PrisonerRecords:
    """Everything pre-population reads for one prisoner (model instances, already loaded)."""

    offender: models.Model
    sentences: list = field(default_factory=list)
    convictions: list = field(default_factory=list)  # with .offence and .sentence loaded
    charges: list = field(default_factory=list)  # with .offence loaded
    incidents: list = field(default_factory=list)
    escapes: list = field(default_factory=list)
    at_risk_alerts: list = field(default_factory=list)
    stability_assessments: list = field(default_factory=list)
    plan_activities: list = field(default_factory=list)
    plan_category_changes: list = field(default_factory=list)
    removal_orders: list = field(default_factory=list)
    police_information: list = field(default_factory=list)


@dataclass(frozen=True)
class SourceRecord:
    label: str  # model label, e.g. "sentences.Conviction"
    pk: int
    description: str


@dataclass(frozen=True)
class PrepopulatedAnswer:
    item: str
    option: str
    sources: tuple[SourceRecord, ...] = ()
    changes_on: datetime.date | None = None  # the first day time alone moves it to another option
    changes_to: str | None = None

    @property
    def change_note(self) -> str:
        if not self.changes_on:
            return ""
        return f"This score falls on {self.changes_on.day} {self.changes_on:%B %Y}"


@dataclass(frozen=True)
class _Evaluation:
    option: str
    sources: tuple[SourceRecord, ...] = ()


def source(obj: models.Model, description: str | None = None) -> SourceRecord:
    return SourceRecord(obj._meta.label, obj.pk, description or str(obj))


# --- time helpers ---------------------------------------------------------------------------


# Month arithmetic is pure and the same few dates recur for every record of a long history (the
# same "today", the same windows), so its results are cached: a long history then costs list
# scans, not hundreds of thousands of relativedelta objects.
@functools.lru_cache(maxsize=65536)
def months_before(day: datetime.date, months: int) -> datetime.date:
    return day - relativedelta(months=months)


def within_months(day: datetime.date | None, today: datetime.date, months: int) -> bool:
    """`day` is in "the past N months": from the same date N months ago up to today, inclusive."""
    return day is not None and months_before(today, months) <= day <= today


def _first_day_from(start: datetime.date, condition: Callable[[datetime.date], bool]) -> datetime.date:
    """The first day from `start` on which `condition` holds. Month arithmetic clips at month
    ends (31 August + 6 months = 28 February), so the exact day is within a few days of `start`."""
    day = start
    while not condition(day):
        day += ONE_DAY
    return day


@functools.lru_cache(maxsize=65536)
def leaves_window(day: datetime.date, months: int) -> datetime.date:
    """The first day on which `day` is no longer within the past `months` months."""
    return _first_day_from(day + relativedelta(months=months), lambda x: months_before(x, months) > day)


@functools.lru_cache(maxsize=65536)
def full_months_between(start: datetime.date, end: datetime.date) -> int:
    delta = relativedelta(end, start)
    return delta.years * 12 + delta.months


def _anniversaries(day: datetime.date, months: Iterable[int]) -> list[datetime.date]:
    """The first days on which `months` full months have passed since `day`."""
    return [
        _first_day_from(
            day + relativedelta(months=count), lambda x, n=count: full_months_between(day, x) >= n
        )
        for count in months
    ]


def _countdown(until: datetime.date, months: Iterable[int]) -> list[datetime.date]:
    """The first days on which fewer than `months` full months are left until `until`."""
    return [
        _first_day_from(
            until - relativedelta(months=count), lambda x, n=count: full_months_between(x, until) < n
        )
        for count in months
    ]


# --- seriousness (seed 003, A.4.1) ----------------------------------------------------------


def seriousness_band(score: Decimal | None) -> str:
    """Seed 003, A.4.1: H 1000 and above, M 100-999.99, L 20-99.99, VL 0.1-19.9. Scores the table
    leaves unbanded (0, 19.91-19.99) are below Low, so VL."""
    if score is None:
        return "none"
    if score >= 1000:
        return "H"
    if score >= 100:
        return "M"
    if score >= 20:
        return "L"
    return "VL"


def _categories(offence) -> set[str]:
    return set(offence.categories or [])


def _is_dve(offence) -> bool:
    return bool(_categories(offence) & DRUGS_VIOLENCE_ESCAPE)


def _is_corrections_act(offence) -> bool:
    return CORRECTIONS_ACT.lower() in (offence.act or "").lower()


def _current_sentence_ids(records: PrisonerRecords) -> set[int]:
    return {sentence.pk for sentence in records.sentences if sentence.status != SentenceStatus.COMPLETED}


def _current_imprisonment(records: PrisonerRecords) -> list:
    return [
        sentence
        for sentence in records.sentences
        if sentence.sentence_type == SentenceType.IMPRISONMENT and sentence.status != SentenceStatus.COMPLETED
    ]


def _count_option(count: int, options: tuple[str, ...]) -> str:
    """Counts 0, 1, 2, ... onto options like ("0", "1", "2_plus"): the last option takes the rest."""
    return options[min(count, len(options) - 1)]


# --- the items ------------------------------------------------------------------------------


def _terrorism(records: PrisonerRecords, today: datetime.date) -> _Evaluation:
    # Seed 003, A.1.1 / B.1.1: imprisoned for a Terrorism Suppression Act conviction or facing a
    # charge under it.
    current = _current_sentence_ids(records)
    found = [
        source(conviction)
        for conviction in records.convictions
        if conviction.sentence_id in current and OffenceCategory.TERRORISM in _categories(conviction.offence)
    ] + [
        source(charge)
        for charge in records.charges
        if charge.outstanding and OffenceCategory.TERRORISM in _categories(charge.offence)
    ]
    return _Evaluation("yes" if found else "no", tuple(found))


def _serious_assault(used: frozenset[tuple[str, int]]) -> Callable:
    def evaluate(records: PrisonerRecords, today: datetime.date) -> _Evaluation:
        # Seed 003, A.1.2: charged with or convicted of serious assault in the past 6 months; the
        # override is used once per assault (a charge and its conviction are the same assault).
        found = []
        counted: set[tuple[str, int]] = set()
        for conviction in records.convictions:
            keys = {("sentences.Conviction", conviction.pk)}
            if conviction.charge_id:
                keys.add(("sentences.Charge", conviction.charge_id))
            if (
                OffenceCategory.SERIOUS_ASSAULT in _categories(conviction.offence)
                and within_months(conviction.convicted_on, today, 6)
                and not keys & used
            ):
                found.append(source(conviction))
                counted |= keys
        for charge in records.charges:
            key = ("sentences.Charge", charge.pk)
            if (
                OffenceCategory.SERIOUS_ASSAULT in _categories(charge.offence)
                and within_months(charge.charged_on, today, 6)
                and key not in used
                and key not in counted
            ):
                found.append(source(charge))
        return _Evaluation("yes" if found else "no", tuple(found))

    return evaluate


def _serious_assault_dates(records: PrisonerRecords) -> list[datetime.date]:
    return [leaves_window(c.convicted_on, 6) for c in records.convictions] + [
        leaves_window(c.charged_on, 6) for c in records.charges
    ]


def _escape_dates(records: PrisonerRecords) -> list[tuple[datetime.date, SourceRecord]]:
    """Seed 003, A.2.1: "the most recent escape or attempted escape -related incident for which
    the prisoner was convicted" (from prison or Police custody, including the current offence),
    dated by "the most recent of: date of conviction OR date of incident". An escape or attempt
    with no conviction is not counted: "If the prisoner has no previous escape convictions, they
    score 0 points"."""
    dated = [
        (
            max(escape.occurred_on, escape.convicted_on),
            source(escape, f"{escape}, convicted {escape.convicted_on:%-d %b %Y}"),
        )
        for escape in records.escapes
        if escape.convicted_on
    ]
    dated += [
        (max(d for d in (conviction.offence_date, conviction.convicted_on) if d), source(conviction))
        for conviction in records.convictions
        if OffenceCategory.ESCAPE in _categories(conviction.offence)
    ]
    return dated


def _time_since_escape(records: PrisonerRecords, today: datetime.date) -> _Evaluation:
    dated = [(day, src) for day, src in _escape_dates(records) if day <= today]
    if not dated:
        return _Evaluation("none")  # seed 003, A.2.1: no escape conviction, 0 points
    day, src = max(dated, key=lambda pair: pair[0])
    months = full_months_between(day, today)
    option = "under_1y" if months < 12 else "1_3y" if months < 36 else "3_5y" if months < 60 else "5y_plus"
    return _Evaluation(option, (src,))


def _time_since_escape_dates(records: PrisonerRecords) -> list[datetime.date]:
    """The days time alone can move A.2.1: a counted escape's date itself (a conviction recorded
    ahead of its date counts from that day) and its 1, 3 and 5 year anniversaries."""
    return [edge for day, _ in _escape_dates(records) for edge in (day, *_anniversaries(day, (12, 36, 60)))]


def _stability(records: PrisonerRecords, today: datetime.date) -> _Evaluation:
    # Seed 003, A.3.1: the past 6 months only; U only on a medical opinion that the prisoner poses
    # a risk (the model refuses U without one), S in every other situation.
    alerts = [
        source(alert)
        for alert in records.at_risk_alerts
        if alert.raised_on <= today and (alert.ended_on is None or within_months(alert.ended_on, today, 6))
    ]
    recent = [a for a in records.stability_assessments if within_months(a.assessed_on, today, 6)]
    if not recent:
        return _Evaluation("S", tuple(alerts))
    latest = max(recent, key=lambda a: (a.assessed_on, a.pk))
    option = "U" if latest.stability == "U" and latest.medical_opinion else "S"
    return _Evaluation(option, (source(latest), *alerts))


def _stability_dates(records: PrisonerRecords) -> list[datetime.date]:
    return [leaves_window(a.assessed_on, 6) for a in records.stability_assessments]


def _most_serious(items: list, describe: Callable) -> _Evaluation:
    if not items:
        return _Evaluation("none")
    worst = max(items, key=lambda obj: (obj.offence.seriousness, obj.pk))
    band = seriousness_band(worst.offence.seriousness)
    return _Evaluation(band, (source(worst, describe(worst)),))


def _describe_seriousness(obj) -> str:
    return f"{obj} (seriousness {obj.offence.seriousness})"


def _current_offence(records: PrisonerRecords, today: datetime.date) -> _Evaluation:
    # Seed 003, A.4.1: only the current offences, those behind sentences not yet completed.
    current = _current_sentence_ids(records)
    return _most_serious([c for c in records.convictions if c.sentence_id in current], _describe_seriousness)


def _outstanding_charge(records: PrisonerRecords, today: datetime.date) -> _Evaluation:
    # Seed 003, A.4.2.
    return _most_serious([c for c in records.charges if c.outstanding], _describe_seriousness)


def _misconduct_dates(incident) -> tuple[datetime.date, ...]:
    """The days a Corrections Act matter is counted from: the day the charge was laid and, once
    proven, the day it was proven (the database requires both for a proven charge)."""
    if incident.corrections_act not in (CorrectionsActStatus.CHARGED, CorrectionsActStatus.PROVEN):
        return ()
    return tuple(day for day in (incident.charge_laid_on, incident.proven_on) if day)


def _describe_misconduct(incident) -> str:
    laid = f"{incident}: misconduct charge laid {incident.charge_laid_on:%-d %b %Y}"
    if incident.proven_on:
        return f"{laid}, proven {incident.proven_on:%-d %b %Y}"
    return laid


def _corrections_act(only_dve: bool, options: tuple[str, ...]) -> Callable:
    def evaluate(records: PrisonerRecords, today: datetime.date) -> _Evaluation:
        """Seed 003, A.4.3 (excluding) / A.4.4 (only) drugs, violence or escape: "the total
        number of convictions and charges against the prisoner under the Corrections Act in the
        last 3 months". A misconduct charge counts when it was laid in the window or proven in
        the window, whenever the incident itself happened: a charge proven last month for an
        incident four months ago counts. A charge laid and proven within the window is one
        matter, counted once: the conviction is the same misconduct as the charge it proved."""
        found = [
            source(incident, _describe_misconduct(incident))
            for incident in records.incidents
            if incident.drugs_violence_or_escape == only_dve
            and any(within_months(day, today, 3) for day in _misconduct_dates(incident))
        ]
        return _Evaluation(_count_option(len(found), options), tuple(found))

    return evaluate


def _corrections_act_dates(records: PrisonerRecords) -> list[datetime.date]:
    """The days time alone can move A.4.3/A.4.4: a charge laid or proven enters the window on its
    day (if recorded ahead of it) and leaves it three months later."""
    return [
        edge
        for incident in records.incidents
        for day in _misconduct_dates(incident)
        for edge in (day, leaves_window(day, 3))
    ]


def _initial_sentence_matters(records: PrisonerRecords) -> set[tuple[str, int]]:
    """Seed 003, A.4.5/A.4.6 exclude the offence of the initial sentence: the convictions behind
    the prisoner's earliest current prison sentence, and the charges they came from."""
    prison = _current_imprisonment(records)
    if not prison:
        return set()
    initial = min(prison, key=lambda s: (s.start_date, s.pk))
    excluded: set[tuple[str, int]] = set()
    for conviction in records.convictions:
        if conviction.sentence_id == initial.pk:
            excluded.add(("sentences.Conviction", conviction.pk))
            if conviction.charge_id:
                excluded.add(("sentences.Charge", conviction.charge_id))
    return excluded


def _other_acts(only_dve: bool, months: int, options: tuple[str, ...]) -> Callable:
    def evaluate(records: PrisonerRecords, today: datetime.date) -> _Evaluation:
        # Seed 003, A.4.5: other Acts, past 3 months, excluding drugs, violence or escape;
        # A.4.6: other Acts, past 4 (not 3) months, only those. A charge and the conviction it led
        # to are one matter, counted once.
        excluded = _initial_sentence_matters(records)
        matters: dict[tuple[str, int], SourceRecord] = {}
        for conviction in records.convictions:
            key = ("sentences.Charge", conviction.charge_id) if conviction.charge_id else None
            if (
                not _is_corrections_act(conviction.offence)
                and _is_dve(conviction.offence) == only_dve
                and within_months(conviction.convicted_on, today, months)
                and ("sentences.Conviction", conviction.pk) not in excluded
            ):
                matters[key or ("sentences.Conviction", conviction.pk)] = source(conviction)
        for charge in records.charges:
            key = ("sentences.Charge", charge.pk)
            if (
                not _is_corrections_act(charge.offence)
                and _is_dve(charge.offence) == only_dve
                and within_months(charge.charged_on, today, months)
                and key not in excluded
            ):
                matters.setdefault(key, source(charge))
        return _Evaluation(_count_option(len(matters), options), tuple(matters.values()))

    return evaluate


def _other_acts_dates(months: int) -> Callable:
    def dates(records: PrisonerRecords) -> list[datetime.date]:
        return [leaves_window(c.convicted_on, months) for c in records.convictions] + [
            leaves_window(c.charged_on, months) for c in records.charges
        ]

    return dates


def _file_notes(select: Callable, good_up_to: int = 0) -> Callable:
    def evaluate(records: PrisonerRecords, today: datetime.date) -> _Evaluation:
        # Seed 003, A.5.1-A.5.4 over the past 6 months: Good none, Average 1-2, Poor 3 or more
        # (A.5.3: Good is "1 or less" instances of negative interaction).
        found = [
            source(incident)
            for incident in records.incidents
            if select(incident) and within_months(incident.occurred_on, today, 6)
        ]
        count = len(found)
        option = "good" if count <= good_up_to else "average" if count <= 2 else "poor"
        return _Evaluation(option, tuple(found))

    return evaluate


def _six_month_dates(records: PrisonerRecords) -> list[datetime.date]:
    return [leaves_window(incident.occurred_on, 6) for incident in records.incidents]


def _motivation(records: PrisonerRecords, today: datetime.date) -> _Evaluation:
    # Seed 003, A.5.5, past 6 months. Good: all scheduled activities attended and completed, or the
    # plan category changed to Intervention, or the activities were unavailable through no fault
    # of the prisoner's. Poor: none attended and completed. Average: some.
    changes = [
        change
        for change in records.plan_category_changes
        if change.category == PlanCategory.INTERVENTION and within_months(change.changed_on, today, 6)
    ]
    if changes:
        return _Evaluation("good", tuple(source(change) for change in changes))
    activities = [a for a in records.plan_activities if within_months(a.scheduled_on, today, 6)]
    sources = tuple(source(activity) for activity in activities)
    due = [a for a in activities if a.status != ActivityStatus.UNAVAILABLE]
    completed = [a for a in due if a.status == ActivityStatus.COMPLETED]
    if len(completed) == len(due):
        return _Evaluation("good", sources)
    return _Evaluation("average" if completed else "poor", sources)


def _motivation_dates(records: PrisonerRecords) -> list[datetime.date]:
    return [leaves_window(a.scheduled_on, 6) for a in records.plan_activities] + [
        leaves_window(c.changed_on, 6) for c in records.plan_category_changes
    ]


def _release_dates(records: PrisonerRecords) -> list[tuple[datetime.date, models.Model]]:
    """Seed 003, B.3.1: every "Parole Board Hearing Date or Parole Eligibility Date or Statutory
    Release Date" of the prisoner's current prison sentences."""
    return [
        (day, sentence)
        for sentence in _current_imprisonment(records)
        for day in (
            sentence.parole_hearing_date,
            sentence.parole_eligibility_date,
            sentence.statutory_release_date,
        )
        if day
    ]


def _earliest_release(
    records: PrisonerRecords, today: datetime.date
) -> tuple[datetime.date, models.Model] | None:
    """Seed 003, B.3.1: "the earliest possible release date" from `today`: the earliest of the
    release dates on or after today. A date already past (a parole hearing held 100 days ago) is
    no longer a possible release date and is ignored; a date equal to today still counts."""
    ahead = [(day, sentence) for day, sentence in _release_dates(records) if day >= today]
    return min(ahead, key=lambda pair: (pair[0], pair[1].pk)) if ahead else None


def _time_left(records: PrisonerRecords, today: datetime.date) -> _Evaluation:
    """Seed 003, B.3.1: "the length of time between the current system date and the earliest
    possible release date". With no release date recorded at all (indeterminate, dates not set
    yet) the longest band. When every recorded date is past, the prisoner is past their release
    dates: no time is left to serve, so 0 months, "under 6 months"."""
    dated = _release_dates(records)
    if not dated:
        return _Evaluation("5y_plus")  # indeterminate with no dates yet: the longest band
    earliest = _earliest_release(records, today)
    if earliest is None:
        latest, sentence = max(dated, key=lambda pair: (pair[0], pair[1].pk))
        return _Evaluation(
            "under_6m",
            (source(sentence, f"{sentence}: every release date has passed (latest {latest:%-d %b %Y})"),),
        )
    release, sentence = earliest
    src = (source(sentence, f"{sentence}: earliest release date {release:%-d %b %Y}"),)
    months = full_months_between(today, release)
    option = (
        "under_6m"
        if months < 6
        else "6_12m"
        if months < 12
        else "1_2y"
        if months < 24
        else "2_5y"
        if months < 60
        else "5y_plus"
    )
    return _Evaluation(option, src)


def _time_left_dates(records: PrisonerRecords) -> list[datetime.date]:
    """The days time alone can move B.3.1: each release date's countdown edges (5 years, 2 years,
    1 year and 6 months left), and the day after each date, when it has passed and the next
    date, if any, becomes the earliest."""
    return [edge for day, _ in _release_dates(records) for edge in (*_release_countdown(day), day + ONE_DAY)]


@functools.lru_cache(maxsize=65536)
def _release_countdown(release: datetime.date) -> tuple[datetime.date, ...]:
    """The days fewer than 5 years, 2 years, 1 year and 6 months are left until `release`."""
    return tuple(_countdown(release, (60, 24, 12, 6)))


def _removal_order(records: PrisonerRecords, today: datetime.date) -> _Evaluation:
    # Seed 003, B.3.2 (its date and type go in the override reason, C.3).
    orders = [
        source(order)
        for order in records.removal_orders
        if order.made_on <= today and (order.revoked_on is None or order.revoked_on > today)
    ]
    return _Evaluation("yes" if orders else "no", tuple(orders))


def _previous_convictions(records: PrisonerRecords, today: datetime.date) -> list:
    # Seed 003, B.4.1: the past 7 years, current offences excluded.
    current = _current_sentence_ids(records)
    return [
        c
        for c in records.convictions
        if c.sentence_id not in current and within_months(c.convicted_on, today, 84)
    ]


def _previous_conviction(records: PrisonerRecords, today: datetime.date) -> _Evaluation:
    previous = _previous_convictions(records, today)
    if not previous:
        return _Evaluation("none")  # a first conviction scores 0
    worst = max(previous, key=lambda c: (c.offence.seriousness, c.convicted_on, c.pk))
    return _Evaluation(
        seriousness_band(worst.offence.seriousness), (source(worst, _describe_seriousness(worst)),)
    )


def _time_since_previous(records: PrisonerRecords, today: datetime.date) -> _Evaluation:
    # Seed 003, B.4.2: the time since the conviction B.4.1 found.
    previous = _previous_convictions(records, today)
    if not previous:
        return _Evaluation("none")
    worst = max(previous, key=lambda c: (c.offence.seriousness, c.convicted_on, c.pk))
    months = full_months_between(worst.convicted_on, today)
    option = "under_2y" if months < 24 else "2_5y" if months < 60 else "5_7y"
    return _Evaluation(option, (source(worst),))


def _previous_dates(records: PrisonerRecords) -> list[datetime.date]:
    return [edge for c in records.convictions for edge in _anniversaries(c.convicted_on, (24, 60, 84))] + [
        leaves_window(c.convicted_on, 84) for c in records.convictions
    ]


def _other_sources(records: PrisonerRecords, today: datetime.date) -> _Evaluation:
    # Seed 003, B.4.3: the latest assessment of information from Police or Crime Prevention. The
    # source is named by model only; the form never shows the information itself.
    received = [info for info in records.police_information if info.received_on <= today]
    if not received:
        return _Evaluation("none")
    latest = max(received, key=lambda info: (info.received_on, info.pk))
    return _Evaluation(latest.level, (source(latest, f"Assessed {latest.level} on {latest.received_on}"),))


def _no_dates(records: PrisonerRecords) -> list[datetime.date]:
    return []


def _evaluators(used_assaults: frozenset[tuple[str, int]]) -> dict[str, tuple[Callable, Callable]]:
    return {
        "A.1.1": (_terrorism, _no_dates),
        "A.1.2": (_serious_assault(used_assaults), _serious_assault_dates),
        "A.2.1": (_time_since_escape, _time_since_escape_dates),
        "A.3.1": (_stability, _stability_dates),
        "A.4.1": (_current_offence, _no_dates),
        "A.4.2": (_outstanding_charge, _no_dates),
        "A.4.3": (_corrections_act(False, ("0", "1", "2", "3_plus")), _corrections_act_dates),
        "A.4.4": (_corrections_act(True, ("0", "1", "2_plus")), _corrections_act_dates),
        "A.4.5": (_other_acts(False, 3, ("0", "1", "2_plus")), _other_acts_dates(3)),
        "A.4.6": (_other_acts(True, 4, ("0", "1", "2_plus")), _other_acts_dates(4)),
        "A.5.1": (_file_notes(lambda i: i.negative_attitude), _six_month_dates),
        "A.5.2": (_file_notes(lambda i: i.incident_type == IncidentType.STAFF_REQUEST), _six_month_dates),
        "A.5.3": (_file_notes(lambda i: i.incident_type == IncidentType.INTERACTION, 1), _six_month_dates),
        "A.5.4": (_file_notes(lambda i: i.incident_type == IncidentType.PRISON_RULES), _six_month_dates),
        "A.5.5": (_motivation, _motivation_dates),
        "B.1.1": (_terrorism, _no_dates),
        "B.3.1": (_time_left, _time_left_dates),
        "B.3.2": (_removal_order, _no_dates),
        "B.4.1": (_previous_conviction, _previous_dates),
        "B.4.2": (_time_since_previous, _previous_dates),
        "B.4.3": (_other_sources, _no_dates),
    }


def prepopulate(
    records: PrisonerRecords,
    today: datetime.date,
    *,
    used_assaults: Iterable[tuple[str, int]] = (),
    with_changes: bool = True,
) -> dict[str, PrepopulatedAnswer]:
    """Every suggested answer for one prisoner on `today`. `used_assaults` holds the
    (model label, pk) of serious assaults an earlier review already used for A.1.2. Without
    `with_changes` the dates on which time alone moves an answer are not worked out (a dry run
    needs only today's answers)."""
    answers = {}
    for code, (evaluate, candidate_dates) in _evaluators(frozenset(used_assaults)).items():
        now = evaluate(records, today)
        changes_on = changes_to = None
        future = {d for d in candidate_dates(records) if d > today} if with_changes else ()
        for day in sorted(future):
            later = evaluate(records, day).option
            if later != now.option:
                changes_on, changes_to = day, later
                break
        answers[code] = PrepopulatedAnswer(code, now.option, now.sources, changes_on, changes_to)
    return answers


def answers_of(prepopulated: dict[str, PrepopulatedAnswer]) -> dict[str, str]:
    return {code: answer.option for code, answer in prepopulated.items()}
