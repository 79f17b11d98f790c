"""Body text from the container's lines: furniture out, signatures read and removed.

Kept: lead bullets, ``(作者系…)`` affiliations, inline ``（记者 张三）`` credits.
Removed (and read): a lone author line before the text, reporter lines at the
end, ``(责编：…)`` / ``责任编辑：…`` / WeChat ``编辑丨…`` sign-offs.
"""

from __future__ import annotations

from collections.abc import Sequence

from crawler.extract.byline import Byline, join_names, lone_name, parse_byline, reporter_names
from crawler.extract.patterns import (
    AFFILIATION_RE,
    AUTHOR_PAREN_RE,
    CHROME_LINE_MAX,
    CHROME_LINE_RE,
    CHROME_PREFIX_RE,
    DISCLAIMER_RE,
    EDITOR_LINE_RE,
    INLINE_CREDIT_RE,
    JUNK_LINE_RE,
    LABEL_RE,
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
    return len(text) <= CHROME_LINE_MAX and bool(CHROME_LINE_RE.search(text))


def clean_body(lines: Sequence[Line], title: str | None) -> tuple[list[str], Byline, list[str]]:
    """Return ``(paragraphs, signature by-line, notes)`` for the container's lines."""
    found = Byline()
    notes: list[str] = []
    emphasized = {line.text for line in lines[: _LEAD_SCAN + 2] if _is_emphasized(line)}
    texts = [line.text for line in lines]
    texts = _drop_leading_title(texts, title)
    texts, related = _cut_at_related_block(texts)
    kept = []
    for text in texts:
        if is_chrome(text):
            # 【纠错】 责任编辑：… and 责任编辑：… lines are furniture but still name the editor.
            parsed = parse_byline(text) if len(text) <= CHROME_LINE_MAX else None
            if parsed is not None and parsed.labeled:
                found.editor = found.editor or parsed.editor
            if not _is_signature(text):
                continue
        kept.append(text)
    texts = _read_head(kept, found, notes, emphasized)
    texts = _read_tail(texts, found, notes)
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
    return texts, found, notes


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


def _read_head(texts: list[str], found: Byline, notes: list[str], emphasized: set[str]) -> list[str]:
    """By-line and lone-name lines at the top of the container."""
    out = list(texts)
    i = 0
    while i < min(len(out), _LEAD_SCAN):
        text = out[i]
        if len(text) <= _SIGNATURE_MAX:
            name = lone_name(text) if text not in emphasized else None
            if name and not found.author:
                found.author = name
                notes.append("author from lone name line")
                del out[i]
                continue
            parsed = parse_byline(text)
            if (
                parsed.labeled
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


def _read_tail(texts: list[str], found: Byline, notes: list[str]) -> list[str]:
    """Editor, reporter and source signatures in the last lines."""
    out = list(texts)
    start = max(0, len(out) - _TAIL_SCAN)
    i = len(out) - 1
    while i >= start:
        text = out[i].strip()
        if AFFILIATION_RE.match(text):
            i -= 1
            continue
        removed = False
        editor = EDITOR_LINE_RE.match(text)
        if editor and len(text) <= _SIGNATURE_MAX:
            parsed = parse_byline(text)
            found.editor = found.editor or parsed.editor or join_names(editor.group(1))
            found.author = found.author or parsed.author
            removed = True
        elif len(text) <= _SIGNATURE_MAX and (WECHAT_SIGNOFF_RE.match(text) or _labeled_signoff(text)):
            parsed = parse_byline(text)
            found.editor = found.editor or parsed.editor
            found.author = found.author or parsed.author
            found.source = found.source or parsed.source
            removed = True
        elif (
            len(text) <= _SIGNATURE_MAX
            and not _is_prose(text)
            and (REPORTER_RE.search(text) or (WEN_SLASH_RE.search(text) and reporter_names(text)))
        ):
            found.author = found.author or reporter_names(text)
            removed = True
        elif _paren_only(text) and (AUTHOR_PAREN_RE.search(text) or lone_name(text.strip("()（）"))):
            # A credit alone on the last lines: （记者 张三） or （袁源）.
            credit = AUTHOR_PAREN_RE.search(text)
            found.author = found.author or (
                join_names(credit.group(1), allow_org=False) if credit else lone_name(text.strip("()（）"))
            )
            removed = True
        else:
            source = SOURCE_PAREN_RE.match(text)
            if source:
                found.source = found.source or source.group(1).strip()
            credit = AUTHOR_PAREN_RE.search(text)
            if credit and not found.author:
                found.author = join_names(credit.group(1), allow_org=False)
            name = lone_name(text.strip("()（）"))
            if name and text[:1] in "(（" and not found.author:
                found.author = name
        if removed:
            del out[i]
        i -= 1
    return out


def _strip_trailing_editor(texts: list[str], found: Byline) -> list[str]:
    out = list(texts)
    for i in range(max(0, len(out) - 3), len(out)):
        match = TRAILING_EDITOR_RE.search(out[i])
        if match and match.start() > 0:
            found.editor = found.editor or join_names(match.group(1))
            out[i] = out[i][: match.start()]
    return out


def _paren_only(text: str) -> bool:
    return text[:1] in "(（" and text[-1:] in ")）" and len(text) <= 30


def _labeled_signoff(text: str) -> bool:
    """A short line made of labels only (编辑/苏芳 审核：王五), no prose."""
    parsed = parse_byline(text)
    return parsed.labeled and bool(parsed.editor) and not _is_prose(text)


def _is_prose(text: str) -> bool:
    return any(ch in text for ch in "。！？；") or len(LABEL_RE.sub("", text)) > _SIGNATURE_MAX
