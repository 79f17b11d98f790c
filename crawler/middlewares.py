"""Downloader middlewares: robots.txt, replay switch, raw capture, bot-challenge back-off, retry back-off.

Each one does one job and reads its settings in ``from_crawler``. The order (see
``DOWNLOADER_MIDDLEWARES`` in settings) matters: the replay switch is outermost so
every other component sees the real URL of a response, and raw capture sits next
to it so the WARC holds the bytes as they came off the wire.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from archive.datadir import DataDir
from crawler import requestmeta
from crawler.warc import WarcRecorder

logger = logging.getLogger(__name__)


def _replay_base(settings: BaseSettings) -> str:
    return (settings.get("ORGNEWS_REPLAY_URL") or "").rstrip("/")


def real_url(url: str, replay_base: str) -> str:
    """The URL as the live site knows it, whether or not the request went to the replay server."""
    if replay_base and url.startswith(replay_base + "/"):
        from crawler.replay import original_url

        return original_url(replay_base, url)
    return url


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt check, with every request that waits for a host's robots.txt judged by it.

    Scrapy's own middleware has the requests that arrive while a host's robots.txt is being
    fetched wait on one shared Deferred, each through ``maybe_deferred_to_future``; under the
    asyncio reactor that turns the Deferred's result into None for every waiter after the first,
    and None means "no robots.txt": all of them went out unchecked. Here each waiter gets a
    Deferred of its own, fired with the shared result, which passes on unchanged.
    """

    async def robot_parser(self, request: Request) -> Any:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        own: Deferred = Deferred()

        def hand_on(result: Any) -> Any:
            own.callback(result)
            return result

        pending.addCallback(hand_on)
        return await maybe_deferred_to_future(own)


class ReplayMiddleware:
    """Send every request to the local replay server and give each response its real URL back.

    Only the URL changes: the spider, the robots.txt check (done on the real URL before
    this middleware runs), capture, extraction and storage take the same path as live.
    """

    def __init__(self, base: str) -> None:
        self.base = base

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        from scrapy.exceptions import NotConfigured

        base = _replay_base(crawler.settings)
        if not base:
            raise NotConfigured("ORGNEWS_REPLAY_URL is not set")
        return cls(base)

    def process_request(self, request: Request) -> Request | None:
        if request.url.startswith(self.base + "/"):
            return None
        from crawler.replay import replay_url

        target = replay_url(self.base, request.url, method=request.method, body=request.body or None)
        # Readdressed in place rather than rescheduled: a second trip through the scheduler and
        # every middleware would cost as much as the rest of the pipeline. robots.txt was checked
        # on the real URL by the middleware before this one.
        request._set_url(target)
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if response.url.startswith(self.base + "/"):
            return response.replace(url=real_url(response.url, self.base))
        return response


class WarcCaptureMiddleware:
    """Write every response, with its request, to the run's WARC files; remember where in request meta."""

    def __init__(self, recorder: WarcRecorder, replay_base: str) -> None:
        self.recorder = recorder
        self.replay_base = replay_base

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        settings = crawler.settings
        data_dir = DataDir.resolve(settings.get("ORGNEWS_DATA_DIR"))
        site = getattr(crawler.spider, "site", None) or "orgnews"
        # A cluster worker's files carry its name, so the ingest's archive can point into each
        # worker's folder without two files ever sharing a name.
        worker = settings.get("ORGNEWS_WORKER_NAME")
        recorder = WarcRecorder(
            data_dir.warc_dir,
            prefix=f"{worker}-{site}" if worker else site,
            max_size=settings.getint("ORGNEWS_WARC_MAX_SIZE"),
        )
        middleware = cls(recorder, _replay_base(settings))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        fetched_at = datetime.now(UTC)
        location = self.recorder.write(
            url=response.url,
            status=response.status,
            response_headers=_header_pairs(response.headers),
            body=response.body,
            method=request.method,
            request_headers=_header_pairs(request.headers),
            request_body=request.body or None,
            fetched_at=fetched_at,
        )
        request.meta[requestmeta.WARC] = location
        request.meta[requestmeta.FETCHED_AT] = fetched_at.isoformat(timespec="seconds")
        return response

    def spider_closed(self) -> None:
        self.recorder.close()


def detect_challenge(status: int, body: bytes) -> str | None:
    """Name the bot challenge a response is, or None for an ordinary page."""
    head = body[:32768]
    if status == 412 or (b"$_ts" in head and len(body) < 32768):
        return "瑞数 challenge (HTTP 412 or $_ts script)"
    # 加速乐 may spell the cookie name in pieces ('_')+('_')+('jsl…'); the reload after it does not vary.
    if (
        status == 521
        or b"__jsl_clearance" in head
        or (b"location.href=location.pathname+location.search" in head and len(body) < 32768)
    ):
        return "加速乐 challenge (HTTP 521 or __jsl_clearance)"
    if status in (403, 503) and (
        b"Just a moment" in head or b"cf-chl" in head or b"challenge-platform" in head
    ):
        return "Cloudflare challenge (Just a moment...)"
    return None


class ChallengeMiddleware:
    """Recognise bot-challenge answers and make that host back off.

    A challenged response still reaches the spider (marked in ``request.meta``) so the
    fetch is recorded as blocked and captured, but it is never parsed as an article.
    The host's download slot then waits ``ORGNEWS_CHALLENGE_BACKOFF`` seconds, doubling
    with every further challenge; after ``ORGNEWS_CHALLENGE_STRIKES`` challenges the
    host's remaining requests are dropped for this run (the next run tries again).
    What each host got (challenges, the delay its slot now has, requests dropped) goes
    to the ``orgnews/hosts_backed_off`` stat, which the run record keeps.
    """

    def __init__(self, crawler: Crawler, backoff: float, strikes: int, replay_base: str) -> None:
        self.crawler = crawler
        self.backoff = backoff
        self.max_strikes = strikes
        self.replay_base = replay_base
        self.strikes: dict[str, int] = {}
        self.backed_off: dict[str, dict[str, float]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ChallengeMiddleware:
        settings = crawler.settings
        return cls(
            crawler,
            settings.getfloat("ORGNEWS_CHALLENGE_BACKOFF"),
            settings.getint("ORGNEWS_CHALLENGE_STRIKES"),
            _replay_base(settings),
        )

    def _host(self, url: str) -> str:
        return urlsplit(real_url(url, self.replay_base)).hostname or ""

    def process_request(self, request: Request) -> None:
        host = self._host(request.url)
        if self.strikes.get(host, 0) >= self.max_strikes:
            self.crawler.stats.inc_value("orgnews/requests_dropped_blocked_host")
            self._note(host, dropped=self.backed_off.get(host, {}).get("dropped", 0) + 1)
            raise IgnoreRequest(
                f"{host} answered {self.max_strikes} bot challenges in this run; "
                "not asking it again until the next run"
            )

    def process_response(self, request: Request, response: Response) -> Response:
        reason = detect_challenge(response.status, response.body)
        if reason is None:
            return response
        host = self._host(response.url)
        strikes = self.strikes[host] = self.strikes.get(host, 0) + 1
        request.meta[requestmeta.BLOCKED] = reason
        self.crawler.stats.inc_value("orgnews/challenges")
        delay = self.backoff * 2 ** (strikes - 1)
        slot = self._slot(request)
        if slot is not None:
            slot.delay = max(slot.delay, delay)
        # The slot's own delay is recorded, so the run shows what the downloader really does.
        self._note(
            host,
            challenges=strikes,
            delay=slot.delay if slot is not None else 0.0,
            dropped=self.backed_off.get(host, {}).get("dropped", 0),
        )
        logger.warning(
            "%s answered %s with a %s (strike %d of %d); backing off %.0f s",
            host,
            response.url,
            reason,
            strikes,
            self.max_strikes,
            delay,
        )
        return response

    def _note(self, host: str, **values: float) -> None:
        self.backed_off[host] = {**self.backed_off.get(host, {}), **values}
        self.crawler.stats.set_value(
            "orgnews/hosts_backed_off", {h: dict(v) for h, v in self.backed_off.items()}
        )

    def _slot(self, request: Request) -> Any:
        engine = self.crawler.engine
        if engine is None:
            return None
        downloader = engine.downloader
        return downloader.slots.get(downloader.get_slot_key(request))


class RetryBackoffMiddleware(RetryMiddleware):
    """Scrapy's retry, waiting ``BASE ** attempt`` seconds (capped) before each new attempt."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("ORGNEWS_RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("ORGNEWS_RETRY_BACKOFF_MAX")

    async def _pause(self, result: Any) -> None:
        if isinstance(result, Request) and self.backoff_base > 0:
            attempt = result.meta.get("retry_times", 1)
            await asyncio.sleep(min(self.backoff_base**attempt, self.backoff_max))

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        result = super().process_response(request, response)
        await self._pause(result)
        return result

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        result = super().process_exception(request, exception)
        await self._pause(result)
        return result
