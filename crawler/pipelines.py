"""The archive pipeline: one run per crawl, every fetch recorded, every article stored.

Each ``PageResult`` is written in one archive transaction (its fetch rows, then the
article), so a crawl killed between two pages leaves either all of a page or none
of it, and a rerun fills the gap. The archive's writes are keyed by URL, which
makes replaying a page after a crash harmless.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.datadir import DataDir
from crawler.items import PageResult
from crawler.runstats import CoverageCounter, coverage_alerts
from crawler.settled import SettledUrls, settled_path, settled_reason

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


def crawler_archive(crawler: Crawler) -> Any:
    """The crawler's one connection to archive.db, shared by its components; closed when the spider closes."""
    archive = getattr(crawler, "orgnews_archive", None)
    if archive is None:
        from archive import Archive

        archive = Archive.open(DataDir.resolve(crawler.settings.get("ORGNEWS_DATA_DIR")).archive_db)
        crawler.orgnews_archive = archive  # type: ignore[attr-defined]
    return archive


class ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.site: str = crawler.spider.site  # type: ignore[union-attr]
        self.archive = crawler_archive(crawler)
        jobs_dir = DataDir.resolve(crawler.settings.get("ORGNEWS_DATA_DIR")).jobs_dir
        self.settled = SettledUrls(settled_path(jobs_dir, self.site)).load()
        self.coverage = CoverageCounter()
        self.run_id: int | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        profile = self.crawler.spider.profile  # type: ignore[union-attr]
        self.archive.upsert_site(profile.name, title=profile.title, hosts=list(profile.hosts))
        settings = self.crawler.settings
        options = {
            "replay": bool(settings.get("ORGNEWS_REPLAY_URL")),
            "refresh_days": settings.getint("ORGNEWS_REFRESH_DAYS"),
            "since": settings.get("ORGNEWS_SINCE") or None,
            "max_pages": settings.getint("ORGNEWS_MAX_PAGES"),
            "user_agent": settings.get("USER_AGENT"),
        }
        self._close_stale_runs()
        self.run_id = self.archive.start_run(self.site, options=options)
        self.stats.set_value("orgnews/run_id", self.run_id)

    def _close_stale_runs(self) -> None:
        """Runs left "running" by a crawl that was killed; the lock says none is really running."""
        for run in self.archive.runs(site=self.site, limit=20):
            if run.get("status") == "running":
                self.archive.finish_run(
                    run["id"],
                    status="killed",
                    stats={},
                    field_coverage={},
                    alerts=[
                        "the crawl ended without finishing this run (killed or crashed); "
                        "its fetches and articles are kept and the next run walked every list page"
                    ],
                )

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, PageResult):
            return item
        with self.archive.transaction():
            fetch_ids = [self._record(fetch) for fetch in item.fetches]
            if item.article is not None:
                # Runs, known URLs and the archive's site column all speak of the profile's name.
                item.article.site = self.site
                result = self.archive.save_article(
                    item.article,
                    fetch_id=fetch_ids[0] if fetch_ids else None,
                    seen_at=item.fetches[0].fetched_at if item.fetches else None,
                )
                self.stats.inc_value(stat_article(result.status))
                self.coverage.add(item.article)
        if item.settled and item.article_url:
            self.settled.add(item.article_url, item.settled)
        elif item.article is not None and item.article_url and item.article_url != item.article.url:
            # Lists that still link the old address (news.12371.cn -> www.12371.cn) must not make
            # the crawl fetch it again every night: the article is archived under its new URL.
            self.settled.add(item.article_url, f"redirected to {item.article.url}")
        elif item.kind == "detail" and item.article is None and len(item.fetches) == 1:
            fetch = item.fetches[0]
            reason = settled_reason(fetch.outcome, fetch.status, fetch.reason, fetch.detail)
            if reason:
                self.settled.add(item.article_url or fetch.url, reason)
        return item

    def _record(self, fetch: Any) -> int:
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
        warc = fetch.warc
        return self.archive.record_fetch(
            url=fetch.url,
            status=fetch.status,
            outcome=fetch.outcome,
            run_id=self.run_id,
            fetched_at=fetch.fetched_at or datetime.now(UTC).isoformat(timespec="seconds"),
            warc_file=warc.file if warc else None,
            warc_offset=warc.offset if warc else None,
            warc_length=warc.length if warc else None,
            detail=fetch.detail,
            etag=fetch.etag,
            last_modified=fetch.last_modified,
            site=self.site,
        )

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
            "finish_reason": reason,
        }
        coverage = self.coverage.shares()
        recent = [r for r in self.archive.recent_coverage(self.site, limit=6) if r.get("id") != self.run_id]
        alerts = coverage_alerts(self.site, coverage, self.coverage.articles, recent[:5])
        for alert in alerts:
            logger.error("coverage alert: %s", alert)
        if reason != "finished":
            status = "interrupted"
        elif get(STAT_TRANSIENT, 0):
            # Something was left undone; the next run walks every list page to find it again.
            status = "partial"
        else:
            status = "completed"
        self.stats.set_value("orgnews/run_status", status)
        self.stats.set_value("orgnews/alerts", alerts)
        self.archive.finish_run(
            self.run_id, status=status, stats=stats, field_coverage=coverage, alerts=alerts
        )
        self.archive.close()
        self.settled.close()
