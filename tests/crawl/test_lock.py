"""Two crawls never overlap on one data directory; a killed holder frees the lock."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.lock import CrawlLock, LockHeld

HOLD = """
import sys, time
from crawler.lock import CrawlLock
lock = CrawlLock(sys.argv[1]).acquire()
print("held", flush=True)
time.sleep(60)
"""


def _hold_in_subprocess(path: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), "--pretend-crawl"], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_second_holder_is_told_who_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "crawl.lock"
    holder = _hold_in_subprocess(path)
    try:
        with pytest.raises(LockHeld) as caught:
            CrawlLock(path).acquire()
        message = str(caught.value)
        assert f"pid {holder.pid}" in message
        assert "--pretend-crawl" in message
        assert "started 20" in message
    finally:
        holder.kill()
        holder.wait()


def test_kill_9_releases_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "crawl.lock"
    holder = _hold_in_subprocess(path)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    deadline = time.monotonic() + 5
    while True:
        try:
            lock = CrawlLock(path).acquire()
            break
        except LockHeld:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    lock.release()


def test_lock_is_reentrant_after_release(tmp_path: Path) -> None:
    path = tmp_path / "crawl.lock"
    with CrawlLock(path):
        pass
    with CrawlLock(path):
        assert path.read_text(encoding="utf-8").startswith("{")
