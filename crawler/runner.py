"""Run the ``news`` spider for several sites in one Scrapy process, reporting progress as it goes.

Twisted's reactor starts once per process, so all sites of one ``orgnews crawl`` run
side by side in one ``CrawlerProcess``, one crawler (and one archive run) per site.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from archive.datadir import DataDir


@dataclass
class CrawlOptions:
    data_dir: DataDir
    replay_url: str | None = None
    contact: str | None = None
    refresh_days: int = 0
    refresh_since: str | None = None
    since: str | None = None
    max_pages: int = 0
    log_file: str | None = None
    # A ``crawler.cluster.worker.ClusterWorker`` when this crawl is one worker of a Redis cluster.
    cluster: Any = None


@dataclass
class SiteProgress:
    """A live view of one site's crawl, read from its crawler's stats."""

    site: str
    pages: int = 0
    new: int = 0
    updated: int = 0
    errors: int = 0
    blocked: int = 0
    finished: bool = False
    finish_reason: str | None = None
    status: str | None = None
    run_id: Any = None
    alerts: list[str] = field(default_factory=list)
    # Why the site's crawl stopped early or never started (a cluster worker that lost Redis).
    cluster_error: str | None = None


def crawl_settings(options: CrawlOptions) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    values = {
        "ORGNEWS_DATA_DIR": str(options.data_dir.root),
        "ORGNEWS_REPLAY_URL": options.replay_url or "",
        "ORGNEWS_REFRESH_DAYS": options.refresh_days,
        "ORGNEWS_REFRESH_SINCE": options.refresh_since or "",
        "ORGNEWS_SINCE": options.since or "",
        "ORGNEWS_MAX_PAGES": options.max_pages,
    }
    if options.contact:
        values["ORGNEWS_CONTACT"] = options.contact
    if options.log_file:
        values["LOG_FILE"] = options.log_file
    settings.setdict(values, priority="cmdline")
    if options.cluster is not None:
        from crawler.cluster.settings import cluster_settings

        worker = options.cluster
        cluster_settings(settings, worker.url, worker.holder, worker.name)
    return settings


def default_log_file(data_dir: DataDir) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return str(data_dir.logs_dir / f"crawl-{stamp}.log")


def _progress(site: str, crawler: Crawler) -> SiteProgress:
    stats = getattr(crawler, "stats", None)
    if stats is None:
        return SiteProgress(site)
    get = stats.get_value
    reason = get("finish_reason")
    return SiteProgress(
        site=site,
        pages=get("orgnews/pages_fetched", 0),
        new=get("orgnews/articles_new", 0),
        updated=get("orgnews/articles_updated", 0),
        errors=get("orgnews/fetch_errors", 0) + get("orgnews/articles_failed", 0),
        blocked=get("orgnews/fetches_blocked", 0),
        finished=reason is not None,
        finish_reason=reason,
        status=get("orgnews/run_status"),
        run_id=get("orgnews/run_id"),
        alerts=list(get("orgnews/alerts") or []),
        cluster_error=get("orgnews/cluster_error"),
    )


def run_crawl(
    sites: list[str],
    options: CrawlOptions,
    on_tick: Callable[[list[SiteProgress]], None] | None = None,
    tick_seconds: float = 0.5,
) -> list[SiteProgress]:
    """Crawl ``sites`` to completion (or until interrupted) and return each site's final progress."""
    from crawler.spiders.news import NewsSpider

    process = CrawlerProcess(crawl_settings(options))
    crawlers: dict[str, Crawler] = {}
    # Why a site's crawler could not start (say, Redis went away while it was being built).
    start_errors: dict[str, str] = {}
    for site in sites:
        crawler = process.create_crawler(NewsSpider)
        crawlers[site] = crawler
        process.crawl(crawler, site=site).addErrback(_start_failed, site, start_errors)

    def snapshot() -> list[SiteProgress]:
        rows = [_progress(site, crawler) for site, crawler in crawlers.items()]
        for row in rows:
            row.cluster_error = row.cluster_error or start_errors.get(row.site)
        return rows

    if on_tick is not None:
        from twisted.internet import reactor, task

        ticker = task.LoopingCall(lambda: on_tick(snapshot()))
        reactor.callWhenRunning(ticker.start, tick_seconds, now=True)  # type: ignore[attr-defined]
    if options.cluster is not None:
        _keep_lease(process, options.cluster)
        _hand_back_when_stopped(list(crawlers.values()))
    process.start()
    return snapshot()


def _start_failed(failure: Any, site: str, start_errors: dict[str, str]) -> None:
    """A crawler that failed to start: the message is kept for the summary, the traceback for the log."""
    import logging

    start_errors[site] = failure.getErrorMessage()
    logging.getLogger(__name__).error("%s: the crawl could not start: %s", site, failure.getErrorMessage())


def _keep_lease(process: CrawlerProcess, worker: Any) -> None:
    """Renew a cluster worker's lease while the crawl runs; stop the crawl when Redis is lost."""
    from twisted.internet import reactor, task

    from crawler.cluster.keys import ClusterError

    def renew() -> None:
        try:
            worker.renew()
        except ClusterError as exc:
            worker.error = str(exc)
            renewing.stop()
            process.stop()

    renewing = task.LoopingCall(renew)
    # The lease starts with the reactor, before the engines ask the frontier for anything.
    reactor.callWhenRunning(renewing.start, worker.renew_every, now=True)  # type: ignore[attr-defined]


def _hand_back_when_stopped(crawlers: list[Crawler]) -> None:
    """On SIGTERM or SIGINT, a cluster worker first hands back what it has leased and not sent
    (``crawler.cluster.leases``), then stops as Scrapy does (finishing what is on the wire)."""
    import signal

    from twisted.internet import reactor

    from crawler.cluster.leases import WORKER_STOPPING

    def tell_crawlers() -> None:
        for crawler in crawlers:
            crawler.signals.send_catch_log(signal=WORKER_STOPPING)

    def chain(signum: int) -> None:
        scrapy_handler = signal.getsignal(signum)

        def stopped(number: int, frame: Any) -> None:
            reactor.callFromThread(tell_crawlers)  # type: ignore[attr-defined]
            if callable(scrapy_handler):
                scrapy_handler(number, frame)

        signal.signal(signum, stopped)

    # Scrapy installs its shutdown handlers once the reactor runs; this goes in front of them.
    def install() -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            chain(signum)

    reactor.callWhenRunning(reactor.callLater, 0, install)  # type: ignore[attr-defined]
