"""A page as it was captured, read back from its WARC record with warcio, made safe to show.

The crawler writes every response into gzip WARC files and the ``fetches`` table says where
(file, offset, length); this reads one record and removes what would run in the reader's
browser (scripts, event handlers, ``javascript:`` links), so a citation can point at it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml import etree
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
    return lxml.html.tostring(document, encoding="utf-8", method="html", doctype="<!DOCTYPE html>")
