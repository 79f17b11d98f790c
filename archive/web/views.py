"""Views of the researcher's pages (see ``archive.web``): request in, template or data out.

The reading and counting is done by ``archive.searching`` and ``archive.reading`` on Datasette's
read-only connection, in its thread pool (``Database.execute_fn``); nothing here writes SQL.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path
from typing import Any

import lxml.html
from datasette import Response
from datasette.utils.asgi import AsgiStream, NotFound
from lxml import etree
from markupsafe import Markup

from archive import reading
from archive.captures import (
    LeftOut,
    addresses,
    charset_of,
    css_urls,
    offline,
    offline_css,
    read_capture,
    safe_document,
    serialized,
)
from archive.careers import find_people, person_timeline
from archive.charts import build_timeline, sparkline, timeline_csv, timeline_svg
from archive.errors import ArchiveError, QueryError
from archive.query import FIELDS
from archive.searching import (
    FACETS,
    MARK_END,
    MARK_START,
    Summary,
    dates_reversed,
    hits_of,
    hits_page,
    mark_terms,
    ordered_matches,
    summarize,
)
from archive.textdiff import changed_share, diff_texts, folded, paragraphs
from crawler.extract.dates import BadDate, date_span

PLUGIN = "orgnews"
PAGE_SIZE = 20
# The largest page a client can ask for with ?size= (the JSON and CSV without page or size give
# every hit, read and sent a batch at a time).
MAX_PAGE_SIZE = 1000
# A page number past any archive's last page: a larger one would make an offset too large to read.
MAX_PAGE = 1_000_000_000
EXPORT_BATCH = 500
PEOPLE_PAGE_SIZE = 50
FACET_VALUES = 12
# The empty search page's examples: each shows a piece of the syntax and finds articles in the demo.
EXAMPLE_QUERIES = ("组织部", "三会一课", "年轻干部", '"驻村第一书记" OR 选调生', "干部 NOT 退休")


def is_archive(datasette: Any, database: str | None) -> bool:
    """Whether ``database`` is an orgnews archive (its metadata turns the exact search on)."""
    if not database or database not in datasette.databases:
        return False
    return bool(
        (datasette.plugin_config(PLUGIN, database=database, table="articles") or {}).get("exact_search")
    )


def archive_name(datasette: Any) -> str | None:
    return next((name for name in datasette.databases if is_archive(datasette, name)), None)


def navigation(datasette: Any, database: str) -> list[tuple[str, str]]:
    """The links every page of the archive shows: (label, href)."""
    base = datasette.urls.database(database)
    return [
        ("Search", f"{base}/-/search"),
        ("People", f"{base}/-/people"),
        ("Crawl health", f"{base}/-/health"),
        ("Tables and SQL", base),
    ]


def _database(datasette: Any, request: Any) -> Any:
    name = request.url_vars["database"]
    if not is_archive(datasette, name):
        raise NotFound(f"no orgnews archive is served as {name!r}")
    return datasette.get_database(name)


async def _page(datasette: Any, request: Any, template: str, context: dict[str, Any], status: int = 200):
    database = request.url_vars["database"]
    context = {"database": database, "orgnews_nav": navigation(datasette, database), **context}
    html = await datasette.render_template(template, context, request=request, view_name=PLUGIN)
    return Response.html(html, status=status)


# -- search -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchForm:
    """The search page's request arguments, checked."""

    q: str = ""
    compare: str = ""
    field_name: str = "all"
    order: str = "rank"
    site: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    column: tuple[str, ...] = ()
    since: str = ""
    until: str = ""
    page: int = 1
    size: int = PAGE_SIZE
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args: Any) -> SearchForm:
        problems = []
        order = args.get("order") or "rank"
        if order not in ("rank", "date"):
            problems.append(
                f"order={order!r} is not an order: use rank (best matches first) or date (newest first)"
            )
            order = "rank"
        field_name = args.get("in") or "all"
        if field_name not in FIELDS:
            problems.append(f"in={field_name!r} is not a field to search: use all, title or body")
            field_name = "all"
        since, until = ((args.get(name) or "").strip() for name in ("since", "until"))
        # Named by the page's labels, not by orgnews search's --since and --until.
        spans = {}
        for label, value in (("from", since), ("to", until)):
            try:
                if value:
                    spans[label] = date_span(value)
            except BadDate as exc:
                problems.append(f"{label} {exc}")
        if len(spans) == 2 and spans["from"][0] > spans["to"][1]:
            problems.append(dates_reversed("from", since, "to", until))
        return cls(
            q=(args.get("q") or "").strip(),
            compare=(args.get("compare") or "").strip(),
            field_name=field_name,
            order=order,
            site=tuple(v for v in args.getlist("site") if v),
            source=tuple(v for v in args.getlist("source") if v),
            column=tuple(v for v in args.getlist("column") if v),
            since=since,
            until=until,
            page=min(_positive(args.get("page"), 1), MAX_PAGE),
            size=min(_positive(args.get("size"), PAGE_SIZE), MAX_PAGE_SIZE),
            problems=tuple(problems),
        )

    def filters(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "source": self.source,
            "column": self.column,
            "since": self.since or None,
            "until": self.until or None,
        }

    def query_string(self, **changes: Any) -> str:
        """The arguments of this form with ``changes``, defaults left out, for a link."""
        form = replace(self, **changes)
        pairs: list[tuple[str, Any]] = [("q", form.q), ("compare", form.compare)]
        pairs += [
            ("in", form.field_name if form.field_name != "all" else ""),
            ("order", form.order if form.order != "rank" else ""),
        ]
        pairs += [(name, value) for name in ("site", "source", "column") for value in getattr(form, name)]
        pairs += [("since", form.since), ("until", form.until)]
        pairs += [
            ("page", form.page if form.page > 1 else ""),
            ("size", form.size if form.size != PAGE_SIZE else ""),
        ]
        return urllib.parse.urlencode([(k, v) for k, v in pairs if v not in ("", None)])


def _positive(value: str | None, default: int) -> int:
    try:
        number = int(value or default)
    except ValueError:
        return default
    return number if number > 0 else default


def snippet_html(snippet: str) -> Markup:
    """The snippet escaped, with its match marks kept as ``<mark>`` elements."""
    escaped = escape(snippet, quote=False)
    return Markup(escaped.replace(escape(MARK_START), "<mark>").replace(escape(MARK_END), "</mark>"))


def run_search(conn: Any, form: SearchForm) -> dict[str, Any]:
    """Everything the search page shows for ``form``: count, hits, facets, timeline, or the error."""
    result: dict[str, Any] = {"error": None, "count": None, "hits": [], "facets": {}, "timeline": None}
    result["site_titles"] = reading.site_titles(conn)
    if form.problems:
        result["error"] = "; ".join(form.problems)
        return result
    if not form.q:
        result["newest"] = reading.newest_articles(conn)
        result["holdings"] = reading.holdings(conn)
        return result
    options = {"field": form.field_name, **form.filters()}
    try:
        # A site the archive lacks would find nothing and say nothing: name it, as orgnews search does.
        reading.check_sites(conn, form.site)
        summary = summarize(conn, form.q, **options)
        compared = _compared(conn, form, options)
        hits = hits_page(
            conn, form.q, order=form.order, offset=(form.page - 1) * form.size, size=form.size, **options
        )
    except QueryError as exc:
        result["error"] = str(exc)
        return result
    series = [(form.q, summary.months)] + ([(form.compare, compared.months)] if compared else [])
    result.update(
        count=summary.count,
        compare_count=compared.count if compared else None,
        hits=_with_reposts(conn, hits),
        facets=_facets(summary),
        timeline=build_timeline(series),
    )
    return result


def _with_reposts(conn: Any, hits: list[Any]) -> list[dict[str, Any]]:
    """The hits as dicts, each with the number of other copies of its story."""
    sizes = reading.story_sizes(conn, [hit.story_id for hit in hits])
    return [{**hit.to_dict(), "reposts": sizes.get(hit.story_id, 1) - 1} for hit in hits]


def _compared(conn: Any, form: SearchForm, options: dict[str, Any]) -> Summary | None:
    if not form.compare:
        return None
    try:
        return summarize(conn, form.compare, **options)
    except QueryError as exc:
        raise QueryError(f"the comparison query: {exc}") from exc


def _facets(summary: Summary) -> dict[str, list[tuple[Any, int]]]:
    return {
        name: sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))[:FACET_VALUES]
        for name, counts in summary.facets.items()
    }


def facet_links(
    form: SearchForm, facets: dict[str, list[tuple[Any, int]]], base: str, site_titles: dict[str, str]
) -> list[dict[str, Any]]:
    """Per facet: its values with label (a site by its title), count, whether chosen, and the link
    that chooses or drops it."""
    groups = []
    for name in FACETS:
        items = []
        for value, count in facets.get(name, []):
            if value is None or value == "":
                items.append({"label": "(none)", "value": "", "count": count, "href": None, "chosen": False})
                continue
            if name == "year":
                chosen = form.since == form.until == str(value)
                change = {"since": "", "until": ""} if chosen else {"since": str(value), "until": str(value)}
            else:
                values = getattr(form, name)
                chosen = value in values
                change = {name: tuple(v for v in values if v != value) if chosen else (*values, value)}
            href = f"{base}?{form.query_string(page=1, **change)}"
            label = site_titles.get(value, value) if name == "site" else value
            items.append(
                {"label": str(label), "value": str(value), "count": count, "href": href, "chosen": chosen}
            )
        groups.append({"name": name, "items": items})
    return groups


def chosen_filters(form: SearchForm, base: str, site_titles: dict[str, str]) -> list[dict[str, str]]:
    """The filters in force, each with the link that removes it."""
    chosen = []
    for name in ("site", "source", "column"):
        for value in getattr(form, name):
            rest = tuple(v for v in getattr(form, name) if v != value)
            label = site_titles.get(value, value) if name == "site" else value
            chosen.append(
                {"label": f"{name}: {label}", "href": f"{base}?{form.query_string(page=1, **{name: rest})}"}
            )
    # The dates by the labels of the page's fields.
    for name, label in (("since", "from"), ("until", "to")):
        if getattr(form, name):
            chosen.append(
                {
                    "label": f"{label} {getattr(form, name)}",
                    "href": f"{base}?{form.query_string(page=1, **{name: ''})}",
                }
            )
    return chosen


async def search_view(datasette: Any, request: Any) -> Response | AsgiStream:
    db = _database(datasette, request)
    fmt = request.url_vars.get("format") or ""
    form = SearchForm.from_args(request.args)
    if fmt and not any(name in request.args for name in ("page", "size")):
        return await _every_hit(db, form, fmt)
    result = await db.execute_fn(lambda conn: run_search(conn, form))
    status = 400 if result["error"] else 200
    if fmt == ".json":
        return Response.json(_search_json(form, result), status=status)
    if fmt == ".csv":
        if result["error"]:
            return Response.text(result["error"] + "\n", status=400)
        return Response(_hits_csv(result["hits"]), content_type="text/csv; charset=utf-8")
    base = f"{datasette.urls.database(db.name)}/-/search"
    return await _page(
        datasette,
        request,
        "orgnews_search.html",
        _search_context(datasette, db.name, form, result, base),
        status,
    )


async def _every_hit(db: Any, form: SearchForm, fmt: str) -> Response | AsgiStream:
    """Every hit of the search as JSON or CSV, read and sent ``EXPORT_BATCH`` at a time: the order
    of all matches is found first (ids only), then the hits' text a batch after another."""
    summarized = replace(form, size=0)  # the count, facets and timeline, no page of hits
    result = await db.execute_fn(lambda conn: run_search(conn, summarized))
    if result["error"]:
        if fmt == ".json":
            return Response.json(_search_json(form, result), status=400)
        return Response.text(result["error"] + "\n", status=400)
    options = {"field": form.field_name, **form.filters()}
    matches = (
        await db.execute_fn(lambda conn: ordered_matches(conn, form.q, order=form.order, **options))
        if form.q
        else []
    )

    async def batches():
        for start in range(0, len(matches), EXPORT_BATCH):
            batch = matches[start : start + EXPORT_BATCH]
            yield await db.execute_fn(
                lambda conn, b=batch: _with_reposts(conn, hits_of(conn, form.q, b, field=form.field_name))
            )

    if fmt == ".csv":

        async def write_csv(writer: Any) -> None:
            await writer.write(_hits_csv([]))
            async for hits in batches():
                await writer.write(_hits_csv(hits, header=False))

        return AsgiStream(write_csv, content_type="text/csv; charset=utf-8")

    head = json.dumps({**_search_json(form, result), "hits": None}, ensure_ascii=False)
    before, after = head.rsplit('"hits": null', 1)

    async def write_json(writer: Any) -> None:
        await writer.write(before + '"hits": [')
        first = True
        async for hits in batches():
            for hit in hits:
                await writer.write(("" if first else ", ") + json.dumps(hit, ensure_ascii=False))
                first = False
        await writer.write("]" + after)

    return AsgiStream(write_json, content_type="application/json; charset=utf-8")


def _search_context(
    datasette: Any, database: str, form: SearchForm, result: dict[str, Any], base: str
) -> dict[str, Any]:
    timeline = result["timeline"]
    count = result["count"] or 0
    unbounded = f"{base}?{form.query_string(page=1, since='', until='')}"
    first = (form.page - 1) * form.size + 1
    for hit in result["hits"]:
        hit["snippet_html"] = snippet_html(hit["snippet"])
        hit["title_html"] = snippet_html(mark_terms(hit["title"] or "", form.q))
    for hit in result["hits"]:
        hit["href"] = (
            datasette.urls.row(database, "articles", str(hit["id"]))
            + "?"
            + urllib.parse.urlencode({"q": form.q})
        )
    for article in result.get("newest", []):
        article["href"] = datasette.urls.row(database, "articles", str(article["id"]))
    return {
        "form": form,
        "result": result,
        "shown": (first, first + len(result["hits"]) - 1),
        "pages": -(-count // form.size),
        "facets": facet_links(form, result["facets"], base, result["site_titles"]),
        "chosen": chosen_filters(form, base, result["site_titles"]),
        "site_titles": result["site_titles"],
        # One period's link: this search narrowed to it (the rest of the arguments built once).
        "timeline_svg": Markup(
            timeline_svg(timeline, lambda p, rest=unbounded: f"{rest}&since={p}&until={p}")
        )
        if timeline
        else "",
        "base": base,
        "examples": [(q, f"{base}?{urllib.parse.urlencode({'q': q})}") for q in EXAMPLE_QUERIES],
        # Without page or size the JSON and CSV give every hit.
        "export": form.query_string(page=1, size=PAGE_SIZE),
        "fields": FIELDS,
    }


def _search_json(form: SearchForm, result: dict[str, Any]) -> dict[str, Any]:
    timeline = result["timeline"]
    return {
        "query": form.q,
        "compare": form.compare or None,
        "in": form.field_name,
        "order": form.order,
        "filters": {k: v for k, v in form.filters().items() if v},
        "error": result["error"],
        "count": result["count"],
        "offset": (form.page - 1) * form.size,
        "facets": {
            name: [{"value": v, "count": n} for v, n in items] for name, items in result["facets"].items()
        },
        "timeline": _timeline_json(timeline) if timeline else None,
        "hits": result["hits"],
    }


def _timeline_json(timeline: Any) -> dict[str, Any]:
    return {
        "unit": timeline.unit,
        "periods": timeline.periods,
        "series": [{"query": name, "counts": counts} for name, counts in timeline.series],
        "undated": timeline.undated,
    }


HIT_CSV_COLUMNS = (
    "id",
    "published_at",
    "site",
    "source",
    "column",
    "title",
    "author",
    "editor",
    "reposts",
    "url",
    "snippet",
)


def _hits_csv(hits: list[dict[str, Any]], header: bool = True) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(HIT_CSV_COLUMNS)
    writer.writerows([hit.get(name) for name in HIT_CSV_COLUMNS] for hit in hits)
    return out.getvalue()


async def timeline_csv_view(datasette: Any, request: Any) -> Response:
    db = _database(datasette, request)
    form = SearchForm.from_args(request.args)
    result = await db.execute_fn(lambda conn: run_search(conn, replace(form, size=0)))
    if result["error"] or result["timeline"] is None:
        return Response.text((result["error"] or "give a query: ?q=...") + "\n", status=400)
    return Response(timeline_csv(result["timeline"]), content_type="text/csv; charset=utf-8")


# -- article ------------------------------------------------------------------------------------


def article_context(datasette: Any, database: str, request: Any):
    """The ``orgnews_article`` template variable of an article's row page (a coroutine for Datasette)."""

    async def context() -> dict[str, Any]:
        try:
            article_id = int(request.url_vars.get("pks", ""))
        except ValueError:
            return {}
        found = await datasette.get_database(database).execute_fn(
            lambda conn: reading.article(conn, article_id)
        )
        if found is None:
            return {}
        article = _article_view(found)
        # Come from a search (?q=), the article shows that search's words marked.
        query = (request.args.get("q") or "").strip()
        if query:
            article["paragraphs"] = [snippet_html(mark_terms(p, query)) for p in article["paragraphs"]]
            article["title_html"] = snippet_html(mark_terms(article["title"] or "", query))
            article["query"] = query
        return {"orgnews_article": article, "orgnews_nav": navigation(datasette, database)}

    return context


def _article_view(article: dict[str, Any]) -> dict[str, Any]:
    newer_body, newer_title = article["body"], article["title"]
    for version in article["versions"]:
        diff = diff_texts(version["body"], newer_body)
        version["changed_share"] = changed_share(diff)
        version["diff"] = folded(diff)
        version["title_changed"] = (version["title"] or "") != (newer_title or "")
        version["newer_title"] = newer_title
        newer_body, newer_title = version["body"], version["title"]
    article["paragraphs"] = paragraphs(article["body"])
    earliest = article["copies"][0]["id"] if article["copies"] else article["id"]
    article["first_copy"] = earliest
    return article


# -- a person's career --------------------------------------------------------------------------

# What the notices say of a person besides the name, sex and birth month that link them: (label, field).
PERSON_FACTS = (
    ("Ethnicity", "ethnicity"),
    ("Native place", "native_place"),
    ("Education", "education"),
    ("Degree", "degree"),
    ("Party", "party"),
    ("Joined the party", "party_joined"),
    ("Started work", "work_started"),
)


def person_href(datasette: Any, database: str, person_id: int) -> str:
    """The address of the career page of ``person_id``."""
    return f"{datasette.urls.database(database)}/-/person/{person_id}"


async def person_view(datasette: Any, request: Any) -> Response:
    db = _database(datasette, request)
    fmt = request.url_vars.get("format") or ""
    raw_id = request.url_vars["person_id"]
    found = None
    if raw_id.isdigit() and len(raw_id) < 19:  # past 18 digits no SQLite integer: no such person
        found = await db.execute_fn(lambda conn: person_timeline(conn, int(raw_id)))
    if found is None:
        # The sentence of orgnews person ID, with where the ids are on these pages.
        message = f"no person with id {raw_id}: see the person_id column of orgnews appointments"
        if fmt == ".json":
            return Response.json({"error": message}, status=404)
        return await _page(
            datasette, request, "orgnews_person.html", {"person": None, "missing": raw_id}, status=404
        )
    if fmt == ".json":
        return Response.json(found)
    return await _page(datasette, request, "orgnews_person.html", {"person": _career_view(found)})


def _career_view(person: dict[str, Any]) -> dict[str, Any]:
    """The person of ``person_timeline`` with what its page shows besides: the facts the notices
    give (the latest notice's, with what earlier ones said when they differ) and their date span."""
    steps = person["steps"]
    facts = []
    for label, name in PERSON_FACTS:
        values = list(dict.fromkeys(step[name] for step in reversed(steps) if step[name]))
        if values:
            facts.append({"label": label, "value": values[0], "earlier": values[1:]})
    days = [step["published_at"][:10] for step in steps if step["published_at"]]
    return {
        **person,
        "facts": facts,
        "first": days[0] if days else None,
        "last": days[-1] if days else None,
        "reposts": sum(len(step["reposted_at"]) for step in steps),
    }


# -- people -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeopleForm:
    """The people page's request arguments: a part of the name, the page and its size."""

    name: str = ""
    page: int = 1
    size: int = PEOPLE_PAGE_SIZE

    @classmethod
    def from_args(cls, args: Any) -> PeopleForm:
        return cls(
            name=(args.get("name") or "").strip(),
            page=min(_positive(args.get("page"), 1), MAX_PAGE),
            size=min(_positive(args.get("size"), PEOPLE_PAGE_SIZE), MAX_PAGE_SIZE),
        )

    def query_string(self, **changes: Any) -> str:
        """The arguments of this form with ``changes``, defaults left out, for a link."""
        form = replace(self, **changes)
        pairs = [
            ("name", form.name),
            ("page", form.page if form.page > 1 else ""),
            ("size", form.size if form.size != PEOPLE_PAGE_SIZE else ""),
        ]
        return urllib.parse.urlencode([(k, v) for k, v in pairs if v != ""])


async def people_view(datasette: Any, request: Any) -> Response:
    db = _database(datasette, request)
    form = PeopleForm.from_args(request.args)
    offset = (form.page - 1) * form.size
    found = await db.execute_fn(
        lambda conn: find_people(conn, name=form.name, offset=offset, limit=form.size)
    )
    if request.url_vars.get("format") == ".json":
        return Response.json({"name": form.name or None, "offset": offset, **found})
    for person in found["people"]:
        person["href"] = person_href(datasette, db.name, person["id"])
    first = offset + 1
    context = {
        "form": form,
        "count": found["count"],
        "people": found["people"],
        "shown": (first, first + len(found["people"]) - 1),
        "pages": -(-found["count"] // form.size),
        "base": f"{datasette.urls.database(db.name)}/-/people",
    }
    return await _page(datasette, request, "orgnews_people.html", context)


# -- capture ------------------------------------------------------------------------------------


# Belt and braces: nothing of a captured page may run or load from elsewhere, even what the
# cleaning and the rewriting missed; the archive's own captures ('self') may load.
CAPTURE_POLICY = (
    "default-src 'none'; script-src 'none'; object-src 'none'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; font-src 'self' data:; media-src 'self'; frame-src 'self'; "
    "form-action 'none'; base-uri 'none'"
)
# Captured responses served as what they are (an image or a stylesheet a captured page shows);
# anything else that is not HTML is shown as text.
SERVED_AS_IS = ("image/",)


async def capture_view(datasette: Any, request: Any) -> Response:
    db = _database(datasette, request)
    raw_id = request.url_vars["fetch_id"]
    location = None
    if len(raw_id) < 19:  # past 18 digits no SQLite integer: no such fetch
        location = await db.execute_fn(lambda conn: reading.capture_location(conn, int(raw_id)))
    if location is None:
        raise NotFound(f"no capture kept for fetch {raw_id}")
    warc_dir = Path(db.path).parent / "warc"
    try:
        capture = read_capture(
            warc_dir, location["warc_file"], location["warc_offset"], location["warc_length"]
        )
    except ArchiveError as exc:
        return Response.text(f"{exc}\n", status=404)
    charset = charset_of(capture.content_type)
    headers = {
        "Content-Security-Policy": CAPTURE_POLICY,
        "X-Orgnews-Captured-Url": urllib.parse.quote(capture.url, safe=":/?&=%#"),
    }
    content_type = capture.content_type.split(";")[0].strip().lower()
    base = datasette.urls.database(db.name)
    if content_type.startswith(SERVED_AS_IS):
        return Response(capture.body, headers=headers, content_type=content_type)
    if content_type == "text/css":
        css = capture.body.decode(charset or "utf-8", "replace")
        captured = await _captured(db, base, css_urls(css, capture.url))
        css, _ = offline_css(css, capture.url, captured)
        return Response(css, headers=headers, content_type="text/css; charset=utf-8")
    if "html" not in content_type and capture.body.lstrip()[:1] != b"<":
        text = capture.body.decode(charset or "utf-8", "replace")
        return Response(text, headers=headers, content_type="text/plain; charset=utf-8")
    if not capture.body.strip():
        return Response.html(_capture_banner(location, base, LeftOut()), headers=headers)
    document = safe_document(capture.body, charset)
    captured = await _captured(db, base, addresses(document, capture.url))
    left_out = offline(document, capture.url, captured)
    body = document.find("body")
    if body is None:
        body = etree.SubElement(document, "body")
    body.insert(0, lxml.html.fragment_fromstring(_capture_banner(location, base, left_out)))
    return Response(serialized(document), headers=headers, content_type="text/html; charset=utf-8")


async def _captured(db: Any, base: str, urls: set[str]) -> dict[str, str]:
    """Of ``urls``, those the archive holds: url -> the address of its capture here."""
    found = await db.execute_fn(lambda conn: reading.captured_addresses(conn, urls))
    return {url: f"{base}/-/capture/{fetch_id}" for url, fetch_id in found.items()}


def _capture_banner(location: dict[str, Any], base: str, left_out: LeftOut) -> str:
    """The strip above a captured page: what it is, where and when it was captured, what is missing."""
    fetched = (location["fetched_at"] or "")[:16].replace("T", " ")
    parts = [
        f'Captured by orgnews from <a href="{escape(location["url"])}">{escape(location["url"])}</a>'
        f" on {escape(fetched)} UTC (HTTP {location['status']}); scripts removed",
    ]
    if missing := left_out.sentence():
        parts.append(f'<span class="left-out">not in the archive, so not shown: {escape(missing)}</span>')
    if location.get("article_id"):
        parts.append(
            f'<a href="{escape(base)}/articles/{location["article_id"]}">the article in the archive</a>'
        )
    parts.append(f'<a href="{escape(base)}/-/search">search the archive</a>')
    return (
        '<div id="orgnews-capture-banner" style="font:13px/1.5 sans-serif;background:#fff7d6;color:#222;'
        'border-bottom:1px solid #d9c36a;padding:6px 12px">' + " · ".join(parts) + "</div>"
    )


# -- crawl health -------------------------------------------------------------------------------


async def health_view(datasette: Any, request: Any) -> Response:
    db = _database(datasette, request)
    sites = await db.execute_fn(reading.crawl_health)
    if request.url_vars.get("format") == ".json":
        return Response.json({"sites": sites})
    for site in sites:
        site["charts"] = _coverage_charts(site)
    alerts = [alert for site in sites for alert in site["alerts"]]
    return await _page(datasette, request, "orgnews_health.html", {"sites": sites, "alerts": alerts})


def _coverage_charts(site: dict[str, Any]) -> list[dict[str, Any]]:
    names: list[str] = []
    for run in site["coverage"]:
        names += [name for name in run["field_coverage"] if name not in names]
    alerted = {name for name in names for alert in site["alerts"] if f": {name} found in" in alert}
    charts = []
    for name in names:
        values = [run["field_coverage"].get(name) for run in site["coverage"]]
        latest = next((v for v in reversed(values) if v is not None), None)
        charts.append(
            {
                "field": name,
                "latest": latest,
                "alert": name in alerted,
                "svg": Markup(sparkline(values, alert=name in alerted)),
            }
        )
    return charts


ROUTES = [
    (r"^/(?P<database>[^/]+)/-/search(?P<format>\.json|\.csv)?$", search_view),
    (r"^/(?P<database>[^/]+)/-/timeline\.csv$", timeline_csv_view),
    (r"^/(?P<database>[^/]+)/-/capture/(?P<fetch_id>\d+)$", capture_view),
    (r"^/(?P<database>[^/]+)/-/health(?P<format>\.json)?$", health_view),
    (r"^/(?P<database>[^/]+)/-/people(?P<format>\.json)?$", people_view),
    (r"^/(?P<database>[^/]+)/-/person/(?P<person_id>[^/]+?)(?P<format>\.json)?$", person_view),
]
