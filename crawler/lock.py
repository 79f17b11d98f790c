"""One crawl at a time per data directory.

The lock is an ``flock`` on ``DATA_DIR/crawl.lock``: the kernel releases it when the
holder exits, even after ``kill -9``, so a stale lock file never blocks the next run.
The file's content says who holds it, for the message the second run prints.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO


class LockHeld(Exception):
    """Another crawl is running on the same data directory."""

    def __init__(self, path: Path, holder: dict) -> None:
        self.path = path
        self.holder = holder
        who = (
            f"pid {holder.get('pid', '?')}, started {holder.get('started_at', '?')}, "
            f"command: {holder.get('command', '?')}"
        )
        super().__init__(
            f"another crawl holds {path} ({who}); wait for it to finish, or use another --data-dir"
        )


# Locks this process holds, by path: several crawlers of one `orgnews crawl` share the CLI's lock.
_held: dict[Path, CrawlLock] = {}


def hold_for_process(path: str | os.PathLike[str]) -> CrawlLock:
    """The lock on ``path``, acquired unless this process already holds it (raises LockHeld)."""
    path = Path(path).resolve()
    return _held.get(path) or CrawlLock(path).acquire()


class CrawlLock:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).resolve()
        self._fh: IO[str] | None = None

    def acquire(self) -> CrawlLock:
        # "a+" so opening never truncates what the current holder wrote.
        fh = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            text = fh.read()
            fh.close()
            try:
                holder = json.loads(text) if text.strip() else {}
            except json.JSONDecodeError:
                holder = {"command": text.strip()[:200]}
            raise LockHeld(self.path, holder) from None
        fh.seek(0)
        fh.truncate()
        json.dump(
            {
                "pid": os.getpid(),
                "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": " ".join(sys.argv),
            },
            fh,
        )
        fh.flush()
        self._fh = fh
        _held[self.path] = self
        return self

    def release(self) -> None:
        _held.pop(self.path, None)
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> CrawlLock:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
