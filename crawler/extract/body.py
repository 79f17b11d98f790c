"""Body text from the container's lines: furniture out, signatures read and removed.

Kept: lead bullets, ``(作者系…)`` affiliations, inline ``（记者 张三）`` credits.
Removed (and read): a lone author line before the text, reporter lines at the
end, ``(责编：…)`` / ``责任编辑：…`` / WeChat ``编辑丨…`` sign-offs.
"""

from __future__ import annotations

from collections.abc import Sequence

from crawler.extract.byline import Byline, join_names, lone_name, parse_byline, reporter_names
from crawler.extract.dates import find_date
from crawler.extract.patterns import (
    AFFILIATION_RE,
    AUTHOR_PAREN_RE,
    CHROME_LINE_MAX,
    CHROME_LINE_RE,
    CHROME_PREFIX_RE,
    CLOSING_NAME_RE,
    COMMENTARY_RE,
    DATE_RE,
    DISCLAIMER_RE,
    EDITOR_LINE_RE,
    EVENT_LINE_RE,
    FORM_NAME_LABELS,
    INLINE_CREDIT_RE,
    INTERFACE_LINE_RE,
    JUNK_LINE_RE,
    LABEL_RE,
    NOTICE_HINT_RE,
    NOTICE_LINE_MAX,
    NOTICE_LINE_RE,
    REPORTER_RE,
    SECTION_END_RE,
    SOURCE_PAREN_RE,
    TRAILING_EDITOR_RE,
    WECHAT_SIGNOFF_RE,
    WEN_SLASH_RE,
)
from crawler.extract.title import squash
from crawler.extract.tree import Line, all_text, clean_text

_LEAD_SCAN = 3
_TAIL_SCAN = 6
_SIGNATURE_MAX = 40
_RELATED_SCAN = 15


def is_chrome(text: str) -> bool:
    if JUNK_LINE_RE.match(text) or CHROME_PREFIX_RE.match(text):
        return True
    if len(text) <= CHROME_LINE_MAX and (CHROME_LINE_RE.search(text) or INTERFACE_LINE_RE.match(text)):
        return True
    return (
        len(text) <= NOTICE_LINE_MAX
        and NOTICE_HINT_RE.search(text) is not None
        and bool(NOTICE_LINE_RE.search(text))
    )


def clean_body(lines: Sequence[Line], title: str | None, page_title: str = "") -> tuple[list[str], Byline]:
    """Return ``(paragraphs, signature by-line)`` for the container's lines.

    ``page_title`` (the <title>, which often names the column) tells commentary from news.
    """
    found = Byline()
    emphasized = {line.text for line in lines[: _LEAD_SCAN + 2] if _is_emphasized(line)}
    texts = [line.text for line in lines]
    texts = _drop_leading_title(texts, title)
    texts, related = _cut_at_related_block(texts)
    kept = []
    for text in texts:
        if is_chrome(text):
            # 【纠错】 责任编辑：… and 来源：… lines are furniture but still name the editor or source.
            parsed = parse_byline(text) if len(text) <= CHROME_LINE_MAX else None
            if parsed is not None and parsed.labeled:
                found.editor = found.editor or parsed.editor
                found.source = found.source or parsed.source
                found.source_person = found.source_person or parsed.source_person
            if not _is_signature(text):
                continue
        kept.append(text)
    texts = _read_head(kept, found, emphasized)
    texts = _read_tail(texts, found, bool(COMMENTARY_RE.search(f"{title or ''} {page_title}")))
    texts = _strip_trailing_editor(texts, found)
    texts = [t for t in texts if not is_chrome(t)]
    while texts and DISCLAIMER_RE.search(texts[-1]):
        texts.pop()
    for text in related[:_RELATED_SCAN]:
        # Some templates print 责任编辑 below their related list.
        if len(text) <= CHROME_LINE_MAX and not found.editor:
            found.editor = parse_byline(text).editor
    for text in texts[:2]:
        credit = INLINE_CREDIT_RE.search(text[:100]) if not found.author else None
        if credit:
            found.author = reporter_names(credit.group(1)) or parse_byline(credit.group(1)).author
    return texts, found


def _is_emphasized(line: Line) -> bool:
    """The whole line sits in <strong>/<b>: a heading, not a signature."""
    owner = line.owner
    for child in owner:
        if child.tag in ("strong", "b", "h3", "h4") and clean_text(all_text(child)) == line.text:
            return True
    return owner.tag in ("h2", "h3", "h4", "h5", "strong", "b")


def _cut_at_related_block(texts: list[str]) -> tuple[list[str], list[str]]:
    for i, text in enumerate(texts):
        if i and SECTION_END_RE.match(text):
            return texts[:i], texts[i + 1 :]
    return texts, []


def _drop_leading_title(texts: list[str], title: str | None) -> list[str]:
    if not title:
        return texts
    key = squash(title)
    for i, text in enumerate(texts[:6]):
        if squash(text) == key:
            return texts[i + 1 :]
    return texts


def _is_signature(text: str) -> bool:
    return bool(EDITOR_LINE_RE.match(text) or WECHAT_SIGNOFF_RE.match(text))


def _read_head(texts: list[str], found: Byline, emphasized: set[str]) -> list[str]:
    """By-line and lone-name lines at the top of the container."""
    out = list(texts)
    i = 0
    while i < min(len(out), _LEAD_SCAN):
        text = out[i]
        if len(text) <= _SIGNATURE_MAX:
            name = lone_name(text) if text not in emphasized else None
            in_form = any(squash(line) in FORM_NAME_LABELS for line in out[:i])
            if name and not found.author and not in_form:
                found.author = name
                found.author_note = "author: from a name alone on the first lines"
                del out[i]
                continue
            parsed = parse_byline(text)
            event = i + 1 < len(out) and EVENT_LINE_RE.match(out[i + 1])
            if (
                parsed.labeled
                and not event
                and not _is_prose(text)
                and (parsed.published_at or parsed.source or parsed.author or parsed.editor)
            ):
                found.merge(parsed)
                del out[i]
                continue
            if REPORTER_RE.search(text) and not _is_prose(text) and reporter_names(text):
                found.author = found.author or reporter_names(text)
                del out[i]
                continue
        i += 1
    return out


def _read_tail(texts: list[str], found: Byline, commentary: bool) -> list[str]:
    """Editor, reporter and source signatures in the last lines."""
    out = list(texts)
    start = max(0, len(out) - _TAIL_SCAN)
    if out and _date_only(out[-1]) and len(out) > 1 and _is_credit(out[-2].strip()):
        # A date alone on the line after the credits dates the piece and is not text.
        found.closing_date = find_date(out.pop())
    i = len(out) - 1
    while i >= start:
        text = out[i].strip()
        if not AFFILIATION_RE.match(text) and _read_signature(text, found):
            del out[i]
        i -= 1
    if out and not found.author and commentary:
        out[-1] = _read_closing_name(out[-1], found)
    return out


def _is_credit(text: str) -> bool:
    return len(text) <= _SIGNATURE_MAX and bool(
        EDITOR_LINE_RE.match(text)
        or WECHAT_SIGNOFF_RE.match(text)
        or _labeled_signoff(text)
        or (_paren_only(text) and (AUTHOR_PAREN_RE.search(text) or lone_name(text[1:-1])))
        or (not _is_prose(text) and REPORTER_RE.search(text))
    )


def _date_only(text: str) -> bool:
    return len(text) <= 24 and bool(DATE_RE.search(text)) and bool(JUNK_LINE_RE.match(DATE_RE.sub("", text)))


def _read_signature(text: str, found: Byline) -> bool:
    """Read one of the last lines into ``found``; True when it is a signature, not text."""
    short = len(text) <= _SIGNATURE_MAX
    editor = EDITOR_LINE_RE.match(text)
    if editor and short:
        parsed = parse_byline(text)
        found.editor = found.editor or parsed.editor or join_names(editor.group(1))
        found.author = found.author or parsed.author
        return True
    if short and (WECHAT_SIGNOFF_RE.match(text) or _labeled_signoff(text)):
        found.merge(parse_byline(text))
        return True
    if short and not _is_prose(text) and (REPORTER_RE.search(text) or WEN_SLASH_RE.search(text)):
        # A photo credit (（记者 张三 摄）) names no author and stays with its picture.
        names = reporter_names(text)
        found.author = found.author or names
        return bool(names)
    if _paren_only(text) and not _is_prose(text) and parse_byline(text).labeled:
        # （审核：某某） and other bracketed credits made of labels only.
        found.merge(parse_byline(text))
        return True
    if _paren_only(text):
        # A credit alone on the last lines: （记者 张三）, （张三） or [ 张三 ].
        credit = AUTHOR_PAREN_RE.search(text)
        name = join_names(credit.group(1), allow_org=False) if credit else lone_name(text[1:-1])
        if name and not found.author:
            found.author = name
            found.author_note = None if credit else "author: from a name in brackets closing the text"
        return bool(name)
    source = SOURCE_PAREN_RE.match(text)
    if source:
        found.source = found.source or source.group(1).strip()
    credit = AUTHOR_PAREN_RE.search(text)
    if credit and not found.author:
        found.author = join_names(credit.group(1), allow_org=False)
    return False


def _read_closing_name(text: str, found: Byline) -> str:
    """A commentary signed at the end of its last paragraph: ……。（张三）."""
    match = CLOSING_NAME_RE.search(text)
    name = lone_name(match.group(1)) if match else None
    if not match or not name:
        return text
    found.author = name
    found.author_note = "author: from a name in brackets closing the text"
    return text[: match.start() + 1]


def _strip_trailing_editor(texts: list[str], found: Byline) -> list[str]:
    out = list(texts)
    for i in range(max(0, len(out) - 3), len(out)):
        match = TRAILING_EDITOR_RE.search(out[i])
        if match and match.start() > 0:
            found.editor = found.editor or join_names(match.group(1))
            out[i] = out[i][: match.start()]
    return out


def _paren_only(text: str) -> bool:
    return text[:1] in "(（[【" and text[-1:] in ")）]】" and len(text) <= 30


def _labeled_signoff(text: str) -> bool:
    """A short line made of labels only (编辑/某某 审核：某某, 本文来源于某某日报), no prose."""
    parsed = parse_byline(text)
    return (
        parsed.labeled
        and bool(parsed.editor or parsed.source or parsed.source_person)
        and not parsed.published_at
        and not _is_prose(text)
    )


def _is_prose(text: str) -> bool:
    return any(ch in text for ch in "。！？；") or len(LABEL_RE.sub("", text)) > _SIGNATURE_MAX
