"""Reads of offender records: search, and the record's timeline."""

import datetime
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models.functions import Lower, Reverse

from offenders.models import Identifier, Offender, OffenderAlias

PRN_PATTERN = re.compile(r"^\d{8,9}$")
# A run of digits is also taken as the start or the end of a PRN ("4123", "34567") from this length;
# fewer digits would match too many people to be of use.
PARTIAL_PRN_PATTERN = re.compile(r"^\d{4,9}$")
# Identifiers (PNC, driver licence, passport, NHI, CMS): one word holding a digit.
IDENTIFIER_PATTERN = re.compile(r"^(?=.*\d)[\w-]{4,40}$")


@dataclass
class SearchHit:
    offender: Offender | None
    score: float
    matched_on: str
    aliases: list[str] = field(default_factory=list)
    # A restricted record the searcher may not open: shown masked (its PRN and nothing else, so
    # nobody creates a duplicate), with the way to break the glass. `offender` is then None.
    masked: bool = False
    masked_id: int | None = None
    prn: str = ""

    def __post_init__(self) -> None:
        if self.offender is not None and not self.prn:
            self.prn = self.offender.prn


MASKED_MATCH = "restricted record"


def _masked_for(viewer, hits: list[SearchHit]) -> list[SearchHit]:
    """Hits on restricted records `viewer` may not open, replaced by masked rows: one query, and
    only when a hit is restricted."""
    restricted = {hit.offender.pk for hit in hits if hit.offender is not None and hit.offender.restricted}
    if not restricted:
        return hits
    visible = set(Offender.objects.visible_to(viewer).filter(pk__in=restricted).values_list("pk", flat=True))
    return [
        SearchHit(
            offender=None,
            score=hit.score,
            matched_on=MASKED_MATCH,
            masked=True,
            masked_id=hit.offender.pk,
            prn=hit.offender.prn,
        )
        if hit.offender is not None and hit.offender.pk in restricted - visible
        else hit
        for hit in hits
    ]


@dataclass(frozen=True)
class SearchTerms:
    text: str = ""
    date_of_birth: datetime.date | None = None
    office_id: int | None = None

    @property
    def empty(self) -> bool:
        return not self.text.strip() and self.date_of_birth is None


def name_codes(names) -> dict[str, set[str]]:
    """The double-metaphone codes of each name's words, as the database computes them for search."""
    names = sorted({name for name in names if name})
    if not names:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, offenders_name_codes(offenders_name_words(offenders_fold(name))) "
            "FROM unnest(%s::text[]) AS name",
            [names],
        )
        return {name: set(codes) for name, codes in cursor.fetchall()}


# --- Name search ---------------------------------------------------------------------------------
# Ranked in SQL over keys that the database derives from the names (offenders migration 0004). Each
# typed word is first matched against the vocabulary of name words on record (offenders_nameword: a
# word per distinct name word, not per person) by trigram similarity (typos), sound (double
# metaphone: Steven / Stephen, Kraig / Craig), prefix (the start of a long name, an initial) or one or
# two edits (a slip in a short name: Hmi, Hnanah); the candidates are then everyone whose name or
# alias holds a match for every typed word, looked up in a GIN index of the words. Word order does not
# matter ("Jones Daniel", "Smith, John", "Te Whata"), no candidate is dropped before ranking, and the
# work grows with the number of people who match, not with the country. With a date of birth or an
# office the candidates are everyone born that day or managed there, ranked the same way.

# Words of a query beyond this many still count in the score but do not narrow the candidates.
NARROWING_WORDS = 6
# How a candidate's score is made: how well each typed word is found among the words of the name
# (offenders_word_found: trigrams, edits, a typed start); the share of the typed words that sound
# like a word of the name (codes of two letters or more: "M" says little); whether a typed word is
# the family name (staff type the family name; two given names that match are someone else); and
# whether the parts typed as family and given names ("Smith, John", or "John Smith" read given names
# first) are found there, which ranks John Smith above a Smith John without hiding names typed
# family name first. Words of the name that were not typed (a middle name) cost nothing: everyone
# called John Smith ties for "John Smith", and a date of birth tells them apart.
WEIGHT_WORDS, WEIGHT_SOUNDS, WEIGHT_FAMILY, WEIGHT_ORDER = 0.60, 0.20, 0.10, 0.10
# Every typed word must be found in the name (this similar, or sounding the same): a name that
# shares only "Wiremu" with "Tamihana, Wiremu" is someone else.
WORD_FOUND = 0.3
# Below this a candidate is not shown.
MINIMUM_SCORE = 0.35
# A date of birth that matches is strong evidence by itself: a looser name is enough.
MINIMUM_SCORE_WITH_DATE_OF_BIRTH = 0.25

_NAME_SEARCH_SQL = """
WITH query AS (
    SELECT offenders_fold(%(text)s) AS name,
           -- The last word typed as the family name, the first typed as a given name.
           (regexp_split_to_array(offenders_fold(%(family)s), '[ -]+'))[
               cardinality(regexp_split_to_array(offenders_fold(%(family)s), '[ -]+'))] AS family_word,
           split_part(offenders_fold(%(given)s), ' ', 1) AS given_word
), query_word AS (
    SELECT word, dmetaphone(word) AS code
    FROM query, regexp_split_to_table(query.name, '[ -]+') AS word
    WHERE word <> ''
),{alternatives} candidate AS (
    {candidates}
), scored AS (
    SELECT candidate.offender_id, candidate.alias_id, words.weakest,
           %(weight_words)s * words.found
           + %(weight_sounds)s * words.sounding
           + %(weight_family)s * words.family_typed
           + %(weight_order)s * CASE WHEN query.given_word = '' THEN order_words.family
                                     ELSE (order_words.family + order_words.given) / 2.0 END AS score
    FROM candidate, query, LATERAL (
        -- Whether each part is found where it was typed, yes or no: finer shades of similarity here
        -- would rank a namesake with a second given name above the person typed.
        SELECT (offenders_word_found(query.family_word, candidate.family_words) >= 0.5)::int
                   AS family,
               (offenders_word_found(query.given_word, candidate.given_words) >= 0.5)::int
                   AS given
    ) AS order_words, LATERAL (
        SELECT avg(typed.found) AS found, avg(typed.sounding) AS sounding,
               min(greatest(typed.found, typed.sounding)) AS weakest,
               (max(typed.in_family) >= 0.5)::int AS family_typed
        FROM (
            SELECT offenders_word_found(query_word.word, candidate.name_words) AS found,
                   (length(query_word.code) >= 2 AND query_word.code = ANY(candidate.name_codes))::int
                       AS sounding,
                   offenders_word_found(query_word.word, candidate.family_words) AS in_family
            FROM query_word
        ) AS typed
    ) AS words
), best AS (
    SELECT DISTINCT ON (offender_id) offender_id, alias_id, score
    FROM scored
    WHERE score >= %(minimum)s AND weakest >= %(word_found)s
    ORDER BY offender_id, score DESC, alias_id
)
SELECT best.offender_id, best.alias_id, best.score
FROM best JOIN offenders_offender person ON person.id = best.offender_id
ORDER BY best.score DESC, person.family_name, person.given_names, person.id
LIMIT %(limit)s
"""

_PERSON_COLUMNS = (
    "person.id AS offender_id, 0 AS alias_id, person.name_words, person.name_codes, "
    "offenders_name_words(offenders_fold(person.family_name)) AS family_words, "
    "offenders_name_words(offenders_fold(person.given_names)) AS given_words"
)
_ALIAS_COLUMNS = (
    "alias.offender_id, alias.id, alias.name_words, alias.name_codes, "
    "offenders_name_words(offenders_fold(alias.family_name)), "
    "offenders_name_words(offenders_fold(coalesce(nullif(alias.given_names, ''), owner.given_names)))"
)

# The vocabulary words that a typed word may stand for. The word is folded by the same function as
# the names, from a parameter, so the planner sees a constant and the indexes serve every branch:
# trigrams (GIN), prefix (text_pattern_ops), codes (b-tree) and the length range for edits.
_ALTERNATIVES = """
    alternatives_{n} AS (
        SELECT coalesce(array_agg(vocabulary.word), '{{}}') AS words
        FROM offenders_nameword vocabulary
        WHERE vocabulary.word %% offenders_fold(%(word_{n})s)
           OR vocabulary.word LIKE offenders_fold(%(word_{n})s) || '%%'
           OR vocabulary.code = dmetaphone(offenders_fold(%(word_{n})s))
           OR vocabulary.alternate_code = dmetaphone(offenders_fold(%(word_{n})s))
           OR (length(vocabulary.word) BETWEEN length(offenders_fold(%(word_{n})s)) - 1
                                           AND length(offenders_fold(%(word_{n})s)) + 1
               AND levenshtein_less_equal(vocabulary.word, offenders_fold(%(word_{n})s), 2)
                   <= CASE WHEN length(offenders_fold(%(word_{n})s)) <= 5 THEN 1 ELSE 2 END)
    ),"""

# Everyone whose name, or an alias, holds a match for every typed word.
_NATIONAL_CANDIDATES = """
    SELECT {person} FROM offenders_offender person WHERE {person_filter}
    UNION ALL
    SELECT {alias}
    FROM offenders_offenderalias alias JOIN offenders_offender owner ON owner.id = alias.offender_id
    WHERE {alias_filter}
"""

# Everyone (and every alias of everyone) matching the narrowing terms; an alias may be used with a
# date of birth of its own.
_NARROWED_CANDIDATES = """
    SELECT {person}
    FROM offenders_offender person
    WHERE {person_filter}
    UNION ALL
    SELECT {alias}
    FROM offenders_offenderalias alias JOIN offenders_offender person ON person.id = alias.offender_id
    JOIN offenders_offender owner ON owner.id = alias.offender_id
    WHERE {person_filter}
    UNION ALL
    SELECT {alias}
    FROM offenders_offenderalias alias JOIN offenders_offender person ON person.id = alias.offender_id
    JOIN offenders_offender owner ON owner.id = alias.offender_id
    WHERE {alias_filter}
"""


def _narrowing_filters(terms: SearchTerms) -> tuple[str, str]:
    """Conditions on the person, and on an alias's own date of birth ("false" without one)."""
    person, alias = [], []
    if terms.date_of_birth is not None:
        person.append("person.date_of_birth = %(date_of_birth)s")
        alias.append("alias.date_of_birth = %(date_of_birth)s")
    if terms.office_id is not None:
        person.append("person.home_office_id = %(office_id)s")
        alias.append("person.home_office_id = %(office_id)s")
    if terms.date_of_birth is None:
        alias = ["false"]
    return " AND ".join(person), " AND ".join(alias)


def _typed_name_parts(text: str) -> tuple[str, str]:
    """What was most likely typed as the family and given names: 'Smith, John' or 'John Smith'."""
    if "," in text:
        family, given = text.split(",", 1)
        return family, given
    words = text.split()
    return (words[-1], " ".join(words[:-1])) if words else ("", "")


def _ranked_by_name(text: str, terms: SearchTerms, limit: int) -> list[tuple[int, int, float]]:
    narrowed = terms.date_of_birth is not None or terms.office_id is not None
    if narrowed:
        person_filter, alias_filter = _narrowing_filters(terms)
        candidates = _NARROWED_CANDIDATES.format(
            person=_PERSON_COLUMNS,
            alias=_ALIAS_COLUMNS,
            person_filter=person_filter,
            alias_filter=alias_filter,
        )
        alternatives, words = "", {}
    else:
        pieces = [piece for piece in re.split(r"[\s,-]+", text) if any(char.isalpha() for char in piece)]
        words = {f"word_{n}": piece for n, piece in enumerate(pieces[:NARROWING_WORDS])}
        alternatives = "".join(_ALTERNATIVES.format(n=n) for n in range(len(words)))
        holds = " AND ".join(
            f"{{table}}.name_words && (SELECT words FROM alternatives_{n})" for n in range(len(words))
        )
        candidates = _NATIONAL_CANDIDATES.format(
            person=_PERSON_COLUMNS,
            alias=_ALIAS_COLUMNS,
            person_filter=holds.format(table="person"),
            alias_filter=holds.format(table="alias"),
        )
    family, given = _typed_name_parts(text)
    minimum = MINIMUM_SCORE_WITH_DATE_OF_BIRTH if terms.date_of_birth is not None else MINIMUM_SCORE
    parameters = {
        "text": text,
        "date_of_birth": terms.date_of_birth,
        "office_id": terms.office_id,
        "weight_words": WEIGHT_WORDS,
        "weight_sounds": WEIGHT_SOUNDS,
        "weight_family": WEIGHT_FAMILY,
        "weight_order": WEIGHT_ORDER,
        "word_found": WORD_FOUND,
        "family": family,
        "given": given,
        "minimum": minimum,
        "limit": limit,
        **words,
    }
    with connection.cursor() as cursor:
        cursor.execute(_NAME_SEARCH_SQL.format(alternatives=alternatives, candidates=candidates), parameters)
        return [(offender_id, alias_id, float(score)) for offender_id, alias_id, score in cursor.fetchall()]


def _alias_label(alias: OffenderAlias) -> str:
    return f"{alias.family_name}, {alias.given_names}".strip(", ")


def _name_hits(text: str, terms: SearchTerms, limit: int) -> list[SearchHit]:
    ranked = _ranked_by_name(text, terms, limit)
    people = Offender.objects.with_list_relations().in_bulk([offender_id for offender_id, _, _ in ranked])
    alias_ids = [alias_id for _, alias_id, _ in ranked if alias_id]
    aliases = OffenderAlias.objects.in_bulk(alias_ids) if alias_ids else {}
    hits = []
    for offender_id, alias_id, score in ranked:
        if alias_id:
            label = _alias_label(aliases[alias_id])
            hits.append(SearchHit(people[offender_id], round(score, 3), f"alias {label}", aliases=[label]))
        else:
            hits.append(SearchHit(people[offender_id], round(score, 3), "name"))
    return hits


def _narrowed(queryset, terms: SearchTerms):
    if terms.office_id is not None:
        queryset = queryset.filter(home_office_id=terms.office_id)
    if terms.date_of_birth is not None:
        queryset = queryset.filter(date_of_birth=terms.date_of_birth)
    return queryset


def _number_hits(text: str, terms: SearchTerms, limit: int) -> list[SearchHit]:
    """A whole PRN, part of one, or another identifier (PNC, driver licence, passport, NHI, CMS)."""
    base = _narrowed(Offender.objects.with_list_relations(), terms)
    if PRN_PATTERN.match(text):
        exact = list(base.filter(prn=text))
        if exact:
            return [SearchHit(offender=offender, score=1.0, matched_on="PRN") for offender in exact]
    hits: list[SearchHit] = []
    if PARTIAL_PRN_PATTERN.match(text):
        # The start or the end of a PRN, each read from its own index (one query each: as one OR the
        # planner walks every PRN in order); digits from the middle are not how PRNs are read out.
        starting = list(base.filter(prn__startswith=text).order_by("prn")[:limit])
        ending = list(
            base.alias(prn_backwards=Reverse("prn"))
            .filter(prn_backwards__startswith=text[::-1])
            .order_by()[:limit]
        )
        seen = {offender.pk for offender in starting}
        partial = starting + sorted(
            (offender for offender in ending if offender.pk not in seen), key=lambda offender: offender.prn
        )
        hits += [
            SearchHit(offender=offender, score=0.9, matched_on="part of the PRN") for offender in partial
        ]
    if IDENTIFIER_PATTERN.match(text):
        # lower(value) = …, as the index identifier_value_lower has it (iexact would compare upper()).
        identifiers = (
            Identifier.objects.alias(value_lower=Lower("value"))
            .filter(value_lower=text.lower())
            .select_related("offender__home_office")
            .order_by("kind")
        )
        if terms.office_id is not None:
            identifiers = identifiers.filter(offender__home_office_id=terms.office_id)
        if terms.date_of_birth is not None:
            identifiers = identifiers.filter(offender__date_of_birth=terms.date_of_birth)
        seen = {hit.offender.pk for hit in hits}
        hits = [
            SearchHit(offender=identifier.offender, score=1.0, matched_on=identifier.get_kind_display())
            for identifier in identifiers
            if identifier.offender_id not in seen
        ] + hits
    return hits[:limit]


def offender_search(terms: SearchTerms, *, viewer, limit: int = 50) -> list[SearchHit]:
    """A PRN (whole or part) or another identifier; otherwise names and aliases in any word order,
    tolerant of typos, missing macrons and sound-alikes, narrowed by date of birth and office, ranked
    by how well they match. A fixed number of queries whatever the data size.

    Restricted records `viewer` may not open come back masked (issue 11: need-to-know); `viewer`
    None masks nothing (the bench's recall, which measures ranking, not people)."""
    hits = _unmasked_search(terms, limit)
    return hits if viewer is None else _masked_for(viewer, hits)


def _unmasked_search(terms: SearchTerms, limit: int) -> list[SearchHit]:
    text = " ".join(terms.text.split())
    if any(char.isdigit() for char in text):
        return _number_hits(text, terms, limit)
    if any(char.isalpha() for char in text):
        return _name_hits(text, terms, limit)
    if terms.date_of_birth is None:
        return []
    people = _narrowed(Offender.objects.with_list_relations(), terms).order_by(
        "family_name", "given_names", "id"
    )
    return [
        SearchHit(offender=offender, score=1.0, matched_on="date of birth") for offender in people[:limit]
    ]


# --- The offender record -------------------------------------------------------------------------


@dataclass
class OffenderRecord:
    """What the record's front page shows besides the offender row itself."""

    offender: Offender
    aliases: list
    current_addresses: list
    past_addresses: list
    identifiers: list
    active_flags: list
    ended_flags: list


def offender_active_flags(offender: Offender) -> list:
    """The warnings shown at the top of every page of the record."""
    from offenders.models import Flag

    return list(Flag.objects.filter(offender=offender, ended_on__isnull=True).order_by("-raised_on", "-id"))


def offender_record(offender: Offender) -> OffenderRecord:
    """Aliases, addresses over time, identifiers and flags: one query each."""
    from offenders.models import Address, Flag, Identifier

    addresses = list(Address.objects.filter(offender=offender).order_by("-started_on", "-id"))
    flags = list(
        Flag.objects.filter(offender=offender).select_related("raised_by").order_by("-raised_on", "-id")
    )
    return OffenderRecord(
        offender=offender,
        aliases=list(OffenderAlias.objects.filter(offender=offender).order_by("family_name", "given_names")),
        current_addresses=[address for address in addresses if address.ended_on is None],
        past_addresses=[address for address in addresses if address.ended_on is not None],
        identifiers=list(Identifier.objects.filter(offender=offender).order_by("kind", "value")),
        active_flags=[flag for flag in flags if flag.active],
        ended_flags=[flag for flag in flags if not flag.active],
    )


# --- Need-to-know (issue 11) ---------------------------------------------------------------------


def restriction_history(offender: Offender) -> dict:
    """The access list now, names taken off it, the restrictions and lifts, and the glass broken:
    one query each."""
    from offenders.models import BreakGlassGrant, OffenderRestriction, RestrictedAccess

    rows = list(
        RestrictedAccess.objects.filter(offender=offender)
        .select_related("user", "added_by", "removed_by")
        .order_by("added_at", "id")
    )
    return {
        "current_access": [row for row in rows if row.removed_at is None],
        "past_access": [row for row in rows if row.removed_at is not None],
        "changes": list(OffenderRestriction.objects.filter(offender=offender).select_related("actor")),
        "grants": list(BreakGlassGrant.objects.filter(offender=offender).select_related("user")),
    }


def break_glass_report_rows():
    """Every break-glass grant, newest first. The record is named by its PRN only: the report is
    read by managers not on its access list."""
    from offenders.models import BreakGlassGrant

    return (
        BreakGlassGrant.objects.select_related("offender", "user")
        .only(
            "granted_at",
            "expires_at",
            "reason",
            "offender__prn",
            "user__username",
            "user__first_name",
            "user__last_name",
        )
        .order_by("-granted_at", "-id")
    )
