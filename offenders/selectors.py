"""Reads of offender records: search, and the record's timeline."""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Q

from offenders.models import Offender, OffenderAlias
from offenders.phonetics import fold, similarity, soundex

# Enough candidates to rank well; a national database of common surnames can have thousands of
# sound-alikes, so the narrowing terms (given names, date of birth) matter.
CANDIDATE_LIMIT = 400
PRN_PATTERN = re.compile(r"^\d{8,9}$")


@dataclass
class SearchHit:
    offender: Offender
    score: float
    matched_on: str
    aliases: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SearchTerms:
    text: str = ""
    date_of_birth: datetime.date | None = None
    office_id: int | None = None

    @property
    def empty(self) -> bool:
        return not self.text.strip() and self.date_of_birth is None


def _name_parts(text: str) -> tuple[str, str]:
    """'Smith, John' -> ('smith', 'john'); 'John Smith' -> ('smith', 'john'); 'Smith' -> ('smith', '')."""
    if "," in text:
        family, given = text.split(",", 1)
        return fold(family), fold(given)
    words = fold(text).split()
    if not words:
        return "", ""
    if len(words) == 1:
        return words[0], ""
    return words[-1], " ".join(words[:-1])


def _score(family: str, given: str, cand_family: str, cand_given: str) -> float:
    score = similarity(family, cand_family)
    if fold(cand_family).startswith(family):
        score = max(score, 0.9 + 0.1 * len(family) / max(len(fold(cand_family)), 1))
    if given:
        first_given = fold(cand_given).split()[:1]
        given_score = max(
            similarity(given, cand_given), similarity(given, first_given[0]) if first_given else 0
        )
        if fold(cand_given).startswith(given):
            given_score = max(given_score, 0.95)
        score = 0.6 * score + 0.4 * given_score
    return round(score, 3)


def offender_search(terms: SearchTerms, *, limit: int = 50) -> list[SearchHit]:
    """PRN exact; otherwise names and aliases by prefix or sound-alike (misspellings), narrowed by
    date of birth and office, ranked by similarity. Two to three queries whatever the data size."""
    text = terms.text.strip()
    base = Offender.objects.with_list_relations()
    if terms.office_id:
        base = base.filter(home_office_id=terms.office_id)
    if PRN_PATTERN.match(text):
        return [SearchHit(offender=o, score=1.0, matched_on="PRN") for o in base.filter(prn=text)]
    if terms.date_of_birth:
        base = base.filter(date_of_birth=terms.date_of_birth)
    family, given = _name_parts(text)
    if not family:
        if terms.date_of_birth is None:
            return []
        offenders = list(base.order_by("family_name", "given_names")[:limit])
        return [SearchHit(offender=o, score=1.0, matched_on="date of birth") for o in offenders]

    code = soundex(family)
    name_match = Q(family_name_folded__startswith=family) | Q(family_name_soundex=code)
    candidates = list(base.filter(name_match).order_by("family_name", "given_names", "id")[:CANDIDATE_LIMIT])
    hits: dict[int, SearchHit] = {}
    for offender in candidates:
        score = _score(family, given, offender.family_name, offender.given_names)
        hits[offender.pk] = SearchHit(offender=offender, score=score, matched_on="name")

    alias_filter = Q(family_name_folded__startswith=family) | Q(family_name_soundex=code)
    aliases = OffenderAlias.objects.filter(alias_filter).select_related("offender", "offender__home_office")
    if terms.office_id:
        aliases = aliases.filter(offender__home_office_id=terms.office_id)
    if terms.date_of_birth:
        aliases = aliases.filter(
            Q(offender__date_of_birth=terms.date_of_birth) | Q(date_of_birth=terms.date_of_birth)
        )
    for alias in aliases[:CANDIDATE_LIMIT]:
        score = _score(family, given, alias.family_name, alias.given_names or alias.offender.given_names)
        label = f"{alias.family_name}, {alias.given_names}".strip(", ")
        existing = hits.get(alias.offender_id)
        if existing is None or existing.score < score:
            hits[alias.offender_id] = SearchHit(
                offender=alias.offender, score=score, matched_on=f"alias {label}", aliases=[label]
            )
        elif existing is not None:
            existing.aliases.append(label)

    threshold = 0.55 if given else 0.5
    ranked = sorted(
        (hit for hit in hits.values() if hit.score >= threshold),
        key=lambda hit: (-hit.score, hit.offender.family_name, hit.offender.given_names, hit.offender.pk),
    )
    return ranked[:limit]
