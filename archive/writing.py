"""Writing articles: one at a time as the crawl saves them, or in bulk loads.

Writes are keyed by URL and idempotent. A changed article keeps its earlier text in
``article_versions``: nothing stored is ever overwritten and lost. A bulk load prepares
articles (rows, index text, signatures) in other processes while this one writes, one
transaction per batch, with the write-ahead log copied into the database from a thread.
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
from typing import Any

from archive.charsplit import split_text
from archive.connection import now_iso
from archive.errors import ArchiveError
from archive.indexing import (
    BULK_CACHE_KIB,
    CHARACTER_INSERT,
    PAIR_INSERT,
    larger_cache,
    merges_deferred,
    pair_values,
    set_watermark,
    watermarks,
)
from archive.schema import LIST_FIELDS, TEXT_FIELDS, VERSION_FIELDS
from archive.stories import PREPARE_PIECE, Signature, StoryGrouping, assign_story, signature
from archive.workers import worker_pool

# What makes two captures of a URL "the same article": not the crawl bookkeeping.
_HASHED_FIELDS = (*TEXT_FIELDS, "images", "attachments")
CHECKPOINT_SECONDS = 0.5  # how often a bulk load's checkpointing thread copies the log into the database
# Bulk commits between two after which the writer finishes the log copy itself (see _checkpoints_aside).
WAL_RESTART_COMMITS = 4
# Articles per transaction in save_articles. Each commit rewrites every page its inserts touched
# in the date indexes (and the title index when stories are grouped at once), which take new keys
# all over: at a million articles a batch of 10,000 touches about half as many of their pages per
# article as one of 5,000.
BULK_BATCH = 10_000


@dataclass(frozen=True)
class SaveResult:
    status: str  # "new", "updated" or "unchanged"
    article_id: int
    story_id: int


def _pairs(row: dict[str, Any]) -> tuple[str, str]:
    """The pair index values of an article row."""
    return pair_values(row["title"], row["body"])


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
    # Body and title split into characters (see charsplit), as UTF-8: they come from a preparing
    # process and go into the index as they are, where text would be decoded and encoded again.
    characters: tuple[bytes, bytes] | None = None
    signature: Signature | None = None

    def complete(self, stories: bool = True) -> Prepared:
        """Fill in the characters, and with ``stories`` the signature (not needed when grouping waits)."""
        if self.characters is None:
            self.characters = tuple(split_text(self.row[name]).encode() for name in ("body", "title"))
        if stories and self.signature is None:
            self.signature = signature(self.row["title"], self.row["body"])
        return self


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


def prepare(article: Any, full: bool = True, stories: bool = True) -> Prepared:
    """The CPU-bound part of saving an article; ``full=False`` leaves what an unchanged article never
    needs, ``stories=False`` the signature of an article whose story grouping waits."""
    if not getattr(article, "url", None):
        raise ArchiveError("an article without a URL cannot be stored: set Article.url")
    prepared = Prepared(article_row(article))
    return prepared.complete(stories) if full else prepared


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


class ArticleWriting(StoryGrouping):
    """Saving articles: new ones indexed and grouped into their story, changed ones versioned."""

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
            with worker_pool(workers) as pool:
                return write_all(_prepared_in(pool, articles, stories, ahead=batch))

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
            pairs_through, stories_through = watermarks(self.conn)
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
            self._unindex(article_id, old_title, old_body, paired)
            self._index(article_id, item.characters, _pairs(row) if paired else None)
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
        self._index(article_id, item.characters, _pairs(item.row) if paired else None)
        if paired:
            set_watermark(self.conn, "pairs_through", article_id)
        if grouped:
            set_watermark(self.conn, "stories_through", article_id)
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
        numbered = list(enumerate(items, start=first))
        self.conn.executemany(
            CHARACTER_INSERT,
            ((article_id, *item.complete(stories=False).characters) for article_id, item in numbered),
        )
        if paired:
            self.conn.executemany(
                PAIR_INSERT, ((article_id, *_pairs(item.row)) for article_id, item in numbered)
            )
        last = first + len(items) - 1
        if paired:
            set_watermark(self.conn, "pairs_through", last)
        return [SaveResult("new", article_id, article_id) for article_id in range(first, last + 1)]

    def _next_new(self, now: tuple[bool, bool]) -> tuple[int, bool, bool]:
        """The id of the next new article, and whether its (pairs, story) are done at once."""
        # The id is the one SQLite would give (we hold the write lock), taken first so that the story
        # is known before the row is written: updating a row rewrites all of its text.
        article_id = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM articles").fetchone()[0]
        # Pairs and story are done now only when every earlier article has its own, so that "done"
        # stays exactly "id <= pairs_through / stories_through"; behind a backlog they wait for
        # index_pairs() / group_stories(), which go in id order.
        pairs_through, stories_through = watermarks(self.conn)
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

    def _keep_version(self, article_id: int, replaced_at: str) -> None:
        names = ", ".join(f"[{name}]" for name in VERSION_FIELDS)
        self.conn.execute(
            f"INSERT INTO article_versions (article_id, url, {names}, replaced_at) "
            f"SELECT id, url, {names}, ? FROM articles WHERE id = ?",
            [replaced_at, article_id],
        )
