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

import logging
import os
import sqlite3
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from archive.bookkeeping import CrawlBookkeeping
from archive.careers import AppointmentRecords
from archive.errors import ArchiveError, ReadOnlyArchive
from archive.indexing import REBUILD_BATCH, IndexUpkeep, begin_index_rebuild, rebuild_backlog
from archive.schema import (
    INDEX,
    SCHEMA_VERSION,
    STORIES,
    database_file,
    migrate,
    migration_lock,
    schema_version,
)
from archive.stories import regroup_all
from archive.writing import ArticleWriting, SaveResult

__all__ = ["Archive", "SaveResult", "upgrade"]

READ_ONLY, IMMUTABLE = "mode=ro", "immutable=1"
_log = logging.getLogger(__name__)


def _rebuild(conn: sqlite3.Connection, what: frozenset[str]) -> None:
    # Today's code fills what an upgrade replaced, the schema being current by now: the stories
    # in the upgrade's transaction, the character index in batches after it (see upgrade).
    if INDEX in what:
        begin_index_rebuild(conn)
    if STORIES in what:
        regroup_all(conn)


def upgrade(
    conn: sqlite3.Connection,
    *,
    batch: int = REBUILD_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Bring an archive to the current schema (see ``archive.schema``); returns its version.

    When an upgrade replaced the index tables, this one or an earlier one that was interrupted,
    the character index is filled in transactions of ``batch`` articles before it returns, so
    that no search reads it half filled (``progress(done, total)`` after each, see
    ``IndexUpkeep.rebuild_characters``).
    """
    version = migrate(conn, rebuild=_rebuild)
    if (left := rebuild_backlog(conn)) is not None:
        # Under the migration lock: one process fills the index, the others wait for it.
        waiting = (
            "another process is rebuilding the search index of this archive (%d articles left): "
            "waiting for it"
        )
        with migration_lock(conn, lambda: _log.warning(waiting, left)):
            IndexUpkeep(conn, Path(database_file(conn))).rebuild_characters(batch=batch, progress=progress)
    return version


class Archive(ArticleWriting, CrawlBookkeeping, AppointmentRecords):
    """The SQLite archive. Open with ``Archive.open(path)``; usable as a context manager."""

    # How a read-only archive was opened (see open_for_reading); None when it can be written.
    read_only: str | None = None

    @classmethod
    def open(cls, path: str | Path) -> Archive:
        """Open (creating or upgrading when needed) the archive at ``path``, for writing.

        Raises ``ReadOnlyArchive`` when the file or its directory cannot be written (see
        ``open_for_reading`` for commands that only read) and ``ArchiveError`` when it is damaged.
        """
        path = Path(path)
        if not _writable(path):
            raise ReadOnlyArchive(
                f"the archive {path} is read-only here (its file or directory cannot be written): "
                "this command writes to it; run it where the archive can be written"
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, timeout=60)
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError(f"cannot open the archive {path}: {exc}") from exc
        try:
            if problem := cut_short(conn, path):
                raise sqlite3.DatabaseError(problem)
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

    @classmethod
    def open_for_reading(cls, path: str | Path, notice: Callable[[str], None] | None = None) -> Archive:
        """Open the archive at ``path`` for commands that only read: as ``open`` where it can be
        written (which brings its schema up to date), else read-only, saying so once to ``notice``.

        Read-only means SQLite's ``mode=ro``, or ``immutable=1`` when the write-ahead log beside
        it cannot be opened either (a read-only directory); ``read_only`` then names which.
        """
        try:
            return cls.open(path)
        except ReadOnlyArchive:
            pass
        path = Path(path)
        conn, option = connect_read_only(path)
        try:
            if problem := cut_short(conn, path):
                raise sqlite3.DatabaseError(problem)
            version = schema_version(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ArchiveError(f"{path} is not a usable orgnews archive: {exc}") from exc
        if version != SCHEMA_VERSION:
            conn.close()
            raise ArchiveError(
                f"the read-only archive {path} has schema version {version} and this orgnews reads "
                f"{SCHEMA_VERSION}: open it once with this orgnews where it can be written"
            )
        if (left := rebuild_backlog(conn)) is not None:
            conn.close()
            raise ArchiveError(
                f"the read-only archive {path} is part way through the rebuild of its search index that "
                f"an upgrade began ({left:,} articles left), so searches would miss articles: open it "
                "once with this orgnews where it can be written (e.g. orgnews index) to finish it"
            )
        if notice is not None:
            notice(read_only_note(path, option))
        archive = cls(conn, path)
        archive.read_only = option
        return archive


def _writable(path: Path) -> bool:
    """Whether the archive at ``path`` and the files SQLite keeps beside it can be written."""
    existing = path if path.exists() else next((p for p in path.parents if p.exists()), path.parent)
    if existing != path:
        return os.access(existing, os.W_OK)
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def cut_short(conn: sqlite3.Connection, path: Path) -> str | None:
    """Why the archive at ``path``, just opened as ``conn``, is visibly shorter than its header
    says it is, or None. A file cut short (a copy that stopped, a full disk) is found here, before
    any query reads past its end; SQLite itself would only call it malformed.

    The header is read through ``conn``, never through a file of our own that is then closed:
    closing any file handle on the database drops every lock this process holds on it (POSIX locks
    belong to the process), and another process would then take an archive still being written
    here for unused, and clean its write-ahead log up under the writer.
    """
    # The size is read after the page count: another process may be adding pages meanwhile.
    try:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        log = path.with_name(path.name + "-wal")
        if log.exists() and log.stat().st_size > 0:
            return None  # its last pages may be in the write-ahead log, not yet in the file
        size = path.stat().st_size
    except (OSError, sqlite3.OperationalError):  # busy, locked: the next statement says so
        return None
    except sqlite3.DatabaseError:
        # Unreadable: say why when its header tells it was cut short (SQLite raises then).
        pages, page_size = _header_size(path)
        try:
            size = path.stat().st_size
        except OSError:
            return None
    if size >= pages * page_size:
        return None
    return f"it holds {size:,} bytes of the {pages * page_size:,} its header records: it was cut short"


# Files opened on archives that SQLite could not read, to read their headers: never closed (see
# cut_short), and only opened for an archive found damaged.
_HEADER_FILES: list[int] = []


def _header_size(path: Path) -> tuple[int, int]:
    """(pages, page size) as the database header of ``path`` records them; (0, 0) when it records
    none that can be trusted (no database, or a count written with an older change counter)."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return 0, 0
    _HEADER_FILES.append(handle)
    header = os.pread(handle, 100, 0)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00") or header[24:28] != header[92:96]:
        return 0, 0
    page_size = int.from_bytes(header[16:18], "big")
    return int.from_bytes(header[28:32], "big"), 65536 if page_size == 1 else page_size


def read_only_note(path: Path, option: str) -> str:
    """The one line saying that the archive at ``path`` was opened read-only, and how (``option``)."""
    log = path.with_name(path.name + "-wal")
    unseen = option == IMMUTABLE and log.exists() and log.stat().st_size > 0
    how = option + (", without the changes still in its write-ahead log" if unseen else "")
    return f"note: the archive {path} is read-only here: opened for reading only ({how})"


def connect_read_only(path: Path) -> tuple[sqlite3.Connection, str]:
    """A read-only connection to ``path`` and how it was opened (``mode=ro``, else ``immutable=1``)."""
    uri = "file:" + urllib.parse.quote(str(path))
    for option in (READ_ONLY, IMMUTABLE):
        try:
            conn = sqlite3.connect(f"{uri}?{option}", uri=True, isolation_level=None)
        except sqlite3.Error as exc:
            raise ArchiveError(f"cannot open the archive {path}: {exc}") from exc
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn, option
        except sqlite3.OperationalError:
            conn.close()  # mode=ro cannot open the write-ahead log in a read-only directory
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ArchiveError(f"{path} is not a usable orgnews archive: {exc}") from exc
    raise ArchiveError(f"cannot open the archive {path} even read-only")
