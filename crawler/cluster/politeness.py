"""Per-host politeness across the whole cluster: one shared slot per host in Redis.

Scrapy spaces the requests of one process; N workers would each keep that pace and hit a
host N times as often. So in a cluster every request first takes the next free time of its
host's slot (``keys.host_slot``) in one Redis script on Redis's own clock: when the slot
is free it is taken and moved on by the host's delay, and the request goes at once;
otherwise the worker waits until it frees and asks again. Two workers can therefore never
fetch from one host closer together than the profile's delay.

Why a shared slot rather than hosts partitioned among workers: a site is a handful of
hosts and its frontier is shared, so with partitions one worker would do all of a site's
work while the others idle, and a dead worker's hosts would wait for a new partition; the
shared slot needs no reassignment when workers come and go, costs one Redis round trip per
request, and the local downloader's own delay is set to zero so it adds none of its own.

The delay is the profile's (never under the floor, with the same jitter), raised to the
host's last response time (as AutoThrottle would: a slow host gets fewer requests), and a
bot challenge pushes the host's slot ``ORGNEWS_CHALLENGE_BACKOFF`` seconds out for everyone.
"""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.cluster import keys
from crawler.cluster.leases import HandedBack, LeaseTracker, lease_of
from crawler.middlewares import detect_challenge, real_url
from crawler.state import crawl_state

# KEYS: host slot. ARGV: delay ms. Takes the slot (0) when it is free, or says how many ms until it is.
_TAKE_SLOT = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
if now_ms < free then return free - now_ms end
redis.call('SET', KEYS[1], now_ms + tonumber(ARGV[1]), 'PX', tonumber(ARGV[1]) + 600000)
return 0
"""

# KEYS: host slot. ARGV: back-off ms. Moves the slot to at least now + back-off.
_PUSH_SLOT = """
local now = redis.call('TIME')
local until_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + tonumber(ARGV[1])
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ms > free then redis.call('SET', KEYS[1], until_ms, 'PX', tonumber(ARGV[1]) + 600000) end
return 0
"""


def cluster_politeness(settings: Any) -> None:
    """Move the per-host delay from Scrapy's downloader to the cluster slot (spider priority).

    Called after the profile's politeness is applied: the delay it chose becomes the shared
    slot's, and the local downloader neither waits nor queues a request that has its time.
    """
    settings.set("ORGNEWS_CLUSTER_HOST_DELAY", settings.getfloat("DOWNLOAD_DELAY"), priority="spider")
    settings.set("ORGNEWS_CLUSTER_HOST_JITTER", settings.getfloat("DOWNLOAD_DELAY_JITTER"), priority="spider")
    settings.set("DOWNLOAD_DELAY", 0, priority="spider")
    settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", settings.getint("CONCURRENT_REQUESTS"), priority="spider")


class HostSlotMiddleware:
    """Downloader middleware: wait for the host's cluster-wide slot before each request."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.delay = settings.getfloat("ORGNEWS_CLUSTER_HOST_DELAY")
        self.jitter = settings.getfloat("ORGNEWS_CLUSTER_HOST_JITTER")
        self.backoff = settings.getfloat("ORGNEWS_CHALLENGE_BACKOFF")
        self.replay_base = (settings.get("ORGNEWS_REPLAY_URL") or "").rstrip("/")
        self.redis = keys.connect(settings["ORGNEWS_REDIS_URL"])
        leases = crawler.get_extension(LeaseTracker)
        assert leases is not None, "EXTENSIONS must enable crawler.cluster.leases.LeaseTracker"
        self.leases = leases
        self._take = self.redis.register_script(_TAKE_SLOT)
        self._push = self.redis.register_script(_PUSH_SLOT)
        # The last response time of each host, which the delay may not undercut.
        self.latency: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostSlotMiddleware:
        return cls(crawler)

    def _host(self, url: str) -> str:
        return urlsplit(real_url(url, self.replay_base)).hostname or ""

    def host_delay(self, host: str) -> float:
        if not self.delay:
            # Politeness off (the local replay server): no slot at all.
            return 0.0
        delay = max(self.delay, self.latency.get(host, 0.0))
        if self.jitter and delay:
            delay *= random.uniform(1 - self.jitter, 1 + self.jitter)
        return delay

    async def process_request(self, request: Request) -> None:
        self._not_handed_back(request)
        host = self._host(request.url)
        delay_ms = int(self.host_delay(host) * 1000)
        if delay_ms <= 0:
            return
        # The slot is taken only when it is free, right before the request goes: a worker whose
        # event loop is late to wake sends late, but never closer to another worker's request.
        while wait_ms := self._call(self._take, keys=[keys.host_slot(host)], args=[delay_ms]):
            # Spread the retries of workers waiting for one host so they do not all ask at once;
            # a worker that is stopped meanwhile stops waiting at once.
            await self.leases.wait(wait_ms / 1000 + random.uniform(0, 0.02))
            self._not_handed_back(request)

    def _not_handed_back(self, request: Request) -> None:
        """A request handed back to the frontier when the worker was stopped is not sent here."""
        if lease_of(request) in self.leases.handed_back:
            raise HandedBack(f"handed back to the frontier: {request.url}")

    def process_response(self, request: Request, response: Response) -> Response:
        host = self._host(response.url)
        latency = request.meta.get("download_latency")
        if latency is not None:
            self.latency[host] = float(latency)
        if self.backoff and detect_challenge(response.status, response.body):
            self._call(self._push, keys=[keys.host_slot(host)], args=[int(self.backoff * 1000)])
        return response

    def _call(self, script: Any, **kwargs: Any) -> Any:
        import redis

        try:
            return script(**kwargs)
        except redis.RedisError as exc:
            crawl_state(self.crawler).lost(exc)  # type: ignore[attr-defined]
            return 0
