"""The crawl state of a cluster worker: the same questions as ``LocalCrawlState``, answered by Redis.

Known and settled URLs are what the ingest publishes from the archive (plus the URLs other
workers settled during this round), each known URL with the state a refresh of it needs
(``--refresh-days``, ``--refresh-since``), so a cluster refreshes as one machine does; finished pages, settled URLs and the run's start and end
go to the stream for the ingest to write. The worker never opens archive.db.

It also keeps the site's round (``crawler.cluster.rounds``): it joins the round when the
crawl starts, seeds it when it opened it (``ClusterStartMiddleware``), and on every
``spider_idle`` keeps the worker while the round has work anywhere in the cluster.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro

from crawler.cluster import keys, messages, rounds
from crawler.cluster.politeness import cluster_politeness
from crawler.cluster.scheduler import encode_request, return_dead_leases
from crawler.items import PageResult
from crawler.state import CrawlState, crawl_state

logger = logging.getLogger(__name__)

# How soon (s) a worker with nothing to do while the round goes on looks at the frontier again.
IDLE_POLL_SECONDS = 0.5
# The finish reason of a worker that lost Redis; its run is recorded as interrupted.
REDIS_LOST = "lost the connection to Redis"


class RedisCrawlState(CrawlState):
    def __init__(self, crawler: Crawler) -> None:
        import redis

        self.crawler = crawler
        settings = crawler.settings
        self.site = crawler.spider.site  # type: ignore[union-attr]
        self.profile = crawler.spider.profile  # type: ignore[union-attr]
        self.url = settings["ORGNEWS_REDIS_URL"]
        self.holder = settings["ORGNEWS_CLUSTER_HOLDER"]
        self.worker = settings["ORGNEWS_WORKER_NAME"]
        self.redis_error = redis.RedisError
        # The profile's politeness is set by now; in a cluster it moves to the shared host slots.
        cluster_politeness(settings)
        self.redis = keys.connect(self.url)
        self.error: str | None = None
        self._poll: Any = None
        with keys.redis_errors(self.url):
            self.round = rounds.join(self.redis, self.site, self.holder)
        self.run_key = f"{self.site}:{self.round.id}:{self.holder}"
        logger.info(
            "%s: %s round %s of the cluster",
            self.site,
            "opened" if self.round.seeder else "joined",
            self.round.id,
        )
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisCrawlState:
        return cls(crawler)

    # -- asked by the incremental middleware ----------------------------------------------------

    def known_count(self) -> int:
        return self._call(self.redis.hlen, keys.known(self.site)) or 0

    def is_known(self, url: str) -> bool:
        return bool(self._call(self.redis.hexists, keys.known(self.site), url))

    def article_state(self, url: str) -> dict[str, Any] | None:
        # As the ingest published it from the archive: the same state a one-machine crawl reads.
        found = self._call(self.redis.hget, keys.known(self.site), url)
        return messages.refresh_state(found) if found else None

    def settled_reason(self, url: str) -> str | None:
        found = self._call(self.redis.hget, keys.settled(self.site), url)
        return found.decode() if found is not None else None

    def previous_run_incomplete(self) -> bool:
        return self.round.full_walk

    # -- told by the pipeline ---------------------------------------------------------------------

    def start_run(self, options: dict[str, Any]) -> str:
        self._send(
            messages.RUN_START,
            run=self.run_key,
            site=self.site,
            worker=self.worker,
            holder=self.holder,
            round=self.round.id,
            options={**options, "worker": self.worker, "round": self.round.id},
            title=self.profile.title,
            hosts=list(self.profile.hosts),
        )
        return self.run_key

    def save_page(self, page: PageResult) -> str | None:
        self._send(messages.PAGE, run=self.run_key, page=messages.page_to_dict(page))
        self._call(self.redis.hincrby, keys.progress(self.site), "pages_fetched", len(page.fetches))
        return None

    def settle(self, url: str, reason: str) -> None:
        # Other workers see it at once; the ingest keeps it in DATA_DIR/jobs/ for later rounds.
        self._call(self.redis.hsetnx, keys.settled(self.site), url, reason)
        self._send(messages.SETTLED, site=self.site, url=url, reason=reason)

    def finish_run(
        self, status: str, stats: dict[str, Any], coverage: dict[str, float], articles: int
    ) -> list[str]:
        if status != "completed":
            # The next round walks every list page to find what this run left undone.
            self._call(self.redis.set, keys.incomplete(self.site), self.run_key)
        self._send(
            messages.RUN_END,
            run=self.run_key,
            site=self.site,
            status=status,
            stats=stats,
            coverage=coverage,
            articles=articles,
        )
        # Alerts need the site's earlier runs, which only the archive has: the ingest raises them.
        return []

    # -- the round --------------------------------------------------------------------------------

    async def seed(self, start: AsyncIterator[Any]) -> None:
        """Put the site's start requests into the frontier when this worker opened the round."""
        requests = [request async for request in start if isinstance(request, Request)]
        if not self.round.seeder or self.error:
            return
        encoded = [(-request.priority, encode_request(request, self.crawler.spider)) for request in requests]
        if self._call(rounds.seed, self.redis, self.site, self.holder, self.round.id, encoded):
            logger.info(
                "%s: seeded round %s with %d start request(s)", self.site, self.round.id, len(encoded)
            )

    def spider_idle(self) -> None:
        """Keep this worker while the round has work anywhere; let it close when the round is over."""
        if self.error:
            return
        self._call(return_dead_leases, self.redis, self.site)
        verdict = self._call(rounds.finish, self.redis, self.site)
        if verdict in ("done", "none") or self.error:
            return
        if verdict == "seeding" and self._call(rounds.take_over_seeding, self.redis, self.site, self.holder):
            logger.warning("%s: the worker seeding round %s died; seeding it here", self.site, self.round.id)
            self.round.seeder = True
            deferred_from_coro(self.seed(self.crawler.spider.start()))  # type: ignore[union-attr]
        self._look_again_soon()
        raise DontCloseSpider

    def _look_again_soon(self) -> None:
        """Ask the engine for the next request in IDLE_POLL_SECONDS, not at its 5-second heartbeat,
        so that requests other workers add are taken up at once."""
        from twisted.internet import reactor

        if self._poll is None or not self._poll.active():
            self._poll = reactor.callLater(IDLE_POLL_SECONDS, self._wake_engine)  # type: ignore[attr-defined]

    def _wake_engine(self) -> None:
        # Scrapy has no public call for this; without it the worker still looks at the heartbeat.
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    # -- Redis ------------------------------------------------------------------------------------

    def _send(self, kind: str, **data: Any) -> None:
        self._call(self.redis.xadd, keys.STREAM, messages.encode(kind, **data))

    def _call(self, function: Any, *args: Any) -> Any:
        """Run one Redis operation; when Redis is gone, stop this crawl with a clear reason."""
        if self.error:
            return None
        try:
            return function(*args)
        except self.redis_error as exc:
            self.lost(exc)
            return None

    def lost(self, exc: Exception) -> None:
        if self.error:
            return
        self.error = f"{REDIS_LOST} at {keys.describe(self.url)}: {exc}"
        logger.error("%s: %s; stopping this worker's crawl of the site", self.site, self.error)
        self.crawler.stats.set_value("orgnews/cluster_error", self.error)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=REDIS_LOST))

    def close(self) -> None:
        self.redis.close()


class ClusterStartMiddleware:
    """Spider middleware: the start requests go to the shared frontier once per round, not per worker."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterStartMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        state = crawl_state(self.crawler)
        assert isinstance(state, RedisCrawlState)
        await state.seed(start)
        # Nothing for this worker's own engine: every worker takes its work from the frontier.
        return
        yield
