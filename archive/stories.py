"""Repost detection: copies of one story share a normalised title or a similar body.

The body signature is a MinHash over character 5-shingles, computed with numpy
in one pass (datasketch's ``MinHash.update`` hashes each shingle in Python, which
costs more than the whole insert; the tests check our estimate against it). Locality-sensitive hashing in
bands (8 bands of 4 values) turns "similar body" into equal band keys, which live
in an indexed table, so finding candidates is an index lookup at any archive size.

``StoryGrouping`` gives each new article the story of the copy it finds (its own id when there
is none); a bulk load may leave that for later, and ``group_stories`` catches up in id order
with the same stories.
"""

from __future__ import annotations

import hashlib
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from archive.indexing import STORIES_THROUGH, IndexUpkeep, backlog
from archive.workers import worker_pool

NUM_PERM = 32
BANDS = 8
ROWS = NUM_PERM // BANDS
SHINGLE = 5
MIN_SHINGLES = 30  # shorter bodies (a caption, "详见附件") say nothing about identity
SAME_BODY = 0.9  # estimated Jaccard above which two bodies are one story (template notices reach 0.85)
SAME_TITLE_BODY = 0.6  # enough when the normalised titles are equal too
MIN_TITLE_KEY = 6
_STORY_CANDIDATES = 50
# New band keys go to the small table article_lsh_recent and move into article_lsh, in key
# order, once it holds this many rows (about 50,000 articles). Band keys are random, so
# inserting them one by one into the big table dirties a page of it per key: at a million
# articles each batch of 5,000 rewrote some 100 MiB of it; moved in key order, each page is
# rewritten once per move. Lookups read both tables.
LSH_RECENT_ROWS = 400_000
# How many new articles between two looks at the size of article_lsh_recent.
LSH_CHECK_EVERY = 1000
STORY_BATCH = 5000
PREPARE_PIECE = 250  # articles per task sent to a preparing process

_RNG = np.random.default_rng(20240601)
# Multiply-shift hashing: a universal family that needs no modulo, so numpy does it fast.
_A = _RNG.integers(1, 1 << 63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _RNG.integers(0, 1 << 63, size=NUM_PERM, dtype=np.uint64)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SAMPLE_SHIFT = np.uint64(62)  # keep the shingles whose top two hash bits are 0: a quarter


@dataclass(frozen=True)
class Signature:
    title_key: str
    minhash: bytes | None  # NUM_PERM little-endian uint32 values, None for short bodies

    def band_keys(self) -> list[int]:
        if self.minhash is None:
            return []
        keys = []
        for band in range(BANDS):
            chunk = self.minhash[band * ROWS * 4 : (band + 1) * ROWS * 4]
            digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
            keys.append(int.from_bytes(digest, "little", signed=True))
        return keys


def normalise_title(title: str | None) -> str:
    """Title without punctuation, spaces and width or case differences."""
    if not title:
        return ""
    folded = unicodedata.normalize("NFKC", title).lower()
    return "".join(ch for ch in folded if ch.isalnum())


def body_minhash(body: str | None) -> bytes | None:
    if not body:
        return None
    codes = np.frombuffer(body.encode("utf-32-le"), dtype=np.uint32)
    codes = codes[(codes > 0x20) & (codes != 0x3000)].astype(np.uint64)
    count = codes.size - SHINGLE + 1
    if count < MIN_SHINGLES:
        return None
    shingles = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE):
        shingles = (shingles * _MIX) ^ codes[offset : offset + count]
    # A consistent quarter of the shingles: equal bodies keep equal samples, and the
    # Jaccard estimate stays unbiased at a quarter of the cost.
    shingles = shingles * _MIX
    # Repeated shingles are left in: they cannot change a minimum.
    shingles = shingles[(shingles >> _SAMPLE_SHIFT) == 0]
    if shingles.size < MIN_SHINGLES // 4:
        return None
    values = ((np.outer(shingles, _A) + _B) >> np.uint64(32)).min(axis=0).astype("<u4")
    return values.tobytes()


def signature(title: str | None, body: str | None) -> Signature:
    return Signature(title_key=normalise_title(title), minhash=body_minhash(body))


def similarity(first: bytes | None, second: bytes | None) -> float:
    """Estimated Jaccard similarity of two bodies (0 when either is too short)."""
    if first is None or second is None:
        return 0.0
    a = np.frombuffer(first, dtype="<u4")
    b = np.frombuffer(second, dtype="<u4")
    return float(np.count_nonzero(a == b)) / NUM_PERM


def same_story(new: Signature, other_title_key: str, other_minhash: bytes | None) -> float:
    """A score above 0 when ``new`` is a copy of the other article; higher is more certain."""
    score = similarity(new.minhash, other_minhash)
    titles_equal = len(new.title_key) >= MIN_TITLE_KEY and new.title_key == other_title_key
    if score >= SAME_BODY or (titles_equal and score >= SAME_TITLE_BODY):
        return score + (1.0 if titles_equal else 0.0)
    return 0.0


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


def regroup_all(conn: sqlite3.Connection) -> None:
    """Group every stored article into its story, in id order: what an upgrade that created the
    story tables needs (inside the caller's transaction)."""
    rows = conn.execute("SELECT id, title, body FROM articles ORDER BY id").fetchall()
    for done, (article_id, title, body) in enumerate(rows, 1):
        story_id = assign_story(conn, article_id, signature(title, body))
        conn.execute("UPDATE articles SET story_id = ? WHERE id = ?", [story_id, article_id])
        if done % LSH_CHECK_EVERY == 0:
            settle_band_keys(conn)


def _row_signature(row: tuple[int, str | None, str]) -> Signature:
    return signature(row[1], row[2])


class StoryGrouping(IndexUpkeep):
    """Reposts of one story share a ``story_id``: found when an article is saved, or later."""

    _new_since_check = 0  # see LSH_CHECK_EVERY

    def _group(self, article_id: int, sig: Signature) -> int:
        """``assign_story`` for a new article, moving the recent band keys when enough wait."""
        story_id = assign_story(self.conn, article_id, sig)
        self._new_since_check += 1
        if self._new_since_check >= LSH_CHECK_EVERY:
            self._new_since_check = 0
            settle_band_keys(self.conn)
        return story_id

    def stories_through(self) -> int:
        """The last article id grouped into its story (later ones are their own story for now)."""
        return self.conn.execute(f"SELECT {STORIES_THROUGH}").fetchone()[0]

    def story_backlog(self) -> int:
        """How many articles wait for their repost grouping (see ``group_stories``)."""
        return backlog(self.conn, "stories_through")

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

        # A batch's rows are held in a list: they are read twice, and _group writes the table
        # they are read from.
        if workers < 1:

            def group_here(rows: Iterable[tuple[int, str | None, str]]) -> None:
                held = list(rows)
                group(held, map(_row_signature, held))

            return self._catch_up("stories_through", group_here, batch, progress)
        with worker_pool(workers) as pool:

            def group_in_pool(rows: Iterable[tuple[int, str | None, str]]) -> None:
                held = list(rows)
                group(held, pool.map(_row_signature, held, chunksize=PREPARE_PIECE))

            return self._catch_up("stories_through", group_in_pool, batch, progress)
