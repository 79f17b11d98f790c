"""One worker process in the cluster: its holder id, its entry in the registry, its lease.

The holder id (``NAME:PID:TOKEN``) is new for each process, so a worker restarted under the
same name never mistakes the leases of its dead predecessor for its own. While the process
lives it renews ``keys.alive(holder)`` every third of the lease; when the key expires (the
process died, or froze longer than the lease) every other worker treats its leased requests
as abandoned and puts them back into the frontier.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
from datetime import UTC, datetime
from typing import Any

from crawler.cluster import keys

logger = logging.getLogger(__name__)

# Seconds a worker's requests stay leased after it stops renewing its key.
DEFAULT_LEASE_SECONDS = 30
# Seconds a worker counts as alive between its registration and its first renewal (the start of
# Python, Scrapy and the crawlers); one that takes longer is taken for dead.
STARTING_SECONDS = 30


def default_worker_name() -> str:
    return socket.gethostname().split(".")[0] or "worker"


class ClusterWorker:
    def __init__(self, url: str, name: str, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self.url = url
        self.name = name
        self.lease_ms = int(lease_seconds * 1000)
        self.holder = f"{name}:{os.getpid()}:{secrets.token_hex(3)}"
        self.redis = keys.connect(url)
        self.sites: list[str] = []
        # Set when renewing the lease found Redis gone; the crawl then stops.
        self.error: str | None = None
        self._renewed = False

    def register(self, sites: list[str]) -> None:
        """Enter the registry, alive for as long as a start may take; the lease proper starts with
        the first ``renew``, when the crawl runs. Until then the ingest counts this worker as
        running: otherwise, with the rounds over, it could stop before a worker that is still
        starting opens the next one."""
        self.sites = list(sites)
        with keys.redis_errors(self.url):
            self._record("running")
            self.redis.set(keys.alive(self.holder), "1", px=max(self.lease_ms, STARTING_SECONDS * 1000))

    def renew(self) -> None:
        """Renew the lease; raises ClusterError when Redis is gone."""
        with keys.redis_errors(self.url):
            held = self.redis.set(keys.alive(self.holder), "1", px=self.lease_ms, get=True)
        if held is None and self._renewed:
            # The key expired (the process stalled longer than its lease): its requests may
            # already be fetched by others; what it finishes now arrives twice, harmlessly.
            logger.warning("worker %s outlived its lease; renewed it", self.holder)
        self._renewed = True

    def finish(self, state: str = "finished") -> None:
        """Mark the worker finished (or stopped before its rounds ended) and drop its lease (its
        requests were given back)."""
        with keys.redis_errors(self.url):
            self._record(state)
            self.redis.delete(keys.alive(self.holder))

    def _record(self, state: str) -> None:
        info: dict[str, Any] = {
            "name": self.name,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "sites": self.sites,
            "state": state,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self.redis.hset(keys.WORKERS, self.holder, json.dumps(info, ensure_ascii=False))

    @property
    def renew_every(self) -> float:
        return self.lease_ms / 3000
