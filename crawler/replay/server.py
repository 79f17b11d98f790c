"""A small threaded HTTP server that answers with the saved pages, as the real sites would.

    python -m crawler.replay.server --port 8800 [--snapshot 2]

It serves ``site/`` (snapshot 1) or ``snapshot2/`` over ``site/`` (snapshot 2), with the
status codes listed in ``site/_status.json`` (a bot challenge, a withdrawn page), a 404 for
anything not saved, Content-Type by file type (the charset in the header for the hosts that
send it, only in the page's meta for the others), ETag and Last-Modified with 304 answers to
conditional requests, and GET, HEAD and POST. ``request_log`` records what was served.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import threading
import time
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any

from crawler.replay import SITE_DIR, SNAPSHOT_DIRS, ReplayError, original_url, saved_path

# Hosts whose servers name the charset in Content-Type; the others leave it to the page's meta.
HEADER_CHARSET = {
    "www.12371.cn": "utf-8",
    "news.12371.cn": "utf-8",
    "www.gov.cn": "utf-8",
    "www.zuzhirenshi.com": "utf-8",
}
CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
    ".js": "application/javascript",
    ".json": "application/json",
    ".txt": "text/plain",
    ".xml": "text/xml",
    ".jsp": "text/xml",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
}
# Every saved page of a snapshot claims the same modification time, so conditional requests are stable.
SNAPSHOT_TIMES = {1: "Sun, 01 Nov 2026 00:00:00 GMT", 2: "Sun, 15 Nov 2026 00:00:00 GMT"}
NOT_FOUND_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 页面不存在</title></head>'
    "<body><h1>404</h1><p>您访问的页面不存在或已被删除。</p></body></html>"
).encode()


def content_type(path: PurePosixPath, content: bytes) -> str:
    suffix = PurePosixPath(path.name.split("@")[0]).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    head = content.lstrip()[:5]
    if head[:1] in (b"{", b"["):
        return "application/json"
    return "text/xml" if head.startswith(b"<?xml") else "text/html"


def _load_statuses(directory: Path) -> dict[str, int]:
    listing = directory / "_status.json"
    return {k: int(v) for k, v in json.loads(listing.read_text("utf-8")).items()} if listing.is_file() else {}


class _Server(ThreadingHTTPServer):
    # A crawl of every profile opens dozens of connections at once; with the default backlog
    # of 5 the kernel drops some and the client retries them seconds to a minute later.
    request_queue_size = 256


class ReplayServer:
    """The saved sites on 127.0.0.1; ``port=0`` picks a free port. Usable as a context manager."""

    def __init__(
        self, snapshot: int = 1, host: str = "127.0.0.1", port: int = 0, site_dir: Path | None = None
    ) -> None:
        if snapshot != 1 and snapshot not in SNAPSHOT_DIRS:
            raise ReplayError(
                f"there is no snapshot {snapshot}; saved snapshots: 1, {', '.join(map(str, SNAPSHOT_DIRS))}"
            )
        self.snapshot = snapshot
        self.site_dir = site_dir or SITE_DIR
        self.request_log: list[tuple[str, str, int]] = []
        # (monotonic time, URL) of every request as it arrived, for checking the crawl's politeness.
        self.request_times: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._httpd = _Server((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def layers(self) -> list[tuple[Path, int]]:
        """Directories to look in, newest snapshot first, with the snapshot each belongs to."""
        found = [(SNAPSHOT_DIRS[n], n) for n in sorted(SNAPSHOT_DIRS, reverse=True) if n <= self.snapshot]
        return [*found, (self.site_dir, 1)]

    def find(self, relative: PurePosixPath) -> tuple[bytes, int, int] | None:
        """(content, status, snapshot) of a saved answer, or None."""
        for directory, snapshot in self.layers():
            path = directory / relative
            if path.is_file():
                status = _load_statuses(directory).get(str(relative), 200)
                return path.read_bytes(), status, snapshot
        return None

    def log(self, method: str, url: str, status: int) -> None:
        with self._lock:
            self.request_log.append((method, url, status))
            self.request_times.append((time.monotonic(), url))

    def start(self) -> ReplayServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="replay-server", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (the standalone command)."""
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def _handler_for(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_ReplayHandler):
        replay = server

    return Handler


class _ReplayHandler(BaseHTTPRequestHandler):
    replay: ReplayServer
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "nginx"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_POST(self) -> None:
        self._answer(send_body=True)

    def log_message(self, format: str, *args: Any) -> None:  # the request log replaces stderr noise
        pass

    def _answer(self, send_body: bool) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            url = original_url("", self.path)
            relative = saved_path(url, self.command, body)
        except ReplayError:
            url, relative = self.path, None
        found = self.replay.find(relative) if relative is not None else None
        # Logged before answering, so a client that has its answer also finds it in the log.
        if found is None:
            self.replay.log(self.command, url, 404)
            self._send(404, NOT_FOUND_PAGE, "text/html; charset=utf-8", {}, send_body)
            return
        content, status, snapshot = found
        kind = content_type(relative, content)
        charset = HEADER_CHARSET.get(relative.parts[0])
        if charset and (kind.startswith("text/") or kind in ("application/javascript", "application/json")):
            kind += f"; charset={charset}"
        validators = {
            "ETag": f'"{hashlib.sha1(content).hexdigest()[:16]}"',
            "Last-Modified": SNAPSHOT_TIMES.get(snapshot, SNAPSHOT_TIMES[1]),
        }
        if status == 200 and self._not_modified(validators):
            status, content = 304, b""
        self.replay.log(self.command, url, status)
        self._send(status, content, kind, validators if status in (200, 304) else {}, send_body)

    def _not_modified(self, validators: dict[str, str]) -> bool:
        tags = self.headers.get("If-None-Match")
        if tags is not None:
            return validators["ETag"] in [t.strip() for t in tags.split(",")] or tags.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            return parsedate_to_datetime(validators["Last-Modified"]) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False

    def _send(self, status: int, content: bytes, kind: str, headers: dict[str, str], send_body: bool) -> None:
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(content)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(content)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the saved sites on 127.0.0.1 for offline crawls.")
    parser.add_argument("--port", type=int, default=8800, help="port to listen on (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--snapshot",
        type=int,
        default=1,
        choices=[1, *SNAPSHOT_DIRS],
        help="which snapshot of the sites to serve",
    )
    args = parser.parse_args(argv)
    server = ReplayServer(snapshot=args.snapshot, host=args.host, port=args.port)
    print(f"replaying snapshot {args.snapshot} at {server.base_url}")
    print(f"crawl it with: ORGNEWS_REPLAY_URL={server.base_url} orgnews crawl --all", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped")


if __name__ == "__main__":
    main()
