"""Offline replay of the real sites: saved pages served on 127.0.0.1 under their real paths.

A real URL ``https://www.12371.cn/zxfb/`` is fetched as ``{base}/https/www.12371.cn/zxfb/``
and saved as ``site/www.12371.cn/zxfb/index.html``. ``replay_url`` and ``original_url``
convert between the two, so the crawl's replay switch changes nothing but the address;
``saved_path`` is the one rule that names the file for a request, shared by the server and
the page builder.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

SITE_DIR = Path(__file__).parent / "site"
SNAPSHOT_DIRS = {2: Path(__file__).parent / "snapshot2"}
# The day the replay's pages stand for: a walk by month over the replay starts from it, as a
# walk of the live sites starts from today.
REPLAY_TODAY = date(2026, 11, 20)


class ReplayError(ValueError):
    """A URL that the replay cannot map (not http(s), or not served by this replay server)."""


def replay_url(base: str, url: str, method: str = "GET", body: bytes | None = None) -> str:
    """The address of ``url`` on the replay server at ``base``.

    The method and body do not change the address: the server reads them from the request
    itself and picks the saved answer with ``saved_path``.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ReplayError(f"{url!r} is not an absolute http(s) URL, so it has no replay address")
    query = f"?{parts.query}" if parts.query else ""
    return f"{base.rstrip('/')}/{parts.scheme}/{parts.netloc}{parts.path or '/'}{query}"


def original_url(base: str, replayed: str) -> str:
    """The real URL behind a replay address (the inverse of ``replay_url``)."""
    base = base.rstrip("/")
    if not replayed.startswith(base + "/"):
        raise ReplayError(f"{replayed!r} is not an address on the replay server {base}")
    scheme, _, rest = replayed[len(base) + 1 :].partition("/")
    if scheme not in ("http", "https") or not rest:
        raise ReplayError(f"{replayed!r} does not start with /http/ or /https/ and a host")
    host, slash, tail = rest.partition("/")
    return f"{scheme}://{host}/{tail}" if slash else f"{scheme}://{host}/"


def saved_path(url: str, method: str = "GET", body: bytes | None = None) -> PurePosixPath:
    """Where the answer to a request is saved, relative to a snapshot directory.

    A path ending in ``/`` is its ``index.html``; a query string is appended after ``@``
    (with ``/`` escaped); a POST body adds ``@POST-`` and a short hash of the body, so two
    forms posted to one address get two files.
    """
    parts = urlsplit(url)
    segments = [s for s in (parts.path or "/").split("/") if s]
    if any(s in (".", "..") for s in segments):
        raise ReplayError(f"{url!r} climbs out of its site with '..'")
    if not segments or (parts.path or "/").endswith("/"):
        segments.append("index.html")
    name = segments[-1]
    if parts.query:
        name += "@" + quote(parts.query, safe="=&,;:+%")
    if method.upper() == "POST" and body:
        name += "@POST-" + hashlib.sha1(body).hexdigest()[:12]
    return PurePosixPath(parts.hostname or "", *segments[:-1], name)
