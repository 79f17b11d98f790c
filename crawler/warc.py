"""Raw capture: every response, with its request, into gzip WARC files.

Each record pair (response, then the request that produced it) is serialised in
memory and written with a single ``write`` followed by a flush, so a crawl killed
with ``kill -9`` leaves at most an unreferenced record behind, never a record the
archive points to half-written. Files are named by run and rotated by size; a run
never appends to an older file.
"""

from __future__ import annotations

import io
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler import __version__

# Twisted hands us de-chunked bodies; keeping the header would make readers de-chunk again.
_DROPPED_RESPONSE_HEADERS = {"transfer-encoding"}


class WarcError(Exception):
    """A WARC location in the archive does not lead to a readable response record."""


@dataclass(frozen=True)
class WarcLocation:
    """Where one response record sits: file name (relative to the WARC directory), offset, length."""

    file: str
    offset: int
    length: int


@dataclass(frozen=True)
class CapturedResponse:
    """A response as read back from a WARC file."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes


class WarcRecorder:
    """Writes request/response pairs to ``DATA_DIR/warc/``, starting a new file past ``max_size`` bytes."""

    def __init__(
        self, directory: str | os.PathLike[str], *, prefix: str = "orgnews", max_size: int = 256 * 1024 * 1024
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_size = max_size
        self._stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self._serial = 0
        self._file: io.BufferedWriter | None = None
        self._name = ""

    def _open_next(self) -> None:
        self.close()
        self._serial += 1
        self._name = f"{self.prefix}-{self._stamp}-{os.getpid()}-{self._serial:05d}.warc.gz"
        # "x": a name collision means two writers share a file; fail instead of interleaving.
        self._file = open(self.directory / self._name, "xb")
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=True)
        info = {
            "software": f"orgnews/{__version__} (Scrapy, warcio)",
            "hostname": socket.gethostname(),
            "format": "WARC File Format 1.1",
        }
        writer.write_record(writer.create_warcinfo_record(self._name, info))
        self._write(buffer.getvalue())

    def _write(self, data: bytes) -> None:
        assert self._file is not None
        self._file.write(data)
        self._file.flush()

    def write(
        self,
        *,
        url: str,
        status: int,
        response_headers: Iterable[tuple[str, str]],
        body: bytes,
        method: str,
        request_headers: Iterable[tuple[str, str]],
        request_body: bytes | None,
        fetched_at: datetime | None = None,
    ) -> WarcLocation:
        """Append one response and its request; return where the response record is."""
        if self._file is None or self._file.tell() >= self.max_size:
            self._open_next()
        assert self._file is not None
        date = (fetched_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=True, warc_version="WARC/1.1")

        reason = _reason(status)
        headers = [(k, v) for k, v in response_headers if k.lower() not in _DROPPED_RESPONSE_HEADERS]
        http_response = StatusAndHeaders(f"{status} {reason}", headers, protocol="HTTP/1.1")
        response_record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            http_headers=http_response,
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_record(response_record)
        response_length = buffer.tell()

        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_headers = list(request_headers)
        if not any(k.lower() == "host" for k, _ in req_headers):
            req_headers.insert(0, ("Host", parts.netloc))
        http_request = StatusAndHeaders(f"{method} {target} HTTP/1.1", req_headers, is_http_request=True)
        request_record = writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(request_body or b""),
            http_headers=http_request,
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Concurrent-To": response_record.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        writer.write_record(request_record)

        offset = self._file.tell()
        self._write(buffer.getvalue())
        return WarcLocation(self._name, offset, response_length)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def read_response(directory: str | os.PathLike[str], location: WarcLocation) -> CapturedResponse:
    """Read the response record at ``location`` back, body decoded of any Content-Encoding."""
    path = Path(directory) / location.file
    try:
        with open(path, "rb") as fh:
            fh.seek(location.offset)
            data = fh.read(location.length)
    except OSError as exc:
        raise WarcError(f"cannot read {path}: {exc.strerror}; was the WARC directory moved?") from exc
    for record in ArchiveIterator(io.BytesIO(data)):
        if record.rec_type != "response":
            break
        headers = dict(record.http_headers.headers) if record.http_headers else {}
        return CapturedResponse(
            url=record.rec_headers.get_header("WARC-Target-URI"),
            status=int(record.http_headers.get_statuscode() or 0) if record.http_headers else 0,
            headers=headers,
            body=record.content_stream().read(),
        )
    raise WarcError(f"no response record at {location.file} offset {location.offset}")
