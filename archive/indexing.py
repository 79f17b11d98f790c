"""Index upkeep: the full-text table ``articles_fts``, its watermarks, pairs added later and merges.

The index holds each article's title and body split into single characters and into
overlapping pairs of characters (see ``archive.charsplit``). A bulk load may index new
articles by their characters only; ``index_progress.pairs_through`` is the last article id
whose pairs are in, and ``IndexUpkeep.index_pairs`` catches up in id order. The index is
contentless, so an article leaves it only when given the exact values it went in with.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator

from archive.charsplit import split_pairs, split_text
from archive.connection import ArchiveConnection

FTS_COLUMNS = ("title", "body", "title_pairs", "body_pairs")
_FTS_NAMES = ", ".join(FTS_COLUMNS)
# Index text may come as UTF-8 bytes (see archive.writing.Prepared): read as the text it is.
_FTS_MARKS = ", ".join(["CAST(? AS TEXT)"] * len(FTS_COLUMNS))
INDEX_INSERT = f"INSERT INTO articles_fts(rowid, {_FTS_NAMES}) VALUES (?, {_FTS_MARKS})"
INDEX_DELETE = (
    f"INSERT INTO articles_fts(articles_fts, rowid, {_FTS_NAMES}) VALUES ('delete', ?, {_FTS_MARKS})"
)

# How much index data FTS5 gathers in memory before writing a segment. The default (1 MiB)
# flushes every few articles, and each flush is a segment to merge later; a bulk batch of
# 5,000 articles (about 100 MiB) is written once, at its commit. Small writes never use it.
# (Set with the table, see archive.schema.)
FTS_HASH_SIZE = 256 * 2**20
# Index segments merged sixteen at a time rather than four: a bulk load rewrites each posting
# fewer times (about a fifth faster at 100,000 articles), and a query reads a few more
# segments, which costs it a fraction of a millisecond. (Set with the table, see archive.schema.)
FTS_AUTOMERGE = 16
# A bulk load writes its index segments without merging them (see merges_deferred); level 0 may
# then hold this many before FTS5 merges them at once. Normal writes merge at FTS_AUTOMERGE.
FTS_CRISISMERGE = 256
REBUILD_CACHE_KIB = -2 * 1024 * 1024  # negative: KiB, so 2 GiB
PAIR_BATCH = 2000
MERGE_PAGES = 2000  # index pages merged per transaction by merge_index (about 8 MiB)
BULK_CACHE_KIB = -1024 * 1024  # negative: KiB, so 1 GiB of page cache while a bulk write runs


def through_sql(watermark: str) -> str:
    """The value of an ``index_progress`` watermark column, as an SQL value."""
    return f"(SELECT {watermark} FROM index_progress)"


# The last article id whose character pairs are in the index, as an SQL value.
PAIRS_THROUGH = through_sql("pairs_through")
# The last article id grouped into its story; later ones are their own story until
# ``StoryGrouping.group_stories`` reaches them.
STORIES_THROUGH = through_sql("stories_through")


def index_match_sql(pair_expression: str, character_expression: str, columns: str = "rowid") -> str:
    """SQL selecting ``columns`` of the index rows a query matches, given its two FTS5 expressions
    as SQL (``?``, ``orgnews_fts(:q)``...): the pair one up to ``pairs_through``, the character one after."""
    return (
        f"SELECT {columns} FROM articles_fts WHERE articles_fts MATCH {pair_expression} "
        f"AND rowid <= {PAIRS_THROUGH} UNION ALL "
        f"SELECT {columns} FROM articles_fts WHERE articles_fts MATCH {character_expression} "
        f"AND rowid > {PAIRS_THROUGH}"
    )


def create_index_table(conn: sqlite3.Connection) -> None:
    """Create an empty ``articles_fts`` table of this layout (title, body, their pairs)."""
    conn.execute(f"CREATE VIRTUAL TABLE articles_fts USING fts5({_FTS_NAMES}, content='', tokenize='ascii')")
    set_index_option(conn, "hashsize", FTS_HASH_SIZE)


def index_columns(title: str | None, body: str | None, pairs: bool = True) -> tuple[str | bytes, ...]:
    """What articles_fts holds for an article: title and body split into characters, then into pairs
    (left empty with ``pairs=False``, for an article past ``pairs_through``)."""
    return index_values(title, body, (split_text(title), split_text(body)), pairs)


def index_values(
    title: str | None, body: str | None, characters: tuple[str | bytes, str | bytes], pairs: bool
) -> tuple[str | bytes, ...]:
    """``index_columns`` for an article whose ``characters`` (split title and body) are at hand."""
    pair_columns = (split_pairs(title), split_pairs(body)) if pairs else ("", "")
    return (*characters, *pair_columns)


def rebuild_index(conn: sqlite3.Connection) -> None:
    """Fill the (empty) index with every stored article, pairs included: what an upgrade that
    replaced the index table needs. One transaction, the caller's: segments written and merged in
    it stay in the cache rather than going to the write-ahead log again and again."""
    rows = conn.execute("SELECT id, title, body FROM articles")
    with larger_cache(conn, REBUILD_CACHE_KIB):
        conn.executemany(INDEX_INSERT, ((row[0], *index_columns(row[1], row[2])) for row in rows))


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

    Merging segments sixteen at a time as a bulk load goes rewrites each posting again and again:
    at 400,000 articles it had halved the rate of inserting into the index. Searches stay exact
    with the segments unmerged (each reads a few more), and ``merge_index`` merges them.
    """
    set_index_option(conn, "automerge", 0)
    try:
        yield
    finally:
        set_index_option(conn, "automerge", FTS_AUTOMERGE)


def merge_index_step(conn: sqlite3.Connection, pages: int) -> bool:
    """Merge about ``pages`` pages of index segments where a level holds ``FTS_AUTOMERGE`` or more;
    False when there was nothing to merge."""
    before = conn.total_changes
    conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('merge', ?)", [pages])
    # FTS5 writes its structure record on every call; merging writes more than that.
    return conn.total_changes - before >= 2


def watermarks(conn: sqlite3.Connection) -> tuple[int, int]:
    """``(pairs_through, stories_through)``."""
    return conn.execute("SELECT pairs_through, stories_through FROM index_progress").fetchone()


def set_watermark(conn: sqlite3.Connection, watermark: str, article_id: int) -> None:
    conn.execute(f"UPDATE index_progress SET {watermark} = ? WHERE id = 1", [article_id])


class IndexUpkeep(ArchiveConnection):
    """The archive's index: adding and removing an article's row, pairs added later, merging."""

    def _index(self, article_id: int, values: tuple[str | bytes, ...]) -> None:
        self.conn.execute(INDEX_INSERT, [article_id, *values])

    def _unindex(self, article_id: int, values: tuple[str | bytes, ...]) -> None:
        # A contentless FTS5 table forgets a row only when given the exact indexed values.
        self.conn.execute(INDEX_DELETE, [article_id, *values])

    def pairs_through(self) -> int:
        """The last article id whose character pairs are in the search index."""
        return self.conn.execute(f"SELECT {PAIRS_THROUGH}").fetchone()[0]

    def pair_backlog(self) -> int:
        """How many articles are in the index by their characters only (see ``index_pairs``)."""
        return self._backlog("pairs_through")

    def index_pairs(
        self, *, batch: int = PAIR_BATCH, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Add the character pairs of every article past ``pairs_through`` to the index, in id order.

        Each batch is one transaction that also moves ``pairs_through``, so an interrupted run
        loses nothing and the next one goes on where it stopped. ``progress(done, total)`` is
        called after each batch. Returns the number of articles indexed.
        """

        def add_pairs(rows: list[tuple[int, str | None, str]]) -> None:
            for article_id, title, body in rows:
                characters = split_text(title), split_text(body)
                self._unindex(article_id, index_values(title, body, characters, False))
                self._index(article_id, index_values(title, body, characters, True))

        return self._catch_up("pairs_through", add_pairs, batch, progress)

    def merge_index(self, *, pages: int = MERGE_PAGES, progress: Callable[[int], None] | None = None) -> int:
        """Merge the index segments a bulk load left unmerged (where a level holds sixteen or more),
        about ``pages`` pages per transaction; an interrupted run loses nothing.

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
