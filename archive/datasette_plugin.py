"""Datasette plugin shipped with orgnews: exact Chinese search inside Datasette.

It registers SQL functions on every connection so that Datasette search gives
the same results as ``orgnews search``:

- ``orgnews_fts(q)``: the FTS5 expression for a user query (see ``archive.query``);
- ``orgnews_matches(q, title, body)``: 1 when the article really contains the
  query (decides queries with punctuation, which the index only narrows down);
- ``orgnews_snippet(title, body, q)``: a snippet with the matches marked;
- ``escape_fts(q)``: replaces Datasette's own, so the table search box uses the
  character-split index too. The box cannot add the exact check, so a query with
  punctuation or spaces inside quotes may list a few extra articles there (any
  punctuation matches); the saved queries ``search`` and ``search_by_date`` are exact.
"""

from __future__ import annotations

import urllib.parse
from functools import lru_cache

from datasette import hookimpl

from archive.errors import QueryError
from archive.query import Query, parse_query
from archive.searching import make_snippet

# A phrase of one placeholder token that no article contains: a query that cannot be
# parsed finds nothing instead of breaking the page.
NO_MATCH = '"\ue001"'


@lru_cache(maxsize=256)
def _parsed(query: str) -> Query | None:
    try:
        return parse_query(query)
    except QueryError:
        return None


def fts_expression(query: str | None) -> str:
    parsed = _parsed(query or "")
    return parsed.fts if parsed else NO_MATCH


def matches(query: str | None, title: str | None, body: str | None) -> int:
    parsed = _parsed(query or "")
    if parsed is None:
        return 0
    return int(parsed.exact or parsed.matches(title, body))


def snippet(title: str | None, body: str | None, query: str | None) -> str:
    parsed = _parsed(query or "")
    return make_snippet(title, body, parsed.terms if parsed else [])


# trylast: Datasette registers its own escape_fts in this hook; ours must come after it to win.
@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("orgnews_fts", 1, fts_expression, deterministic=True)
    conn.create_function("escape_fts", 1, fts_expression, deterministic=True)
    conn.create_function("orgnews_matches", 3, matches, deterministic=True)
    conn.create_function("orgnews_snippet", 3, snippet, deterministic=True)


_HIDE_COLUMNS_CSS = "".join(
    f".col-{name}{{display:none}}" for name in ("content_hash", "fetch_id", "next_pages")
)


@hookimpl
def extra_css_urls(view_name, table):
    # Helper columns stay in the data (JSON/CSV exports) but not in the article table page.
    if view_name == "table" and table == "articles":
        return ["data:text/css," + urllib.parse.quote(_HIDE_COLUMNS_CSS)]
    return []
