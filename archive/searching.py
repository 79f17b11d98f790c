"""Exact Chinese full-text search over the archive, with filters, ranking and snippets.

``search()`` is the one entry point: the CLI, the demo and the tests call it.
Relevance is FTS5 BM25 with title hits weighted ten times body hits; ``rank`` in
a hit is that score with the sign turned (higher is better). Date order does not
rank at all: the matches of a rare query are collected and sorted, while a common
query reads articles newest first and keeps those whose text contains it, so the
first page comes back quickly either way.

A query reads the pair index for the articles up to ``pairs_through`` and the
character index for the later ones, in one statement; its terms of one character,
or with punctuation, are read from the character index beside the pairs, and a
query of such terms alone from the character index for every article (see
``archive.indexing``). While a bulk load's pairs are still being added, the two
halves are scored by BM25 over different terms, so their scores are comparable only
roughly; the set of hits is exact either way.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.charsplit import fold
from archive.errors import ArchiveError, QueryError, check_archive_file
from archive.indexing import positional_match_sql
from archive.query import parse_query
from archive.schema import FACET_INDEX, LIST_FIELDS, TEXT_FIELDS
from archive.store import Archive
from crawler.extract.article import Article
from crawler.extract.dates import BadDate, date_span

# Date order: the first SAMPLE_MATCHES index matches estimate how common a query is; at
# WALK_SHARE of the archive or more, reading articles newest first finds a page of hits sooner
# than collecting and sorting every match.
SAMPLE_MATCHES = 2000
WALK_SHARE = 0.005
# Counting by facet and month: from this share of the archive on, one pass over the whole narrow
# index costs less than reading the matches' rows.
COUNT_SCAN_SHARE = 0.15
SNIPPET_CONTEXT = 40
MARK_START, MARK_END = "<mark>", "</mark>"
_COLUMNS = ", ".join(f"a.[{name}]" for name in ("id", "url", *TEXT_FIELDS, *LIST_FIELDS, "story_id"))


@dataclass
class Hit(Article):
    """One search result: the Article fields plus id, story_id, rank and snippet."""

    id: int = 0
    story_id: int | None = None
    rank: float | None = None  # BM25 relevance, higher is better; None in date order
    snippet: str = ""


@dataclass(frozen=True)
class Filters:
    site: Sequence[str] = ()
    source: Sequence[str] = ()
    column: Sequence[str] = ()
    author: str | None = None
    editor: str | None = None
    since: str | None = None
    until: str | None = None

    def sql(self) -> tuple[str, list[Any]]:
        """A WHERE fragment over ``a`` (the articles table) and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        for name, values in (("site", self.site), ("source", self.source), ("[column]", self.column)):
            if values:
                clauses.append(f"a.{name} IN ({','.join('?' * len(values))})")
                params.extend(values)
        for name, value in (("author", self.author), ("editor", self.editor)):
            if value:
                # Bylines often name several people; a name matches anywhere in them.
                clauses.append(f"instr(a.{name}, ?) > 0")
                params.append(value)
        since = _date_bound(self.since, "since") if self.since else None
        until = _date_bound(self.until, "until") if self.until else None
        if since and until and since > until:
            # Nothing could be published in between: say so rather than answer no article.
            raise QueryError(dates_reversed("--since", self.since, "--until", self.until))
        if since:
            clauses.append("substr(a.published_at, 1, 10) >= ?")
            params.append(since)
        if until:
            clauses.append("substr(a.published_at, 1, 10) <= ?")
            params.append(until)
        return (" AND ".join(clauses) or "1"), params


def dates_reversed(since_label: str, since: str, until_label: str, until: str) -> str:
    """The sentence refusing a date range whose start is after its end."""
    return f"{since_label} {since} is after {until_label} {until}: no article lies between; swap them"


def _date_bound(value: str, which: str) -> str:
    try:
        first, last = date_span(value)
    except BadDate as exc:
        raise QueryError(f"--{which} {exc}") from None
    return (first if which == "since" else last).isoformat()


def _as_list(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _searched_texts(row: sqlite3.Row | dict, field_name: str) -> list[str | None]:
    if field_name == "title":
        return [row["title"]]
    if field_name == "body":
        return [row["body"]]
    return [row["title"], row["body"]]


class Searcher:
    """Runs one query against an open archive connection."""

    def __init__(
        self, conn: sqlite3.Connection, query: str, *, field_name: str = "all", filters: Filters
    ) -> None:
        self.conn = conn
        self.query = parse_query(query, field_name)
        self.field_name = field_name
        # The index matches of the query, by id and by id with score, and their parameters.
        expressions = self.query.index_expressions
        present = frozenset(part for part, expression in expressions.items() if expression is not None)
        self.matching, parts = positional_match_sql("rowid AS id", present=present)
        self.match = [expressions[part] for part in parts]
        self.ranked, parts = positional_match_sql("rowid AS id", scored=True, present=present)
        self.ranked_match = [expressions[part] for part in parts]
        self.filters = filters
        self.where, self.params = filters.sql()

    def _execute(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
        cursor = self.conn.cursor()
        cursor.row_factory = sqlite3.Row
        try:
            return cursor.execute(sql, params)
        except sqlite3.OperationalError as exc:
            # The expression is ours, so this means an unusable archive rather than bad user syntax.
            raise ArchiveError(f"the search failed on this archive: {exc}") from exc

    def _keep(self, row: sqlite3.Row) -> bool:
        return self.query.exact or self.query.matches(*_searched_texts(row, self.field_name))

    def count(self) -> int:
        if self.query.exact and self.where == "1":
            return self._execute(f"SELECT count(*) FROM ({self.matching})", self.match).fetchone()[0]
        if self.query.exact:
            sql = f"SELECT count(*) FROM articles a WHERE a.id IN ({self.matching}) AND {self.where}"
            return self._execute(sql, [*self.match, *self.params]).fetchone()[0]
        sql = f"SELECT a.title, a.body FROM articles a WHERE a.id IN ({self.matching}) AND {self.where}"
        return sum(1 for row in self._execute(sql, [*self.match, *self.params]) if self._keep(row))

    def counted_by(self, columns: Sequence[str]) -> Iterator[tuple]:
        """``columns`` (SQL over ``a``, the articles table: ``FACET_INDEX``'s first ones, in its order)
        of the matching articles, each distinct combination followed by how many matches have it."""
        listed = ", ".join(columns)
        if not (self.query.exact and self._share() >= COUNT_SCAN_SHARE):
            # A rare query is counted from its few rows (as is one the index only narrows down).
            yield from ((*values, 1) for values in self.matching_values(listed))
            return
        # A query in a good share of the archive is counted in one pass over the narrow index, in
        # its order: no article row (its text) read, nothing sorted.
        sql = (
            f"SELECT {listed}, count(*) FROM articles a INDEXED BY {FACET_INDEX} "
            f"WHERE a.id IN ({self.matching}) AND {self.where} GROUP BY {listed}"
        )
        yield from map(tuple, self._execute(sql, [*self.match, *self.params]))

    def _sample(self) -> list[int]:
        """The ids of the first ``SAMPLE_MATCHES`` index matches (the index yields them in id order)."""
        sql = f"SELECT id FROM ({self.matching}) LIMIT {SAMPLE_MATCHES}"
        return [row[0] for row in self._execute(sql, self.match)]

    def _share(self) -> float:
        """About what share of the archive the query matches: the id of the last of a full sample
        tells, else the sample is every match."""
        sample = self._sample()
        if len(sample) == SAMPLE_MATCHES:
            return SAMPLE_MATCHES / sample[-1]
        last = self._execute("SELECT max(id) FROM articles", ()).fetchone()[0]
        return len(sample) / last if last else 0.0

    def matching_values(self, columns: str) -> Iterator[tuple]:
        """``columns`` (SQL over ``a``, the articles table) of every matching article, in no order."""
        if self.query.exact:
            sql = f"SELECT {columns} FROM articles a WHERE a.id IN ({self.matching}) AND {self.where}"
            yield from map(tuple, self._execute(sql, [*self.match, *self.params]))
            return
        sql = f"SELECT a.title, a.body, {columns} FROM articles a WHERE a.id IN ({self.matching}) AND {self.where}"
        for row in self._execute(sql, [*self.match, *self.params]):
            if self._keep(row):
                yield tuple(row)[2:]

    def ids(self, at_most: int) -> list[int] | None:
        """The ids of the matching articles, ignoring the filters; None when there are more than
        ``at_most`` (for a caller that then searches in SQL rather than hold them all)."""
        if self.query.exact:
            sql = f"SELECT id FROM ({self.matching}) LIMIT ?"
            found = [row[0] for row in self._execute(sql, [*self.match, at_most + 1])]
        else:
            sql = f"SELECT a.id, a.title, a.body FROM articles a WHERE a.id IN ({self.matching})"
            kept = (row["id"] for row in self._execute(sql, self.match) if self._keep(row))
            found = list(itertools.islice(kept, at_most + 1))
        return None if len(found) > at_most else found

    def rows(self, order: str, limit: int = 0) -> Iterator[sqlite3.Row]:
        """Matching article rows in the requested order, with a ``score`` column."""
        if order == "rank":
            yield from self._ranked(limit)
        elif order == "date":
            yield from self._by_date()
        else:
            raise QueryError(f"unknown order {order!r}: use rank or date")

    def fetch(self, article_id: int, score: float | None) -> sqlite3.Row | None:
        """The row of an index match with ``score``; None when its text does not hold the query
        (one the index only narrows down)."""
        sql = f"SELECT {_COLUMNS}, ? AS score FROM articles a WHERE a.id = ?"
        row = self._execute(sql, [score, article_id]).fetchone()
        return row if row is not None and self._keep(row) else None

    def ordered(self, order: str, limit: int = 0) -> list[tuple[int, float | None]]:
        """(id, score) of the index matches in ``order``, read from the index and narrow columns only;
        for a query that is not exact, candidates whose text ``fetch`` then turns away."""
        match = self.match
        if order == "rank":
            match = self.ranked_match
            # Sort (id, score) pairs only; the article rows are read for the hits actually shown.
            if self.where == "1":
                sql = f"SELECT id, score FROM ({self.ranked}) ORDER BY score DESC, id"
            else:
                sql = (
                    f"SELECT m.id, m.score FROM ({self.ranked}) m JOIN articles a ON a.id = m.id "
                    f"WHERE {self.where} ORDER BY m.score DESC, m.id"
                )
        elif order == "date":
            sql = (
                f"SELECT a.id, NULL FROM articles a WHERE a.id IN ({self.matching}) "
                f"AND {self.where} ORDER BY a.published_at DESC, a.id DESC"
            )
        else:
            raise QueryError(f"unknown order {order!r}: use rank or date")
        if limit and self.query.exact:
            sql += f" LIMIT {int(limit)}"
        return [tuple(row) for row in self._execute(sql, [*match, *self.params]).fetchall()]

    def _ranked(self, limit: int) -> Iterator[sqlite3.Row]:
        for article_id, score in self.ordered("rank", limit):
            row = self.fetch(article_id, score)
            if row is not None:
                yield row

    def _by_date(self) -> Iterator[sqlite3.Row]:
        sample = self._sample()
        # The index yields matches in id order, so the id of the N-th match tells how common the query is.
        common = len(sample) == SAMPLE_MATCHES and SAMPLE_MATCHES / sample[-1] >= WALK_SHARE
        if common:
            # Read articles newest first and keep the matching ones: a few hundred rows for the first page.
            sql = f"SELECT {_COLUMNS}, NULL AS score FROM articles a WHERE {self.where} ORDER BY a.published_at DESC, a.id DESC"
            for row in self._execute(sql, self.params):
                if self.query.matches(*_searched_texts(row, self.field_name)):
                    yield row
            return
        for article_id, _ in self.ordered("date"):
            row = self.fetch(article_id, None)
            if row is not None:
                yield row

    def hit(self, row: sqlite3.Row) -> Hit:
        data = {key: row[key] for key in row.keys() if key != "score"}
        for name in LIST_FIELDS:
            data[name] = json.loads(data[name] or "[]")
        return Hit(
            **data, rank=row["score"], snippet=make_snippet(row["title"], row["body"], self.query.terms)
        )


def _needles(terms: Sequence[str]) -> list[str]:
    return sorted({fold(t) for t in terms if t}, key=len, reverse=True)


def mark_terms(text: str, query: str) -> str:
    """``text`` with every occurrence of the terms of ``query`` marked (``MARK_START``/``MARK_END``);
    ``text`` as it is when the query cannot be read."""
    try:
        terms = parse_query(query).terms
    except QueryError:
        return text
    return _mark(text, _needles(terms))


def make_snippet(title: str | None, body: str | None, terms: Sequence[str]) -> str:
    """A window of the body around the first match, every match marked; the title when the body has none."""
    needles = _needles(terms)
    body = body or ""
    folded = fold(body)
    positions = [p for p in (folded.find(n) for n in needles) if p >= 0]
    if not positions:
        text, start, end = (title or ""), 0, len(title or "")
        if not any(n in fold(text) for n in needles):
            text, end = body, min(len(body), 2 * SNIPPET_CONTEXT)
    else:
        first = min(positions)
        text, start, end = body, max(0, first - SNIPPET_CONTEXT), min(len(body), first + 2 * SNIPPET_CONTEXT)
    window = text[start:end]
    marked = _mark(window, needles)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + marked.replace("\n", " ") + suffix


def _mark(text: str, needles: Sequence[str]) -> str:
    folded = fold(text)
    covered = [False] * len(text)
    for needle in needles:
        position = folded.find(needle)
        while position >= 0 and needle:
            for i in range(position, position + len(needle)):
                covered[i] = True
            position = folded.find(needle, position + 1)
    parts: list[str] = []
    inside = False
    for char, marked in zip(text, covered, strict=True):
        if marked and not inside:
            parts.append(MARK_START)
        elif not marked and inside:
            parts.append(MARK_END)
        inside = marked
        parts.append(char)
    if inside:
        parts.append(MARK_END)
    return "".join(parts)


def run_search(
    arc: Archive,
    query: str,
    *,
    collapse_reposts: bool = False,
    limit: int = 20,
    order: str = "rank",
    field: str = "all",
    **filters: Any,
) -> list[Hit]:
    """Search ``arc``: ``order`` "rank" or "date", ``limit`` 0 for all, ``field`` all/title/body,
    filters site, source, column (a value or a list), author, editor (contained in the byline),
    since, until (YYYY, YYYY-MM or YYYY-MM-DD, inclusive)."""
    if limit < 0:
        raise QueryError(f"limit {limit} is negative: use 0 for no limit or a positive number")
    searcher = Searcher(arc.conn, query, field_name=field, filters=_filters(**filters))
    hits: list[Hit] = []
    seen_stories: set[int] = set()
    for row in searcher.rows(order, 0 if collapse_reposts else limit):
        if collapse_reposts:
            story = row["story_id"] or row["id"]
            if story in seen_stories:
                continue
            seen_stories.add(story)
        hits.append(searcher.hit(row))
        if limit and len(hits) >= limit:
            break
    return hits


FACETS = ("site", "source", "column", "year")


@dataclass
class Summary:
    """How the matches of a query spread: their number, per facet value and per month (``YYYY-MM``;
    None for undated articles)."""

    count: int
    facets: dict[str, Counter]
    months: Counter


def summarize(conn: sqlite3.Connection, query: str, *, field: str = "all", **filters: Any) -> Summary:
    """Count the matches of ``query`` (as ``count_matches``) by facet and by month, in one pass."""
    searcher = Searcher(conn, query, field_name=field, filters=_filters(**filters))
    facets: dict[str, Counter] = {name: Counter() for name in FACETS}
    months: Counter = Counter()
    count = 0
    columns = [f"a.[{name}]" for name in FACETS] + ["substr(a.published_at, 1, 7)"]
    for *values, month, matches in searcher.counted_by(columns):
        count += matches
        for name, value in zip(FACETS, values, strict=True):
            facets[name][value] += matches
        months[month] += matches
    return Summary(count, facets, months)


def hits_page(
    conn: sqlite3.Connection,
    query: str,
    *,
    order: str = "rank",
    offset: int = 0,
    size: int = 20,
    field: str = "all",
    **filters: Any,
) -> list[Hit]:
    """Hits ``offset`` to ``offset + size`` of ``query`` in ``order``, as ``run_search`` gives them."""
    searcher = Searcher(conn, query, field_name=field, filters=_filters(**filters))
    rows = itertools.islice(searcher.rows(order, offset + size), offset, offset + size)
    return [searcher.hit(row) for row in rows]


def ordered_matches(
    conn: sqlite3.Connection, query: str, *, order: str = "rank", field: str = "all", **filters: Any
) -> list[tuple[int, float | None]]:
    """(id, rank) of every match of ``query`` in ``order``, without reading any article's text: for
    a caller that then reads the hits a batch at a time (``hits_of``). A query that is not exact
    gives candidates too, which ``hits_of`` leaves out."""
    return Searcher(conn, query, field_name=field, filters=_filters(**filters)).ordered(order)


def hits_of(
    conn: sqlite3.Connection, query: str, matches: Sequence[tuple[int, float | None]], *, field: str = "all"
) -> list[Hit]:
    """The hits of ``matches`` (from ``ordered_matches``) in their order, as ``run_search`` gives them."""
    searcher = Searcher(conn, query, field_name=field, filters=_filters())
    rows = (searcher.fetch(article_id, score) for article_id, score in matches)
    return [searcher.hit(row) for row in rows if row is not None]


def matching_ids(
    conn: sqlite3.Connection, query: str, field: str = "all", at_most: int = 100_000
) -> list[int] | None:
    """The ids of every article matching ``query`` in ``field`` (as ``run_search`` finds them), or
    None when there are more than ``at_most``."""
    return Searcher(conn, query, field_name=field, filters=_filters()).ids(at_most)


def count_matches(arc: Archive, query: str, *, field: str = "all", **filters: Any) -> int:
    """How many articles match ``query`` under the same filters as ``run_search``."""
    return Searcher(arc.conn, query, field_name=field, filters=_filters(**filters)).count()


def _filters(
    site: str | Sequence[str] | None = None,
    source: str | Sequence[str] | None = None,
    column: str | Sequence[str] | None = None,
    author: str | None = None,
    editor: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Filters:
    return Filters(_as_list(site), _as_list(source), _as_list(column), author, editor, since, until)


def _existing(db_path: str | Path) -> Path:
    path = Path(db_path)
    check_archive_file(path)
    return path


def open_existing_for_writing(db_path: str | Path) -> Archive:
    """The archive at ``db_path`` for a command that writes to it (``ReadOnlyArchive`` where it cannot)."""
    return Archive.open(_existing(db_path))


def open_existing(db_path: str | Path, notice: Callable[[str], None] | None = None) -> Archive:
    """The archive at ``db_path`` for reading (read-only where it cannot be written, said to ``notice``)."""
    return Archive.open_for_reading(_existing(db_path), notice)


def search(db_path: str | Path, query: str, **options: Any) -> list[Hit]:
    """Search the archive at ``db_path``; options as ``run_search``."""
    with open_existing(db_path) as arc:
        return run_search(arc, query, **options)


def appointments(db_path: str | Path, **filters: Any) -> list[dict[str, Any]]:
    """Persons of the appointment notices in the archive at ``db_path``; filters as
    ``archive.careers.find_appointments`` (name, post, issuer, since, limit)."""
    with open_existing(db_path) as arc:
        return arc.appointments(**filters)


def person(db_path: str | Path, person_id: int) -> dict[str, Any] | None:
    """A person followed across the notices of the archive at ``db_path``, with their steps in order."""
    with open_existing(db_path) as arc:
        return arc.person(person_id)
