"""Sentence calculation: a prisoner's sentences of imprisonment combined into one notional single
sentence, and its key dates, with a breakdown a person can read (docs/sentence-calculation.md).

The rules (New Zealand, Parole Act 2002; ../shared/DOMAIN.md):

- Each sentence's term runs from its commencement date (SCD) to its expiry date (SED) as the court
  ordered it. A sentence cumulative on another (`Sentence.consecutive_to`) is served after it: it
  starts when that one ends (or on its own SCD if that is later) and lasts its own term. Any other
  sentence is concurrent and runs from its own SCD.
- The notional single sentence runs from the earliest start to the latest end (s 75). An
  indeterminate sentence (life, preventive detention) makes it indeterminate.
- A notional sentence of 2 years or less is short-term; more than 2 years is long-term (s 4). A term
  of exactly 2 years (the SED is the same date 2 years after the SCD) is short-term; a day more is
  long-term.
- Short-term: released at the statutory release date (SRD), half-way through the notional term
  (s 86); no parole eligibility date.
- Long-term: the SRD is the sentence expiry date (s 86). Parole eligibility (PED) after one third of
  the notional term (s 84), unless the judge imposed a minimum period of imprisonment: then its end,
  counted from the start of that sentence, when it is later than one third.
- Time held on remand before sentence counts as time served (s 91): every key date moves earlier by
  the days credited, never before the notional start. The same days in custody count once, so a set
  of sentences takes the largest credit given to any of them, not the sum.
- Half and one third are of the term in days, rounded up: no part of a day is released early.

`calculate` is pure: it takes `SentenceTerm`s (from `terms_of` sentences already loaded) and
returns a `Calculation`; `disagreements` compares recorded dates with it."""

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

SHORT_TERM = relativedelta(years=2)  # Parole Act 2002, s 4: "2 years or less"

# The Sentence fields terms_of and served_with_current read: load them (`.only(...)`) and no more
# queries follow, whoever loads the sentences (the sentence page, the review schedule, the scan).
CALCULATION_FIELDS = (
    "id",
    "offender",
    "status",
    "completion_reason",
    "start_date",
    "end_date",
    "indeterminate",
    "consecutive_to",
    "remand_days",
    "minimum_period_months",
    "court_case_number",
)


class CalculationError(ValueError):
    """The sentences cannot be combined (a sentence cumulative on itself through others)."""


@dataclass(frozen=True)
class SentenceTerm:
    """One sentence of imprisonment as the calculation reads it."""

    sentence_id: int
    start_date: datetime.date  # SCD as ordered
    end_date: datetime.date | None  # SED as ordered; None when indeterminate
    consecutive_to_id: int | None = None
    remand_days: int = 0
    minimum_period_months: int | None = None
    label: str = ""

    @property
    def indeterminate(self) -> bool:
        return self.end_date is None

    @property
    def length_days(self) -> int | None:
        return None if self.end_date is None else (self.end_date - self.start_date).days


def terms_of(sentences: Iterable) -> list["SentenceTerm"]:
    """The terms of Sentence rows (imprisonment; their other types are not calculated)."""
    return [
        SentenceTerm(
            sentence_id=sentence.pk,
            start_date=sentence.start_date,
            end_date=None if sentence.indeterminate else sentence.end_date,
            consecutive_to_id=sentence.consecutive_to_id,
            remand_days=sentence.remand_days or 0,
            minimum_period_months=sentence.minimum_period_months,
            label=sentence.court_case_number or f"sentence {sentence.pk}",
        )
        for sentence in sentences
    ]


# Completions that take a sentence out of the notional sentence: it no longer counts at all.
NOT_SERVED_COMPLETIONS = frozenset({"quashed", "cancelled_subsequent"})


def served_with_current(sentences: Iterable, current_statuses: Iterable[str]) -> list:
    """Of one offender's sentences of imprisonment, those that make up the notional sentence being
    served (Parole Act 2002, s 75): the current ones; every sentence they are cumulative on, directly
    or through others, even when completed (a sentence served after one that is finished still
    starts when that one ended, and the notional sentence runs from the first one's start); and a
    completed sentence whose term overlapped one of those (concurrent sentences stay one notional
    sentence when the shorter one expires first). A quashed or cancelled sentence is not served.
    Pure: the caller loads the offender's sentences (with status and completion_reason)."""
    sentences = [s for s in sentences if getattr(s, "completion_reason", "") not in NOT_SERVED_COMPLETIONS]
    by_id = {sentence.pk: sentence for sentence in sentences}
    statuses = set(current_statuses)
    wanted: dict[int, object] = {}

    def keep(sentence) -> bool:
        added = False
        while sentence is not None and sentence.pk not in wanted:
            wanted[sentence.pk] = sentence
            added = True
            sentence = by_id.get(sentence.consecutive_to_id)
        return added

    for sentence in sentences:
        if sentence.status in statuses:
            keep(sentence)
    if not wanted:
        return []
    changed = True
    while changed:  # a handful of sentences per person: until nothing more overlaps
        changed = False
        for sentence in sentences:
            if sentence.pk not in wanted and any(_overlap(sentence, kept) for kept in list(wanted.values())):
                changed = keep(sentence) or changed
    return [sentence for sentence in sentences if sentence.pk in wanted]


def _overlap(one, other) -> bool:
    """The two terms, as ordered, share a day (an open end when indeterminate)."""
    one_end = None if one.indeterminate else one.end_date
    other_end = None if other.indeterminate else other.end_date
    return (one_end is None or other.start_date < one_end) and (
        other_end is None or one.start_date < other_end
    )


@dataclass(frozen=True)
class ServedTerm:
    """A sentence placed in the notional sentence: when it is served."""

    term: SentenceTerm
    start_date: datetime.date
    end_date: datetime.date | None
    cumulative_on: SentenceTerm | None


@dataclass(frozen=True)
class Calculation:
    start_date: datetime.date
    expiry_date: datetime.date | None  # the notional SED, after remand credit; None if indeterminate
    length_days: int | None  # the notional term, before remand credit
    long_term: bool
    parole_eligibility_date: datetime.date | None
    statutory_release_date: datetime.date | None
    remand_days: int
    served: tuple[ServedTerm, ...]
    steps: tuple[str, ...]  # the breakdown, in order, in plain words

    @property
    def indeterminate(self) -> bool:
        return self.expiry_date is None

    @property
    def earliest_release(self) -> datetime.date | None:
        return self.parole_eligibility_date or self.statutory_release_date

    def dates(self) -> dict[str, datetime.date | None]:
        """The calculated key dates by the Sentence field that records them."""
        return {
            "parole_eligibility_date": self.parole_eligibility_date,
            "statutory_release_date": self.statutory_release_date,
        }


def day_label(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _length_label(days: int) -> str:
    return f"{days} day" + ("" if days == 1 else "s")


def _served(terms: list[SentenceTerm]) -> list[ServedTerm]:
    """Place each sentence: a cumulative one after the sentence it is cumulative on (when that one
    is in the set), the others from their own start."""
    by_id = {term.sentence_id: term for term in terms}
    placed: dict[int, ServedTerm] = {}

    def place(term: SentenceTerm, path: tuple[int, ...]) -> ServedTerm:
        if term.sentence_id in placed:
            return placed[term.sentence_id]
        if term.sentence_id in path:
            raise CalculationError("A sentence cannot be cumulative on itself, directly or through others.")
        parent = by_id.get(term.consecutive_to_id) if term.consecutive_to_id else None
        start = term.start_date
        if parent is not None:
            before = place(parent, (*path, term.sentence_id))
            if before.end_date is None:
                raise CalculationError("A sentence cannot be cumulative on an indeterminate sentence.")
            start = max(before.end_date, term.start_date)
        end = None if term.length_days is None else start + datetime.timedelta(days=term.length_days)
        placed[term.sentence_id] = ServedTerm(term, start, end, parent)
        return placed[term.sentence_id]

    for term in terms:
        place(term, ())
    return [placed[term.sentence_id] for term in terms]


def _describe(served: ServedTerm) -> str:
    term = served.term
    if served.end_date is None:
        text = f"{term.label}: indeterminate, from {day_label(served.start_date)}"
    else:
        text = (
            f"{term.label}: {_length_label(term.length_days)}, served "
            f"{day_label(served.start_date)} to {day_label(served.end_date)}"
        )
    if served.cumulative_on is not None:
        text += f", cumulative on {served.cumulative_on.label}"
    else:
        text += ", concurrent"
    if term.minimum_period_months:
        text += f"; minimum period of imprisonment {term.minimum_period_months} months"
    if term.remand_days:
        text += f"; {_length_label(term.remand_days)} on remand"
    return text + "."


def calculate(terms: Iterable[SentenceTerm]) -> Calculation | None:
    """The notional single sentence of `terms` and its key dates; None for no terms."""
    terms = list(terms)
    if not terms:
        return None
    served = _served(terms)
    steps = [_describe(item) for item in served]
    start = min(item.start_date for item in served)
    indeterminate = any(item.end_date is None for item in served)
    end = None if indeterminate else max(item.end_date for item in served)
    credit = max(term.remand_days for term in terms)
    credit_delta = datetime.timedelta(days=credit)

    def credited(day: datetime.date) -> datetime.date:
        return max(day - credit_delta, start)

    minimum_ends = [
        (item.start_date + relativedelta(months=item.term.minimum_period_months), item.term)
        for item in served
        if item.term.minimum_period_months
    ]
    latest_minimum = max(minimum_ends, key=lambda pair: pair[0]) if minimum_ends else None

    if end is None:
        steps.append(f"Notional single sentence: indeterminate, from {day_label(start)}.")
        steps.append("An indeterminate sentence is long-term and has no statutory release date.")
        ped = None
        if latest_minimum is not None:
            ped = credited(latest_minimum[0])
            steps.append(
                f"Parole eligibility at the end of the minimum period of {latest_minimum[1].label}: "
                f"{day_label(latest_minimum[0])}."
            )
        else:
            steps.append(
                "No minimum period recorded: the parole eligibility date is set by the Parole Board."
            )
        if credit and ped:
            steps.append(f"Remand credit of {_length_label(credit)}: parole eligibility {day_label(ped)}.")
        return Calculation(start, None, None, True, ped, None, credit, tuple(served), tuple(steps))

    length = (end - start).days
    long_term = end > start + SHORT_TERM
    steps.append(
        f"Notional single sentence: {day_label(start)} to {day_label(end)}, {_length_label(length)}."
    )
    if long_term:
        steps.append("More than 2 years: a long-term sentence.")
        one_third = start + datetime.timedelta(days=math.ceil(length / 3))
        ped = one_third
        steps.append(f"One third of the term: {day_label(one_third)}.")
        if latest_minimum is not None and latest_minimum[0] > one_third:
            ped = latest_minimum[0]
            steps.append(
                f"The minimum period of imprisonment of {latest_minimum[1].label} ends later, on "
                f"{day_label(latest_minimum[0])}: parole eligibility then."
            )
        srd = end
        steps.append(f"Statutory release at the sentence expiry date: {day_label(end)}.")
    else:
        steps.append(
            "2 years or less: a short-term sentence, released at half, with no parole eligibility date."
        )
        ped = None
        srd = start + datetime.timedelta(days=math.ceil(length / 2))
        steps.append(f"Half of the term: statutory release on {day_label(srd)}.")
    expiry = credited(end)
    srd = credited(srd)
    ped = credited(ped) if ped else None
    if credit:
        dates = ", ".join(
            f"{name} {day_label(day)}"
            for name, day in (("parole eligibility", ped), ("statutory release", srd), ("expiry", expiry))
            if day
        )
        steps.append(f"Time on remand counts as served: {_length_label(credit)} earlier, so {dates}.")
    return Calculation(start, expiry, length, long_term, ped, srd, credit, tuple(served), tuple(steps))


@dataclass(frozen=True)
class Disagreement:
    field: str  # the Sentence field, e.g. "statutory_release_date"
    recorded: datetime.date | None
    calculated: datetime.date | None

    def describe(self, label: str) -> str:
        def show(day):
            return day_label(day) if day else "none"

        return f"{label}: recorded {show(self.recorded)}, calculated {show(self.calculated)}"


def disagreements(
    calculation: Calculation, recorded: dict[str, datetime.date | None], *, alone: bool = True
) -> list[Disagreement]:
    """The recorded key dates (by Sentence field name) that differ from the calculation.

    Not compared: a PED the calculation cannot give (an indeterminate sentence with no minimum
    period); the SRD of a set with an indeterminate sentence (it has none; a determinate sentence
    served with it keeps its own); and, for a sentence `alone` (not combined with others), a blank
    date, which is a missing key date rather than a wrong one (reconciliation's MissingKeyDates). A
    blank PED on a sentence combined into a long-term notional sentence is a difference: nothing else
    would notice it, since the sentence's own term may be short."""
    found = []
    for field, calculated in calculation.dates().items():
        if field not in recorded:
            continue
        if calculation.indeterminate and (field == "statutory_release_date" or calculated is None):
            continue
        if recorded[field] is None and alone:
            continue
        if recorded[field] != calculated:
            found.append(Disagreement(field, recorded[field], calculated))
    return found
