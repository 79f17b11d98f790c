"""Reading a site's detail responses as its profile says, and joining the pages of an article.

- ``parse_detail(profile, url, body)``: the ``Article`` in one detail response, an HTML page
  through the extractor or a JSON API record read field by field (its HTML content through the
  extractor's body stages);
- ``PageAssembly``: the further pages of a multi-page article, fetched one after another and
  joined into one ``Article``; the spider drives it with requests, ``orgnews reparse`` with WARC
  records.

Free of Scrapy and of the network, like ``crawler.lists``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from crawler.extract import Article, NotAnArticle, extract_article, extract_record, merge_pages
from crawler.extract.dates import parse_meta_date
from crawler.lists import value_at, with_encoding_hint
from crawler.profiles import SiteProfile

# A pager that never ends (or loops) must not hold an article open forever.
MAX_ARTICLE_PAGES = 50
# Record fields taken as the record gives them, before what its content says.
_RECORD_FIELDS = ("subtitle", "source", "author", "editor", "column")


def parse_detail(
    profile: SiteProfile, url: str, body: bytes, headers: Mapping[str, Any] | None = None
) -> Article:
    """The article in a detail response; raises NotAnArticle (blocked=True for challenges)."""
    headers = with_encoding_hint(profile, body, headers)
    if profile.detail.format != "json":
        article = extract_article(body, url, headers, profile=profile)
    else:
        article_url = _article_url(profile, url)
        try:
            data = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            # Not JSON: a challenge or error page in place of the API answer; the extractor says which.
            article = extract_article(body, article_url, headers, profile=profile)
        else:
            record = value_at(data, profile.detail.record_path or "")
            if not isinstance(record, Mapping):
                raise NotAnArticle(
                    "no-record",
                    f"the API answer for {article_url} holds no record at {profile.detail.record_path!r}",
                )
            article = _record_article(profile, article_url, record)
    if article.site is None:
        article = replace(article, site=profile.name)
    return article


def _article_url(profile: SiteProfile, url: str) -> str:
    """The page URL people read for a JSON detail fetched from its API URL."""
    if profile.is_detail(url) or not profile.detail.page_url:
        return url
    ident = parse_qs(urlsplit(url).query).get("id")
    return profile.detail.page_url.format(id=ident[0]) if ident else url


def _record_article(profile: SiteProfile, url: str, record: Mapping[str, Any]) -> Article:
    """An API record: its title and by-lines as given, its HTML content read as an article body."""
    values = {name: record.get(key) for name, key in profile.detail.fields.items()}
    title = str(values.get("title") or "").strip()
    content = str(values.get("body") or "")
    if not title or not content.strip():
        raise NotAnArticle("no-body", f"the API record for {url} has no title or no content")
    article = extract_record(content, url, title)
    given = {name: str(values[name]).strip() for name in _RECORD_FIELDS if values.get(name) not in (None, "")}
    stamp = values.get("published_at")
    published = parse_meta_date(str(stamp)) if stamp not in (None, "") else None
    article = replace(article, **given, published_at=published or article.published_at)
    if article.source is None and profile.detail.source:
        article.source = profile.detail.source
    return article


@dataclass
class PageAssembly:
    """A multi-page article on its way: the first page, the later ones read so far, and the page
    URLs still to fetch (in order, each once). ``next_url()`` says what to fetch next; the answer
    goes to ``add()`` or ``missing()``; ``article()`` joins what was read."""

    first: Article
    rest: list[Article] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    fetched: int = 1

    @classmethod
    def start(cls, first: Article, url: str) -> PageAssembly:
        return cls(first, pending=list(dict.fromkeys(first.next_pages)), seen={url, *first.next_pages})

    def next_url(self) -> str | None:
        """The next page to fetch, or None when every page is read or the page limit is reached."""
        if not self.pending or self.fetched >= MAX_ARTICLE_PAGES:
            return None
        self.fetched += 1
        return self.pending.pop(0)

    def add(self, page: Article) -> None:
        self.rest.append(page)
        for url in page.next_pages:
            if url not in self.seen:
                self.seen.add(url)
                self.pending.append(url)

    def missing(self, url: str, reason: str) -> None:
        self.first.warnings.append(f"page {url} missing: {reason}")

    def article(self) -> Article:
        if self.pending:
            self.first.warnings.append(
                f"stopped after {MAX_ARTICLE_PAGES} pages; {len(self.pending)} not fetched"
            )
        return merge_pages(self.first, self.rest)
