"""What the researcher's pages read: one article with its story, versions and capture; the crawl's health.

Every function takes an open connection (Datasette's read-only one, or an ``Archive``'s) and returns
plain dicts and lists, so the pages hold no SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from archive.errors import QueryError
from archive.schema import LIST_FIELDS

# Runs shown per site on the health page, and runs drawn in its coverage charts.
RECENT_RUNS = 8
COVERAGE_RUNS = 30


def _rows(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _with_lists(row: dict[str, Any]) -> dict[str, Any]:
    for name in LIST_FIELDS:
        if name in row:
            row[name] = json.loads(row[name] or "[]")
    return row


def article(conn: sqlite3.Connection, article_id: int) -> dict[str, Any] | None:
    """The article row (list fields decoded) with ``site_title``, ``copies``, ``versions`` and
    ``capture`` (the latest fetch of its page kept in a WARC file, or None); None when no such id."""
    found = _rows(
        conn,
        "SELECT a.*, s.title AS site_title FROM articles a LEFT JOIN sites s ON s.name = a.site WHERE a.id = ?",
        [article_id],
    )
    if not found:
        return None
    row = _with_lists(found[0])
    row["copies"] = story_copies(conn, row["story_id"] or row["id"])
    row["versions"] = versions(conn, article_id)
    row["capture"] = latest_capture(conn, row["url"])
    row["persons"] = notice_persons(conn, article_id)
    return row


def notice_persons(conn: sqlite3.Connection, article_id: int) -> list[dict[str, Any]]:
    """The persons of the appointment notices read from an article, in the notices' order, each with
    ``notices``: how many notices name the same person (``person_id``), reposts included (the
    person's career page folds a repost into its step)."""
    return _rows(
        conn,
        "SELECT p.name, p.sex, p.ethnicity, p.birth, p.age, p.education, p.current_post, p.step, "
        "p.proposed_post, p.person_id, p.link_note, "
        "(SELECT count(*) FROM appointment_persons o WHERE o.person_id = p.person_id) AS notices "
        "FROM appointment_persons p WHERE p.article_id = ? ORDER BY p.notice_id, p.position",
        [article_id],
    )


def story_copies(conn: sqlite3.Connection, story_id: int) -> list[dict[str, Any]]:
    """Every article of a story (reposts on other sites included), first published first."""
    return _rows(
        conn,
        "SELECT a.id, a.site, s.title AS site_title, a.title, a.source, a.published_at, a.first_seen, a.url "
        "FROM articles a LEFT JOIN sites s ON s.name = a.site WHERE a.story_id = ? "
        "ORDER BY coalesce(a.published_at, a.first_seen), a.id",
        [story_id],
    )


def versions(conn: sqlite3.Connection, article_id: int) -> list[dict[str, Any]]:
    """Earlier texts of an article, newest first, each with the capture it was read from (if kept)."""
    rows = _rows(
        conn,
        "SELECT v.id, v.title, v.subtitle, v.body, v.published_at, v.first_seen, v.last_seen, v.replaced_at, "
        "v.fetch_id, f.warc_file IS NOT NULL AS captured FROM article_versions v "
        "LEFT JOIN fetches f ON f.id = v.fetch_id WHERE v.article_id = ? ORDER BY v.id DESC",
        [article_id],
    )
    for row in rows:
        row["captured"] = bool(row["captured"])
    return rows


# Fetches whose response is kept in a WARC file, with where it sits.
_CAPTURES = (
    "SELECT id, url, status, fetched_at, warc_file, warc_offset, warc_length FROM fetches "
    "WHERE warc_file IS NOT NULL"
)


def latest_capture(conn: sqlite3.Connection, url: str) -> dict[str, Any] | None:
    """The latest fetch of ``url`` stored as an article with its response in a WARC file."""
    sql = f"{_CAPTURES} AND url = ? AND outcome = 'article' ORDER BY id DESC LIMIT 1"
    return next(iter(_rows(conn, sql, [url])), None)


def capture_location(conn: sqlite3.Connection, fetch_id: int) -> dict[str, Any] | None:
    """Fetch ``fetch_id`` if its response is kept: url, status, fetched_at, warc_file, warc_offset,
    warc_length, and ``article_id``, the article stored from that address (None when there is none)."""
    found = next(iter(_rows(conn, f"{_CAPTURES} AND id = ?", [fetch_id])), None)
    if found is not None:
        article = conn.execute("SELECT id FROM articles WHERE url = ?", [found["url"]]).fetchone()
        found["article_id"] = article[0] if article else None
    return found


def captured_addresses(conn: sqlite3.Connection, urls: Iterable[str]) -> dict[str, int]:
    """Of ``urls``, those whose response the archive keeps (HTTP 200, in a WARC file): url -> the
    latest such fetch's id."""
    wanted = sorted(set(urls))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        sql = f"SELECT url, max(id) FROM ({_CAPTURES} AND status = 200 AND url IN ({','.join('?' * len(chunk))})) GROUP BY url"
        found.update(conn.execute(sql, chunk).fetchall())
    return found


def newest_articles(conn: sqlite3.Connection, limit: int = 15) -> list[dict[str, Any]]:
    """The articles archived last (highest ids first): id, site, title, source, published_at."""
    sql = "SELECT id, site, title, source, published_at FROM articles ORDER BY id DESC LIMIT ?"
    return _rows(conn, sql, [limit])


def holdings(conn: sqlite3.Connection) -> dict[str, Any]:
    """What the archive holds: ``articles``, ``sites`` (with an article), the first and last
    ``published_at``, and when a crawl last finished (``last_crawl``)."""
    articles, sites = conn.execute("SELECT count(*), count(DISTINCT site) FROM articles").fetchone()
    first = conn.execute("SELECT min(published_at) FROM articles WHERE published_at IS NOT NULL").fetchone()[
        0
    ]
    last = conn.execute("SELECT max(published_at) FROM articles").fetchone()[0]
    crawled = conn.execute("SELECT max(finished_at) FROM runs").fetchone()[0]
    return {"articles": articles, "sites": sites, "first": first, "last": last, "last_crawl": crawled}


def site_titles(conn: sqlite3.Connection) -> dict[str, str]:
    """Each crawled site's name -> its title (共产党员网 for 12371), for pages that show sites to people."""
    return {name: title for name, title in conn.execute("SELECT name, title FROM sites") if title}


def known_sites(conn: sqlite3.Connection) -> set[str]:
    """The names of the sites the archive holds: crawled, or named by an article."""
    rows = conn.execute(
        "SELECT name FROM sites UNION SELECT DISTINCT site FROM articles WHERE site IS NOT NULL"
    )
    return {name for (name,) in rows}


def check_sites(conn: sqlite3.Connection, names: Iterable[str]) -> None:
    """Raise ``QueryError`` naming the first of ``names`` the archive holds no site of (a typo
    would otherwise find nothing, silently), with the sites it holds."""
    known = known_sites(conn)
    unknown = sorted(set(names) - known)
    if unknown:
        raise QueryError(
            f"unknown site {unknown[0]!r}: this archive holds {', '.join(sorted(known)) or 'none'}"
        )


def story_sizes(conn: sqlite3.Connection, story_ids: Iterable[int]) -> dict[int, int]:
    """How many articles each of ``story_ids`` has."""
    ids = sorted({story for story in story_ids if story is not None})
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    sql = f"SELECT story_id, count(*) FROM articles WHERE story_id IN ({marks}) GROUP BY story_id"
    return dict(conn.execute(sql, ids).fetchall())


def crawl_health(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Per site (every site with a run or an article): title, article total, newest article, its recent
    runs (newest first, ``RECENT_RUNS``) and the field coverage of its finished runs (oldest first)."""
    sites = _rows(
        conn,
        "SELECT n.name, s.title, s.hosts, (SELECT count(*) FROM articles WHERE site = n.name) AS articles, "
        "(SELECT max(published_at) FROM articles WHERE site = n.name) AS newest "
        "FROM (SELECT name FROM sites UNION SELECT site FROM runs UNION SELECT DISTINCT site FROM articles) n "
        "LEFT JOIN sites s ON s.name = n.name WHERE n.name IS NOT NULL ORDER BY n.name",
    )
    for site in sites:
        site["hosts"] = json.loads(site["hosts"] or "[]")
        runs = _rows(
            conn,
            "SELECT id, started_at, finished_at, status, pages_fetched, articles_new, articles_updated, "
            "articles_unchanged, articles_failed, fetches_blocked, "
            "json_extract(stats, '$.fetch_errors') AS fetch_errors, field_coverage, alerts "
            "FROM runs WHERE site = ? ORDER BY id DESC LIMIT ?",
            [site["name"], max(RECENT_RUNS, COVERAGE_RUNS)],
        )
        for run in runs:
            run["field_coverage"] = json.loads(run["field_coverage"] or "{}")
            run["alerts"] = json.loads(run["alerts"] or "[]")
        site["runs"] = runs[:RECENT_RUNS]
        site["coverage"] = [
            {"id": run["id"], "finished_at": run["finished_at"], "field_coverage": run["field_coverage"]}
            for run in reversed(runs[:COVERAGE_RUNS])
            if run["finished_at"] is not None and run["field_coverage"]
        ]
        site["alerts"] = [alert for run in runs[:1] for alert in run["alerts"]]
    return sites
