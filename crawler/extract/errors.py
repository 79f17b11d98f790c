"""The one exception the extractor raises for input that is not a news article."""

from __future__ import annotations


class NotAnArticle(Exception):
    """The bytes are not a news-detail page.

    ``reason`` is a short machine-readable code (``empty``, ``binary``, ``not-html``,
    ``challenge``, ``list-page``, ``no-body``, ...); ``detail`` is a sentence for people.
    ``blocked`` is true for bot-challenge pages, which the crawler records as blocked.
    """

    def __init__(self, reason: str, detail: str = "", *, blocked: bool = False) -> None:
        self.reason = reason
        self.detail = detail or reason
        self.blocked = blocked
        super().__init__(f"{reason}: {self.detail}")
