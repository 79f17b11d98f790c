"""Re-extract every stored article from its raw WARC capture, offline, on every core.

Workers read the WARC records and run the current extractor (pure CPU); the parent
process alone writes to the archive, which keeps a new version of each article
whose extracted record changed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from crawler.details import PageAssembly, parse_detail
from crawler.extract import NotAnArticle
from crawler.notices import record_notices
from crawler.warc import WarcError, WarcLocation, read_response

# Worker-process state, set once by the pool initializer.
_worker: dict[str, Any] = {}


@dataclass
class ReparseReport:
    total: int = 0
    unchanged: int = 0
    updated: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def index_warc_responses(warc_dir: Path) -> dict[str, WarcLocation]:
    """URL -> latest response record, for finding the further pages of multi-page articles."""
    index: dict[str, WarcLocation] = {}
    # File names carry the run's UTC timestamp after the site prefix, so this order is chronological.
    paths = sorted(warc_dir.glob("*.warc.gz"), key=lambda p: p.name.split("-", 1)[-1])
    for path in paths:
        with open(path, "rb") as fh:
            records = ArchiveIterator(fh)
            for record in records:
                if record.rec_type == "response":
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    records.read_to_end()
                    index[url] = WarcLocation(
                        path.name, records.get_record_offset(), records.get_record_length()
                    )
    return index


def _init_worker(warc_dir: str, page_index: dict[str, WarcLocation]) -> None:
    _worker["warc_dir"] = warc_dir
    _worker["index"] = page_index


@cache
def _profile(site: str) -> Any:
    from crawler.profiles import get_profile

    return get_profile(site)


def _extract(profile: Any, url: str, location: WarcLocation) -> Any:
    captured = read_response(_worker["warc_dir"], location)
    return parse_detail(profile, url, captured.body, captured.headers)


def reextract(source: dict[str, Any]) -> tuple[str, dict[str, Any] | None, str | None]:
    """(url, article dict or None, error) for one stored article; runs in a worker."""
    url = source["url"]
    try:
        profile = _profile(source["site"])
        first = _extract(
            profile, url, WarcLocation(source["warc_file"], source["warc_offset"], source["warc_length"])
        )
        # Further pages are joined as the crawl joined them (crawler.details.PageAssembly).
        assembly = PageAssembly.start(first, url)
        while (page_url := assembly.next_url()) is not None:
            location = _worker["index"].get(page_url)
            if location is None:
                assembly.missing(page_url, "not in the WARC files")
                continue
            try:
                assembly.add(_extract(profile, page_url, location))
            except (NotAnArticle, WarcError) as exc:
                assembly.missing(page_url, str(exc))
        article = assembly.article()
        article.site = source["site"]
        return url, article.to_dict(), None
    except (NotAnArticle, WarcError) as exc:
        return url, None, str(exc)


def _locate_by_request(source: dict[str, Any], page_index: dict[str, WarcLocation]) -> None:
    """Fill in the WARC record of an article fetched from another URL (a JSON API behind the page)."""
    from crawler.lists import detail_request
    from crawler.profiles import ProfileError

    try:
        request_url = detail_request(_profile(source["site"]), source["url"]).url
    except (ProfileError, ValueError):
        return
    location = page_index.get(request_url)
    if location is not None:
        source.update(warc_file=location.file, warc_offset=location.offset, warc_length=location.length)


def reparse(
    archive: Any, warc_dir: Path, site: str | None = None, workers: int | None = None
) -> ReparseReport:
    """Re-extract the archive's articles (of ``site``, or all) and save what changed."""
    from crawler.extract import Article

    sources = list(archive.iter_article_sources(site))
    report = ReparseReport(total=len(sources))
    if not sources:
        return report
    workers = workers or os.cpu_count() or 1
    page_index = index_warc_responses(warc_dir)
    for source in sources:
        if not source.get("warc_file"):
            _locate_by_request(source, page_index)
    report.failed = [(s["url"], "no WARC record of its fetch") for s in sources if not s.get("warc_file")]
    sources = [s for s in sources if s.get("warc_file")]
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(str(warc_dir), page_index)
    ) as pool:
        results: Iterator = pool.map(reextract, sources, chunksize=max(1, len(sources) // (workers * 8)))
        with archive.transaction():
            for url, data, error in results:
                if data is None:
                    report.failed.append((url, error or "unknown"))
                    continue
                article = Article.from_dict(data)
                result = archive.save_article(article)
                # The notice parser may be newer than the records, even when the article is not.
                record_notices(archive, result.article_id, article, result.status, refresh=True)
                if result.status == "unchanged":
                    report.unchanged += 1
                else:
                    report.updated.append(url)
    return report
