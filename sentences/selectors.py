"""Reads of sentences shared by the pages of other apps."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from sentences.models import Sentence, SentenceStatus


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
