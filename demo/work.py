"""Work waiting for each demo login, made through the real services (issue 14: "demo data that lets
each role do its main job at once"). Run by seed_demo on a fresh demo database, after the bulk load:

- `seed_prisoners` (before the prisoners are classified): prisoners at the demo prison whose
  sentences of imprisonment are cumulative (Sentence.consecutive_to), one with remand credit,
  recorded with the key dates the sentence calculation gives (sentences.calculation);
- `seed_waiting_work` (after): sentences with data problems of different kinds at the demo office
  and the real exceptions scan that puts them on its exceptions report; court messages through
  the real receive service that wait for a person (a misspelt name, a name known only as an alias,
  an unknown PRN) or conflict with an earlier copy; new people sentenced by the court (never
  allocated); and a prisoner just received at the demo prison, not yet classified.

Everything here is fixed, not drawn: the same day gives the same work. It adds a handful of rows
whatever the size of the demo."""

import datetime
import json
from collections import Counter

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from allocation.models import AllocateRequest, CaseAllocation, CaseRole
from allocation.requests import allocate_request_cancel
from courts.services import court_message_process, court_message_receive
from demo.appointments import seed_appointments
from demo.compliance import seed_compliance
from demo.people import prn_for
from demo.reference import DEMO_OFFICE_CODE, DEMO_PRISON_CODE
from offenders.models import Gender, Offender
from offenders.services import alias_add, offender_create
from reconciliation.detection import exceptions_scan
from reconciliation.models import DataException, ReasonCode
from reconciliation.services import exception_resolve
from sentences.calculation import SentenceTerm, calculate
from sentences.models import Offence, Sentence, SentenceType
from sentences.services import sentence_create, sentence_update
from staff.demo_logins import demo_username
from staff.models import Office
from staff.roles import Role

# PRNs of the people made here: numbers far beyond any the generator gives (prn_for(n) for the
# n-th offender), so a later `seed_demo --force` cannot reuse them.
FIRST_PRN_INDEX = 89_990_000
DAY = datetime.timedelta(days=1)
# Prisoners recorded after the seeding classified the prisoners and gave them their teams: the one
# just received (no initial classification yet) and the one whose record has no prison.
LATE_ARRIVALS = (("Walker", "Jayden Paul"), ("Hemara", "Rawiri"))


def late_arrival_ids() -> set[int]:
    ids = set()
    for family, given in LATE_ARRIVALS:
        ids.update(
            Offender.objects.filter(family_name=family, given_names=given).values_list("pk", flat=True)
        )
    return ids


def _user(role: str):
    return get_user_model().objects.filter(username=demo_username(role)).first()


def _court_of(office: Office) -> Office:
    """The court that sentences the office's people most often (the generator's choice)."""
    court_id = (
        Sentence.objects.filter(managing_office=office)
        .order_by("pk")
        .values_list("court_id", flat=True)
        .first()
    )
    return (
        Office.objects.get(pk=court_id) if court_id else Office.objects.filter(kind="court").order_by("pk")[0]
    )


def _offence(code: str) -> Offence:
    return Offence.objects.get(code=code)


# --- Prisoners with cumulative sentences (before classification) -------------------------------------

# (family name, given names, date of birth, first term months, cumulative term months, remand days,
# days since sentence)
CUMULATIVE_PRISONERS = (
    ("Rangihuna", "Tane Michael", datetime.date(1988, 3, 14), 14, 18, 0, 200),
    ("Fitzgerald", "Connor James", datetime.date(1995, 11, 2), 10, 8, 0, 120),
)
REMAND_PRISONER = ("Sopoaga", "Iosefa", datetime.date(1992, 7, 21), 30, 95, 60)
# (family name, given names, date of birth, term months, days since sentence): enough prisoners at
# the demo prison, even in a tiny demo, for a review at every step.
OTHER_PRISONERS = (
    ("Kereama", "Nikau", datetime.date(1993, 4, 8), 36, 300),
    ("Brown", "Dylan Scott", datetime.date(1989, 8, 27), 22, 150),
)


def _prisoner(index: int, family: str, given: str, born: datetime.date, home: Office, actor) -> Offender:
    return offender_create(
        actor=actor,
        prn=prn_for(FIRST_PRN_INDEX + index),
        family_name=family,
        given_names=given,
        date_of_birth=born,
        gender=Gender.MALE,
        home_office=home,
    )


def _imprisonment(*, actor, offender, court, prison, start, months, case, offence, **dates) -> Sentence:
    return sentence_create(
        actor=actor,
        offender=offender,
        convictions=[{"offence": offence, "convicted_on": start, "offence_date": start - 90 * DAY}],
        sentence_type=SentenceType.IMPRISONMENT,
        court=court,
        court_case_number=case,
        order_date=start,
        start_date=start,
        end_date=start + relativedelta(months=months),
        managing_office=prison,
        **dates,
    )


def _calculated(*sentences: tuple[int, datetime.date, datetime.date, int | None, int]) -> dict:
    """The calculated key dates of terms (id, start, end, cumulative on id, remand days)."""
    calculation = calculate(
        SentenceTerm(sentence_id=pk, start_date=start, end_date=end, consecutive_to_id=on, remand_days=remand)
        for pk, start, end, on, remand in sentences
    )
    return {name: day for name, day in calculation.dates().items() if day}


def seed_prisoners(*, today: datetime.date) -> Counter:
    """Men at the demo prison whose recorded dates agree with the sentence calculation: two with a
    second sentence cumulative on the first (the first's dates corrected to the combined sentence's
    and the exception that raised checked and resolved, as admin staff would), one with remand
    credit."""
    made: Counter = Counter()
    prison = Office.objects.filter(code=DEMO_PRISON_CODE).first()
    home = Office.objects.filter(code=DEMO_OFFICE_CODE).first()
    recorder, checker = _user(Role.ADMIN_SUPPORT), _user(Role.SYSTEM_ADMIN)
    if prison is None or home is None or recorder is None or checker is None:
        return made
    court = _court_of(home)
    for number, (family, given, born, first, second, remand, ago) in enumerate(CUMULATIVE_PRISONERS):
        offender = _prisoner(number, family, given, born, home, recorder)
        start = today - ago * DAY
        first_end = start + relativedelta(months=first)
        own = _calculated((1, start, first_end, None, 0))
        earlier = _imprisonment(
            actor=recorder,
            offender=offender,
            court=court,
            prison=prison,
            start=start,
            months=first,
            case=f"CRI-{start.year}-085-{7101 + number:06d}",
            offence=_offence("CA231"),
            **own,
        )
        second_end = start + relativedelta(months=second)
        combined = _calculated(
            (earlier.pk, start, first_end, None, remand), (earlier.pk + 1, start, second_end, earlier.pk, 0)
        )
        later = _imprisonment(
            actor=recorder,
            offender=offender,
            court=court,
            prison=prison,
            start=start,
            months=second,
            case=f"CRI-{start.year}-085-{7201 + number:06d}",
            offence=_offence("CA235"),
            consecutive_to=earlier,
            **combined,
        )
        # The combined sentence moved the first sentence's dates: recorded as the court order says.
        sentence_update(
            actor=checker,
            sentence=earlier,
            reason="Key dates of the combined sentence, from the court order",
            parole_eligibility_date=combined.get("parole_eligibility_date"),
            statutory_release_date=combined.get("statutory_release_date"),
        )
        for exception in DataException.objects.filter(
            sentence__in=(earlier, later), reason_code=ReasonCode.KEY_DATES_DIFFER, resolved_at__isnull=True
        ):
            exception_resolve(
                actor=checker,
                exception=exception,
                resolution_reason="Checked against the court order: the sentences are cumulative.",
                change_made="Key dates of the first sentence set to the combined sentence's.",
            )
        made["prisoners with cumulative sentences"] += 1
    family, given, born, months, remand, ago = REMAND_PRISONER
    offender = _prisoner(len(CUMULATIVE_PRISONERS), family, given, born, home, recorder)
    start = today - ago * DAY
    end = start + relativedelta(months=months)
    _imprisonment(
        actor=recorder,
        offender=offender,
        court=court,
        prison=prison,
        start=start,
        months=months,
        case=f"CRI-{start.year}-085-007301",
        offence=_offence("CA235"),
        remand_days=remand,
        **_calculated((1, start, end, None, remand)),
    )
    made["prisoners with remand credit"] += 1
    for number, (family, given, born, months, ago) in enumerate(
        OTHER_PRISONERS, len(CUMULATIVE_PRISONERS) + 5
    ):
        offender = _prisoner(number, family, given, born, home, recorder)
        start = today - ago * DAY
        _imprisonment(
            actor=recorder,
            offender=offender,
            court=court,
            prison=prison,
            start=start,
            months=months,
            case=f"CRI-{start.year}-085-{7311 + number:06d}",
            offence=_offence("CA235"),
            **_calculated((1, start, start + relativedelta(months=months), None, 0)),
        )
        made["prisoners"] += 1
    return made


# --- Exceptions, court messages, new people (after the rest) ---------------------------------------


def _message(message: dict) -> object:
    """Receive a message as the endpoint does and process it as the worker does."""
    receipt = court_message_receive(raw=json.dumps(message).encode(), content_type="application/json")
    if receipt.accepted:
        court_message_process(pk=receipt.message.pk)
    receipt.message.refresh_from_db()
    return receipt.message


def _imposed(message_id: str, offender: dict, *, court: Office, office: Office, today, **sentence) -> dict:
    order = today - 2 * DAY
    body = {
        "cms_reference": f"S-{message_id}",
        "court_code": court.code,
        "court_case_number": f"CRI-{today.year}-085-{message_id[-4:]}",
        "sentence_type": SentenceType.SUPERVISION,
        "order_date": order.isoformat(),
        "start_date": order.isoformat(),
        "end_date": (order + relativedelta(months=9)).isoformat(),
        "conditions": ["Attend an alcohol and drug assessment and any treatment directed"],
        "managing_office_code": office.code,
        "convictions": [
            {
                "offence_code": "CA231",
                "offence_date": (order - 60 * DAY).isoformat(),
                "convicted_on": order.isoformat(),
            }
        ],
    }
    body.update(sentence)
    return {
        "message_id": message_id,
        "message_type": "sentence.imposed",
        "version": "1",
        "sent_at": f"{(today - DAY).isoformat()}T10:00:00+13:00",
        "offender": offender,
        "sentence": body,
    }


def _misspelt(name: str) -> str:
    """One slip of the keyboard: the last letter doubled (Tamihana, Tamihanaa)."""
    return name + name[-1]


def _court_messages(*, today, court: Office, office: Office, prison: Office, made: Counter) -> None:
    stamp = today.strftime("%Y%m%d")
    # New people, sentenced by the court: never allocated, each a new request in the queue.
    newcomers = (
        ("Te Whata", "Aroha Grace", "1999-02-11", "F", SentenceType.SUPERVISION),
        ("Latu", "Sione", "2001-08-30", "M", SentenceType.INTENSIVE_SUPERVISION),
        ("McAllister", "Brooke", "1986-12-05", "F", SentenceType.COMMUNITY_DETENTION),
    )
    for number, (family, given, born, gender, kind) in enumerate(newcomers, 1):
        offender = {"family_name": family, "given_names": given, "date_of_birth": born, "gender": gender}
        extra = {"sentence_type": kind}
        if kind == SentenceType.COMMUNITY_DETENTION:
            extra["end_date"] = (today + relativedelta(months=4)).isoformat()
            extra["conditions"] = ["Curfew from 8.00 pm to 6.00 am daily, electronically monitored"]
        message = _imposed(
            f"CMS-DEMO-{stamp}-{number:04d}", offender, court=court, office=office, today=today, **extra
        )
        _message(message)
        made["new people sentenced by the court"] += 1
    # A copy of the first newcomer's message with another expiry date: a conflict for a person.
    conflicting = _imposed(
        f"CMS-DEMO-{stamp}-0001",
        {
            "family_name": "Te Whata",
            "given_names": "Aroha Grace",
            "date_of_birth": "1999-02-11",
            "gender": "F",
        },
        court=court,
        office=office,
        today=today,
        end_date=(today + relativedelta(months=12)).isoformat(),
    )
    _message(conflicting)
    made["court conflicts"] += 1

    # A probable match: a person of the office, their family name misspelt in the message.
    recorder = _user(Role.ADMIN_SUPPORT)
    misspelt = offender_create(
        actor=recorder,
        prn=prn_for(FIRST_PRN_INDEX + 21),
        family_name="Tamihana",
        given_names="Wiremu James",
        date_of_birth=datetime.date(1990, 5, 17),
        gender=Gender.MALE,
        home_office=office,
    )
    _message(
        _imposed(
            f"CMS-DEMO-{stamp}-0011",
            {
                "family_name": _misspelt(misspelt.family_name),
                "given_names": misspelt.given_names,
                "date_of_birth": misspelt.date_of_birth.isoformat(),
            },
            court=court,
            office=office,
            today=today,
            sentence_type=SentenceType.COMMUNITY_WORK,
            hours=100,
            conditions=[],
            end_date=(today + relativedelta(months=6)).isoformat(),
        )
    )
    made["court messages waiting for a match"] += 1
    # A match on an alias only: the name the person was known by before, recorded as an alias.
    known_as = offender_create(
        actor=recorder,
        prn=prn_for(FIRST_PRN_INDEX + 22),
        family_name="Ngata",
        given_names="Mere Anahera",
        date_of_birth=datetime.date(1987, 2, 26),
        gender=Gender.FEMALE,
        home_office=office,
    )
    alias_add(actor=recorder, offender=known_as, family_name="Marsden", given_names="Mere Anahera")
    _message(
        _imposed(
            f"CMS-DEMO-{stamp}-0012",
            {"family_name": "Marsden", "given_names": "Mere Anahera", "date_of_birth": "1987-02-26"},
            court=court,
            office=office,
            today=today,
        )
    )
    made["court messages waiting for a match"] += 1
    # A transfer of someone the courts know by a PRN that is not on record.
    unknown = next(
        prn_for(FIRST_PRN_INDEX + 900 + n)
        for n in range(100)
        if not Offender.objects.filter(prn=prn_for(FIRST_PRN_INDEX + 900 + n)).exists()
    )
    _message(
        {
            "message_id": f"CMS-DEMO-{stamp}-0021",
            "message_type": "sentence.transferred",
            "version": "1",
            "sent_at": f"{(today - DAY).isoformat()}T11:30:00+13:00",
            "offender": {"prn": unknown},
            "sentence_ref": {"court_case_number": f"CRI-{today.year}-085-009999"},
            "to_office_code": office.code,
            "transferred_on": (today - DAY).isoformat(),
            "reason": "Moved to Wellington to live with family",
        }
    )
    made["court messages for an unknown offender"] += 1
    # A prisoner received today at the demo prison: no initial classification yet.
    start = today
    _message(
        _imposed(
            f"CMS-DEMO-{stamp}-0031",
            {
                "family_name": "Walker",
                "given_names": "Jayden Paul",
                "date_of_birth": "1997-04-19",
                "gender": "M",
            },
            court=court,
            office=prison,
            today=today,
            sentence_type=SentenceType.IMPRISONMENT,
            order_date=start.isoformat(),
            start_date=start.isoformat(),
            end_date=(start + relativedelta(months=20)).isoformat(),
            conditions=[],
            statutory_release_date=_calculated((1, start, start + relativedelta(months=20), None, 0))[
                "statutory_release_date"
            ].isoformat(),
        )
    )
    made["prisoners received today"] += 1


def _community(*, actor, offender, kind, court, office, start, months, case, **fields) -> Sentence:
    return sentence_create(
        actor=actor,
        offender=offender,
        convictions=[{"offence": _offence("CA231"), "convicted_on": start, "offence_date": start - 60 * DAY}],
        sentence_type=kind,
        court=court,
        court_case_number=case,
        order_date=start,
        start_date=start,
        end_date=start + relativedelta(months=months),
        managing_office=office,
        **fields,
    )


# The people of the office whose records have problems (index after FIRST_PRN_INDEX, names, born).
PROBLEM_PEOPLE = (
    (11, "Paewai", "Hemi", datetime.date(1991, 1, 23)),
    (12, "Donovan", "Kayla Marie", datetime.date(1998, 6, 4)),
    (13, "Faleafa", "Tevita", datetime.date(1980, 10, 17)),
)


def _data_problems(*, today, office: Office, made: Counter) -> None:
    """Sentences of the office with the problems the nightly checks look for, as a load from the
    old system would leave them: recorded through the services, then spoiled by a direct write (the
    services refuse such data), and found by the real scan. Only people made here are touched."""
    recorder = _user(Role.ADMIN_SUPPORT)
    court = _court_of(office)
    people = [
        offender_create(
            actor=recorder,
            prn=prn_for(FIRST_PRN_INDEX + index),
            family_name=family,
            given_names=given,
            date_of_birth=born,
            gender=Gender.FEMALE if index == 12 else Gender.MALE,
            home_office=office,
        )
        for index, family, given, born in PROBLEM_PEOPLE
    ]
    start = today - 75 * DAY
    work = _community(
        actor=recorder,
        offender=people[0],
        kind=SentenceType.COMMUNITY_WORK,
        court=court,
        office=office,
        start=start,
        months=6,
        case=f"CRI-{start.year}-085-007501",
        hours=120,
    )
    Sentence.objects.filter(pk=work.pk).update(hours=None)
    made["sentences with missing key dates"] += 1
    supervision = _community(
        actor=recorder,
        offender=people[1],
        kind=SentenceType.SUPERVISION,
        court=court,
        office=office,
        start=start,
        months=9,
        case=f"CRI-{start.year}-085-007502",
    )
    Sentence.objects.filter(pk=supervision.pk).update(managing_office=None)
    made["sentences with no managing office"] += 1
    intensive = _community(
        actor=recorder,
        offender=people[2],
        kind=SentenceType.INTENSIVE_SUPERVISION,
        court=court,
        office=office,
        start=start,
        months=12,
        case=f"CRI-{start.year}-085-007503",
    )
    Sentence.objects.filter(pk=intensive.pk).update(start_date=intensive.order_date - 3 * DAY)
    made["sentences with dates out of order"] += 1
    # A sentence of imprisonment loaded without its prison, its statutory release date keyed a week
    # late: the office of the person's home reconciles both.
    recorder = _user(Role.ADMIN_SUPPORT)
    prisoner = _prisoner(
        len(CUMULATIVE_PRISONERS) + 1, "Hemara", "Rawiri", datetime.date(1984, 9, 9), office, recorder
    )
    start = today - 40 * DAY
    end = start + relativedelta(months=16)
    sentence = _imprisonment(
        actor=recorder,
        offender=prisoner,
        court=_court_of(office),
        prison=Office.objects.get(code=DEMO_PRISON_CODE),
        start=start,
        months=16,
        case=f"CRI-{start.year}-085-007401",
        offence=_offence("CA231"),
        **_calculated((1, start, end, None, 0)),
    )
    Sentence.objects.filter(pk=sentence.pk).update(
        managing_office=None, statutory_release_date=sentence.statutory_release_date + 7 * DAY
    )
    made["sentences with key dates that differ from the calculation"] += 1


def _settle_prison_requests(prison: Office) -> None:
    """The prisoners recorded before the seeding gave every prisoner an offender supervisor asked
    the prison for one when their sentence was recorded: those requests are answered. The prisoner
    just received still waits for one."""
    supervised = CaseAllocation.objects.current().filter(
        offender=OuterRef("offender"), role=CaseRole.OFFENDER_SUPERVISOR, staff__office=prison
    )
    for request in AllocateRequest.objects.open().filter(office=prison).filter(Exists(supervised)):
        allocate_request_cancel(
            actor=None, request=request, reason="An offender supervisor at the prison already holds the case."
        )


def seed_waiting_work(*, today: datetime.date) -> Counter:
    made: Counter = Counter()
    office = Office.objects.filter(code=DEMO_OFFICE_CODE).first()
    prison = Office.objects.filter(code=DEMO_PRISON_CODE).first()
    if office is None or prison is None or _user(Role.ADMIN_SUPPORT) is None:
        return made
    court = _court_of(office)
    _court_messages(today=today, court=court, office=office, prison=prison, made=made)
    _data_problems(today=today, office=office, made=made)
    _settle_prison_requests(prison)
    exceptions_scan(office=office)
    made["exceptions to reconcile"] = DataException.objects.filter(
        office=office, resolved_at__isnull=True
    ).count()
    made.update(seed_appointments(today=today))
    made.update(seed_compliance(today=today))
    return made
