"""What describes a release: ``datapackage.json``, the dataset card ``README.md`` and ``SHA256SUMS``.

``datapackage.json`` follows Frictionless Data Package v2: one resource per data file (a
table in one format, and for articles one year of it), each with its path, format, media
type, bytes, sha256 hash and the Table Schema of its table. CSV and JSON lines files are
``table`` resources, whose every cell, primary and foreign key ``frictionless validate``
checks. Parquet files carry the same schema but are listed as ``file`` resources, whose
bytes and hash it checks: frictionless reads Parquet lists and time zones as values its
own types do not accept.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archive.export.model import FileEntry, Release, checksum
from archive.export.resources import RESOURCES, TABLE_SCHEMA_TYPES, Resource
from archive.export.writers import MEDIA_TYPES

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
LICENSE = {
    "name": "other",
    "title": "Texts belong to their publishers; the release is for research",
    "path": "https://creativecommons.org/publicdomain/zero/1.0/",
}
RIGHTS = (
    "The article texts and images belong to their publishers (the sites named in sources and the "
    "publishers in the source field). This release gathers what those sites published openly, for "
    "research, text analysis and preservation. The compilation (the tables, ids, story grouping and "
    "descriptions) is offered under CC0 1.0; reuse of the texts themselves is up to their publishers."
)
SUMS_NAME = "SHA256SUMS"


def table_schema(
    resource: Resource, release_resources: dict[tuple[str, str], str], fmt: str
) -> dict[str, Any]:
    """The Table Schema of ``resource``; foreign keys point at the one-file resources of the same format."""
    fields = []
    for field in resource.fields:
        entry: dict[str, Any] = {
            "name": field.name,
            "type": TABLE_SCHEMA_TYPES[field.kind],
            "description": field.description,
        }
        if field.kind in ("beijing_time", "utc_time"):
            entry["format"] = "%Y-%m-%dT%H:%M:%S%z"
        if field.name in resource.primary_key:
            entry["constraints"] = {"required": True}
        fields.append(entry)
    schema: dict[str, Any] = {"fields": fields, "primaryKey": list(resource.primary_key)}
    keys = []
    for key in resource.foreign_keys:
        target = release_resources.get((key.resource, fmt))
        if target is not None:
            keys.append({"fields": key.fields, "reference": {"resource": target, "fields": key.references}})
    if keys:
        schema["foreignKeys"] = keys
    return schema


def _resource_name(entry: FileEntry) -> str:
    return f"{entry.part}-{entry.format}"


def _capture_resources(release: Release, folder: Path) -> list[dict[str, Any]]:
    resources = []
    for path in release.captures:
        size, digest = checksum(folder / path)
        resources.append(
            {
                "name": Path(path).name.removesuffix(".wacz").lower() + "-captures",
                "type": "file",
                "path": path,
                "title": "Raw captures of the articles (WACZ: WARC, CDXJ index, pages.jsonl)",
                "format": "wacz",
                "mediatype": "application/wacz",
                "bytes": size,
                "hash": f"sha256:{digest}",
            }
        )
    return resources


def datapackage(release: Release, folder: Path) -> dict[str, Any]:
    by_name = {resource.name: resource for resource in RESOURCES}
    # A foreign key can name one resource only, so it is declared towards tables that are one file.
    single = {}
    for entry in release.files:
        parts = {e.part for e in release.files if e.resource == entry.resource}
        if len(parts) == 1:
            single[entry.resource, entry.format] = _resource_name(entry)
    resources = []
    for entry in release.files:
        resource = by_name[entry.resource]
        item: dict[str, Any] = {
            "name": _resource_name(entry),
            "type": "file" if entry.format == "parquet" else "table",
            "path": entry.path,
            "title": f"{resource.title} ({entry.part}, {entry.format})",
            "description": resource.description,
            "format": entry.format,
            "mediatype": MEDIA_TYPES[entry.format],
            "encoding": "utf-8",
            "bytes": entry.bytes,
            "hash": f"sha256:{entry.sha256}",
            "schema": table_schema(resource, single, entry.format),
        }
        if entry.format == "jsonl":
            item["compression"] = "gz"
        if entry.format == "csv" and release.excel:
            item["encoding"] = "utf-8-sig"
        resources.append(item)
    return {
        "$schema": PROFILE,
        "name": release.name,
        "title": "orgnews: Chinese organization-department news",
        "description": (
            "News-detail articles of Chinese organization-department (组织部 / 组工 / 党建) sites, "
            "extracted into clean records, with their earlier versions, repost stories, sites and crawl runs."
        ),
        "version": release.version,
        "created": release.created,
        "licenses": [LICENSE],
        "rights": RIGHTS,
        "keywords": ["Chinese", "news", "party building", "organization department", "web archive"],
        "sources": _sources(release),
        "resources": [*resources, *_capture_resources(release, folder)],
    }


def _sources(release: Release) -> list[dict[str, str]]:
    sources = []
    for site in release.site_rows:
        hosts = site.get("hosts") or []
        source = {"title": site.get("title") or site["name"]}
        if hosts:
            source["path"] = f"https://{hosts[0]}/"
        sources.append(source)
    return sources


def write_sums(folder: Path, known: dict[str, str] | None = None) -> None:
    """``SHA256SUMS`` over every file of the release but itself, in the format ``sha256sum -c`` reads;
    ``known`` digests (by relative path) are not computed again."""
    known = known or {}
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != SUMS_NAME):
        relative = path.relative_to(folder).as_posix()
        digest = known.get(relative) or checksum(path)[1]
        lines.append(f"{digest}  {relative}\n")
    (folder / SUMS_NAME).write_text("".join(lines), encoding="utf-8")


def write_descriptions(folder: Path, release: Release) -> None:
    from archive.export import card

    (folder / "datapackage.json").write_text(
        json.dumps(datapackage(release, folder), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (folder / "README.md").write_text(card.dataset_card(release), encoding="utf-8")
    write_sums(folder, {entry.path: entry.sha256 for entry in release.files})
