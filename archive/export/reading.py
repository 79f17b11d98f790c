"""Reading a release out of the archive: one read-only snapshot, the chosen articles, and each table's rows.

Every reader runs on the same connection inside one read transaction, so a release is a
consistent picture of the archive even while a crawl writes to it. The articles of the
release are chosen once into ``temp.release_articles`` (and their sites into
``temp.release_sites``); every table joins with them. Rows come out in a fixed order and
in their release form: times in ISO 8601 with their zone, lists and objects decoded.
"""

from __future__ import annotations

import json
import sqlite3
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.bookkeeping import RUN_STAT_KEYS
from archive.errors import ArchiveError, check_archive_file
from archive.reading import check_sites

UNDATED = "undated"
# A batch is the rows of one part that are converted and written together (one Parquet row group):
# this many rows at most, fewer when their text reaches BATCH_BYTES, so memory stays flat whatever
# the articles' length. Both depend on the data only, so the same archive gives the same batches.
BATCH_ROWS = 20_000
BATCH_BYTES = 24_000_000
# Parts read side by side (see article_rows): one compressing thread each.
PARTS_AT_ONCE = 2
FETCH_ROWS = 500
_BEIJING_FORMAT = "%Y-%m-%dT%H:%M:%S+08:00"
_MONTH = "[0-9][0-9][0-9][0-9]-[0-9][0-9]"


def beijing_sql(column: str) -> str:
    """SQL for ``published_at`` as stored -> ISO 8601 in +08:00 (SQLite's date functions, no Python per row).

    A bare month (a magazine issue) is its first day and a bare day its midnight, Beijing time; a time
    without a zone is Beijing time (as the extractor writes it); one with a zone is converted; text that
    is not a date gives NULL."""
    return (
        f"CASE WHEN {column} GLOB '{_MONTH}' THEN strftime('{_BEIJING_FORMAT}', {column} || '-01') "
        f"WHEN {column} GLOB '*[+-][0-9][0-9]:[0-9][0-9]' OR {column} GLOB '*Z' "
        f"THEN strftime('{_BEIJING_FORMAT}', {column}, '+8 hours') "
        f"ELSE strftime('{_BEIJING_FORMAT}', {column}) END"
    )


def utc_sql(column: str) -> str:
    """SQL for a crawl time as stored (ISO 8601, UTC when it names no zone) -> ISO 8601 with +00:00."""
    return f"strftime('%Y-%m-%dT%H:%M:%S+00:00', {column})"


def precision(stored: str | None, converted: str | None) -> str | None:
    """How much of its publication time a page printed: month, day or time (None when undated)."""
    if converted is None or stored is None:
        return None
    if len(stored) == 7:
        return "month"
    return "day" if len(stored) <= 10 else "time"


def utc_time(text: str | None) -> str | None:
    """A crawl time as stored (ISO 8601, UTC) -> ISO 8601 with +00:00, or None."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _json(text: str | None, empty: Any) -> Any:
    return json.loads(text) if text else empty


def _lists(column: list[str | None]) -> list[list]:
    """A column of stored JSON lists, decoded (most are empty, which needs no parsing)."""
    return [[] if not text or text == "[]" else json.loads(text) for text in column]


def _booleans(column: list[Any]) -> list[bool | None]:
    return [None if value is None else bool(value) for value in column]


@dataclass(frozen=True)
class Batch:
    """Rows of one part of a table (``articles-2021``), column by column in the table's field order."""

    part: str
    columns: list[list[Any]]

    def __len__(self) -> int:
        return len(self.columns[0])

    def rows(self) -> Iterator[tuple]:
        return zip(*self.columns, strict=True)


def batches(
    cursor: sqlite3.Cursor,
    part: str,
    convert: Callable[[list[list[Any]]], list[list[Any]]] | None = None,
    size_column: int | None = None,
) -> Iterator[Batch]:
    """The cursor's rows as batches of columns; ``size_column`` holds the long text (as bytes) that
    bounds a batch's size."""
    while chunk := cursor.fetchmany(FETCH_ROWS):
        rows: list[tuple] = []
        size = 0
        while chunk:
            rows.extend(chunk)
            if size_column is not None:
                size += sum(len(row[size_column] or b"") for row in chunk)
            if len(rows) >= BATCH_ROWS or size >= BATCH_BYTES:
                break
            chunk = cursor.fetchmany(FETCH_ROWS)
        columns = [list(column) for column in zip(*rows, strict=True)]
        yield Batch(part, convert(columns) if convert else columns)


@dataclass(frozen=True)
class Selection:
    """Which articles go into a release (all by default)."""

    sites: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    query: str | None = None
    collapse_reposts: bool = False


def open_snapshot(db_path: Path, notice: Callable[[str], None] | None = None) -> sqlite3.Connection:
    """A read-only connection to the archive, inside a read transaction that lasts until it closes.

    An archive whose directory cannot be written (read-only media) is read as immutable, which
    ``notice`` is told once: SQLite cannot open its write-ahead log there."""
    from archive.indexing import rebuild_backlog
    from archive.schema import SCHEMA_VERSION, schema_version
    from archive.store import IMMUTABLE, Archive, connect_read_only, read_only_note

    check_archive_file(db_path)
    conn, option = connect_read_only(db_path)
    try:
        version = schema_version(conn)
        if version < SCHEMA_VERSION or (version == SCHEMA_VERSION and rebuild_backlog(conn) is not None):
            # Older archives, and one whose upgrade was interrupted, are brought up to date by
            # opening them for writing once.
            conn.close()
            Archive.open(db_path).close()
            conn, option = connect_read_only(db_path)
        elif version > SCHEMA_VERSION:
            raise ArchiveError(
                f"this archive has schema version {version}, newer than this orgnews understands "
                f"({SCHEMA_VERSION}): upgrade orgnews to export it"
            )
        conn.execute("PRAGMA temp_store = FILE")
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here
        if option == IMMUTABLE and notice is not None:
            notice(read_only_note(db_path, option))
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ArchiveError(f"cannot read the archive {db_path}: {exc}") from exc
    except BaseException:
        conn.close()
        raise
    return conn


def choose_articles(conn: sqlite3.Connection, selection: Selection) -> int:
    """Fill ``temp.release_articles`` and ``temp.release_sites``; returns how many articles were chosen."""
    from archive.searching import Filters, Searcher

    check_sites(conn, selection.sites)
    filters = Filters(site=selection.sites, since=selection.since, until=selection.until)
    # The year beside each id lets the articles be read one year (one part) after the other.
    conn.execute("CREATE TEMP TABLE release_articles (id INTEGER PRIMARY KEY, year INTEGER)")
    if selection.query:
        searcher = Searcher(conn, selection.query, filters=filters)
        chosen = list(searcher.matching_values("a.id"))
        conn.executemany("INSERT INTO temp.release_articles (id) VALUES (?)", chosen)
        conn.execute(
            "UPDATE temp.release_articles SET year = (SELECT a.year FROM articles a WHERE a.id = release_articles.id)"
        )
    else:
        where, params = filters.sql()
        conn.execute(
            f"INSERT INTO temp.release_articles SELECT a.id, a.year FROM articles a WHERE {where}", params
        )
    if selection.collapse_reposts:
        # One article per story: its first archived copy among the chosen ones.
        conn.execute(
            "DELETE FROM temp.release_articles WHERE id NOT IN (SELECT min(a.id) FROM temp.release_articles r "
            "JOIN articles a ON a.id = r.id GROUP BY coalesce(a.story_id, a.id))"
        )
    conn.execute("CREATE INDEX temp.release_articles_year ON release_articles (year, id)")
    conn.execute("CREATE TEMP TABLE release_members (story INTEGER, id INTEGER, site TEXT, published TEXT)")
    conn.execute("CREATE TEMP TABLE release_sites (name TEXT PRIMARY KEY)")
    if selection.sites:
        conn.executemany(
            "INSERT INTO temp.release_sites VALUES (?)", ((s,) for s in sorted(set(selection.sites)))
        )
    else:
        conn.execute(
            "INSERT INTO temp.release_sites SELECT name FROM sites UNION "
            "SELECT DISTINCT a.site FROM temp.release_articles r JOIN articles a ON a.id = r.id "
            "WHERE a.site IS NOT NULL"
        )
    return conn.execute("SELECT count(*) FROM temp.release_articles").fetchone()[0]


def newest_run_time(conn: sqlite3.Connection) -> str | None:
    """When the newest run of the release's sites ended (or started); None when none is recorded."""
    row = conn.execute(
        "SELECT max(coalesce(finished_at, started_at)) FROM runs WHERE site IN (SELECT name FROM temp.release_sites)"
    ).fetchone()
    return utc_time(row[0])


def newest_capture_time(conn: sqlite3.Connection) -> str | None:
    """When an article of the release was last seen, as ``article_rows`` gives it. In the archive
    last_seen lies after the body, so this reads every article: the export takes it from its
    articles pass instead, unless the release's folder is to be named by it."""
    row = conn.execute(
        f"SELECT max({utc_sql('a.last_seen')}) FROM temp.release_articles r JOIN articles a ON a.id = r.id"
    ).fetchone()
    return row[0]


_TEXT_COLUMNS = ("[column]", "title", "subtitle", "source", "published_at", "author", "editor", "body")
_LIST_COLUMNS = ("images", "attachments")


def _text_select(alias: str) -> str:
    """The text columns (see resources._TEXT_FIELDS): published_at converted, then the stored value;
    the body as bytes (a ``text`` field)."""
    names = [f"{alias}.{name}" for name in _TEXT_COLUMNS]
    names[4] = f"{beijing_sql(alias + '.published_at')}, {alias}.published_at"
    # The body as its UTF-8 bytes: Parquet stores them as they are, sparing a decode and an encode.
    names[7] = f"CAST({alias}.body AS BLOB)"
    return ", ".join([*names, *(f"{alias}.{name}" for name in _LIST_COLUMNS)])


def _text_values(columns: list[list]) -> list[list]:
    """The columns of ``_text_select`` in release form: the stored published_at becomes the time's
    precision (and whether its time of day is known), lists are decoded."""
    column, title, subtitle, source, published, stored, author, editor, body, images, attachments = columns
    precisions = list(map(precision, stored, published))
    time_known = [None if p is None else p == "time" for p in precisions]
    return [
        column,
        title,
        subtitle,
        source,
        published,
        time_known,
        precisions,
        author,
        editor,
        body,
        _lists(images),
        _lists(attachments),
    ]


def _part(year: int | None, name: str) -> str:
    return f"{name}-{year}" if year is not None else f"{name}-{UNDATED}"


_ARTICLE_SELECT = (
    f"SELECT a.id, a.url, a.canonical_url, a.site, {_text_select('a')}, a.year, a.next_pages, a.warnings, "
    f"coalesce(a.story_id, a.id), a.content_hash, {utc_sql('a.first_seen')}, {utc_sql('a.last_seen')} "
    "FROM temp.release_articles r JOIN articles a ON a.id = r.id WHERE r.year IS ? ORDER BY r.id"
)


def _article_values(columns: list[list]) -> list[list]:
    return [
        *columns[:4],
        *_text_values(columns[4:15]),
        columns[15],
        _lists(columns[16]),
        _lists(columns[17]),
        *columns[18:],
    ]


# Where story, id, site and published_at are in an article batch (see resources.ARTICLES).
_MEMBER_COLUMNS = (19, 0, 3, 8)


def article_rows(conn: sqlite3.Connection) -> Iterator[Batch]:
    """The articles by year of publication (undated last), by id within a year.

    Two years are read at a time, their batches in turn, so that the writers can compress two
    parts at once (each part's batches still come in order). Each article's story, site and
    publication time are noted in ``temp.release_members`` on the way, for ``story_rows`` and
    ``site_rows``: in the archive the story id lies after the body, and reading it again would
    read every body again."""
    years = [
        year for (year,) in conn.execute("SELECT DISTINCT year FROM temp.release_articles ORDER BY year")
    ]
    waiting = deque([*(y for y in years if y is not None), *(y for y in years if y is None)])
    reading: deque[Iterator[Batch]] = deque()
    while waiting or reading:
        while waiting and len(reading) < PARTS_AT_ONCE:
            year = waiting.popleft()
            cursor = conn.execute(_ARTICLE_SELECT, (year,))
            reading.append(batches(cursor, _part(year, "articles"), _article_values, size_column=12))
        part = reading.popleft()
        batch = next(part, None)
        if batch is None:
            continue
        reading.append(part)
        members = zip(*(batch.columns[index] for index in _MEMBER_COLUMNS), strict=True)
        conn.executemany("INSERT INTO temp.release_members VALUES (?, ?, ?, ?)", members)
        yield batch


def version_rows(conn: sqlite3.Connection) -> Iterator[Batch]:
    cursor = conn.execute(
        "SELECT v.article_id, row_number() OVER (PARTITION BY v.article_id ORDER BY v.id), "
        f"{_text_select('v')}, v.content_hash, {utc_sql('v.first_seen')}, {utc_sql('v.last_seen')}, "
        f"{utc_sql('v.replaced_at')} "
        "FROM article_versions v JOIN temp.release_articles r ON r.id = v.article_id ORDER BY v.article_id, v.id"
    )
    yield from batches(
        cursor, "versions", lambda c: [*c[:2], *_text_values(c[2:13]), *c[13:]], size_column=10
    )


def story_rows(conn: sqlite3.Connection) -> Iterator[Batch]:
    """One row per story; its earliest article is the first published (undated last, ties: lowest id).
    Read from what ``article_rows`` noted, so after the articles."""
    cursor = conn.execute(
        "SELECT story, count(*), json_group_array(DISTINCT site) FILTER (WHERE site IS NOT NULL), "
        "min(published), max(published), "
        "CAST(substr(min(iif(published IS NULL, '1', '0' || published) || printf('%020d', id)), -20) AS INTEGER) "
        "FROM temp.release_members GROUP BY story ORDER BY story"
    )

    def sorted_sites(columns: list[list]) -> list[list]:
        columns[2] = [sorted(sites) if len(sites) > 1 else sites for sites in _lists(columns[2])]
        return columns

    yield from batches(cursor, "stories", sorted_sites)


def site_rows(conn: sqlite3.Connection) -> Iterator[Batch]:
    """One row per site of the release; read from what ``article_rows`` noted, so after the articles."""
    cursor = conn.execute(
        "SELECT s.name, t.title, t.hosts, count(m.id), min(m.published), max(m.published) "
        "FROM temp.release_sites s LEFT JOIN sites t ON t.name = s.name "
        "LEFT JOIN temp.release_members m ON m.site = s.name GROUP BY s.name ORDER BY s.name"
    )
    yield from batches(cursor, "sites", lambda c: [*c[:2], _lists(c[2]), *c[3:]])


def run_rows(conn: sqlite3.Connection) -> Iterator[Batch]:
    cursor = conn.execute(
        f"SELECT id, site, {utc_sql('started_at')}, {utc_sql('finished_at')}, status, "
        f"json_extract(options, '$.replay'), {', '.join(RUN_STAT_KEYS)}, field_coverage, alerts "
        "FROM runs WHERE site IN (SELECT name FROM temp.release_sites) ORDER BY id"
    )

    def release_form(columns: list[list]) -> list[list]:
        shares = [_json(text, {}) for text in columns[12]]
        return [
            *columns[:5],
            [bool(value) for value in columns[5]],
            *columns[6:12],
            shares,
            _lists(columns[13]),
        ]

    yield from batches(cursor, "runs", release_form)


def notice_rows(conn: sqlite3.Connection) -> Iterator[Batch]:
    """One row per appointment notice of the release's articles."""
    cursor = conn.execute(
        "SELECT n.article_id, n.position, n.title, n.issuer, n.window_start, n.window_end, n.window_computed, "
        "n.window_text, n.phone, n.address, n.postcode, n.announced, n.parsed, n.attachment_only, "
        "n.attachments, n.warnings FROM appointment_notices n JOIN temp.release_articles r ON r.id = n.article_id "
        "ORDER BY n.article_id, n.position"
    )

    def release_form(c: list[list]) -> list[list]:
        return [*c[:6], _booleans(c[6]), *c[7:13], _booleans(c[13]), _lists(c[14]), _lists(c[15])]

    yield from batches(cursor, "notices", release_form)


def appointment_rows(conn: sqlite3.Connection) -> Iterator[Batch]:
    """One row per person of an appointment notice, with the notice's fields repeated on it."""
    cursor = conn.execute(
        "SELECT n.article_id, n.position, n.issuer, n.window_start, n.window_end, n.phone, n.address, "
        "p.position, p.name, p.sex, p.ethnicity, p.birth, p.age, p.native_place, p.education, p.degree, "
        "p.party, p.party_joined, p.work_started, p.current_post, p.proposals, p.step, p.probation, "
        "p.person_id, p.link_note, p.warnings "
        "FROM appointment_persons p JOIN appointment_notices n ON n.id = p.notice_id "
        "JOIN temp.release_articles r ON r.id = n.article_id "
        "ORDER BY n.article_id, n.position, p.position, p.id"
    )

    def release_form(c: list[list]) -> list[list]:
        posts = [[item["post"] for item in _lists([text])[0] if item.get("post")] for text in c[20]]
        return [*c[:20], posts, c[21], _booleans(c[22]), c[23], c[24], _lists(c[25])]

    yield from batches(cursor, "appointments", release_form)


def article_states(conn: sqlite3.Connection) -> Iterator[tuple[int, str | None, str, str]]:
    """(id, site, url, content_hash) of the release's articles, by id: what a changelog compares."""
    yield from conn.execute(
        "SELECT a.id, a.site, a.url, a.content_hash FROM temp.release_articles r JOIN articles a ON a.id = r.id ORDER BY r.id"
    )


def latest_coverage(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Per site of the release, the field coverage of its latest finished run that stored articles."""
    cursor = conn.execute(
        "SELECT site, id, finished_at, articles_new + articles_updated, field_coverage FROM runs WHERE id IN "
        "(SELECT max(id) FROM runs WHERE finished_at IS NOT NULL AND articles_new + articles_updated > 0 "
        "AND site IN (SELECT name FROM temp.release_sites) GROUP BY site) ORDER BY site"
    )
    return [
        {
            "site": site,
            "run": run_id,
            "finished_at": utc_time(finished),
            "articles": stored,
            "coverage": _json(shares, {}),
        }
        for site, run_id, finished, stored, shares in cursor
    ]


def run_summary(conn: sqlite3.Connection) -> dict[str, Any]:
    """How many runs of the release's sites there were, how many crawled the replay, first start, last end."""
    count, first, last, options = 0, None, None, []
    for started, finished, text in conn.execute(
        "SELECT started_at, coalesce(finished_at, started_at), options FROM runs "
        "WHERE site IN (SELECT name FROM temp.release_sites) ORDER BY id"
    ):
        count += 1
        first = started if first is None or started < first else first
        last = finished if last is None or finished > last else last
        options.append(_json(text, {}))
    replay = sum(1 for option in options if option.get("replay"))
    return {"count": count, "replay": replay, "first": utc_time(first) or "", "last": utc_time(last) or ""}


def capture_rows(conn: sqlite3.Connection) -> list[tuple[str, str, int, int, str | None, str | None]]:
    """(url, WARC file, offset, length, fetched at in UTC, title) of the fetch that stored each release
    article, in fetch order; articles without a recorded capture (imported ones) are left out."""
    return [
        (url, warc_file, offset, length, utc_time(fetched_at), title)
        for url, warc_file, offset, length, fetched_at, title in conn.execute(
            "SELECT f.url, f.warc_file, f.warc_offset, f.warc_length, f.fetched_at, a.title "
            "FROM temp.release_articles r JOIN articles a ON a.id = r.id JOIN fetches f ON f.id = a.fetch_id "
            "WHERE f.warc_file IS NOT NULL ORDER BY f.id"
        )
    ]
