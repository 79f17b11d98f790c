"""The Scrapy settings that turn a crawl into a cluster worker (on top of ``crawler/settings.py``)."""

from __future__ import annotations

from typing import Any

from crawler.cluster import keys


def cluster_settings(settings: Any, url: str, holder: str, worker_name: str) -> None:
    """Swap in scrapy-redis's scheduler and seen-set, the Redis crawl state and the shared host slots."""
    values = {
        # scrapy-redis's scheduler (its priority queue) with leases, and its Redis seen-set.
        "SCHEDULER": "crawler.cluster.scheduler.LeasingScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # The frontier and the seen-set belong to the round, which decides when they are emptied.
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": url,
        "REDIS_PARAMS": {
            "socket_timeout": keys.SOCKET_TIMEOUT,
            "socket_connect_timeout": keys.CONNECT_TIMEOUT,
        },
        "ORGNEWS_REDIS_URL": url,
        "ORGNEWS_CLUSTER_HOLDER": holder,
        "ORGNEWS_WORKER_NAME": worker_name,
    }
    settings.setdict(values, priority="cmdline")
    extensions = settings.getdict("EXTENSIONS")
    extensions.update(
        {
            "crawler.state.LocalCrawlState": None,
            "crawler.cluster.state.RedisCrawlState": 10,
            # Which leased requests are finished, sent, handed back (read by the scheduler).
            "crawler.cluster.leases.LeaseTracker": 20,
        }
    )
    settings.set("EXTENSIONS", extensions, priority="cmdline")
    spider_middlewares = settings.getdict("SPIDER_MIDDLEWARES")
    # The start requests go to the shared frontier once per round.
    spider_middlewares["crawler.cluster.state.ClusterStartMiddleware"] = 10
    # Outermost, so it sees what leaves the spider middlewares for the engine.
    spider_middlewares["crawler.cluster.leases.LeaseOutputMiddleware"] = 0
    settings.set("SPIDER_MIDDLEWARES", spider_middlewares, priority="cmdline")
    downloader_middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    # Last before the replay switch, so it waits on the real host right before the request goes.
    downloader_middlewares["crawler.cluster.politeness.HostSlotMiddleware"] = 940
    settings.set("DOWNLOADER_MIDDLEWARES", downloader_middlewares, priority="cmdline")
