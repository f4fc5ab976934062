"""A small office muster: who is on it, who is not, and why.

At `office` (Wellington):
- Aroha TAMIHANA: supervision (active) and community work (not yet started); supervised by Mere
  Officer; an appeal against sentence outstanding; an offender warning and a (non-muster) gang flag.
- Ben SMITH: home detention; no supervising officer (only a co-worker); a breach that was decided
  and a safety flag that ended, so no flags.
- Carla JONES: indeterminate imprisonment managed here; supervised by Hemi Officer (Mere's earlier
  allocation ended); a breach outstanding and a child-sex-offender flag.
Not on it: Dan BROWN (his sentence here completed), Eve WALKER (sentenced at the other office),
Fay CLARK (active at the other office, completed here).
"""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from allocation.models import CaseRole
from allocation.services import case_allocate, case_allocation_end
from offenders.models import FlagKind, Offender
from offenders.services import flag_end, flag_raise
from sentences.models import CompletionReason, Sentence, SentenceEventKind, SentenceStatus, SentenceType
from sentences.services import sentence_event_record, sentence_event_resolve
from staff.models import StaffMember
from staff.roles import Role
from tests.factories import OffenderFactory, SentenceFactory, staff_user

TODAY = timezone.localdate


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@dataclass
class Muster:
    aroha: Offender
    ben: Offender
    carla: Offender
    dan: Offender
    eve: Offender
    fay: Offender
    mere: StaffMember
    hemi: StaffMember
    aroha_supervision: Sentence
    aroha_community_work: Sentence
    carla_prison: Sentence


def completed(sentence_kwargs: dict) -> Sentence:
    return SentenceFactory(
        status=SentenceStatus.COMPLETED,
        completion_reason=CompletionReason.NORMAL,
        completed_on=TODAY() - days(5),
        **sentence_kwargs,
    )


@pytest.fixture
def muster(office, other_office, service_manager) -> Muster:
    actor = service_manager
    mere = staff_user(Role.PROBATION_OFFICER, office=office, first_name="Mere", last_name="Officer").staff
    hemi = staff_user(Role.PROBATION_OFFICER, office=office, first_name="Hemi", last_name="Officer").staff
    co_worker = staff_user(Role.PROBATION_OFFICER, office=office, first_name="Tui", last_name="Helper").staff

    aroha = OffenderFactory(
        prn="41000001", family_name="Tamihana", given_names="Aroha Mere", home_office=office
    )
    aroha_supervision = SentenceFactory(
        offender=aroha,
        sentence_type=SentenceType.SUPERVISION,
        order_date=TODAY() - days(100),
        start_date=TODAY() - days(100),
        end_date=TODAY() + days(265),
    )
    aroha_community_work = SentenceFactory(
        offender=aroha,
        sentence_type=SentenceType.COMMUNITY_WORK,
        hours=100,
        status=SentenceStatus.PENDING,
        order_date=TODAY() - days(2),
        start_date=TODAY() + days(10),
        end_date=TODAY() + days(400),
    )
    case_allocate(actor=actor, offender=aroha, staff=mere, started_on=TODAY() - days(90))
    sentence_event_record(
        actor=actor,
        sentence=aroha_supervision,
        kind=SentenceEventKind.APPEAL_SENTENCE,
        occurred_on=TODAY() - days(20),
        detail="Appeal lodged in the High Court.",
    )
    flag_raise(actor=actor, offender=aroha, kind=FlagKind.OFFENDER_WARNING, reason="Threatened staff.")
    flag_raise(actor=actor, offender=aroha, kind=FlagKind.GANG, reason="Patched member.")

    ben = OffenderFactory(prn="41000002", family_name="Smith", given_names="Ben", home_office=office)
    ben_detention = SentenceFactory(
        offender=ben,
        sentence_type=SentenceType.HOME_DETENTION,
        order_date=TODAY() - days(30),
        start_date=TODAY() - days(30),
        end_date=TODAY() + days(150),
    )
    case_allocate(actor=actor, offender=ben, staff=co_worker, role=CaseRole.CO_WORKER)
    breach = sentence_event_record(
        actor=actor,
        sentence=ben_detention,
        kind=SentenceEventKind.BREACH,
        occurred_on=TODAY() - days(10),
        detail="Left the address without approval.",
    )
    sentence_event_resolve(
        actor=actor, event=breach, outcome="Charge withdrawn.", resolved_on=TODAY() - days(2)
    )
    safety = flag_raise(actor=actor, offender=ben, kind=FlagKind.SAFETY_CONCERN, reason="Dog at the address.")
    flag_end(actor=actor, flag=safety, reason="The dog has gone.")

    carla = OffenderFactory(prn="41000003", family_name="Jones", given_names="Carla", home_office=office)
    carla_prison = SentenceFactory(
        offender=carla,
        sentence_type=SentenceType.IMPRISONMENT,
        indeterminate=True,
        order_date=TODAY() - days(400),
        start_date=TODAY() - days(400),
        end_date=None,
    )
    earlier = case_allocate(actor=actor, offender=carla, staff=mere, started_on=TODAY() - days(300))
    case_allocation_end(
        actor=actor, allocation=earlier, ended_on=TODAY() - days(1), reason="Caseload balanced."
    )
    case_allocate(actor=actor, offender=carla, staff=hemi, started_on=TODAY() - days(1))
    sentence_event_record(
        actor=actor,
        sentence=carla_prison,
        kind=SentenceEventKind.BREACH,
        occurred_on=TODAY() - days(3),
        detail="Breach of release conditions.",
    )
    flag_raise(actor=actor, offender=carla, kind=FlagKind.CHILD_SEX_OFFENDER, reason="Conviction 2019.")

    dan = OffenderFactory(prn="41000004", family_name="Brown", given_names="Dan", home_office=office)
    completed({"offender": dan, "order_date": TODAY() - days(400), "end_date": TODAY() - days(5)})

    eve = OffenderFactory(prn="41000005", family_name="Walker", given_names="Eve", home_office=other_office)
    SentenceFactory(offender=eve)

    fay = OffenderFactory(prn="41000006", family_name="Clark", given_names="Fay", home_office=other_office)
    SentenceFactory(offender=fay)
    completed(
        {
            "offender": fay,
            "managing_office": office,
            "order_date": TODAY() - days(400),
            "end_date": TODAY() - days(5),
        }
    )
    return Muster(
        aroha=aroha,
        ben=ben,
        carla=carla,
        dan=dan,
        eve=eve,
        fay=fay,
        mere=mere,
        hemi=hemi,
        aroha_supervision=aroha_supervision,
        aroha_community_work=aroha_community_work,
        carla_prison=carla_prison,
    )


def letters(number: int) -> str:
    """0 -> 'aaa', 1 -> 'aab', ...: names sort (folded, letters only) in the order of the numbers."""
    return "".join("abcdefghijklmnopqrstuvwxyz"[number // 26**power % 26] for power in (2, 1, 0))


def crowd(office, count: int, *, prefix: str = "Crowd") -> list[Offender]:
    """`count` people under sentence at `office`, each with an officer, a flag and an appeal, so
    every per-person subquery has something to find."""
    officer = staff_user(Role.PROBATION_OFFICER, office=office).staff
    manager = staff_user(Role.SERVICE_MANAGER, office=office)
    people = []
    for number in range(count):
        person = OffenderFactory(family_name=f"{prefix}{letters(number)}", home_office=office)
        sentence = SentenceFactory(offender=person)
        case_allocate(actor=manager, offender=person, staff=officer)
        flag_raise(actor=manager, offender=person, kind=FlagKind.OFFENDER_WARNING, reason="Warning.")
        sentence_event_record(
            actor=manager,
            sentence=sentence,
            kind=SentenceEventKind.APPEAL_CONVICTION,
            occurred_on=TODAY(),
            detail="Appeal lodged.",
        )
        people.append(person)
    return people


@pytest.fixture
def page(chromium_browser, live_server):
    """A Chromium page against the live server (as in tests/browser/conftest.py)."""
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-NZ")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
