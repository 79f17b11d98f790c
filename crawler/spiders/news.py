"""The one spider: a site profile says where to start and how to read lists and details.

    scrapy crawl news -a site=12371

The spider only turns the profile's ``RequestSpec``s into requests and pages into
``PageResult``s; politeness, capture, challenge handling, incremental filtering and
storage are middlewares and the pipeline (see ``crawler/settings.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from functools import cache
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler import PROJECT_URL, __version__, requestmeta
from crawler.details import PageAssembly, parse_detail
from crawler.extract import NotAnArticle
from crawler.items import Fetch, PageResult, fetch_from_response
from crawler.lists import NO_DETAIL_LINKS, ListError, moved_hint, parse_list, start_requests
from crawler.middlewares import real_url
from crawler.profiles import get_profile, load_profiles
from crawler.runstats import STAT_LIST_PROBLEMS
from crawler.settled import ROBOTS

# Details before further list pages, continuation pages before new details: work in hand finishes first.
PRIORITY = {"list": 0, "detail": 10, "page": 20}


def user_agent(contact: str) -> str:
    """An honest User-Agent: what we are and whom to write to (the project, when no contact is given:
    never a local account or host name, which would tell every site about the operator's machine)."""
    contact = contact or PROJECT_URL
    return f"orgnews/{__version__} (news archive crawler; contact: {contact})"


def apply_politeness(settings: Any, profile: Any) -> None:
    """Profile overrides for live hosts; no delays at all against the local replay server."""
    if settings.get("ORGNEWS_REPLAY_URL"):
        settings.set("DOWNLOAD_DELAY", settings.getfloat("ORGNEWS_REPLAY_DELAY"), priority="spider")
        settings.set("DOWNLOAD_DELAY_JITTER", 0, priority="spider")
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 16, priority="spider")
        settings.set("CONCURRENT_REQUESTS", 16, priority="spider")
        settings.set("ORGNEWS_RETRY_BACKOFF_BASE", 0, priority="spider")
        # A token back-off: the challenged host's slot still slows down, as live, without stalling the demo.
        settings.set("ORGNEWS_CHALLENGE_BACKOFF", 0.05, priority="spider")
        return
    politeness = getattr(profile, "politeness", None) or {}
    if politeness.get("download_delay") is not None:
        # Never below the floor, whatever a profile says.
        floor = settings.getfloat("ORGNEWS_MIN_DOWNLOAD_DELAY")
        settings.set("DOWNLOAD_DELAY", max(floor, float(politeness["download_delay"])), priority="spider")
    if politeness.get("concurrency") is not None:
        settings.set(
            "CONCURRENT_REQUESTS_PER_DOMAIN", min(2, int(politeness["concurrency"])), priority="spider"
        )


@cache
def _all_profiles() -> dict[str, Any]:
    # One parse of crawler/sites/ per process, however many sites it crawls.
    return load_profiles()


def profile_named(name: str) -> Any:
    profiles = _all_profiles()
    # An unknown name goes through get_profile for its error listing the known names.
    return profiles[name] if name in profiles else get_profile(name)


def response_outcome(response: Response) -> tuple[str, str] | None:
    """The fetch outcome for answers that carry no page to parse, with a reason."""
    if response.meta.get(requestmeta.BLOCKED):
        return "blocked", response.meta[requestmeta.BLOCKED]
    if response.status == 304:
        return "not-modified", "304 Not Modified"
    if response.status >= 400:
        return "error", f"HTTP {response.status}"
    return None


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, site: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not site:
            raise ValueError("which site? run `scrapy crawl news -a site=NAME` (see `orgnews sites`)")
        self.profile = profile_named(site)
        self.site: str = self.profile.name

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if not settings.get("USER_AGENT"):
            settings.set("USER_AGENT", user_agent(settings.get("ORGNEWS_CONTACT") or ""), priority="spider")
        apply_politeness(settings, spider.profile)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        since = self.settings.get("ORGNEWS_SINCE")
        for spec in start_requests(self.profile, date.fromisoformat(since) if since else None, self._today()):
            yield self.request(spec, depth=1)

    def _today(self) -> date | None:
        """The day a walk by month starts from: the replay's own day when crawling the replay."""
        if not self.settings.get("ORGNEWS_REPLAY_URL"):
            return None
        from crawler.replay import REPLAY_TODAY

        return REPLAY_TODAY

    def request(self, spec: Any, depth: int = 0) -> scrapy.Request:
        callback = self.parse_list if spec.kind == "list" else self.parse_detail
        return scrapy.Request(
            spec.url,
            method=spec.method,
            body=spec.body,
            headers=spec.headers or None,
            callback=callback,
            errback=self.on_error,
            priority=PRIORITY[spec.kind],
            # List pages change between runs; they must never be skipped as already seen.
            dont_filter=spec.kind == "list",
            meta={
                **spec.meta,
                requestmeta.SPEC: spec,
                requestmeta.KIND: spec.kind,
                requestmeta.LIST_DEPTH: depth,
                requestmeta.ARTICLE_URL: spec.meta.get("article_url", spec.url),
            },
        )

    def parse_list(self, response: Response) -> Iterator[Any]:
        outcome = response_outcome(response)
        if outcome:
            problem = f"answered {outcome[1]}{moved_hint(response.status)}"
            self._start_list_problem(response.meta, response.url, problem)
            yield PageResult(self.site, "list", [fetch_from_response(response, *outcome)])
            return
        try:
            details, lists = parse_list(
                self.profile,
                response.meta[requestmeta.SPEC],
                response.body,
                response.headers.to_unicode_dict(),
            )
        except ListError as exc:
            self.logger.error("cannot read list %s: %s", response.url, exc)
            self._start_list_problem(response.meta, response.url, f"cannot be read: {exc}")
            yield PageResult(self.site, "list", [fetch_from_response(response, "error", str(exc))])
            return
        item_lists = any(spec.meta.get(requestmeta.ITEM_LIST) for spec in lists)
        if not details and not item_lists:
            self._start_list_problem(response.meta, response.url, NO_DETAIL_LINKS)
        yield PageResult(self.site, "list", [fetch_from_response(response, "list")])
        for spec in details:
            yield self.request(spec)
        depth = response.meta.get(requestmeta.LIST_DEPTH, 1)
        for spec in lists:
            yield self.request(spec, depth=depth if spec.meta.get(requestmeta.ITEM_LIST) else depth + 1)

    def _start_list_problem(self, meta: dict[str, Any], url: str, problem: str) -> None:
        """A start list that gives nothing goes into the run's alerts, not only into its counts:
        the site has probably moved the list or changed its layout."""
        if meta.get(requestmeta.KIND) != "list" or meta.get(requestmeta.LIST_DEPTH, 1) != 1:
            return
        self.logger.warning("%s: list %s %s", self.site, url, problem)
        stats = self.crawler.stats
        stats.set_value(
            STAT_LIST_PROBLEMS, [*(stats.get_value(STAT_LIST_PROBLEMS) or []), f"{url} {problem}"]
        )

    def parse_detail(self, response: Response) -> Iterator[Any]:
        article, fetch = self._extract(response)
        if article is None or not article.next_pages:
            yield PageResult(
                self.site,
                "detail",
                [fetch],
                article,
                article_url=response.meta.get(requestmeta.ARTICLE_URL, response.url),
            )
            return
        yield from self._continue(PageAssembly.start(article, response.url), [fetch])

    def parse_page(self, response: Response) -> Iterator[Any]:
        assembly, fetches = response.meta[requestmeta.ASSEMBLY], response.meta[requestmeta.PAGE_FETCHES]
        page, fetch = self._extract(response)
        if page is None:
            assembly.missing(response.url, fetch.detail)
        else:
            assembly.add(page)
        yield from self._continue(assembly, [*fetches, fetch])

    def _continue(self, assembly: PageAssembly, fetches: list[Fetch]) -> Iterator[Any]:
        """The request for the article's next page, or the article when every page is read."""
        url = assembly.next_url()
        if url is None:
            yield PageResult(self.site, "detail", fetches, assembly.article())
            return
        yield scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.on_page_error,
            priority=PRIORITY["page"],
            dont_filter=True,
            meta={
                requestmeta.KIND: "page",
                requestmeta.ASSEMBLY: assembly,
                requestmeta.PAGE_FETCHES: fetches,
            },
        )

    def _extract(self, response: Response) -> tuple[Any, Fetch]:
        outcome = response_outcome(response)
        if outcome:
            return None, fetch_from_response(response, *outcome)
        try:
            article = parse_detail(
                self.profile, response.url, response.body, response.headers.to_unicode_dict()
            )
        except NotAnArticle as exc:
            return None, fetch_from_response(
                response, "blocked" if exc.blocked else "not-article", str(exc), reason=exc.reason
            )
        return article, fetch_from_response(response, "article")

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(IgnoreRequest):
            # robots.txt or a host that keeps challenging us: nothing was fetched, so no fetch to record.
            message = failure.getErrorMessage()
            self.logger.info("not fetched: %s (%s)", request.url, message)
            self._start_list_problem(request.meta, request.url, f"was not fetched ({message})")
            if "robots.txt" in message and request.meta.get(requestmeta.KIND) == "detail":
                yield PageResult(
                    self.site,
                    "detail",
                    [],
                    None,
                    article_url=request.meta.get(requestmeta.ARTICLE_URL),
                    settled=ROBOTS,
                )
            return
        self._start_list_problem(
            request.meta, self._real_url(request), f"got no answer ({failure.getErrorMessage()})"
        )
        yield PageResult(
            self.site,
            request.meta.get(requestmeta.KIND, "detail"),
            [
                Fetch(
                    url=self._real_url(request),
                    status=None,
                    outcome="error",
                    detail=failure.getErrorMessage(),
                )
            ],
        )

    def _real_url(self, request: scrapy.Request) -> str:
        return real_url(request.url, (self.settings.get("ORGNEWS_REPLAY_URL") or "").rstrip("/"))

    def on_page_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        url = self._real_url(request)
        assembly = request.meta[requestmeta.ASSEMBLY]
        assembly.missing(url, failure.getErrorMessage())
        fetch = Fetch(url=url, status=None, outcome="error", detail=failure.getErrorMessage())
        yield from self._continue(assembly, [*request.meta[requestmeta.PAGE_FETCHES], fetch])
