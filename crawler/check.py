"""Checking site profiles against the sites: does each list still answer, and do its articles read?

``check_sites`` fetches the first page of every list of a profile and up to three of the
detail pages those lists link to, and reports per site what it found: which lists answered
and with how many detail links, how many details read as articles, which fields they filled,
and which answers were bot challenges. It asks politely, as the crawl does: robots.txt is
obeyed, requests to one host are spaced by the profile's delay (never under the crawl's
floor), and the User-Agent names the archive and its contact. Pointed at a replay server, it
asks the replay instead of the internet and waits for nothing.

It reads pages with the same ``crawler.lists`` functions as the crawl, so a site that passes
here is one that tonight's crawl can read.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler import requestmeta
from crawler.details import parse_detail
from crawler.extract import NotAnArticle
from crawler.lists import (
    NO_DETAIL_LINKS,
    ListError,
    RequestSpec,
    moved_hint,
    parse_list,
    start_requests,
)
from crawler.middlewares import detect_challenge
from crawler.profiles import SiteProfile
from crawler.runstats import COVERAGE_FIELDS

# Enough articles to see whether the fields are filled, few enough to stay a light probe.
DETAILS_PER_SITE = 3
# A site that has not answered in this long is as good as unreachable for a check.
TIMEOUT_SECONDS = 30.0


@dataclass
class Answer:
    """What one request got: a status and body, or an error that kept it from being asked."""

    url: str
    status: int | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None


class PoliteFetcher:
    """Plain HTTP requests with robots.txt obeyed and a pause between two requests to one host.

    Safe to share between threads: each host has its own lock, so one host is asked one
    request at a time while others are asked meanwhile.
    """

    def __init__(self, user_agent: str, delays: dict[str, float], replay_base: str | None = None) -> None:
        self.user_agent = user_agent
        self.delays = delays
        self.replay_base = (replay_base or "").rstrip("/")
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._host_locks: dict[str, threading.Lock] = {}
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()

    def fetch(self, request: RequestSpec) -> Answer:
        host = urlsplit(request.url).netloc
        if not self._robots_allow(request.url):
            return Answer(request.url, error="forbidden by robots.txt")
        return self._send(host, request)

    def _robots_allow(self, url: str) -> bool:
        parts = urlsplit(url)
        with self._lock:
            parser = self._robots.get(parts.netloc)
        if parser is None:
            parser = urllib.robotparser.RobotFileParser()
            answer = self._send(parts.netloc, RequestSpec(f"{parts.scheme}://{parts.netloc}/robots.txt"))
            # No robots.txt (or none readable) leaves everything allowed, as for the crawl.
            lines = answer.body.decode("utf-8", "replace").splitlines() if answer.status == 200 else []
            parser.parse(lines)
            with self._lock:
                self._robots[parts.netloc] = parser
        return parser.can_fetch(self.user_agent, url)

    def _send(self, host: str, request: RequestSpec) -> Answer:
        with self._lock:
            host_lock = self._host_locks.setdefault(host, threading.Lock())
        with host_lock:
            wait = self._last_request.get(host, 0.0) + self.delays.get(host, 0.0) - time.monotonic()
            if wait > 0 and not self.replay_base:
                time.sleep(wait)
            try:
                return self._urlopen(request)
            finally:
                self._last_request[host] = time.monotonic()

    def _urlopen(self, request: RequestSpec) -> Answer:
        address = request.url
        if self.replay_base:
            from crawler.replay import replay_url

            address = replay_url(self.replay_base, request.url)
        # urllib does not undo compression, so none is asked for.
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "identity", **request.headers}
        outgoing = urllib.request.Request(address, data=request.body, method=request.method, headers=headers)
        try:
            with urllib.request.urlopen(outgoing, timeout=TIMEOUT_SECONDS) as response:
                return Answer(request.url, response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Answer(request.url, error.code, error.read(), dict(error.headers or {}))
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", None) or error
            return Answer(request.url, error=f"no answer ({reason})")


@dataclass
class ListResult:
    """The first page of one list: did it answer, and how many detail URLs did it give."""

    index: int
    url: str
    status: int | None = None
    detail_urls: int = 0
    problem: str | None = None


@dataclass
class SiteResult:
    """What the check of one site found; ``verdict`` is ok, partial (a list failed) or broken."""

    site: str
    lists: list[ListResult] = field(default_factory=list)
    details_tried: int = 0
    articles: int = 0
    fields_filled: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COVERAGE_FIELDS, 0))
    challenges: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)

    @property
    def lists_reachable(self) -> int:
        return sum(1 for item in self.lists if item.problem is None)

    @property
    def detail_urls(self) -> int:
        return sum(item.detail_urls for item in self.lists)

    @property
    def verdict(self) -> str:
        if self.articles == 0:
            return "broken"
        return "partial" if self.problems else "ok"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(verdict=self.verdict, lists_reachable=self.lists_reachable, detail_urls=self.detail_urls)
        return data


def _answer_problem(answer: Answer, result: SiteResult) -> str | None:
    """Why an answer holds no page to read (no answer, a challenge, an error status), or None."""
    if answer.error:
        return answer.error
    challenge = detect_challenge(answer.status or 0, answer.body)
    if challenge:
        result.challenges.append(f"{answer.url}: {challenge}")
        return f"answered with a bot challenge: {challenge}"
    if answer.status is not None and answer.status >= 400:
        return f"answered HTTP {answer.status}"
    return None


def _check_list(
    profile: SiteProfile, index: int, request: RequestSpec, fetcher: PoliteFetcher, result: SiteResult
) -> list[RequestSpec]:
    """The detail requests on the first page of one list; what went wrong goes into ``result``."""
    answer = fetcher.fetch(request)
    checked = ListResult(index, request.url, answer.status)
    result.lists.append(checked)
    problem = _answer_problem(answer, result)
    found: list[RequestSpec] = []
    if problem is None:
        try:
            found, more = parse_list(profile, request, answer.body, answer.headers)
            found = found or _first_item_list(profile, more, fetcher)
        except ListError as exc:
            problem = f"cannot be read: {exc}"
        else:
            checked.detail_urls = len(found)
            if not found:
                problem = NO_DETAIL_LINKS
    else:
        problem += moved_hint(answer.status)
    if problem:
        checked.problem = problem
        result.problems.append(f"lists[{index}] {request.url} {problem}")
    return found


def _first_item_list(
    profile: SiteProfile, more: list[RequestSpec], fetcher: PoliteFetcher
) -> list[RequestSpec]:
    """The detail requests of the first item that is itself a list (an e-paper's first issue)."""
    issue = next((r for r in more if r.meta.get(requestmeta.ITEM_LIST)), None)
    if issue is None:
        return []
    answer = fetcher.fetch(issue)
    return parse_list(profile, issue, answer.body, answer.headers)[0] if answer.status == 200 else []


def _round_robin(per_list: Iterable[list[RequestSpec]]) -> list[RequestSpec]:
    """Detail requests taken from each list in turn, so that a sample sees every list."""
    queues = [list(items) for items in per_list]
    order: list[RequestSpec] = []
    seen: set[str] = set()
    while any(queues):
        for queue in queues:
            if queue:
                request = queue.pop(0)
                if request.url not in seen:
                    seen.add(request.url)
                    order.append(request)
    return order


def _check_detail(
    profile: SiteProfile, request: RequestSpec, fetcher: PoliteFetcher, result: SiteResult
) -> None:
    answer = fetcher.fetch(request)
    result.details_tried += 1
    problem = _answer_problem(answer, result)
    if problem is None:
        try:
            article = parse_detail(profile, request.url, answer.body, answer.headers)
        except NotAnArticle as exc:
            if exc.blocked:
                result.challenges.append(f"{answer.url}: {exc.detail}")
            problem = f"is not an article: {exc.detail}"
        else:
            result.articles += 1
            for name in COVERAGE_FIELDS:
                value = getattr(article, name, None)
                result.fields_filled[name] += bool(isinstance(value, str) and value.strip())
            return
    result.problems.append(f"detail {request.meta.get('article_url', request.url)} {problem}")


def check_site(profile: SiteProfile, fetcher: PoliteFetcher, details: int = DETAILS_PER_SITE) -> SiteResult:
    """Check one profile: the first page of each list, then up to ``details`` of their articles."""
    result = SiteResult(profile.name, unverified=profile.unverified)
    today = None
    if fetcher.replay_base:
        from crawler.replay import REPLAY_TODAY

        today = REPLAY_TODAY
    # A list walked by month starts with several requests; its newest month stands for it.
    first = {r.meta["list_index"]: r for r in reversed(start_requests(profile, today=today))}
    per_list = [_check_list(profile, index, first[index], fetcher, result) for index in sorted(first)]
    for request in _round_robin(per_list)[:details]:
        _check_detail(profile, request, fetcher, result)
    if result.details_tried and not result.articles:
        result.problems.append(f"none of the {result.details_tried} detail pages read as an article")
    return result


def host_delays(profiles: Iterable[SiteProfile], min_delay: float) -> dict[str, float]:
    """Seconds between two requests to each host: the profile's delay, never under the crawl's floor."""
    return {
        host: max(min_delay, float(profile.politeness.get("download_delay", 0)))
        for profile in profiles
        for host in profile.hosts
    }


def check_sites(
    profiles: list[SiteProfile],
    user_agent: str,
    min_delay: float,
    replay_base: str | None = None,
    details: int = DETAILS_PER_SITE,
) -> list[SiteResult]:
    """Check several profiles side by side (their hosts differ); results in the order given."""
    fetcher = PoliteFetcher(user_agent, host_delays(profiles, min_delay), replay_base)
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(profiles)))) as pool:
        return list(pool.map(lambda profile: check_site(profile, fetcher, details), profiles))
