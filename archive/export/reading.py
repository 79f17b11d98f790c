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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from archive.bookkeeping import RUN_STAT_KEYS
from archive.errors import ArchiveError, QueryError

BEIJING = timezone(timedelta(hours=8))
UNDATED = "undated"


def beijing_time(text: str | None) -> tuple[str | None, bool | None]:
    """``published_at`` as stored -> (ISO 8601 in +08:00, whether the time of day is known).

    A bare day is midnight Beijing time; a time without a zone is Beijing time (as the
    extractor writes it); text that is not a date gives (None, None)."""
    if not text:
        return None, None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None, None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    day_only = len(text) <= 10
    return moment.astimezone(BEIJING).isoformat(timespec="seconds"), not day_only


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


@dataclass(frozen=True)
class Selection:
    """Which articles go into a release (all by default)."""

    sites: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    query: str | None = None
    collapse_reposts: bool = False


def open_snapshot(db_path: Path) -> sqlite3.Connection:
    """A read-only connection to the archive, inside a read transaction that lasts until it closes."""
    from archive.schema import SCHEMA_VERSION, schema_version

    if not db_path.is_file():
        raise ArchiveError(f"no archive at {db_path}: crawl something first (orgnews crawl or orgnews demo)")
    conn = sqlite3.connect(f"file:{quote(str(db_path))}?mode=ro", uri=True, isolation_level=None)
    try:
        version = schema_version(conn)
        if version < SCHEMA_VERSION:
            # Older archives are brought up to date by opening them for writing once.
            conn.close()
            from archive.store import Archive

            Archive.open(db_path).close()
            conn = sqlite3.connect(f"file:{quote(str(db_path))}?mode=ro", uri=True, isolation_level=None)
        elif version > SCHEMA_VERSION:
            raise ArchiveError(
                f"this archive has schema version {version}, newer than this orgnews understands "
                f"({SCHEMA_VERSION}): upgrade orgnews to export it"
            )
        conn.execute("PRAGMA temp_store = FILE")
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ArchiveError(f"cannot read the archive {db_path}: {exc}") from exc
    except BaseException:
        conn.close()
        raise
    return conn


def known_sites(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute(
        "SELECT name FROM sites UNION SELECT DISTINCT site FROM articles WHERE site IS NOT NULL"
    )
    return {name for (name,) in rows}


def choose_articles(conn: sqlite3.Connection, selection: Selection) -> int:
    """Fill ``temp.release_articles`` and ``temp.release_sites``; returns how many articles were chosen."""
    from archive.searching import Filters, Searcher

    unknown = sorted(set(selection.sites) - known_sites(conn))
    if unknown:
        raise QueryError(
            f"unknown site {unknown[0]!r}: this archive holds {', '.join(sorted(known_sites(conn))) or 'none'}"
        )
    filters = Filters(site=selection.sites, since=selection.since, until=selection.until)
    conn.execute("CREATE TEMP TABLE release_articles (id INTEGER PRIMARY KEY)")
    if selection.query:
        searcher = Searcher(conn, selection.query, filters=filters)
        chosen = list(searcher.matching_values("a.id"))
        conn.executemany("INSERT INTO temp.release_articles (id) VALUES (?)", chosen)
    else:
        where, params = filters.sql()
        conn.execute(f"INSERT INTO temp.release_articles SELECT a.id FROM articles a WHERE {where}", params)
    if selection.collapse_reposts:
        # One article per story: its first archived copy among the chosen ones.
        conn.execute(
            "DELETE FROM temp.release_articles WHERE id NOT IN (SELECT min(a.id) FROM temp.release_articles r "
            "JOIN articles a ON a.id = r.id GROUP BY coalesce(a.story_id, a.id))"
        )
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
    """When the newest run of the release's sites ended (or started), else the newest article capture."""
    row = conn.execute(
        "SELECT max(coalesce(finished_at, started_at)) FROM runs WHERE site IN (SELECT name FROM temp.release_sites)"
    ).fetchone()
    if row[0]:
        return utc_time(row[0])
    row = conn.execute(
        "SELECT max(a.last_seen) FROM temp.release_articles r JOIN articles a ON a.id = r.id"
    ).fetchone()
    return utc_time(row[0])


_TEXT_COLUMNS = "[column], title, subtitle, source, published_at, author, editor, body, images, attachments"


def _text_values(row: tuple) -> tuple:
    """The text columns of ``_TEXT_COLUMNS`` in release form (see resources._TEXT_FIELDS)."""
    column, title, subtitle, source, published_at, author, editor, body, images, attachments = row
    published, time_known = beijing_time(published_at)
    return (
        column,
        title,
        subtitle,
        source,
        published,
        time_known,
        author,
        editor,
        body,
        _json(images, []),
        _json(attachments, []),
    )


def _part(year: int | None, name: str) -> str:
    return f"{name}-{year}" if year is not None else f"{name}-{UNDATED}"


def article_rows(conn: sqlite3.Connection) -> Iterator[tuple[str, tuple]]:
    cursor = conn.execute(
        f"SELECT a.id, a.url, a.canonical_url, a.site, {_TEXT_COLUMNS}, a.year, a.next_pages, a.warnings, "
        "coalesce(a.story_id, a.id), a.content_hash, a.first_seen, a.last_seen "
        "FROM temp.release_articles r JOIN articles a ON a.id = r.id ORDER BY r.id"
    )
    for row in cursor:
        year = row[14]
        yield (
            _part(year, "articles"),
            (
                *row[:4],
                *_text_values(row[4:14]),
                year,
                _json(row[15], []),
                _json(row[16], []),
                row[17],
                row[18],
                utc_time(row[19]),
                utc_time(row[20]),
            ),
        )


def version_rows(conn: sqlite3.Connection) -> Iterator[tuple[str, tuple]]:
    cursor = conn.execute(
        "SELECT v.article_id, row_number() OVER (PARTITION BY v.article_id ORDER BY v.id), "
        f"{', '.join('v.' + name for name in _TEXT_COLUMNS.split(', '))}, "
        "v.content_hash, v.first_seen, v.last_seen, v.replaced_at "
        "FROM article_versions v JOIN temp.release_articles r ON r.id = v.article_id ORDER BY v.article_id, v.id"
    )
    for row in cursor:
        yield (
            "versions",
            (*row[:2], *_text_values(row[2:12]), row[12], *(utc_time(value) for value in row[13:16])),
        )


def story_rows(conn: sqlite3.Connection) -> Iterator[tuple[str, tuple]]:
    cursor = conn.execute(
        "SELECT coalesce(a.story_id, a.id) AS story, a.id, a.site, a.published_at "
        "FROM temp.release_articles r JOIN articles a ON a.id = r.id ORDER BY story, a.id"
    )
    current: int | None = None
    members: list[tuple[int, str | None, str | None]] = []
    for story, article_id, site, published_at in cursor:
        if story != current and members:
            yield "stories", _story(current, members)
            members = []
        current = story
        members.append((article_id, site, beijing_time(published_at)[0]))
    if members:
        yield "stories", _story(current, members)


def _story(story_id: int | None, members: list[tuple[int, str | None, str | None]]) -> tuple:
    dates = sorted(published for _, _, published in members if published)
    earliest = min(members, key=lambda m: (m[2] is None, m[2] or "", m[0]))
    return (
        story_id,
        len(members),
        sorted({site for _, site, _ in members if site}),
        dates[0] if dates else None,
        dates[-1] if dates else None,
        earliest[0],
    )


def site_rows(conn: sqlite3.Connection) -> Iterator[tuple[str, tuple]]:
    cursor = conn.execute(
        "SELECT s.name, t.title, t.hosts, count(a.id), min(a.published_at), max(a.published_at) "
        "FROM temp.release_sites s LEFT JOIN sites t ON t.name = s.name "
        "LEFT JOIN (SELECT a.id, a.site, a.published_at FROM temp.release_articles r "
        "JOIN articles a ON a.id = r.id) a ON a.site = s.name GROUP BY s.name ORDER BY s.name"
    )
    for name, title, hosts, count, first, last in cursor:
        yield "sites", (name, title, _json(hosts, []), count, beijing_time(first)[0], beijing_time(last)[0])


def run_rows(conn: sqlite3.Connection) -> Iterator[tuple[str, tuple]]:
    cursor = conn.execute(
        f"SELECT id, site, started_at, finished_at, status, options, {', '.join(RUN_STAT_KEYS)}, field_coverage, alerts "
        "FROM runs WHERE site IN (SELECT name FROM temp.release_sites) ORDER BY id"
    )
    for row in cursor:
        yield (
            "runs",
            (
                row[0],
                row[1],
                utc_time(row[2]),
                utc_time(row[3]),
                row[4],
                bool(_json(row[5], {}).get("replay")),
                *row[6:12],
                _json(row[12], {}),
                _json(row[13], []),
            ),
        )


def appointment_rows(conn: sqlite3.Connection) -> Iterator[tuple[str, tuple]]:
    """One row per person of an appointment notice, with the notice's fields repeated on it."""
    cursor = conn.execute(
        "SELECT n.article_id, n.position, n.issuer, n.window_start, n.window_end, n.phone, n.address, "
        "p.position, p.name, p.sex, p.ethnicity, p.birth, p.native_place, p.education, p.degree, p.party, "
        "p.work_started, p.current_post, p.proposals, p.step, p.person_id, p.warnings "
        "FROM appointment_persons p JOIN appointment_notices n ON n.id = p.notice_id "
        "JOIN temp.release_articles r ON r.id = n.article_id "
        "ORDER BY n.article_id, n.position, p.position, p.id"
    )
    for row in cursor:
        posts = [proposal["post"] for proposal in _json(row[18], []) if proposal.get("post")]
        yield "appointments", (*row[:18], posts, row[19], row[20], _json(row[21], []))


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
