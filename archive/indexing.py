"""Index upkeep: the full-text table ``articles_fts``, its watermarks, articles indexed later and merges.

The index holds, per article, the set of the characters and of the overlapping character pairs
of its title and body, without positions (see ``archive.charsplit``). An article is indexed in
the transaction that stores it, or, after a bulk load that leaves it for later, by
``IndexUpkeep.index_waiting``: ``index_progress.indexed_through`` is the last article id in the
index, and a search reads the text of the articles past it (exact, only slower). The index is
contentless, so an article leaves it only when given the exact tokens it went in with.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator

from archive.charsplit import index_text
from archive.connection import ArchiveConnection

# Index text may come as UTF-8 bytes (see archive.writing.Prepared): read as the text it is.
INDEX_INSERT = "INSERT INTO articles_fts(rowid, tokens) VALUES (?, CAST(? AS TEXT))"
INDEX_DELETE = "INSERT INTO articles_fts(articles_fts, rowid, tokens) VALUES ('delete', ?, CAST(? AS TEXT))"

# How much index data FTS5 gathers in memory before writing a segment. The default (1 MiB)
# flushes every few articles, and each flush is a segment to merge later; a bulk batch of
# 10,000 articles (about 60 MiB of entries) is written once, at its commit. Small writes never
# use it. (Set with the table, see archive.schema.)
FTS_HASH_SIZE = 128 * 2**20
# Index segments merged sixteen at a time rather than four as they are written: each entry is
# rewritten fewer times. (Set with the table, see archive.schema.)
FTS_AUTOMERGE = 16
# A bulk load writes its index segments without merging them (see merges_deferred); level 0 may
# then hold this many before FTS5 merges them at once. Normal writes merge at FTS_AUTOMERGE.
FTS_CRISISMERGE = 256
# merge_index merges any two or more segments of a level: after it the index is one segment
# (or a few), which is what a search reads fastest. (Set with the table, see archive.schema.)
FTS_USERMERGE = 2
INDEX_BATCH = 2000
MERGE_PAGES = 2000  # index pages merged per transaction by merge_index (about 8 MiB)
# Page cache while a bulk write runs (negative: KiB): the url, date and story indexes take new
# keys all over, and a cache that holds their pages saves reading them back from the file.
BULK_CACHE_KIB = -256 * 1024


def through_sql(watermark: str) -> str:
    """The value of an ``index_progress`` watermark column, as an SQL value."""
    return f"(SELECT {watermark} FROM index_progress)"


# The last article id in the search index, as an SQL value.
INDEXED_THROUGH = through_sql("indexed_through")
# The last article id grouped into its story; later ones are their own story until
# ``StoryGrouping.group_stories`` reaches them.
STORIES_THROUGH = through_sql("stories_through")


def index_match_sql(expression: str, unindexed: str = "1") -> str:
    """SQL selecting ``id``, the articles whose index entry ``expression`` (an FTS5 expression as
    SQL: ``?``, ``orgnews_fts(:q)``...) matches, and every article not in the index yet (past
    ``indexed_through``) for which ``unindexed`` (SQL over ``articles``) holds."""
    return (
        f"SELECT rowid AS id FROM articles_fts WHERE articles_fts MATCH {expression} "
        f"AND rowid <= {INDEXED_THROUGH} UNION ALL "
        f"SELECT id FROM articles WHERE id > {INDEXED_THROUGH} AND {unindexed}"
    )


def create_index_table(conn: sqlite3.Connection) -> None:
    """Create an empty ``articles_fts`` table of this layout (see archive.schema)."""
    conn.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5(tokens, content='', tokenize='ascii', detail=none)"
    )
    set_index_option(conn, "hashsize", FTS_HASH_SIZE)


@contextlib.contextmanager
def larger_cache(conn: sqlite3.Connection, cache_kib: int) -> Iterator[None]:
    """Run a bulk write with ``PRAGMA cache_size = cache_kib`` (negative: KiB), then restore the size."""
    previous = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {int(cache_kib)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(previous)}")


def set_index_option(conn: sqlite3.Connection, name: str, value: int) -> None:
    """Set an FTS5 option of articles_fts (stored with the table, so every connection sees it)."""
    conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES (?, ?)", [name, value])


@contextlib.contextmanager
def merges_deferred(conn: sqlite3.Connection) -> Iterator[None]:
    """Write index segments without merging them as they are written, then turn merging back on.

    Merging segments as a bulk load goes rewrites each entry again and again; searches stay
    exact with the segments unmerged (each reads a few more), and ``merge_index`` merges them.
    """
    set_index_option(conn, "automerge", 0)
    try:
        yield
    finally:
        set_index_option(conn, "automerge", FTS_AUTOMERGE)


def merge_index_step(conn: sqlite3.Connection, pages: int) -> bool:
    """Merge about ``pages`` pages of index segments where a level holds two or more;
    False when there was nothing to merge."""
    before = conn.total_changes
    conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('merge', ?)", [pages])
    # FTS5 writes its structure record on every call; merging writes more than that.
    return conn.total_changes - before >= 2


def watermarks(conn: sqlite3.Connection) -> tuple[int, int]:
    """``(indexed_through, stories_through)``."""
    return conn.execute("SELECT indexed_through, stories_through FROM index_progress").fetchone()


def set_watermark(conn: sqlite3.Connection, watermark: str, article_id: int) -> None:
    conn.execute(f"UPDATE index_progress SET {watermark} = ? WHERE id = 1", [article_id])


class IndexUpkeep(ArchiveConnection):
    """The archive's index: adding and removing an article's entry, articles indexed later, merging."""

    def _index(self, article_id: int, tokens: str | bytes) -> None:
        self.conn.execute(INDEX_INSERT, [article_id, tokens])

    def _unindex(self, article_id: int, tokens: str | bytes) -> None:
        # A contentless FTS5 table forgets a row only when given the exact indexed tokens.
        self.conn.execute(INDEX_DELETE, [article_id, tokens])

    def indexed_through(self) -> int:
        """The last article id in the search index (later ones are found by reading their text)."""
        return self.conn.execute(f"SELECT {INDEXED_THROUGH}").fetchone()[0]

    def index_backlog(self) -> int:
        """How many articles are not in the search index yet (see ``index_waiting``)."""
        return self._backlog("indexed_through")

    def index_waiting(
        self, *, batch: int = INDEX_BATCH, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Add every article past ``indexed_through`` to the index, in id order.

        Each batch is one transaction that also moves ``indexed_through``, so an interrupted run
        loses nothing and the next one goes on where it stopped. ``progress(done, total)`` is
        called after each batch. Returns the number of articles indexed.
        """

        def add(rows: list[tuple[int, str | None, str]]) -> None:
            self.conn.executemany(INDEX_INSERT, ((row[0], index_text(row[1], row[2])) for row in rows))

        with merges_deferred(self.conn):
            return self._catch_up("indexed_through", add, batch, progress)

    def merge_index(self, *, pages: int = MERGE_PAGES, progress: Callable[[int], None] | None = None) -> int:
        """Merge the index segments a bulk load left unmerged into one, about ``pages`` pages per
        transaction; an interrupted run loses nothing.

        ``progress(merged)`` is called after each transaction with the pages merged so far.
        Returns about how many pages were merged (0 when there was nothing to merge).
        """
        merged = 0
        with larger_cache(self.conn, BULK_CACHE_KIB):
            while True:
                with self.transaction():
                    if not merge_index_step(self.conn, pages):
                        return merged
                merged += pages
                if progress is not None:
                    progress(merged)

    def _backlog(self, watermark: str) -> int:
        sql = f"SELECT count(*) FROM articles WHERE id > {through_sql(watermark)}"
        return self.conn.execute(sql).fetchone()[0]

    def _catch_up(
        self,
        watermark: str,
        step: Callable[[list[tuple[int, str | None, str]]], None],
        batch: int,
        progress: Callable[[int, int], None] | None,
    ) -> int:
        """Run ``step(rows)`` on the (id, title, body) of every article past index_progress.``watermark``,
        in id order, one transaction per ``batch`` rows that also moves the watermark."""
        through = through_sql(watermark)
        total = self._backlog(watermark)
        done = 0
        with larger_cache(self.conn, BULK_CACHE_KIB):
            while True:
                with self.transaction():
                    rows = self.conn.execute(
                        f"SELECT id, title, body FROM articles WHERE id > {through} ORDER BY id LIMIT ?",
                        [batch],
                    ).fetchall()
                    if not rows:
                        return done
                    step(rows)
                    set_watermark(self.conn, watermark, rows[-1][0])
                done += len(rows)
                if progress is not None:
                    progress(done, max(total, done))
