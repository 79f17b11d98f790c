"""What the spider hands to the pipeline: the fetches of one page (or one multi-page article)."""

from __future__ import annotations

from dataclasses import dataclass, field

from scrapy.http import Response

from crawler import requestmeta
from crawler.extract.article import Article
from crawler.warc import WarcLocation


@dataclass
class Fetch:
    """One HTTP exchange as the archive records it; ``outcome`` is one of the archive's fetch outcomes."""

    url: str
    status: int | None
    outcome: str
    detail: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    warc: WarcLocation | None = None
    fetched_at: str | None = None
    # The extractor's short code when the page was not an article (NotAnArticle.reason).
    reason: str | None = None


@dataclass
class PageResult:
    """Everything one spider callback learned: the fetches, and the article when there is one.

    A multi-page article arrives as one PageResult with a fetch per page, so the
    pipeline stores it in one transaction or not at all.
    """

    site: str
    kind: str
    fetches: list[Fetch] = field(default_factory=list)
    article: Article | None = None
    # The URL the archive keys the article by (a page URL when the fetch went to its API).
    article_url: str | None = None
    # Why this detail URL is settled without a fetch (robots.txt), see crawler.settled.
    settled: str | None = None


def fetch_from_response(
    response: Response, outcome: str, detail: str | None = None, reason: str | None = None
) -> Fetch:
    def header(name: str) -> str | None:
        value = response.headers.get(name)
        return value.decode("latin-1") if value else None

    return Fetch(
        url=response.url,
        status=response.status,
        outcome=outcome,
        detail=detail,
        etag=header("ETag"),
        last_modified=header("Last-Modified"),
        warc=response.meta.get(requestmeta.WARC),
        fetched_at=response.meta.get(requestmeta.FETCHED_AT),
        reason=reason,
    )
