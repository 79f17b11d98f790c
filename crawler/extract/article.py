"""The one record type of the project: an extracted news-detail article.

The same field names are used by the extractor, the archive tables and the
dataset exports, so a record can travel through every stage unchanged.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Article:
    """One news-detail page, cleaned.

    ``published_at`` is ISO 8601 in Beijing time (``2021-02-03T08:15:00+08:00``),
    a bare day (``2021-02-03``) when the page shows only a day, or a bare month
    (``1999-07``) when it shows only a magazine issue (``1999年7月号``).
    ``attachments`` are ``{"url": ..., "text": ...}`` dicts with absolute URLs.
    """

    url: str
    canonical_url: str | None = None
    site: str | None = None
    column: str | None = None
    title: str | None = None
    subtitle: str | None = None
    source: str | None = None
    published_at: str | None = None
    author: str | None = None
    editor: str | None = None
    body: str = ""
    images: list[str] = field(default_factory=list)
    attachments: list[dict[str, str]] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Build an Article from a mapping, ignoring keys that are not fields."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


ARTICLE_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Article))
