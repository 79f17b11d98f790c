"""``CHANGELOG.md`` against an earlier release: the articles added, changed (a new version) and gone.

Articles are matched by their stable id; a changed article has another ``content_hash``.
The earlier release is read from its own files (Parquet when it has them, else JSON lines,
else CSV), so any release made by ``orgnews export`` can be compared with.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.export.model import ExportError, Release

STATE_COLUMNS = ("id", "site", "url", "content_hash")


@dataclass
class PreviousRelease:
    name: str
    version: str
    # id -> (site, url, content_hash)
    articles: dict[int, tuple[str | None, str, str]] = field(default_factory=dict)


def read_previous(path: Path) -> PreviousRelease:
    """The articles of the release at ``path``; a folder that is not a release is refused."""
    described = path / "datapackage.json"
    try:
        package = json.loads(described.read_text(encoding="utf-8"))
        resources = package["resources"]
        paths = {
            (item["path"], item["format"]) for item in resources if item["path"].startswith("data/articles/")
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ExportError(
            f"--previous {path} is not a release: no readable datapackage.json with articles"
        ) from exc
    if not paths:
        raise ExportError(f"--previous {path} is not a release: its datapackage.json lists no articles")
    previous = PreviousRelease(
        name=str(package.get("name", path.name)), version=str(package.get("version", ""))
    )
    formats = {fmt for _, fmt in paths}
    chosen = next(fmt for fmt in ("parquet", "jsonl", "csv") if fmt in formats)
    try:
        for relative, fmt in sorted(paths):
            if fmt == chosen:
                for article_id, site, url, content_hash in _states(path / relative, fmt):
                    previous.articles[int(article_id)] = (site, url, content_hash)
    except (OSError, ValueError, KeyError) as exc:
        raise ExportError(f"--previous {path}: cannot read its articles ({exc})") from exc
    return previous


def _states(path: Path, fmt: str) -> Iterator[tuple]:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path, columns=list(STATE_COLUMNS))
        yield from zip(*(table.column(name).to_pylist() for name in STATE_COLUMNS), strict=True)
    elif fmt == "jsonl":
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                data = json.loads(line)
                yield tuple(data[name] for name in STATE_COLUMNS)
    else:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for data in csv.DictReader(handle):
                yield tuple(data[name] or None for name in STATE_COLUMNS)


@dataclass
class Changes:
    previous: str
    previous_version: str
    added: list[tuple[int, str | None, str]] = field(default_factory=list)
    changed: list[tuple[int, str | None, str]] = field(default_factory=list)
    gone: list[tuple[int, str | None, str]] = field(default_factory=list)
    unchanged: int = 0

    def per_site(self) -> dict[str, Counter]:
        sites: dict[str, Counter] = {}
        for kind in ("added", "changed", "gone"):
            for _, site, _ in getattr(self, kind):
                sites.setdefault(site or "(none)", Counter())[kind] += 1
        return dict(sorted(sites.items()))

    def as_dict(self) -> dict[str, Any]:
        return {
            "previous": self.previous,
            "added": [item[0] for item in self.added],
            "changed": [item[0] for item in self.changed],
            "gone": [item[0] for item in self.gone],
        }


def compare(previous: PreviousRelease, current: Iterable[tuple[int, str | None, str, str]]) -> Changes:
    """Compare ``previous`` with the current articles, given as (id, site, url, content_hash) by id."""
    changes = Changes(previous.name, previous.version)
    remaining = dict(previous.articles)
    for article_id, site, url, content_hash in current:
        before = remaining.pop(article_id, None)
        if before is None:
            changes.added.append((article_id, site, url))
        elif before[2] != content_hash:
            changes.changed.append((article_id, site, url))
        else:
            changes.unchanged += 1
    changes.gone = [(article_id, site, url) for article_id, (site, url, _) in sorted(remaining.items())]
    return changes


def _listing(title: str, items: list[tuple[int, str | None, str]]) -> list[str]:
    lines = [f"## {title} ({len(items)})", ""]
    lines += [f"- {article_id} ({site or '(none)'}) {url}" for article_id, site, url in items]
    return [*lines, ""]


def write(folder: Path, release: Release) -> None:
    changes: Changes = release.changelog
    # Only a release that holds earlier texts points to them: a pointer to a folder it lacks misleads.
    has_versions = any(entry.resource == "versions" for entry in release.files)
    changed = (
        "a new version of the text: see `data/versions/`" if has_versions else "a new version of the text"
    )
    lines = [
        f"# Changes in {release.name} (version {release.version})",
        "",
        f"Compared with the release {changes.previous} (version {changes.previous_version}), article by id: "
        f"added (not in it), changed ({changed}), gone (in it, not here). "
        f"{changes.unchanged} articles are unchanged.",
        "",
        "| site | added | changed | gone |",
        "|---|---|---|---|",
    ]
    for site, counts in changes.per_site().items():
        lines.append(f"| {site} | {counts['added']} | {counts['changed']} | {counts['gone']} |")
    lines.append(f"| total | {len(changes.added)} | {len(changes.changed)} | {len(changes.gone)} |")
    lines.append("")
    for title, items in (("Added", changes.added), ("Changed", changes.changed), ("Gone", changes.gone)):
        lines += _listing(title, items)
    (folder / "CHANGELOG.md").write_text("\n".join(lines), encoding="utf-8")
