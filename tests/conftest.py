"""Shared fixtures for the orgnews test suite."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory for one test."""
    path = tmp_path / "orgnews-data"
    return path


def run_cli(
    *args: str,
    data_dir: Path | None = None,
    input: bytes | None = None,
    timeout: float = 120,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run the real ``orgnews`` command in a subprocess and capture its output."""
    argv = [sys.executable, "-m", "crawler.cli", *args]
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    if data_dir is not None:
        full_env["ORGNEWS_DATA_DIR"] = str(data_dir)
    return subprocess.run(argv, capture_output=True, input=input, timeout=timeout, env=full_env, cwd=ROOT)


@pytest.fixture
def cli():
    return run_cli


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
# Headless, offline and quiet: no sync, updates or other background traffic.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the real headless Chromium with ``args`` (``--dump-dom URL``, ``--screenshot=...``)."""
    assert CHROMIUM is not None, "CI must have chromium (see .ci/run)"
    command = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, timeout=120)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(data_dir: Path, log_path: Path) -> Iterator[str]:
    """``orgnews serve`` on the archive in ``data_dir``, in a subprocess on a free port; yields its base URL."""
    with served(data_dir, log_path) as (base, _process):
        yield base


@contextlib.contextmanager
def served(data_dir: Path, log_path: Path, code: Path = ROOT) -> Iterator[tuple[str, subprocess.Popen]]:
    """``serving`` yielding the server's process too; ``code`` is the checkout it runs from (another
    one for a benchmark of an earlier version)."""
    port = free_port()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    # A file, not a pipe: nothing reads the server's output while tests run, and a full pipe
    # would stop the server in the middle of a request.
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "serve", "--data-dir", str(data_dir), "--port", str(port)],
            cwd=code,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise RuntimeError(f"orgnews serve did not start: {log_path.read_text()}") from None
                time.sleep(0.2)
        try:
            yield base, process
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory) -> Path:
    """A data directory left by ``orgnews demo`` (the crawl of the bundled replay); read it, do not
    change it (copy it first)."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    result = run_cli("demo", data_dir=data_dir, timeout=300)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    return data_dir


def png_rows(path) -> tuple[int, list[bytes]]:
    """The channels per pixel and the rows of an 8-bit RGB or RGBA PNG (as Chromium writes them)."""
    import zlib

    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, compressed = 8, b""
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind, chunk = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, color = (
                int.from_bytes(chunk[:4], "big"),
                int.from_bytes(chunk[4:8], "big"),
                chunk[8],
                chunk[9],
            )
        elif kind == b"IDAT":
            compressed += chunk
    assert depth == 8 and color in (2, 6) and chunk[12:13] != b"\x01", "not interlaced 8-bit RGB(A)"
    channels = 3 if color == 2 else 4
    raw, stride = zlib.decompress(compressed), width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 255
            elif kind == 4:
                guess = left + up - corner
                near = min(
                    (abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner)
                )
                line[i] = (line[i] + near[2]) & 255
        rows.append(bytes(line))
        previous = line
    return channels, rows
