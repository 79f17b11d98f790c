"""The Datasette view of the archive: metadata, facets, hidden tables and the saved search."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archive import careers_view
from archive.datasette_plugin import matching_sql
from archive.searching import open_existing
from archive.store import IMMUTABLE

HIDDEN_TABLES = (
    "articles_fts",
    "articles_pairs",
    "article_signatures",
    "article_lsh",
    "article_lsh_recent",
    "index_progress",
)
HIDDEN_ARTICLE_COLUMNS = ("content_hash", "fetch_id", "next_pages")

ARTICLE_COLUMNS = {
    "id": "Archive id of the article (stable).",
    "url": "Address the article was fetched from.",
    "canonical_url": "Canonical address the page declares, when it differs.",
    "site": "Site profile the article was crawled from (see the sites table).",
    "column": "Section of the site (栏目) the article is filed under.",
    "title": "Headline.",
    "subtitle": "Sub-headline or kicker, when the page has one.",
    "source": "Original publisher named on the page (来源).",
    "published_at": "Publication time in Beijing time, ISO 8601; a bare day when the page gives only a day, a month for a magazine issue.",
    "year": "Year of publication, for facets.",
    "author": "Author byline (作者 / 记者 / 通讯员).",
    "editor": "Editor byline (编辑 / 责任编辑).",
    "body": "Clean article text, paragraphs separated by newlines.",
    "images": "JSON list of image URLs in the body.",
    "attachments": "JSON list of attachments ({url, text}).",
    "warnings": "JSON list of extraction warnings for this page.",
    "content_hash": "SHA-256 of the stored fields; a change makes a new version.",
    "first_seen": "When the crawler first stored this article (UTC).",
    "last_seen": "When the crawler last saw this article unchanged or changed (UTC).",
    "story_id": "Story this article belongs to: reposts of the same story share it (the id of its first copy).",
    "fetch_id": "Latest fetch of this article (see fetches).",
    "next_pages": "Further pages of a multi-page article (merged into the body).",
}

# A query that cannot be read finds no article; this row says what to fix instead.
_QUERY_ERROR_ROW = """
select null, null, null, 'Cannot search: ' || orgnews_query_error(:q), null, null, null, null{rank}
where orgnews_query_error(:q) is not null
"""

SEARCH_SQL = f"""
select a.id as id, a.published_at, a.site, a.title,
  orgnews_snippet(a.title, a.body, :q) as snippet,
  a.source, a.story_id, a.url,
  m.score as rank
from ({matching_sql("q", columns="rowid as id", scored=True)}) m
  join articles a on a.id = m.id
where orgnews_matches(:q, a.title, a.body)
union all{_QUERY_ERROR_ROW.format(rank=", null")}order by rank desc, id
limit 200
""".strip()

SEARCH_BY_DATE_SQL = f"""
select a.id, a.published_at, a.site, a.title,
  orgnews_snippet(a.title, a.body, :q) as snippet,
  a.source, a.story_id, a.url
from articles a
where a.id in ({matching_sql("q")})
  and orgnews_matches(:q, a.title, a.body)
union all{_QUERY_ERROR_ROW.format(rank="")}order by published_at desc, id desc
limit 200
""".strip()

QUERY_HELP = (
    "Exact search for any length of Chinese text (党, 党建, 5G芯片): every article whose title or body "
    'contains the words. Combine with AND, OR, NOT and parentheses; "double quotes" keep a phrase together. '
    "Same results as orgnews search."
)


def _front_page(database: str) -> str:
    """The front page's description: what the archive is, and its researcher's pages first."""
    return (
        "<p>Chinese organization-department (组织部 / 组工 / 党建) news.</p>"
        f'<p class="orgnews-entry"><a href="/{database}/-/search"><strong>Search the articles</strong></a>'
        " (exact Chinese search with a timeline, facets and reading pages) · "
        f'<a href="/{database}/-/people">People</a> (the cadres of appointment notices and their careers) · '
        f'<a href="/{database}/-/health">Crawl health</a> (runs, field coverage and alerts per site)</p>'
        f"<p>{html.escape(QUERY_HELP)} The tables below are open to SQL.</p>"
    )


def metadata(database: str) -> dict[str, Any]:
    """Datasette metadata for an archive served under the name ``database``."""
    tables: dict[str, Any] = {name: {"hidden": True} for name in HIDDEN_TABLES}
    tables["articles"] = {
        "title": "Articles",
        "description_html": html.escape(
            "One row per article URL. Reposts on several sites are separate rows sharing a story_id. "
            + QUERY_HELP
        )
        + f' <a href="/{database}/-/search">Search and read them in the reading view</a>; an article\'s row '
        "is its reading page.",
        # Searched by archive.datasette_plugin (index, then the exact check), not by Datasette's
        # own filter: so no fts_table here.
        "plugins": {"orgnews": {"exact_search": True}},
        "facets": ["site", "source", "column", "year"],
        "sort_desc": "published_at",
        "label_column": "title",
        "columns": ARTICLE_COLUMNS,
    }
    tables["article_versions"] = {
        "title": "Earlier versions",
        "description": "The previous text of an article each time the site edited it (replaced_at = when).",
        "facets": ["site"],
    }
    tables["fetches"] = {
        "title": "Fetches",
        "description": "Every HTTP exchange of every crawl, with where the raw response sits in the WARC files.",
        "facets": ["site", "outcome", "status"],
        "columns": {
            "outcome": "article, not-article, blocked (bot challenge), error, not-modified or list.",
            "warc_file": "WARC file (under warc/) holding the raw response.",
            "warc_offset": "Byte offset of the record in the WARC file.",
            "warc_length": "Byte length of the record.",
        },
    }
    tables["runs"] = {
        "title": "Crawl runs",
        "description": "One row per crawl of a site: counts, status, per-field coverage and alerts.",
        "facets": ["site", "status"],
        "sort_desc": "id",
    }
    tables["sites"] = {"title": "Sites", "description": "The crawled sites and their hosts."}
    tables["reposts"] = {
        "title": "Reposts",
        "description": "Stories published on more than one page: how many copies, on which sites, when.",
        "sort_desc": "copies",
    }
    tables.update(careers_view.tables())
    return {
        "title": "orgnews archive",
        "description_html": _front_page(database),
        "databases": {
            database: {
                "tables": tables,
                "queries": {
                    "search": {
                        "title": "Search articles (best matches first)",
                        "description": QUERY_HELP + " Title hits rank above body hits (BM25).",
                        "sql": SEARCH_SQL,
                        # The results first: the SQL is one click away ("show") for those who want it.
                        "hide_sql": True,
                    },
                    "search_by_date": {
                        "title": "Search articles (newest first)",
                        "description": QUERY_HELP,
                        "sql": SEARCH_BY_DATE_SQL,
                        "hide_sql": True,
                    },
                    **careers_view.queries(),
                },
            }
        },
    }


def build_datasette(db_path: str | Path, notice: Callable[[str], None] | None = None) -> Any:
    """A read-only Datasette over the archive (migrated first where it can be written, so the schema
    is current; opened as immutable where not even its write-ahead log can be opened)."""
    from datasette.app import Datasette

    from archive.datasette_errors import QuietDatabase, hold_back_facet_warnings

    path = Path(db_path)
    with open_existing(path, notice) as arc:
        immutable = arc.read_only == IMMUTABLE
    datasette = Datasette(
        [] if immutable else [str(path)],
        immutables=[str(path)] if immutable else [],
        metadata=metadata(path.stem),
        settings={
            "sql_time_limit_ms": 5000,
            "facet_time_limit_ms": 2000,
            "allow_download": False,
            # Table pages show the start of a long body; the article's own page shows all of it.
            "truncate_cells_html": 160,
        },
    )
    hold_back_facet_warnings()
    # The same database, reporting a failed statement in the request's one log line only.
    database = datasette.databases[path.stem]
    datasette.remove_database(path.stem)
    datasette.add_database(
        QuietDatabase(datasette, database.path, is_mutable=database.is_mutable), name=path.stem
    )
    return datasette
