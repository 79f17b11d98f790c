"""A page as it was captured, read back from its WARC record with warcio, made safe to show.

The crawler writes every response into gzip WARC files and the ``fetches`` table says where
(file, offset, length); this reads one record and removes what would run in the reader's
browser (scripts, event handlers, ``javascript:`` links), so a citation can point at it.
"""

from __future__ import annotations

import io
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml import etree
from lxml.html import HtmlElement
from warcio.archiveiterator import ArchiveIterator

from archive.errors import ArchiveError

# Elements whose whole content runs as code or loads other code.
_ACTIVE_TAGS = ("script", "object", "embed", "applet")
_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data")


@dataclass(frozen=True)
class Capture:
    url: str
    status: int
    content_type: str
    body: bytes


def read_capture(warc_dir: Path, file: str, offset: int, length: int) -> Capture:
    """The response record at ``offset`` of ``warc_dir/file``, its body decoded of Content-Encoding."""
    path = Path(warc_dir) / file
    if Path(file).is_absolute() or ".." in Path(file).parts:
        raise ArchiveError(f"refusing to read a WARC file outside {warc_dir}: {file}")
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            data = handle.read(length)
    except OSError as exc:
        raise ArchiveError(f"cannot read the capture in {path}: {exc.strerror}") from exc
    for record in ArchiveIterator(io.BytesIO(data)):
        if record.rec_type != "response" or record.http_headers is None:
            break
        return Capture(
            url=record.rec_headers.get_header("WARC-Target-URI") or "",
            status=int(record.http_headers.get_statuscode() or 0),
            content_type=record.http_headers.get_header("Content-Type") or "",
            body=record.content_stream().read(),
        )
    raise ArchiveError(f"no response record at {file} offset {offset}")


def charset_of(content_type: str) -> str | None:
    """The charset a Content-Type header names, gb2312/gbk read as their superset gb18030."""
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
            return "gb18030" if charset in ("gb2312", "gbk") else charset
    return None


def without_scripts(body: bytes, charset: str | None = None) -> bytes:
    """The HTML ``body`` as UTF-8 with no scripts, plugins, event handlers or ``javascript:`` URLs.

    Without ``charset`` (from the response header) lxml reads the page's own declaration. The
    result is UTF-8 whatever the page was, and says so in its own meta tag.
    """
    if not body.strip():
        return b""
    return serialized(safe_document(body, charset))


def safe_document(body: bytes, charset: str | None = None) -> HtmlElement:
    """The HTML ``body`` parsed, with what ``without_scripts`` removes removed."""
    try:
        parser = lxml.html.HTMLParser(encoding=charset) if charset else None
    except LookupError:
        parser = None
    document = lxml.html.document_fromstring(body, parser=parser)
    etree.strip_elements(document, *_ACTIVE_TAGS, with_tail=False)
    for element in document.iter(etree.Element):
        for name in list(element.attrib):
            value = element.attrib[name]
            if name.lower().startswith("on"):
                del element.attrib[name]
            elif name.lower() in _URL_ATTRIBUTES and value.strip().lower().startswith("javascript:"):
                del element.attrib[name]
    for meta in list(document.iter("meta")):
        # The text is UTF-8 now: a meta naming the page's old charset would mislead a saved copy.
        if meta.get("charset") or (meta.get("http-equiv") or "").lower() == "content-type":
            meta.getparent().remove(meta)
    head = document.find("head")
    if head is None:
        head = etree.Element("head")
        document.insert(0, head)
    head.insert(0, etree.Element("meta", charset="utf-8"))
    return document


def serialized(document: HtmlElement) -> bytes:
    return lxml.html.tostring(document, encoding="utf-8", method="html", doctype="<!DOCTYPE html>")


# -- what a captured page loads by itself --------------------------------------------------------
#
# Shown from the archive, a captured page must not reach the live site: what it loads by itself
# (images, stylesheets, frames, media, fonts and backgrounds in CSS) is pointed at the archive's
# own capture of that address when there is one, and left out visibly when there is none. Links
# a reader follows (a, area, form) stay links, made absolute so that they lead where they led.

# Per element, the attributes holding an address the browser loads without being asked.
_LOADED = {
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "input": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
_FOLLOWED = {"a": "href", "area": "href", "form": "action"}
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\([^)]*\)|"[^"]*"|'[^']*')[^;]*;?""", re.IGNORECASE)
_CSS_IMPORT_URL = re.compile(r"""@import\s+(?:url\(\s*["']?([^"')\s]*)|["']([^"']*))""", re.IGNORECASE)
_NOT_LOADED = ("data:", "#", "about:", "javascript:")


def _absolute(base: str, address: str | None) -> str | None:
    address = (address or "").strip()
    if not address or address.lower().startswith(_NOT_LOADED):
        return None
    return urllib.parse.urljoin(base, address)


def _srcset_urls(value: str) -> list[str]:
    return [part.split()[0] for part in value.split(",") if part.strip()]


def _page_base(document: HtmlElement, page_url: str) -> str:
    """The address relative ones are read against: the page's, or its own ``<base href>``."""
    for base in document.iter("base"):
        if base.get("href"):
            return urllib.parse.urljoin(page_url, base.get("href").strip())
    return page_url


def css_urls(css: str, base: str) -> set[str]:
    """Every address a stylesheet loads (``url(...)``, ``@import``), absolute."""
    found = {
        _absolute(base, next(g for g in match.groups() if g is not None)) for match in _CSS_URL.finditer(css)
    }
    found |= {_absolute(base, a or b) for a, b in _CSS_IMPORT_URL.findall(css)}
    return {url for url in found if url}


def addresses(document: HtmlElement, page_url: str) -> set[str]:
    """Every address ``document`` (read from ``page_url``) loads by itself or links to, absolute:
    the ones to look up among the archive's captures."""
    base = _page_base(document, page_url)
    found: set[str] = set()
    for element in document.iter(etree.Element):
        tag = element.tag if isinstance(element.tag, str) else ""
        for name in _LOADED.get(tag, ()):
            value = element.get(name) or ""
            found.update(_srcset_urls(value) if name == "srcset" else [value])
        if tag == "link":
            found.add(element.get("href") or "")
        if tag in _FOLLOWED:
            found.add(element.get(_FOLLOWED[tag]) or "")
        found.add(element.get("background") or "")
        if element.get("style"):
            found |= css_urls(element.get("style"), base)
        if tag == "style":
            found |= css_urls(element.text or "", base)
    return {url for url in (_absolute(base, value) for value in found) if url}


def offline_css(css: str, base: str, captured: Mapping[str, str]) -> tuple[str, int]:
    """``css`` with every address it loads pointed at its capture, or left out (``none``) when the
    archive holds none; and how many were left out."""
    left_out = 0

    def imported(match: re.Match) -> str:
        nonlocal left_out
        inner = _CSS_IMPORT_URL.match(match.group())
        url = _absolute(base, (inner.group(1) or inner.group(2)) if inner else None)
        if url in captured:
            return f'@import url("{captured[url]}");'
        left_out += 1
        return ""

    def replaced(match: re.Match) -> str:
        nonlocal left_out
        url = _absolute(base, next(g for g in match.groups() if g is not None))
        if url is None:
            return match.group()
        if url in captured:
            return f'url("{captured[url]}")'
        left_out += 1
        return "none"

    css = _CSS_IMPORT.sub(imported, css)
    return _CSS_URL.sub(replaced, css), left_out


@dataclass
class LeftOut:
    """What a captured page would have loaded from elsewhere and the archive does not hold."""

    images: int = 0
    stylesheets: int = 0
    frames: int = 0
    media: int = 0
    css_addresses: int = 0

    def sentence(self) -> str:
        parts = [
            (self.images, "image", "images"),
            (self.stylesheets, "stylesheet", "stylesheets"),
            (self.frames, "embedded page", "embedded pages"),
            (self.media, "audio or video file", "audio or video files"),
            (self.css_addresses, "image or font of a style", "images or fonts of styles"),
        ]
        return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts if n)


def offline(document: HtmlElement, page_url: str, captured: Mapping[str, str]) -> LeftOut:
    """Point what ``document`` loads by itself at ``captured`` (absolute address -> address in the
    archive), leave out the rest visibly, and make the links absolute; returns what was left out."""
    base = _page_base(document, page_url)
    left = LeftOut()
    for element in list(document.iter(etree.Element)):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in ("base",) or (tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh"):
            # A base would send the rewritten addresses elsewhere; a refresh would leave the capture.
            element.drop_tree()
            continue
        if tag == "link":
            _offline_link(element, base, captured, left)
            continue
        removed = [
            _offline_attribute(element, name, base, captured)
            for name in _LOADED.get(tag, ())
            if element.get(name) is not None
        ]
        if any(removed):
            _left_out(element, tag, next(url for url in removed if url), left)
        if tag in _FOLLOWED and element.get(_FOLLOWED[tag]):
            url = _absolute(base, element.get(_FOLLOWED[tag]))
            if url:
                element.set(_FOLLOWED[tag], captured.get(url, url))
        if element.get("background") is not None:
            url = _absolute(base, element.get("background"))
            if url in captured:
                element.set("background", captured[url])
            else:
                del element.attrib["background"]
                left.css_addresses += url is not None
        if element.get("style"):
            style, dropped = offline_css(element.get("style"), base, captured)
            element.set("style", style)
            left.css_addresses += dropped
        if tag == "style" and element.text:
            element.text, dropped = offline_css(element.text, base, captured)
            left.css_addresses += dropped
    return left


def _offline_link(element: HtmlElement, base: str, captured: Mapping[str, str], left: LeftOut) -> None:
    url = _absolute(base, element.get("href"))
    if url is None:
        return
    stylesheet = "stylesheet" in (element.get("rel") or "").lower().split()
    if stylesheet and url in captured:
        element.set("href", captured[url])
        return
    # Icons, preloads, prefetches, manifests: nothing a reader of the capture needs.
    left.stylesheets += stylesheet
    element.drop_tree()


def _offline_attribute(element: HtmlElement, name: str, base: str, captured: Mapping[str, str]) -> str | None:
    """Point the address in ``element``'s attribute ``name`` at its capture, or remove it; returns
    the first address removed."""
    value = element.get(name) or ""
    if name == "srcset":
        candidates = [
            (part.split()[0], " ".join(part.split()[1:])) for part in value.split(",") if part.strip()
        ]
        kept = [
            (captured[u], size)
            for u, size in ((_absolute(base, a), size) for a, size in candidates)
            if u in captured
        ]
        if kept:
            element.set(name, ", ".join(f"{u} {size}".strip() for u, size in kept))
            return None
        del element.attrib[name]
        return next((u for u in (_absolute(base, a) for a, _ in candidates) if u), None)
    url = _absolute(base, value)
    if url is None:
        return None
    if url in captured:
        element.set(name, captured[url])
        return None
    del element.attrib[name]
    return url


# What a reader misses where such an element stood, and the LeftOut count it adds to.
_SHOWN = {
    "img": "image",
    "input": "image",
    "image": "image",
    "iframe": "embedded page",
    "frame": "embedded page",
    "video": "video",
}


def _left_out(element: HtmlElement, tag: str, url: str, left: LeftOut) -> None:
    """Count what ``element`` can no longer load, and put a note where it showed it."""
    if tag in ("img", "input", "image", "use"):
        left.images += 1
    elif tag in ("iframe", "frame"):
        left.frames += 1
    else:
        left.media += 1
    # An image still shown from another of its sources, or a video's poster, needs no note.
    shown = any(element.get(name) for name in ("src", "srcset", "href", "xlink:href"))
    if tag in _SHOWN and not shown:
        _mark_missing(element, _SHOWN[tag], url)


def _mark_missing(element: HtmlElement, kind: str, url: str) -> None:
    """Put a visible note where ``element`` showed what the archive does not hold."""
    note = etree.Element("span")
    note.set("class", "orgnews-not-captured")
    note.set("title", url)
    note.set("style", _NOTE_STYLE)
    label = element.get("alt") or element.get("title") or url.rsplit("/", 1)[-1] or url
    note.text = f"[{kind} not captured: {label}]"
    note.tail, element.tail = element.tail, None
    element.addprevious(note)
    if element.tag in ("iframe", "frame", "img"):
        element.drop_tree()
    elif element.tag != "video":  # a video keeps its place (and its poster, when captured)
        element.set("hidden", "")


_NOTE_STYLE = (
    "display:inline-block;font:12px/1.4 sans-serif;color:#555;background:#f4f4f4;"
    "border:1px dashed #999;padding:2px 6px;margin:2px"
)
