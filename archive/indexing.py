"""Index upkeep: the full-text tables ``articles_fts`` and ``articles_pairs``, their watermarks,
pairs added later and merges.

``articles_fts`` holds each article's body and title split into single characters,
``articles_pairs`` the same text as overlapping pairs of characters (see ``archive.charsplit``).
Every article is in ``articles_fts`` as soon as it is stored; a bulk load may leave the pairs for
later: ``index_progress.pairs_through`` is the last article id whose pairs are in, and
``IndexUpkeep.index_pairs`` catches up in id order with plain inserts into ``articles_pairs``.
An archive may keep no pairs at all (``index_progress.pairs_kept`` = 0, ``IndexUpkeep.drop_pairs``):
``pairs_through`` then stays 0 and every query reads the characters.
Both tables are contentless, so an article leaves one only when given the exact values it went
in with.

An upgrade that replaced the index tables refills ``articles_fts`` with every stored article in
batches after its transaction (see ``archive.store.upgrade``): while it runs, the one-row table
``index_rebuild`` holds ``characters_through``, the last article id whose characters are in, and
an interrupted refill goes on from there at the next open.

Each table puts the body first: FTS5 marks every entry of a column other than the first with
two bytes, and the body's entries are nearly all of them.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping

from archive.charsplit import split_pairs, split_text
from archive.connection import ArchiveConnection

CHARACTER_TABLE = "articles_fts"
PAIR_TABLE = "articles_pairs"
INDEX_TABLES = (CHARACTER_TABLE, PAIR_TABLE)
# Index text may come as UTF-8 bytes (see archive.writing.Prepared): read as the text it is.
_VALUES = "(?, CAST(? AS TEXT), CAST(? AS TEXT))"
CHARACTER_INSERT = f"INSERT INTO {CHARACTER_TABLE}(rowid, body, title) VALUES {_VALUES}"
PAIR_INSERT = f"INSERT INTO {PAIR_TABLE}(rowid, body, title) VALUES {_VALUES}"
_DELETE = (
    "INSERT INTO {table}({table}, rowid, body, title) VALUES ('delete', ?, CAST(? AS TEXT), CAST(? AS TEXT))"
)
# An FTS5 expression (an empty phrase) that matches no row, as SQL.
_MATCHES_NOTHING = """'""'"""
# Title hits count ten times body hits (the columns are body, title in both tables).
BM25_WEIGHTS = "1.0, 10.0"

# How much index data FTS5 gathers in memory before writing a segment. The default (1 MiB)
# flushes every few articles, and each flush is a segment to merge later; a bulk batch of
# 5,000 articles (about 100 MiB) is written once, at its commit. Small writes never use it.
# (Set with the tables, see archive.schema.)
FTS_HASH_SIZE = 256 * 2**20
# Index segments merged sixteen at a time rather than four: a bulk load rewrites each posting
# fewer times (about a fifth faster at 100,000 articles), and a query reads a few more
# segments, which costs it a fraction of a millisecond. (Set with the tables, see archive.schema.)
FTS_AUTOMERGE = 16
# A bulk load writes its index segments without merging them (see merges_deferred); level 0 may
# then hold this many before FTS5 merges them at once. Normal writes merge at FTS_AUTOMERGE.
FTS_CRISISMERGE = 256
PAIR_BATCH = 2000
# Articles whose characters an upgrade's rebuild adds per transaction (its rows read as they are
# inserted): an interrupted rebuild loses at most one batch. At 300,000 articles on a shared machine,
# runs interleaved: one transaction 89 to 124 s and 700 MiB peak, batches of 25,000 83 and 124 s and
# 512 MiB, batches of 10,000 106 to 146 s (more and smaller index segments to merge, presumably).
REBUILD_BATCH = 25_000
REBUILD_TABLE = "index_rebuild"
MERGE_PAGES = 2000  # index pages merged per transaction by merge_index (about 8 MiB)
# Negative: KiB, so 256 MiB of page cache while a bulk write or an upgrade's rebuild runs. Rebuilding
# the character index of 100,000 articles in one transaction took 45 s and peaked at 712 MB with it,
# 53 s and 2,068 MB with 2 GiB: the segments go to the write-ahead log either way (see REBUILD_BATCH
# for the batches that replaced the one transaction).
BULK_CACHE_KIB = -256 * 1024

_log = logging.getLogger(__name__)


def through_sql(watermark: str, table: str = "index_progress") -> str:
    """The value of a watermark column of ``index_progress`` (or of the one-row ``table``), as an SQL value."""
    return f"(SELECT {watermark} FROM {table})"


# The last article id whose character pairs are in the index, as an SQL value.
PAIRS_THROUGH = through_sql("pairs_through")
# The last article id grouped into its story; later ones are their own story until
# ``StoryGrouping.group_stories`` reaches them.
STORIES_THROUGH = through_sql("stories_through")


# The FTS5 expressions of a query that ``index_match_sql`` reads (see ``archive.query.Query``).
MATCH_PARTS = ("pairs", "beside", "either", "excluded_pairs", "excluded_characters", "characters")
_PART = re.compile(r"\{(" + "|".join(MATCH_PARTS) + r")\}")


def index_match_sql(expressions: Mapping[str, str], columns: str = "rowid", *, scored: bool = False) -> str:
    """SQL selecting ``columns`` (the rowid, under any name) and, when ``scored``, ``score`` (BM25
    with the sign turned, higher is better) of the index rows a query matches, given its FTS5
    expressions as SQL (``orgnews_fts(:q)``...) by the names of ``MATCH_PARTS``, any of which
    but ``characters`` may be NULL.

    Up to ``pairs_through``, the rows are ``((pairs AND beside) OR either) NOT excluded_pairs NOT
    excluded_characters`` (see ``archive.query.Query``), each part read from its own table and
    combined by UNION and EXCEPT over rowids; after it, the rows the ``characters`` expression
    matches in ``articles_fts``. A query whose ``pairs`` and ``excluded_pairs`` are both NULL
    reads ``characters`` for every article. Unscored, the rows come in rowid order; scored, in
    no particular order, and a row found by the pairs and by ``either`` has the sum of both
    scores, as FTS5 scores an OR.
    """
    return _PART.sub(lambda part: expressions[part.group(1)], _match_template(columns, scored, None))


@functools.lru_cache(maxsize=128)
def positional_match_sql(
    columns: str = "rowid", *, scored: bool = False, present: frozenset[str] | None = None
) -> tuple[str, tuple[str, ...]]:
    """``index_match_sql`` with ``?`` for each expression, and the names of the parts its
    parameters take, in order. Given the parts a query has (``present``, the names of its
    expressions that are not None), the statement reads only those, with no branch for the
    others: what a caller that knows its query runs (its parameters never NULL)."""
    template = _match_template(columns, scored, present)
    return _PART.sub("?", template), tuple(_PART.findall(template))


def _match_template(columns: str, scored: bool, present: frozenset[str] | None) -> str:
    """``index_match_sql`` with ``{part}`` where each expression goes: for any query (each part
    tested for NULL in SQL) when ``present`` is None, else for a query of those parts only."""

    def has(part: str) -> bool:
        return present is None or part in present

    def guarded(condition: str) -> str:
        # A condition on which parts the query has: needed only when that is not known here.
        return f"AND {condition} " if present is None else ""

    def rows(table: str, part: str, selected: str = "rowid", bounded: bool = True) -> str:
        # The rows (up to pairs_through when bounded) that the part matches; none when it is NULL.
        slot = "{" + part + "}"
        match = f"coalesce({slot}, {_MATCHES_NOTHING})" if present is None else slot
        bound = f"AND rowid <= {PAIRS_THROUGH} " if bounded else ""
        return f"SELECT {selected} FROM {table} WHERE {table} MATCH {match} {bound}" + guarded(
            f"{slot} IS NOT NULL"
        )

    def score(table: str) -> str:
        return f"-bm25({table}, {BM25_WEIGHTS}) AS score"

    def unless_null(part: str, condition: str) -> str:
        if not has(part):
            return ""
        return f"AND ({{{part}}} IS NULL OR {condition}) " if present is None else f"AND {condition} "

    # The unary + keeps the planner from asking the pair table for each id the beside
    # expression matches (every article, for a character such as 党): it filters afterwards.
    # (Bounded by pairs_through too, FTS5 took up to a tenth longer to list those ids.)
    beside = unless_null("beside", f"+rowid IN ({rows(CHARACTER_TABLE, 'beside', bounded=False)})")
    kept = unless_null(
        "excluded_pairs", f"+rowid NOT IN ({rows(PAIR_TABLE, 'excluded_pairs')})"
    ) + unless_null("excluded_characters", f"+rowid NOT IN ({rows(CHARACTER_TABLE, 'excluded_characters')})")
    combined = "({either} IS NOT NULL OR {excluded_pairs} IS NOT NULL OR {excluded_characters} IS NOT NULL)"
    planned = has("pairs") or has("excluded_pairs")
    if present is None:
        after = (
            f"(CASE WHEN {{pairs}} IS NULL AND {{excluded_pairs}} IS NULL THEN 0 ELSE {PAIRS_THROUGH} END)"
        )
    else:
        after = PAIRS_THROUGH if planned else "0"
    characters = f"FROM {CHARACTER_TABLE} WHERE {CHARACTER_TABLE} MATCH {{characters}} AND rowid > {after}"
    if not planned:
        return f"SELECT {columns}{', ' + score(CHARACTER_TABLE) if scored else ''} {characters}"
    if not scored:
        # Combined, the parts each come in rowid order, as FTS5 yields them: SQLite merges them
        # without a sort, and the branches follow one another in rowid order.
        parts = [rows(PAIR_TABLE, "pairs", columns) + beside + guarded(combined)] if has("pairs") else []
        parts += [rows(CHARACTER_TABLE, "either", "rowid" if parts else columns)] if has("either") else []
        first = " UNION ".join(parts)
        if has("excluded_pairs"):
            first += f" EXCEPT {rows(PAIR_TABLE, 'excluded_pairs')}"
        if has("excluded_characters"):
            first += f" EXCEPT {rows(CHARACTER_TABLE, 'excluded_characters')}"
        branches = []
        if present is None or not present & {"either", "excluded_pairs", "excluded_characters"}:
            branches.append(rows(PAIR_TABLE, "pairs", columns) + beside + guarded(f"NOT {combined}"))
        if present is None or present & {"either", "excluded_pairs", "excluded_characters"}:
            branches.append(f"SELECT * FROM ({first} ORDER BY 1)")
        return " UNION ALL ".join([*branches, f"SELECT rowid {characters}"])
    branches = []
    if has("pairs") and (present is None or "either" not in present):
        branches.append(
            rows(PAIR_TABLE, "pairs", f"{columns}, {score(PAIR_TABLE)}")
            + beside
            + guarded("{either} IS NULL")
            + kept
        )
    if has("either") and not has("pairs"):
        branches.append(rows(CHARACTER_TABLE, "either", f"{columns}, {score(CHARACTER_TABLE)}") + kept)
    elif has("either"):
        # A row found by the pairs and by the either part scores for both.
        found = [
            rows(CHARACTER_TABLE, "either", f"rowid AS rowid, {score(CHARACTER_TABLE)}"),
            rows(PAIR_TABLE, "pairs", f"rowid, {score(PAIR_TABLE)}")
            + beside
            + guarded("{either} IS NOT NULL"),
        ]
        branches.append(
            f"SELECT {columns}, sum(score) AS score FROM ({' UNION ALL '.join(found)}) "
            f"WHERE 1 {guarded('{either} IS NOT NULL')}{kept}GROUP BY rowid"
        )
    return " UNION ALL ".join([*branches, f"SELECT {columns}, {score(CHARACTER_TABLE)} {characters}"])


def create_index_table(conn: sqlite3.Connection, table: str = CHARACTER_TABLE) -> None:
    """Create an empty index table of this layout (body, title) named ``table``."""
    conn.execute(f"CREATE VIRTUAL TABLE {table} USING fts5(body, title, content='', tokenize='ascii')")
    set_index_option(conn, "hashsize", FTS_HASH_SIZE, table)


def character_values(title: str | None, body: str | None) -> tuple[str, str]:
    """What ``articles_fts`` holds for an article: body and title split into characters."""
    return split_text(body), split_text(title)


def pair_values(title: str | None, body: str | None) -> tuple[str, str]:
    """What ``articles_pairs`` holds for an article: body and title split into overlapping pairs."""
    return split_pairs(body), split_pairs(title)


def begin_index_rebuild(conn: sqlite3.Connection) -> None:
    """Mark the (empty) character index as to be filled with every stored article, and leave every
    article's pairs to ``IndexUpkeep.index_pairs``: what an upgrade that replaced the index tables
    does in its transaction, the caller's. ``IndexUpkeep.rebuild_characters`` then fills it."""
    set_watermark(conn, "pairs_through", 0)
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {REBUILD_TABLE} "
        "(id INTEGER PRIMARY KEY CHECK (id = 1), characters_through INTEGER NOT NULL)"
    )
    conn.execute(f"INSERT OR REPLACE INTO {REBUILD_TABLE} (id, characters_through) VALUES (1, 0)")


def rebuild_backlog(conn: sqlite3.Connection) -> int | None:
    """How many articles an upgrade's rebuild of the character index has still to add, or None
    when no rebuild is under way (the index holds every article)."""
    marked = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    if conn.execute(marked, [REBUILD_TABLE]).fetchone() is None:
        return None
    return backlog(conn, "characters_through", REBUILD_TABLE)


def backlog(conn: sqlite3.Connection, watermark: str, table: str = "index_progress") -> int:
    """How many articles are past a watermark (see ``through_sql``)."""
    sql = f"SELECT count(*) FROM articles WHERE id > {through_sql(watermark, table)}"
    return conn.execute(sql).fetchone()[0]


@contextlib.contextmanager
def larger_cache(conn: sqlite3.Connection, cache_kib: int) -> Iterator[None]:
    """Run a bulk write with ``PRAGMA cache_size = cache_kib`` (negative: KiB), then restore the size."""
    previous = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {int(cache_kib)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(previous)}")


def set_index_option(conn: sqlite3.Connection, name: str, value: int, table: str | None = None) -> None:
    """Set an FTS5 option of ``table``, or of both index tables (stored with the table, so every
    connection sees it)."""
    for each in (table,) if table else INDEX_TABLES:
        conn.execute(f"INSERT INTO {each}({each}, rank) VALUES (?, ?)", [name, value])


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
    """Merge about ``pages`` pages of index segments of each index table where a level holds
    ``FTS_AUTOMERGE`` or more; False when there was nothing to merge."""
    merged = False
    for table in INDEX_TABLES:
        before = conn.total_changes
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('merge', ?)", [pages])
        # FTS5 writes its structure record on every call; merging writes more than that.
        merged |= conn.total_changes - before >= 2
    return merged


def keeps_pairs(conn: sqlite3.Connection) -> bool:
    """Whether the archive keeps a pair index (see ``IndexUpkeep.drop_pairs``)."""
    return bool(conn.execute("SELECT pairs_kept FROM index_progress").fetchone()[0])


def watermarks(conn: sqlite3.Connection) -> tuple[int, int]:
    """``(pairs_through, stories_through)`` as a write reads them: in an archive that keeps no pairs,
    ``pairs_through`` is -1, so that no article is paired and none is caught up to get its pairs."""
    return conn.execute(
        "SELECT CASE WHEN pairs_kept THEN pairs_through ELSE -1 END, stories_through FROM index_progress"
    ).fetchone()


def set_watermark(
    conn: sqlite3.Connection, watermark: str, article_id: int, table: str = "index_progress"
) -> None:
    conn.execute(f"UPDATE {table} SET {watermark} = ? WHERE id = 1", [article_id])


class IndexUpkeep(ArchiveConnection):
    """The archive's index: adding and removing an article's row, pairs added later, merging."""

    def _index(
        self, article_id: int, characters: tuple[str | bytes, str | bytes], pairs: tuple[str, str] | None
    ) -> None:
        """Index an article by its ``characters`` (split body and title) and, unless None, ``pairs``."""
        self.conn.execute(CHARACTER_INSERT, [article_id, *characters])
        if pairs is not None:
            self.conn.execute(PAIR_INSERT, [article_id, *pairs])

    def _unindex(self, article_id: int, title: str | None, body: str | None, paired: bool) -> None:
        """Take out the index rows of an article whose stored text is ``title`` and ``body``."""
        # A contentless FTS5 table forgets a row only when given the exact indexed values.
        self.conn.execute(_DELETE.format(table=CHARACTER_TABLE), [article_id, *character_values(title, body)])
        if paired:
            self.conn.execute(_DELETE.format(table=PAIR_TABLE), [article_id, *pair_values(title, body)])

    def pairs_through(self) -> int:
        """The last article id whose character pairs are in the search index."""
        return self.conn.execute(f"SELECT {PAIRS_THROUGH}").fetchone()[0]

    def pair_backlog(self) -> int:
        """How many articles wait for ``index_pairs`` to add their pairs: every article past
        ``pairs_through``, none in an archive that keeps no pairs."""
        return backlog(self.conn, "pairs_through") if self.keeps_pairs() else 0

    def keeps_pairs(self) -> bool:
        """Whether the archive keeps a pair index (see ``drop_pairs``)."""
        return keeps_pairs(self.conn)

    def drop_pairs(self) -> int:
        """Empty the pair index and keep none from now on: every query is read by its characters,
        exact as before but slower for common words, and new articles get no pairs. Returns how
        many articles had their pairs in the index. One transaction: an interrupted drop leaves
        the index as it was. ``keep_pairs`` undoes it. What it saves and what it costs searches is
        measured in benchmarks/README.md (``benchmarks/archive.py --without-pairs``).
        """
        with self.transaction():
            paired = self.conn.execute(
                f"SELECT count(*) FROM articles WHERE id <= {PAIRS_THROUGH}"
            ).fetchone()[0]
            self.conn.execute(f"INSERT INTO {PAIR_TABLE}({PAIR_TABLE}) VALUES ('delete-all')")
            self.conn.execute("UPDATE index_progress SET pairs_through = 0, pairs_kept = 0 WHERE id = 1")
        return paired

    def keep_pairs(self) -> bool:
        """Keep a pair index again after ``drop_pairs``: ``index_pairs`` then adds the pairs of every
        article, and new articles get theirs once it has caught up. False when it was kept already."""
        with self.transaction():
            if self.keeps_pairs():
                return False
            self.conn.execute("UPDATE index_progress SET pairs_kept = 1 WHERE id = 1")
        return True

    def index_pairs(
        self, *, batch: int = PAIR_BATCH, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Add the character pairs of every article past ``pairs_through`` to the index, in id order.

        Each batch is one transaction that also moves ``pairs_through``, so an interrupted run
        loses nothing and the next one goes on where it stopped. ``progress(done, total)`` is
        called after each batch. Returns the number of articles indexed. Nothing is added in an
        archive that keeps no pairs, and a run stops at its next batch when they are dropped.
        """
        adding = self._inserting(PAIR_INSERT, pair_values)
        return self._catch_up("pairs_through", adding, batch, progress, wanted=self.keeps_pairs)

    def rebuild_characters(
        self, *, batch: int = REBUILD_BATCH, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Go on with an upgrade's rebuild of the character index (see ``begin_index_rebuild``)
        until every article is in, then drop its marker; nothing to do when none is under way.

        Each batch is one transaction that also moves ``index_rebuild.characters_through``, so an
        interrupted rebuild loses at most one batch and the next call goes on where it stopped.
        ``progress(done, total)`` is called after each batch. Returns the number of articles added.
        """
        left = rebuild_backlog(self.conn)
        if left is None:
            return 0
        through = through_sql("characters_through", REBUILD_TABLE)
        if self.conn.execute(f"SELECT {through}").fetchone()[0]:
            _log.warning(
                "going on with the rebuild of the search index that an interrupted upgrade began: "
                "%d articles left",
                left,
            )

        adding = self._inserting(CHARACTER_INSERT, character_values)
        added = self._catch_up("characters_through", adding, batch, progress, REBUILD_TABLE)
        with self.transaction():
            self.conn.execute(f"DROP TABLE {REBUILD_TABLE}")
        return added

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

    def _inserting(
        self, insert: str, values: Callable[[str | None, str | None], tuple[str, str]]
    ) -> Callable[[Iterable[tuple[int, str | None, str]]], None]:
        """A ``_catch_up`` step that inserts the ``values`` (body, title) of each row with ``insert``."""

        def step(rows: Iterable[tuple[int, str | None, str]]) -> None:
            self.conn.executemany(
                insert, ((article_id, *values(title, body)) for article_id, title, body in rows)
            )

        return step

    def _catch_up(
        self,
        watermark: str,
        step: Callable[[Iterable[tuple[int, str | None, str]]], None],
        batch: int,
        progress: Callable[[int, int], None] | None,
        table: str = "index_progress",
        wanted: Callable[[], bool] = lambda: True,
    ) -> int:
        """Run ``step(rows)`` on the (id, title, body) of every article past ``table``.``watermark``,
        in id order, one transaction per ``batch`` rows that also moves the watermark, while
        ``wanted()`` (asked in each transaction). The rows of a batch are read as ``step`` goes
        through them, not held in a list."""
        through = through_sql(watermark, table)
        total = backlog(self.conn, watermark, table)
        done = 0
        with larger_cache(self.conn, BULK_CACHE_KIB):
            while True:
                with self.transaction():
                    if not wanted():
                        return done
                    last, count = self.conn.execute(
                        f"SELECT max(id), count(*) FROM (SELECT id FROM articles WHERE id > {through} "
                        "ORDER BY id LIMIT ?)",
                        [batch],
                    ).fetchone()
                    if not count:
                        return done
                    step(
                        self.conn.execute(
                            f"SELECT id, title, body FROM articles WHERE id > {through} AND id <= ? ORDER BY id",
                            [last],
                        )
                    )
                    set_watermark(self.conn, watermark, last, table)
                done += count
                if progress is not None:
                    progress(done, max(total, done))
