"""When a worker is done with a leased request, told by Scrapy's public signals and components.

A request taken from the frontier stays leased (``crawler.cluster.scheduler``) until all it
led to is safe in Redis: every item its callback or errback yielded went through the item
pipeline, which put the page in the stream (``item_scraped``, ``item_dropped``,
``item_error``), and every request it yielded reached the scheduler (``request_scheduled``,
right after which, in the same call, the scheduler adds it to the frontier). What a callback
yields is watched where it leaves the spider middlewares, by ``LeaseOutputMiddleware``, the
outermost of them; what an errback yields for a failed download goes to the engine past the
spider middlewares, so the scheduler gives each leased request an errback that watches the
spider's own (``watch_errback``). A callback that fails before yielding anything ends its
request with ``spider_error``. A retry or a redirect ends the lease when it is enqueued.

The scheduler gives the finished leases up between two calls of the engine (``take_finished``),
never inside the signal that finished them, so the frontier already holds the last request.

When the worker is stopped (SIGTERM, systemctl stop: ``WORKER_STOPPING``), what it has leased
but not sent yet (no ``request_reached_downloader``) is handed back to the frontier at once;
those requests end here with ``HandedBack`` before they are sent, and the requests already on
the wire finish as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.asyncgen import as_async_generator
from scrapy.utils.spider import iterate_spider_output
from twisted.python.failure import Failure

# The lease a request came out of the frontier with (its field in the site's lease hash).
META_LEASE = "orgnews_lease"
# Sent to every crawler of a worker that is asked to stop (see ``crawler.runner``).
WORKER_STOPPING = object()


class HandedBack(IgnoreRequest):
    """The request was handed back to the frontier when the worker was stopped: another worker
    fetches it, this one drops it unsent."""


def lease_of(source: Request | Response | Failure | None) -> str | None:
    """The lease field of a request, of the request behind a response or a failed download."""
    request = source if isinstance(source, Request) else getattr(source, "request", None)
    return request.meta.get(META_LEASE) if request is not None else None


@dataclass
class _Lease:
    # Outputs being yielded for the request, plus one until the first starts (its result is pending).
    producing: int = 1
    started: bool = False
    # Everything it yielded, once: an errback's output passes both watches (see ``watch``).
    yielded: dict[int, Any] = field(default_factory=dict)
    # Items not through the pipeline yet, ids of requests not scheduled yet.
    items: int = 0
    requests: set[int] = field(default_factory=set)
    sent: bool = False

    @property
    def done(self) -> bool:
        return self.producing == 0 and not self.items and not self.requests


class LeaseTracker:
    """A Scrapy extension: which leased requests of this crawler are finished, sent, handed back."""

    def __init__(self, crawler: Crawler) -> None:
        self.leases: dict[str, _Lease] = {}
        # id of a yielded request -> the lease waiting for it to be scheduled.
        self.owners: dict[int, str] = {}
        self.finished: list[str] = []
        self.handed_back: set[str] = set()
        self.stopping = asyncio.Event()
        connect = crawler.signals.connect
        connect(self._scheduled, signal=signals.request_scheduled)
        connect(self._sent, signal=signals.request_reached_downloader)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            connect(self._item_done, signal=signal)
        connect(self._spider_error, signal=signals.spider_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaseTracker:
        return cls(crawler)

    # -- told by the scheduler ------------------------------------------------------------------

    def lease(self, name: str, request: Request) -> None:
        self.leases[name] = _Lease()
        request.errback = self.watch_errback(name, request.errback)

    def end(self, name: str) -> None:
        """The lease ended another way (a retry or redirect enqueued, handed back, given back)."""
        self.leases.pop(name, None)

    def take_finished(self) -> list[str]:
        finished, self.finished = self.finished, []
        return finished

    def unsent(self) -> list[str]:
        return [name for name, lease in self.leases.items() if not lease.sent]

    def hand_back(self, name: str) -> None:
        self.handed_back.add(name)
        self.end(name)

    # -- watching what a request yields ------------------------------------------------------------

    async def watch(self, name: str | None, output: AsyncIterator[Any]) -> AsyncIterator[Any]:
        lease = self.leases.get(name) if name is not None else None
        if name is None or lease is None:
            async for entry in output:
                yield entry
            return
        if lease.started:
            # An errback's output for an answer the spider middlewares refused passes the
            # errback's watch inside this one: one more output, the same entries.
            lease.producing += 1
        lease.started = True
        try:
            async for entry in output:
                if entry is not None and id(entry) not in lease.yielded:
                    lease.yielded[id(entry)] = entry
                    if isinstance(entry, Request):
                        lease.requests.add(id(entry))
                        self.owners[id(entry)] = name
                    else:
                        lease.items += 1
                yield entry
        finally:
            lease.producing -= 1
            self._check(name)

    def watch_errback(self, name: str, errback: Callable[..., Any] | None) -> Callable[..., Any]:
        """The request's errback, its output watched; nothing at all for a request handed back."""

        def errback_watched(failure: Failure) -> Any:
            if failure.check(HandedBack) and name in self.handed_back:
                self.handed_back.discard(name)
                return None
            if errback is None:
                # No errback of its own: the failure goes on to Scrapy's log, as it would have.
                self._yields_nothing(name)
                failure.raiseException()
            return self.watch(name, as_async_generator(iterate_spider_output(errback(failure))))

        errback_watched.spider_errback = errback  # type: ignore[attr-defined]
        return errback_watched

    # -- signals -------------------------------------------------------------------------------

    def _scheduled(self, request: Request) -> None:
        name = self.owners.pop(id(request), None)
        lease = self.leases.get(name) if name is not None else None
        if name is not None and lease is not None:
            lease.requests.discard(id(request))
            self._check(name)

    def _item_done(self, response: Response | Failure | None) -> None:
        name = lease_of(response)
        lease = self.leases.get(name) if name is not None else None
        if name is not None and lease is not None and lease.items:
            lease.items -= 1
            self._check(name)

    def _sent(self, request: Request) -> None:
        lease = self.leases.get(lease_of(request) or "")
        if lease is not None:
            lease.sent = True

    def _spider_error(self, response: Response | Failure) -> None:
        """A callback or errback that failed before its output started yields nothing more."""
        name = lease_of(response)
        if name is not None:
            self._yields_nothing(name)

    def _yields_nothing(self, name: str) -> None:
        lease = self.leases.get(name)
        if lease is not None and not lease.started:
            lease.started = True
            lease.producing -= 1
            self._check(name)

    def _check(self, name: str) -> None:
        lease = self.leases.get(name)
        if lease is not None and lease.done:
            del self.leases[name]
            self.finished.append(name)

    async def wait(self, seconds: float) -> None:
        """Sleep ``seconds``, or less when the worker is stopped meanwhile."""
        if self.stopping.is_set():
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)


class LeaseOutputMiddleware:
    """Spider middleware, the outermost: watches what each leased request's callback yields."""

    def __init__(self, crawler: Crawler) -> None:
        tracker = crawler.get_extension(LeaseTracker)
        assert tracker is not None, "EXTENSIONS must enable crawler.cluster.leases.LeaseTracker"
        self.tracker = tracker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaseOutputMiddleware:
        return cls(crawler)

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for entry in self.tracker.watch(lease_of(response), result):
            yield entry
