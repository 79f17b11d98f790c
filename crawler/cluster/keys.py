"""Every Redis key the cluster uses, and the connection to it.

One Redis database holds one cluster. Per site: the frontier (scrapy-redis's priority
queue), the seen-set (scrapy-redis's dupefilter), the leases of requests in flight, the
round, and the archive's known URLs (with what a refresh of each needs) and settled URLs
as the ingest publishes them. Shared: the stream of finished pages, the worker registry
with one expiring key per live worker, and one politeness slot per host.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

PREFIX = "orgnews"
# Finished pages, run starts and ends, settled URLs: what the ingest moves into archive.db.
STREAM = f"{PREFIX}:pages"
# The consumer group the ingest reads the stream with (XREADGROUP / XACK / XAUTOCLAIM).
INGEST_GROUP = "ingest"
# holder id -> JSON (worker name, pid, host, sites, started, state "running" or "finished").
WORKERS = f"{PREFIX}:workers"
# Sites any worker has crawled on this cluster, for `orgnews status`.
SITES = f"{PREFIX}:sites"
# Seconds a Redis command may take before the connection counts as lost.
SOCKET_TIMEOUT = 30.0
CONNECT_TIMEOUT = 5.0


class ClusterError(Exception):
    """Redis cannot be reached, or answers in a way the cluster cannot work with."""


def frontier(site: str) -> str:
    return f"{PREFIX}:{site}:frontier"


def seen(site: str) -> str:
    return f"{PREFIX}:{site}:seen"


def leases(site: str) -> str:
    return f"{PREFIX}:{site}:leases"


def round_(site: str) -> str:
    return f"{PREFIX}:{site}:round"


def known(site: str) -> str:
    """The site's archived articles: URL -> what a refresh of it needs (``messages.refresh_value``)."""
    return f"{PREFIX}:{site}:known"


def settled(site: str) -> str:
    return f"{PREFIX}:{site}:settled"


def incomplete(site: str) -> str:
    """Set by a worker whose run of the site did not complete; the next round walks every list page."""
    return f"{PREFIX}:{site}:incomplete"


def progress(site: str) -> str:
    """Counters of the site's current round: pages fetched, pages ingested, articles new."""
    return f"{PREFIX}:{site}:progress"


def alive(holder: str) -> str:
    """Exists while the worker ``holder`` lives: its lease on everything it holds."""
    return f"{PREFIX}:alive:{holder}"


def host_slot(host: str) -> str:
    """When the next request to ``host`` may go, in Redis server milliseconds."""
    return f"{PREFIX}:host:{host}"


def ingest_tally(run_key: str) -> str:
    """Articles new / updated / unchanged the ingest stored for one worker's run."""
    return f"{PREFIX}:tally:{run_key}"


def describe(url: str) -> str:
    """The Redis URL without a password, for messages."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        return repr(url)
    host = parts.hostname or "localhost"
    return f"redis://{host}:{parts.port or 6379}{parts.path or '/0'}"


def connect(url: str) -> Any:
    """A client for the Redis at ``url``, checked with a PING; ClusterError with the reason otherwise."""
    import redis

    try:
        client = redis.Redis.from_url(
            url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=CONNECT_TIMEOUT
        )
        client.ping()
    except (ValueError, redis.RedisError) as exc:
        raise ClusterError(f"cannot reach Redis at {describe(url)}: {exc}") from exc
    return client


@contextmanager
def redis_errors(url: str) -> Iterator[None]:
    """Turn a Redis failure inside the block into a ClusterError that names the server."""
    import redis

    try:
        yield
    except redis.RedisError as exc:
        raise ClusterError(f"lost the connection to Redis at {describe(url)}: {exc}") from exc
