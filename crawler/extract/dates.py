"""Publish dates: printed forms, metadata values, URLs and 12371 ARTI ids.

All pages print Beijing time without a zone marker, so every result carries
``+08:00``; a page that shows only a day gives a bare ``YYYY-MM-DD``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from crawler.extract.patterns import (
    ARTI_ID_RE,
    DATE_RE,
    FULLWIDTH_DIGITS,
    ISSUE_MONTH_RE,
    SPLIT_DATE_RE,
    URL_DATE_PATTERNS,
    US_DATE_RE,
)

BEIJING = dt.timezone(dt.timedelta(hours=8))
_ISO_RE = re.compile(
    r"((?:19|20)\d{2})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?"
)
_EPOCH_RE = re.compile(r"^\d{10}(?:\d{3})?$")


_FULLWIDTH_RE = re.compile("[０-９]")


def normalize_digits(text: str) -> str:
    return text.translate(FULLWIDTH_DIGITS) if _FULLWIDTH_RE.search(text) else text


def _valid(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> bool:
    try:
        dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return 1990 <= year <= dt.date.today().year + 1


def format_date(
    year: int,
    month: int,
    day: int,
    hour: int | None = None,
    minute: int | None = None,
    second: int | None = None,
) -> str:
    if hour is None:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute or 0:02d}:{second or 0:02d}+08:00"


def find_date(text: str) -> str | None:
    """The first plausible printed date in ``text``, as ISO 8601 (Beijing).

    A time is given only when one is printed; 下午 3:20 and 6:12 PM count in 24 hours.
    Month-first dates (8/21/2005; day first when the first number cannot be a month)
    are read only when no year-first date is printed.
    """
    if not text:
        return None
    text = normalize_digits(text)
    for match in SPLIT_DATE_RE.finditer(text):
        found = _checked(int(match[1]), int(match[2]), int(match[3]), match[4], match[5], match[6])
        if found:
            return found
    for match in DATE_RE.finditer(text):
        hour = _hour_of_day(match[5], match[4] or match[8])
        found = _checked(int(match[1]), int(match[2]), int(match[3]), hour, match[6], match[7])
        if found:
            return found
    if "/" in text:
        for match in US_DATE_RE.finditer(text):
            hour = _hour_of_day(match[4], match[7])
            month, day = int(match[1]), int(match[2])
            if month > 12:  # 21/8/2005 can only be day first
                month, day = day, month
            found = _checked(int(match[3]), month, day, hour, match[5], match[6])
            if found:
                return found
    return None


_AFTERNOON = frozenset({"下午", "晚上", "P", "p"})


def _hour_of_day(hour: str | None, meridiem: str | None) -> str | None:
    if hour is None or meridiem is None:
        return hour
    value = int(hour)
    if meridiem in _AFTERNOON and value < 12:
        value += 12
    elif meridiem in ("A", "a", "凌晨") and value == 12:
        value = 0
    return str(value)


def _checked(
    year: int, month: int, day: int, hour: str | None, minute: str | None, second: str | None
) -> str | None:
    """The ISO form of a printed date if it exists; a time that does not exist is dropped."""
    if not _valid(year, month, day):
        return None
    if hour is None or not _valid(year, month, day, int(hour), int(minute or 0), int(second or 0)):
        return format_date(year, month, day)
    return format_date(year, month, day, int(hour), int(minute or 0), int(second or 0))


def find_issue_month(text: str) -> str | None:
    """``1999年7月号`` -> ``1999-07``: a magazine issue dates its articles to the month."""
    match = ISSUE_MONTH_RE.search(normalize_digits(text)) if "月" in text else None
    if match and _valid(int(match[1]), int(match[2]), 1):
        return f"{int(match[1]):04d}-{int(match[2]):02d}"
    return None


def parse_meta_date(value: str) -> str | None:
    """A date from a metadata value: ISO with a zone, epoch seconds/ms, or printed forms."""
    value = normalize_digits(value.strip())
    if _EPOCH_RE.match(value):
        seconds = int(value) / (1000 if len(value) == 13 else 1)
        return from_epoch(seconds)
    match = _ISO_RE.match(value)
    if match and match[7]:
        zone = match[7]
        stamp = dt.datetime(
            *(int(x) for x in match.groups()[:5]),
            int(match[6] or 0),
            tzinfo=dt.UTC if zone == "Z" else _parse_offset(zone),
        )
        local = stamp.astimezone(BEIJING)
        return local.isoformat(timespec="seconds")
    return find_date(value)


def _parse_offset(zone: str) -> dt.timezone:
    sign = -1 if zone.startswith("-") else 1
    digits = zone[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))


def from_epoch(seconds: float) -> str | None:
    try:
        stamp = dt.datetime.fromtimestamp(seconds, BEIJING)
    except (OverflowError, OSError, ValueError):
        return None
    if not _valid(stamp.year, stamp.month, stamp.day):
        return None
    return stamp.replace(microsecond=0).isoformat()


def arti_date(url: str) -> str | None:
    """The publish time a 12371 ``ARTI`` id encodes (first 13 digits, epoch ms)."""
    match = ARTI_ID_RE.search(url)
    return from_epoch(int(match[1]) / 1000) if match else None


def days_apart(first: str, second: str) -> int:
    return abs((dt.date.fromisoformat(first[:10]) - dt.date.fromisoformat(second[:10])).days)


def date_from_url(url: str) -> str | None:
    """A day from the URL path (``/2021/02/04/``, ``t20190918_``, ``/n1/2019/0615/``...)."""
    found = arti_date(url)
    if found:
        return found
    for pattern in URL_DATE_PATTERNS:
        match = pattern.search(url)
        if match:
            year, month, day = (int(x) for x in match.groups()[:3])
            if _valid(year, month, day):
                return format_date(year, month, day)
    return None


def day_of(iso: str | None) -> str | None:
    return iso[:10] if iso else None


def has_time(iso: str | None) -> bool:
    return bool(iso and "T" in iso)


class BadDate(ValueError):
    """A date given by a user (a command option) that is not a real day, month or year."""


_OPTION_DATE_RE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def date_span(value: str) -> tuple[dt.date, dt.date]:
    """The first and last day of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: the one reading of a date
    option for every command (``--since`` takes the first day, ``--until`` the last).

    Raises ``BadDate`` naming the value for anything else, including days that do not exist
    (``2021-02-30``) and months past 12.
    """
    text = (value or "").strip()
    match = _OPTION_DATE_RE.fullmatch(text)
    if match is None:
        raise BadDate(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2021-02-03")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if day is not None:
            first = last = dt.date(year, month, day)
        elif month is not None:
            first = dt.date(year, month, 1)
            last = first.replace(day=calendar.monthrange(year, month)[1])
        else:
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        raise BadDate(f"{value!r} is not a date: there is no such day or month") from None
    return first, last
