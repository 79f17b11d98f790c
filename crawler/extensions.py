"""Extensions: the data-directory lock, so ``scrapy crawl news`` and ``orgnews crawl`` never overlap."""

from __future__ import annotations

from scrapy.crawler import Crawler

from archive.datadir import DataDir
from crawler.lock import CrawlLock, hold_for_process


class DataDirLock:
    """Holds DATA_DIR/crawl.lock for the crawl (``orgnews crawl`` takes it before Scrapy starts)."""

    def __init__(self, lock: CrawlLock) -> None:
        self.lock = lock

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DataDirLock:
        data_dir = DataDir.resolve(crawler.settings.get("ORGNEWS_DATA_DIR")).ensure()
        # LockHeld propagates: the crawl does not start, and the message says who holds the lock.
        return cls(hold_for_process(data_dir.root / "crawl.lock"))
