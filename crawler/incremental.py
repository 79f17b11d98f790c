"""Incremental crawling: fetch each article once, re-check recent ones, stop list walks early.

A spider middleware sitting on the output of list pages. It drops detail requests
for articles the archive already holds (unless they were published, or first seen,
within the ``--refresh-days`` window: those become conditional requests), drops
details older than ``--since`` when the URL (or the list, beside the link) shows a date, skips URLs settled as
never-articles (see ``crawler.settled``), and drops the next list page when this one
brought nothing new. When the previous run of the site did not finish cleanly, the
walk does not stop early, so whatever that run left undone is found again.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler import requestmeta
from crawler.extract.dates import BEIJING, date_from_url
from crawler.state import crawl_state

logger = logging.getLogger(__name__)


def day_from_url(url: str) -> date | None:
    """The publication day a detail URL carries, as the extractor reads it (``date_from_url``)."""
    found = date_from_url(url)
    return date.fromisoformat(found[:10]) if found else None


class IncrementalMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.stats = crawler.stats
        self.site: str = crawler.spider.site  # type: ignore[union-attr]
        self.state = crawl_state(crawler)
        self.refresh_since = refresh_window(
            settings.getint("ORGNEWS_REFRESH_DAYS"), settings.get("ORGNEWS_REFRESH_SINCE") or None
        )
        since = settings.get("ORGNEWS_SINCE")
        self.since: date | None = date.fromisoformat(since) if since else None
        self.max_pages = settings.getint("ORGNEWS_MAX_PAGES")
        self.full_walk = self.state.previous_run_incomplete()
        if self.full_walk:
            logger.info("%s: the previous run did not complete; walking every list page this time", self.site)
        self.stats.set_value("orgnews/known_articles", self.state.known_count())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        return cls(crawler)

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        if response.meta.get(requestmeta.KIND) != "list":
            async for entry in result:
                yield entry
            return
        details: list[Request] = []
        lists: list[Request] = []
        async for entry in result:
            if isinstance(entry, Request) and entry.meta.get(requestmeta.KIND) == "detail":
                details.append(entry)
            elif isinstance(entry, Request) and entry.meta.get(requestmeta.KIND) == "list":
                lists.append(entry)
            else:
                yield entry
        new = 0
        for request in details:
            kept = self._filter_detail(request)
            if kept is not None:
                new += kept is request
                yield kept
        for request in lists:
            if self.max_pages and request.meta.get(requestmeta.LIST_DEPTH, 1) > self.max_pages:
                self.stats.inc_value("orgnews/lists_beyond_max_pages")
            elif new == 0 and not self.full_walk and not request.meta.get(requestmeta.ITEM_LIST):
                self.stats.inc_value("orgnews/list_walks_stopped")
                logger.info("%s brought nothing new; not following %s", response.url, request.url)
            else:
                yield request

    def _filter_detail(self, request: Request) -> Request | None:
        """The request to send (the same one if the article is new), or None to skip it."""
        url = request.meta.get(requestmeta.ARTICLE_URL, request.url)
        if self.since is not None:
            listed = request.meta.get(requestmeta.LISTED_ON)
            published = day_from_url(url) or (date.fromisoformat(listed) if listed else None)
            if published is not None and published < self.since:
                self.stats.inc_value("orgnews/details_before_since")
                return None
        if self.state.is_robots_settled(url):
            # Passed on for robots.txt to judge again, but it is nothing new.
            return request.replace(meta={**request.meta, requestmeta.ROBOTS_SETTLED: True})
        if self.state.settled_reason(url) is not None:
            self.stats.inc_value("orgnews/details_settled_skipped")
            return None
        if not self.state.is_known(url):
            return request
        stored = self.state.article_state(url) if self.refresh_since else None
        age = article_age(stored) if stored else None
        if stored is None or age is None or self.refresh_since is None or age < self.refresh_since:
            self.stats.inc_value("orgnews/details_known_skipped")
            return None
        headers = {}
        if stored.get("etag"):
            headers["If-None-Match"] = stored["etag"]
        if stored.get("last_modified"):
            headers["If-Modified-Since"] = stored["last_modified"]
        self.stats.inc_value("orgnews/details_refreshed")
        return request.replace(
            headers={**request.headers.to_unicode_dict(), **headers},
            meta={**request.meta, requestmeta.REFRESH: True},
        )


def refresh_window(days: int, since: str | None) -> datetime | None:
    """Where the re-check window opens: ``days`` ago, or at the start of the day ``since``
    (Beijing time, as the pages print it), whichever is earlier; None for no window."""
    opens = [datetime.now(UTC) - timedelta(days=days)] if days > 0 else []
    if since:
        opens.append(datetime.combine(date.fromisoformat(since), datetime.min.time(), tzinfo=BEIJING))
    return min(opens, default=None)


def article_age(state: dict[str, Any]) -> datetime | None:
    """When an archived article came into the world, for the ``--refresh-days`` window.

    Its printed publication time when the extractor found one, else when the archive first
    saw it. Never ``last_seen``: that moves on every run that lists the article again, so
    an old article would stay in the window for ever and be re-checked every night.
    """
    return _parse_time(state.get("published_at")) or _parse_time(state.get("first_seen"))


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
