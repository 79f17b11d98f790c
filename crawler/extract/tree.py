"""One lxml parse per page, and the text views every later stage shares."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from crawler.extract.errors import NotAnArticle
from crawler.extract.patterns import BLOCK_TAGS, DROP_TAGS, XML_DECLARATION_RE

# Plain etree elements: lxml.html's per-element class lookup costs more than the parse itself.
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False)
# Ideographic spaces inside a line are kept as printed (新华社北京2月4日电　经…); other runs become one space.
_SPACE_RE = re.compile(r"[^\S\u3000]*\u3000[\s\u3000]*|[\s\u00a0\u200b\u200c\u200d\u2002\u2003\u2009\ufeff]+")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Compiled once: XPath compilation costs as much as a small page's evaluation.
_STYLE_ATTRS = etree.XPath("//@style")
_HIDDEN_ELEMENTS = etree.XPath("//*[@hidden]")
_WITH_ID_OR_CLASS = etree.XPath("//*[@id or @class]")
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none", re.I)
_PLAIN_SPACE_RE = re.compile(r"[\s\u00a0\u200b\u200c\u200d\u2002\u2003\u2009\ufeff]+")
_EDGE_SPACE = " \t\n\r\f\v\u00a0\u3000\u200b\ufeff"


def clean_text(text: str | None) -> str:
    """Collapse every kind of white space (nbsp, ideographic space...) into one space."""
    if not text:
        return ""
    if "\u3000" not in text:
        return _PLAIN_SPACE_RE.sub(" ", text).strip(_EDGE_SPACE)
    return _SPACE_RE.sub(_space_for, text).strip(_EDGE_SPACE)


def _space_for(match: re.Match[str]) -> str:
    run = match.group(0)
    return "\u3000" * run.count("\u3000") if "\u3000" in run else " "


def parse_html(text: str) -> Any:
    if text.lstrip()[:5].lower() == "<?xml":
        text = XML_DECLARATION_RE.sub("", text, count=1)
    if "<" not in text[:200_000]:
        raise NotAnArticle("not-html", "the content has no HTML markup; expected a news-detail web page")
    try:
        root = etree.fromstring(text, parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise NotAnArticle(
            "not-html", f"the HTML could not be parsed ({exc}); the page is empty or broken"
        ) from exc
    if root is None:
        raise NotAnArticle("not-html", "the HTML could not be parsed; the page is empty or broken")
    _adopt_stray_roots(root)
    return root


def _adopt_stray_roots(root: Any) -> None:
    # An early </html> (common in templates stitched from includes) makes libxml2
    # start a second top-level <html>; fold it back so one tree holds the page.
    stray = root.getnext()
    if stray is None:
        return
    body = root.find("body")
    if body is None:
        body = etree.SubElement(root, "body")
    while stray is not None:
        following = stray.getnext()
        if isinstance(stray.tag, str):
            parts = list(stray) if stray.tag == "html" else [stray]
            for part in parts:
                if part.tag in ("head", "body"):
                    body.extend(list(part))
                else:
                    body.append(part)
        stray = following


def collect_meta(root: Any) -> dict[str, list[str]]:
    """meta name/property/itemprop (lower-cased) -> non-empty values in page order."""
    found: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        content = clean_text(meta.get("content"))
        if not content:
            continue
        for attr in ("name", "property", "itemprop", "http-equiv"):
            key = meta.get(attr)
            if key:
                found.setdefault(key.strip().lower(), []).append(content)
    return found


def collect_json_ld(root: Any) -> list[dict[str, Any]]:
    """NewsArticle-like objects from JSON-LD blocks, ignoring broken JSON."""
    items: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue  # malformed JSON-LD is common and carries nothing we can trust
        stack = data if isinstance(data, list) else [data]
        for item in stack:
            if isinstance(item, dict):
                items.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    items.extend(g for g in graph if isinstance(g, dict))
    return items


def strip_furniture(root: Any) -> None:
    """Remove subtrees that never carry visible article text (scripts, styles, forms...)."""
    etree.strip_elements(root, *DROP_TAGS, with_tail=False)
    hidden = [style.getparent() for style in _STYLE_ATTRS(root) if _HIDDEN_STYLE_RE.search(style)]
    for el in hidden + _HIDDEN_ELEMENTS(root):
        if el.getparent() is not None:
            drop_tree(el)


class Line:
    """One visible line: its text, the block element holding it, and the share
    of its characters that sit inside links."""

    __slots__ = ("index", "link_ratio", "owner", "text")

    def __init__(self, index: int, text: str, owner: Any, link_ratio: float) -> None:
        self.index = index
        self.text = text
        self.owner = owner
        self.link_ratio = link_ratio

    def __repr__(self) -> str:
        return f"Line({self.index}, {self.text[:30]!r}, <{self.owner.tag}>)"


def block_lines(el: Any) -> list[Line]:
    """Visible text of ``el`` as lines, split at block elements and ``<br>``.

    Each line keeps the block element that holds it, so stages can go from a
    line back to the tree. This walk is the extractor's hot loop, hence the
    inlined bookkeeping.
    """
    lines: list[Line] = []
    buffer: list[str] = []
    stack: list[Any] = [el]
    total = linked = 0  # raw characters in the pending line, and those inside <a>
    in_link = 0
    block_tags = BLOCK_TAGS

    def flush() -> None:
        raw = "".join(buffer)
        buffer.clear()
        if raw and not raw.isspace():
            text = clean_text(raw)
            if text:
                lines.append(Line(len(lines), text, stack[-1], linked / total if total else 0.0))

    for event, node in etree.iterwalk(el, events=("start", "end")):
        tag = node.tag
        if event == "start":
            if tag in block_tags or tag == "br":
                if buffer:
                    flush()
                    total = linked = 0
                if tag != "br":
                    stack.append(node)
            elif tag == "a":
                in_link += 1
            text = node.text
            if text:
                buffer.append(text)
                total += len(text)
                if in_link:
                    linked += len(text)
        else:
            if tag in block_tags:
                if node is el:
                    continue
                if buffer:
                    flush()
                    total = linked = 0
                stack.pop()
            elif tag == "a":
                in_link -= 1
            tail = node.tail
            if tail:
                buffer.append(tail)
                total += len(tail)
                if in_link:
                    linked += len(tail)
    if buffer:
        flush()
    return lines


def all_text(el: Any) -> str:
    return "".join(el.itertext())


def text_of(el: Any) -> str:
    return clean_text(all_text(el)) if el is not None else ""


def drop_tree(el: Any) -> None:
    """Remove ``el`` and its children but keep the text that follows it."""
    parent = el.getparent()
    if el.tail:
        # libxml2 keeps control characters that lxml refuses to write back.
        tail = _CONTROL_RE.sub("", el.tail)
        previous = el.getprevious()
        if previous is not None:
            previous.tail = _CONTROL_RE.sub("", previous.tail or "") + tail
        else:
            parent.text = _CONTROL_RE.sub("", parent.text or "") + tail
    parent.remove(el)


_SIMPLE_SELECTOR_RE = re.compile(r"^([#.])([\w-]+)$")
_COMPILED: dict[str, Any] = {}


def _compiled(selector: str) -> Any:
    found = _COMPILED.get(selector)
    if found is None:
        try:
            if selector.startswith(("/", "(")):
                found = etree.XPath(selector)
            else:
                from lxml.cssselect import CSSSelector

                found = CSSSelector(selector)
        except (etree.XPathError, ValueError, SyntaxError) as exc:
            raise ValueError(f"bad selector {selector!r}: {exc}") from exc
        _COMPILED[selector] = found
    return found


class AttrIndex:
    """Elements by ``#id`` and ``.class``, built in one pass so that the many
    simple selectors in patterns.py cost a dict lookup each."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.by_key: dict[str, list[Any]] = {}
        for el in _WITH_ID_OR_CLASS(root):
            ident = el.get("id")
            if ident:
                self.by_key.setdefault("#" + ident.strip(), []).append(el)
            classes = el.get("class")
            if classes:
                for name in classes.split():
                    self.by_key.setdefault("." + name, []).append(el)

    def select(self, selector: str) -> list[Any]:
        """CSS or XPath (an entry starting with ``/`` or ``(`` is XPath)."""
        if _SIMPLE_SELECTOR_RE.match(selector):
            return self.by_key.get(selector, [])
        try:
            return [x for x in _compiled(selector)(self.root) if isinstance(x, etree._Element)]
        except etree.XPathError as exc:
            raise ValueError(f"bad selector {selector!r}: {exc}") from exc


def iter_ancestors(el: Any) -> Iterator[Any]:
    parent = el.getparent()
    while parent is not None:
        yield parent
        parent = parent.getparent()
