"""The raw captures of a dataset release's articles as one WACZ, for web archivists.

The response record of each article's fetch is copied, byte for byte, out of the crawl's
gzip WARC files (each record is its own gzip member, so copied members make a valid WARC)
into one WARC, which the ``wacz`` package indexes and packages with a ``pages.jsonl``
naming every article. ``archive.export.reading.capture_rows`` says which records: those of
the release's articles, so --site, --since, --until and --query choose them too.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

# (url, WARC file relative to the WARC directory, offset, length, fetched at in UTC, title)
CaptureRow = tuple[str, str, int, int, str | None, str | None]


class CaptureError(Exception):
    """The captures cannot be packed; the message says which one and why."""


def _copy_records(rows: Sequence[CaptureRow], warc_dir: Path, target: Path) -> None:
    with open(target, "wb") as out:
        for url, warc_file, offset, length, _, _ in rows:
            source = warc_dir / warc_file
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
        lines.append(json.dumps({"url": url, "ts": stamp, "title": title or url}, ensure_ascii=False))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_wacz(rows: Sequence[CaptureRow], folder: Path, name: str, warc_dir: Path) -> list[str]:
    """Write ``captures/NAME.wacz`` into the release ``folder``; returns its path in the release."""
    from wacz.main import main as wacz_main

    if not rows:
        raise CaptureError(
            "no WARC capture of the release's articles is recorded: --captures has nothing to pack"
        )
    work = folder / ".captures"
    work.mkdir()
    warc = work / f"{name}.warc.gz"
    pages = work / "pages.jsonl"
    _copy_records(rows, warc_dir, warc)
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
    return [relative]
