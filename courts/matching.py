"""Which offender a court message is about.

In order: the PRN when the message gives one (an unknown PRN is an exception, never a new
offender), then the courts' participant ID (an Identifier of kind CMS), then name and date of
birth, aliases included. A name-and-date match is scored; only an exact match on one person's own
name is applied by itself. A match found only through an alias waits for a person, however exact:
seed 000 makes staff answer for the accuracy of what crosses the interface, and an alias is a name
the person has used, which someone else may carry as their own. A probable match (a sound-alike
or misspelt name with the same date of birth, the same name with the date a day out or its day and
month swapped, twins...) waits for a person to confirm or reject it.

The candidates are everyone born on the date or a near one (own date or an alias's): a handful of
people even nationally, so no name narrows them and a misspelt first letter (Kohen / Cohen) cannot
hide the person. Names are compared with the search's machinery: the database's fold and double
metaphone codes (offenders migration 0004), and edit distance.
"""

import contextlib
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from offenders.models import Identifier, Offender, OffenderAlias
from offenders.phonetics import fold, similarity
from offenders.selectors import name_codes

# Scores out of 100. The weights and the threshold are the matching policy: a candidate below the
# threshold is not shown to a person at all.
FAMILY_EXACT, FAMILY_SOUNDS_ALIKE = 40, 25
GIVEN_EXACT, FIRST_GIVEN_EXACT, FIRST_GIVEN_SOUNDS_ALIKE, SAME_INITIAL = 30, 22, 14, 5
DOB_EXACT, DOB_NEAR = 30, 12
EXACT_SCORE = FAMILY_EXACT + GIVEN_EXACT + DOB_EXACT
PROBABLE_THRESHOLD = 60
MAX_CANDIDATES = 10
# A family name this similar in spelling (difflib's ratio) is nearly the same: one slip in a name of
# five letters or more (Tamihana / Tamihanna, Smith / Smiht).
NEARLY_THE_SAME_SPELLING = 0.8


def _sound_alike(left: str, right: str, codes: dict[str, set[str]]) -> bool:
    return bool(codes.get(left, set()) & codes.get(right, set()))


class MatchKind:
    EXACT = "exact"  # one person, certainly: apply
    PROBABLE = "probable"  # a person must confirm or reject
    NONE = "none"  # nobody like this on record
    UNKNOWN_PRN = "unknown_prn"  # the message names a PRN that is not on record
    UNKNOWN_ID = "unknown_id"  # the message names a CMS participant ID that is not on record


ON_ALIAS = "matched on an alias, not the offender's own name"


@dataclass
class Candidate:
    offender: Offender
    score: int
    reasons: list[str]
    # The best score came from one of the offender's aliases, not their own name.
    on_alias: bool = False


@dataclass
class MatchResult:
    kind: str
    offender: Offender | None = None
    candidates: list[Candidate] = field(default_factory=list)
    reason: str = ""
    # "PRN 123" when a PRN or participant ID named an offender whose name or date of birth differ.
    number_hit: str = ""


def near_dates(date_of_birth: datetime.date) -> set[datetime.date]:
    """The dates a keying slip turns a date of birth into: a day either side, day and month swapped."""
    dates = {date_of_birth - datetime.timedelta(days=1), date_of_birth + datetime.timedelta(days=1)}
    if date_of_birth.day <= 12 and date_of_birth.day != date_of_birth.month:
        with contextlib.suppress(ValueError):  # 31/01 has no 1/31
            dates.add(date_of_birth.replace(month=date_of_birth.day, day=date_of_birth.month))
    return dates


def _score_name(
    *,
    family: str,
    given: str,
    dob: datetime.date | None,
    want_family: str,
    want_given: str,
    want_dob: datetime.date,
    label: str,
    codes: dict[str, set[str]],
) -> tuple[int, list[str]]:
    score, reasons = 0, []
    if fold(family) == fold(want_family):
        score += FAMILY_EXACT
        reasons.append(f"same family name{label}")
    elif _sound_alike(family, want_family, codes):
        score += FAMILY_SOUNDS_ALIKE
        reasons.append(f"family name sounds alike{label} ({family} / {want_family})")
    elif similarity(family, want_family) >= NEARLY_THE_SAME_SPELLING:
        score += FAMILY_SOUNDS_ALIKE
        reasons.append(f"family name nearly the same{label} ({family} / {want_family})")
    else:
        return 0, []
    given_folded, want_folded = fold(given), fold(want_given)
    first, want_first = (given_folded.split() or [""])[0], (want_folded.split() or [""])[0]
    if given_folded == want_folded:
        score += GIVEN_EXACT
        reasons.append("same given names")
    elif first and first == want_first:
        score += FIRST_GIVEN_EXACT
        reasons.append(f"same first name, other given names differ ({given} / {want_given})")
    elif first and want_first and _sound_alike(first, want_first, codes):
        score += FIRST_GIVEN_SOUNDS_ALIKE
        reasons.append(f"first name sounds alike ({given} / {want_given})")
    elif first and want_first and first[0] == want_first[0]:
        score += SAME_INITIAL
        reasons.append(f"same initial, given names differ ({given} / {want_given})")
    else:
        reasons.append(f"given names differ ({given or '—'} / {want_given or '—'})")
    if dob == want_dob:
        score += DOB_EXACT
        reasons.append("same date of birth")
    elif dob is not None and dob in near_dates(want_dob):
        score += DOB_NEAR
        reasons.append(f"date of birth nearly the same ({dob:%d/%m/%Y} / {want_dob:%d/%m/%Y})")
    else:
        return 0, []
    return score, reasons


Variant = tuple[str, str, datetime.date | None, str]  # family, given, date of birth, label


def _variants(offender: Offender) -> list[Variant]:
    """The offender's own name and each alias (an alias without its own date of birth uses the
    offender's)."""
    variants = [(offender.family_name, offender.given_names, offender.date_of_birth, "")]
    for alias in offender.aliases.all():
        variants.append(
            (alias.family_name, alias.given_names, alias.date_of_birth or offender.date_of_birth, " (alias)")
        )
    return variants


def _first_words(names) -> list[str]:
    return [(fold(name).split() or [""])[0] for name in names]


def _best_variant(
    variants: list[Variant], *, family_name: str, given_names: str, date_of_birth, codes: dict[str, set[str]]
) -> tuple[int, list[str], bool]:
    """The best score over a person's own name and each alias, with its reasons, and whether it
    came from an alias. The own name is scored first, so it wins a tie with an alias."""
    best: tuple[int, list[str], bool] = (0, [], False)
    for family, given, dob, label in variants:
        score, reasons = _score_name(
            family=family,
            given=given,
            dob=dob,
            want_family=family_name,
            want_given=given_names,
            want_dob=date_of_birth,
            label=label,
            codes=codes,
        )
        if score > best[0]:
            on_alias = bool(label)
            best = (score, [ON_ALIAS, *reasons] if on_alias else reasons, on_alias)
    return best


def _codes_for(family_name: str, given_names: str, variants: Iterable[Variant]) -> dict[str, set[str]]:
    names = [family_name, *_first_words([given_names])]
    for family, given, _, _ in variants:
        names += [family, *_first_words([given])]
    return name_codes(names)


def score_offender(
    offender: Offender,
    *,
    family_name: str,
    given_names: str,
    date_of_birth,
    codes: dict[str, set[str]] | None = None,
) -> Candidate:
    """The best score over the offender's own name and each alias."""
    variants = _variants(offender)
    if codes is None:
        codes = _codes_for(family_name, given_names, variants)
    score, reasons, on_alias = _best_variant(
        variants, family_name=family_name, given_names=given_names, date_of_birth=date_of_birth, codes=codes
    )
    return Candidate(offender, score, reasons, on_alias)


def name_candidates(*, family_name: str, given_names: str, date_of_birth: datetime.date) -> list[Candidate]:
    """Offenders born on the date or a near one (or with an alias that is) whose name, or an alias,
    is the same, sounds alike or is nearly the same spelling, best first. Five queries (four when
    nobody is like the name).

    The people born on those dates (about fifty nationally) are compared as plain rows; only the
    few that score are read as records."""
    dates = {date_of_birth, *near_dates(date_of_birth)}
    # Two indexed reads rather than an OR across the alias join, which no index serves.
    alias_owners = list(
        OffenderAlias.objects.filter(date_of_birth__in=dates).values_list("offender_id", flat=True)
    )
    people: dict[int, list[Variant]] = {
        pk: [(family, given, dob, "")]
        for pk, family, given, dob in Offender.objects.filter(
            Q(date_of_birth__in=dates) | Q(pk__in=alias_owners)
        ).values_list("pk", "family_name", "given_names", "date_of_birth")
    }
    if not people:
        return []
    for owner, family, given, dob in (
        OffenderAlias.objects.filter(offender_id__in=list(people))
        .order_by("id")
        .values_list("offender_id", "family_name", "given_names", "date_of_birth")
    ):
        people[owner].append((family, given, dob or people[owner][0][2], " (alias)"))
    codes = _codes_for(family_name, given_names, (v for variants in people.values() for v in variants))
    scored = [
        (
            pk,
            *_best_variant(
                variants,
                family_name=family_name,
                given_names=given_names,
                date_of_birth=date_of_birth,
                codes=codes,
            ),
        )
        for pk, variants in people.items()
    ]
    scored = sorted(
        (row for row in scored if row[1] >= PROBABLE_THRESHOLD), key=lambda row: (-row[1], row[0])
    )[:MAX_CANDIDATES]
    if not scored:
        return []
    offenders = Offender.objects.in_bulk([pk for pk, *_ in scored])
    return [Candidate(offenders[pk], score, reasons, on_alias) for pk, score, reasons, on_alias in scored]


def _checked(offender: Offender, details: dict, by: str) -> MatchResult:
    """A PRN or participant-ID hit is only as good as the name and date of birth that come with it:
    a typo in the number names somebody else. When the message gives a name and date of birth that
    do not match exactly (own name or an alias), a person must confirm the match."""
    if not details.get("family_name") or not details.get("date_of_birth"):
        return MatchResult(MatchKind.EXACT, offender=offender, reason=by)
    candidate = score_offender(
        offender,
        family_name=details["family_name"],
        given_names=details.get("given_names", ""),
        date_of_birth=details["date_of_birth"],
    )
    if candidate.score >= EXACT_SCORE:
        return MatchResult(MatchKind.EXACT, offender=offender, candidates=[candidate], reason=by)
    candidate.reasons = [
        f"{by} is this offender's",
        *(candidate.reasons or ["but the name and date of birth differ"]),
    ]
    return MatchResult(
        MatchKind.PROBABLE,
        candidates=[candidate],
        reason=f"{by} belongs to {offender}, but the name and date of birth in the message do not match "
        "the record exactly: a person must confirm this is the same offender.",
        number_hit=by,
    )


def _describe(details: dict) -> str:
    name = " ".join(part for part in (details.get("given_names"), details["family_name"]) if part)
    return f"{name}, born {details['date_of_birth']:%d/%m/%Y},"


def match_offender(details: dict) -> MatchResult:
    """`details` is a validated offender block of a message (prn, cms_participant_id,
    family_name, given_names, date_of_birth)."""
    prn = details.get("prn")
    if prn:
        offender = Offender.objects.filter(prn=prn).first()
        if offender is None:
            return MatchResult(
                MatchKind.UNKNOWN_PRN,
                reason=f"No offender has PRN {prn}. Check the PRN with the courts; a message with a "
                "PRN never creates a new offender.",
            )
        return _checked(offender, details, f"PRN {prn}")
    participant = details.get("cms_participant_id")
    if participant:
        identifier = (
            Identifier.objects.select_related("offender")
            .filter(kind=Identifier.Kind.CMS, value__iexact=participant)
            .first()
        )
        if identifier is not None:
            return _checked(identifier.offender, details, f"CMS participant ID {participant}")
        if not details.get("family_name") or not details.get("date_of_birth"):
            return MatchResult(
                MatchKind.UNKNOWN_ID,
                reason=f"No offender has CMS participant ID {participant}, and the message gives no "
                "name and date of birth to match on.",
            )
    candidates = name_candidates(
        family_name=details["family_name"],
        given_names=details.get("given_names", ""),
        date_of_birth=details["date_of_birth"],
    )
    exact = [candidate for candidate in candidates if candidate.score >= EXACT_SCORE]
    alone = len([c for c in candidates if c.score >= EXACT_SCORE - DOB_EXACT + DOB_NEAR]) == 1
    if len(exact) == 1 and alone and not exact[0].on_alias:
        only = exact[0]
        return MatchResult(
            MatchKind.EXACT, offender=only.offender, candidates=exact, reason="; ".join(only.reasons)
        )
    if len(exact) == 1 and alone:
        only = exact[0]
        return MatchResult(
            MatchKind.PROBABLE,
            candidates=candidates,
            reason=f"Matched on an alias only: {_describe(details)} is an alias of {only.offender}, "
            "not their own name. A person must confirm this is the same "
            "offender.",
        )
    if candidates:
        on_alias = len([c for c in exact if c.on_alias])
        return MatchResult(
            MatchKind.PROBABLE,
            candidates=candidates,
            reason=f"{len(candidates)} possible match{'es' if len(candidates) != 1 else ''} on name and "
            "date of birth"
            + (f" ({on_alias} matched on an alias)" if on_alias else "")
            + ": a person must confirm which (if any) is this offender.",
        )
    return MatchResult(MatchKind.NONE, reason="No offender with this name and date of birth.")
