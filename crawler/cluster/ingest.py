"""The one archive writer of a cluster: from the Redis stream into archive.db.

It reads the stream with a consumer group (XREADGROUP), writes each batch in one SQLite
transaction through the archive's bulk path (``Archive.save_articles``), records in that
same transaction the id of the last entry it applied (``Archive.stream_position``), and
only then acknowledges the entries (XACK) and deletes them. Killed anywhere, it loses
nothing: on restart it claims what it had read but not acknowledged (XAUTOCLAIM), skips
what the archive already holds by the recorded position, and goes on. After each batch it
publishes the URLs it stored, with what a refresh of each needs (the validators of the fetch it
was read from, its age), to the sites' known URLs, which keep the workers incremental.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from archive.datadir import DataDir
from crawler.cluster import keys, messages
from crawler.items import PageResult
from crawler.notices import record_notices
from crawler.settled import SettledUrls, settled_path
from crawler.spiders.news import profile_named
from crawler.state import finish_archive_run, record_fetch

logger = logging.getLogger(__name__)

# Entries read (and written in one transaction) at a time.
DEFAULT_BATCH = 500
# URLs sent to Redis per command when publishing the archive's known URLs.
PUBLISH_CHUNK = 5000
# Where entries the ingest cannot read are kept, with the reason, instead of being dropped.
REJECTED = f"{keys.PREFIX}:rejected"
# How often (seconds) a waiting ingest says why it is waiting.
WAITING_NOTICE_SECONDS = 60


@dataclass
class IngestReport:
    entries: int = 0
    pages: int = 0
    articles: dict[str, int] = field(default_factory=lambda: {"new": 0, "updated": 0, "unchanged": 0})
    runs_finished: int = 0
    rejected: int = 0
    skipped: int = 0


def _entry_key(entry_id: str) -> tuple[int, int]:
    millis, _, serial = entry_id.partition("-")
    return int(millis), int(serial or 0)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Ingest:
    def __init__(
        self,
        redis_url: str,
        data_dir: DataDir,
        *,
        consumer: str = "ingest",
        batch: int = DEFAULT_BATCH,
        progress: Callable[[IngestReport], None] | None = None,
    ) -> None:
        from archive import Archive

        self.url = redis_url
        self.redis = keys.connect(redis_url)
        self.data_dir = data_dir.ensure()
        self.archive = Archive.open(data_dir.archive_db)
        self.consumer = consumer
        self.batch = batch
        self.progress = progress
        self.report = IngestReport()
        self.run_ids: dict[str, int] = {}
        self.settled: dict[str, SettledUrls] = {}
        self.stop_requested = False

    def close(self) -> None:
        for settled in self.settled.values():
            settled.close()
        self.archive.close()
        self.redis.close()

    # -- the loop ---------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop after the batch in hand is committed and acknowledged (safe in a signal handler)."""
        self.stop_requested = True

    def run(self, follow: bool = False) -> IngestReport:
        """Ingest until every worker is done and the stream is empty (with ``follow``, until ``stop``)."""
        with keys.redis_errors(self.url):
            self._ensure_group()
            self.publish_archive()
            self._claim_abandoned()
            last_notice = time.monotonic()
            while not self.stop_requested:
                entries = self._read(block_ms=1000)
                if entries:
                    self.apply(entries)
                    continue
                if not follow and self._cluster_done():
                    # Workers write their last entries before they finish: read once more.
                    entries = self._read(block_ms=0)
                    if not entries:
                        break
                    self.apply(entries)
                if time.monotonic() - last_notice > WAITING_NOTICE_SECONDS:
                    self._say_why_waiting()
                    last_notice = time.monotonic()
            self.close_dead_runs()
        return self.report

    def _ensure_group(self) -> None:
        import redis

        try:
            # From the stream's beginning: entries written before any ingest ran are ingested too.
            self.redis.xgroup_create(keys.STREAM, keys.INGEST_GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def _claim_abandoned(self) -> None:
        """Take over what an earlier ingest read but did not acknowledge, and apply it first."""
        start = "0-0"
        while True:
            reply = self.redis.xautoclaim(
                keys.STREAM,
                keys.INGEST_GROUP,
                self.consumer,
                min_idle_time=0,
                start_id=start,
                count=self.batch,
            )
            start, entries = _text(reply[0]), [e for e in reply[1] if e[1]]
            if entries:
                logger.info("claimed %d entries an earlier ingest read but did not finish", len(entries))
                self.apply(entries)
            if start == "0-0":
                return

    def _read(self, block_ms: int) -> list[Any]:
        reply = self.redis.xreadgroup(
            keys.INGEST_GROUP, self.consumer, {keys.STREAM: ">"}, count=self.batch, block=block_ms or None
        )
        return reply[0][1] if reply else []

    # -- one batch ----------------------------------------------------------------------------------

    def apply(self, entries: list[Any]) -> None:
        """Write a batch in one transaction, then acknowledge it and publish what it stored."""
        ids = [_text(entry_id) for entry_id, _ in entries]
        through = self.archive.stream_position(keys.STREAM)
        writer = _BatchWriter(self)
        with self.archive.transaction():
            for entry_id, fields in entries:
                entry_id = _text(entry_id)
                if through is not None and _entry_key(entry_id) <= _entry_key(through):
                    self.report.skipped += 1
                    continue
                self._apply_entry(writer, entry_id, fields)
            writer.flush()
            self.archive.set_stream_position(keys.STREAM, max(ids, key=_entry_key))
        writer.read_refresh_states()
        pipe = self.redis.pipeline(transaction=True)
        pipe.xack(keys.STREAM, keys.INGEST_GROUP, *ids)
        pipe.xdel(keys.STREAM, *ids)
        writer.publish(pipe)
        pipe.execute()
        self.report.entries += len(ids)
        if self.progress is not None:
            self.progress(self.report)

    def _apply_entry(self, writer: _BatchWriter, entry_id: str, fields: dict[Any, Any]) -> None:
        try:
            kind, data = messages.decode(fields)
            writer.add(kind, data)
        except (messages.MessageError, KeyError, TypeError, ValueError) as exc:
            logger.error("stream entry %s cannot be ingested (%s); kept in %s", entry_id, exc, REJECTED)
            self.redis.xadd(REJECTED, {**{_text(k): v for k, v in fields.items()}, "reason": str(exc)})
            self.report.rejected += 1

    # -- runs ------------------------------------------------------------------------------------------

    def run_id(self, run_key: str, site: str) -> int:
        """The archive run of a worker's run, found again by its key after a restart."""
        if run_key not in self.run_ids:
            for run in self.archive.runs(site=site, limit=500):
                if (run.get("options") or {}).get("run_key") == run_key:
                    self.run_ids[run_key] = run["id"]
                    break
            else:
                # Its run-start was never seen (written before a restart of Redis): record one now.
                self.run_ids[run_key] = self.archive.start_run(site, options={"run_key": run_key})
        return self.run_ids[run_key]

    def close_dead_runs(self) -> None:
        """Runs whose worker died before saying they ended are recorded as killed."""
        for run in self.archive.runs(limit=500):
            holder = (run.get("options") or {}).get("holder")
            if run.get("status") != "running" or not holder or self.redis.exists(keys.alive(holder)):
                continue
            self.archive.finish_killed_run(
                run["id"],
                f"worker {holder} stopped without finishing this run (killed or crashed); "
                "its leased requests went back to the frontier for the other workers",
            )

    def settled_urls(self, site: str) -> SettledUrls:
        if site not in self.settled:
            self.settled[site] = SettledUrls(settled_path(self.data_dir.jobs_dir, site)).load()
        return self.settled[site]

    # -- what the workers need from the archive ------------------------------------------------------

    def publish_archive(self) -> None:
        """Send every site's known URLs, with what a refresh of each needs, and its settled URLs
        to Redis, for the workers' incremental rules."""
        from crawler.profiles import load_profiles

        sites = {_text(s) for s in self.redis.smembers(keys.SITES)} | set(load_profiles())
        for site in sorted(sites):
            if self.redis.type(keys.known(site)) not in (b"hash", b"none"):
                # Written by an older ingest as a plain set of URLs: replaced by the hash below.
                self.redis.delete(keys.known(site))
            states = self.archive.refresh_states(site)
            while chunk := dict(itertools.islice(states, PUBLISH_CHUNK)):
                self.redis.hset(
                    keys.known(site), mapping={url: messages.refresh_value(st) for url, st in chunk.items()}
                )
            reasons = self.settled_urls(site).reasons
            items = list(reasons.items())
            for start in range(0, len(items), PUBLISH_CHUNK):
                self.redis.hset(keys.settled(site), mapping=dict(items[start : start + PUBLISH_CHUNK]))
        logger.info("published the known and settled URLs of %d site(s)", len(sites))

    # -- when to stop ------------------------------------------------------------------------------------

    def _cluster_done(self) -> bool:
        """No worker alive, no round with work left, nothing read and unacknowledged."""
        workers = self.redis.hgetall(keys.WORKERS)
        for holder, info in workers.items():
            if json.loads(info).get("state") == "running" and self.redis.exists(keys.alive(_text(holder))):
                return False
        for site in self.redis.smembers(keys.SITES):
            if self.redis.hget(keys.round_(_text(site)), "state") in (b"seeding", b"running"):
                return False
        pending = self.redis.xpending(keys.STREAM, keys.INGEST_GROUP)
        return not pending.get("pending")

    def _say_why_waiting(self) -> None:
        for site in sorted(_text(s) for s in self.redis.smembers(keys.SITES)):
            state = self.redis.hget(keys.round_(site), "state")
            if state in (b"seeding", b"running"):
                logger.warning(
                    "waiting: the round of %s is %s (frontier %d, leased %d)",
                    site,
                    _text(state),
                    self.redis.zcard(keys.frontier(site)),
                    self.redis.hlen(keys.leases(site)),
                )


class _BatchWriter:
    """Collects one batch's pages and saves their articles together through the bulk path."""

    def __init__(self, ingest: Ingest) -> None:
        self.ingest = ingest
        self.archive = ingest.archive
        # (article, fetch id, run key) waiting for the next save_articles call.
        self.pending: list[tuple[Any, int | None, str]] = []
        self.pending_urls: set[str] = set()
        self.seen_at: str | None = None
        self.stored: dict[str, set[str]] = {}
        self.refresh: dict[str, str] = {}
        self.tallies: dict[str, dict[str, int]] = {}

    def add(self, kind: str, data: dict[str, Any]) -> None:
        if kind == messages.PAGE:
            self.add_page(data["run"], messages.page_from_dict(data["page"]))
        elif kind == messages.SETTLED:
            self.ingest.settled_urls(data["site"]).add(data["url"], data["reason"])
        elif kind == messages.RUN_START:
            self.flush()
            self.start_run(data)
        elif kind == messages.RUN_END:
            self.flush()
            self.finish_run(data)
        else:
            raise messages.MessageError(f"unknown message kind {kind!r}")

    def start_run(self, data: dict[str, Any]) -> None:
        self.archive.upsert_site(
            data["site"], title=data.get("title") or data["site"], hosts=data.get("hosts") or []
        )
        options = {**data.get("options", {}), "run_key": data["run"], "holder": data.get("holder")}
        self.ingest.run_ids[data["run"]] = self.archive.start_run(data["site"], options=options)

    def add_page(self, run_key: str, page: PageResult) -> None:
        run_id = self.ingest.run_id(run_key, page.site)
        fetch_ids = [record_fetch(self.archive, fetch, run_id, page.site) for fetch in page.fetches]
        self.ingest.report.pages += 1
        if page.article is None:
            return
        page.article.site = page.site
        if page.article.url in self.pending_urls:
            # One URL twice in a batch (a refresh right after a first fetch): keep their order.
            self.flush()
        self.pending.append((page.article, fetch_ids[0] if fetch_ids else None, run_key))
        self.pending_urls.add(page.article.url)
        fetched_at = page.fetches[0].fetched_at if page.fetches else None
        if fetched_at and (self.seen_at is None or fetched_at < self.seen_at):
            self.seen_at = fetched_at

    def flush(self) -> None:
        if not self.pending:
            return
        results = self.archive.save_articles(
            [article for article, _, _ in self.pending], seen_at=self.seen_at
        )
        self.archive.link_fetches(
            [
                (result.article_id, fetch_id)
                for result, (_, fetch_id, _) in zip(results, self.pending, strict=True)
                if fetch_id
            ]
        )
        for result, (article, _, run_key) in zip(results, self.pending, strict=True):
            record_notices(self.archive, result.article_id, article, result.status)
            self.stored.setdefault(article.site, set()).add(article.url)
            tally = self.tallies.setdefault(run_key, {})
            tally[result.status] = tally.get(result.status, 0) + 1
            self.ingest.report.articles[result.status] = self.ingest.report.articles.get(result.status, 0) + 1
        self.pending, self.pending_urls, self.seen_at = [], set(), None

    def finish_run(self, data: dict[str, Any]) -> None:
        run_key, site = data["run"], data["site"]
        run_id = self.ingest.run_id(run_key, site)
        counted = {_text(k): int(v) for k, v in self.ingest.redis.hgetall(keys.ingest_tally(run_key)).items()}
        for status, count in self.tallies.get(run_key, {}).items():
            counted[status] = counted.get(status, 0) + count
        stats = {
            **data.get("stats", {}),
            **{f"articles_{s}": counted.get(s, 0) for s in ("new", "updated", "unchanged")},
        }
        alerts = finish_archive_run(
            self.archive,
            run_id,
            profile_named(site),
            data["status"],
            stats,
            data.get("coverage") or {},
            int(data.get("articles") or 0),
        )
        for alert in alerts:
            logger.error("coverage alert: %s", alert)
        self.ingest.report.runs_finished += 1

    def read_refresh_states(self) -> None:
        """After the commit: what a refresh of each stored article needs now (its new fetch's
        validators), as the archive holds it."""
        urls = {url for stored in self.stored.values() for url in stored}
        self.refresh = {url: messages.refresh_value(st) for url, st in self.archive.refresh_states(urls=urls)}

    def publish(self, pipe: Any) -> None:
        """The stored URLs become known to the workers, with their refresh state; the tallies grow."""
        for site, urls in self.stored.items():
            pipe.hset(keys.known(site), mapping={url: self.refresh[url] for url in urls})
            pipe.hincrby(keys.progress(site), "articles_stored", len(urls))
        for run_key, tally in self.tallies.items():
            for status, count in tally.items():
                pipe.hincrby(keys.ingest_tally(run_key), status, count)
