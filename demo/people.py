"""The people in the demo data: synthetic identities (names, birth dates, ethnicity), their PRNs
and identifiers, and the small date and random helpers the generators share. Nothing here touches
the database, so `person_plan(seed, n)` can be compared across runs without one."""

import calendar
import datetime
import functools
import itertools
import math
import random
from dataclasses import dataclass

from demo import names
from offenders.models import Gender, Identifier

# ---------------------------------------------------------------------------------------------
# Small date helpers


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, 12 * years)


def days(count: int | float) -> datetime.timedelta:
    return datetime.timedelta(days=int(count))


def between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + days(rng.randint(0, (end - start).days))


# ---------------------------------------------------------------------------------------------
# Unique identifiers from the offender number: n -> (n * a + b) mod M is a bijection on [0, M)
# when gcd(a, M) == 1, so distinct offenders get distinct, non-sequential values.


def _permute(index: int, multiplier: int, offset: int, modulus: int) -> int:
    return (index * multiplier + offset) % modulus


_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # without I and O, as NHI numbers are written
_PERMUTATIONS = {
    "prn": (7_777_777, 1_234_567, 90_000_000),
    Identifier.Kind.PNC: (7_654_321, 31_415_926, 100_000_000),
    Identifier.Kind.CMS: (9_876_543, 27_182_818, 100_000_000),
    Identifier.Kind.DRIVER_LICENCE: (7_777_777, 16_180_339, 26 * 26 * 1_000_000),
    Identifier.Kind.NHI: (7_777_777, 14_142_135, 24 * 24 * 24 * 10_000),
    Identifier.Kind.PASSPORT: (3_333_331, 17_320_508, 26 * 26 * 1_000_000),
}
assert all(math.gcd(multiplier, modulus) == 1 for multiplier, _, modulus in _PERMUTATIONS.values())


def prn_for(index: int) -> str:
    multiplier, offset, modulus = _PERMUTATIONS["prn"]
    return str(10_000_000 + _permute(index, multiplier, offset, modulus))


def identifier_value(kind: str, index: int) -> str:
    multiplier, offset, modulus = _PERMUTATIONS[kind]
    number = _permute(index, multiplier, offset, modulus)
    if kind in (Identifier.Kind.PNC, Identifier.Kind.CMS):
        return f"{number:08d}"
    if kind == Identifier.Kind.NHI:
        letters, digits = divmod(number, 10_000)
        first, rest = divmod(letters, 24 * 24)
        second, third = divmod(rest, 24)
        return f"{_LETTERS[first]}{_LETTERS[second]}{_LETTERS[third]}{digits:04d}"
    letters, digits = divmod(number, 1_000_000)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return f"{alphabet[letters // 26]}{alphabet[letters % 26]}{digits:06d}"


# ---------------------------------------------------------------------------------------------
# People: the part of an offender that needs no database (names, birth date, PRN).


@dataclass(frozen=True)
class PersonPlan:
    index: int
    prn: str
    family_name: str
    given_names: str
    preferred_name: str
    gender: str
    date_of_birth: datetime.date
    ethnicity: str
    group: str


GROUP_WEIGHTS = ((names.MAORI, 50), (names.EUROPEAN, 32), (names.PACIFIC, 12), (names.ASIAN, 6))
GENDER_WEIGHTS = ((Gender.MALE, 81), (Gender.FEMALE, 17), (Gender.DIVERSE, 1), (Gender.UNKNOWN, 1))
AGE_BANDS = (((17, 24), 20), ((25, 34), 32), ((35, 44), 25), ((45, 54), 14), ((55, 75), 9))


@functools.cache
def _cumulative(pairs) -> tuple[tuple, list]:
    values, weights = zip(*pairs, strict=True)
    return values, list(itertools.accumulate(weights))


def weighted(rng: random.Random, pairs):
    """One of the values of (value, weight) pairs, by weight: `rng.choices` with the cumulative
    weights worked out once per table of pairs (it runs millions of times at national size)."""
    values, cumulative = _cumulative(pairs)
    return rng.choices(values, cum_weights=cumulative)[0]


def given_name(rng: random.Random, group: str, gender: str) -> str:
    pool = names.GIVEN_NAMES[group]
    if gender == Gender.MALE:
        choices = pool[names.MALE] + pool[names.UNISEX]
    elif gender == Gender.FEMALE:
        choices = pool[names.FEMALE] + pool[names.UNISEX]
    else:
        choices = pool[names.UNISEX] + pool[names.MALE] + pool[names.FEMALE]
    return rng.choice(choices)


def person_rng(seed: int, index: int) -> random.Random:
    return random.Random(seed * 1_000_003 + index * 2)


def record_rng(seed: int, index: int) -> random.Random:
    return random.Random(seed * 1_000_003 + index * 2 + 1)


def person_plan(seed: int, index: int, today: datetime.date) -> PersonPlan:
    """Offender number `index`'s identity for `seed`: the same on every run."""
    rng = person_rng(seed, index)
    group = weighted(rng, GROUP_WEIGHTS)
    gender = weighted(rng, GENDER_WEIGHTS)
    family_group = weighted(rng, names.FAMILY_NAME_MIX[group])
    family_name = rng.choice(names.FAMILY_NAMES[family_group])
    given = [given_name(rng, weighted(rng, names.GIVEN_NAME_MIX[group]), gender)]
    if rng.random() < 0.55:
        second = given_name(rng, weighted(rng, names.GIVEN_NAME_MIX[group]), gender)
        if second != given[0]:
            given.append(second)
    preferred = ""
    if len(given) > 1 and rng.random() < 0.15:
        preferred = given[1]
    low, high = weighted(rng, AGE_BANDS)
    age = rng.randint(low, high)
    date_of_birth = today - days(age * 365.25 + rng.randint(1, 364))
    ethnicity = weighted(rng, names.ETHNICITIES[group])
    return PersonPlan(
        index=index,
        prn=prn_for(index),
        family_name=family_name,
        given_names=" ".join(given),
        preferred_name=preferred,
        gender=gender,
        date_of_birth=date_of_birth,
        ethnicity=ethnicity,
        group=group,
    )
