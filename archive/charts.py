"""Charts drawn on the server as inline SVG: a page that shows them needs no script and no network.

``Timeline`` counts matches per month (per year over long spans) for one or two queries;
``sparkline`` draws a share between 0 and 1 over a few runs.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

# More months than this in the span of the matches: count per year instead.
MAX_MONTHS = 120
WIDTH, HEIGHT = 1000, 190
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 26
SERIES_COLOURS = ("#a4262c", "#1f5f99")
MAX_BAR_WIDTH = 48


@dataclass
class Timeline:
    """Counts per period for each named series; ``unit`` is month (``YYYY-MM``) or year (``YYYY``);
    ``undated`` counts, per series, the matches with no publication date."""

    unit: str
    periods: list[str]
    series: list[tuple[str, list[int]]]
    undated: list[int]

    @property
    def empty(self) -> bool:
        return not self.periods


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def build_timeline(series: Sequence[tuple[str, Counter]]) -> Timeline:
    """A timeline of ``series`` (name, Counter of ``YYYY-MM`` -> matches, None for undated), every
    period from the first match to the last present, empty ones as zero."""
    dated = sorted({m for _, months in series for m in months if m and len(m) == 7 and m[4] == "-"})
    undated = [
        sum(n for m, n in months.items() if not (m and len(m) == 7 and m[4] == "-")) for _, months in series
    ]
    if not dated:
        return Timeline("month", [], [(name, []) for name, _ in series], undated)
    periods = _month_range(dated[0], dated[-1])
    unit = "month"
    if len(periods) > MAX_MONTHS:
        unit, periods = "year", [str(y) for y in range(int(dated[0][:4]), int(dated[-1][:4]) + 1)]
    counts = []
    for name, months in series:
        per_period: Counter = Counter()
        for month, n in months.items():
            if month in dated:
                per_period[month[:4] if unit == "year" else month] += n
        counts.append((name, [per_period[p] for p in periods]))
    return Timeline(unit, periods, counts, undated)


def timeline_csv(timeline: Timeline) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([timeline.unit, *(name for name, _ in timeline.series)])
    for index, period in enumerate(timeline.periods):
        writer.writerow([period, *(counts[index] for _, counts in timeline.series)])
    if any(timeline.undated):
        writer.writerow(["undated", *timeline.undated])
    return out.getvalue()


def _nice_top(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if value <= step * 4:
            return -(-value // step) * step if value else step
    return value


def timeline_svg(timeline: Timeline, link: Callable[[str], str] | None = None) -> str:
    """Bars for the first series, a line for the second; each period links to ``link(period)``."""
    if timeline.empty:
        return ""
    top = _nice_top(max(max(counts, default=0) for _, counts in timeline.series))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(timeline.periods)

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top

    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'aria-label="matches per {timeline.unit}">'
    ]
    for tick in (0, top / 2, top):
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:g}</text>'
        )
    parts.extend(_bars(timeline, slot, y, link))
    if len(timeline.series) > 1:
        parts.append(_line(timeline.series[1][1], slot, y))
    parts.extend(_period_labels(timeline, slot))
    parts.append("</svg>")
    return "".join(parts)


def _bars(timeline: Timeline, slot: float, y: Callable[[float], float], link) -> list[str]:
    counts = timeline.series[0][1]
    # A few periods make wide slots: a bar as wide as its slot would read as a block, not a count.
    width = min(max(slot * 0.8, 1.0), MAX_BAR_WIDTH)
    parts = []
    for index, (period, count) in enumerate(zip(timeline.periods, counts, strict=True)):
        others = "".join(f", {other}: {values[index]}" for other, values in timeline.series[1:])
        title = f"<title>{escape(period)}: {count}{escape(others)}</title>"
        x = LEFT + index * slot + (slot - width) / 2
        # A full-height transparent target, so a thin or empty period is still easy to click.
        target = f'<rect class="hit" x="{LEFT + index * slot:.1f}" y="{TOP}" width="{slot:.1f}" height="{HEIGHT - TOP - BOTTOM}"/>'
        bar = f'<rect class="bar" x="{x:.1f}" y="{y(count):.1f}" width="{width:.1f}" height="{y(0) - y(count):.1f}"/>'
        group = f'<g data-period="{escape(period)}" data-count="{count}">{title}{target}{bar}</g>'
        if link is not None:
            group = f'<a href="{escape(link(period))}">{group}</a>'
        parts.append(group)
    return parts


def _line(counts: list[int], slot: float, y: Callable[[float], float]) -> str:
    points = " ".join(f"{LEFT + (i + 0.5) * slot:.1f},{y(c):.1f}" for i, c in enumerate(counts))
    dots = "".join(
        f'<circle class="dot" cx="{LEFT + (i + 0.5) * slot:.1f}" cy="{y(c):.1f}" r="2.5"/>'
        for i, c in enumerate(counts)
        if len(counts) <= 60
    )
    return f'<polyline class="compare" points="{points}"/>{dots}'


def _period_labels(timeline: Timeline, slot: float) -> list[str]:
    periods = timeline.periods
    if timeline.unit == "month":
        # Label each January (and the first month); every few years when the span is long.
        years = len({p[:4] for p in periods})
        every = 1 if years <= 12 else 2 if years <= 24 else 5
        chosen = [
            i for i, p in enumerate(periods) if i == 0 or (p.endswith("-01") and int(p[:4]) % every == 0)
        ]
        if len(chosen) > 1 and chosen[1] < 6:
            chosen = chosen[1:]  # the first month's label would run into the first January's
        if len(periods) <= 18:
            chosen = list(range(len(periods)))
    else:
        step = max(1, len(periods) // 20)
        chosen = list(range(0, len(periods), step))
    labels = []
    for i in chosen:
        text = periods[i] if timeline.unit == "year" or len(periods) <= 18 else periods[i][:4]
        if timeline.unit == "month" and len(periods) <= 18:
            text = periods[i]  # the whole month: "26-11" could be read as a day and a month
        x = LEFT + (i + 0.5) * slot
        labels.append(
            f'<text class="axis" x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle">{escape(text)}</text>'
        )
    return labels


def sparkline(
    values: Sequence[float | None], *, alert: bool = False, width: int = 120, height: int = 26
) -> str:
    """A small line of shares (0..1) over runs, oldest first; the last value is dotted."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if not points:
        return '<span class="none">—</span>'
    step = (width - 4) / max(len(values) - 1, 1)

    # Right-aligned: the latest run is always at the right edge, however few runs there are.
    def xy(i: int, v: float) -> str:
        return f"{width - 2 - (len(values) - 1 - i) * step:.1f},{height - 3 - (height - 6) * v:.1f}"

    line = " ".join(xy(i, v) for i, v in points)
    last_i, last_v = points[-1]
    cx, cy = xy(last_i, last_v).split(",")
    css = "spark alert" if alert else "spark"
    return (
        f'<svg class="{css}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(", ".join(f"{v:.0%}" for _, v in points))}</title>'
        f'<line class="base" x1="0" x2="{width}" y1="{height - 3}" y2="{height - 3}"/>'
        f'<polyline points="{line}"/><circle cx="{cx}" cy="{cy}" r="2.5"/></svg>'
    )
