"""orgnews crawler: site profiles, the Scrapy spider and the pure extractor."""

__version__ = "0.1.0"
# Named in the User-Agent of a crawl run without a contact, instead of any local account or host name.
PROJECT_URL = "https://github.com/orgnews/orgnews"
