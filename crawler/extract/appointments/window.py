"""The notice window (公示期): stated dates, or a number of working days from the publication day.

Working days here are Monday to Friday: official holidays and the weekend days made working
days around them (调休) are not known to the parser, so a window over a holiday is computed too
short; such a window is marked ``computed``.
"""

from __future__ import annotations

from datetime import date, timedelta

from crawler.extract.appointments import patterns as p
from crawler.extract.appointments.fields import chinese_number


def add_workdays(start: date, days: int) -> tuple[date, date]:
    """(first, last) day of a window of ``days`` working days opening on ``start``
    (moved to the next Monday when ``start`` falls on a weekend)."""
    if start.weekday() >= 5:
        start += timedelta(days=7 - start.weekday())
    if days <= 1:
        return start, start
    # Every five working days after the first take a week; the rest crosses a weekend or not.
    weeks, rest = divmod(days - 1, 5)
    weekend = 2 if start.weekday() + rest >= 5 else 0
    return start, start + timedelta(days=7 * weeks + rest + weekend)


def publication_day(published_at: str | None) -> date | None:
    try:
        return date.fromisoformat((published_at or "")[:10])
    except ValueError:
        return None


def read_window(
    lines: list[str], published_at: str | None
) -> tuple[str | None, str | None, str | None, bool, list[str]]:
    """(start, end, the sentence, computed, warnings) of the window the ``lines`` state."""
    published = publication_day(published_at)
    for line in lines:
        if "公示" not in line:
            continue
        stated = _stated_dates(line, published)
        if stated:
            return stated[0].isoformat(), stated[1].isoformat(), line, False, []
    for line in lines:
        if "公示" not in line and "工作日" not in line:
            continue
        if "工作日" in line and (match := p.WORKDAYS_RE.search(line)):
            return _counted(line, chinese_number(match[1]), published, workdays=True)
        if match := p.CALENDAR_DAYS_RE.search(line):
            return _counted(line, chinese_number(match[1]), published, workdays=False)
    return None, None, None, False, ["no notice window found"]


def _counted(
    line: str, days: int | None, published: date | None, workdays: bool
) -> tuple[str | None, str | None, str | None, bool, list[str]]:
    if published is None or not days:
        return None, None, line, False, ["the window is counted in days but the publication day is unknown"]
    if workdays:
        start, end = add_workdays(published, days)
    else:
        start, end = published, published + timedelta(days=days - 1)
    return start.isoformat(), end.isoformat(), line, True, []


def _stated_dates(line: str, published: date | None) -> tuple[date, date] | None:
    # Each pattern is tried only on a line holding the characters it needs.
    match = (p.WINDOW_DATES_RE.search(line) if "月" in line and "日" in line else None) or (
        p.WINDOW_FIGURES_RE.search(line) if "." in line or "．" in line or "/" in line else None
    )
    if not match:
        return None
    start_year = int(match[1]) if match[1] else (published.year if published else None)
    if start_year is None:
        return None
    try:
        start = date(start_year, int(match[2]), int(match[3]))
        end_month = int(match[5]) if match[5] else start.month
        end_year = int(match[4]) if match[4] else start_year + (end_month < start.month)
        end = date(end_year, end_month, int(match[6]))
    except ValueError:
        return None
    return (start, end) if start <= end else None
