"""What a release is made of, as the writing, describing and comparing steps share it."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.export.reading import Batch
from archive.export.resources import ARTICLES


class ExportError(ArchiveError):
    """A release cannot be made as asked; the message says what to change."""


@dataclass(frozen=True)
class FileEntry:
    resource: str
    format: str
    path: str  # relative to the release folder, with / separators
    part: str
    rows: int
    bytes: int = 0
    sha256: str = ""


@dataclass
class ArticleFigures:
    """What the card says about the articles, gathered while they are written."""

    by_site_year: Counter = field(default_factory=Counter)
    filled: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    first_published: str | None = None
    last_published: str | None = None
    last_seen: str | None = None

    FILL_FIELDS = ("title", "source", "published_at", "author", "editor", "body")

    def observe(self, batch: Batch) -> None:
        """Count a batch of articles (one year's part, column by column)."""
        columns = dict(zip(ARTICLES.field_names, batch.columns, strict=True))
        sites = [site or "(none)" for site in columns["site"]]
        for site, count in Counter(sites).items():
            self.by_site_year[site, columns["year"][0]] += count
            self.filled[site]["articles"] += count
        for name in self.FILL_FIELDS:
            for site, count in Counter(compress(sites, columns[name])).items():
                self.filled[site][name] += count
        seen = max(filter(None, columns["last_seen"]), default=None)
        if seen is not None and (self.last_seen is None or seen > self.last_seen):
            self.last_seen = seen
        published = [value for value in columns["published_at"] if value]
        if published:
            first, last = min(published), max(published)
            if self.first_published is None or first < self.first_published:
                self.first_published = first
            if self.last_published is None or last > self.last_published:
                self.last_published = last


@dataclass
class Release:
    path: Path
    name: str
    version: str
    created: str
    formats: tuple[str, ...]
    excel: bool
    files: list[FileEntry] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    examples: dict[str, dict[str, Any]] = field(default_factory=dict)
    figures: ArticleFigures = field(default_factory=ArticleFigures)
    coverage: list[dict[str, Any]] = field(default_factory=list)
    changelog: dict[str, Any] | None = None
    captures: list[str] = field(default_factory=list)
    site_rows: list[dict[str, Any]] = field(default_factory=list)
    run_summary: dict[str, Any] = field(default_factory=dict)
    # resource -> its integer and boolean fields with an empty value somewhere (CSV types them otherwise)
    with_empty: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def checksum(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()
