"""Extraction pipeline (to be replaced by the staged extractor)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crawler.extract.article import Article
from crawler.extract.errors import NotAnArticle


def extract_article(
    body: bytes, url: str, headers: Mapping[str, Any] | None = None, profile: Any = None
) -> Article:
    raise NotAnArticle("unimplemented", "the extractor is not built yet")
