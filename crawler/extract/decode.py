"""Bytes to text: the charset decision, without mojibake.

Order: byte-order mark, then bytes that are valid UTF-8 (saved pages and
misconfigured servers often declare gb2312 over UTF-8 bytes), then the HTTP
header, then the page's own declarations (any meta, meta name="charset", an
XML declaration), then statistical detection. A Western single-byte charset
(ISO-8859-1, a common server and template default) decides only last: Chinese
bytes always decode in it, into mojibake.
gb2312/gbk are read as gb18030, their superset.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import Any

from crawler.extract.errors import NotAnArticle
from crawler.extract.patterns import (
    BINARY_MAGIC,
    CHARSET_ALIASES,
    CHARSET_SCAN_BYTES,
    HEADER_CHARSET_RE,
    META_CHARSET_RE,
    WESTERN_CHARSETS,
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def normalize_charset(name: str | None) -> str | None:
    """Map a declared charset to the codec we actually decode with (None if unknown)."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def header_charset(headers: Mapping[str, Any] | None) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        key = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if key.lower() != "content-type":
            continue
        if isinstance(value, list | tuple):
            value = value[0] if value else ""
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        match = HEADER_CHARSET_RE.search(str(value))
        if match:
            return normalize_charset(match.group(1))
    return None


def page_charset(body: bytes) -> str | None:
    """The first usable charset the page declares; a Western one only if it is the only one."""
    western = None
    for match in META_CHARSET_RE.finditer(body[:CHARSET_SCAN_BYTES]):
        name = next(group for group in match.groups() if group)
        codec = normalize_charset(name.decode("ascii", "ignore"))
        if codec in WESTERN_CHARSETS:
            western = western or codec
        elif codec:
            return codec
    return western


def looks_binary(body: bytes) -> bool:
    head = body[:1024]
    if head.startswith(BINARY_MAGIC):
        return True
    # UTF-16 text has NULs too but starts with a BOM, checked before this.
    return head.count(b"\x00") > 2


def decode_html(body: bytes, headers: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """Return ``(text, codec)`` for the page bytes.

    Raises NotAnArticle for empty or binary input.
    """
    if not body or not body.strip():
        raise NotAnArticle("empty", "the response body is empty; nothing to extract")
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, "replace"), codec
    if looks_binary(body):
        raise NotAnArticle("binary", "the bytes are a binary file (PDF, image, archive...), not an HTML page")
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # A cut capture or one broken template byte leaves a few invalid sequences
        # in a UTF-8 page; GB-family bytes read as UTF-8 fail on nearly every character.
        text = body.decode("utf-8", "replace")
        if text.count("\ufffd") <= max(3, len(body) // 5000):
            return text, "utf-8"
    declared = header_charset(headers)
    if declared is None or declared in WESTERN_CHARSETS:
        declared = page_charset(body) or declared
    if declared and declared != "utf-8" and declared not in WESTERN_CHARSETS:
        try:
            return body.decode(declared), declared
        except UnicodeDecodeError:
            pass
    return _detect(body, declared)


def _detect(body: bytes, declared: str | None) -> tuple[str, str]:
    # Most non-UTF-8 Chinese pages are GB-family; try the superset before guessing.
    try:
        return body.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only on undecodable pages

    best = from_bytes(body[:200_000]).best()
    codec = normalize_charset(best.encoding) if best is not None else None
    codec = codec or declared or "gb18030"
    return body.decode(codec, "replace"), codec
