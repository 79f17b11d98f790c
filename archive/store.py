"""The archive's write side: one SQLite file, opened, migrated and written by ``Archive``.

Writes are keyed by URL and idempotent; ``transaction()`` groups many of them into
one commit (the crawl writes one page's fetches and article together, a bulk
load ten thousand articles at a time). A changed article keeps its earlier
text in ``article_versions``: nothing stored is ever overwritten and lost.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import itertools
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from archive.charsplit import split_pairs, split_text
from archive.errors import ArchiveError
from archive.schema import (
    INDEX_DELETE,
    INDEX_INSERT,
    LIST_FIELDS,
    PAIRS_THROUGH,
    STORIES_THROUGH,
    TEXT_FIELDS,
    VERSION_FIELDS,
    larger_cache,
    merge_index_step,
    merges_deferred,
    migrate,
    through_sql,
)
from archive.stories import Signature, same_story, signature

FETCH_OUTCOMES = frozenset({"article", "not-article", "blocked", "error", "not-modified", "list"})
RUN_STAT_KEYS = (
    "pages_fetched",
    "articles_new",
    "articles_updated",
    "articles_unchanged",
    "articles_failed",
    "fetches_blocked",
)
# What makes two captures of a URL "the same article": not the crawl bookkeeping.
_HASHED_FIELDS = (*TEXT_FIELDS, "images", "attachments")
_STORY_CANDIDATES = 50
# New band keys go to the small table article_lsh_recent and move into article_lsh, in key
# order, once it holds this many rows (about 50,000 articles). Band keys are random, so
# inserting them one by one into the big table dirties a page of it per key: at a million
# articles each batch of 5,000 rewrote some 100 MiB of it; moved in key order, each page is
# rewritten once per move. Lookups read both tables.
LSH_RECENT_ROWS = 400_000
# How many new articles between two looks at the size of article_lsh_recent.
LSH_CHECK_EVERY = 1000
PAIR_BATCH = 2000
CHECKPOINT_SECONDS = 0.5  # how often a bulk load's checkpointing thread copies the log into the database
# Bulk commits between two after which the writer finishes the log copy itself (see _checkpoints_aside).
WAL_RESTART_COMMITS = 4
STORY_BATCH = 5000
MERGE_PAGES = 2000  # index pages merged per transaction by merge_index (about 8 MiB)
# Articles per transaction in save_articles. Each commit rewrites every page its inserts touched
# in the date indexes (and the title index when stories are grouped at once), which take new keys
# all over: at a million articles a batch of 10,000 touches about half as many of their pages per
# article as one of 5,000.
BULK_BATCH = 10_000
BULK_CACHE_KIB = -1024 * 1024  # negative: KiB, so 1 GiB of page cache while save_articles runs


@dataclass(frozen=True)
class SaveResult:
    status: str  # "new", "updated" or "unchanged"
    article_id: int
    story_id: int


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _year(published_at: str | None) -> int | None:
    if published_at and len(published_at) >= 4 and published_at[:4].isdigit():
        return int(published_at[:4])
    return None


def article_row(article: Any) -> dict[str, Any]:
    """The stored form of an Article: lists as JSON text, plus the content hash."""
    row: dict[str, Any] = {"url": article.url}
    for name in TEXT_FIELDS:
        row[name] = getattr(article, name, None)
    row["body"] = row["body"] or ""
    for name in LIST_FIELDS:
        row[name] = json.dumps(list(getattr(article, name, None) or []), ensure_ascii=False)
    hashed = json.dumps([row[name] for name in _HASHED_FIELDS], ensure_ascii=False)
    row["content_hash"] = hashlib.sha256(hashed.encode("utf-8")).hexdigest()
    row["year"] = _year(row["published_at"])
    return row


@dataclass
class Prepared:
    """An article ready to write: its row, and (once completed) its characters for the index and signature."""

    row: dict[str, Any]
    # Title and body split into characters (see charsplit), as UTF-8: they come from a preparing
    # process and go into the index as they are, where text would be decoded and encoded again.
    characters: tuple[bytes, bytes] | None = None
    signature: Signature | None = None

    def complete(self, stories: bool = True) -> Prepared:
        """Fill in the characters, and with ``stories`` the signature (not needed when grouping waits)."""
        if self.characters is None:
            self.characters = tuple(split_text(self.row[name]).encode() for name in ("title", "body"))
        if stories and self.signature is None:
            self.signature = signature(self.row["title"], self.row["body"])
        return self


PREPARE_PIECE = 250  # articles per task sent to a preparing process


def _row_signature(row: tuple[int, str | None, str]) -> Signature:
    return signature(row[1], row[2])


def _prepare_piece(articles: list[Any], stories: bool) -> list[Prepared]:
    return [prepare(article, stories=stories) for article in articles]


def _prepared_in(
    pool: ProcessPoolExecutor, articles: Iterable[Any], stories: bool, ahead: int
) -> Iterator[Prepared]:
    """``prepare`` each article in ``pool``, in order, keeping at most about ``ahead`` articles in
    flight: the writer starts after the first few hundred and never waits for a whole batch."""
    remaining = iter(articles)
    pieces = iter(lambda: list(itertools.islice(remaining, PREPARE_PIECE)), [])
    pending: collections.deque = collections.deque()
    for piece in pieces:
        pending.append(pool.submit(_prepare_piece, piece, stories))
        if len(pending) * PREPARE_PIECE >= ahead:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


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


def prepare(article: Any, full: bool = True, stories: bool = True) -> Prepared:
    """The CPU-bound part of saving an article; ``full=False`` leaves what an unchanged article never
    needs, ``stories=False`` the signature of an article whose story grouping waits."""
    if not getattr(article, "url", None):
        raise ArchiveError("an article without a URL cannot be stored: set Article.url")
    prepared = Prepared(article_row(article))
    return prepared.complete(stories) if full else prepared


def settle_band_keys(conn: sqlite3.Connection, at_least: int | None = None) -> int:
    """Move the band keys of article_lsh_recent into article_lsh once there are ``at_least``
    (default ``LSH_RECENT_ROWS``) of them.

    Returns how many moved (0 when fewer were waiting). Lookups give the same answer before and after.
    """
    waiting = conn.execute("SELECT count(*) FROM article_lsh_recent").fetchone()[0]
    if not waiting or waiting < (LSH_RECENT_ROWS if at_least is None else at_least):
        return 0
    conn.execute(
        "INSERT OR IGNORE INTO article_lsh(band_key, article_id) "
        "SELECT band_key, article_id FROM article_lsh_recent ORDER BY band_key, article_id"
    )
    conn.execute("DELETE FROM article_lsh_recent")
    return waiting


def assign_story(conn: sqlite3.Connection, article_id: int, sig: Signature) -> int:
    """Store the signature of ``article_id`` and return the story it belongs to."""
    keys = sig.band_keys()
    candidates: set[int] = set()
    if keys:
        marks = ",".join("?" * len(keys))
        candidates.update(
            r[1]
            for r in conn.execute(
                f"SELECT band_key, article_id FROM article_lsh WHERE band_key IN ({marks}) UNION ALL "
                f"SELECT band_key, article_id FROM article_lsh_recent WHERE band_key IN ({marks}) "
                f"ORDER BY 1, 2 LIMIT {_STORY_CANDIDATES}",
                keys + keys,
            )
        )
    if sig.title_key:
        candidates.update(
            r[0]
            for r in conn.execute(
                f"SELECT article_id FROM article_signatures WHERE title_key = ? LIMIT {_STORY_CANDIDATES}",
                [sig.title_key],
            )
        )
    candidates.discard(article_id)
    best_story, best_score = article_id, 0.0
    if candidates:
        marks = ",".join("?" * len(candidates))
        rows = conn.execute(
            f"SELECT s.article_id, s.title_key, s.minhash, a.story_id FROM article_signatures s "
            f"JOIN articles a ON a.id = s.article_id WHERE s.article_id IN ({marks})",
            sorted(candidates),
        )
        for other_id, title_key, minhash, story_id in rows:
            score = same_story(sig, title_key, minhash)
            # Ties go to the oldest story so that grouping does not depend on arrival order.
            if score > best_score or (
                score == best_score and score > 0 and (story_id or other_id) < best_story
            ):
                best_story, best_score = story_id or other_id, score
    previous = conn.execute(
        "SELECT title_key, minhash FROM article_signatures WHERE article_id = ?", [article_id]
    )
    for title_key, minhash in previous.fetchall():
        # Deleting by the old band keys uses the primary key; by article id alone it would scan.
        old_keys = [(key, article_id) for key in Signature(title_key, minhash).band_keys()]
        for table in ("article_lsh", "article_lsh_recent"):
            conn.executemany(f"DELETE FROM {table} WHERE band_key = ? AND article_id = ?", old_keys)
    conn.execute(
        "INSERT OR REPLACE INTO article_signatures(article_id, title_key, minhash) VALUES (?, ?, ?)",
        [article_id, sig.title_key, sig.minhash],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO article_lsh_recent(band_key, article_id) VALUES (?, ?)",
        [(key, article_id) for key in keys],
    )
    return best_story


def _new_row(
    item: Prepared, article_id: int, story_id: int, seen_at: str, fetch_id: int | None
) -> dict[str, Any]:
    """The articles row of a new article."""
    return {
        **item.row,
        "id": article_id,
        "story_id": story_id,
        "first_seen": seen_at,
        "last_seen": seen_at,
        "fetch_id": fetch_id,
    }


class Archive:
    """The SQLite archive. Open with ``Archive.open(path)``; usable as a context manager."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self.db = Database(conn)
        self._depth = 0
        self._new_since_check = 0  # see LSH_CHECK_EVERY

    @classmethod
    def open(cls, path: str | Path) -> Archive:
        """Open (creating and migrating when needed) the archive at ``path``."""
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
            migrate(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ArchiveError(f"{path} is not a usable orgnews archive: {exc}") from exc
        except ArchiveError:
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Archive]:
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

    # -- articles -----------------------------------------------------------------------------

    def save_article(
        self, article: Any, *, fetch_id: int | None = None, seen_at: str | None = None
    ) -> SaveResult:
        """Store ``article`` keyed by its URL: "new", "updated" (old text kept) or "unchanged"."""
        return self._save(prepare(article, full=False), fetch_id, seen_at or now_iso(), now=(True, True))

    def save_articles(
        self,
        articles: Iterable[Any],
        *,
        seen_at: str | None = None,
        workers: int = 0,
        batch: int = BULK_BATCH,
        defer_pairs: bool = False,
        defer_stories: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> list[SaveResult]:
        """Bulk ``save_article``, ``batch`` articles per transaction (for imports and benchmarks).

        With ``workers`` > 0, that many processes prepare the index text and signatures of the
        next batch while this process writes the current one. With ``defer_pairs`` the new
        articles go into the index as characters only, several times faster; search stays exact
        (a query reads them by their characters) and ``index_pairs()`` adds their pairs later.
        With ``defer_stories`` they are stored as their own story, without the signature work,
        and ``group_stories()`` finds their reposts later, with the same result. The index
        segments written meanwhile are merged by ``merge_index()`` (searches read a few more until then).
        Pieces of new articles go in with one statement per table; the others one by one.
        ``progress(stored)`` is called after each committed batch with the number stored so far.
        """
        seen_at = seen_at or now_iso()
        now = (not defer_pairs, not defer_stories)
        stories = not defer_stories
        results: list[SaveResult] = []

        def write_batch(items: Iterator[Prepared]) -> list[SaveResult]:
            written: list[SaveResult] = []
            for piece in iter(lambda: list(itertools.islice(items, PREPARE_PIECE)), []):
                inserted = self._insert_new(piece, seen_at, now)
                written.extend(inserted or (self._save(item, None, seen_at, now) for item in piece))
            return written

        def write_all(prepared: Iterator[Prepared]) -> list[SaveResult]:
            while True:
                with self.transaction():
                    written = write_batch(itertools.islice(prepared, batch))
                if not written:
                    return results
                committed()
                results.extend(written)
                if progress is not None:
                    progress(len(results))

        # A bulk load inserts at random places in the url, date and story indexes; once those
        # outgrow the usual cache every insert would read pages back from the file. Its index
        # segments are merged afterwards (merge_index), not again and again as they are written.
        with (
            larger_cache(self.conn, BULK_CACHE_KIB),
            merges_deferred(self.conn),
            self._checkpoints_aside() as committed,
        ):
            if workers < 1:
                return write_all(prepare(article, stories=stories) for article in articles)
            with ProcessPoolExecutor(max_workers=workers) as pool:
                return write_all(_prepared_in(pool, articles, stories, ahead=2 * batch))

    @contextlib.contextmanager
    def _checkpoints_aside(self) -> Iterator[Callable[[], None]]:
        """Copy the write-ahead log into the database from a second connection, in a thread, while
        this one goes on writing, rather than at each commit waiting for the disk.

        Yields the function to call after each commit. The log starts over only when a write
        begins with all of it copied, which a thread copying alongside never leaves behind; so
        every ``WAL_RESTART_COMMITS`` commits the writer copies the rest itself, and the log
        stays at a few batches instead of growing with the whole load.
        """
        if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            yield lambda: None
            return
        previous = self.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        self.conn.execute("PRAGMA wal_autocheckpoint = 0")
        stop = threading.Event()
        one_at_a_time = threading.Lock()  # a second checkpoint would return at once, copying nothing
        commits = itertools.count(1)

        def checkpoint() -> None:
            conn = sqlite3.connect(self.path, timeout=60)
            try:
                while not stop.wait(CHECKPOINT_SECONDS):
                    with one_at_a_time:
                        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                conn.close()

        def copy_rest() -> None:
            if not self.conn.in_transaction:  # inside a caller's transaction nothing is committed yet
                with one_at_a_time:
                    self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

        def committed() -> None:
            if next(commits) % WAL_RESTART_COMMITS == 0:
                copy_rest()

        worker = threading.Thread(target=checkpoint, name="orgnews-checkpoint", daemon=True)
        worker.start()
        try:
            yield committed
        finally:
            stop.set()
            worker.join()
            self.conn.execute(f"PRAGMA wal_autocheckpoint = {int(previous)}")
            copy_rest()

    def _save(self, item: Prepared, fetch_id: int | None, seen_at: str, now: tuple[bool, bool]) -> SaveResult:
        """Store one prepared article; ``now`` says whether its (pairs, story) may be done at once
        (they still wait when earlier articles wait for theirs)."""
        row = item.row
        with self.transaction():
            existing = self.conn.execute(
                "SELECT id, content_hash, story_id, title, body FROM articles WHERE url = ?",
                [row["url"]],
            ).fetchone()
            if existing is None:
                return self._insert(item.complete(stories=False), fetch_id, seen_at, now)
            article_id, content_hash, story_id, old_title, old_body = existing
            if content_hash == row["content_hash"]:
                self.conn.execute(
                    "UPDATE articles SET last_seen = max(coalesce(last_seen, ''), ?), "
                    "fetch_id = coalesce(?, fetch_id) WHERE id = ?",
                    [seen_at, fetch_id, article_id],
                )
                return SaveResult("unchanged", article_id, story_id)
            pairs_through, stories_through = self._progress()
            item = item.complete(stories=article_id <= stories_through)
            self._keep_version(article_id, seen_at)
            assignments = ", ".join(f"[{name}] = :{name}" for name in row)
            self.conn.execute(
                f"UPDATE articles SET {assignments}, last_seen = :seen, fetch_id = coalesce(:fetch_id, fetch_id) "
                "WHERE id = :id",
                {**row, "seen": seen_at, "fetch_id": fetch_id, "id": article_id},
            )
            # The index row is replaced in the same form: with pairs up to pairs_through, without after.
            paired = article_id <= pairs_through
            self._unindex(article_id, index_columns(old_title, old_body, paired))
            self._index(article_id, index_values(row["title"], row["body"], item.characters, paired))
            # The story stays: an edit does not turn a copy into a different story. An article
            # still waiting for its grouping is grouped by its text as it is then.
            if item.signature is not None:
                assign_story(self.conn, article_id, item.signature)
            return SaveResult("updated", article_id, story_id)

    def _insert(
        self, item: Prepared, fetch_id: int | None, seen_at: str, now: tuple[bool, bool]
    ) -> SaveResult:
        article_id, paired, grouped = self._next_new(now)
        story_id = self._group(article_id, item.complete().signature) if grouped else article_id
        self._add_rows([_new_row(item, article_id, story_id, seen_at, fetch_id)])
        self._index(article_id, index_values(item.row["title"], item.row["body"], item.characters, paired))
        if paired:
            self._set_watermark("pairs_through", article_id)
        if grouped:
            self._set_watermark("stories_through", article_id)
        return SaveResult("new", article_id, story_id)

    def _insert_new(self, items: list[Prepared], seen_at: str, now: tuple[bool, bool]) -> list[SaveResult]:
        """``_insert`` for a piece of articles that are all new, with one statement per table for the
        lot (what a bulk load of new articles is); [] when they are not all new or their stories are
        grouped at once, for ``_save`` to store one by one. Inside a transaction."""
        urls = [item.row["url"] for item in items]
        if len(set(urls)) < len(urls):
            return []
        marks = ", ".join("?" * len(urls))
        if self.conn.execute(f"SELECT 1 FROM articles WHERE url IN ({marks}) LIMIT 1", urls).fetchone():
            return []
        first, paired, grouped = self._next_new(now)
        if grouped:
            return []
        # As _insert one by one: all of them paired when the first is, none grouped, each its own story.
        self._add_rows(
            [
                _new_row(item, article_id, article_id, seen_at, None)
                for article_id, item in enumerate(items, first)
            ]
        )
        self.conn.executemany(
            INDEX_INSERT,
            (
                (
                    article_id,
                    *index_values(
                        item.row["title"], item.row["body"], item.complete(stories=False).characters, paired
                    ),
                )
                for article_id, item in enumerate(items, start=first)
            ),
        )
        last = first + len(items) - 1
        if paired:
            self._set_watermark("pairs_through", last)
        return [SaveResult("new", article_id, article_id) for article_id in range(first, last + 1)]

    def _next_new(self, now: tuple[bool, bool]) -> tuple[int, bool, bool]:
        """The id of the next new article, and whether its (pairs, story) are done at once."""
        # The id is the one SQLite would give (we hold the write lock), taken first so that the story
        # is known before the row is written: updating a row rewrites all of its text.
        article_id = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM articles").fetchone()[0]
        # Pairs and story are done now only when every earlier article has its own, so that "done"
        # stays exactly "id <= pairs_through / stories_through"; behind a backlog they wait for
        # index_pairs() / group_stories(), which go in id order.
        pairs_through, stories_through = self._progress()
        return (
            article_id,
            now[0] and pairs_through == article_id - 1,
            now[1] and stories_through == article_id - 1,
        )

    def _add_rows(self, rows: list[dict[str, Any]]) -> None:
        """Insert new article rows (see ``_new_row``; all with the same keys)."""
        names = ", ".join(f"[{name}]" for name in rows[0])
        marks = ", ".join(f":{name}" for name in rows[0])
        self.conn.executemany(f"INSERT INTO articles ({names}) VALUES ({marks})", rows)

    def _group(self, article_id: int, sig: Signature) -> int:
        """``assign_story`` for a new article, moving the recent band keys when enough wait."""
        story_id = assign_story(self.conn, article_id, sig)
        self._new_since_check += 1
        if self._new_since_check >= LSH_CHECK_EVERY:
            self._new_since_check = 0
            settle_band_keys(self.conn)
        return story_id

    def _progress(self) -> tuple[int, int]:
        return self.conn.execute("SELECT pairs_through, stories_through FROM index_progress").fetchone()

    def _keep_version(self, article_id: int, replaced_at: str) -> None:
        names = ", ".join(f"[{name}]" for name in VERSION_FIELDS)
        self.conn.execute(
            f"INSERT INTO article_versions (article_id, url, {names}, replaced_at) "
            f"SELECT id, url, {names}, ? FROM articles WHERE id = ?",
            [replaced_at, article_id],
        )

    def _index(self, article_id: int, values: tuple[str | bytes, ...]) -> None:
        self.conn.execute(INDEX_INSERT, [article_id, *values])

    def _unindex(self, article_id: int, values: tuple[str | bytes, ...]) -> None:
        # A contentless FTS5 table forgets a row only when given the exact indexed values.
        self.conn.execute(INDEX_DELETE, [article_id, *values])

    # -- the pair index -----------------------------------------------------------------------------

    def pairs_through(self) -> int:
        """The last article id whose character pairs are in the search index."""
        return self.conn.execute(f"SELECT {PAIRS_THROUGH}").fetchone()[0]

    def _set_watermark(self, watermark: str, article_id: int) -> None:
        self.conn.execute(f"UPDATE index_progress SET {watermark} = ? WHERE id = 1", [article_id])

    def _backlog(self, watermark: str) -> int:
        sql = f"SELECT count(*) FROM articles WHERE id > {through_sql(watermark)}"
        return self.conn.execute(sql).fetchone()[0]

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
                    self._set_watermark(watermark, rows[-1][0])
                done += len(rows)
                if progress is not None:
                    progress(done, max(total, done))

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

    # -- deferred story grouping ---------------------------------------------------------------------

    def stories_through(self) -> int:
        """The last article id grouped into its story (later ones are their own story for now)."""
        return self.conn.execute(f"SELECT {STORIES_THROUGH}").fetchone()[0]

    def story_backlog(self) -> int:
        """How many articles wait for their repost grouping (see ``group_stories``)."""
        return self._backlog("stories_through")

    def group_stories(
        self,
        *,
        batch: int = STORY_BATCH,
        progress: Callable[[int, int], None] | None = None,
        workers: int = 1,
    ) -> int:
        """Group every article past ``stories_through`` into its story, in id order.

        Each article is compared with the ones before it, as when it is saved one at a time, so
        the stories are the ones a load without deferral gives. Each batch is one transaction
        that also moves ``stories_through``: an interrupted run loses nothing. ``progress(done,
        total)`` is called after each batch. Returns the number of articles grouped. With ``workers``
        > 0, that many processes compute the signatures while this one looks up and stores them.
        """

        def group(rows: list[tuple[int, str | None, str]], signatures: Iterable[Signature]) -> None:
            for (article_id, _, _), sig in zip(rows, signatures, strict=True):
                story_id = self._group(article_id, sig)
                if story_id != article_id:  # a repost: the rare row that is rewritten
                    self.conn.execute("UPDATE articles SET story_id = ? WHERE id = ?", [story_id, article_id])

        if workers < 1:
            return self._catch_up(
                "stories_through", lambda rows: group(rows, map(_row_signature, rows)), batch, progress
            )
        with ProcessPoolExecutor(max_workers=workers) as pool:

            def group_in_pool(rows: list[tuple[int, str | None, str]]) -> None:
                group(rows, pool.map(_row_signature, rows, chunksize=PREPARE_PIECE))

            return self._catch_up("stories_through", group_in_pool, batch, progress)

    def known_article_urls(self, site: str | None = None) -> set[str]:
        if site is None:
            return {r[0] for r in self.conn.execute("SELECT url FROM articles")}
        return {r[0] for r in self.conn.execute("SELECT url FROM articles WHERE site = ?", [site])}

    def article_state(self, url: str) -> dict[str, Any] | None:
        """What the crawl needs to refresh ``url``: id, last_seen, etag, last_modified, content_hash,
        and the article's age (published_at, first_seen)."""
        row = self.conn.execute(
            "SELECT a.id, a.last_seen, f.etag, f.last_modified, a.content_hash, a.published_at, a.first_seen "
            "FROM articles a LEFT JOIN fetches f ON f.id = a.fetch_id WHERE a.url = ?",
            [url],
        ).fetchone()
        if row is None:
            return None
        keys = (
            "article_id",
            "last_seen",
            "etag",
            "last_modified",
            "content_hash",
            "published_at",
            "first_seen",
        )
        return dict(zip(keys, row, strict=True))

    def iter_article_sources(self, site: str | None = None) -> Iterator[dict[str, Any]]:
        """The latest article fetch (WARC pointer) of each stored article, for re-extraction."""
        sql = (
            "SELECT a.id, a.url, a.site, f.warc_file, f.warc_offset, f.warc_length FROM articles a "
            "LEFT JOIN fetches f ON f.id = ("
            "  SELECT id FROM fetches WHERE url = a.url AND outcome = 'article' ORDER BY id DESC LIMIT 1)"
        )
        params: list[Any] = []
        if site is not None:
            sql += " WHERE a.site = ?"
            params.append(site)
        keys = ("article_id", "url", "site", "warc_file", "warc_offset", "warc_length")
        for row in self.conn.execute(sql + " ORDER BY a.id", params).fetchall():
            yield dict(zip(keys, row, strict=True))

    # -- fetches, runs, sites -------------------------------------------------------------------

    def record_fetch(
        self,
        *,
        url: str,
        status: int | None,
        outcome: str,
        run_id: int | None,
        fetched_at: str | None = None,
        warc_file: str | None = None,
        warc_offset: int | None = None,
        warc_length: int | None = None,
        detail: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        site: str | None = None,
    ) -> int:
        """Record one HTTP exchange; returns the fetch id."""
        if outcome not in FETCH_OUTCOMES:
            raise ArchiveError(
                f"unknown fetch outcome {outcome!r}: use one of {', '.join(sorted(FETCH_OUTCOMES))}"
            )
        values = {
            "url": url,
            "site": site,
            "status": status,
            "outcome": outcome,
            "run_id": run_id,
            "fetched_at": fetched_at or now_iso(),
            "warc_file": warc_file,
            "warc_offset": warc_offset,
            "warc_length": warc_length,
            "detail": detail,
            "etag": etag,
            "last_modified": last_modified,
        }
        with self.transaction():
            names = ", ".join(values)
            marks = ", ".join(f":{name}" for name in values)
            return self.conn.execute(f"INSERT INTO fetches ({names}) VALUES ({marks})", values).lastrowid

    def upsert_site(self, name: str, *, title: str, hosts: list[str]) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO sites(name, title, hosts, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET title = excluded.title, hosts = excluded.hosts, "
                "updated_at = excluded.updated_at",
                [name, title, json.dumps(list(hosts), ensure_ascii=False), now_iso()],
            )

    def start_run(self, site: str, *, options: dict | None = None) -> int:
        with self.transaction():
            return self.conn.execute(
                "INSERT INTO runs(site, started_at, status, options) VALUES (?, ?, 'running', ?)",
                [site, now_iso(), json.dumps(options or {}, ensure_ascii=False, default=str)],
            ).lastrowid

    def finish_run(
        self, run_id: int, *, status: str, stats: dict, field_coverage: dict[str, float], alerts: list[str]
    ) -> None:
        values = {key: stats.get(key, 0) for key in RUN_STAT_KEYS}
        with self.transaction():
            cursor = self.conn.execute(
                f"UPDATE runs SET finished_at = :finished_at, status = :status, "
                f"{', '.join(f'{key} = :{key}' for key in RUN_STAT_KEYS)}, stats = :stats, "
                "field_coverage = :field_coverage, alerts = :alerts WHERE id = :id",
                {
                    **values,
                    "finished_at": now_iso(),
                    "status": status,
                    "id": run_id,
                    "stats": json.dumps(stats, ensure_ascii=False, default=str),
                    "field_coverage": json.dumps(field_coverage, ensure_ascii=False),
                    "alerts": json.dumps(list(alerts), ensure_ascii=False),
                },
            )
            if cursor.rowcount == 0:
                raise ArchiveError(f"no run with id {run_id}: start it with start_run() first")

    def runs(self, site: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Recorded runs, newest first."""
        sql = "SELECT * FROM runs"
        params: list[Any] = []
        if site is not None:
            sql += " WHERE site = ?"
            params.append(site)
        cursor = self.conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])
        names = [d[0] for d in cursor.description]
        result = []
        for row in cursor.fetchall():
            run = dict(zip(names, row, strict=True))
            extra = json.loads(run.pop("stats") or "{}")
            run = {**extra, **run}
            run["options"] = json.loads(run["options"] or "{}")
            run["field_coverage"] = json.loads(run["field_coverage"] or "{}")
            run["alerts"] = json.loads(run["alerts"] or "[]")
            result.append(run)
        return result

    def recent_coverage(self, site: str, limit: int = 5) -> list[dict[str, Any]]:
        """Field coverage of the latest finished runs of ``site`` (id, status, articles, field_coverage)."""
        return [
            {
                "id": run["id"],
                "status": run["status"],
                "finished_at": run["finished_at"],
                "articles_new": run["articles_new"],
                "articles_updated": run["articles_updated"],
                "articles_unchanged": run["articles_unchanged"],
                "field_coverage": run["field_coverage"],
            }
            for run in self.runs(site=site, limit=limit + 1)
            if run["finished_at"] is not None
        ][:limit]

    # -- reading ----------------------------------------------------------------------------------

    def search(self, query: str, **options: Any) -> list[Any]:
        """Exact full-text search; see ``archive.searching.run_search`` for the options."""
        from archive.searching import run_search

        return run_search(self, query, **options)

    def count(self, query: str, **options: Any) -> int:
        """How many articles match ``query`` (same filters as ``search``)."""
        from archive.searching import count_matches

        return count_matches(self, query, **options)
