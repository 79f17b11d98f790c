"""Re-extract every stored article from its raw WARC capture, offline, on every core.

Workers read the WARC records and run the current extractor (pure CPU); the parent
process alone writes to the archive, which keeps a new version of each article
whose extracted record changed.
"""

from __future__ import annotations

import logging
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.workers import worker_pool
from crawler.details import PageAssembly, parse_detail
from crawler.extract import NotAnArticle
from crawler.notices import record_notices
from crawler.warc import WarcError, WarcLocation, read_response

# Worker-process state, set once by the pool initializer.
_worker: dict[str, Any] = {}
_log = logging.getLogger(__name__)
# What warcio raises on a file that ends inside a record (its headers cut, its gzip member short).
_CUT_SHORT = (ArchiveLoadFailed, AttributeError, EOFError, zlib.error)


@dataclass
class ReparseReport:
    total: int = 0
    unchanged: int = 0
    # Articles no crawl fetched (loaded by orgnews import): no capture to re-extract them from.
    never_fetched: int = 0
    updated: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    # Articles whose WARC file is in none of the folders read, and the cluster workers that wrote
    # those files (a worker keeps its files in its own folder); None for files of a one-machine crawl.
    captures_not_found: int = 0
    capture_writers: set[str | None] = field(default_factory=set)

    def missing_captures_hint(self, folders_read: list[Path]) -> str | None:
        """One line saying which folders to pass when captures were not found, or None."""
        if not self.captures_not_found:
            return None
        return missing_captures_line(
            f"{self.captures_not_found} article(s) could not be reparsed", self.capture_writers, folders_read
        )


def missing_captures_line(left_out: str, writers: set[str | None], folders_read: list[Path]) -> str:
    """``left_out`` (what could not be done, with how many), then which folders to pass: WARC files
    in none of ``folders_read``, written by the cluster workers ``writers`` (None: a one-machine crawl)."""
    read = ", ".join(str(folder) for folder in folders_read)
    said = f"{left_out}: their WARC files are in none of the folders read ({read})"
    workers = sorted(name for name in writers if name)
    if not workers:
        return f"{said}; pass the folder that holds them with --warc-dir"
    example = " ".join(f"--warc-dir <DATA_DIR of {name}>/warc" for name in workers)
    also = ", and the folder of the archive's own crawls," if None in writers else ""
    return (
        f"{said}; the crawl-cluster worker(s) {', '.join(workers)} wrote them and keep them in their own "
        f"DATA_DIR/warc/: pass each worker's folder{also} with --warc-dir ({example})"
    )


# The run's UTC timestamp in a WARC file name (after the site, or the worker and the site).
_STAMP = re.compile(r"-(\d{14})-")


def warc_files(warc_dirs: list[Path]) -> dict[str, Path]:
    """WARC file name -> the folder it is in. A cluster's workers each keep their own folder; their
    files are named by worker, so one name never stands for two files."""
    return {path.name: directory for directory in warc_dirs for path in directory.glob("*.warc.gz")}


def index_warc_responses(folders: dict[str, Path]) -> dict[str, WarcLocation]:
    """URL -> latest response record with a body (HTTP 2xx), for finding the further pages of
    multi-page articles and the JSON records behind pages. A later 304 of a re-check, an error or
    a redirect carries no page: the last full answer stands.

    A file that ends inside a record (its writer killed in the middle of the write) keeps the
    records before it; the cut one is left out, with a warning, and the URL points at the record
    of another fetch if there is one."""
    index: dict[str, WarcLocation] = {}

    def written(name: str) -> str:
        stamp = _STAMP.search(name)
        return stamp.group(1) if stamp else ""

    # Oldest run first, so a URL fetched again points at its latest record.
    for name in sorted(folders, key=lambda name: (written(name), name)):
        path = folders[name] / name
        with open(path, "rb") as fh:
            records = ArchiveIterator(fh)
            try:
                for record in records:
                    if record.rec_type == "response" and _answered_in_full(record):
                        url = record.rec_headers.get_header("WARC-Target-URI")
                        whole = _read_whole(record)
                        records.read_to_end()
                        if whole:
                            index[url] = WarcLocation(
                                path.name, records.get_record_offset(), records.get_record_length()
                            )
                        else:
                            _log.warning("%s ends inside its record of %s, which is left out", path, url)
            except _CUT_SHORT:
                _log.warning("%s ends inside a record: the records before it are read", path)
    return index


def _read_whole(record: Any) -> bool:
    """Read the rest of a record's block; False when the file ends before it does."""
    stream = record.raw_stream
    while stream.read(1 << 16):
        pass
    return getattr(stream, "limit", 0) == 0


def _answered_in_full(record: Any) -> bool:
    status = record.http_headers.get_statuscode() if record.http_headers else None
    return bool(status) and status.startswith("2")


def _init_worker(folders: dict[str, Path], page_index: dict[str, WarcLocation]) -> None:
    _worker["folders"] = folders
    _worker["index"] = page_index


@cache
def _profile(site: str) -> Any:
    from crawler.profiles import get_profile

    return get_profile(site)


def _extract(profile: Any, url: str, location: WarcLocation) -> Any:
    folder = _worker["folders"].get(location.file)
    if folder is None:
        raise WarcError(f"{location.file} is in none of the WARC folders given")
    captured = read_response(folder, location)
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
    archive: Any, warc_dirs: Path | list[Path], site: str | None = None, workers: int | None = None
) -> ReparseReport:
    """Re-extract the archive's articles (of ``site``, or all) from the WARC files in ``warc_dirs``
    and save what changed."""
    from crawler.extract import Article

    sources = list(archive.iter_article_sources(site))
    report = ReparseReport(total=len(sources))
    if not sources:
        return report
    workers = workers or os.cpu_count() or 1
    folders = warc_files([warc_dirs] if isinstance(warc_dirs, Path) else list(warc_dirs))
    page_index = index_warc_responses(folders)
    for source in sources:
        if not source.get("warc_file"):
            _locate_by_request(source, page_index)
    report.never_fetched = sum(1 for s in sources if not s.get("warc_file") and not s["fetched"])
    report.failed = [
        (s["url"], "no WARC record of its fetch") for s in sources if not s.get("warc_file") and s["fetched"]
    ]
    sources = [s for s in sources if s.get("warc_file")]
    not_found = [s for s in sources if s["warc_file"] not in folders]
    if not_found:
        writers = archive.capture_workers(s["warc_file"] for s in not_found)
        report.captures_not_found = len(not_found)
        report.capture_writers = set(writers.values())
        report.failed += [
            (s["url"], f"{s['warc_file']} is in none of the WARC folders given") for s in not_found
        ]
        sources = [s for s in sources if s["warc_file"] in folders]
    with worker_pool(workers, initializer=_init_worker, initargs=(folders, page_index)) as pool:
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
