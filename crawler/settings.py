"""Scrapy settings for orgnews. Every default lives here, each one commented.

The values are the polite defaults for live sites. A site profile can override the
delay and the concurrency (``politeness`` in its TOML file); the offline replay
(``ORGNEWS_REPLAY_URL``) turns the delays off because it only talks to 127.0.0.1.
"""

import os

BOT_NAME = "orgnews"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- Where things go -------------------------------------------------------------

# The one data directory (archive.db, warc/, logs/, jobs/); the CLI passes --data-dir here.
ORGNEWS_DATA_DIR = os.environ.get("ORGNEWS_DATA_DIR", "./orgnews-data")
# Base URL of the local replay server; when set, every request goes there instead of the internet.
ORGNEWS_REPLAY_URL = os.environ.get("ORGNEWS_REPLAY_URL", "")
# Delay between requests to the replay server (0: as fast as it answers; tests slow it down to interrupt a crawl).
ORGNEWS_REPLAY_DELAY = float(os.environ.get("ORGNEWS_REPLAY_DELAY", "0"))
# A WARC file is closed and a new one started once it grows past this many bytes.
ORGNEWS_WARC_MAX_SIZE = 256 * 1024 * 1024

# --- What to fetch ---------------------------------------------------------------

# Re-fetch (with If-None-Match / If-Modified-Since) archived articles that a walked list shows again and
# that were published (or, undated, first archived) less than this many days ago, to catch edits; 0 = never.
ORGNEWS_REFRESH_DAYS = 0
# Skip detail pages whose URL shows a publication day before this ISO date ("" = no limit).
ORGNEWS_SINCE = ""
# Follow at most this many list pages per start list (0 = no limit); the walk also stops at a page with nothing new.
ORGNEWS_MAX_PAGES = 0

# --- Who we are ------------------------------------------------------------------

# Who site operators can write to about this crawler; shown in the User-Agent.
ORGNEWS_CONTACT = os.environ.get("ORGNEWS_CONTACT", "")
# Built from ORGNEWS_CONTACT by the spider when left empty, so every request names the archive.
USER_AGENT = ""

# --- Politeness ------------------------------------------------------------------

# Government and party sites publish robots.txt; an archive has no reason to ignore it.
ROBOTSTXT_OBEY = True
# Public probes of these sites kept to a few requests per host; two is safely below that.
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Total in-flight requests for one crawler (one site); hosts are still limited above.
CONCURRENT_REQUESTS = 8
# Two seconds between two requests to the same host, give or take the jitter below (DOMAIN.md §6.9).
DOWNLOAD_DELAY = 2.0
# Jitter the delay by ±25% so the requests do not arrive on a fixed beat.
DOWNLOAD_DELAY_JITTER = 0.25
# No profile may ask for less than this; with the jitter, gaps never drop below a second.
ORGNEWS_MIN_DOWNLOAD_DELAY = 1.5
# Slow down further when a host answers slowly; never go faster than DOWNLOAD_DELAY.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
# Aim for one request in flight per host on average.
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# --- Timeouts and retries --------------------------------------------------------

# Provincial sites can be slow, but a minute without an answer means the request is lost.
DOWNLOAD_TIMEOUT = 60
# Three tries for transient failures; challenges (412/521/403) are never retried.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Each retry waits twice as long as the previous one (orgnews' RetryBackoffMiddleware).
ORGNEWS_RETRY_BACKOFF_BASE = 2.0
ORGNEWS_RETRY_BACKOFF_MAX = 120.0
# A host that answers with a bot challenge waits this long (doubling per further challenge)...
ORGNEWS_CHALLENGE_BACKOFF = 300.0
# ...and after this many challenges in one run its remaining requests are dropped until the next run.
ORGNEWS_CHALLENGE_STRIKES = 3
# A single page larger than this is not a news article; refuse it rather than fill the disk.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024

# --- What reaches the spider ----------------------------------------------------

# These statuses carry information (not modified, challenge pages, gone pages) that the spider
# records as a fetch outcome, so they must not be swallowed by HttpErrorMiddleware.
HTTPERROR_ALLOWED_CODES = [304, 403, 404, 410, 412, 429, 451, 500, 502, 503, 504, 521]
# A callback yields a handful of items and requests; Scrapy starts this many worker tasks for the
# output of every response, so the default of 100 costs more than the pipeline itself.
CONCURRENT_ITEMS = 4
# Cookies are not needed by any profile; keeping none makes requests reproducible from the WARC.
COOKIES_ENABLED = False

# --- Components ------------------------------------------------------------------

DOWNLOADER_MIDDLEWARES = {
    # Scrapy's robots.txt check let every request but the first that waited for a host's robots.txt
    # through unchecked; this one judges them all (same place in the chain).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtMiddleware": 100,
    # Refuse requests to hosts that answered with a bot challenge earlier in this run.
    "crawler.middlewares.ChallengeMiddleware": 580,
    # Replace Scrapy's retry with one that waits longer between attempts.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryBackoffMiddleware": 550,
    # Raw capture sits close to the network so it records bytes as received (still compressed).
    "crawler.middlewares.WarcCaptureMiddleware": 900,
    # Outermost: send requests to the replay server and give responses their real URL back.
    "crawler.middlewares.ReplayMiddleware": 950,
}

SPIDER_MIDDLEWARES = {
    # Drop detail pages the archive already has and stop list walks that bring nothing new.
    "crawler.incremental.IncrementalMiddleware": 600,
}

EXTENSIONS = {
    # One crawl per data directory, whichever command started it.
    "crawler.extensions.DataDirLock": 0,
    # The crawl's state (known and settled URLs, the run record, where pages are stored), which the
    # incremental middleware and the pipeline ask; a cluster worker replaces it with its Redis state.
    "crawler.state.LocalCrawlState": 10,
}

ITEM_PIPELINES = {
    # Record every fetch and store every article in archive.db, one transaction per page.
    "crawler.pipelines.ArchivePipeline": 300,
}

# The telnet console and the remote-control server are open ports nobody uses here.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- Logging ---------------------------------------------------------------------

# `orgnews crawl` sends the log to DATA_DIR/logs/; `scrapy crawl` keeps it on the terminal.
LOG_LEVEL = "INFO"

# --- Modern Scrapy defaults --------------------------------------------------

# The asyncio reactor lets the spider use ``async def start()``.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
