"""Pure extraction: bytes and a URL in, an ``Article`` out.

No Scrapy, no network, no database here; everything is deterministic so the
same code serves the crawl, ``orgnews extract`` and ``orgnews reparse``.
"""

from crawler.extract.article import ARTICLE_FIELDS, Article
from crawler.extract.core import extract_article, extract_record
from crawler.extract.errors import NotAnArticle
from crawler.extract.pages import merge_pages

__all__ = ["ARTICLE_FIELDS", "Article", "NotAnArticle", "extract_article", "extract_record", "merge_pages"]
