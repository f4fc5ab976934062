"""Reads of sentences shared by the pages of other apps."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from sentences.calculation import Calculation, calculate, terms_of
from sentences.models import Sentence, SentenceStatus, SentenceType

# The Sentence fields sentences.calculation.terms_of reads.
CALCULATION_FIELDS = (
    "id",
    "start_date",
    "end_date",
    "indeterminate",
    "consecutive_to_id",
    "remand_days",
    "minimum_period_months",
    "court_case_number",
)


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
    imprisonment, with its key dates and breakdown (sentences/calculation.py); None when they have
    none. One query, however many sentences. Raises CalculationError if the recorded sentences
    cannot be combined (a cycle of 'cumulative on', which Sentence.clean refuses)."""
    sentences = (
        Sentence.objects.current()
        .filter(offender_id=offender_id, sentence_type=SentenceType.IMPRISONMENT)
        .only(*CALCULATION_FIELDS)
        .order_by("start_date", "id")
    )
    return calculate(terms_of(sentences))
