"""The WARC recorder writes files standard tools read, at the offsets it reports."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.warc import WarcLocation, WarcRecorder, read_response

PAGE = "<html><head><meta charset='utf-8'><title>测试</title></head><body><p>组织工作 {n}</p></body></html>"


def _write_pages(directory: Path, count: int, max_size: int) -> list[WarcLocation]:
    recorder = WarcRecorder(directory, prefix="test", max_size=max_size)
    locations = []
    for n in range(count):
        body = gzip.compress(PAGE.format(n=n).encode("utf-8") * 20)
        locations.append(
            recorder.write(
                url=f"http://www.12371.cn/2021/02/0{n % 9 + 1}/ARTI161234567890{n:04d}.shtml",
                status=200,
                response_headers=[
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Encoding", "gzip"),
                    ("Transfer-Encoding", "chunked"),
                    ("ETag", f'"v{n}"'),
                ],
                body=body,
                method="GET",
                request_headers=[("User-Agent", "orgnews-test")],
                request_body=None,
            )
        )
    recorder.close()
    return locations


def test_records_read_back_at_reported_offsets(tmp_path: Path) -> None:
    locations = _write_pages(tmp_path, 6, max_size=1500)
    assert len({loc.file for loc in locations}) > 1, "small max_size must rotate files"
    for n, location in enumerate(locations):
        captured = read_response(tmp_path, location)
        assert captured.status == 200
        assert captured.url.endswith(f"{n:04d}.shtml")
        # Stored compressed as received, handed back decoded.
        assert captured.body.decode("utf-8").startswith(PAGE.format(n=n))


def test_files_parse_in_archive_iterator_with_request_pairs(tmp_path: Path) -> None:
    _write_pages(tmp_path, 4, max_size=10**9)
    (path,) = tmp_path.glob("*.warc.gz")
    with open(path, "rb") as fh:
        types = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(fh)]
    assert types[0][0] == "warcinfo"
    assert [t for t, _ in types[1:]] == ["response", "request"] * 4
    assert types[1][1] == types[2][1]


def test_cdxj_indexer_agrees_with_reported_locations(tmp_path: Path) -> None:
    locations = _write_pages(tmp_path, 5, max_size=2000)
    files = sorted(str(p) for p in tmp_path.glob("*.warc.gz"))
    out = subprocess.run(
        [sys.executable, "-m", "cdxj_indexer.main", *files], capture_output=True, check=True, text=True
    ).stdout
    entries = [json.loads(line.split(" ", 2)[2]) for line in out.splitlines()]
    indexed = {(e["filename"], int(e["offset"]), int(e["length"])) for e in entries}
    assert {(loc.file, loc.offset, loc.length) for loc in locations} == indexed
    assert all(e["status"] == "200" and e["mime"] == "text/html" for e in entries)
