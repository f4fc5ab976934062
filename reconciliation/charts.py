"""The weekly trend as a small bar chart drawn on the server (inline SVG, no JavaScript): the
geometry is computed here and the template only places it. The page also gives the numbers as
a table and the chart a text description, so nothing depends on seeing the bars."""

import math
from dataclasses import dataclass

from reconciliation.selectors import TrendWeek

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 44
BAR_WIDTH, BAR_GAP = 18, 3
SERIES = (("opened", "Opened", "#0b5394"), ("resolved", "Resolved", "#1d6b38"))


@dataclass(frozen=True)
class Bar:
    series: str
    x: float
    y: float
    width: float
    height: float
    value: int
    colour: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class WeekLabel:
    x: float
    text: str


@dataclass(frozen=True)
class TrendChart:
    weeks: list[TrendWeek]
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[WeekLabel]
    width: int
    height: int
    plot_left: int
    plot_right: int
    baseline: float
    opened_total: int
    resolved_total: int
    description: str
    legend: tuple = SERIES


def _nice_step(maximum: int, ticks: int = 4) -> int:
    raw = max(maximum / ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * magnitude:
            return int(multiple * magnitude)
    return int(10 * magnitude)


def _week_label(week: TrendWeek) -> str:
    return f"{week.starts_on.day} {week.starts_on:%b}"


def trend_chart(weeks: list[TrendWeek]) -> TrendChart:
    peak = max([week.opened for week in weeks] + [week.resolved for week in weeks] + [1])
    step = _nice_step(peak)
    top = math.ceil(peak / step) * step
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    group = (WIDTH - LEFT - RIGHT) / max(len(weeks), 1)
    inset = (group - (2 * BAR_WIDTH + BAR_GAP)) / 2

    bars, labels = [], []
    for index, week in enumerate(weeks):
        left = LEFT + index * group
        for offset, (series, _, colour) in enumerate(SERIES):
            value = getattr(week, series)
            height = plot_height * value / top
            bars.append(
                Bar(
                    series=series,
                    x=round(left + inset + offset * (BAR_WIDTH + BAR_GAP), 1),
                    y=round(baseline - height, 1),
                    width=BAR_WIDTH,
                    height=round(height, 1),
                    value=value,
                    colour=colour,
                )
            )
        labels.append(WeekLabel(x=round(left + group / 2, 1), text=_week_label(week)))
    ticks = [
        Tick(y=round(baseline - plot_height * value / top, 1), label=str(value))
        for value in range(0, top + 1, step)
    ]
    opened_total = sum(week.opened for week in weeks)
    resolved_total = sum(week.resolved for week in weeks)
    return TrendChart(
        weeks=weeks,
        bars=bars,
        ticks=ticks,
        labels=labels,
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        baseline=baseline,
        opened_total=opened_total,
        resolved_total=resolved_total,
        description=_describe(weeks, opened_total, resolved_total),
    )


def _describe(weeks: list[TrendWeek], opened_total: int, resolved_total: int) -> str:
    if not weeks:
        return "No weeks to show."
    first, last = weeks[0].starts_on, weeks[-1].starts_on
    span = f"the {len(weeks)} weeks from {first:%-d %B %Y} to the week of {last:%-d %B %Y}"
    text = (
        f"Bar chart of exceptions opened and resolved each week over {span}: "
        f"{opened_total} opened and {resolved_total} resolved."
    )
    if opened_total:
        busiest = max(weeks, key=lambda week: (week.opened, week.starts_on))
        text += f" Most opened in one week: {busiest.opened}, in the week of {busiest.starts_on:%-d %B}."
    latest = weeks[-1]
    text += f" This week so far: {latest.opened} opened, {latest.resolved} resolved."
    return text
