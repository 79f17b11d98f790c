"""Detail URLs that will never become articles: not fetched again, not counted as new.

A link that matches a site's detail pattern but leads to a page that is not an article
(a video page, a form), that is gone (404, 410) or that robots.txt forbids would
otherwise look new on every run: it would be fetched again each night and keep every
list walk going to its last page. The crawl notes such URLs in ``DATA_DIR/jobs/<site>/settled.tsv`` (URL, reason,
one per line; appended and flushed line by line, so a killed crawl loses at most the
line it was writing). Delete the file to have them all tried again.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

# Links robots.txt forbids are not fetched; they still reach the robots.txt check each run (the
# rules may change) but no longer count as new in a list walk.
ROBOTS = "forbidden by robots.txt"
# Statuses that say the page is gone for good; anything else may work next time.
PERMANENT_STATUSES = frozenset({404, 410})
# Extractor verdicts about what the page is, not about how well it was read: "no-body" or
# "empty" may be a bad night or a gap in the extractor, so those are fetched again.
PERMANENT_REASONS = frozenset({"binary", "not-html", "list-page", "not-found"})


def settled_reason(outcome: str, status: int | None, reason: str | None, detail: str | None) -> str | None:
    """Why a failed detail fetch will never become an article, or None when it may next time."""
    if outcome == "error" and status in PERMANENT_STATUSES:
        return f"HTTP {status}"
    if outcome == "not-article" and reason in PERMANENT_REASONS:
        return detail or reason
    return None


class SettledUrls:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.reasons: dict[str, str] = {}
        self._fh: IO[str] | None = None

    def load(self) -> SettledUrls:
        if self.path.exists():
            text = self.path.read_text(encoding="utf-8")
            # A last line without its newline was cut by a kill; the URL is simply tried again.
            lines = text.split("\n")[:-1]
            for line in lines:
                url, _, reason = line.partition("\t")
                if url:
                    self.reasons[url] = reason
        return self

    def __contains__(self, url: str) -> bool:
        return url in self.reasons

    def is_robots(self, url: str) -> bool:
        return self.reasons.get(url) == ROBOTS

    def add(self, url: str, reason: str) -> None:
        if url in self.reasons:
            return
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a", encoding="utf-8")
        self._fh.write(f"{url}\t{' '.join(reason.split())}\n")
        self._fh.flush()
        self.reasons[url] = reason

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def settled_path(jobs_dir: Path, site: str) -> Path:
    return jobs_dir / site / "settled.tsv"
