"""orgnews crawler: site profiles, the Scrapy spider and the pure extractor."""

__version__ = "0.1.0"
