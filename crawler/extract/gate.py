"""Rejecting what is not an article: bot challenges, list feeds, list pages, soft 404s."""

from __future__ import annotations

import re
from collections.abc import Sequence

from crawler.extract.errors import NotAnArticle
from crawler.extract.patterns import (
    CHALLENGE_MARKERS,
    CHALLENGE_MAX_TEXT,
    DATE_RE,
    ERROR_PAGE_MAX_BODY,
    ERROR_PAGE_RE,
    FEED_MARKUP_RE,
    LIST_LINK_DENSITY,
)
from crawler.extract.tree import Line, clean_text

_TAG_RE = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S | re.I)


def reject_challenge(text: str) -> None:
    """A small page carrying a 瑞数 / 加速乐 / Cloudflare marker is a challenge (blocked)."""
    head = text[:60_000]
    for marker, name in CHALLENGE_MARKERS:
        if marker in head:
            visible = clean_text(_TAG_RE.sub(" ", head))
            if len(visible) < CHALLENGE_MAX_TEXT:
                raise NotAnArticle(
                    "challenge",
                    f"the page is a bot challenge ({name}), not the article; "
                    "retry later or from an allowed client",
                    blocked=True,
                )


def reject_feed(text: str) -> None:
    if FEED_MARKUP_RE.search(text[:2000]):
        raise NotAnArticle(
            "list-page",
            "the response is a list feed (XML/RSS records), not an article; parse it as a list page",
        )


def reject_list(lines: Sequence[Line]) -> None:
    """Mostly links, or many short dated lines, and hardly any prose: a list page."""
    total = sum(len(ln.text) for ln in lines)
    linked = sum(len(ln.text) * ln.link_ratio for ln in lines)
    dated = sum(1 for ln in lines if len(ln.text) < 80 and DATE_RE.search(ln.text))
    prose = sum(1 for ln in lines if len(ln.text) >= 60 and ln.link_ratio < 0.3)
    if total and linked / total > LIST_LINK_DENSITY and prose < 2:
        raise NotAnArticle(
            "list-page",
            "the page is a list of links, not an article; crawl its links as detail pages instead",
        )
    if dated >= 8 and prose < 2:
        raise NotAnArticle("list-page", "the page is a dated list of items, not an article")


def reject_error_page(page_title: str, title: str | None, body: str) -> None:
    """Soft 404: a 'page not found' notice served as a normal page."""
    if len(body) <= ERROR_PAGE_MAX_BODY and ERROR_PAGE_RE.search(f"{page_title} {title or ''} {body}"):
        raise NotAnArticle(
            "not-found",
            "the page is an error page ('not found' served as a normal "
            "response); the article was moved or deleted",
        )
