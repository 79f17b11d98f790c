"""Label-driven by-line parsing: 来源 / 时间 / 作者 / 编辑 lines and in-body signatures."""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field

from crawler.extract.dates import find_date, normalize_digits
from crawler.extract.patterns import (
    COMPOUND_SURNAMES,
    DATE_RE,
    LABEL_FIELD,
    LABEL_RE,
    LONE_NAME_RE,
    NOT_A_NAME,
    ORG_SUFFIX_RE,
    PLACEHOLDER_NAME_RE,
    REPORTER_RE,
    SOURCE_TAIL_RE,
    SURNAMES,
    VALUE_SPLIT_RE,
    WEN_SLASH_RE,
)

_NAME_SPLIT_RE = re.compile(r"[\s、,，;；/／&＆:：]+")
_TRIM = " :：,，;；|｜丨/()（）[]【】<>《》\"'“”·.。"
_MAX_VALUE = 40
_ROLE_RE = re.compile(r"[(（]")


@dataclass
class Byline:
    source: str | None = None
    published_at: str | None = None
    author: str | None = None
    editor: str | None = None
    # Unlabeled text left over once labels and dates are taken out.
    leftover: list[str] = field(default_factory=list)
    labeled: bool = False

    def merge(self, other: Byline) -> None:
        """Fill the fields still empty from ``other`` (earlier evidence wins)."""
        self.source = self.source or other.source
        self.published_at = self.published_at or other.published_at
        self.author = self.author or other.author
        self.editor = self.editor or other.editor


def join_names(value: str | None, *, allow_org: bool = True) -> str | None:
    """``甲 乙`` / ``甲，乙`` -> ``甲、乙``; None for placeholders such as 佚名 or 管理员."""
    if not value:
        return None
    value = value.strip(_TRIM)
    if not value or len(value) > _MAX_VALUE:
        return None
    names = [n.strip(_TRIM) for n in _NAME_SPLIT_RE.split(value)]
    names = [n for n in names if n and n not in NOT_A_NAME and not PLACEHOLDER_NAME_RE.search(n)]
    if not allow_org:
        names = [n for n in names if not ORG_SUFFIX_RE.search(n)]
    return "、".join(names) or None


def clean_source(value: str | None) -> str | None:
    if not value:
        return None
    value = normalize_digits(value)
    date = DATE_RE.search(value)
    if date:
        value = value[: date.start()]
    value = VALUE_SPLIT_RE.split(value.strip(_TRIM))[0]
    value = SOURCE_TAIL_RE.sub("", value.split(" ")[0]).strip(_TRIM)
    if not value or len(value) > 30 or value in NOT_A_NAME - {"本站原创", "原创"}:
        return None
    return value


def parse_byline(text: str) -> Byline:
    """Read every ``label：value`` pair and the first date in one line of text.

    Several stages look at the same lines of one page, so results are cached
    (``forget_parsed_lines`` empties the cache between pages); each caller gets
    its own copy to merge into.
    """
    return copy.copy(_parse_byline(text))


def forget_parsed_lines() -> None:
    _parse_byline.cache_clear()


@functools.lru_cache(maxsize=2048)
def _parse_byline(text: str) -> Byline:
    text = normalize_digits(text)
    found = Byline()
    matches = list(LABEL_RE.finditer(text))
    rest = text
    if matches:
        found.labeled = True
        pieces = [text[: matches[0].start()]]
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            value = text[match.end() : end]
            kind = LABEL_FIELD[match.group(1)]
            if kind == "date":
                found.published_at = found.published_at or find_date(value)
                continue
            head = VALUE_SPLIT_RE.split(value.strip())[0] if kind != "source" else value
            if kind == "source":
                found.source = found.source or clean_source(value)
                remainder = value.strip()
                date = DATE_RE.search(remainder)
                if date:
                    pieces.append(remainder[date.start() :])
            elif kind == "author":
                found.author = found.author or join_names(_cut_role(_cut_date(head)))
            elif kind == "editor":
                names = join_names(_cut_date(head))
                if names and found.editor and names not in found.editor:
                    found.editor = f"{found.editor}、{names}"
                else:
                    found.editor = found.editor or names
        rest = " ".join(pieces)
    wen = WEN_SLASH_RE.search(text)
    if wen and not found.author:
        found.author = join_names(wen.group(1))
    reporter = REPORTER_RE.search(text)
    if reporter and not found.author:
        found.author = join_names(reporter.group(1), allow_org=False)
    date = DATE_RE.search(rest)
    if date:
        found.published_at = found.published_at or find_date(rest)
        rest = rest[: date.start()] + " " + rest[date.end() :]
    elif not found.published_at:
        found.published_at = find_date(text)
    if not matches:
        found.leftover = [t for t in (x.strip(_TRIM) for x in VALUE_SPLIT_RE.split(rest)) if t]
    return found


def _cut_role(value: str) -> str:
    """``李某（中央党校教授）`` -> ``李某``: the role in brackets is not part of the name."""
    name = _ROLE_RE.split(value, maxsplit=1)[0]
    return name if name.strip(_TRIM) else value


def _cut_date(value: str) -> str:
    date = DATE_RE.search(value)
    return value[: date.start()] if date else value


def reporter_names(text: str) -> str | None:
    """Names from a reporter line (本报记者 张三 通讯员 李四) or a ``文/张三`` sign-off."""
    text = normalize_digits(text)
    names: list[str] = []
    for match in REPORTER_RE.finditer(text):
        joined = join_names(match.group(1), allow_org=False)
        if joined:
            names.extend(n for n in joined.split("、") if n not in names)
    if not names:
        wen = WEN_SLASH_RE.search(text)
        if wen:
            joined = join_names(wen.group(1))
            if joined:
                names.append(joined)
    return "、".join(names) or None


def lone_name(text: str) -> str | None:
    """A short line that is only people's names (张学伟, 张 学 伟, 张学伟 李明)."""
    squashed = text.strip(_TRIM)
    if LONE_NAME_RE.match(squashed):
        return _person(re.sub(r"\s+", "", squashed))
    tokens = _NAME_SPLIT_RE.split(squashed)
    if 2 <= len(tokens) <= 4 and all(2 <= len(t) <= 3 for t in tokens):
        names = [_person(t) for t in tokens]
        if all(names):
            return "、".join(n for n in names if n)
    return None


def _person(name: str) -> str | None:
    if name in NOT_A_NAME or ORG_SUFFIX_RE.search(name) or not looks_like_person(name):
        return None
    return name


def looks_like_person(name: str) -> bool:
    """Two to four Chinese characters starting with a common surname."""
    if not 2 <= len(name) <= 4:
        return False
    return name[0] in SURNAMES or name.startswith(COMPOUND_SURNAMES)
