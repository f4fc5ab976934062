"""Reads of sentences shared by the pages of other apps."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from sentences.calculation import (
    CALCULATION_FIELDS,
    Calculation,
    CalculationError,
    calculate,
    disagreements,
    served_with_current,
    terms_of,
)
from sentences.models import CURRENT_SENTENCE_STATUSES, Sentence, SentenceStatus, SentenceType


@dataclass(frozen=True)
class KeyDate:
    label: str
    on: datetime.date
    sentence: Sentence


def next_key_date(sentences: Iterable[Sentence], today: datetime.date) -> KeyDate | None:
    """The soonest date still to come among current sentences: commencement of a pending sentence,
    next parole hearing, PED, SRD or expiry (SED). No query: the caller passes the sentences."""
    upcoming: list[KeyDate] = []
    for sentence in sentences:
        if sentence.status == SentenceStatus.PENDING:
            upcoming.append(KeyDate("Starts (SCD)", sentence.start_date, sentence))
        for label, name in (
            ("Parole hearing", "parole_hearing_date"),
            ("PED", "parole_eligibility_date"),
            ("SRD", "statutory_release_date"),
            ("Expires (SED)", "end_date"),
        ):
            value = getattr(sentence, name)
            if value is not None:
                upcoming.append(KeyDate(label, value, sentence))
    upcoming = [key_date for key_date in upcoming if key_date.on >= today]
    return min(upcoming, key=lambda key_date: key_date.on) if upcoming else None


def sentence_calculation_for(offender_id: int) -> Calculation | None:
    """The notional single sentence of the offender's current (pending or active) sentences of
    imprisonment and the completed ones they are cumulative on, with its key dates and breakdown
    (sentences/calculation.py); None when they have none. One query: the offender's sentences of
    imprisonment (a handful per person). Raises CalculationError if the recorded sentences cannot
    be combined (a cycle of 'cumulative on', which Sentence.clean refuses)."""
    sentences = (
        Sentence.objects.filter(offender_id=offender_id, sentence_type=SentenceType.IMPRISONMENT)
        .only(*CALCULATION_FIELDS)
        .order_by("start_date", "id")
    )
    return calculate(terms_of(served_with_current(sentences, CURRENT_SENTENCE_STATUSES)))


# How a warning names the key date that differs.
KEY_DATE_NAMES = {
    "parole_eligibility_date": "parole eligibility date",
    "statutory_release_date": "statutory release date",
}


@dataclass(frozen=True)
class KeyDateComparison:
    """One key date of a sentence of imprisonment: as recorded on it and as calculated."""

    field: str
    label: str
    recorded: datetime.date | None
    calculated: datetime.date | None
    differs: bool  # a PED or SRD that differs from the calculation (sentences.calculation.disagreements)
    note: str = ""  # why the calculated date is blank or not compared

    @property
    def warning(self) -> str:
        """'The recorded statutory release date differs from the calculation', or, for a date not
        recorded at all, 'No parole eligibility date is recorded, but the calculation gives one'."""
        name = KEY_DATE_NAMES.get(self.field, self.label)
        if self.recorded is None:
            return f"No {name} is recorded, but the calculation gives one"
        return f"The recorded {name} differs from the calculation"


@dataclass(frozen=True)
class SentenceKeyDates:
    """The 'Key dates' of a sentence's page: the calculation of the offender's current sentences of
    imprisonment beside the dates recorded on this one. `calculation` is None when the sentence is
    completed (`completed`) or its sentences cannot be combined (`error`)."""

    calculation: Calculation | None
    rows: tuple[KeyDateComparison, ...] = ()
    completed: bool = False
    error: str = ""

    @property
    def differing(self) -> tuple[KeyDateComparison, ...]:
        return tuple(row for row in self.rows if row.differs)

    @property
    def other_sentences(self) -> int:
        return len(self.calculation.served) - 1 if self.calculation else 0


def sentence_key_dates(sentence: Sentence) -> SentenceKeyDates | None:
    """The key dates of a sentence of imprisonment (None for any other type): one query, for the
    calculation of the offender's current sentences of imprisonment, when the sentence is current."""
    if sentence.sentence_type != SentenceType.IMPRISONMENT:
        return None
    if sentence.status == SentenceStatus.COMPLETED:
        return SentenceKeyDates(calculation=None, completed=True)
    try:
        calculation = sentence_calculation_for(sentence.offender_id)
    except CalculationError as error:
        return SentenceKeyDates(calculation=None, error=str(error))
    if calculation is None:  # the sentence changed since it was read
        return None
    recorded = {
        "parole_eligibility_date": sentence.parole_eligibility_date,
        "statutory_release_date": sentence.statutory_release_date,
    }
    # The page names a missing date too (the exceptions report has it as a missing key date).
    differing = {found.field for found in disagreements(calculation, recorded, alone=False)}
    ped_note = ""
    if calculation.parole_eligibility_date is None:
        ped_note = (
            "Set by the Parole Board: no minimum period recorded."
            if calculation.indeterminate
            else "None: a short-term sentence is released at its SRD."
        )
    rows = (
        KeyDateComparison(
            "parole_eligibility_date",
            "Parole eligibility date (PED)",
            recorded["parole_eligibility_date"],
            calculation.parole_eligibility_date,
            "parole_eligibility_date" in differing,
            ped_note,
        ),
        KeyDateComparison(
            "statutory_release_date",
            "Statutory release date (SRD)",
            recorded["statutory_release_date"],
            calculation.statutory_release_date,
            "statutory_release_date" in differing,
            "None: an indeterminate sentence has no SRD." if calculation.indeterminate else "",
        ),
        KeyDateComparison(
            "end_date",
            "Expiry date (SED)",
            sentence.end_date,
            calculation.expiry_date,
            False,
            "Indeterminate."
            if calculation.indeterminate
            else "The notional sentence's expiry, after remand credit; not compared with this sentence's "
            "own SED.",
        ),
    )
    return SentenceKeyDates(calculation=calculation, rows=rows)
