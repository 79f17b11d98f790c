"""Standard metadata: the government meta set, people.com.cn metas, Open Graph, JSON-LD.

Values here are hints. Government templates often leave them empty, repeat
them or fill them with the CMS account, so every consumer validates them
against what the page prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.extract.dates import parse_meta_date
from crawler.extract.patterns import (
    AUTHOR_META_NAMES,
    CANONICAL_META_NAMES,
    COLUMN_META_NAMES,
    DATE_META_NAMES,
    SOURCE_META_NAMES,
    TITLE_META_NAMES,
)


@dataclass
class PageMeta:
    title: str | None = None
    published_at: str | None = None
    source: str | None = None
    author: str | None = None
    column: str | None = None
    canonical: str | None = None
    site_name: str | None = None
    # JSON-LD authors typed as Person: structured data names people, not CMS accounts.
    person_author: str | None = None
    images: list[str] = field(default_factory=list)


def _first(metas: dict[str, list[str]], names: tuple[str, ...]) -> str | None:
    for name in names:
        for value in metas.get(name, ()):
            if value:
                return value
    return None


def _ld_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _ld_text(value.get("name"))
    if isinstance(value, list):
        names = [n for n in (_ld_text(v) for v in value) if n]
        return "、".join(names) or None
    return None


def _ld_people(value: Any) -> str | None:
    entries = value if isinstance(value, list) else [value]
    people = [e for e in entries if isinstance(e, dict) and e.get("@type") == "Person"]
    return _ld_text(people) if people and len(people) == len(entries) else None


def read_meta(
    metas: dict[str, list[str]], json_ld: list[dict[str, Any]], canonical_link: str | None
) -> PageMeta:
    meta = PageMeta()
    meta.title = _first(metas, TITLE_META_NAMES)
    meta.source = _first(metas, SOURCE_META_NAMES)
    meta.author = _first(metas, AUTHOR_META_NAMES)
    meta.column = _first(metas, COLUMN_META_NAMES)
    meta.site_name = _first(metas, ("sitename", "og:site_name", "application-name"))
    for name in DATE_META_NAMES:
        for value in metas.get(name, ()):
            meta.published_at = parse_meta_date(value)
            if meta.published_at:
                break
        if meta.published_at:
            break
    meta.canonical = canonical_link or _first(metas, CANONICAL_META_NAMES)
    image = _first(metas, ("image", "og:image"))
    if image:
        meta.images.append(image)
    for item in json_ld:
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(isinstance(k, str) and ("Article" in k or k == "WebPage") for k in kinds):
            continue
        meta.title = meta.title or _ld_text(item.get("headline"))
        if not meta.published_at and isinstance(item.get("datePublished"), str):
            meta.published_at = parse_meta_date(item["datePublished"])
        meta.author = meta.author or _ld_text(item.get("author"))
        meta.person_author = meta.person_author or _ld_people(item.get("author"))
    return meta
