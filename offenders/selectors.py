"""Reads of offender records: search, and the record's timeline."""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

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


@dataclass(frozen=True)
class KeyDate:
    label: str
    on: datetime.date
    sentence: object


def next_key_date(sentences, today: datetime.date) -> KeyDate | None:
    """The soonest date still to come among current sentences: commencement of a pending sentence,
    next parole hearing, PED, SRD or expiry (SED)."""
    upcoming: list[KeyDate] = []
    for sentence in sentences:
        if sentence.status == "pending":
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


# --- The record's timeline -----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    on: datetime.date
    kind: str
    title: str
    detail: str = ""
    at: datetime.datetime | None = None
    url_name: str = ""
    url_pk: int | None = None


@dataclass
class Timeline:
    entries: list[TimelineEntry]
    # Pass as `before` for the next (older) page; None when nothing older is left.
    next_before: datetime.date | None


@dataclass
class _Source:
    """One kind of timeline entry: a queryset ordered newest first and how to turn a row into an entry."""

    queryset: object
    date_field: str
    is_datetime: bool
    build: object


def _timeline_sources(offender: Offender, *, casenotes: bool, sensitive: bool, documents: bool) -> list:
    from agencies.models import Referral
    from allocation.models import CaseAllocation
    from casenotes.models import Casenote
    from documents.models import Document
    from offenders.models import Address, Flag
    from sentences.models import SentenceEvent

    local = timezone.localdate
    sources = [
        _Source(
            SentenceEvent.objects.filter(sentence__offender=offender)
            .select_related("sentence")
            .order_by("-occurred_on", "-id"),
            "occurred_on",
            False,
            lambda event: TimelineEntry(
                on=event.occurred_on,
                kind="Sentence",
                title=f"{event.get_kind_display()}: {event.sentence}",
                detail=event.detail,
                url_name="sentences:detail",
                url_pk=event.sentence_id,
            ),
        ),
        _Source(
            Referral.objects.filter(offender=offender)
            .select_related("programme__agency")
            .order_by("-referred_on", "-id"),
            "referred_on",
            False,
            lambda referral: TimelineEntry(
                on=referral.referred_on,
                kind="Programme",
                title=f"Referred to {referral.programme} ({referral.programme.agency})",
            ),
        ),
        _Source(
            Referral.objects.filter(offender=offender, status_changed_on__isnull=False)
            .select_related("programme")
            .order_by("-status_changed_on", "-id"),
            "status_changed_on",
            False,
            lambda referral: TimelineEntry(
                on=referral.status_changed_on,
                kind="Programme",
                title=f"{referral.programme}: {referral.get_status_display().lower()}",
                detail=referral.outcome_note,
            ),
        ),
        _Source(
            CaseAllocation.objects.filter(offender=offender)
            .select_related("staff__user")
            .order_by("-started_on", "-id"),
            "started_on",
            False,
            lambda allocation: TimelineEntry(
                on=allocation.started_on,
                kind="Staff",
                title=f"Allocated {allocation.staff} as {allocation.get_role_display().lower()}",
                detail=allocation.reason,
            ),
        ),
        _Source(
            CaseAllocation.objects.filter(offender=offender, ended_on__isnull=False)
            .select_related("staff__user")
            .order_by("-ended_on", "-id"),
            "ended_on",
            False,
            lambda allocation: TimelineEntry(
                on=allocation.ended_on,
                kind="Staff",
                title=f"Allocation of {allocation.staff} ended",
                detail=allocation.end_reason,
            ),
        ),
        _Source(
            Flag.objects.filter(offender=offender).order_by("-raised_on", "-id"),
            "raised_on",
            False,
            lambda flag: TimelineEntry(
                on=flag.raised_on, kind="Flag", title=f"Flag raised: {flag}", detail=flag.reason
            ),
        ),
        _Source(
            Flag.objects.filter(offender=offender, ended_on__isnull=False).order_by("-ended_on", "-id"),
            "ended_on",
            False,
            lambda flag: TimelineEntry(
                on=flag.ended_on, kind="Flag", title=f"Flag ended: {flag}", detail=flag.ended_reason
            ),
        ),
        _Source(
            Address.objects.filter(offender=offender).order_by("-started_on", "-id"),
            "started_on",
            False,
            lambda address: TimelineEntry(
                on=address.started_on,
                kind="Address",
                title=f"{address.get_kind_display()} address from this date",
                detail=str(address),
            ),
        ),
        _Source(
            Address.objects.filter(offender=offender, ended_on__isnull=False).order_by("-ended_on", "-id"),
            "ended_on",
            False,
            lambda address: TimelineEntry(
                on=address.ended_on,
                kind="Address",
                title=f"{address.get_kind_display()} address ended",
                detail=str(address),
            ),
        ),
    ]
    if casenotes:
        sources.append(
            _Source(
                Casenote.objects.filter(offender=offender)
                .visible_to_sensitive(sensitive)
                .select_related("author")
                .order_by("-contact_on", "-id"),
                "contact_on",
                True,
                lambda note: TimelineEntry(
                    on=local(note.contact_on),
                    at=note.contact_on,
                    kind="Casenote",
                    title=f"{note.get_note_type_display()}: {note.summary}",
                    detail=f"By {note.author.get_full_name() or note.author.get_username()}"
                    if note.author
                    else "By the system",
                    url_name="casenotes:detail",
                    url_pk=note.pk,
                ),
            )
        )
    if documents:
        sources.append(
            _Source(
                Document.objects.filter(offender=offender)
                .select_related("template")
                .order_by("-created_at", "-id"),
                "created_at",
                True,
                lambda document: TimelineEntry(
                    on=local(document.created_at),
                    at=document.created_at,
                    kind="Document",
                    title=f"Document created: {document.title}",
                    detail=f"{document.template} ({document.get_status_display().lower()})",
                    url_name="documents:detail",
                    url_pk=document.pk,
                ),
            )
        )
    return sources


def offender_timeline(
    offender: Offender,
    *,
    casenotes: bool,
    sensitive: bool,
    documents: bool,
    before: datetime.date | None = None,
    per_kind: int = 25,
) -> Timeline:
    """One date-ordered list (newest first) of everything that happened on the record.

    Each kind is fetched newest first and bounded to `per_kind` rows, so the page costs one query
    per kind whatever the record's size. Where a kind was cut short, older entries of the other
    kinds would be misleading (the gap would look empty), so the page stops at the newest date a
    cut-short kind reached, and `next_before` continues from there.
    """
    entries: list[TimelineEntry] = []
    cutoff: datetime.date | None = None
    before_at = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min)) if before else None
    for source in _timeline_sources(offender, casenotes=casenotes, sensitive=sensitive, documents=documents):
        queryset = source.queryset
        if before is not None:
            queryset = queryset.filter(
                **{f"{source.date_field}__lt": before_at if source.is_datetime else before}
            )
        rows = list(queryset[: per_kind + 1])
        built = [source.build(row) for row in rows[:per_kind]]
        if len(rows) > per_kind:
            oldest = built[-1].on
            cutoff = oldest if cutoff is None else max(cutoff, oldest)
        entries.extend(built)

    next_before = None
    if cutoff is not None:
        newer = [entry for entry in entries if entry.on > cutoff]
        if newer:
            entries, next_before = newer, cutoff + datetime.timedelta(days=1)
        else:
            # One kind fills a whole page within a single day: show that day as far as fetched.
            entries, next_before = [entry for entry in entries if entry.on >= cutoff], cutoff
    minimum = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    entries.sort(key=lambda entry: (entry.on, entry.at or minimum), reverse=True)
    return Timeline(entries=entries, next_before=next_before)
