"""The raw captures of a dataset release's articles as one WACZ, for web archivists.

The response record of each article's fetch is copied, byte for byte, out of the crawl's
gzip WARC files (each record is its own gzip member, so copied members make a valid WARC)
into one WARC, which the ``wacz`` package indexes and packages with a ``pages.jsonl``
naming every article. ``archive.export.reading.capture_rows`` says which records: those of
the release's articles, so --site, --since, --until and --query choose them too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

# (url, WARC file relative to the WARC directory, offset, length, fetched at in UTC, title)
CaptureRow = tuple[str, str, int, int, str | None, str | None]


class CaptureError(Exception):
    """The captures cannot be packed; the message says which one and why."""


def _copy_records(rows: Sequence[CaptureRow], folders: dict[str, Path], target: Path) -> None:
    with open(target, "wb") as out:
        for url, warc_file, offset, length, _, _ in rows:
            source = folders[warc_file] / warc_file
            try:
                with open(source, "rb") as handle:
                    handle.seek(offset)
                    data = handle.read(length)
            except OSError as exc:
                raise CaptureError(f"cannot read the capture of {url} in {source}: {exc.strerror}") from exc
            if len(data) != length:
                raise CaptureError(
                    f"the capture of {url} in {source} is cut short: was the WARC file changed?"
                )
            out.write(data)


def _pages(rows: Sequence[CaptureRow], target: Path) -> None:
    lines = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Articles"})]
    for url, _, _, _, fetched_at, title in rows:
        # warcio reads a UTC time spelled with Z, not +00:00.
        stamp = (fetched_at or "").replace("+00:00", "Z")
        # An id made of the capture itself: without one the wacz package draws a random one.
        page_id = hashlib.sha256(f"{stamp} {url}".encode()).hexdigest()[:24]
        page = {"url": url, "ts": stamp, "title": title or url, "id": page_id}
        lines.append(json.dumps(page, ensure_ascii=False))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _settle(wacz: Path, created: str) -> None:
    """Give the WACZ the release's time instead of the clock's, so the same captures give the same bytes.

    The wacz package stamps each zip entry and datapackage.json's ``created`` with the time it runs;
    the package is rewritten with ``created`` (the newest run's time) in both, entries unchanged
    and in the same order, and datapackage-digest.json is made again for the new datapackage.json."""
    moment = datetime.fromisoformat(created).astimezone(UTC)
    stamp = moment.timetuple()[:6]
    settled = wacz.with_name(wacz.name + ".settled")
    with zipfile.ZipFile(wacz) as source, zipfile.ZipFile(settled, "w") as target:
        package = json.loads(source.read("datapackage.json"))
        package["created"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        package_bytes = json.dumps(package, indent=2).encode("utf-8")
        digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest()}
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, stamp)
            info.compress_type = entry.compress_type
            info.external_attr = 0o644 << 16
            info.file_size = entry.file_size
            if entry.filename == "datapackage.json":
                target.writestr(info, package_bytes)
            elif entry.filename == "datapackage-digest.json":
                target.writestr(info, json.dumps(digest, indent=2))
            else:
                with source.open(entry) as data, target.open(info, "w") as out:
                    shutil.copyfileobj(data, out, 1 << 20)
    settled.replace(wacz)


def check_captures(
    rows: Sequence[CaptureRow],
    writers: Callable[[Iterable[str]], dict[str, str | None]],
    warc_dirs: list[Path],
) -> dict[str, Path]:
    """The folder of each WARC file ``rows`` name, read from ``warc_dirs``; a ``CaptureError`` when
    there is no capture to pack or some are in none of the folders (see ``write_wacz``). Run before
    a release is written, so that it is refused before any table is."""
    from crawler.reparse import missing_captures_line, warc_files

    if not rows:
        raise CaptureError(
            "no WARC capture of the release's articles is recorded: --captures has nothing to pack"
        )
    folders = warc_files(warc_dirs)
    if not_found := [row[1] for row in rows if row[1] not in folders]:
        left_out = f"{len(not_found)} capture(s) of the release's articles could not be packed"
        raise CaptureError(missing_captures_line(left_out, set(writers(not_found).values()), warc_dirs))
    return folders


def write_wacz(
    rows: Sequence[CaptureRow],
    folder: Path,
    name: str,
    created: str,
    writers: Callable[[Iterable[str]], dict[str, str | None]],
    warc_dirs: list[Path],
) -> list[str]:
    """Write ``captures/NAME.wacz`` into the release ``folder``, dated ``created``; returns its path
    in the release. The WARC files are looked for in ``warc_dirs`` (a crawl cluster's workers each
    keep theirs in their own folder); when some are in none, nothing is written and the error names
    the workers that wrote them (``writers``: WARC file name -> worker, None for a one-machine crawl)."""
    from wacz.main import main as wacz_main

    folders = check_captures(rows, writers, warc_dirs)
    work = folder / ".captures"
    work.mkdir()
    warc = work / f"{name}.warc.gz"
    pages = work / "pages.jsonl"
    _copy_records(rows, folders, warc)
    _pages(rows, pages)
    (folder / "captures").mkdir()
    relative = f"captures/{name}.wacz"
    arguments = ["create", "-o", str(folder / relative), "-p", str(pages), "--title", name, str(warc)]
    try:
        # The wacz package reports its steps on stdout, which is the command's output: they go to stderr.
        with contextlib.redirect_stdout(sys.stderr):
            status = wacz_main(arguments)
    except Exception as exc:  # the package's own failure, named in one line
        raise CaptureError(f"the wacz package could not write {relative}: {exc}") from exc
    for path in (warc, pages):
        path.unlink()
    work.rmdir()
    if status != 0:
        raise CaptureError(f"the wacz package could not write {relative} (status {status})")
    _settle(folder / relative, created)
    return [relative]
