"""Multi-page articles, images and attachments: everything that is a URL."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

from crawler.extract.article import Article
from crawler.extract.patterns import (
    ATTACHMENT_EXT_RE,
    CREATE_PAGE_RE,
    ICON_MAX_PX,
    IMAGE_SKIP_RE,
    PAGER_SELECTORS,
    PDFJS_RE,
    PEOPLE_PAGE_RE,
)
from crawler.extract.tree import AttrIndex, all_text, clean_text

_IMAGE_ATTRS = ("data-original", "data-src", "original", "src")


def split_url(url: str) -> SplitResult:
    """``urlsplit`` that reads a malformed URL (``http://[::1``) as an empty one."""
    try:
        return urlsplit(url)
    except ValueError:
        return urlsplit("")


def absolute(base: str, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "#", "data:", "about:", "tel:")):
        return None
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def _unique(items: Iterable[Any]) -> list[Any]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item["url"] if isinstance(item, dict) else item
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def images_in(container: Any, base: str, skip: set[Any]) -> list[str]:
    found = []
    for img in container.iter("img"):
        if img in skip or _is_icon(img):
            continue
        src = next((img.get(a) for a in _IMAGE_ATTRS if img.get(a)), None)
        url = absolute(base, src)
        if url and not url.lower().endswith((".gif", ".svg")) and not IMAGE_SKIP_RE.search(url):
            found.append(url)
    return _unique(found)


def _is_icon(img: Any) -> bool:
    """Inline icons (a 13x12 end-of-article mark, a class ``icon``) are not article pictures."""
    if IMAGE_SKIP_RE.search(img.get("class") or ""):
        return True
    for attr in ("width", "height"):
        size = (img.get(attr) or "").strip().removesuffix("px")
        if size.isdigit() and int(size) < ICON_MAX_PX:
            return True
    return False


def attachments_in(elements: Iterable[Any], base: str) -> list[dict[str, str]]:
    found = []
    for el in elements:
        for tag in ("a", "iframe", "embed"):
            for node in el.iter(tag):
                href = node.get("href") or node.get("src")
                url = absolute(base, href)
                if not url:
                    continue
                viewer = PDFJS_RE.search(url)
                if viewer and "viewer" in url:
                    url = absolute(base, unquote(viewer.group(1))) or url
                if ATTACHMENT_EXT_RE.search(split_url(url).path) or ATTACHMENT_EXT_RE.search(url):
                    text = clean_text(all_text(node)) or url.rsplit("/", 1)[-1]
                    found.append({"url": url, "text": text})
    return _unique(found)


def next_pages(url: str, index: AttrIndex, raw_text: str) -> list[str]:
    """Further pages of this article: people.com.cn ``-2.html`` pagers and TRS ``createPageHTML``."""
    pages: list[str] = []
    people = PEOPLE_PAGE_RE.match(split_url(url).path)
    if people and not people.group(2):
        stem = people.group(1).rsplit("/", 1)[-1]
        for selector in PAGER_SELECTORS:
            for pager in index.select(selector):
                for a in pager.iter("a"):
                    target = absolute(url, a.get("href"))
                    if target and re.search(re.escape(stem) + r"-\d+\.html$", target):
                        pages.append(target)
    match = CREATE_PAGE_RE.search(raw_text)
    if match:
        count, current, name, ext = int(match[1]), int(match[2]), match[3], match[4]
        path = split_url(url).path
        if current == 0 and 1 < count <= 200 and path.endswith(f"/{name}.{ext}"):
            stem = url[: url.rfind(name) + len(name)]
            pages.extend(f"{stem}_{n}.{ext}" for n in range(1, count))
    return _unique(p for p in pages if p != url)


def merge_pages(first: Article, rest: list[Article]) -> Article:
    """Stitch a multi-page article: bodies joined, images and attachments de-duplicated."""
    bodies = [first.body] + [page.body for page in rest]
    images = _unique([*first.images, *(img for page in rest for img in page.images)])
    attachments = _unique([*first.attachments, *(a for page in rest for a in page.attachments)])
    warnings = list(first.warnings)
    for page in rest:
        warnings.extend(w for w in page.warnings if w not in warnings)
    merged = Article(
        **{
            **first.to_dict(),
            "body": "\n".join(b for b in bodies if b),
            "images": images,
            "attachments": attachments,
            "next_pages": [],
            "warnings": warnings,
        }
    )
    for name in ("source", "author", "editor", "published_at", "subtitle", "column"):
        if getattr(merged, name) is None:
            setattr(merged, name, next((getattr(p, name) for p in rest if getattr(p, name)), None))
    return merged
