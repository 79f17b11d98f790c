"""The headline: a heading on the page confirmed by ``<title>``, without site suffixes."""

from __future__ import annotations

import re
from collections.abc import Sequence

from crawler.extract.patterns import (
    BREADCRUMB_GENERIC,
    BREADCRUMB_SPLIT_RE,
    DATE_RE,
    LABEL_RE,
    NOT_TITLE_RE,
    TITLE_ATTR_RE,
    TITLE_LABEL_RE,
    TITLE_SEPARATORS_RE,
    TITLE_SITE_HINT_RE,
)
from crawler.extract.tree import Line

_SQUASH_RE = re.compile(r"\s+")
_HEADING_BONUS = {"h1": 30, "h2": 20, "h3": 10}
_MAX_JOINED_LINES = 4
_STRUCTURAL_WINDOW = 15
_MAX_TITLE_DISTANCE = 40
_EXACT_BONUS = 20


def squash(text: str | None) -> str:
    return _SQUASH_RE.sub("", text or "")


def strip_site_name(page_title: str) -> str:
    """``标题-新华网`` -> ``标题``: drop the segments that name the site or column."""
    crumbs = [p for p in BREADCRUMB_SPLIT_RE.split(page_title) if p.strip()]
    if len(crumbs) >= 2 and crumbs[0].strip() in BREADCRUMB_GENERIC:
        # 首页 > 新闻 > 标题: the headline is the last step of the trail.
        page_title = crumbs[-1]
    parts = [p for p in TITLE_SEPARATORS_RE.split(page_title) if p.strip()]
    if len(parts) <= 1:
        return page_title.strip()
    # The headline leads; a short leading segment naming a site (共产党员网_标题) is skipped.
    first = parts[0]
    if (
        len(parts) > 1
        and TITLE_SITE_HINT_RE.search(first)
        and len(first) < max(len(p) for p in parts[1:]) / 2
    ):
        return parts[1].strip()
    return first.strip()


def _is_titleish(line: Line) -> int:
    owner = line.owner
    bonus = _HEADING_BONUS.get(owner.tag, 0)
    attrs = f"{owner.get('class') or ''} {owner.get('id') or ''}"
    if TITLE_ATTR_RE.search(attrs):
        bonus += 15
    return bonus


def find_title(
    lines: Sequence[Line],
    page_title: str,
    meta_title: str | None,
    body_start: int | None = None,
    site_name: str | None = None,
) -> tuple[str | None, int | None]:
    """Return ``(title, index of its last line)``; the index is None when no line holds it."""
    if site_name and squash(page_title) == squash(site_name):
        page_title = ""  # a <title> that only names the site confirms nothing
    references = [squash(t) for t in (page_title, meta_title) if t]
    best: tuple[float, str, int, int] | None = None
    for line in lines:
        if body_start is not None and not body_start - _MAX_TITLE_DISTANCE <= line.index <= body_start:
            # The headline sits just above the text; a match far away is a logo, a menu or a link list.
            continue
        text = squash(line.text)
        if len(text) < 2 or len(text) > 200:
            continue
        ref = next((r for r in references if text in r), None)
        if ref is None:
            continue
        parts = [line.text]
        joined = text
        for nxt in lines[line.index + 1 : line.index + _MAX_JOINED_LINES]:
            candidate = joined + squash(nxt.text)
            if candidate not in ref:
                break
            joined = candidate
            parts.append(nxt.text)
        score = len(joined) * 2 + _is_titleish(line) - (20 if line.link_ratio > 0.5 else 0)
        headline = squash(strip_site_name(page_title) if page_title else ref)
        if len(joined) < 0.6 * len(headline):
            continue
        if joined == headline:
            # The whole <title> less its site and column parts: the headline, over a
            # bigger heading that names the blog or the column.
            score += _EXACT_BONUS
        score += _date_follows(lines, line.index + len(parts))
        if best is None or score > best[0]:
            best = (score, _join_lines(parts), line.index + len(parts) - 1, _is_titleish(line))
    heading = _structural_title(lines, body_start)
    if best is not None:
        # A plain line repeating the whole <title> (a logo or site name: the page title
        # carried no headline) loses to a real heading between it and the text.
        whole = bool(references) and squash(best[1]) == references[0]
        stronger = heading is not None and heading.index > best[2] and heading.owner.tag in _HEADING_BONUS
        if not (best[3] == 0 and whole and stronger):
            return TITLE_LABEL_RE.sub("", best[1]), best[2]
    if heading is not None:
        run = _same_block_run(lines, heading)
        return _join_lines([ln.text for ln in run]), run[-1].index
    fallback = meta_title or (strip_site_name(page_title) if page_title else None)
    return (fallback or None), None


def _date_follows(lines: Sequence[Line], start: int) -> int:
    for line in lines[start : start + 4]:
        if DATE_RE.search(line.text):
            return 10
    return 0


def _join_lines(parts: list[str]) -> str:
    out = parts[0]
    for part in parts[1:]:
        sep = (
            " "
            if out[-1:].isascii() and out[-1:].isalnum() and part[:1].isascii() and part[:1].isalnum()
            else ""
        )
        out += sep + part
    return out.strip()


def _same_block_run(lines: Sequence[Line], line: Line) -> list[Line]:
    """A headline broken with <br> inside one element: its short sibling lines."""

    def joins(other: Line) -> bool:
        return (
            other.owner is line.owner
            and len(other.text) <= 40
            and other.text[:1] not in "(（[【"
            and not DATE_RE.search(other.text)
        )

    run = [line]
    for prev in reversed(lines[max(0, line.index - _MAX_JOINED_LINES + 1) : line.index]):
        if not joins(prev):
            break
        run.insert(0, prev)
    for nxt in lines[line.index + 1 : line.index + _MAX_JOINED_LINES]:
        if not joins(nxt):
            break
        run.append(nxt)
    return run


def _structural_title(lines: Sequence[Line], body_start: int | None) -> Line | None:
    """When <title> names only the site: the heading-like line closest above the text."""
    if body_start is None:
        body_start = len(lines)
    best: tuple[float, Line] | None = None
    for line in lines[max(0, body_start - _STRUCTURAL_WINDOW) : body_start]:
        text = line.text
        if not 4 <= len(text) <= 100 or line.link_ratio >= 0.5 or NOT_TITLE_RE.search(text):
            continue
        if LABEL_RE.search(text) or (DATE_RE.search(text) and len(text) < 30):
            continue
        score = _is_titleish(line) * 2 + min(len(text), 40) / 4 - (body_start - line.index) * 1.5
        score += _date_follows(lines, line.index + 1) * 2
        if best is None or score > best[0]:
            best = (score, line)
    return best[1] if best is not None and best[0] > 0 else None
