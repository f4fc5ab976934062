"""Conditions on the demo officer's community sentences (issue 15), through conditions.services:
each kind of sentence gets the conditions a court would typically set, and community work its hours
ordered and some worked. Deterministic for a seed and a day; a sentence that has conditions already
is left alone, so seeding again adds nothing."""

import datetime
import random
from collections import Counter

from conditions import services
from conditions.models import Condition, ConditionKind, Substance
from demo.offender_management import demo_caseload, demo_user
from sentences.models import SentenceType
from staff.roles import Role

DAY = datetime.timedelta(days=1)
ADDRESSES = ("14 Kowhai Street, Naenae", "3 Tui Crescent, Porirua", "27 Rimu Road, Johnsonville")
ASSOCIATES = ("Rawiri Walker", "Jason Te Hira", "the co-offenders in this case")
PROGRAMMES = ("Tikanga Maori programme", "Short motivational programme", "Safety programme for violence")


def _conditions_for(rng: random.Random, sentence_type: str) -> list[dict]:
    address = rng.choice(ADDRESSES)
    if sentence_type == SentenceType.COMMUNITY_WORK:
        return []  # its hours: below
    if sentence_type == SentenceType.COMMUNITY_DETENTION:
        return [
            {
                "kind": ConditionKind.CURFEW,
                "curfew_from": datetime.time(19),
                "curfew_until": datetime.time(7),
                "address": address,
            },
        ]
    conditions = [
        {"kind": ConditionKind.REPORT, "details": "Report to the probation officer as directed."},
        {"kind": ConditionKind.RESIDE, "address": address},
    ]
    if rng.random() < 0.5:
        conditions.append({"kind": ConditionKind.ASSESSMENT, "substance": rng.choice(Substance.values)})
    else:
        conditions.append({"kind": ConditionKind.PROGRAMME, "programme_name": rng.choice(PROGRAMMES)})
    if sentence_type in (
        SentenceType.PAROLE,
        SentenceType.EXTENDED_SUPERVISION,
        SentenceType.INTENSIVE_SUPERVISION,
    ):
        conditions.append({"kind": ConditionKind.NON_ASSOCIATION, "associates": rng.choice(ASSOCIATES)})
    return conditions


def seed_demo_conditions(*, seed: int, today: datetime.date, officer, cases, counts: Counter) -> None:
    """The first eight community sentences or orders of the demo officer's caseload (demo_caseload)."""
    rng = random.Random(f"conditions:{seed}")
    sentences = [case.sentence for case in cases if case.sentence.sentence_type != SentenceType.IMPRISONMENT][
        :8
    ]
    done = set(Condition.objects.filter(sentence__in=sentences).values_list("sentence_id", flat=True))
    for sentence in sentences:
        if sentence.pk in done or sentence.start_date > today:
            continue
        for details in _conditions_for(rng, sentence.sentence_type):
            services.condition_create(actor=officer, sentence=sentence, **details)
            counts["conditions"] += 1
        if sentence.sentence_type == SentenceType.COMMUNITY_WORK and sentence.hours:
            work = services.condition_create(
                actor=officer,
                sentence=sentence,
                kind=ConditionKind.COMMUNITY_WORK,
                hours_ordered=sentence.hours,
            )
            counts["conditions"] += 1
            # A work party most Saturdays since the sentence started, up to eight of them.
            saturdays = [
                today - DAY * offset for offset in range(1, 70) if (today - DAY * offset).weekday() == 5
            ]
            worked = 0.0
            for day in sorted(day for day in saturdays if day >= sentence.start_date)[-8:]:
                hours = rng.choice((6, 7, 7.5, 8))
                if rng.random() < 0.8 and worked + hours <= sentence.hours:
                    services.community_work_hours_record(actor=officer, condition=work, on=day, hours=hours)
                    worked += hours
                    counts["community work days"] += 1


def seed_conditions(*, seed: int, today: datetime.date, counts: Counter) -> None:
    """The hook seed_demo calls, after the offender teams (the demo officer's caseload)."""
    officer = demo_user(Role.PROBATION_OFFICER)
    if officer is not None:
        seed_demo_conditions(
            seed=seed, today=today, officer=officer, cases=demo_caseload(officer), counts=counts
        )
