"""The connection every part of the archive writes through, and its transactions.

``Archive`` (``archive.store``) is this connection with its jobs added: writing articles
(``archive.writing``), index upkeep (``archive.indexing``), stories (``archive.stories``)
and crawl bookkeeping (``archive.bookkeeping``).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Self


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ArchiveConnection:
    """An open archive.db: the connection, its path, and nested transactions."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Self]:
        """Group writes into one commit; inner ``transaction()`` blocks join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        # IMMEDIATE takes the write lock up front, so a second writer waits (busy timeout)
        # instead of failing halfway through when it tries to upgrade a read lock.
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self
        except BaseException:
            self._depth = 0
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self.conn.execute("COMMIT")
