"""By-lines around the text: between the title and the body, above the title,
and just below the body, each read with the label parser."""

from __future__ import annotations

import re
from collections.abc import Sequence

from crawler.extract.body import is_chrome
from crawler.extract.byline import Byline, clean_source, lone_name, looks_like_person, parse_byline
from crawler.extract.dates import find_date
from crawler.extract.patterns import (
    ATTACHMENT_EXT_RE,
    CHROME_ATTR_RE,
    CHROME_PREFIX_RE,
    DISCLAIMER_RE,
    EVENT_LINE_RE,
    FOOTER_EDITOR_RE,
    LABEL_ONLY_RE,
    NOT_SOURCE_RE,
    SECTION_END_RE,
    SOURCE_SUFFIX_RE,
)
from crawler.extract.tree import Line

HEADER_ZONE = 12
TAIL_ZONE = 10
# An info line with a site URL, a date, a counter and two labels runs to about this length.
_INFO_LINE_MAX = 120
_SENTENCE_END_RE = re.compile(r"[。！？!?；]")


def first_prose(lines: Sequence[Line]) -> int:
    """Index of the first line that reads as article text (the title sits above it)."""
    for line in lines:
        if (len(line.text) >= 60 or "。" in line.text) and line.link_ratio < 0.5 and not is_chrome(line.text):
            return line.index
    return lines[0].index if lines else 0


def peel_header(lines: list[Line]) -> list[Line]:
    """Drop the info lines (date, 来源, a lone source name, widgets) that open a
    container holding the header as well as the text; the header zone reads them."""
    start = 0
    while start < min(len(lines), HEADER_ZONE):
        text = lines[start].text
        if len(text) > _INFO_LINE_MAX or _SENTENCE_END_RE.search(text):
            break
        parsed = parse_byline(text)
        if len(text) > 50 and not (parsed.labeled and parsed.published_at):
            break  # a long line is an info line only when labels and a date make it one
        if start + 1 < len(lines) and EVENT_LINE_RE.match(lines[start + 1].text):
            break  # 时间：… above 地点：… is the event a notice announces
        dated = (
            parsed.published_at is not None
            and len(parsed.leftover) <= 1
            and all(len(token) <= 15 for token in parsed.leftover)
        )
        if not (
            is_chrome(text)
            or dated
            or (parsed.labeled and not parsed.leftover)
            or (SOURCE_SUFFIX_RE.search(text) and len(text) <= 10 and " " not in text)
        ):
            break
        start += 1
    return lines[start:] if start < len(lines) else lines


def drop_trailing_links(lines: list[Line]) -> list[Line]:
    """Link lists closing a container (related articles without a telling class), and
    the reprint notices printed below them."""
    end = len(lines)
    while end > 1:
        last = lines[end - 1]
        links = last.link_ratio > 0.6 and not ATTACHMENT_EXT_RE.search(last.text)
        if not (links or DISCLAIMER_RE.search(last.text)):
            break
        end -= 1
    return lines[:end]


def label_value_pairs(lines: Sequence[Line]) -> list[tuple[Line, str]]:
    """Lines as texts, a bare ``label：`` cell joined with the value cell after it."""
    out: list[tuple[Line, str]] = []
    pending: str | None = None
    for line in lines:
        text = line.text
        if pending is not None:
            text = pending + text
            pending = None
        elif LABEL_ONLY_RE.match(text):
            pending = text
            continue
        out.append((line, text))
    return out


def header_zone(lines: Sequence[Line], title_idx: int | None, first: int) -> Byline:
    """By-lines between the title and the body (or just above the body)."""
    start = title_idx + 1 if title_idx is not None and title_idx < first else max(0, first - 6)
    found = Byline()
    for line, text in label_value_pairs(lines[start : min(first, start + HEADER_ZONE)]):
        if len(text) > 200:
            continue
        parsed = parse_byline(text)
        found.merge(parsed)
        if not parsed.labeled:
            found.source = found.source or unlabeled_source(line, parsed)
            if not found.author and _plain_line(line) and line.index - start < 3:
                found.author = lone_name(line.text)
    return found


def before_title(lines: Sequence[Line], title_idx: int | None) -> Byline:
    """Labeled cells above the title: 发文机关 in 政府信息公开 tables."""
    found = Byline()
    if title_idx is None:
        return found
    for _line, text in label_value_pairs(lines[max(0, title_idx - 8) : title_idx]):
        parsed = parse_byline(text)
        if parsed.labeled and len(text) <= 80:
            found.merge(parsed)
    return found


def tail_zone(lines: Sequence[Line], last: int) -> Byline:
    """Labeled lines just after the body: 责任编辑, 来源, 发布日期 on some templates."""
    found = Byline()
    for line in lines[last + 1 : last + 1 + TAIL_ZONE]:
        if len(line.text) > 120:
            continue
        parsed = parse_byline(line.text)
        if parsed.labeled:
            found.merge(parsed)
    return found


def date_below_text(lines: Sequence[Line], last: int) -> str | None:
    """A date printed under the text without a label (a blog's ``posted @ 2008-05-12 21:35 |
    阅读(326)``), before a related heading or a list of links."""
    links = 0
    for line in lines[last + 1 : last + 1 + TAIL_ZONE]:
        if SECTION_END_RE.match(line.text):
            break
        if CHROME_PREFIX_RE.match(line.text):
            continue  # 上一篇：… (2021-02-28) dates another article
        if line.link_ratio >= 0.5:
            links += 1
            if links >= 2:
                break
            continue
        if len(line.text) <= 80 and not _SENTENCE_END_RE.search(line.text):
            found = find_date(line.text)
            if found:
                return found
    return None


def footer_editor(lines: Sequence[Line], last: int) -> str | None:
    """责任编辑 printed in a footer block far below the text, past the related lists."""
    for line in lines[last + 1 + TAIL_ZONE :]:
        if len(line.text) <= 40 and line.link_ratio < 0.5 and FOOTER_EDITOR_RE.match(line.text):
            editor = parse_byline(line.text).editor
            if editor:
                return editor
    return None


def unlabeled_source(line: Line, parsed: Byline) -> str | None:
    """``某某文化 2020-03-09 18:14`` or a lone ``新华社`` line: a source without a label."""
    tokens = [t for t in parsed.leftover if not is_chrome(t)]
    if len(tokens) != 1 or " " in tokens[0] or not 2 <= len(tokens[0]) <= 15:
        return None
    token = tokens[0]
    if NOT_SOURCE_RE.search(token) or (looks_like_person(token) and len(token) <= 3):
        return None
    if parsed.published_at or (SOURCE_SUFFIX_RE.search(token) and len(line.text) <= 15):
        return clean_source(token)
    return None


def _plain_line(line: Line) -> bool:
    """Not a link, not a widget, not a form label ending in a colon."""
    attrs = f"{line.owner.get('class') or ''} {line.owner.get('id') or ''}"
    return (
        line.link_ratio == 0
        and not line.text.endswith((":", "："))
        and not (attrs.strip() and CHROME_ATTR_RE.search(attrs))
    )
