"""Synthetic demonstration data for IOMS, at any scale from a few dozen offenders to a national
database (250,000 offenders, about 500,000 sentences and 5 million casenotes, in about 500
offices).

This module is the one sanctioned place that writes rows without the services. Every real change
goes through a service that validates it and writes an audit row; demo data is synthetic, and an
audit row per generated record would be noise (and would make national-scale generation take
hours). So rows are built in memory as tuples and written with PostgreSQL COPY a chunk at a time
(demo/bulk.py), inside one transaction, and the folded names that `offenders.services` would
compute (offenders.phonetics fold) are computed here; the database's triggers add the other search
keys. The generator keeps to the models' validation rules (`Sentence.clean` and friends) and the
tests call `full_clean` on what it writes. Each phase's tables are analysed as soon as they are loaded.

Deterministic: the same `seed`, size and day give the same data. Each offender is generated from
its own `random.Random` derived from (seed, offender number), so offender n's identity is the same
whatever the size or chunking, and `person_plan(seed, n)` can be compared without a database (the
rest of the record depends on the offices, which grow with the size: demo/places.py). Dates are
placed relative to `today` (default: the local date) so that a fresh demo always has current
sentences.

The parts: demo/people.py (identities, PRNs, identifiers), demo/reference.py (offices, staff and
the demo logins, offence catalogue, programmes, document templates: found again by natural key, so
a second run with `force=True` reuses them and appends further offenders), demo/wording.py
(conditions and casenote text), and here each offender's sentence history and records. A fresh
demo then gets the work waiting for each login, made through the services (demo/work.py), and
the demo manager's allocation queue (`seed_allocation_queue`, run by the seed_demo command).
"""

import datetime
import functools
import itertools
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from tqdm import tqdm

from agencies.models import (
    Agency,
    Attendance,
    Programme,
    Referral,
    ReferralStatus,
)
from allocation.models import AllocateRequest, AllocateRequestKind, CaseAllocation, CaseRole
from allocation.reallocation import case_transfer_request
from allocation.requests import (
    REQUESTING_SENTENCE_TYPES,
    allocate_request_for_sentence,
    allocate_requests_for_upcoming_releases,
)
from casenotes.models import Casenote, CasenoteType
from classification.models import ReviewSchedule
from demo import bulk, names
from demo.classification import PRISON_RECORD_MODELS, seed_classification
from demo.conditions import seed_conditions
from demo.offences import BREACH_OFFENCE_BY_SENTENCE_TYPE
from demo.offender_management import seed_offender_management
from demo.people import (
    PersonPlan,
    add_months,
    add_years,
    between,
    days,
    given_name,
    identifier_value,
    person_plan,
    record_rng,
    weighted,
)
from demo.reference import (
    DEMO_PRISON_CODE,
    Reference,
    build_reference,
    ensure_document_templates,
)
from demo.wording import (
    ACTION_NOTES,
    CHILD_SAFETY_CONDITIONS,
    CONTACT_NOTES,
    PRISON_NOTES,
    SENSITIVE_NOTES,
    SUPERVISION_CONDITIONS,
)
from demo.work import seed_prisoners, seed_waiting_work
from documents.models import DocumentTemplate
from muster.models import MusterEntry
from muster.services import muster_entries_deferred
from offenders.models import Address, Flag, FlagKind, Gender, Identifier, Offender, OffenderAlias
from offenders.phonetics import fold
from sentences.models import (
    Charge,
    CompletionReason,
    Conviction,
    CustodyMovement,
    CustodyMovementKind,
    CustodyStatus,
    Offence,
    OffenceCategory,
    ReleaseReason,
    Sentence,
    SentenceEvent,
    SentenceEventKind,
    SentenceStatus,
    SentenceType,
)
from staff.demo_logins import demo_username
from staff.models import Office, OfficeKind, StaffMember, StaffPlacement, Team
from staff.roles import Role

User = get_user_model()

SIZES = {"small": 300, "medium": 5_000, "large": 50_000, "national": 250_000}
DEFAULT_SIZE = "small"
DEFAULT_SEED = 2026
# Offenders generated in memory before their rows are written: bounds memory at any size.
CHUNK_SIZE = 2_000
# A load of at least this many offenders, and more than are stored, drops the tables' indexes and
# builds them again afterwards (demo/bulk.py DeferredIndexes): cheaper than keeping them current.
REBUILD_INDEXES_FROM = 1_000
# Among the first offenders at the demo office, this share go to the demo probation officer.
DEMO_OFFICER_SHARE = 0.3
DEMO_OFFICER_FAVOURED = 3_000
NZ = ZoneInfo("Pacific/Auckland")

T = SentenceType
COMMUNITY_MANAGED = frozenset(set(SentenceType.values) - {SentenceType.IMPRISONMENT})
SENTENCE_TYPE_LABELS = dict(SentenceType.choices)
CANCELLABLE = frozenset({T.COMMUNITY_WORK, T.SUPERVISION, T.INTENSIVE_SUPERVISION, T.COMMUNITY_DETENTION})


# ---------------------------------------------------------------------------------------------
# Sentences: each offender's history is a list of episodes (a court appearance and what followed).


@dataclass
class Episode:
    lead: Offence
    extras: list[Offence]
    sentence_type: str
    months: int = 0
    hours: int | None = None
    with_supervision: bool = False
    indeterminate: bool = False
    order_date: datetime.date | None = None
    forced_reason: str = ""
    release: str = ""  # long-term imprisonment: "ped", "between" or "srd"
    extended_supervision: bool = False
    deferred_days: int = 0
    showcase: bool = False


@dataclass
class PlannedSentence:
    sentence_type: str
    court: Office
    order_date: datetime.date
    start_date: datetime.date
    end_date: datetime.date | None
    managing_office: Office
    episode: int
    offences: list[Offence] = field(default_factory=list)
    case_number: str = ""
    hours: int | None = None
    conditions: str = ""
    indeterminate: bool = False
    parole_eligibility_date: datetime.date | None = None
    statutory_release_date: datetime.date | None = None
    parole_hearing_date: datetime.date | None = None
    status: str = SentenceStatus.ACTIVE
    completion_reason: str = ""
    completed_on: datetime.date | None = None
    forced_reason: str = ""
    follows: "PlannedSentence | None" = None
    # Imprisonment: the day the prisoner leaves prison (the SRD, or parole before it); None while
    # that is not known (an indeterminate sentence).
    released_on: datetime.date | None = None


@dataclass(frozen=True)
class Showcase:
    """A fixed history for the first offenders, so even a tiny demo has every sentence type and
    every way a sentence ends, all on the demo probation officer's caseload."""

    episodes: tuple[tuple[str, str, int, int, str], ...]  # (offence, type, days ago, months, reason)
    release: str = ""
    extended_supervision: bool = False
    deferred_days: int = 0


SHOWCASES: tuple[Showcase, ...] = (
    Showcase((("CA172", T.IMPRISONMENT, 6 * 365, 0, ""),)),
    Showcase((("CA235", T.IMPRISONMENT, 900, 48, ""),), release="ped"),
    # In prison until a statutory release a few weeks away: a pre-release request for the demo office.
    Showcase((("CA231", T.IMPRISONMENT, 240, 18, ""),)),
    Showcase((("CA132-1", T.IMPRISONMENT, 6 * 365, 60, ""),), release="srd", extended_supervision=True),
    Showcase((("CA194B", T.HOME_DETENTION, 60, 8, ""),)),
    Showcase((("LTA56-4", T.COMMUNITY_WORK, 30, 0, ""),)),
    Showcase((("MDA9", T.SUPERVISION, 120, 12, ""),)),
    Showcase((("CA193", T.INTENSIVE_SUPERVISION, 150, 18, ""),)),
    Showcase((("CA269", T.COMMUNITY_DETENTION, 30, 4, ""),)),
    Showcase((("CA226", T.SUPERVISION, 3 * 365, 9, CompletionReason.NORMAL),)),
    Showcase(
        (
            ("CA219-1K", T.COMMUNITY_WORK, 400, 0, CompletionReason.CANCELLED_SUBSEQUENT),
            ("SA71", T.COMMUNITY_WORK, 300, 0, ""),
        )
    ),
    Showcase((("CA196", T.INTENSIVE_SUPERVISION, 2 * 365, 12, CompletionReason.QUASHED),)),
    Showcase((("MDA7-A", T.SUPERVISION, 2 * 365, 12, CompletionReason.DISCHARGED_EARLY),)),
    Showcase((("CA231", T.HOME_DETENTION, 540, 6, CompletionReason.TERMINATED),)),
    Showcase((("TSA13", T.IMPRISONMENT, 3 * 365, 96, ""),)),
    Showcase((("CA219-500", T.COMMUNITY_WORK, 5, 0, ""),), deferred_days=14),
)


def _conditions(rng: random.Random, sentence_type: str, *, child_safety: bool = False) -> str:
    if sentence_type == T.COMMUNITY_DETENTION:
        start = rng.choice(("7.00 pm", "8.00 pm", "9.00 pm"))
        return (
            f"Curfew from {start} to 6.00 am daily at the approved curfew address, electronically monitored."
        )
    opening = {
        T.SUPERVISION: "Standard conditions of supervision.",
        T.INTENSIVE_SUPERVISION: "Standard conditions of intensive supervision.",
        T.HOME_DETENTION: "Standard conditions of home detention; electronically monitored at the "
        "approved home detention address.",
        T.PAROLE: "Standard release conditions.",
        T.RELEASE_ON_CONDITIONS: "Standard release conditions.",
        T.EXTENDED_SUPERVISION: "Standard extended supervision conditions.",
    }[sentence_type]
    pool = CHILD_SAFETY_CONDITIONS if child_safety else SUPERVISION_CONDITIONS
    count = rng.randint(1, 3)
    special = rng.sample(pool, min(count, len(pool)))
    lines = [opening, "Special conditions:"] + [f"{number}. {text}" for number, text in enumerate(special, 1)]
    return "\n".join(lines)


def _sentence_type_for(rng: random.Random, offence: Offence) -> str:
    """Synthetic sentencing: the more serious the offence, the likelier prison (DOMAIN.md bands)."""
    if offence.code == "CA172":
        return T.IMPRISONMENT
    score = float(offence.seriousness)
    if score >= 1000:
        return T.IMPRISONMENT
    if score >= 300:
        options = ((T.IMPRISONMENT, 70), (T.HOME_DETENTION, 20), (T.INTENSIVE_SUPERVISION, 10))
    elif score >= 100:
        options = (
            (T.IMPRISONMENT, 35),
            (T.HOME_DETENTION, 30),
            (T.INTENSIVE_SUPERVISION, 25),
            (T.SUPERVISION, 10),
        )
    elif score >= 20:
        options = (
            (T.IMPRISONMENT, 5),
            (T.HOME_DETENTION, 15),
            (T.INTENSIVE_SUPERVISION, 20),
            (T.SUPERVISION, 25),
            (T.COMMUNITY_DETENTION, 15),
            (T.COMMUNITY_WORK, 20),
        )
    else:
        options = (
            (T.IMPRISONMENT, 1),
            (T.HOME_DETENTION, 4),
            (T.INTENSIVE_SUPERVISION, 5),
            (T.SUPERVISION, 25),
            (T.COMMUNITY_DETENTION, 15),
            (T.COMMUNITY_WORK, 50),
        )
    return weighted(rng, options)


def _term_months(rng: random.Random, sentence_type: str, offence: Offence) -> int:
    score = float(offence.seriousness)
    if sentence_type == T.IMPRISONMENT:
        if score >= 2000:
            return rng.randint(60, 168)
        if score >= 1000:
            return rng.randint(36, 96)
        if score >= 300:
            return rng.randint(18, 48)
        if score >= 100:
            return rng.randint(6, 30)
        return rng.randint(3, 18)
    return {
        T.SUPERVISION: lambda: rng.randint(6, 12),
        T.INTENSIVE_SUPERVISION: lambda: rng.randint(6, 24),
        T.COMMUNITY_DETENTION: lambda: rng.randint(1, 6),
        T.HOME_DETENTION: lambda: rng.choice((2, 3, 4, 4, 5, 6, 6, 8, 9, 10, 12)),
    }.get(sentence_type, lambda: 0)()


COMMUNITY_WORK_HOURS = (
    (40, 5),
    (60, 8),
    (80, 10),
    (100, 12),
    (120, 10),
    (150, 10),
    (200, 10),
    (250, 5),
    (300, 4),
    (400, 2),
)


# ---------------------------------------------------------------------------------------------
# Rows: the column values the generator gives, by attribute name, in COPY order (demo/bulk.py fills
# the other columns with their defaults). Tuples, not model instances: building a Django model
# costs more than generating its data.


class OffenderRow(NamedTuple):
    id: int
    prn: str
    family_name: str
    given_names: str
    preferred_name: str
    date_of_birth: datetime.date
    gender: str
    ethnicity: str
    home_office_id: int
    phone: str
    email: str
    family_name_folded: str
    given_names_folded: str


class AliasRow(NamedTuple):
    offender_id: int
    family_name: str
    given_names: str
    date_of_birth: datetime.date | None
    family_name_folded: str


class AddressRow(NamedTuple):
    offender_id: int
    kind: str
    line1: str
    suburb: str
    city: str
    postcode: str
    started_on: datetime.date
    ended_on: datetime.date | None


class IdentifierRow(NamedTuple):
    offender_id: int
    kind: str
    value: str


class FlagRow(NamedTuple):
    offender_id: int
    kind: str
    reason: str
    raised_on: datetime.date
    raised_by_id: int
    ended_on: datetime.date | None
    ended_reason: str


class ChargeRow(NamedTuple):
    id: int
    offender_id: int
    offence_id: int
    charged_on: datetime.date
    offence_date: datetime.date
    court_id: int
    outstanding: bool
    disposed_on: datetime.date | None
    outcome: str


class SentenceRow(NamedTuple):
    id: int
    offender_id: int
    sentence_type: str
    court_id: int
    court_case_number: str
    order_date: datetime.date
    start_date: datetime.date
    end_date: datetime.date | None
    parole_eligibility_date: datetime.date | None
    statutory_release_date: datetime.date | None
    parole_hearing_date: datetime.date | None
    hours: int | None
    conditions: str
    indeterminate: bool
    managing_office_id: int
    status: str
    completion_reason: str
    completed_on: datetime.date | None


class CustodyMovementRow(NamedTuple):
    offender_id: int
    kind: str
    prison_id: int
    occurred_on: datetime.date
    release_reason: str
    detail: str
    source: str


class ConvictionRow(NamedTuple):
    sentence_id: int
    offender_id: int
    offence_id: int
    charge_id: int
    offence_date: datetime.date
    convicted_on: datetime.date


class SentenceEventRow(NamedTuple):
    sentence_id: int
    kind: str
    occurred_on: datetime.date
    detail: str
    from_status: str
    to_status: str
    completion_reason: str
    source: str


class AllocationRow(NamedTuple):
    offender_id: int
    staff_id: int
    sentence_id: int
    role: str
    started_on: datetime.date
    ended_on: datetime.date | None
    reason: str
    end_reason: str
    allocated_by_id: int | None


class CasenoteRow(NamedTuple):
    offender_id: int
    sentence_id: int | None
    note_type: str
    contact_on: str  # with its UTC offset: `_moment`
    summary: str
    text: str
    sensitive: bool
    author_id: int | None


class ReferralRow(NamedTuple):
    id: int
    offender_id: int
    programme_id: int
    sentence_id: int
    referred_on: datetime.date
    status: str
    status_changed_on: datetime.date | None
    outcome_note: str
    referred_by_id: int


class AttendanceRow(NamedTuple):
    referral_id: int
    session_on: datetime.date
    attended: bool
    recorded_by_id: int


# The tables of a chunk, in the order they are written (a row's targets first), with their rows.
TABLES: tuple[tuple[type, type[NamedTuple], str], ...] = (
    (Offender, OffenderRow, "offenders"),
    (OffenderAlias, AliasRow, "aliases"),
    (Address, AddressRow, "addresses"),
    (Identifier, IdentifierRow, "identifiers"),
    (Flag, FlagRow, "flags"),
    (Charge, ChargeRow, "charges"),
    (Sentence, SentenceRow, "sentences"),
    (CustodyMovement, CustodyMovementRow, "custody_movements"),
    (Conviction, ConvictionRow, "convictions"),
    (SentenceEvent, SentenceEventRow, "events"),
    (CaseAllocation, AllocationRow, "allocations"),
    (Casenote, CasenoteRow, "casenotes"),
    (Referral, ReferralRow, "referrals"),
    (Attendance, AttendanceRow, "attendances"),
)
# Rows that others point at: their keys are numbered by the generator (demo/bulk.py reserve_keys).
NUMBERED = (Offender, Charge, Sentence, Referral)


FOLDED_FAMILY_NAME_LENGTH = Offender._meta.get_field("family_name_folded").max_length
FOLDED_GIVEN_NAMES_LENGTH = Offender._meta.get_field("given_names_folded").max_length


def _search_keys(family_name: str, given_names: str) -> dict[str, str]:
    """The search keys offenders.services stores with a name (offenders.phonetics), capped at the
    width of their columns as it caps them."""
    return {
        "family_name_folded": fold(family_name)[:FOLDED_FAMILY_NAME_LENGTH],
        "given_names_folded": fold(given_names)[:FOLDED_GIVEN_NAMES_LENGTH],
    }


@functools.cache
def _nz_offset(day: datetime.date) -> str:
    """New Zealand's UTC offset during that day's working hours ("+13:00" in daylight time)."""
    return datetime.datetime(day.year, day.month, day.day, 12, tzinfo=NZ).isoformat()[-6:]


# ---------------------------------------------------------------------------------------------
# The offender generator


@dataclass
class Batch:
    """The rows of a chunk of offenders, by table (TABLES)."""

    offenders: list = field(default_factory=list)
    aliases: list = field(default_factory=list)
    addresses: list = field(default_factory=list)
    identifiers: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    charges: list = field(default_factory=list)
    sentences: list = field(default_factory=list)
    custody_movements: list = field(default_factory=list)
    convictions: list = field(default_factory=list)
    events: list = field(default_factory=list)
    allocations: list = field(default_factory=list)
    casenotes: list = field(default_factory=list)
    referrals: list = field(default_factory=list)
    attendances: list = field(default_factory=list)

    def tables(self) -> Iterator[tuple[type, list]]:
        for model, _, name in TABLES:
            yield model, getattr(self, name)


class OffenderGenerator:
    def __init__(
        self,
        reference: Reference,
        *,
        seed: int,
        today: datetime.date,
        keys: dict[type, Iterator[int]] | None = None,
    ):
        """`keys`: the next free primary key of each NUMBERED model (demo/bulk.py reserve_keys);
        from 1 when only generating."""
        self.ref = reference
        self.seed = seed
        self.today = today
        self.keys = keys or {model: itertools.count(1) for model in NUMBERED}
        self._offence_cumulative = list(_cumulative(reference.offence_weights))
        self._office_cumulative = list(_cumulative(reference.probation_weights))
        self._low_offences = [
            offence
            for offence in reference.offences
            if offence.seriousness < 100 and not offence.code.startswith(("SA", "PA"))
        ]

    # -- entry point ---------------------------------------------------------------------------

    def build(self, index: int, batch: Batch) -> OffenderRow:
        person = person_plan(self.seed, index, self.today)
        rng = record_rng(self.seed, index)
        showcase = SHOWCASES[index] if index < len(SHOWCASES) else None
        if showcase:
            home = self.ref.demo_office
        else:
            home = rng.choices(self.ref.probation_offices, cum_weights=self._office_cumulative)[0]
        offender = OffenderRow(
            id=next(self.keys[Offender]),
            prn=person.prn,
            family_name=person.family_name,
            given_names=person.given_names,
            preferred_name=person.preferred_name,
            date_of_birth=person.date_of_birth,
            gender=person.gender,
            ethnicity=person.ethnicity,
            home_office_id=home.pk,
            phone=self._phone(rng) if rng.random() < 0.6 else "",
            email=self._email(rng, person) if rng.random() < 0.15 else "",
            **_search_keys(person.family_name, person.given_names),
        )
        batch.offenders.append(offender)
        offender_id = offender.id
        self._aliases(rng, offender_id, person, batch)
        self._addresses(rng, offender_id, home, batch)
        self._identifiers(rng, offender_id, index, batch)
        plans = self._history(rng, person, home, showcase)
        sentences = self._sentences(rng, offender_id, plans, batch)
        # The demo probation officer gets a full caseload at any size, not a huge one at national size.
        favour = 1.0 if showcase else (DEMO_OFFICER_SHARE if index < DEMO_OFFICER_FAVOURED else 0.0)
        officer_by_plan = self._allocations(
            rng, offender_id, plans, sentences, home, showcase is not None, favour, batch
        )
        self._hd_addresses(rng, offender_id, plans, home, batch)
        self._charges(rng, offender_id, home, batch)
        self._flags(rng, offender_id, plans, home, batch)
        self._casenotes(rng, offender_id, person, plans, sentences, officer_by_plan, home, batch)
        self._referrals(rng, offender_id, plans, sentences, officer_by_plan, batch)
        return offender

    # -- personal details ----------------------------------------------------------------------

    @staticmethod
    def _phone(rng: random.Random) -> str:
        return f"02{rng.choice('1127')} 555 {rng.randint(1000, 9999)}"

    @staticmethod
    def _email(rng: random.Random, person: PersonPlan) -> str:
        given = fold(person.given_names.split()[0]).replace(" ", "")
        family = fold(person.family_name).replace(" ", "").replace("-", "")
        return f"{given}.{family}{rng.randint(1, 99)}@example.com"

    def _aliases(self, rng, offender_id: int, person: PersonPlan, batch: Batch) -> None:
        if rng.random() >= 0.10:
            return
        for _ in range(rng.choice((1, 1, 1, 2))):
            kind = rng.random()
            if kind < 0.4:
                family = rng.choice(names.FAMILY_NAMES[weighted(rng, names.FAMILY_NAME_MIX[person.group])])
                given, dob = person.given_names, None
            elif kind < 0.8:
                family = person.family_name
                given = given_name(rng, person.group, person.gender)
                dob = None
            else:
                family, given = person.family_name, person.given_names
                dob = person.date_of_birth + days(rng.choice((-365, 1, 30, 365)))
            batch.aliases.append(
                AliasRow(
                    offender_id=offender_id,
                    family_name=family,
                    given_names=given,
                    date_of_birth=dob,
                    family_name_folded=fold(family)[:FOLDED_FAMILY_NAME_LENGTH],
                )
            )

    def _address(
        self, rng, offender_id: int, office: Office, started, ended, kind=Address.Kind.RESIDENTIAL
    ) -> AddressRow:
        suburb, postcode = rng.choice(self.ref.office_suburbs[office.pk])
        unit = f"{rng.randint(1, 12)}/" if rng.random() < 0.2 else ""
        return AddressRow(
            offender_id=offender_id,
            kind=kind,
            line1=f"{unit}{rng.randint(1, 320)} {rng.choice(names.STREET_NAMES)}",
            suburb=suburb,
            city=self.ref.office_city[office.pk],
            postcode=postcode,
            started_on=started,
            ended_on=ended,
        )

    def _addresses(self, rng, offender_id: int, home: Office, batch: Batch) -> None:
        count = rng.choice((1, 1, 2, 2, 3))
        start = self.today - days(rng.randint(60, 365 * 8))
        starts = sorted(between(rng, start, self.today - days(30)) for _ in range(count - 1))
        starts = [start, *starts]
        for number, started in enumerate(starts):
            last = number == len(starts) - 1
            office = home if last or rng.random() < 0.7 else rng.choice(self.ref.probation_offices)
            ended = None if last else max(started, starts[number + 1] - days(1))
            batch.addresses.append(self._address(rng, offender_id, office, started, ended))
        if rng.random() < 0.05:
            batch.addresses.append(
                AddressRow(
                    offender_id=offender_id,
                    kind=Address.Kind.POSTAL,
                    line1=f"PO Box {rng.randint(100, 99999)}",
                    suburb="",
                    city=self.ref.office_city[home.pk],
                    postcode=rng.choice(self.ref.office_suburbs[home.pk])[1],
                    started_on=starts[-1],
                    ended_on=None,
                )
            )

    def _identifiers(self, rng, offender_id: int, index: int, batch: Batch) -> None:
        chances = (
            (Identifier.Kind.PNC, 0.9),
            (Identifier.Kind.CMS, 0.95),
            (Identifier.Kind.DRIVER_LICENCE, 0.5),
            (Identifier.Kind.NHI, 0.4),
            (Identifier.Kind.PASSPORT, 0.1),
        )
        for kind, chance in chances:
            if rng.random() < chance:
                batch.identifiers.append(
                    IdentifierRow(offender_id=offender_id, kind=kind, value=identifier_value(kind, index))
                )

    # -- sentence history ----------------------------------------------------------------------

    def _pick_offence(self, rng) -> Offence:
        return rng.choices(self.ref.offences, cum_weights=self._offence_cumulative)[0]

    def _shape(self, rng, lead: Offence, sentence_type: str | None = None, months: int = 0) -> Episode:
        sentence_type = sentence_type or _sentence_type_for(rng, lead)
        episode = Episode(lead=lead, extras=[], sentence_type=sentence_type)
        for _ in range(weighted(rng, ((0, 55), (1, 30), (2, 15)))):
            extra = rng.choice(self._low_offences)
            if extra.seriousness <= lead.seriousness and extra not in episode.extras and extra != lead:
                episode.extras.append(extra)
        if sentence_type == T.COMMUNITY_WORK:
            episode.hours = weighted(rng, COMMUNITY_WORK_HOURS)
            episode.with_supervision = rng.random() < 0.2
        elif lead.code == "CA172":
            episode.indeterminate = True
            episode.months = rng.choice((120, 120, 120, 204))  # minimum period of imprisonment
        else:
            episode.months = months or _term_months(rng, sentence_type, lead)
        if sentence_type == T.IMPRISONMENT and episode.months > 24:
            episode.release = weighted(rng, (("ped", 35), ("between", 40), ("srd", 25)))
            episode.extended_supervision = lead.has_category(OffenceCategory.CHILD_SEX) and rng.random() < 0.6
        if (
            sentence_type in (T.COMMUNITY_WORK, T.HOME_DETENTION, T.COMMUNITY_DETENTION)
            and rng.random() < 0.04
        ):
            episode.deferred_days = rng.randint(7, 28)
        return episode

    @staticmethod
    def _time_to_next(rng, episode: Episode) -> int:
        """Days from an episode's order date to the next episode's, going backwards in time."""
        if episode.sentence_type == T.IMPRISONMENT:
            # After the latest release the sentence allows (half the term when short, the expiry
            # date when long): nobody is ordered to a community sentence while still in prison.
            # The draw of the old estimate is kept, so the rest of the data is unchanged.
            if episode.months <= 24:
                served = episode.months * 31 // 2 + 1
            else:
                rng.choice((3, 2))
                served = episode.months * 31
            return served + rng.randint(60, 900)
        length = 180 if episode.sentence_type == T.COMMUNITY_WORK else episode.months * 30
        return int(length * rng.uniform(0.3, 1.3)) + rng.randint(20, 600)

    def _episodes(self, rng, person: PersonPlan, showcase: Showcase | None) -> list[Episode]:
        adult = add_years(person.date_of_birth, 17)
        if showcase:
            episodes = []
            for code, sentence_type, days_ago, months, reason in showcase.episodes:
                episode = self._shape(rng, self.ref.offences_by_code[code], sentence_type, months)
                episode.extras = []
                episode.order_date = self.today - days(days_ago)
                episode.forced_reason = reason
                episode.release = showcase.release or episode.release
                episode.extended_supervision = showcase.extended_supervision
                episode.deferred_days = showcase.deferred_days
                episode.with_supervision = False
                episode.showcase = True
                episodes.append(episode)
            return episodes
        count = weighted(rng, ((1, 45), (2, 30), (3, 15), (4, 7), (5, 3)))
        episodes = [self._shape(rng, self._pick_offence(rng)) for _ in range(count)]
        # A life sentence ends the story: nothing is ordered after it while it runs.
        episodes.sort(key=lambda episode: episode.indeterminate)
        # A breach of one sentence is often among the charges at the next appearance.
        for earlier, later in zip(episodes, episodes[1:], strict=False):
            breach = BREACH_OFFENCE_BY_SENTENCE_TYPE.get(earlier.sentence_type)
            if earlier.sentence_type == T.IMPRISONMENT and earlier.months <= 24:
                breach = BREACH_OFFENCE_BY_SENTENCE_TYPE[T.RELEASE_ON_CONDITIONS]
            if breach and rng.random() < 0.3:
                later.extras.insert(0, self.ref.offences_by_code[breach])
        if rng.random() < 0.42:
            last = self.today - days(rng.randint(0, 330))
        else:
            last = self.today - days(rng.randint(331, 12 * 365))
        last = min(max(last, adult), self.today)
        episodes[-1].order_date = last
        for position in range(len(episodes) - 2, -1, -1):
            episodes[position].order_date = episodes[position + 1].order_date - days(
                self._time_to_next(rng, episodes[position])
            )
        return [episode for episode in episodes if episode.order_date >= adult]

    def _history(
        self, rng, person: PersonPlan, home: Office, showcase: Showcase | None
    ) -> list[PlannedSentence]:
        episodes = self._episodes(rng, person, showcase)
        plans: list[PlannedSentence] = []
        for number, episode in enumerate(episodes):
            plans.extend(self._materialise(rng, number, episode, person, home))
        order_dates = [episode.order_date for episode in episodes]
        for plan in plans:
            later = [day for day in order_dates[plan.episode + 1 :] if day > plan.start_date]
            self._settle(rng, plan, later[0] if later else None)
        self._end_at_imprisonment(plans)
        # A sentence quashed before release takes its release order with it.
        return [
            plan
            for plan in plans
            if plan.follows is None
            or plan.follows.completion_reason != "quashed"
            or plan.follows.completed_on >= plan.start_date
        ]

    def _case_number(self, rng, court: Office, day: datetime.date) -> str:
        return f"CRI-{day.year}-{self.ref.court_numbers[court.pk]}-{rng.randint(1, 999_999):06d}"

    def _materialise(self, rng, number: int, episode: Episode, person: PersonPlan, home: Office):
        order = episode.order_date
        lead = episode.lead
        serious = lead.seriousness >= 1000 or lead.has_category(OffenceCategory.TERRORISM)
        court = self.ref.high_court_for_office[home.pk] if serious else self.ref.court_for_office[home.pk]
        case = self._case_number(rng, court, order)
        start = order + days(episode.deferred_days)
        kind = episode.sentence_type
        common = {
            "court": court,
            "order_date": order,
            "case_number": case,
            "episode": number,
            "forced_reason": episode.forced_reason,
        }
        offences = [lead, *episode.extras]
        if kind == T.COMMUNITY_WORK:
            end = add_months(start, 6 if episode.hours <= 100 else 12)
            plans = [
                PlannedSentence(
                    kind,
                    start_date=start,
                    end_date=end,
                    managing_office=home,
                    hours=episode.hours,
                    offences=offences,
                    **common,
                )
            ]
            if episode.with_supervision:
                months = rng.randint(6, 12)
                plans.append(
                    PlannedSentence(
                        T.SUPERVISION,
                        start_date=start,
                        end_date=add_months(start, months),
                        managing_office=home,
                        conditions=_conditions(rng, T.SUPERVISION),
                        offences=offences[1:2],
                        **{**common, "forced_reason": ""},
                    )
                )
                plans[0].offences = offences[:1] + offences[2:]
            return plans
        if kind != T.IMPRISONMENT:
            end = add_months(start, episode.months) if episode.months else start + days(rng.randint(14, 60))
            return [
                PlannedSentence(
                    kind,
                    start_date=start,
                    end_date=end,
                    managing_office=home,
                    conditions=_conditions(rng, kind),
                    offences=offences,
                    **common,
                )
            ]
        return self._imprisonment(rng, episode, person, home, common, offences)

    def _imprisonment(self, rng, episode: Episode, person: PersonPlan, home: Office, common: dict, offences):
        start = episode.order_date
        women = person.gender == Gender.FEMALE
        prison = rng.choice(self.ref.prisons_for_office[(home.pk, women)])
        if episode.showcase and not women:
            # The showcase men serve at the demo prison, where the prison, recommending and
            # approving demo logins work (demo/reference.py), so even a tiny demo has prisoners
            # for them to classify. The draw above still happens: the rest of the data is unchanged.
            prison = self.ref.offices[DEMO_PRISON_CODE]
        if episode.indeterminate:
            ped = add_months(start, episode.months)
            hearing = max(ped, self.today + days(rng.randint(20, 300)))
            return [
                PlannedSentence(
                    T.IMPRISONMENT,
                    start_date=start,
                    end_date=None,
                    managing_office=prison,
                    indeterminate=True,
                    parole_eligibility_date=ped,
                    parole_hearing_date=hearing,
                    offences=offences,
                    **common,
                )
            ]
        end = add_months(start, episode.months)
        total = (end - start).days
        if episode.months <= 24:
            # Short-term: released at half on conditions that run six months past the expiry date.
            # Half and one third rounded up, as sentences.calculation computes them.
            srd = start + days(math.ceil(total / 2))
            prison_plan = PlannedSentence(
                T.IMPRISONMENT,
                start_date=start,
                end_date=end,
                managing_office=prison,
                statutory_release_date=srd,
                offences=offences,
                released_on=srd,
                **common,
            )
            if srd > self.today:
                # Still in prison: the release order is recorded when they are released.
                return [prison_plan]
            release = PlannedSentence(
                T.RELEASE_ON_CONDITIONS,
                start_date=srd,
                end_date=add_months(end, 6),
                managing_office=home,
                conditions=_conditions(rng, T.RELEASE_ON_CONDITIONS),
                follows=prison_plan,
                **{**common, "forced_reason": ""},
            )
            return [prison_plan, release]
        ped = start + days(math.ceil(total / 3))
        srd = end
        released = {"ped": ped, "srd": srd, "between": between(rng, ped, srd)}[episode.release or "between"]
        hearing = None
        if released > self.today:
            hearing = max(ped, self.today + days(rng.randint(14, 200)))
            hearing = min(hearing, srd)
        prison_plan = PlannedSentence(
            T.IMPRISONMENT,
            start_date=start,
            end_date=end,
            managing_office=prison,
            parole_eligibility_date=ped,
            statutory_release_date=srd,
            parole_hearing_date=hearing,
            offences=offences,
            released_on=released,
            **common,
        )
        plans = [prison_plan]
        if released > self.today:
            # Still in prison: parole, release conditions or extended supervision are recorded when
            # the Parole Board or the court decides, before the release.
            return plans
        child_safety = any(offence.has_category(OffenceCategory.CHILD_SEX) for offence in offences)
        if episode.extended_supervision:
            order = max(start, released - days(rng.randint(30, 120)))
            if order <= self.today:
                eso_court = self.ref.high_court_for_office[home.pk]
                plans.append(
                    PlannedSentence(
                        T.EXTENDED_SUPERVISION,
                        court=eso_court,
                        order_date=order,
                        start_date=released,
                        end_date=add_years(released, rng.randint(2, 10)),
                        managing_office=home,
                        conditions=_conditions(rng, T.EXTENDED_SUPERVISION, child_safety=True),
                        case_number=self._case_number(rng, eso_court, order),
                        episode=common["episode"],
                        follows=prison_plan,
                    )
                )
        if released < srd:
            order = max(start, released - days(rng.randint(14, 42)))
            if order <= self.today:
                plans.append(
                    PlannedSentence(
                        T.PAROLE,
                        court=common["court"],
                        order_date=order,
                        start_date=released,
                        end_date=max(end, add_months(released, 6)),
                        managing_office=home,
                        conditions=_conditions(rng, T.PAROLE, child_safety=child_safety),
                        episode=common["episode"],
                        follows=prison_plan,
                    )
                )
        elif not episode.extended_supervision:
            plans.append(
                PlannedSentence(
                    T.RELEASE_ON_CONDITIONS,
                    court=common["court"],
                    order_date=common["order_date"],
                    start_date=srd,
                    end_date=add_months(srd, 6),
                    managing_office=home,
                    conditions=_conditions(rng, T.RELEASE_ON_CONDITIONS, child_safety=child_safety),
                    case_number=common["case_number"],
                    episode=common["episode"],
                    follows=prison_plan,
                )
            )
        return plans

    def _settle(self, rng, plan: PlannedSentence, next_order: datetime.date | None) -> None:
        """Status and completion against today (Sentence: completed needs a reason and a date)."""
        today = self.today
        forced = plan.forced_reason
        if plan.start_date > today:
            plan.status = SentenceStatus.PENDING
            return
        if plan.end_date is None:
            return
        length = max((plan.end_date - plan.start_date).days, 1)
        reason, on = "", None
        cancellable = plan.sentence_type in CANCELLABLE or plan.sentence_type == T.HOME_DETENTION
        early_chance = 0.01 if plan.sentence_type == T.IMPRISONMENT else 0.08
        if forced == CompletionReason.CANCELLED_SUBSEQUENT or (
            not forced and cancellable and next_order and next_order < plan.end_date and rng.random() < 0.6
        ):
            reason, on = CompletionReason.CANCELLED_SUBSEQUENT, next_order
        elif (forced and forced != CompletionReason.NORMAL) or (not forced and rng.random() < early_chance):
            reason = forced or self._early_reason(rng, plan)
            fraction = {CompletionReason.QUASHED: (0.05, 0.3), CompletionReason.DISCHARGED_EARLY: (0.5, 0.9)}
            low, high = fraction.get(reason, (0.2, 0.8))
            on = plan.start_date + days(length * rng.uniform(low, high))
        # A release (at the SRD, or on parole before it) does not end the sentence of imprisonment:
        # it is a custody movement (_custody_movements), and the sentence runs to its expiry. The
        # prison's lists show only the people it holds (sentences.custody).
        if on is not None and on <= today:
            plan.status, plan.completion_reason, plan.completed_on = SentenceStatus.COMPLETED, reason, on
        elif plan.end_date < today:
            plan.status = SentenceStatus.COMPLETED
            plan.completion_reason, plan.completed_on = CompletionReason.NORMAL, plan.end_date

    def _custody_movements(self, offender_id: int, plan: PlannedSentence, batch: Batch) -> None:
        """A sentence of imprisonment that has started: received at its prison on its start, and
        released on parole or at the SRD (the plan's release), or when the sentence ended first
        (quashed: by the court's order; served: at its expiry)."""
        if plan.sentence_type != T.IMPRISONMENT or plan.status == SentenceStatus.PENDING:
            return
        prison = plan.managing_office.pk
        row = functools.partial(
            CustodyMovementRow, offender_id, prison_id=prison, source=CustodyMovement.Source.SYSTEM
        )
        batch.custody_movements.append(
            row(kind=CustodyMovementKind.RECEIVED, occurred_on=plan.start_date, release_reason="", detail="")
        )
        released, reason, detail = plan.released_on, "", ""
        if (
            released is not None
            and released <= self.today
            and (plan.completed_on is None or released <= plan.completed_on)
        ):
            srd = plan.statutory_release_date
            reason = (
                ReleaseReason.PAROLE
                if srd is not None and released < srd
                else ReleaseReason.STATUTORY_RELEASE
            )
        elif plan.status == SentenceStatus.COMPLETED:
            released = plan.completed_on
            if plan.completion_reason == CompletionReason.NORMAL:
                reason = ReleaseReason.SENTENCE_SERVED
            else:
                reason, detail = ReleaseReason.COURT_ORDER, CompletionReason(plan.completion_reason).label
        if reason:
            batch.custody_movements.append(
                row(
                    kind=CustodyMovementKind.RELEASED,
                    occurred_on=released,
                    release_reason=reason,
                    detail=detail,
                )
            )

    @staticmethod
    def _end_at_imprisonment(plans: list[PlannedSentence]) -> None:
        """A community sentence or order still running when a later sentence of imprisonment starts
        ends that day, cancelled by it: nobody is in prison and on a community muster at once."""
        for prison in plans:
            if prison.sentence_type != T.IMPRISONMENT or prison.status == SentenceStatus.PENDING:
                continue
            for plan in plans:
                if (
                    plan.sentence_type in COMMUNITY_MANAGED
                    and plan.episode < prison.episode
                    and plan.status != SentenceStatus.PENDING
                    and plan.start_date <= prison.start_date
                    and (plan.status == SentenceStatus.ACTIVE or plan.completed_on > prison.start_date)
                ):
                    plan.status = SentenceStatus.COMPLETED
                    plan.completion_reason = CompletionReason.CANCELLED_SUBSEQUENT
                    plan.completed_on = prison.start_date

    @staticmethod
    def _early_reason(rng, plan: PlannedSentence) -> str:
        if plan.sentence_type == T.IMPRISONMENT:
            return CompletionReason.QUASHED
        if plan.sentence_type in (T.SUPERVISION, T.INTENSIVE_SUPERVISION, T.EXTENDED_SUPERVISION, T.PAROLE):
            options = (
                (CompletionReason.DISCHARGED_EARLY, 6),
                (CompletionReason.TERMINATED, 2),
                (CompletionReason.QUASHED, 1),
            )
        else:
            options = ((CompletionReason.TERMINATED, 3), (CompletionReason.QUASHED, 1))
        return weighted(rng, options)

    # -- rows from the plan --------------------------------------------------------------------

    def _sentences(self, rng, offender_id: int, plans: list[PlannedSentence], batch: Batch) -> list[int]:
        """The sentences' rows; returns their keys."""
        sentences = []
        for plan in plans:
            sentence = SentenceRow(
                id=next(self.keys[Sentence]),
                offender_id=offender_id,
                sentence_type=plan.sentence_type,
                court_id=plan.court.pk,
                court_case_number=plan.case_number,
                order_date=plan.order_date,
                start_date=plan.start_date,
                end_date=plan.end_date,
                parole_eligibility_date=plan.parole_eligibility_date,
                statutory_release_date=plan.statutory_release_date,
                parole_hearing_date=plan.parole_hearing_date,
                hours=plan.hours,
                conditions=plan.conditions,
                indeterminate=plan.indeterminate,
                managing_office_id=plan.managing_office.pk,
                status=plan.status,
                completion_reason=plan.completion_reason,
                completed_on=plan.completed_on,
            )
            sentences.append(sentence.id)
            batch.sentences.append(sentence)
            self._custody_movements(offender_id, plan, batch)
            self._convictions(rng, offender_id, plan, sentence.id, batch)
            self._events(rng, plan, sentence.id, batch)
        return sentences

    def _convictions(
        self, rng, offender_id: int, plan: PlannedSentence, sentence_id: int, batch: Batch
    ) -> None:
        for offence in plan.offences:
            convicted = plan.order_date - days(rng.choice((0, 0, 0, 7, 14, 28, 42)))
            offence_date = convicted - days(rng.randint(20, 300))
            charged = min(offence_date + days(rng.randint(0, 14)), convicted)
            charge = ChargeRow(
                id=next(self.keys[Charge]),
                offender_id=offender_id,
                offence_id=offence.pk,
                charged_on=charged,
                offence_date=offence_date,
                court_id=plan.court.pk,
                outstanding=False,
                disposed_on=convicted,
                outcome=Charge.Outcome.CONVICTED,
            )
            batch.charges.append(charge)
            batch.convictions.append(
                ConvictionRow(
                    sentence_id=sentence_id,
                    offender_id=offender_id,
                    offence_id=offence.pk,
                    charge_id=charge.id,
                    offence_date=offence_date,
                    convicted_on=convicted,
                )
            )

    def _events(self, rng, plan: PlannedSentence, sentence_id: int, batch: Batch) -> None:
        Source = SentenceEvent.Source
        if plan.sentence_type in (T.PAROLE,):
            detail, source = (
                f"Parole Board decision received: release on parole from {plan.start_date:%d/%m/%Y}.",
                Source.PERSON,
            )
        elif plan.sentence_type == T.RELEASE_ON_CONDITIONS:
            detail, source = f"Release on conditions from {plan.start_date:%d/%m/%Y}.", Source.SYSTEM
        else:
            detail, source = (
                f"Court order received from {plan.court.name} ({plan.case_number}).",
                Source.COURT_INTERFACE,
            )
        batch.events.append(
            SentenceEventRow(
                sentence_id=sentence_id,
                kind=SentenceEventKind.ORDER_RECEIVED,
                occurred_on=plan.order_date,
                detail=detail,
                from_status="",
                to_status=SentenceStatus.ACTIVE
                if plan.status != SentenceStatus.PENDING
                else SentenceStatus.PENDING,
                completion_reason="",
                source=source,
            )
        )
        if plan.status != SentenceStatus.COMPLETED:
            return
        on, reason = plan.completed_on, plan.completion_reason
        if reason == CompletionReason.QUASHED:
            kind = rng.choice((SentenceEventKind.APPEAL_CONVICTION, SentenceEventKind.APPEAL_SENTENCE))
            batch.events.append(
                self._event(
                    sentence_id,
                    kind,
                    between(rng, plan.start_date, on),
                    "Notice of appeal filed in the Court of Appeal.",
                    Source.COURT_INTERFACE,
                )
            )
        elif reason == CompletionReason.DISCHARGED_EARLY:
            batch.events.append(
                self._event(
                    sentence_id,
                    SentenceEventKind.APPLICATION,
                    max(plan.start_date, on - days(rng.randint(14, 60))),
                    "Application for early discharge filed by the probation officer.",
                )
            )
        elif reason == CompletionReason.CANCELLED_SUBSEQUENT:
            batch.events.append(
                self._event(
                    sentence_id,
                    SentenceEventKind.BREACH,
                    max(plan.start_date, on - days(rng.randint(10, 40))),
                    "Charged with breach of the sentence.",
                )
            )
        details = {
            CompletionReason.NORMAL: "Sentence completed: expiry date reached.",
            CompletionReason.CANCELLED_SUBSEQUENT: "Cancelled on the imposition of a subsequent sentence.",
            CompletionReason.QUASHED: "Quashed on appeal.",
            CompletionReason.DISCHARGED_EARLY: "Discharged early on application.",
            CompletionReason.TERMINATED: rng.choice(
                (
                    "Terminated: offender deported.",
                    "Terminated by the court after a breach.",
                    "Terminated: offender unable to comply for health reasons.",
                )
            ),
        }
        batch.events.append(
            SentenceEventRow(
                sentence_id=sentence_id,
                kind=SentenceEventKind.COMPLETED,
                occurred_on=on,
                detail=details[reason],
                from_status=SentenceStatus.ACTIVE,
                to_status=SentenceStatus.COMPLETED,
                completion_reason=reason,
                source=Source.SYSTEM if reason == CompletionReason.NORMAL else Source.PERSON,
            )
        )

    @staticmethod
    def _event(
        sentence_id: int, kind: str, on: datetime.date, detail: str, source: str = ""
    ) -> SentenceEventRow:
        """An event that changes no status."""
        return SentenceEventRow(
            sentence_id=sentence_id,
            kind=kind,
            occurred_on=on,
            detail=detail,
            from_status="",
            to_status="",
            completion_reason="",
            source=source or SentenceEvent.Source.PERSON,
        )

    def _officer(self, rng, office: Office, favour: float) -> StaffMember:
        officers = self.ref.officers[office.pk]
        if office.pk == self.ref.demo_office.pk and favour and rng.random() < favour:
            return self.ref.demo_officer
        return rng.choice(officers)

    def _allocations(
        self,
        rng,
        offender_id: int,
        plans,
        sentences,
        home: Office,
        showcase: bool,
        favour: float,
        batch: Batch,
    ) -> dict:
        """A probation officer for each community-managed sentence; one open allocation per officer."""
        officer_by_plan: dict[int, StaffMember] = {}
        current_officer = self._officer(rng, home, favour)
        manager = self.ref.managers.get(home.pk)
        allocated_by = manager.user_id if manager else None
        current = []
        for position, plan in enumerate(plans):
            if plan.sentence_type not in COMMUNITY_MANAGED:
                continue
            if plan.status == SentenceStatus.COMPLETED:
                officer = (
                    current_officer
                    if rng.random() < 0.5
                    else self._officer(rng, plan.managing_office, favour)
                )
                officer_by_plan[position] = officer
                started = plan.start_date
                ended_how = CompletionReason(plan.completion_reason).label.lower()
                batch.allocations.append(
                    AllocationRow(
                        offender_id=offender_id,
                        staff_id=officer.pk,
                        sentence_id=sentences[position],
                        role=CaseRole.SUPERVISING_OFFICER,
                        started_on=started,
                        ended_on=max(started, plan.completed_on),
                        reason="New sentence",
                        end_reason=f"Sentence ended: {ended_how}",
                        allocated_by_id=allocated_by,
                    )
                )
            else:
                officer_by_plan[position] = current_officer
                current.append(position)
        if not current:
            return officer_by_plan
        latest = current[-1]
        started = min(min(plans[p].start_date, plans[p].order_date) for p in current)
        started = min(started, self.today)
        if not showcase and rng.random() < 0.15 and (self.today - started).days > 30:
            previous = self._officer(rng, home, 0.0)
            if previous.pk != current_officer.pk:
                handover = between(rng, started, self.today - days(2))
                batch.allocations.append(
                    AllocationRow(
                        offender_id=offender_id,
                        staff_id=previous.pk,
                        sentence_id=sentences[latest],
                        role=CaseRole.SUPERVISING_OFFICER,
                        started_on=started,
                        ended_on=handover,
                        reason="New sentence",
                        end_reason=rng.choice(
                            (
                                "Caseload rebalanced",
                                "Officer relocated to another team",
                                "Officer on extended leave",
                            )
                        ),
                        allocated_by_id=allocated_by,
                    )
                )
                started = handover + days(1)
        batch.allocations.append(
            AllocationRow(
                offender_id=offender_id,
                staff_id=current_officer.pk,
                sentence_id=sentences[latest],
                role=CaseRole.SUPERVISING_OFFICER,
                started_on=started,
                ended_on=None,
                reason="New sentence",
                end_reason="",
                allocated_by_id=allocated_by,
            )
        )
        if rng.random() < 0.08:
            co_worker = rng.choice(self.ref.officers[home.pk])
            if co_worker.pk != current_officer.pk:
                batch.allocations.append(
                    AllocationRow(
                        offender_id=offender_id,
                        staff_id=co_worker.pk,
                        sentence_id=sentences[latest],
                        role=CaseRole.CO_WORKER,
                        started_on=started,
                        ended_on=None,
                        reason="Co-working: specialist programme support",
                        end_reason="",
                        allocated_by_id=allocated_by,
                    )
                )
        return officer_by_plan

    def _hd_addresses(self, rng, offender_id: int, plans, home: Office, batch: Batch) -> None:
        for plan in plans:
            if plan.sentence_type != T.HOME_DETENTION:
                continue
            ended = plan.completed_on if plan.status == SentenceStatus.COMPLETED else None
            batch.addresses.append(
                self._address(rng, offender_id, home, plan.start_date, ended, kind=Address.Kind.HD_ADDRESS)
            )

    def _charges(self, rng, offender_id: int, home: Office, batch: Batch) -> None:
        draw = rng.random()
        if draw < 0.08:
            for _ in range(rng.choice((1, 1, 2))):
                charged = self.today - days(rng.randint(3, 200))
                batch.charges.append(
                    ChargeRow(
                        id=next(self.keys[Charge]),
                        offender_id=offender_id,
                        offence_id=self._pick_offence(rng).pk,
                        charged_on=charged,
                        offence_date=charged - days(rng.randint(0, 30)),
                        court_id=self.ref.court_for_office[home.pk].pk,
                        outstanding=True,
                        disposed_on=None,
                        outcome="",
                    )
                )
        elif draw < 0.13:
            charged = self.today - days(rng.randint(200, 3000))
            batch.charges.append(
                ChargeRow(
                    id=next(self.keys[Charge]),
                    offender_id=offender_id,
                    offence_id=self._pick_offence(rng).pk,
                    charged_on=charged,
                    offence_date=charged - days(rng.randint(0, 30)),
                    court_id=self.ref.court_for_office[home.pk].pk,
                    outstanding=False,
                    disposed_on=charged + days(rng.randint(30, 200)),
                    outcome=rng.choice(
                        (Charge.Outcome.DISMISSED, Charge.Outcome.WITHDRAWN, Charge.Outcome.ACQUITTED)
                    ),
                )
            )

    def _flags(self, rng, offender_id: int, plans, home: Office, batch: Batch) -> None:
        officers = self.ref.officers[home.pk]
        raised: set[str] = set()

        def raise_flag(kind, reason, on, ended=None, ended_reason=""):
            if kind in raised:
                return
            raised.add(kind)
            batch.flags.append(
                FlagRow(
                    offender_id=offender_id,
                    kind=kind,
                    reason=reason,
                    raised_on=min(on, self.today),
                    raised_by_id=rng.choice(officers).user_id,
                    ended_on=ended,
                    ended_reason=ended_reason,
                )
            )

        for plan in plans:
            for offence in plan.offences:
                if offence.has_category(OffenceCategory.CHILD_SEX):
                    raise_flag(
                        FlagKind.CHILD_SEX_OFFENDER,
                        f"Convicted of {offence.description.lower()}.",
                        plan.order_date,
                    )
                if offence.has_category(OffenceCategory.ESCAPE):
                    raise_flag(FlagKind.ESCAPE, "Convicted of escaping from lawful custody.", plan.order_date)
        first = min((plan.order_date for plan in plans), default=self.today - days(365))
        if rng.random() < 0.05:
            reason = rng.choice(
                (
                    "Threatened staff at the reporting centre.",
                    "Assaulted a corrections officer.",
                    "Known to carry weapons; see Police intelligence.",
                    "Made threats against a probation officer's family.",
                )
            )
            on = between(rng, first, self.today)
            if rng.random() < 0.2 and on < self.today - days(60):
                ended = min(on + days(rng.randint(30, 400)), self.today)
                raise_flag(
                    FlagKind.OFFENDER_WARNING, reason, on, ended, "Reviewed: warning no longer required."
                )
            else:
                raise_flag(FlagKind.OFFENDER_WARNING, reason, on)
        if rng.random() < 0.08:
            raise_flag(
                FlagKind.GANG,
                "Gang affiliation recorded from Police intelligence.",
                between(rng, first, self.today),
            )
        if rng.random() < 0.03:
            raise_flag(
                FlagKind.SAFETY_CONCERN,
                "Dogs on the property: home visits in pairs.",
                between(rng, first, self.today),
            )
        if rng.random() < 0.02:
            raise_flag(
                FlagKind.AT_RISK,
                "Self-harm risk identified; see the health casenote.",
                between(rng, first, self.today),
            )

    def _casenotes(
        self, rng, offender_id: int, person, plans, sentences, officer_by_plan, home: Office, batch
    ) -> None:
        first_name = person.preferred_name or person.given_names.split()[0]
        office_name = home.name
        programmes = self.ref.programmes.get(home.pk) or self.ref.programmes.get(None) or []
        # Notes are dated up to yesterday: one at a later hour today would be in the future.
        latest = self.today - days(1)
        spans = []  # (weight, plan position, start, end, author user id, prison)
        for position, plan in enumerate(plans):
            start = min(plan.start_date if plan.status != SentenceStatus.PENDING else plan.order_date, latest)
            end = min(plan.completed_on or plan.end_date or latest, latest)
            end = max(start, end)
            if plan.sentence_type in COMMUNITY_MANAGED:
                author = officer_by_plan[position].user_id
                prison = False
            else:
                staff = self.ref.prison_staff.get(plan.managing_office.pk)
                author = rng.choice(staff).user_id if staff else None
                prison = True
            weight = ((end - start).days + 30) * (1 if prison else 4)
            spans.append((weight, position, start, end, author, prison))
            batch.casenotes.append(
                CasenoteRow(
                    offender_id=offender_id,
                    sentence_id=sentences[position],
                    note_type=CasenoteType.SYSTEM,
                    contact_on=self._moment(rng, min(plan.order_date, latest)),
                    summary="Sentence record received",
                    text=f"{SENTENCE_TYPE_LABELS[plan.sentence_type]} recorded from "
                    f"{plan.court.name} order dated {plan.order_date:%d/%m/%Y}.",
                    sensitive=False,
                    author_id=None,
                )
            )
        if not spans:
            return
        managed = any(not span[5] for span in spans)
        # About 20 notes per offender: a national database of 250,000 offenders holds about 5
        # million (issue 10).
        count = rng.randint(8, 28) if managed else rng.randint(2, 8)
        cumulative = list(_cumulative([span[0] for span in spans]))
        for _ in range(count):
            _, position, start, end, author, prison = rng.choices(spans, cum_weights=cumulative)[0]
            day = between(rng, start, end)
            sensitive = rng.random() < 0.05
            if sensitive:
                note_type, (summary, text) = CasenoteType.CONTACT, rng.choice(SENSITIVE_NOTES)
            elif prison:
                note_type, (summary, text) = CasenoteType.ACTION, rng.choice(PRISON_NOTES)
            elif rng.random() < 0.7:
                note_type, (summary, text) = CasenoteType.CONTACT, rng.choice(CONTACT_NOTES)
            else:
                note_type, (summary, text) = CasenoteType.ACTION, rng.choice(ACTION_NOTES)
            programme = rng.choice(programmes).name if programmes else "the programme"
            batch.casenotes.append(
                CasenoteRow(
                    offender_id=offender_id,
                    sentence_id=sentences[position] if rng.random() < 0.8 else None,
                    note_type=note_type,
                    contact_on=self._moment(rng, day),
                    summary=summary,
                    text=text.format(name=first_name, office=office_name, programme=programme),
                    sensitive=sensitive,
                    author_id=author,
                )
            )

    @staticmethod
    def _moment(rng, day: datetime.date) -> str:
        """A time in working hours on `day`, New Zealand time, as text (formatting an aware
        datetime for each of millions of casenotes costs more than the rest of the note)."""
        minutes = rng.randint(8 * 60 + 30, 17 * 60)
        return f"{day} {minutes // 60:02d}:{minutes % 60:02d}:00{_nz_offset(day)}"

    def _referrals(self, rng, offender_id: int, plans, sentences, officer_by_plan, batch: Batch) -> None:
        managed = [p for p in officer_by_plan if plans[p].status != SentenceStatus.PENDING]
        if not managed or rng.random() >= 0.45:
            return
        used: set[int] = set()
        for _ in range(rng.choice((1, 1, 1, 2))):
            position = rng.choice(managed)
            plan = plans[position]
            pool = (self.ref.programmes.get(plan.managing_office.pk) or []) + (
                self.ref.programmes.get(None) or []
            )
            pool = [programme for programme in pool if programme.pk not in used]
            if not pool:
                return
            programme = rng.choice(pool)
            used.add(programme.pk)
            end = min(plan.completed_on or plan.end_date or self.today, self.today)
            referred = between(rng, plan.start_date, max(plan.start_date, end - days(14)))
            if plan.status == SentenceStatus.COMPLETED:
                status = weighted(
                    rng,
                    (
                        (ReferralStatus.COMPLETED, 55),
                        (ReferralStatus.WITHDRAWN, 30),
                        (ReferralStatus.DECLINED, 15),
                    ),
                )
            else:
                status = weighted(
                    rng,
                    (
                        (ReferralStatus.REFERRED, 30),
                        (ReferralStatus.ATTENDING, 40),
                        (ReferralStatus.COMPLETED, 20),
                        (ReferralStatus.WITHDRAWN, 10),
                    ),
                )
            changed = (
                None if status == ReferralStatus.REFERRED else between(rng, referred, max(referred, end))
            )
            outcome = {
                ReferralStatus.COMPLETED: "Completed the programme.",
                ReferralStatus.WITHDRAWN: "Withdrawn after repeated non-attendance.",
                ReferralStatus.DECLINED: "Provider declined: no places available.",
            }.get(status, "")
            officer = officer_by_plan[position]
            referral = ReferralRow(
                id=next(self.keys[Referral]),
                offender_id=offender_id,
                programme_id=programme.pk,
                sentence_id=sentences[position],
                referred_on=referred,
                status=status,
                status_changed_on=changed,
                outcome_note=outcome,
                referred_by_id=officer.user_id,
            )
            batch.referrals.append(referral)
            if status in (ReferralStatus.ATTENDING, ReferralStatus.COMPLETED):
                last = changed if status == ReferralStatus.COMPLETED else self.today
                session = referred + days(7)
                for _ in range(rng.randint(3, 8)):
                    if session > last:
                        break
                    batch.attendances.append(
                        AttendanceRow(
                            referral_id=referral.id,
                            session_on=session,
                            attended=rng.random() < 0.85,
                            recorded_by_id=officer.user_id,
                        )
                    )
                    session += days(7)


def _cumulative(weights: list[int]) -> Iterator[int]:
    total = 0
    for weight in weights:
        total += weight
        yield total


# ---------------------------------------------------------------------------------------------
# Running it


@dataclass
class SeedReport:
    offenders: int
    seed: int
    first_index: int
    counts: Counter
    phase_seconds: dict[str, float]

    @property
    def seconds(self) -> float:
        return sum(self.phase_seconds.values())


def resolve_size(size: str | None, offenders: int | None) -> int:
    if offenders is not None:
        if offenders < 1:
            raise ValueError("--offenders must be at least 1.")
        return offenders
    return SIZES[size or DEFAULT_SIZE]


def build_chunk(generator: OffenderGenerator, start: int, end: int) -> Batch:
    batch = Batch()
    for index in range(start, end):
        generator.build(index, batch)
    return batch


# The reference data's tables, analysed once it is written: the next queries join staff to users
# and groups, and a plan made for "empty" tables there took a test 25 minutes (issue 10).
REFERENCE_MODELS = (
    Office,
    Team,
    User,
    User.groups.through,
    StaffMember,
    StaffPlacement,
    Offence,
    Agency,
    Programme,
    DocumentTemplate,
)


# Every table seed_demo loads in bulk.
LOADED_MODELS = (
    *REFERENCE_MODELS,
    *(model for model, _, _ in TABLES),
    *PRISON_RECORD_MODELS,
    ReviewSchedule,
    MusterEntry,
    CustodyStatus,
)


# Each loaded person's custody now: their latest movement (sentences.custody keeps it the same way
# movement by movement). One set-based statement.
_CUSTODY_STATUS_SQL = f"""
INSERT INTO {CustodyStatus._meta.db_table} AS status (offender_id, in_custody, prison_id, since, movement_id)
SELECT DISTINCT ON (offender_id)
       offender_id, kind <> '{CustodyMovementKind.RELEASED}', prison_id, occurred_on, id
FROM {CustodyMovement._meta.db_table}
ORDER BY offender_id, occurred_on DESC, id DESC
ON CONFLICT (offender_id) DO UPDATE SET
    in_custody = excluded.in_custody, prison_id = excluded.prison_id, since = excluded.since,
    movement_id = excluded.movement_id
WHERE status.movement_id IS DISTINCT FROM excluded.movement_id
"""


def _custody_statuses_from_movements() -> None:
    with connection.cursor() as cursor:
        cursor.execute(_CUSTODY_STATUS_SQL)
    bulk.analyze([CustodyStatus])


def _write_offenders(
    reference: Reference,
    *,
    seed: int,
    today: datetime.date,
    first_index: int,
    offenders: int,
    counts: Counter,
    phases: dict[str, float],
    bar_options: dict,
) -> None:
    """Generate the offenders and COPY their rows, chunk by chunk; then rebuild the indexes (for
    a load larger than the tables hold) and analyse the tables."""
    started = time.perf_counter()
    models = [model for model, _, _ in TABLES]
    deferred = bulk.DeferredIndexes(models) if offenders >= max(REBUILD_INDEXES_FROM, first_index) else None
    generator = OffenderGenerator(reference, seed=seed, today=today, keys=bulk.reserve_keys(NUMBERED))
    now = timezone.now()
    tables = [(bulk.CopyTable(model, row._fields, now=now), name) for model, row, name in TABLES]

    def build(start: int, end: int) -> list[tuple[bulk.CopyTable, int, bytes]]:
        batch = build_chunk(generator, start, end)
        rows_by_table = [(table, getattr(batch, name)) for table, name in tables]
        return [(table, len(rows), table.payload(rows)) for table, rows in rows_by_table if rows]

    chunks = [
        (start, min(start + CHUNK_SIZE, first_index + offenders))
        for start in range(first_index, first_index + offenders, CHUNK_SIZE)
    ]
    # The next chunk is built (and put in COPY's format) in a worker thread while this one is
    # written: building touches no database, and the COPY mostly waits on PostgreSQL (which
    # releases the GIL). Each chunk is still built in order by one thread, so the output is
    # unchanged.
    with (
        tqdm(total=offenders, desc="Offenders", unit="offender", **bar_options) as bar,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-demo") as builder,
    ):
        upcoming = builder.submit(build, *chunks[0])
        for position, (start, end) in enumerate(chunks):
            written = upcoming.result()
            if position + 1 < len(chunks):
                upcoming = builder.submit(build, *chunks[position + 1])
            for table, rows, payload in written:
                table.copy(payload)
                counts[table.model._meta.verbose_name_plural] += rows
            bar.update(end - start)
    bulk.release_keys(NUMBERED)
    phases["offenders"] = time.perf_counter() - started

    if deferred:
        started = time.perf_counter()
        with tqdm(total=len(deferred.statements), desc="Indexes", unit="index", **bar_options) as bar:
            deferred.rebuild(on_step=lambda: bar.update(1))
        phases["indexes"] = time.perf_counter() - started

    started = time.perf_counter()
    bulk.analyze(models)
    phases["analyse offenders"] = time.perf_counter() - started


def seed_demo(
    *,
    offenders: int,
    seed: int = DEFAULT_SEED,
    today: datetime.date | None = None,
    first_index: int = 0,
    progress: bool = False,
    waiting_work: bool = True,
) -> SeedReport:
    """Generate `offenders` synthetic offenders (numbers first_index..) and everything they need,
    in one transaction: all or nothing. Each phase's tables are analysed before the next phase
    reads them. A fresh demo (first_index 0) also gets the work waiting for each login
    (demo/work.py) unless `waiting_work` is False: people made through the services, on top of
    the `offenders` generated."""
    waiting_work = waiting_work and first_index == 0
    today = today or timezone.localdate()
    phases: dict[str, float] = {}
    counts: Counter = Counter()
    bar_options = {"disable": not progress, "file": sys.stderr, "dynamic_ncols": True}
    with transaction.atomic():
        started = time.perf_counter()
        with tqdm(total=3, desc="Reference data", unit="step", **bar_options) as bar:
            reference = build_reference(seed=seed, total_offenders=offenders + first_index, today=today)
            bar.update(2)
            ensure_document_templates(reference.created)
            bulk.analyze(REFERENCE_MODELS)
            bar.update(1)
        counts.update(reference.created)
        phases["reference data"] = time.perf_counter() - started

        # The muster list's entries are built once from what was loaded (2 s at national size),
        # not refreshed by their triggers after each COPY, while the indexes are dropped (about
        # 20 s more on the 2 minutes of the national load).
        with muster_entries_deferred():
            _write_offenders(
                reference,
                seed=seed,
                today=today,
                first_index=first_index,
                offenders=offenders,
                counts=counts,
                phases=phases,
                bar_options=bar_options,
            )
            loaded = time.perf_counter()
        phases["muster entries"] = time.perf_counter() - loaded
        started = time.perf_counter()
        _custody_statuses_from_movements()
        phases["custody"] = time.perf_counter() - started

        with tqdm(total=2, desc="Prison records and teams", unit="step", **bar_options) as bar:
            started = time.perf_counter()
            if waiting_work:
                counts.update(seed_prisoners(today=today))
            seed_classification(seed=seed, today=today, counts=counts)
            phases["classification"] = time.perf_counter() - started
            bar.update(1)
            started = time.perf_counter()
            seed_offender_management(seed=seed, today=today, counts=counts)
            seed_conditions(seed=seed, today=today, counts=counts)
            phases["offender management"] = time.perf_counter() - started
            bar.update(1)
        if waiting_work:
            # Work waiting for each login (demo/work.py), through the services; then the counts
            # of the tables it added to, for the planner.
            started = time.perf_counter()
            counts.update(seed_waiting_work(today=today))
            bulk.analyze([Offender, Sentence, Casenote])
            phases["waiting work"] = time.perf_counter() - started
        # The deferred foreign-key checks of the rows written row by row run at the commit.
        started = time.perf_counter()
    phases["commit"] = time.perf_counter() - started

    if not connection.in_atomic_block:
        # After the commit (VACUUM cannot run in a transaction): the visibility map and hint bits
        # set now, so the first queries after a load use index-only scans and do not pay for them.
        started = time.perf_counter()
        with tqdm(total=1, desc="Vacuum", unit="step", **bar_options) as bar:
            bulk.vacuum(LOADED_MODELS)
            bar.update(1)
        phases["vacuum"] = time.perf_counter() - started
    return SeedReport(
        offenders=offenders, seed=seed, first_index=first_index, counts=counts, phase_seconds=phases
    )


__all__ = [
    "DEFAULT_SEED",
    "SIZES",
    "Batch",
    "OffenderGenerator",
    "SeedReport",
    "build_reference",
    "person_plan",
    "resolve_size",
    "seed_demo",
]


def seed_allocation_queue(*, limit: int = 6) -> int:
    """Give the demo service manager's queue a mix of work, each request made by the service that
    makes it in the portal: requests for the office's most recent current sentences (already
    supervised: they show the continuity suggestion), pre-release requests for prisoners released
    soon (the daily task's service), transfers in from other offices, and some requests received
    10 days ago or more and not yet allocated (overdue). The new people the court sentenced have
    theirs already (demo/work.py)."""
    manager = get_user_model().objects.filter(username=demo_username(Role.SERVICE_MANAGER)).first()
    member = StaffMember.objects.filter(user=manager).first() if manager else None
    if member is None:
        return 0
    office = member.office
    sentences = (
        Sentence.objects.current()
        .filter(managing_office=office, sentence_type__in=REQUESTING_SENTENCE_TYPES)
        .exclude(allocate_requests__kind=AllocateRequestKind.SENTENCE)  # the court's new people have theirs
        .select_related("offender", "managing_office")
        .order_by("-start_date", "pk")[:limit]
    )
    created = []
    for sentence in sentences:
        request = allocate_request_for_sentence(actor=None, sentence=sentence)
        if request is not None:
            created.append(request)
    before = AllocateRequest.objects.filter(office=office).count()
    allocate_requests_for_upcoming_releases()
    pre_release = AllocateRequest.objects.filter(office=office).count() - before
    # Transfers in: people supervised at the neighbouring offices who are moving to this one.
    incoming = (
        Sentence.objects.current()
        .filter(
            sentence_type__in=(SentenceType.SUPERVISION, SentenceType.INTENSIVE_SUPERVISION),
            status=SentenceStatus.ACTIVE,
            managing_office__region=office.region,
        )
        .exclude(managing_office=office)
        .exclude(allocate_requests__kind=AllocateRequestKind.TRANSFER)
        .select_related("offender", "managing_office")
        .order_by("start_date", "pk")
    )
    # The neighbouring offices (the same region), else any: a tiny demo has few people elsewhere.
    incoming = list(incoming[:2]) or list(
        Sentence.objects.current()
        .filter(
            sentence_type__in=(SentenceType.SUPERVISION, SentenceType.INTENSIVE_SUPERVISION),
            status=SentenceStatus.ACTIVE,
            managing_office__kind=OfficeKind.PROBATION,
        )
        .exclude(managing_office=office)
        .exclude(allocate_requests__kind=AllocateRequestKind.TRANSFER)
        .select_related("offender", "managing_office")
        .order_by("start_date", "pk")[:2]
    )
    transfers = 0
    if AllocateRequest.objects.filter(office=office, kind=AllocateRequestKind.TRANSFER).exists():
        incoming = []  # a second seeding (--force): the demo's transfers are already there
    for sentence in incoming:
        # The managers' e-mails are kept out of the seeding's output (the notifications stay).
        with override_settings(
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        ):
            case_transfer_request(
                actor=None,
                offender=sentence.offender,
                sentence=sentence,
                to_office=office,
                reason="Moving to Wellington for work; new address confirmed by the offender.",
            )
        transfers += 1
    # Received 10 and more days ago and still waiting: overdue. Moved back in time as a queue left
    # alone would be; the requests themselves are the service's.
    now = timezone.now()
    fresh = [request for request in created if request.received_at > now - datetime.timedelta(days=1)]
    if len(fresh) < len(created):
        fresh = []  # a second seeding: the queue already has its overdue requests
    today = timezone.localdate()
    for days_ago in (16, 12, 10):
        # Only a request for a sentence ordered before the day it is moved back to.
        request = next(
            (
                request
                for request in fresh
                if request.sentence is not None
                and request.sentence.order_date <= today - datetime.timedelta(days=days_ago)
            ),
            None,
        )
        if request is None:
            continue
        fresh.remove(request)
        AllocateRequest.objects.filter(pk=request.pk).update(
            received_at=now - datetime.timedelta(days=days_ago),
            due_on=today - datetime.timedelta(days=days_ago - 5),
        )
    return len(created) + pre_release + transfers
