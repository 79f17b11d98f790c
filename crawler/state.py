"""The crawl's state: what one site's crawl knows and where what it finds goes.

One component holds it for each crawler: the archived article URLs (so the incremental
middleware fetches only what is new), the settled URLs (never articles, see
``crawler.settled``), the run record, and the store that each finished page goes to. The
incremental middleware asks it, the pipeline hands it every page; neither opens the archive
itself. ``LocalCrawlState`` keeps all of it in ``archive.db`` and ``DATA_DIR/jobs/``; a
cluster worker swaps in a state kept in Redis (``crawler.cluster``) with the same interface.

It is a Scrapy extension (``EXTENSIONS`` in settings): built by ``from_crawler`` before the
engine's middlewares and pipelines, which find it with ``crawl_state(crawler)``.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from archive.datadir import DataDir
from crawler.items import Fetch, PageResult
from crawler.notices import record_notices
from crawler.runstats import coverage_alerts, list_alerts, unverified_alerts
from crawler.settled import ROBOTS, SettledUrls, settled_path

logger = logging.getLogger(__name__)


class CrawlStateMissing(RuntimeError):
    """No crawl-state extension is enabled for this crawler."""


def crawl_state(crawler: Crawler) -> CrawlState:
    """The crawler's crawl state (the enabled ``CrawlState`` extension)."""
    state = crawler.get_extension(CrawlState)
    if state is not None:
        return state
    raise CrawlStateMissing(
        "no crawl state is enabled: EXTENSIONS must name one (crawler.state.LocalCrawlState)"
    )


def record_fetch(archive: Any, fetch: Fetch, run_id: Any, site: str) -> int:
    """Record one fetch of a crawl in the archive (with its place in the WARC files); its id."""
    warc = fetch.warc
    return archive.record_fetch(
        url=fetch.url,
        status=fetch.status,
        outcome=fetch.outcome,
        run_id=run_id,
        fetched_at=fetch.fetched_at or datetime.now(UTC).isoformat(timespec="seconds"),
        warc_file=warc.file if warc else None,
        warc_offset=warc.offset if warc else None,
        warc_length=warc.length if warc else None,
        detail=fetch.detail,
        etag=fetch.etag,
        last_modified=fetch.last_modified,
        site=site,
    )


def finish_archive_run(
    archive: Any,
    run_id: int,
    profile: Any,
    status: str,
    stats: dict[str, Any],
    coverage: dict[str, float],
    articles: int,
) -> list[str]:
    """Close a run in the archive with its alerts; returns the coverage alerts it raised."""
    site = profile.name
    recent = [r for r in archive.recent_coverage(site, limit=6) if r.get("id") != run_id]
    alerts = coverage_alerts(site, coverage, articles, recent[:5])
    # The run also records the start lists that gave nothing and what its profile takes on
    # trust, so that `orgnews runs` and the summary show them.
    recorded = [
        *list_alerts(site, stats.get("list_problems") or []),
        *unverified_alerts(site, profile.unverified),
        *alerts,
    ]
    archive.finish_run(run_id, status=status, stats=stats, field_coverage=coverage, alerts=recorded)
    return alerts


class CrawlState(ABC):
    """What one site's crawl reads and records; one instance per crawler."""

    site: str

    # -- what the incremental middleware asks --------------------------------------------------

    @abstractmethod
    def known_count(self) -> int:
        """How many articles of the site are archived already."""

    @abstractmethod
    def is_known(self, url: str) -> bool:
        """Whether the archive holds an article under ``url``."""

    @abstractmethod
    def article_state(self, url: str) -> dict[str, Any] | None:
        """What a refresh of an archived article needs (etag, last_modified, published_at,
        first_seen), or None when the state cannot say."""

    @abstractmethod
    def settled_reason(self, url: str) -> str | None:
        """Why ``url`` will never become an article, or None."""

    def is_robots_settled(self, url: str) -> bool:
        return self.settled_reason(url) == ROBOTS

    @abstractmethod
    def previous_run_incomplete(self) -> bool:
        """True when the site's last run did not complete, so this one walks every list page."""

    # -- what the pipeline tells ---------------------------------------------------------------

    @abstractmethod
    def start_run(self, options: dict[str, Any]) -> Any:
        """Open the run record; returns its id."""

    @abstractmethod
    def save_page(self, page: PageResult) -> str | None:
        """Store a page's fetches and article, all or nothing. Returns the article's fate in the
        archive ("new", "updated", "unchanged"), or None when there is no article or the archive
        learns of it later."""

    @abstractmethod
    def settle(self, url: str, reason: str) -> None:
        """Remember that ``url`` will never become an article."""

    @abstractmethod
    def finish_run(
        self, status: str, stats: dict[str, Any], coverage: dict[str, float], articles: int
    ) -> list[str]:
        """Close the run record; returns the coverage alerts raised (none when decided later)."""


class LocalCrawlState(CrawlState):
    """The crawl state of a one-machine crawl: ``archive.db`` and ``DATA_DIR/jobs/<site>/``."""

    def __init__(self, crawler: Crawler) -> None:
        from archive import Archive

        self.site = crawler.spider.site  # type: ignore[union-attr]
        self.profile = crawler.spider.profile  # type: ignore[union-attr]
        data_dir = DataDir.resolve(crawler.settings.get("ORGNEWS_DATA_DIR"))
        # One connection per crawler, shared by the middleware's reads and the pipeline's writes.
        self.archive = Archive.open(data_dir.archive_db)
        self.settled = SettledUrls(settled_path(data_dir.jobs_dir, self.site)).load()
        self.known: set[str] = self.archive.known_article_urls(self.site)
        self.run_id: int | None = None
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LocalCrawlState:
        return cls(crawler)

    def known_count(self) -> int:
        return len(self.known)

    def is_known(self, url: str) -> bool:
        return url in self.known

    def article_state(self, url: str) -> dict[str, Any] | None:
        return self.archive.article_state(url)

    def settled_reason(self, url: str) -> str | None:
        return self.settled.reasons.get(url)

    def previous_run_incomplete(self) -> bool:
        runs = self.archive.runs(site=self.site, limit=1)
        return bool(runs) and runs[0].get("status") != "completed"

    def start_run(self, options: dict[str, Any]) -> int:
        self.archive.upsert_site(self.profile.name, title=self.profile.title, hosts=list(self.profile.hosts))
        self._close_stale_runs()
        self.run_id = self.archive.start_run(self.site, options=options)
        return self.run_id

    def _close_stale_runs(self) -> None:
        """Runs left "running" by a crawl that was killed; the lock says none is really running."""
        for run in self.archive.runs(site=self.site, limit=20):
            if run.get("status") == "running":
                self.archive.finish_killed_run(
                    run["id"],
                    "the crawl ended without finishing this run (killed or crashed); "
                    "its fetches and articles are kept and the next run walked every list page",
                )

    def save_page(self, page: PageResult) -> str | None:
        with self.archive.transaction():
            fetch_ids = [record_fetch(self.archive, fetch, self.run_id, self.site) for fetch in page.fetches]
            if page.article is None:
                return None
            result = self.archive.save_article(
                page.article,
                fetch_id=fetch_ids[0] if fetch_ids else None,
                seen_at=page.fetches[0].fetched_at if page.fetches else None,
            )
            record_notices(self.archive, result.article_id, page.article, result.status)
            return result.status

    def settle(self, url: str, reason: str) -> None:
        self.settled.add(url, reason)

    def finish_run(
        self, status: str, stats: dict[str, Any], coverage: dict[str, float], articles: int
    ) -> list[str]:
        if self.run_id is None:
            return []
        return finish_archive_run(self.archive, self.run_id, self.profile, status, stats, coverage, articles)

    def close(self) -> None:
        self.archive.close()
        self.settled.close()
