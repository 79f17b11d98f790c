"""Datasette plugin shipped with orgnews: exact Chinese search inside Datasette.

Every way of searching in ``orgnews serve`` finds exactly the articles that
``orgnews search`` finds, and a query that cannot be read says why.

SQL functions registered on every connection:

- ``orgnews_fts(q)`` and ``orgnews_fts(q, field)``: the FTS5 expression for a user
  query over all text, the title or the body (see ``archive.query``), for the pair index
  and the articles whose character pairs are indexed (``id <= pairs_through``): the
  query itself when every term is two or more characters, its part of such terms for a
  query that mixes them with terms of one character or with punctuation; NULL for a query
  that only the character index decides;
- ``orgnews_fts_beside``, ``orgnews_fts_either``, ``orgnews_fts_excluded_pairs`` and
  ``orgnews_fts_excluded_characters`` (each with ``(q)`` and ``(q, field)``): the other parts
  of a mixed query (see ``archive.query.Query``), NULL where it has none: what the articles
  ``orgnews_fts`` finds must also match by characters, what is found by characters besides
  them, and what is left out by pairs and by characters;
- ``orgnews_fts_characters(q)`` and ``orgnews_fts_characters(q, field)``: the same query
  over single characters, for the articles indexed by their characters only so far;
- ``orgnews_matches(q, title, body)``: 1 when the article really contains the query
  (decides queries with punctuation or spaces, which the index only narrows down);
  pass NULL for a field that is not searched;
- ``orgnews_snippet(title, body, q)``: a snippet with the matches marked;
- ``orgnews_query_error(q)``: the sentence saying what to fix in a query that cannot
  be read, NULL for a good or blank query; the saved queries show it as a row;
- ``escape_fts(q)``: replaces Datasette's own, so SQL written for Datasette's search
  uses the character-split index too (the character expression: exact for every
  article, whether or not its pairs are indexed yet).

The table page's search box (``?_search=``, and ``?_search_title=`` /
``?_search_body=`` for one field) is handled by this plugin's
``filters_from_request`` hook, for a table whose metadata sets
``plugins: {orgnews: {exact_search: true}}`` (``archive.browse`` does for
``articles``): it filters with the index and then the exact check, so the row
count and facets are exact too, and puts a bad query's sentence into the
"rows where ..." line. That metadata names no ``fts_table`` (and Datasette does not
detect a contentless index), so Datasette's own search filter stays out of the way
while the page still shows the search box.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from functools import lru_cache

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils.asgi import BadRequest

# Registered with this plugin: error pages, log lines and JSON errors (see that module).
from archive.datasette_errors import asgi_wrapper, handle_exception, query_error, wants_json  # noqa: F401
from archive.errors import QueryError
from archive.indexing import index_match_sql
from archive.query import Query, parse_query
from archive.searching import make_snippet, matching_ids

PLUGIN = "orgnews"
# Request argument -> searched field, as Datasette names them (_search, _search_<column>).
SEARCH_ARGUMENTS = {"_search": "all", "_search_title": "title", "_search_body": "body"}
# A phrase of one placeholder token that no article contains: a query that cannot be
# parsed finds nothing instead of breaking the page.
NO_MATCH = '"\ue001"'


@lru_cache(maxsize=256)
def parsed(query: str, field: str = "all") -> Query | QueryError:
    """The parsed query, or the QueryError saying what is wrong with it."""
    try:
        return parse_query(query, field)
    except QueryError as exc:
        return exc


def fts_expression(query: str | None, field: str = "all") -> str | None:
    result = parsed(query or "", field)
    return NO_MATCH if isinstance(result, QueryError) else result.fts


def fts_characters_expression(query: str | None, field: str = "all") -> str:
    result = parsed(query or "", field)
    return NO_MATCH if isinstance(result, QueryError) else result.fts_characters


def _part_expression(part: str) -> Callable[..., str | None]:
    """The SQL function giving the ``part`` expression of a query (None for one that cannot be read)."""

    def expression(query: str | None, field: str = "all") -> str | None:
        result = parsed(query or "", field)
        return None if isinstance(result, QueryError) else result.index_expressions[part]

    return expression


# The SQL function of each expression of a query (see archive.indexing.MATCH_PARTS).
PART_FUNCTIONS = {
    "pairs": ("orgnews_fts", fts_expression),
    "beside": ("orgnews_fts_beside", _part_expression("beside")),
    "either": ("orgnews_fts_either", _part_expression("either")),
    "excluded_pairs": ("orgnews_fts_excluded_pairs", _part_expression("excluded_pairs")),
    "excluded_characters": ("orgnews_fts_excluded_characters", _part_expression("excluded_characters")),
    "characters": ("orgnews_fts_characters", fts_characters_expression),
}


def matches(query: str | None, title: str | None, body: str | None) -> int:
    result = parsed(query or "")
    if isinstance(result, QueryError):
        return 0
    return int(result.exact or result.matches(title, body))


def snippet(title: str | None, body: str | None, query: str | None) -> str:
    result = parsed(query or "")
    return make_snippet(title, body, [] if isinstance(result, QueryError) else result.terms)


# trylast: Datasette registers its own escape_fts in this hook; ours must come after it to win.
@hookimpl(trylast=True)
def prepare_connection(conn):
    for name, function in PART_FUNCTIONS.values():
        conn.create_function(name, 1, function, deterministic=True)
        conn.create_function(name, 2, function, deterministic=True)
    conn.create_function("escape_fts", 1, fts_characters_expression, deterministic=True)
    conn.create_function("orgnews_matches", 3, matches, deterministic=True)
    conn.create_function("orgnews_snippet", 3, snippet, deterministic=True)
    conn.create_function("orgnews_query_error", 1, query_error, deterministic=True)


def matching_sql(param: str, field: str = "all", columns: str = "rowid", *, scored: bool = False) -> str:
    """``index_match_sql`` spelled with this plugin's functions, for the query in ``:param``."""
    arguments = f":{param}, '{field}'"
    expressions = {part: f"{name}({arguments})" for part, (name, _) in PART_FUNCTIONS.items()}
    return index_match_sql(expressions, columns, scored=scored)


def search_filter(field: str, param: str) -> str:
    """WHERE clause over ``articles`` for the query in ``:param`` searching ``field``: index, then exact check."""
    title = "title" if field in ("all", "title") else "null"
    body = "body" if field in ("all", "body") else "null"
    return f"id in ({matching_sql(param, field)}) and orgnews_matches(:{param}, {title}, {body})"


def search_arguments(args: dict[str, str]) -> FilterArguments:
    """The filter for the search arguments of a request to the articles table (see the module doc)."""
    clauses: list[str] = []
    params: dict[str, str] = {}
    descriptions: list[str] = []
    refused: list[str] = []  # the descriptions of search arguments that cannot be used
    # Told on the page like a bad query rather than raised: an error page would lose the form.
    # A JSON client gets the same sentences as its error (see filters_from_request).
    for argument in sorted(k for k in args if k.startswith("_search_") and k not in SEARCH_ARGUMENTS):
        clauses.append("0")
        descriptions.append(
            f"{argument} cannot be used: search with _search (title and body), _search_title or _search_body"
        )
        refused.append(descriptions[-1])
    searching = any((args.get(argument) or "").strip() for argument in SEARCH_ARGUMENTS)
    if searching and args.get("_searchmode") == "raw":
        # Raw FTS5 syntax would run over the split index and match other text than the user typed.
        descriptions.append(
            "_searchmode=raw is not available here: the query is read as orgnews search syntax"
        )
    for argument, field in SEARCH_ARGUMENTS.items():
        query = args.get(argument, "")
        # The page's form always sends the box, empty or not: an empty box filters nothing out.
        if not query.strip():
            continue
        where = "" if field == "all" else f" in the {field}"
        result = parsed(query, field)
        if isinstance(result, QueryError):
            clauses.append("0")
            descriptions.append(f'search "{query}"{where} cannot be used ({result})')
            refused.append(descriptions[-1])
            continue
        param = f"orgnews_search_{field}"
        clauses.append(search_filter(field, param))
        params[param] = query
        descriptions.append(f'search matches "{query}"{where}')
    context = {"supports_search": True, "search": args.get("_search", ""), "search_refused": refused}
    return FilterArguments(clauses, params, descriptions, context)


# trylast: Datasette's own search filter (run before) says the table has no search; ours says it has.
@hookimpl(trylast=True)
def filters_from_request(request, database, table, datasette):
    # Only the table whose metadata asks for it (archive.browse does) is searched this way:
    # the plugin is installed for every Datasette in the environment.
    config = datasette.plugin_config(PLUGIN, database=database, table=table) or {}
    if not config.get("exact_search"):
        return None
    arguments = search_arguments(
        {key: request.args.get(key) for key in request.args if key.startswith("_search")}
    )
    if arguments.extra_context["search_refused"] and wants_json(request):
        # A JSON client has no page to read the reason on: the answer is the error.
        raise BadRequest("; ".join(arguments.extra_context["search_refused"]))
    if not arguments.params:
        return arguments
    return _searched_once(datasette.get_database(database), arguments)


# Past this many matches the search stays a SQL filter (run again by the count and each facet)
# rather than a list of ids passed to every query of the page.
LISTED_MATCHES = 100_000


async def _searched_once(db, arguments: FilterArguments) -> FilterArguments:
    """The filter with each search run once, as the list of its matching ids: the row count and
    every facet of the page then read that list instead of running the search again each."""
    for param, query in list(arguments.params.items()):
        field = param.removeprefix("orgnews_search_")
        ids = await db.execute_fn(lambda conn, q=query, f=field: matching_ids(conn, q, f, LISTED_MATCHES))
        if ids is None:
            continue
        clause = search_filter(field, param)
        arguments.where_clauses[arguments.where_clauses.index(clause)] = (
            f"id in (select value from json_each(:{param}_ids))"
        )
        arguments.params[f"{param}_ids"] = json.dumps(ids)
    return arguments


_HIDE_COLUMNS_CSS = "".join(
    f".col-{name}{{display:none}}" for name in ("content_hash", "fetch_id", "next_pages")
)


@hookimpl
def extra_css_urls(view_name, table):
    # Helper columns stay in the data (JSON/CSV exports) but not in the article table page.
    if view_name == "table" and table == "articles":
        return ["data:text/css," + urllib.parse.quote(_HIDE_COLUMNS_CSS)]
    return []
