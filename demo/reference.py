"""Reference data for the demo: offices (demo/places.py), their teams and staff with the demo
logins (staff/demo_logins.py), the offence catalogue (demo/offences.py), agencies and programmes,
and the document templates. Rows are matched by natural key (office code, staff number, offence
code, agency name, template code), so building it again finds them rather than adding more."""

import base64
import datetime
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Agency, AgencyStatus, Programme, ProgrammeStatus
from demo import names
from demo.offences import OFFENCES
from demo.people import GROUP_WEIGHTS, days, given_name, weighted
from demo.places import (
    AGENCIES,
    COURTS,
    HIGH_COURT_BY_REGION,
    PRISON_TEAMS,
    PRISONS,
    PROBATION_OFFICES,
    PROBATION_TEAMS,
    SERVICE_CENTRE_TEAMS,
    SERVICE_CENTRES,
    ProbationOffice,
    probation_offices,
)
from documents.models import DocumentTemplate
from offenders.models import Gender
from offenders.phonetics import fold
from sentences.models import Offence
from staff.demo_logins import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERNAMES
from staff.models import Office, OfficeKind, StaffMember, StaffPlacement, Team
from staff.roles import Role

BATCH_SIZE = 5_000
DEMO_OFFICE_CODE = "CC-WLG"
DEMO_PRISON_CODE = "PR-RMK"
DEMO_NATIONAL_OFFICE_CODE = "SC-NAT"

# ---------------------------------------------------------------------------------------------
# Reference data: offices, teams, staff, offences, agencies, programmes, document templates.


@dataclass
class Reference:
    offices: dict[str, Office]
    probation_offices: list[Office]
    probation_weights: list[int]
    office_city: dict[int, str]
    office_suburbs: dict[int, tuple[tuple[str, str], ...]]
    court_for_office: dict[int, Office]
    high_court_for_office: dict[int, Office]
    court_numbers: dict[int, str]
    prisons_for_office: dict[tuple[int, bool], list[Office]]
    officers: dict[int, list[StaffMember]]  # probation officers by office id
    managers: dict[int, StaffMember]
    prison_staff: dict[int, list[StaffMember]]
    offences: list[Offence]
    offence_weights: list[int]
    offences_by_code: dict[str, Offence]
    programmes: dict[int | None, list[Programme]]
    demo_office: Office
    demo_officer: StaffMember
    created: Counter = field(default_factory=Counter)


@dataclass
class StaffSpec:
    staff_number: str
    office_code: str
    team: str | None
    position: str
    roles: tuple[str, ...]
    first_name: str = ""
    last_name: str = ""
    username: str = ""
    password: str | None = None
    hours: Decimal = Decimal(40)
    is_superuser: bool = False


# The demo logins' people (staff/demo_logins.py): who they are and where they work.
DEMO_PEOPLE = {
    Role.PROBATION_OFFICER: (
        "Aroha",
        "Tipene",
        DEMO_OFFICE_CODE,
        "Case Management North",
        "Probation officer",
    ),
    Role.SERVICE_MANAGER: ("Mark", "Sinclair", DEMO_OFFICE_CODE, None, "Service manager"),
    Role.ADMIN_SUPPORT: ("Losa", "Faleolo", DEMO_OFFICE_CODE, "Administration", "Administration officer"),
    Role.PRISON_OFFICER: ("Wayne", "Harris", DEMO_PRISON_CODE, "Custodial", "Corrections officer"),
    Role.RECOMMENDING_OFFICER: (
        "Mere",
        "Paewai",
        DEMO_PRISON_CODE,
        "Classification",
        "Principal corrections officer",
    ),
    Role.APPROVING_OFFICER: ("Daniel", "Chen", DEMO_PRISON_CODE, "Classification", "Residential manager"),
    Role.DATA_SHARE: (
        "Priya",
        "Sharma",
        DEMO_NATIONAL_OFFICE_CODE,
        "Information Sharing",
        "Information sharing analyst",
    ),
    Role.SYSTEM_ADMIN: (
        "Hemi",
        "Walker",
        DEMO_NATIONAL_OFFICE_CODE,
        "Help Desk",
        "IOMS system administrator",
    ),
}


# People a probation officer supervises: caseloads of 30 to 60 (issue 10).
CASELOAD = 45
MAX_CASELOAD = 60
# Of an office's offenders, the share under a current community sentence (about a third in the
# generated histories), and so on an officer's caseload.
SUPERVISED_SHARE = 0.33
# The main offices keep a team of at least this many officers at any size, so even a small demo
# has colleagues to allocate to; a small office may have one.
MAIN_OFFICE_OFFICERS = 5


def office_weight(spec: ProbationOffice) -> float:
    """The office's share of the offenders (relative): the demo office has twice its own, so the
    demo logins have plenty to work with."""
    return spec.weight * (2 if spec.code == DEMO_OFFICE_CODE else 1)


def probation_officers_per_office(
    total_offenders: int, weight: float, total_weight: float, *, least: int = MAIN_OFFICE_OFFICERS
) -> int:
    """Enough probation officers for caseloads of about CASELOAD people, and none over
    MAX_CASELOAD."""
    supervised = total_offenders * weight / total_weight * SUPERVISED_SHARE
    return max(least, round(supervised / CASELOAD), math.ceil(supervised / MAX_CASELOAD))


def _office_rows(today: datetime.date, total_offenders: int) -> list[Office]:
    rng = random.Random("offices")
    rows = []
    street = names.STREET_NAMES

    def address(city: str) -> str:
        return f"{rng.randint(1, 250)} {rng.choice(street)}, {city}"

    def phone(area: str) -> str:
        return f"{area} 555 {rng.randint(1000, 9999)}"

    opened = today.replace(month=1, day=1) - days(365 * 20)
    for spec in probation_offices(total_offenders):
        rows.append(
            Office(
                code=spec.code,
                name=f"{spec.city} Community Corrections",
                kind=OfficeKind.PROBATION,
                region=spec.region,
                address=address(spec.city),
                phone=phone(spec.area_code),
                opened_on=opened,
            )
        )
    for place in SERVICE_CENTRES:
        rows.append(
            Office(
                code=place.code,
                name=place.name,
                kind=OfficeKind.SERVICE_CENTRE,
                region=place.region,
                address=address(place.city),
                phone=phone(place.area_code),
                opened_on=opened,
            )
        )
    for prison in PRISONS:
        rows.append(
            Office(
                code=prison.code,
                name=prison.name,
                kind=OfficeKind.PRISON,
                region=prison.region,
                address=address(prison.city),
                phone=phone(prison.area_code),
                opened_on=opened,
            )
        )
    for court in COURTS:
        rows.append(
            Office(
                code=court.code,
                name=court.name,
                kind=OfficeKind.COURT,
                region=court.region,
                address=address(court.city),
                phone=phone(court.area_code),
                opened_on=opened,
            )
        )
    return rows


def _ensure_by_key(model, rows: list, key: str, counter: Counter) -> dict:
    """Insert the rows whose natural key is not stored yet; return every row by key."""
    keys = [getattr(row, key) for row in rows]
    existing = {getattr(row, key): row for row in model.objects.filter(**{f"{key}__in": keys})}
    missing = [row for row in rows if getattr(row, key) not in existing]
    if missing:
        model.objects.bulk_create(missing, batch_size=BATCH_SIZE)
        counter[model._meta.verbose_name_plural] += len(missing)
    return {**existing, **{getattr(row, key): row for row in missing}}


def _ensure_teams(offices: dict[str, Office], counter: Counter) -> dict[tuple[str, str], Team]:
    wanted = []
    for office in offices.values():
        team_names = {
            OfficeKind.PROBATION: PROBATION_TEAMS,
            OfficeKind.PRISON: PRISON_TEAMS,
            OfficeKind.SERVICE_CENTRE: SERVICE_CENTRE_TEAMS,
        }.get(office.kind, ())
        wanted.extend((office, name) for name in team_names)
    existing = {
        (team.office_id, team.name): team
        for team in Team.objects.filter(office__in=[office for office, _ in wanted])
    }
    missing = [Team(office=office, name=name) for office, name in wanted if (office.pk, name) not in existing]
    if missing:
        Team.objects.bulk_create(missing)
        counter["teams"] += len(missing)
    teams = {**existing, **{(team.office_id, team.name): team for team in missing}}
    return {(office.code, name): teams[(office.pk, name)] for office, name in wanted}


def _staff_specs(total_offenders: int) -> list[StaffSpec]:
    offices = probation_offices(total_offenders)
    total_weight = sum(office_weight(spec) for spec in offices)
    main = {spec.code for spec in PROBATION_OFFICES}
    specs: list[StaffSpec] = []
    case_teams = PROBATION_TEAMS[:2]
    for office in offices:
        specs.append(
            StaffSpec(f"{office.code}-SM1", office.code, None, "Service manager", (Role.SERVICE_MANAGER,))
        )
        least = MAIN_OFFICE_OFFICERS if office.code in main else 1
        officer_count = probation_officers_per_office(
            total_offenders, office_weight(office), total_weight, least=least
        )
        for number in range(1, 2 + (officer_count > 10)):
            specs.append(
                StaffSpec(
                    f"{office.code}-AS{number}",
                    office.code,
                    "Administration",
                    "Administration officer",
                    (Role.ADMIN_SUPPORT,),
                )
            )
        for number in range(1, officer_count + 1):
            team = "Community Work" if number % 5 == 0 else case_teams[number % 2]
            position = "Senior practitioner" if number == 2 else "Probation officer"
            specs.append(
                StaffSpec(
                    f"{office.code}-PO{number:02d}", office.code, team, position, (Role.PROBATION_OFFICER,)
                )
            )
    for prison in PRISONS:
        for number in range(1, 6):
            specs.append(
                StaffSpec(
                    f"{prison.code}-CO{number}",
                    prison.code,
                    "Custodial",
                    "Corrections officer",
                    (Role.PRISON_OFFICER,),
                )
            )
        for number in range(1, 3):
            specs.append(
                StaffSpec(
                    f"{prison.code}-RO{number}",
                    prison.code,
                    "Classification",
                    "Principal corrections officer",
                    (Role.RECOMMENDING_OFFICER, Role.PRISON_OFFICER),
                )
            )
        specs.append(
            StaffSpec(
                f"{prison.code}-AO1",
                prison.code,
                "Classification",
                "Residential manager",
                (Role.APPROVING_OFFICER,),
            )
        )
    for place in SERVICE_CENTRES[1:]:
        for number in range(1, 3):
            specs.append(
                StaffSpec(
                    f"{place.code}-AS{number}",
                    place.code,
                    "Sentence Management",
                    "Sentence management officer",
                    (Role.ADMIN_SUPPORT,),
                )
            )
    specs.append(
        StaffSpec(
            f"{DEMO_NATIONAL_OFFICE_CODE}-HD1",
            DEMO_NATIONAL_OFFICE_CODE,
            "Help Desk",
            "IOMS help desk analyst",
            (Role.SYSTEM_ADMIN,),
        )
    )
    # The demo logins take the first slot of their role at their office, or a slot of their own.
    for role, (first, last, office_code, team, position) in DEMO_PEOPLE.items():
        slot = next(
            (
                spec
                for spec in specs
                if spec.office_code == office_code and spec.roles[0] == role and not spec.username
            ),
            None,
        )
        if slot is None:
            slot = StaffSpec(f"{office_code}-{role.upper()[:6]}", office_code, team, position, (role,))
            specs.append(slot)
        slot.first_name, slot.last_name, slot.team, slot.position = first, last, team, position
        slot.username = DEMO_USERNAMES[role]
        slot.roles = (role,)
        slot.password = DEMO_PASSWORD
        slot.is_superuser = role == Role.SYSTEM_ADMIN
    return specs


def _name_staff(specs: list[StaffSpec], rng: random.Random, taken: set[str]) -> None:
    for spec in specs:
        if spec.username:
            continue
        group = weighted(rng, GROUP_WEIGHTS[:2] + ((names.PACIFIC, 8), (names.ASIAN, 8)))
        gender = rng.choice((Gender.MALE, Gender.FEMALE))
        spec.first_name = given_name(rng, group, gender)
        spec.last_name = rng.choice(names.FAMILY_NAMES[group])
        base = f"{fold(spec.first_name)}.{fold(spec.last_name)}".replace(" ", "").replace("-", "")
        username, suffix = base, 1
        while username in taken:
            suffix += 1
            username = f"{base}{suffix}"
        spec.username = username
        taken.add(username)
        spec.hours = rng.choice((Decimal(40),) * 8 + (Decimal(32), Decimal(24)))


def _ensure_staff(
    rng: random.Random,
    total_offenders: int,
    offices: dict[str, Office],
    teams: dict[tuple[str, str], Team],
    today: datetime.date,
    counter: Counter,
) -> list[StaffMember]:
    User = get_user_model()
    specs = _staff_specs(total_offenders)
    existing = {
        member.staff_number: member
        for member in StaffMember.objects.select_related("user").filter(
            staff_number__in=[spec.staff_number for spec in specs]
        )
    }
    taken = set(User.objects.values_list("username", flat=True))
    missing = [spec for spec in specs if spec.staff_number not in existing]
    demo_taken = {spec.username for spec in missing if spec.password} & taken
    if demo_taken:
        raise ValueError(f"Demo usernames already belong to other users: {', '.join(sorted(demo_taken))}")
    _name_staff(missing, rng, taken)
    # Only the demo logins can sign in; hashing is slow on purpose, so each distinct password is
    # hashed once (the demo password is published anyway). Everyone else has an unusable password.
    hashes = {
        password: make_password(password) for password in {spec.password for spec in missing if spec.password}
    }
    users = []
    for spec in missing:
        user = User(
            username=spec.username,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{spec.username}@corrections.example",
            is_staff=spec.is_superuser,
            is_superuser=spec.is_superuser,
        )
        if spec.password:
            user.password = hashes[spec.password]
        else:
            user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=BATCH_SIZE)
    groups = {group.name: group.pk for group in Group.objects.filter(name__in=Role.values)}
    memberships = [
        User.groups.through(user_id=user.pk, group_id=groups[role])
        for spec, user in zip(missing, users, strict=True)
        for role in spec.roles
    ]
    User.groups.through.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
    members = []
    for spec, user in zip(missing, users, strict=True):
        office = offices[spec.office_code]
        members.append(
            StaffMember(
                user=user,
                staff_number=spec.staff_number,
                position=spec.position,
                office=office,
                team=teams.get((spec.office_code, spec.team)) if spec.team else None,
                phone=f"0800 555 {rng.randint(100, 999)}",
                hours_per_week=spec.hours,
            )
        )
    StaffMember.objects.bulk_create(members, batch_size=BATCH_SIZE)
    placements = [
        StaffPlacement(
            staff=member,
            office=member.office,
            team=member.team,
            started_on=today - days(rng.randint(60, 4000)),
            reason="Appointed",
        )
        for member in members
    ]
    StaffPlacement.objects.bulk_create(placements, batch_size=BATCH_SIZE)
    if members:
        counter["staff members"] += len(members)
    by_number = {**existing, **{member.staff_number: member for member in members}}
    return [by_number[spec.staff_number] for spec in specs]


def _ensure_offences(counter: Counter) -> dict[str, Offence]:
    rows = [
        Offence(
            code=spec.code,
            description=spec.description,
            act=spec.act,
            section=spec.section,
            seriousness=spec.seriousness,
            categories=list(spec.categories),
        )
        for spec in OFFENCES
    ]
    return _ensure_by_key(Offence, rows, "code", counter)


def _ensure_programmes(
    offices: dict[str, Office], today: datetime.date, counter: Counter
) -> dict[int | None, list[Programme]]:
    rng = random.Random("agencies")
    agency_rows = []
    for spec in AGENCIES:
        accepted = today - days(rng.randint(900, 5000))
        agency_rows.append(
            Agency(
                name=spec.name,
                kind=spec.kind,
                contact_name=f"{rng.choice(names.GIVEN_NAMES[names.MAORI][names.FEMALE])} "
                f"{rng.choice(names.FAMILY_NAMES[names.EUROPEAN])}",
                phone=f"0800 555 {rng.randint(100, 999)}",
                email=f"referrals@{fold(spec.name).replace(' ', '')[:24]}.example",
                address=f"{rng.randint(1, 200)} {rng.choice(names.STREET_NAMES)}",
                status=AgencyStatus.DISCONTINUED if spec.discontinued else AgencyStatus.ACCEPTED,
                accepted_on=accepted,
                discontinued_on=today - days(rng.randint(30, 300)) if spec.discontinued else None,
                discontinued_reason="Contract ended" if spec.discontinued else "",
            )
        )
    agencies = _ensure_by_key(Agency, agency_rows, "name", counter)
    city_by_code = {spec.code: spec.city for spec in PROBATION_OFFICES}
    wanted = []
    for spec in AGENCIES:
        agency = agencies[spec.name]
        for name, kind, description in spec.programmes:
            for office_code in spec.office_codes or (None,):
                office = offices[office_code] if office_code else None
                wanted.append(
                    Programme(
                        agency=agency,
                        name=f"{name} ({city_by_code[office_code]})" if office_code else name,
                        kind=kind,
                        description=description,
                        office=office,
                        capacity=rng.choice((12, 15, 20, 30, None)),
                        status=ProgrammeStatus.DISCONTINUED if spec.discontinued else ProgrammeStatus.ADOPTED,
                        adopted_on=agency.accepted_on + days(rng.randint(0, 300)),
                        discontinued_on=agency.discontinued_on,
                        discontinued_reason=agency.discontinued_reason,
                    )
                )
    existing = {
        (programme.agency_id, programme.name): programme
        for programme in Programme.objects.filter(agency__in=agencies.values())
    }
    missing = [row for row in wanted if (row.agency.pk, row.name) not in existing]
    if missing:
        Programme.objects.bulk_create(missing)
        counter["programmes"] += len(missing)
    programmes: dict[int | None, list[Programme]] = {}
    for programme in [*existing.values(), *missing]:
        if programme.status == ProgrammeStatus.ADOPTED:
            programmes.setdefault(programme.office_id, []).append(programme)
    for pool in programmes.values():
        pool.sort(key=lambda programme: programme.name)
    return programmes


def ensure_demo_second_factor() -> None:
    """The demo system administrator's authenticator, with the published key (staff/demo_logins.py):
    the second factor stays required for the role under `make run`, as in production, rather than
    being switched off for DEBUG, which would leave the sign-in untried and a setting to forget."""
    user = get_user_model().objects.filter(username=DEMO_USERNAMES[Role.SYSTEM_ADMIN]).first()
    if user is None:
        return
    key = base64.b32decode(DEMO_TOTP_SECRET).hex()
    TOTPDevice.objects.get_or_create(
        user=user, key=key, defaults={"name": "Demo authenticator", "confirmed": True}
    )


def build_reference(*, seed: int, total_offenders: int, today: datetime.date) -> Reference:
    """Create (or find) everything the offenders refer to. Safe to call again: rows are matched by
    their natural keys."""
    counter: Counter = Counter()
    rng = random.Random(seed)
    offices = _ensure_by_key(Office, _office_rows(today, total_offenders), "code", counter)
    teams = _ensure_teams(offices, counter)
    staff = _ensure_staff(rng, total_offenders, offices, teams, today, counter)
    ensure_demo_second_factor()
    offences = _ensure_offences(counter)
    programmes = _ensure_programmes(offices, today, counter)

    officers: dict[int, list[StaffMember]] = {}
    managers: dict[int, StaffMember] = {}
    prison_staff: dict[int, list[StaffMember]] = {}
    specs = _staff_specs(total_offenders)
    for spec, member in zip(specs, staff, strict=True):
        office = offices[spec.office_code]
        if Role.PROBATION_OFFICER in spec.roles:
            officers.setdefault(office.pk, []).append(member)
        elif Role.SERVICE_MANAGER in spec.roles:
            managers[office.pk] = member
        elif office.kind == OfficeKind.PRISON:
            prison_staff.setdefault(office.pk, []).append(member)

    probation_specs = probation_offices(total_offenders)
    probation = [offices[spec.code] for spec in probation_specs]
    court_specs = {court.code: court for court in COURTS}
    prisons_for: dict[tuple[int, bool], list[Office]] = {}
    for spec in probation_specs:
        office = offices[spec.code]
        for women in (False, True):
            prisons_for[(office.pk, women)] = [
                offices[prison.code]
                for prison in PRISONS
                if prison.region == spec.region and prison.women == women
            ] or [offices[prison.code] for prison in PRISONS if prison.women == women]
    offence_list = [offences[spec.code] for spec in OFFENCES]
    demo_office = offices[DEMO_OFFICE_CODE]
    demo_officer = next(
        member
        for member in officers[demo_office.pk]
        if member.user.username == DEMO_USERNAMES[Role.PROBATION_OFFICER]
    )
    return Reference(
        offices=offices,
        probation_offices=probation,
        probation_weights=[office_weight(spec) for spec in probation_specs],
        office_city={offices[spec.code].pk: spec.address_city or spec.city for spec in probation_specs},
        office_suburbs={offices[spec.code].pk: spec.suburbs for spec in probation_specs},
        court_for_office={offices[spec.code].pk: offices[spec.court] for spec in probation_specs},
        high_court_for_office={
            offices[spec.code].pk: offices[HIGH_COURT_BY_REGION[spec.region]] for spec in probation_specs
        },
        court_numbers={offices[code].pk: court.number for code, court in court_specs.items()},
        prisons_for_office=prisons_for,
        officers=officers,
        managers=managers,
        prison_staff=prison_staff,
        offences=offence_list,
        offence_weights=[spec.frequency for spec in OFFENCES],
        offences_by_code=offences,
        programmes=programmes,
        demo_office=demo_office,
        demo_officer=demo_officer,
        created=counter,
    )


# ---------------------------------------------------------------------------------------------
# Document templates: the bodies are files beside this module (Django templates rendered by
# documents.services with offender, sentence, sentences, convictions, outstanding_charges, today).

TEMPLATE_DIRECTORY = Path(__file__).resolve().parent / "document_templates"
DOCUMENT_TEMPLATES = (
    ("pre-sentence-report", "Pre-sentence report", DocumentTemplate.Audience.COURT),
    ("parole-progress-report", "Parole board progress report", DocumentTemplate.Audience.PAROLE_BOARD),
    ("breach-information-sheet", "Breach information sheet", DocumentTemplate.Audience.COURT),
)


def ensure_document_templates(counter: Counter) -> None:
    """Create the demo templates that are missing; an existing template (perhaps edited by an
    administrator) is left as it is."""
    for code, name, audience in DOCUMENT_TEMPLATES:
        body = (TEMPLATE_DIRECTORY / f"{code}.html").read_text(encoding="utf-8")
        _, created = DocumentTemplate.objects.get_or_create(
            code=code, defaults={"name": name, "audience": audience, "body": body}
        )
        if created:
            counter["document templates"] += 1
