"""The dataset card: the release's ``README.md``, with Hugging Face YAML front matter.

Every figure in it comes from the release itself (rows written, the runs of its sites), so
two exports of the same archive give the same card.
"""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from archive.export.model import Release
from archive.export.resources import RESOURCES, TABLE_SCHEMA_TYPES, ForeignKey, Resource
from archive.export.writers import EXTENSIONS, FORMATS

EXAMPLE_CHARS = 40
# Hugging Face size categories, by number of articles.
SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))
FILL_FIELDS = ("title", "source", "published_at", "author", "editor", "body")


def _orgnews_version() -> str:
    try:
        return version("orgnews")
    except PackageNotFoundError:
        return "unknown"


def size_category(articles: int) -> str:
    for bound, name in SIZE_CATEGORIES:
        if articles < bound:
            return name
    return "1M<n<10M" if articles < 10_000_000 else "n>10M"


def front_matter(release: Release) -> str:
    """YAML front matter: the configs name each table's files in the release's first format."""
    fmt = next(fmt for fmt in FORMATS if fmt in release.formats)
    lines = [
        "---",
        f"pretty_name: {release.name}",
        "language:",
        "- zh",
        "license: other",
        "license_name: publishers-rights-research-use",
        "size_categories:",
        f"- {size_category(release.rows.get('articles', 0))}",
        "task_categories:",
        "- text-classification",
        "- text-retrieval",
        "- summarization",
        "tags:",
        "- news",
        "- chinese",
        "- web-archive",
        "configs:",
    ]
    for index, resource in enumerate(RESOURCES):
        if release.rows.get(resource.name, 0) == 0:
            continue
        stem = "*" if resource.folder else resource.name
        pattern = f"{resource.folder_path()}/{stem}{EXTENSIONS[fmt]}"
        lines += [f"- config_name: {resource.name}", f'  data_files: "{pattern}"']
        if index == 0:
            lines.append("  default: true")
        lines += _features(resource, fmt, release.with_empty.get(resource.name, set()))
    lines.append("---")
    return "\n".join(lines) + "\n"


# Hugging Face feature types of a field kind as JSON lines and CSV hold it. Declared in the card, they
# make `datasets` read every file of a table alike: guessing file by file, it takes a column empty in
# one year's file for another type than in the next and fails. Parquet files carry their own types.
JSONL_FEATURES = {
    "integer": ["dtype: int64"],
    "string": ["dtype: string"],
    "text": ["dtype: string"],
    "boolean": ["dtype: bool"],
    "beijing_time": ["dtype: string"],
    "utc_time": ["dtype: string"],
    "strings": ["list: string"],
    "links": ["list:", "- name: url", "  dtype: string", "- name: text", "  dtype: string"],
}
# pandas reads CSV for `datasets`: an integer or boolean column with an empty cell can only be float or text.
CSV_FEATURES = {"integer": "int64", "boolean": "bool"}
CSV_WITH_EMPTY = {"integer": "float64", "boolean": "string"}


def _features(resource: Resource, fmt: str, with_empty: set[str]) -> list[str]:
    """The ``features`` of a config in JSON lines or CSV; none for Parquet, nor for a table with a
    field of free keys (``shares``) in JSON lines, which has no fixed type."""
    if fmt == "jsonl" and all(field.kind in JSONL_FEATURES for field in resource.fields):
        types = {field.name: JSONL_FEATURES[field.kind] for field in resource.fields}
    elif fmt == "csv":
        types = {
            field.name: [
                f"dtype: {(CSV_WITH_EMPTY if field.name in with_empty else CSV_FEATURES).get(field.kind, 'string')}"
            ]
            for field in resource.fields
        }
    else:
        return []
    lines = ["  features:"]
    for name, kind in types.items():
        lines += [f"  - name: {name}", *(f"    {line}" for line in kind)]
    return lines


def _example(value: Any) -> str:
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict | bool) else str(value)
    text = " ".join(text.split())
    if len(text) > EXAMPLE_CHARS:
        text = text[:EXAMPLE_CHARS] + "…"
    text = text.replace("`", "'")
    return f"`{text}`" if text else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _fields_table(resource: Resource, example: dict[str, Any]) -> list[str]:
    lines = ["| field | type | meaning | example |", "|---|---|---|---|"]
    for field in resource.fields:
        kind = TABLE_SCHEMA_TYPES[field.kind]
        lines.append(
            f"| `{field.name}` | {kind} | {_cell(field.description)} | {_cell(_example(example.get(field.name)))} |"
        )
    return lines


def _sources_table(release: Release) -> list[str]:
    counts = release.figures.by_site_year
    years = sorted({year for _, year in counts if year is not None})
    undated = any(year is None for _, year in counts)
    header = ["site", *map(str, years), *(["undated"] if undated else []), "total"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for site in sorted({site for site, _ in counts}):
        cells = [str(counts.get((site, year), 0)) for year in years]
        if undated:
            cells.append(str(counts.get((site, None), 0)))
        total = sum(n for (s, _), n in counts.items() if s == site)
        lines.append(f"| {site} | " + " | ".join(cells) + f" | {total} |")
    return lines


def _quality_tables(release: Release) -> list[str]:
    lines = [
        "Share of articles in which each field was found, as measured by each site's latest crawl run that "
        "stored articles (`runs.field_coverage`):",
        "",
        "| site | run | articles | " + " | ".join(FILL_FIELDS) + " |",
        "|" + "---|" * (3 + len(FILL_FIELDS)),
    ]
    for item in release.coverage:
        shares = [
            f"{item['coverage'].get(name, 0):.0%}" if name in item["coverage"] else "" for name in FILL_FIELDS
        ]
        lines.append(f"| {item['site']} | {item['run']} | {item['articles']} | " + " | ".join(shares) + " |")
    lines += [
        "",
        "And in this release (share of its articles with the field filled):",
        "",
        "| site | articles | " + " | ".join(FILL_FIELDS) + " |",
        "|" + "---|" * (2 + len(FILL_FIELDS)),
    ]
    for site, filled in sorted(release.figures.filled.items()):
        total = filled["articles"]
        shares = [f"{filled[name] / total:.0%}" for name in FILL_FIELDS]
        lines.append(f"| {site} | {total} | " + " | ".join(shares) + " |")
    return lines


def _reference(key: ForeignKey) -> str:
    fields = ", ".join(f"`{name}`" for name in key.fields)
    references = ", ".join(f"`{key.resource}.{name}`" for name in key.references)
    return f" {fields} {'refers' if len(key.fields) == 1 else 'refer'} to {references}."


def _runs_summary(release: Release) -> str:
    runs = release.run_summary
    if not runs["count"]:
        return "The archive records no crawl run for these sites (its articles were imported)."
    replayed = (
        f" {runs['replay']} of them crawled the bundled offline replay of the sites, not the live sites."
        if runs["replay"]
        else ""
    )
    return (
        f"{runs['count']} crawl runs between {runs['first'][:10]} and {runs['last'][:10]} (UTC), "
        f"listed in `runs`.{replayed}"
    )


def dataset_card(release: Release) -> str:
    figures = release.figures
    articles = release.rows.get("articles", 0)
    parts = [
        front_matter(release),
        f"# {release.name}",
        "",
        f"Version {release.version}, made from the archive as it was at {release.created} (the end of the "
        "newest crawl run of its sites, or the newest capture when no run is recorded).",
        "",
        "## What it is",
        "",
        f"{articles:,} news-detail articles of Chinese organization-department (组织部 / 组工 / 党建) sites, "
        "each extracted from its page into one clean record (title, 来源, publication time, bylines, body), "
        f"with {release.rows.get('versions', 0):,} earlier versions of edited articles, "
        f"{release.rows.get('stories', 0):,} stories grouping reposts of one piece across sites, "
        f"and the provenance of every crawl ({release.rows.get('runs', 0):,} runs of "
        f"{release.rows.get('sites', 0):,} sites).",
        "",
        "## Files",
        "",
        _layout(release),
        "",
        "## Loading",
        "",
        *_loading(release),
        "",
        "## Fields",
        "",
    ]
    for resource in RESOURCES:
        if not release.rows.get(resource.name):
            continue  # a table without rows has no file in the release
        parts += [f"### {resource.name}", "", resource.description, ""]
        parts += _fields_table(resource, release.examples.get(resource.name, {}))
        parts += [
            "",
            f"Primary key: {', '.join(f'`{k}`' for k in resource.primary_key)}."
            + "".join(_reference(key) for key in resource.foreign_keys),
            "",
        ]
    parts += [
        "## Sources",
        "",
        "Articles per site and year of publication:",
        "",
        *_sources_table(release),
        "",
    ]
    parts += [
        "## Date range",
        "",
        f"Published from {figures.first_published or 'unknown'} to {figures.last_published or 'unknown'} "
        "(Beijing time).",
        "",
        "## How it was collected",
        "",
        f"Crawled and extracted by orgnews {_orgnews_version()}. {_runs_summary(release)} The crawler obeys "
        "robots.txt, sends a User-Agent naming itself and a contact, fetches at most two pages at a time per "
        "host with a delay, and backs off from bot challenges, which are never stored as articles. Every "
        "response was kept in WARC files; the text was extracted by orgnews' rule-based extractor.",
        "",
        "## Extraction quality",
        "",
        *_quality_tables(release),
        "",
        "## Repost grouping",
        "",
        "One piece (often from 中国组织人事报) is reposted by several sites. Articles whose titles and texts are "
        "near-duplicates (MinHash over character shingles) share a `story_id`; `stories` has one row per story "
        "with its sites and its earliest article. Each copy keeps its own site, URL and 来源: nothing is dropped.",
        "",
        "## Known limits",
        "",
        "- Only what the crawled lists linked to is archived; a site's older pages may be missing.",
        "- `published_at` is midnight when the page gives only a day, and the first of the month when it gives "
        "only a month (a magazine issue); `published_precision` says which (`time`, `day` or `month`).",
        "- Bylines are kept as printed: an editor may be a CMS account name, several people share one field.",
        "- Repost grouping is by text similarity and can miss heavily edited reposts or join near-identical "
        "notices.",
        "- Pages that were bot challenges or gone when crawled are not in the release.",
        "",
        "## Rights",
        "",
        "The texts belong to their publishers; this release is for research (see `datapackage.json`, `rights`).",
        "",
        "## How to cite",
        "",
        "```bibtex",
        f"@misc{{{release.name.replace('-', '_')},",
        "  title  = {orgnews: Chinese organization-department news},",
        f"  note   = {{Dataset release {release.name}, version {release.version}}},",
        f"  year   = {{{release.created[:4]}}},",
        "}",
        "```",
        "",
        "## Checking the files",
        "",
        "    sha256sum -c SHA256SUMS",
        "    frictionless validate datapackage.json",
        "",
    ]
    if release.changelog is not None:
        parts += ["## Changes", "", "See `CHANGELOG.md`.", ""]
    return "\n".join(parts)


# One line per format that loads every article of the release, run from the release's folder.
LOADING = {
    "parquet": (
        "import duckdb; df = duckdb.sql(\"SELECT * FROM 'data/articles/*.parquet'\").df()",
        "import glob, pandas as pd; "
        'df = pd.concat(pd.read_parquet(f) for f in sorted(glob.glob("data/articles/*.parquet")))',
    ),
    "jsonl": (
        "import duckdb; df = duckdb.sql(\"SELECT * FROM 'data/articles/*.jsonl.gz'\").df()",
        "import glob, pandas as pd; "
        'df = pd.concat(pd.read_json(f, lines=True) for f in sorted(glob.glob("data/articles/*.jsonl.gz")))',
    ),
    "csv": (
        "import duckdb; df = duckdb.sql(\"SELECT * FROM 'data/articles/*.csv'\").df()",
        "import glob, pandas as pd; "
        'df = pd.concat(pd.read_csv(f) for f in sorted(glob.glob("data/articles/*.csv")))',
    ),
}


LOAD_DATASET = (
    'import os, datasets; df = datasets.load_dataset(os.getcwd(), "articles", split="train").to_pandas()'
)


def _loading(release: Release) -> list[str]:
    lines = [
        "Run from this folder, each line loads every article of the release (all years) into a pandas "
        "DataFrame `df`; the other tables load the same way from their paths above.",
        "",
    ]
    for fmt in release.formats:
        lines += [f"    {line}" for line in LOADING[fmt]]
    # Hugging Face datasets reads the files the front matter's configs name, with their types.
    lines.append(f"    {LOAD_DATASET}")
    if "csv" in release.formats:
        lines += ["", "In CSV, lists and objects are JSON text: `df.images.map(json.loads)`."]
    if release.formats == ("csv",) and release.with_empty.get("articles"):
        # datasets reads CSV through pandas, which has no integer or boolean with an empty value.
        empty = ", ".join(f"`{name}`" for name in sorted(release.with_empty["articles"]))
        lines += ["", f"With `datasets`, {empty} (with empty cells) load as float or text."]
    return lines


FORMAT_DESCRIPTIONS = {
    "parquet": "Parquet files are zstd-compressed and typed (`published_at` a timestamp in +08:00, crawl times in "
    "UTC, lists as lists)",
    "jsonl": "JSON lines are gzip, one object a line",
    "csv": "CSV is UTF-8{bom}, with lists and objects as JSON text",
}


def _layout(release: Release) -> str:
    """The files of the release, and how each of its formats (only those) is written."""
    bom = " with a byte order mark for Excel" if release.excel else ""
    described = "; ".join(FORMAT_DESCRIPTIONS[fmt].format(bom=bom) for fmt in release.formats)
    written = f"each of: {', '.join(release.formats)}" if len(release.formats) > 1 else release.formats[0]
    lines = [
        f"Every table is written in {written}. {described}. Articles are split by year of publication "
        "(`articles-undated` holds those without a date).",
        "",
        "| path | table | rows |",
        "|---|---|---|",
    ]
    for entry in release.files:
        lines.append(f"| `{entry.path}` | {entry.resource} | {entry.rows} |")
    if release.captures:
        lines += ["", "Raw captures: " + ", ".join(f"`{path}`" for path in release.captures) + " (WACZ)."]
    return "\n".join(lines)
