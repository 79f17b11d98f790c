"""Run the ``news`` spider for several sites in one Scrapy process, reporting progress as it goes.

Twisted's reactor starts once per process, so all sites of one ``orgnews crawl`` run
side by side in one ``CrawlerProcess``, one crawler (and one archive run) per site.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from crawler.datadir import DataDir


@dataclass
class CrawlOptions:
    data_dir: DataDir
    replay_url: str | None = None
    contact: str | None = None
    refresh_days: int = 0
    since: str | None = None
    max_pages: int = 0
    log_file: str | None = None


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
    run_id: int | None = None
    alerts: list[str] = field(default_factory=list)


def crawl_settings(options: CrawlOptions) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    values = {
        "ORGNEWS_DATA_DIR": str(options.data_dir.root),
        "ORGNEWS_REPLAY_URL": options.replay_url or "",
        "ORGNEWS_REFRESH_DAYS": options.refresh_days,
        "ORGNEWS_SINCE": options.since or "",
        "ORGNEWS_MAX_PAGES": options.max_pages,
    }
    if options.contact:
        values["ORGNEWS_CONTACT"] = options.contact
    if options.log_file:
        values["LOG_FILE"] = options.log_file
    settings.setdict(values, priority="cmdline")
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
    for site in sites:
        crawler = process.create_crawler(NewsSpider)
        crawlers[site] = crawler
        process.crawl(crawler, site=site)

    def snapshot() -> list[SiteProgress]:
        return [_progress(site, crawler) for site, crawler in crawlers.items()]

    if on_tick is not None:
        from twisted.internet import reactor, task

        ticker = task.LoopingCall(lambda: on_tick(snapshot()))
        reactor.callWhenRunning(ticker.start, tick_seconds, now=True)  # type: ignore[attr-defined]
    process.start()
    return snapshot()
