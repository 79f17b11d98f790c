"""Label-driven by-line parsing: 来源 / 时间 / 作者 / 编辑 lines and in-body signatures."""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field

from crawler.extract.dates import find_date, normalize_digits
from crawler.extract.patterns import (
    ALIAS_PREFIX_RE,
    ATTRIBUTE_DEBRIS_RE,
    COMPOUND_SURNAMES,
    DATE_RE,
    ISSUE_MONTH_RE,
    LABEL_FIELD,
    LABEL_RE,
    LONE_NAME_RE,
    NAME_SUFFIX_RE,
    NAME_TAIL_RE,
    NOT_A_NAME,
    ORG_SUFFIX_RE,
    PHOTO_CREDIT_RE,
    PLACE_SUFFIX_RE,
    PLACEHOLDER_NAME_RE,
    PROVINCES,
    REPORTER_RE,
    ROLE_IN_BRACKETS_RE,
    ROLE_PREFIX_RE,
    SOURCE_SUFFIX_RE,
    SOURCE_TAIL_RE,
    STAFF_CODE_RE,
    SURNAMES,
    UNSPLIT_NAME_CHARS,
    VALUE_SPLIT_RE,
    WEN_SLASH_RE,
)

_NAME_SPLIT_RE = re.compile(r"[\s、,，;；/／&＆:：]+")
# Names are separated by these; brackets stay with the name they follow (an alias).
_NAME_TOKEN_RE = re.compile(r"[^\s、,，;；/／&＆:：()（）]+(?:\s*[(（][^()（）]*[)）])?")
_TRIM = " :：,，;；|｜丨/()（）[]【】<>《》\"'“”·.。"
# Edges of a value; book-title marks and closing brackets are handled apart.
_EDGE = " :：,，;；|｜丨/[]【】<>\"'“”·.。"
_MAX_VALUE = 40
_NAME_BEFORE_LABELS_RE = re.compile(r"[\[【(（]\s*([^\[\]【】()（）]{2,12}?)\s*[\]】)）]\s*$")
_BRACKETS_RE = re.compile(r"[(（]([^()（）]*)[)）]")
_OPEN_BRACKET_RE = re.compile(r"[(（]")
_CLOSE_BRACKET_RE = re.compile(r"[)）]")
# Two or three single characters in a row, spaced out to the width of a longer name: 赵  某.
_SPACED_NAME_RE = re.compile(
    r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff](?:[ \u3000\u00a0]+[\u4e00-\u9fff](?![\u4e00-\u9fff])){1,2}"
)


@dataclass
class Byline:
    source: str | None = None
    published_at: str | None = None
    author: str | None = None
    editor: str | None = None
    # Unlabeled text left over once labels and dates are taken out.
    leftover: list[str] = field(default_factory=list)
    labeled: bool = False
    # How the author was found when a weaker rule found it (reported in warnings).
    author_note: str | None = None
    # A person printed after 来源： (来源：王某某): not a source; the author when it closes the text.
    source_person: str | None = None
    # A date alone on the line after the closing credits.
    closing_date: str | None = None

    def merge(self, other: Byline) -> None:
        """Fill the fields still empty from ``other`` (earlier evidence wins)."""
        self.source = self.source or other.source
        self.published_at = self.published_at or other.published_at
        if not self.author and other.author:
            self.author, self.author_note = other.author, other.author_note
        self.editor = self.editor or other.editor
        self.source_person = self.source_person or other.source_person


def join_names(value: str | None, *, allow_org: bool = True) -> str | None:
    """``甲 乙`` / ``甲，乙`` -> ``甲、乙``; None for placeholders such as 佚名 or 管理员.

    Role words (本报记者, 特约评论员), affiliations in brackets, staff codes and
    newspaper names are dropped; an alias in brackets stays with its name.
    """
    names = name_tokens(value)
    if names is None:
        return None
    if not allow_org:
        names = [n for n in names if not ORG_SUFFIX_RE.search(n)]
    return "、".join(names) or None


def name_tokens(value: str | None) -> list[str] | None:
    """The names in a by-line value, in order (None when the value is not a list of names)."""
    if not value:
        return None
    value = _strip_brackets(NAME_TAIL_RE.sub("", _drop_debris(value)))
    if not value or len(value) > _MAX_VALUE:
        return None
    value = _SPACED_NAME_RE.sub(_close_up, _drop_roles(value))
    names: list[str] = []
    for raw in _NAME_TOKEN_RE.findall(value):
        name = _bare_name(raw)
        if name and name not in names:
            names.append(name)
    # A staff code beside a name is the CMS account (王某某、AB123); alone it is all the page gives.
    people = [n for n in names if not STAFF_CODE_RE.match(n)]
    return people or names


def _strip_brackets(value: str) -> str:
    """Edges and the brackets around a whole value go; a closing bracket that ends an alias stays."""
    while True:
        value = value.strip(_EDGE)
        opens, closes = value[:1] in "(（", value[-1:] in ")）"
        if opens and (closes or not _CLOSE_BRACKET_RE.search(value)):
            value = value[1:-1] if closes else value[1:]
        elif closes and not _OPEN_BRACKET_RE.search(value):
            value = value[:-1]
        else:
            return value


def _bare_name(token: str) -> str | None:
    """One token of a by-line: role words and trailing 发自… cut off; None if nothing is a name."""
    token = token.strip(_EDGE)
    if token[:1] in "(（":
        return None
    if "(" not in token and "（" not in token:
        token = token.strip(_TRIM)
    role = ROLE_PREFIX_RE.match(token)
    if role and role.end() < len(token):
        token = token[role.end() :]
    if len(token) > 2:
        token = NAME_SUFFIX_RE.sub("", token) or token
    if (
        not token
        or token in NOT_A_NAME
        or ROLE_PREFIX_RE.fullmatch(token)
        or PLACEHOLDER_NAME_RE.search(token)
        or is_publication(token)
    ):
        return None
    return token


def _close_up(match: re.Match[str]) -> str:
    """``赵  某`` is one name when it starts with a surname; ``甲 乙`` stays two."""
    chars = re.sub(r"[ \u3000\u00a0]+", "", match.group(0))
    return chars if chars[0] in SURNAMES or chars[:2] in COMPOUND_SURNAMES else match.group(0)


def _drop_roles(value: str) -> str:
    """Bracketed roles and affiliations go (王某（某某大学教授）); an alias stays (王某某（阿某）)."""
    while True:
        dropped = _BRACKETS_RE.sub(_bracket_or_nothing, value)
        if dropped == value:
            break
        value = dropped
    # A bracket left open (a cut-off role) ends the name.
    opened = _OPEN_BRACKET_RE.search(value)
    return value[: opened.start()] if opened and not _BRACKETS_RE.search(value) else value


def _bracket_or_nothing(match: re.Match[str]) -> str:
    inner = match.group(1).strip()
    alias = ALIAS_PREFIX_RE.match(inner) or (
        2 <= len(inner) <= 6 and not ROLE_IN_BRACKETS_RE.search(inner) and not STAFF_CODE_RE.match(inner)
    )
    return match.group(0) if alias else " "


def _drop_debris(value: str) -> str:
    value = ATTRIBUTE_DEBRIS_RE.sub(" ", value) if "=" in value else value
    return value


def is_publication(name: str) -> bool:
    """某某日报, 某某网, 新华社: an outlet, a source and never a person."""
    return len(name) >= 3 and bool(SOURCE_SUFFIX_RE.search(name.strip("《》")))


def clean_source(value: str | None) -> str | None:
    if not value:
        return None
    value = _drop_debris(normalize_digits(value))
    date = DATE_RE.search(value) or ISSUE_MONTH_RE.search(value)
    if date:
        value = value[: date.start()]
    value = VALUE_SPLIT_RE.split(value.strip(_EDGE + "()（）"))[0]
    value = SOURCE_TAIL_RE.sub("", value.split(" ")[0]).strip(_EDGE + "()（）")
    value = _balanced_title_marks(value)
    if not value or len(value) > 30 or value in NOT_A_NAME - {"本站原创", "原创"}:
        return None
    return value


def _balanced_title_marks(value: str) -> str:
    """《某某日报》 and 某某网-《某某日报》 keep their marks; a mark left alone at an edge goes."""
    if value.startswith("《") and "》" not in value:
        value = value[1:]
    if value.endswith("》") and "《" not in value:
        value = value[:-1]
    return value.strip(_EDGE)


def person_named_as_source(value: str | None) -> str | None:
    """A 来源 value that is a person's name (来源：王某某) rather than an outlet or a place."""
    name = (value or "").strip(_TRIM)
    # Two characters are as often an outlet's short name (某讯) as a person: left alone.
    if (
        len(name) != 3
        or name in PROVINCES
        or PLACE_SUFFIX_RE.search(name)
        or ORG_SUFFIX_RE.search(name)
        or not looks_like_person(name)
    ):
        return None
    return name


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
            _read_label(found, LABEL_FIELD[match.group(1) or match.group(2)], text[match.end() : end], pieces)
        _read_name_before_labels(found, pieces[0], matches[0].group(2))
        if not found.source:
            found.source = _outlet_before_labels(pieces[0])
        rest = " ".join(pieces)
    wen = WEN_SLASH_RE.search(text)
    if wen and not found.author:
        found.author = join_names(wen.group(1))
    if not found.author and REPORTER_RE.search(text):
        found.author = reporter_names(text)
    date = DATE_RE.search(rest)
    if date:
        found.published_at = found.published_at or find_date(rest)
        rest = rest[: date.start()] + " " + rest[date.end() :]
    elif not found.published_at:
        found.published_at = find_date(text)
    if not matches:
        found.leftover = [t for t in (x.strip(_TRIM) for x in VALUE_SPLIT_RE.split(rest)) if t]
    return found


def _read_label(found: Byline, kind: str, value: str, pieces: list[str]) -> None:
    """One ``label：value`` pair into ``found``; a date after a source goes back to ``pieces``."""
    if kind == "date":
        found.published_at = found.published_at or find_date(value)
    elif kind == "source":
        person = person_named_as_source(clean_source(value))
        if person:
            found.source_person = found.source_person or person
        else:
            found.source = found.source or clean_source(value)
        remainder = value.strip()
        date = DATE_RE.search(remainder)
        if date:
            pieces.append(remainder[date.start() :])
    elif kind == "author":
        names = _names_value(value)
        found.author = found.author or join_names(names)
        if not found.author and is_publication(names.strip(_TRIM)):
            # 作者：某某日报 names the outlet: a source, never an author.
            found.source = found.source or clean_source(names)
    elif kind == "editor":
        names = join_names(_names_value(value))
        if names and found.editor and names not in found.editor:
            found.editor = f"{found.editor}、{names}"
        else:
            found.editor = found.editor or names


def _read_name_before_labels(found: Byline, before: str, first_label: str | None) -> None:
    """``… [ 张三 ] 来源：…`` and ``张三 发表于 2006-04-17``: the name printed just before the labels."""
    if found.author:
        return
    bracketed = _NAME_BEFORE_LABELS_RE.search(before)
    if bracketed:
        name = lone_name(bracketed.group(1))
    elif first_label in ("发表于", "发布于"):
        name = lone_name(before.strip(_TRIM))
    else:
        return
    if name:
        found.author = name
        found.author_note = "author: from the name before the by-line labels"


def _outlet_before_labels(before: str) -> str | None:
    """``某某晚报 2023-06-18 19:05 来源：(a link to the app)``: an outlet printed unlabeled
    before labels that gave no source."""
    date = DATE_RE.search(before)
    tokens = [t for t in VALUE_SPLIT_RE.split(before[: date.start()] if date else before) if t.strip()]
    if len(tokens) == 1 and " " not in tokens[0].strip() and is_publication(tokens[0].strip()):
        return clean_source(tokens[0])
    return None


def _names_value(value: str) -> str:
    """The names after 作者/编辑: the first piece, and the pieces after it that are names too
    (作者：王某某  李某某); a date, a widget or an affiliation ends them."""
    pieces = VALUE_SPLIT_RE.split(_SPACED_NAME_RE.sub(_close_up, _cut_date(value).strip()))
    names = [pieces[0]]
    for piece in pieces[1:]:
        piece = piece.strip()
        if not piece:
            continue
        if not all(looks_like_person(t) for t in _NAME_TOKEN_RE.findall(piece)):
            break
        names.append(piece)
    return " ".join(names)


def _cut_date(value: str) -> str:
    date = DATE_RE.search(value)
    return value[: date.start()] if date else value


def reporter_names(text: str) -> str | None:
    """Names from a reporter line (本报记者 张三 通讯员 李四) or a ``文/张三`` sign-off.

    A photo credit (记者 张三 摄) names the photographer, not the author.
    """
    text = normalize_digits(text)
    if PHOTO_CREDIT_RE.search(text):
        return None
    names: list[str] = []
    for match in REPORTER_RE.finditer(text):
        # Four characters are cut only before 发自/报道; alone they may be one name.
        glued = any(k in match.group(0) or text.startswith(k, match.end()) for k in ("发自", "报道"))
        for token in name_tokens(match.group(1)) or ():
            for name in _split_glued(token) if glued or len(token) > 4 else [token]:
                if name not in names and not ORG_SUFFIX_RE.search(name):
                    names.append(name)
    if not names:
        wen = WEN_SLASH_RE.search(text)
        if wen:
            joined = join_names(wen.group(1))
            if joined:
                names.append(joined)
    return "、".join(names) or None


def _split_glued(token: str) -> list[str]:
    """``王某李某`` printed without a separator -> ``王某``, ``李某``, cut where surnames start.

    Only whole splits into two- and three-character names that each start with a
    surname count; anything else is left as printed.
    """
    if len(token) < 4 or (len(token) == 4 and token.startswith(COMPOUND_SURNAMES)):
        return [token]
    for sizes in _GLUED_SPLITS.get(len(token), ()):
        parts, start = [], 0
        for size in sizes:
            parts.append(token[start : start + size])
            start += size
        if all(
            looks_like_person(p) and not p.startswith(COMPOUND_SURNAMES) and p[0] not in UNSPLIT_NAME_CHARS
            for p in parts
        ):
            return parts
    return [token]


# Ways to cut a run of glued names, most likely first.
_GLUED_SPLITS: dict[int, tuple[tuple[int, ...], ...]] = {
    4: ((2, 2),),
    5: ((2, 3), (3, 2)),
    6: ((3, 3), (2, 2, 2)),
    7: ((2, 2, 3), (2, 3, 2), (3, 2, 2)),
    8: ((2, 3, 3), (3, 2, 3), (3, 3, 2)),
    9: ((3, 3, 3),),
}


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
