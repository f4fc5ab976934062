"""Search recall (`manage.py bench --recall N`): is the intended person among the first five results?

A sample of people on record is searched for in the ways staff type names: exact, reversed,
"Family, Given", the first given name only, a typo in either name (the first letter included),
sound-alike spellings, macrons left out, an alias, the family name with the date of birth, the
whole PRN and part of it. Each query goes through `offender_search`, the function behind the search
page and the API.

A person counts as found when fewer than five people scored strictly higher: people who share the
same name tie, and no order among them is more right than another. Searches are made with a limit
of RANKED results rather than the page's 50 so that a person among more than 50 namesakes (common
at national size with the demo's name lists) is still seen and judged by score; on the page staff
narrow such a name by date of birth, which the "family name and date of birth" form measures.
"""

import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection

from demo.bench import percentile
from offenders.models import Offender
from offenders.selectors import SearchTerms, offender_search

TOP = 5
RANKED = 1000

# Spellings that sound alike, both ways round (Stephen / Steven, Smith / Smyth, Katherine /
# Catherine, Tomson / Thompson).
SOUND_ALIKES = (
    ("ph", "f"),
    ("f", "ph"),
    ("th", "t"),
    ("y", "i"),
    ("i", "y"),
    ("ck", "k"),
    ("c", "k"),
    ("k", "c"),
    ("ie", "y"),
    ("ey", "y"),
    ("ll", "l"),
    ("nn", "n"),
    ("tt", "t"),
    ("mp", "m"),
    ("wh", "w"),
    ("ee", "ea"),
)
# A first letter misheard or misspelt: Kraig for Craig, Fillip for Phillip, Jeff for Geoff.
FIRST_LETTERS = {"c": "k", "k": "c", "g": "j", "j": "g", "s": "z", "z": "s", "i": "y", "y": "i", "v": "w"}
KEYBOARD_NEIGHBOURS = {
    "a": "sq",
    "e": "wr",
    "i": "uo",
    "o": "ip",
    "u": "yi",
    "n": "bm",
    "m": "n",
    "r": "et",
    "t": "ry",
    "s": "ad",
    "l": "k",
    "h": "gj",
}


@dataclass(frozen=True)
class RecallQuery:
    form: str
    text: str
    offender_id: int
    date_of_birth: object = None


@dataclass
class FormResult:
    form: str
    queries: int = 0
    found: int = 0
    milliseconds: list[float] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.queries if self.queries else 0.0


@dataclass
class RecallResult:
    people: int
    forms: list[FormResult]

    @property
    def queries(self) -> int:
        return sum(form.queries for form in self.forms)

    @property
    def found(self) -> int:
        return sum(form.found for form in self.forms)

    @property
    def recall(self) -> float:
        return self.found / self.queries if self.queries else 0.0

    @property
    def milliseconds(self) -> list[float]:
        return [value for form in self.forms for value in form.milliseconds]


def strip_macrons(text: str) -> str:
    return text.translate(str.maketrans("āēīōūĀĒĪŌŪ", "aeiouAEIOU"))


def typo(word: str, rng: random.Random, *, first_letter: bool = False) -> str:
    """One slip of the keyboard: a letter doubled, dropped, swapped with the next or a neighbour key;
    with first_letter, the first letter written as it sounds (Craig -> Kraig)."""
    if first_letter:
        first = word[:1].lower()
        if first in FIRST_LETTERS:
            replacement = FIRST_LETTERS[first]
            return (replacement.upper() if word[:1].isupper() else replacement) + word[1:]
        if word[:2].lower() == "ph":
            return "F" + word[2:]
    if len(word) < 4:
        return word + word[-1:]
    position = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("double", "drop", "swap", "neighbour"))
    if kind == "double":
        return word[: position + 1] + word[position] + word[position + 1 :]
    if kind == "drop":
        return word[:position] + word[position + 1 :]
    if kind == "swap":
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    neighbours = KEYBOARD_NEIGHBOURS.get(word[position].lower())
    if not neighbours:
        return word[:position] + word[position + 1 :]
    return word[:position] + rng.choice(neighbours) + word[position + 1 :]


def sound_alike(word: str, rng: random.Random) -> str | None:
    lowered = word.lower()
    options = [(old, new) for old, new in SOUND_ALIKES if old in lowered[1:]]
    if not options:
        return None
    old, new = rng.choice(options)
    position = lowered.index(old, 1)
    return word[:position] + new + word[position + len(old) :]


def queries_for(offender: Offender, aliases: list, rng: random.Random) -> list[RecallQuery]:
    given_names = offender.given_names.split()
    given = given_names[0] if given_names else ""
    family = offender.family_name
    full = f"{offender.given_names} {family}"
    person = offender.pk

    def query(form: str, text: str, date_of_birth=None) -> RecallQuery:
        return RecallQuery(form, text, person, date_of_birth)

    found = [
        query("exact", full),
        query("first given name only", f"{given} {family}"),
        query("reversed", f"{family} {given}"),
        query("Family, Given", f"{family}, {given}"),
        query("lower case", full.lower()),
        query("typo in the family name", f"{given} {typo(family, rng)}"),
        query("typo in the given name", f"{typo(given, rng)} {family}"),
        query("first letter misspelt", f"{typo(given, rng, first_letter=True)} {family}"),
        query("family name and date of birth", family, offender.date_of_birth),
        query("whole PRN", offender.prn),
        query("part of the PRN", offender.prn[-6:]),
    ]
    family_alike, given_alike = sound_alike(family, rng), sound_alike(given, rng)
    if family_alike is not None:
        found.append(query("sound-alike spelling", f"{given} {family_alike}"))
    elif given_alike is not None:
        found.append(query("sound-alike spelling", f"{given_alike} {family}"))
    if strip_macrons(full) != full:
        found.append(query("macrons left out", strip_macrons(full)))
    if len(family.split()) > 1 or "-" in family:
        found.append(query("multi-word family name", family.replace("-", " "), offender.date_of_birth))
    for alias in aliases[:1]:
        alias_given = (alias.given_names or offender.given_names).split()[:1]
        found.append(query("alias", " ".join([*alias_given, alias.family_name])))
    return found


def sample_people(count: int, *, seed: int) -> list[Offender]:
    """Up to `count` people picked at random by id, without sorting the whole table."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM offenders_offender")
        low, high = cursor.fetchone()
    if low is None:
        return []
    rng = random.Random(seed)
    wanted = {rng.randint(low, high) for _ in range(count * 2)}
    people = list(Offender.objects.filter(pk__in=wanted).prefetch_related("aliases").order_by("pk"))
    rng.shuffle(people)
    return people[:count]


def recall_queries(people: Iterable[Offender], *, seed: int) -> list[RecallQuery]:
    rng = random.Random(seed)
    return [item for person in people for item in queries_for(person, list(person.aliases.all()), rng)]


def measure_recall(
    queries: list[RecallQuery], *, people: int, progress: Callable[[int], None] | None = None
) -> RecallResult:
    forms: dict[str, FormResult] = defaultdict(lambda: FormResult(form=""))
    for number, item in enumerate(queries, start=1):
        started = time.perf_counter()
        hits = offender_search(
            SearchTerms(text=item.text, date_of_birth=item.date_of_birth), viewer=None, limit=RANKED
        )
        elapsed = (time.perf_counter() - started) * 1000
        result = forms[item.form]
        result.form = item.form
        result.queries += 1
        result.milliseconds.append(elapsed)
        score = next((hit.score for hit in hits if hit.offender.pk == item.offender_id), None)
        if score is not None and sum(1 for hit in hits if hit.score > score) < TOP:
            result.found += 1
        elif len(result.missed) < 5:
            result.missed.append(item.text + (f" (born {item.date_of_birth})" if item.date_of_birth else ""))
        if progress is not None:
            progress(number)
    return RecallResult(people=people, forms=sorted(forms.values(), key=lambda form: form.form))


def run_recall_bench(*, people: int = 300, seed: int = 20261206) -> RecallResult:
    sample = sample_people(people, seed=seed)
    return measure_recall(recall_queries(sample, seed=seed), people=len(sample))


def format_recall(result: RecallResult) -> str:
    lines = [
        f"{'query form':<32} {'queries':>8} {'recall@5':>9} {'median ms':>10} {'p95 ms':>8}  missed, e.g."
    ]
    for form in [*result.forms, None]:
        if form is None:
            name, queries, recall, timings, missed = (
                "all",
                result.queries,
                result.recall,
                result.milliseconds,
                [],
            )
        else:
            name, queries, recall, timings, missed = (
                form.form,
                form.queries,
                form.recall,
                form.milliseconds,
                form.missed,
            )
        ordered = sorted(timings) or [0.0]
        p95 = percentile(ordered, 0.95)
        lines.append(
            f"{name:<32} {queries:>8} {recall:>8.1%} {statistics.median(ordered):>10.1f} {p95:>8.1f}  "
            + "; ".join(missed[:2])
        )
    return "\n".join(lines)
