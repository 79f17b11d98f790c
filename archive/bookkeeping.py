"""Crawl bookkeeping: sites, runs and fetches, and what the crawl asks about stored articles.

Every HTTP exchange of a crawl is a ``fetches`` row (status, outcome, its place in the WARC
files); every crawl of a site is a ``runs`` row with its counts, field coverage and alerts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from archive.connection import ArchiveConnection, now_iso
from archive.errors import ArchiveError

FETCH_OUTCOMES = frozenset({"article", "not-article", "blocked", "error", "not-modified", "list"})
# URLs looked up per statement by ``refresh_states`` (SQLite allows 32,766 parameters).
STATE_CHUNK = 500
RUN_STAT_KEYS = (
    "pages_fetched",
    "articles_new",
    "articles_updated",
    "articles_unchanged",
    "articles_failed",
    "fetches_blocked",
)


class CrawlBookkeeping(ArchiveConnection):
    """What the crawl records (fetches, runs, sites) and reads back (known URLs, refresh state)."""

    def known_article_urls(self, site: str | None = None) -> set[str]:
        if site is None:
            return {r[0] for r in self.conn.execute("SELECT url FROM articles")}
        return {r[0] for r in self.conn.execute("SELECT url FROM articles WHERE site = ?", [site])}

    def article_state(self, url: str) -> dict[str, Any] | None:
        """What the crawl needs to refresh ``url``: id, last_seen, etag, last_modified, content_hash,
        and the article's age (published_at, first_seen)."""
        row = self.conn.execute(
            "SELECT a.id, a.last_seen, f.etag, f.last_modified, a.content_hash, a.published_at, a.first_seen "
            "FROM articles a LEFT JOIN fetches f ON f.id = a.fetch_id WHERE a.url = ?",
            [url],
        ).fetchone()
        if row is None:
            return None
        keys = (
            "article_id",
            "last_seen",
            "etag",
            "last_modified",
            "content_hash",
            "published_at",
            "first_seen",
        )
        return dict(zip(keys, row, strict=True))

    def refresh_states(
        self, site: str | None = None, urls: Iterable[str] | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """(url, what a refresh needs) for every article of ``site``, or for ``urls``: the etag and
        last_modified of the fetch it was read from, and its age (published_at, first_seen),
        as ``article_state`` gives them, many at a time."""
        select = (
            "SELECT a.url, f.etag, f.last_modified, a.published_at, a.first_seen "
            "FROM articles a LEFT JOIN fetches f ON f.id = a.fetch_id"
        )
        names = ("etag", "last_modified", "published_at", "first_seen")
        if urls is None:
            where, params = (" WHERE a.site = ?", [site]) if site is not None else ("", [])
            chunks: Iterable[tuple[str, list[Any]]] = [(select + where, params)]
        else:
            wanted = list(urls)
            chunks = (
                (f"{select} WHERE a.url IN ({', '.join('?' * len(part))})", part)
                for part in (wanted[i : i + STATE_CHUNK] for i in range(0, len(wanted), STATE_CHUNK))
            )
        for sql, params in chunks:
            for url, *values in self.conn.execute(sql, params):
                yield url, dict(zip(names, values, strict=True))

    def iter_article_sources(self, site: str | None = None) -> Iterator[dict[str, Any]]:
        """The latest article fetch (WARC pointer) of each stored article, for re-extraction;
        ``fetched`` is false for an article no crawl fetched (one loaded by orgnews import)."""
        sql = (
            "SELECT a.id, a.url, a.site, f.warc_file, f.warc_offset, f.warc_length, "
            "a.fetch_id IS NOT NULL OR f.id IS NOT NULL FROM articles a "
            "LEFT JOIN fetches f ON f.id = ("
            "  SELECT id FROM fetches WHERE url = a.url AND outcome = 'article' ORDER BY id DESC LIMIT 1)"
        )
        params: list[Any] = []
        if site is not None:
            sql += " WHERE a.site = ?"
            params.append(site)
        keys = ("article_id", "url", "site", "warc_file", "warc_offset", "warc_length")
        for *row, fetched in self.conn.execute(sql + " ORDER BY a.id", params).fetchall():
            yield {**dict(zip(keys, row, strict=True)), "fetched": bool(fetched)}

    def capture_workers(self, warc_files: Iterable[str]) -> dict[str, str | None]:
        """WARC file name -> the crawl-cluster worker whose run wrote it (see ``capture_workers``)."""
        return capture_workers(self.conn, warc_files)

    def record_fetch(
        self,
        *,
        url: str,
        status: int | None,
        outcome: str,
        run_id: int | None,
        fetched_at: str | None = None,
        warc_file: str | None = None,
        warc_offset: int | None = None,
        warc_length: int | None = None,
        detail: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        site: str | None = None,
    ) -> int:
        """Record one HTTP exchange; returns the fetch id."""
        if outcome not in FETCH_OUTCOMES:
            raise ArchiveError(
                f"unknown fetch outcome {outcome!r}: use one of {', '.join(sorted(FETCH_OUTCOMES))}"
            )
        values = {
            "url": url,
            "site": site,
            "status": status,
            "outcome": outcome,
            "run_id": run_id,
            "fetched_at": fetched_at or now_iso(),
            "warc_file": warc_file,
            "warc_offset": warc_offset,
            "warc_length": warc_length,
            "detail": detail,
            "etag": etag,
            "last_modified": last_modified,
        }
        with self.transaction():
            names = ", ".join(values)
            marks = ", ".join(f":{name}" for name in values)
            return self.conn.execute(f"INSERT INTO fetches ({names}) VALUES ({marks})", values).lastrowid

    def link_fetches(self, pairs: list[tuple[int, int]]) -> None:
        """Point articles at the fetch they were read from: (article id, fetch id) pairs."""
        with self.transaction():
            self.conn.executemany("UPDATE articles SET fetch_id = ? WHERE id = ?", [(f, a) for a, f in pairs])

    def stream_position(self, stream: str) -> str | None:
        """The id of the last entry of ``stream`` whose writes this archive holds."""
        row = self.conn.execute("SELECT last_id FROM stream_positions WHERE stream = ?", [stream]).fetchone()
        return row[0] if row else None

    def set_stream_position(self, stream: str, last_id: str) -> None:
        """Record, inside the transaction that wrote them, that entries up to ``last_id`` are in."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO stream_positions(stream, last_id) VALUES (?, ?) "
                "ON CONFLICT(stream) DO UPDATE SET last_id = excluded.last_id",
                [stream, last_id],
            )

    def upsert_site(self, name: str, *, title: str, hosts: list[str]) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO sites(name, title, hosts, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET title = excluded.title, hosts = excluded.hosts, "
                "updated_at = excluded.updated_at",
                [name, title, json.dumps(list(hosts), ensure_ascii=False), now_iso()],
            )

    def start_run(self, site: str, *, options: dict | None = None) -> int:
        with self.transaction():
            return self.conn.execute(
                "INSERT INTO runs(site, started_at, status, options) VALUES (?, ?, 'running', ?)",
                [site, now_iso(), json.dumps(options or {}, ensure_ascii=False, default=str)],
            ).lastrowid

    def finish_run(
        self, run_id: int, *, status: str, stats: dict, field_coverage: dict[str, float], alerts: list[str]
    ) -> None:
        values = {key: stats.get(key, 0) for key in RUN_STAT_KEYS}
        with self.transaction():
            cursor = self.conn.execute(
                f"UPDATE runs SET finished_at = :finished_at, status = :status, "
                f"{', '.join(f'{key} = :{key}' for key in RUN_STAT_KEYS)}, stats = :stats, "
                "field_coverage = :field_coverage, alerts = :alerts WHERE id = :id",
                {
                    **values,
                    "finished_at": now_iso(),
                    "status": status,
                    "id": run_id,
                    "stats": json.dumps(stats, ensure_ascii=False, default=str),
                    "field_coverage": json.dumps(field_coverage, ensure_ascii=False),
                    "alerts": json.dumps(list(alerts), ensure_ascii=False),
                },
            )
            if cursor.rowcount == 0:
                raise ArchiveError(f"no run with id {run_id}: start it with start_run() first")

    def finish_killed_run(self, run_id: int, why: str) -> None:
        """Close a run whose crawl ended without closing it (killed or crashed), saying why, with the
        counts its recorded fetches show: the crawl's own tallies died with it."""
        self.finish_run(
            run_id, status="killed", stats=self.counts_from_fetches(run_id), field_coverage={}, alerts=[why]
        )

    def counts_from_fetches(self, run_id: int) -> dict[str, int]:
        """A run's counts read back from its fetches and the articles they were read into."""
        pages, blocked, errors, failed = self.conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE outcome = 'blocked'), "
            "count(*) FILTER (WHERE outcome = 'error'), count(*) FILTER (WHERE outcome = 'not-article') "
            "FROM fetches WHERE run_id = ?",
            [run_id],
        ).fetchone()
        # An article is new in the run that holds its first article fetch, updated in it when one of
        # its earlier texts was replaced after the run started, unchanged otherwise.
        read, new, updated = self.conn.execute(
            "SELECT count(*), "
            "count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM fetches e "
            "  WHERE e.url = a.url AND e.outcome = 'article' AND e.id < a.fetch_id)), "
            "count(*) FILTER (WHERE EXISTS (SELECT 1 FROM article_versions v "
            "  WHERE v.article_id = a.id AND v.replaced_at >= r.started_at)) "
            "FROM articles a JOIN fetches f ON f.id = a.fetch_id JOIN runs r ON r.id = f.run_id "
            "WHERE f.run_id = ?",
            [run_id],
        ).fetchone()
        return {
            "pages_fetched": pages,
            "articles_new": new,
            "articles_updated": updated,
            "articles_unchanged": read - new - updated,
            "articles_failed": failed,
            "fetches_blocked": blocked,
            "fetch_errors": errors,
        }

    def runs(self, site: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Recorded runs, newest first."""
        sql = "SELECT * FROM runs"
        params: list[Any] = []
        if site is not None:
            sql += " WHERE site = ?"
            params.append(site)
        cursor = self.conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])
        names = [d[0] for d in cursor.description]
        result = []
        for row in cursor.fetchall():
            run = dict(zip(names, row, strict=True))
            extra = json.loads(run.pop("stats") or "{}")
            run = {**extra, **run}
            run["options"] = json.loads(run["options"] or "{}")
            run["field_coverage"] = json.loads(run["field_coverage"] or "{}")
            run["alerts"] = json.loads(run["alerts"] or "[]")
            result.append(run)
        return result

    def recent_coverage(self, site: str, limit: int = 5) -> list[dict[str, Any]]:
        """Field coverage of the latest finished runs of ``site`` (id, status, articles, field_coverage)."""
        return [
            {
                "id": run["id"],
                "status": run["status"],
                "finished_at": run["finished_at"],
                "articles_new": run["articles_new"],
                "articles_updated": run["articles_updated"],
                "articles_unchanged": run["articles_unchanged"],
                "field_coverage": run["field_coverage"],
            }
            for run in self.runs(site=site, limit=limit + 1)
            if run["finished_at"] is not None
        ][:limit]


def capture_workers(conn: Any, warc_files: Iterable[str]) -> dict[str, str | None]:
    """WARC file name -> the crawl-cluster worker whose run wrote it (None: a one-machine crawl),
    read through ``conn`` (an archive's, or an export's read-only one). A worker keeps its WARC
    files in its own folder, so this says whose folder holds a file."""
    wanted = sorted(set(warc_files))
    found: dict[str, str | None] = dict.fromkeys(wanted)
    sql = (
        "SELECT DISTINCT f.warc_file, CASE WHEN json_valid(r.options) "
        "THEN json_extract(r.options, '$.worker') END FROM fetches f LEFT JOIN runs r ON r.id = f.run_id "
        "WHERE f.warc_file IN ({})"
    )
    for i in range(0, len(wanted), STATE_CHUNK):
        part = wanted[i : i + STATE_CHUNK]
        for name, worker in conn.execute(sql.format(", ".join("?" * len(part))), part):
            found[name] = found[name] or (str(worker) if worker is not None else None)
    return found
