"""The scoring engine of the Review Security Classification (seed 003, sections A, B and C.2).

Pure functions: they take plain answers ({"A.2.1": "1_3y", ...}) and an `InstrumentSpec` (a plain
copy of one instrument version, built by classification.selectors.instrument_spec) and touch no
database, so a review, a dry run and a test all score the same way.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

INTERNAL = "A"
EXTERNAL = "B"

TERRORISM_ITEMS = ("A.1.1", "B.1.1")  # seed 003, A.1.1 / B.1.1
SERIOUS_ASSAULT_ITEM = "A.1.2"  # seed 003, A.1.2
COOPERATION_ITEMS = ("A.5.1", "A.5.2", "A.5.3", "A.5.4", "A.5.5")  # seed 003, A.5
INTERNAL_CATEGORY_ITEM = "B.4.4"  # seed 003, B.4.4: the internal category just scored

# Seed 003, B.2 (auto entry items): each carry-over is the sum of these internal items' points.
CARRY_OVERS: dict[str, tuple[str, ...]] = {
    "B.2.1": ("A.2.1",),  # time since last escape or attempt
    "B.2.2": ("A.4.1",),  # most serious current offence
    "B.2.3": ("A.4.5", "A.4.6"),  # charges and convictions under other Acts
    "B.2.4": COOPERATION_ITEMS,  # cooperation and motivation
}


class ScoringError(ValueError):
    """The answers do not fit the instrument (a missing answer or an option it does not have)."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{code}: {problem}" for code, problem in sorted(problems.items())))


@dataclass(frozen=True)
class ItemSpec:
    code: str
    section: str
    kind: str  # ItemKind value: override, scored, carry_over
    points: Mapping[str, int]  # option code -> points


@dataclass(frozen=True)
class InstrumentSpec:
    version: int
    internal_b_from: int
    external_b_from: int
    items: Mapping[str, ItemSpec]

    def scored_items(self, section: str) -> list[ItemSpec]:
        return [item for item in self.items.values() if item.section == section and item.kind == "scored"]


@dataclass(frozen=True)
class ScoreResult:
    instrument_version: int
    item_points: dict[str, int]
    internal_total: int
    external_total: int
    internal_category: str
    external_category: str
    overrides: tuple[str, ...] = field(default=())
    # False when the terrorism override (A.1.1) leaves the rest of internal risk uncompleted.
    internal_completed: bool = True

    @property
    def categories(self) -> tuple[str, str]:
        return self.internal_category, self.external_category


def category_for(total: int, b_from: int) -> str:
    """Seed 003, C.2.1: a total below the threshold is category A, at or above it B."""
    return "B" if total >= b_from else "A"


def _points(spec: InstrumentSpec, code: str, answers: Mapping[str, str], problems: dict[str, str]) -> int:
    item = spec.items[code]
    option = answers.get(code)
    if option is None or option == "":
        problems[code] = "needs an answer"
        return 0
    if option not in item.points:
        problems[code] = f'"{option}" is not one of its options'
        return 0
    return item.points[option]


def _yes(answers: Mapping[str, str], code: str) -> bool:
    return answers.get(code) == "yes"


def score(spec: InstrumentSpec, answers: Mapping[str, str]) -> ScoreResult:
    """Score one review. Raises ScoringError listing every missing or unknown answer."""
    problems: dict[str, str] = {}
    item_points: dict[str, int] = {}
    overrides: list[str] = []

    # Seed 003, A.1.1 / B.1.1: terrorism overrides both parts to B and the rest of internal risk is
    # no longer completed.
    terrorism = any(_yes(answers, code) for code in TERRORISM_ITEMS if code in spec.items)
    if terrorism:
        overrides.append("A.1.1")
    # Seed 003, A.1.2: a new serious assault in the past 6 months overrides internal risk to B.
    serious_assault = _yes(answers, SERIOUS_ASSAULT_ITEM) and not terrorism
    if serious_assault:
        overrides.append("A.1.2")

    if not terrorism:
        for item in spec.scored_items(INTERNAL):
            item_points[item.code] = _points(spec, item.code, answers, problems)
    internal_total = sum(item_points.get(item.code, 0) for item in spec.scored_items(INTERNAL))
    internal_category = (
        "B" if terrorism or serious_assault else category_for(internal_total, spec.internal_b_from)
    )

    # Seed 003, B.2: carried over from section A (0 when section A was not completed).
    for carry_code, sources in CARRY_OVERS.items():
        if carry_code in spec.items:
            item_points[carry_code] = sum(item_points.get(source, 0) for source in sources)
    for item in spec.scored_items(EXTERNAL):
        if item.code == INTERNAL_CATEGORY_ITEM:
            # Seed 003, B.4.4: the internal category just scored, whatever the answers say.
            item_points[item.code] = _points(spec, item.code, {item.code: internal_category}, problems)
        elif terrorism and not answers.get(item.code):
            # External risk defaults to B under the terrorism override; unanswered items score 0.
            item_points[item.code] = 0
        else:
            item_points[item.code] = _points(spec, item.code, answers, problems)
    if problems:
        raise ScoringError(problems)
    external_total = sum(
        points for code, points in item_points.items() if spec.items[code].section == EXTERNAL
    )
    external_category = "B" if terrorism else category_for(external_total, spec.external_b_from)
    return ScoreResult(
        instrument_version=spec.version,
        item_points=item_points,
        internal_total=internal_total,
        external_total=external_total,
        internal_category=internal_category,
        external_category=external_category,
        overrides=tuple(overrides),
        internal_completed=not terrorism,
    )
