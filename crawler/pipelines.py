"""The archive pipeline: one run per crawl, every fetch recorded, every article stored.

The pipeline counts and decides; the crawl state (``crawler.state``) stores. Each
``PageResult`` is stored all or nothing (one archive transaction: its fetch rows, then
the article), so a crawl killed between two pages leaves either all of a page or none
of it, and a rerun fills the gap. The archive's writes are keyed by URL, which
makes replaying a page after a crash harmless.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.items import PageResult
from crawler.runstats import STAT_LIST_PROBLEMS, CoverageCounter, unverified_alerts
from crawler.settled import settled_reason
from crawler.state import crawl_state

logger = logging.getLogger(__name__)

# Stats names the progress line and the run record read.
STAT_PAGES = "orgnews/pages_fetched"
STAT_ERRORS = "orgnews/fetch_errors"
STAT_BLOCKED = "orgnews/fetches_blocked"
STAT_FAILED = "orgnews/articles_failed"
STAT_NOT_MODIFIED = "orgnews/not_modified"
# Failures worth trying again next run: no answer, server errors, throttling, challenges.
STAT_TRANSIENT = "orgnews/transient_failures"


def stat_article(status: str) -> str:
    return f"orgnews/articles_{status}"


class ArchivePipeline:
    """Counts what each page brought, decides which URLs are settled, and hands the page to the
    crawl state, which stores it (in archive.db, or for a cluster worker in Redis)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.site: str = crawler.spider.site  # type: ignore[union-attr]
        self.state = crawl_state(crawler)
        self.coverage = CoverageCounter()
        self.run_id: Any = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        settings = self.crawler.settings
        options = {
            "replay": bool(settings.get("ORGNEWS_REPLAY_URL")),
            "refresh_days": settings.getint("ORGNEWS_REFRESH_DAYS"),
            "since": settings.get("ORGNEWS_SINCE") or None,
            "max_pages": settings.getint("ORGNEWS_MAX_PAGES"),
            "user_agent": settings.get("USER_AGENT"),
        }
        self.run_id = self.state.start_run(options)
        self.stats.set_value("orgnews/run_id", self.run_id)
        profile = self.crawler.spider.profile  # type: ignore[union-attr]
        for note in unverified_alerts(self.site, profile.unverified):
            # Once per run, so that a profile value taken on trust is never walked silently.
            logger.warning("%s", note)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, PageResult):
            return item
        for fetch in item.fetches:
            self._count(fetch)
        if item.article is not None:
            # Runs, known URLs and the archive's site column all speak of the profile's name.
            item.article.site = self.site
        status = self.state.save_page(item)
        if item.article is not None:
            if status is not None:
                self.stats.inc_value(stat_article(status))
            self.coverage.add(item.article)
        if item.settled and item.article_url:
            self.state.settle(item.article_url, item.settled)
        elif item.article is not None and item.article_url and item.article_url != item.article.url:
            # Lists that still link the old address (news.12371.cn -> www.12371.cn) must not make
            # the crawl fetch it again every night: the article is archived under its new URL.
            self.state.settle(item.article_url, f"redirected to {item.article.url}")
        elif item.kind == "detail" and item.article is None and len(item.fetches) == 1:
            fetch = item.fetches[0]
            reason = settled_reason(fetch.outcome, fetch.status, fetch.reason, fetch.detail)
            if reason:
                self.state.settle(item.article_url or fetch.url, reason)
        return item

    def _count(self, fetch: Any) -> None:
        self.stats.inc_value(STAT_PAGES)
        if fetch.outcome == "blocked":
            self.stats.inc_value(STAT_BLOCKED)
            self.stats.inc_value(STAT_TRANSIENT)
        elif fetch.outcome == "error":
            self.stats.inc_value(STAT_ERRORS)
            if fetch.status is None or fetch.status >= 500 or fetch.status in (408, 429):
                self.stats.inc_value(STAT_TRANSIENT)
        elif fetch.outcome == "not-article":
            self.stats.inc_value(STAT_FAILED)
        elif fetch.outcome == "not-modified":
            self.stats.inc_value(STAT_NOT_MODIFIED)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is None:
            return
        get = self.stats.get_value
        stats = {
            "pages_fetched": get(STAT_PAGES, 0),
            "articles_new": get(stat_article("new"), 0),
            "articles_updated": get(stat_article("updated"), 0),
            "articles_unchanged": get(stat_article("unchanged"), 0),
            "articles_failed": get(STAT_FAILED, 0),
            "fetches_blocked": get(STAT_BLOCKED, 0),
            "fetch_errors": get(STAT_ERRORS, 0),
            "not_modified": get(STAT_NOT_MODIFIED, 0),
            "details_known_skipped": get("orgnews/details_known_skipped", 0),
            "hosts_backed_off": get("orgnews/hosts_backed_off", {}),
            "list_problems": get(STAT_LIST_PROBLEMS, []),
            "finish_reason": reason,
        }
        if reason != "finished":
            status = "interrupted"
        elif get(STAT_TRANSIENT, 0):
            # Something was left undone; the next run walks every list page to find it again.
            status = "partial"
        else:
            status = "completed"
        alerts = self.state.finish_run(status, stats, self.coverage.shares(), self.coverage.articles)
        for alert in alerts:
            logger.error("coverage alert: %s", alert)
        self.stats.set_value("orgnews/run_status", status)
        self.stats.set_value("orgnews/alerts", alerts)
