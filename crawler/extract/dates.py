"""Publish dates: printed forms, metadata values, URLs and 12371 ARTI ids.

All pages print Beijing time without a zone marker, so every result carries
``+08:00``; a page that shows only a day gives a bare ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt
import re

from crawler.extract.patterns import ARTI_ID_RE, DATE_RE, FULLWIDTH_DIGITS, SPLIT_DATE_RE, URL_DATE_PATTERNS

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
    """The first plausible printed date in ``text``, as ISO 8601 (Beijing)."""
    if not text:
        return None
    text = normalize_digits(text)
    for match in (*SPLIT_DATE_RE.finditer(text), *DATE_RE.finditer(text)):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        hour = int(match[4]) if match[4] else None
        minute = int(match[5]) if match[5] else None
        second = int(match[6]) if match[6] else None
        if hour is not None and not _valid(year, month, day, hour, minute or 0, second or 0):
            hour = minute = second = None
        if _valid(year, month, day):
            return format_date(year, month, day, hour, minute, second)
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
