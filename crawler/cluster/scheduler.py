"""scrapy-redis's scheduler with leases: a request taken from the frontier is never lost.

scrapy-redis pops a request from the shared frontier and forgets it; a worker killed
before finishing it loses it, and the shared seen-set then keeps it from ever being
fetched again. Here the pop and the lease are one Redis script: the request moves from
the frontier into the site's lease hash under the worker's holder id, and leaves it only
when the worker is done with it (its callback's requests are in the frontier and its page
is in the stream) or when it hands a retry or a redirect back to the frontier. A worker
holds its leases through one expiring key (``keys.alive``); when that key is gone, any
worker or the ingest puts the worker's leased requests back into the frontier
(``return_dead_leases``).

When the worker is done with a request is told by Scrapy's signals and the outermost spider
middleware (``crawler.cluster.leases``); the scheduler ends those leases in Redis the next
time the engine asks it for a request. A worker that is stopped hands back at once what it
has leased but not sent (``hand_back_unsent``); on closing it gives back whatever it still holds.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.misc import load_object
from scrapy_redis import picklecompat
from scrapy_redis.scheduler import Scheduler

from crawler.cluster import keys
from crawler.cluster.leases import META_LEASE, WORKER_STOPPING, LeaseTracker
from crawler.state import crawl_state

logger = logging.getLogger(__name__)

# Move the best-scored request of the frontier into the lease hash, in one step.
# KEYS: frontier, leases. ARGV: lease field. Returns the request's data, or nil.
_POP_INTO_LEASE = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('HSET', KEYS[2], ARGV[1], found[2] .. '\\n' .. found[1])
return found[1]
"""

# Put one leased request back into the frontier, if it is still leased.
# KEYS: frontier, leases. ARGV: lease field. Returns 1 when it moved.
_RETURN_LEASE = """
local value = redis.call('HGET', KEYS[2], ARGV[1])
if not value then return 0 end
local cut = string.find(value, '\\n', 1, true)
redis.call('ZADD', KEYS[1], string.sub(value, 1, cut - 1), string.sub(value, cut + 1))
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
"""


def encode_request(request: Request, spider: Any) -> bytes:
    """A request as scrapy-redis's queues store it (its default pickle serializer), with the
    spider's own errback rather than the one that watched it while it was leased."""
    errback = getattr(request.errback, "spider_errback", request.errback)
    return picklecompat.dumps(request.replace(errback=errback).to_dict(spider=spider))


def take_request(redis: Any, site: str, field: str) -> bytes | None:
    """Move the frontier's first request into the site's leases under ``field``; its data, or None."""
    return redis.eval(_POP_INTO_LEASE, 2, keys.frontier(site), keys.leases(site), field) or None


def holder_of(field: str) -> str:
    """The holder id of a lease field (``holder#n``)."""
    return field.rpartition("#")[0]


def return_dead_leases(redis: Any, site: str) -> int:
    """Put back into the frontier every request leased by a worker that is no longer alive."""
    fields = [f.decode() for f in redis.hkeys(keys.leases(site))]
    holders = sorted({holder_of(f) for f in fields})
    if not holders:
        return 0
    pipe = redis.pipeline(transaction=False)
    for holder in holders:
        pipe.exists(keys.alive(holder))
    alive = dict(zip(holders, pipe.execute(), strict=True))
    returned = 0
    script = redis.register_script(_RETURN_LEASE)
    for field in fields:
        if not alive[holder_of(field)]:
            returned += script(keys=[keys.frontier(site), keys.leases(site)], args=[field])
    if returned:
        logger.warning(
            "%s: %d request(s) leased by workers that died went back to the frontier", site, returned
        )
    return returned


class LeasingScheduler(Scheduler):
    """scrapy-redis's ``Scheduler`` (priority queue, RFPDupeFilter) with per-worker leases."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeasingScheduler:
        with keys.redis_errors(crawler.settings["ORGNEWS_REDIS_URL"]):
            instance = super().from_crawler(crawler)
        instance.crawler = crawler
        instance.redis_error = redis.RedisError
        instance.holder = crawler.settings["ORGNEWS_CLUSTER_HOLDER"]
        tracker = crawler.get_extension(LeaseTracker)
        assert tracker is not None, "EXTENSIONS must enable crawler.cluster.leases.LeaseTracker"
        instance.tracker = tracker
        instance.leased: dict[str, Request] = {}
        instance._serial = itertools.count(1)
        crawler.signals.connect(instance.hand_back_unsent, signal=WORKER_STOPPING)
        return instance

    def open(self, spider: Any) -> None:
        # Keys by site, not by spider name: every site runs the same ``news`` spider.
        self.spider = spider
        site = spider.site
        self.site = site
        self.queue = load_object(self.queue_cls)(
            server=self.server, spider=spider, key=keys.frontier(site), serializer=self.serializer
        )
        self.df = load_object(self.dupefilter_cls)(self.server, key=keys.seen(site))
        self._return = self.server.register_script(_RETURN_LEASE)

    def close(self, reason: str) -> None:
        try:
            self._give_back()
        except self.redis_error as exc:
            logger.error(
                "%s: could not give the leases back (%s); they return when this worker's key expires",
                self.site,
                exc,
            )

    def _give_back(self) -> None:
        # The frontier and the seen-set belong to the round, which every worker shares; a worker
        # stopping early gives its leases back so that none waits for its key to expire.
        self.release_finished()
        self._return_leases(list(self.leased))

    def _return_leases(self, fields: list[str]) -> None:
        for field in fields:
            self._return(keys=[keys.frontier(self.site), keys.leases(self.site)], args=[field])
            self.leased.pop(field, None)
            self.tracker.end(field)

    def hand_back_unsent(self) -> None:
        """The worker is stopped: what it has not sent yet goes back to the frontier now, for the
        other workers (or the next start); what is on the wire finishes first."""
        self.tracker.stopping.set()
        try:
            self.release_finished()
            unsent = [field for field in self.tracker.unsent() if field in self.leased]
            for field in unsent:
                self.tracker.hand_back(field)
            self._return_leases(unsent)
        except self.redis_error as exc:
            crawl_state(self.crawler).lost(exc)
            return
        logger.info(
            "%s: stopping; %d leased request(s) not sent yet went back to the frontier",
            self.site,
            len(unsent),
        )

    def enqueue_request(self, request: Request) -> bool:
        try:
            return self._enqueue(request)
        except self.redis_error as exc:
            crawl_state(self.crawler).lost(exc)
            return False

    def next_request(self) -> Request | None:
        try:
            return self._next()
        except self.redis_error as exc:
            crawl_state(self.crawler).lost(exc)
            return None

    def has_pending_requests(self) -> bool:
        try:
            return super().has_pending_requests()
        except self.redis_error as exc:
            crawl_state(self.crawler).lost(exc)
            return False

    def _enqueue(self, request: Request) -> bool:
        # A retry or a redirect of a leased request carries its lease: the new request enters
        # the frontier and the old lease ends in one transaction, so a kill between loses neither.
        lease = request.meta.pop(META_LEASE, None)
        pipe = self.server.pipeline(transaction=True)
        if lease is not None:
            pipe.hdel(keys.leases(self.site), lease)
            self.leased.pop(lease, None)
            self.tracker.end(lease)
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            pipe.execute()
            return False
        pipe.execute_command("ZADD", self.queue.key, -request.priority, encode_request(request, self.spider))
        pipe.execute()
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def _next(self) -> Request | None:
        self.release_finished()
        if self.tracker.stopping.is_set():
            return None
        field = f"{self.holder}#{next(self._serial)}"
        data = take_request(self.server, self.site, field)
        if not data:
            return None
        request = self.queue._decode_request(data)
        request.meta[META_LEASE] = field
        self.leased[field] = request
        self.tracker.lease(field, request)
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def release_finished(self) -> None:
        """End the leases of the requests the worker has finished with."""
        done = [field for field in self.tracker.take_finished() if field in self.leased]
        if not done:
            return
        self.server.hdel(keys.leases(self.site), *done)
        for field in done:
            self.leased.pop(field, None)
