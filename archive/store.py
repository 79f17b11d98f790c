"""The archive: one SQLite file, opened and brought to the current schema by ``Archive.open``.

``Archive`` is made of one part per job, each in the module of its name:

- ``archive.writing``: saving articles, one by one or in bulk loads;
- ``archive.indexing``: the full-text index, pairs added later, merging its segments;
- ``archive.stories``: grouping reposts into stories;
- ``archive.bookkeeping``: the crawl's fetches, runs and sites;
- ``archive.careers``: appointment notices, their persons and the people linked across them;

all writing through one connection (``archive.connection``). Searching reads an open
archive from ``archive.searching``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive.bookkeeping import CrawlBookkeeping
from archive.careers import AppointmentRecords
from archive.errors import ArchiveError
from archive.indexing import rebuild_index
from archive.schema import INDEX, STORIES, migrate
from archive.stories import regroup_all
from archive.writing import ArticleWriting, SaveResult

__all__ = ["Archive", "SaveResult", "upgrade"]


def _rebuild(conn: sqlite3.Connection, what: frozenset[str]) -> None:
    # Today's code fills what an upgrade replaced, the schema being current by now.
    if INDEX in what:
        rebuild_index(conn)
    if STORIES in what:
        regroup_all(conn)


def upgrade(conn: sqlite3.Connection) -> int:
    """Bring an archive to the current schema (see ``archive.schema``); returns its version."""
    return migrate(conn, rebuild=_rebuild)


class Archive(ArticleWriting, CrawlBookkeeping, AppointmentRecords):
    """The SQLite archive. Open with ``Archive.open(path)``; usable as a context manager."""

    @classmethod
    def open(cls, path: str | Path) -> Archive:
        """Open (creating or upgrading when needed) the archive at ``path``."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, timeout=60)
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError(f"cannot open the archive {path}: {exc}") from exc
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA cache_size=-65536")
            upgrade(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ArchiveError(f"{path} is not a usable orgnews archive: {exc}") from exc
        except ArchiveError:
            conn.close()
            raise
        return cls(conn, path)
