"""Schema of archive.db, built by numbered migrations.

``PRAGMA user_version`` holds the number of the last applied migration. Each
migration is one function that takes the database from version N-1 to N inside
a transaction; an archive written by a newer orgnews is refused, not damaged.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import sqlite3
from collections.abc import Callable, Iterator

from sqlite_utils import Database

from archive.charsplit import split_text
from archive.errors import ArchiveError
from crawler.extract.article import ARTICLE_FIELDS

ARTICLE_COLUMNS = {
    "id": int,
    "url": str,
    "canonical_url": str,
    "site": str,
    "column": str,
    "title": str,
    "subtitle": str,
    "source": str,
    "published_at": str,
    "year": int,
    "author": str,
    "editor": str,
    "body": str,
    "images": str,
    "attachments": str,
    "next_pages": str,
    "warnings": str,
    "content_hash": str,
    "first_seen": str,
    "last_seen": str,
    "story_id": int,
    "fetch_id": int,
}
LIST_FIELDS = ("images", "attachments", "next_pages", "warnings")
# The Article's text fields as stored (the list fields are stored as JSON text); url is the key.
TEXT_FIELDS = tuple(name for name in ARTICLE_FIELDS if name != "url" and name not in LIST_FIELDS)
# Fields kept for every earlier text of an article (everything an edit can change).
VERSION_FIELDS = (
    *TEXT_FIELDS,
    "images",
    "attachments",
    "warnings",
    "content_hash",
    "first_seen",
    "last_seen",
    "fetch_id",
)


def _core_tables(db: Database) -> None:
    db["sites"].create({"name": str, "title": str, "hosts": str, "updated_at": str}, pk="name")
    db["runs"].create(
        {
            "id": int,
            "site": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "options": str,
            "pages_fetched": int,
            "articles_new": int,
            "articles_updated": int,
            "articles_unchanged": int,
            "articles_failed": int,
            "fetches_blocked": int,
            "stats": str,
            "field_coverage": str,
            "alerts": str,
        },
        pk="id",
    )
    db["runs"].create_index(["site", "id"])
    db["fetches"].create(
        {
            "id": int,
            "url": str,
            "site": str,
            "status": int,
            "outcome": str,
            "run_id": int,
            "fetched_at": str,
            "warc_file": str,
            "warc_offset": int,
            "warc_length": int,
            "detail": str,
            "etag": str,
            "last_modified": str,
        },
        pk="id",
    )
    db["fetches"].create_index(["url"])
    db["fetches"].create_index(["run_id"])
    db["articles"].create(ARTICLE_COLUMNS, pk="id", not_null={"url"})
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["published_at"])
    db["articles"].create_index(["site", "published_at"])
    db["articles"].create_index(["story_id"])
    db["articles"].create_index(["source"])
    db["article_versions"].create(
        {
            "id": int,
            "article_id": int,
            "url": str,
            **{name: ARTICLE_COLUMNS[name] for name in VERSION_FIELDS},
            "replaced_at": str,
        },
        pk="id",
    )
    db["article_versions"].create_index(["article_id"])


def _full_text_index(db: Database) -> None:
    # Contentless: the split copy is only needed to build the index, the text itself
    # stays in `articles`, so the index costs no second copy of every body. The split
    # text is already one token per space-separated character, which the plain `ascii`
    # tokenizer reads fastest (unicode61 would yield the very same tokens).
    db.execute("CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content='', tokenize='ascii')")
    rows = db.execute("SELECT id, title, body FROM articles").fetchall()
    db.conn.executemany(
        "INSERT INTO articles_fts(rowid, title, body) VALUES (?, ?, ?)",
        ((row[0], split_text(row[1]), split_text(row[2])) for row in rows),
    )


def _story_signatures(db: Database) -> None:
    from archive.stories import signature

    db["article_signatures"].create({"article_id": int, "title_key": str, "minhash": bytes}, pk="article_id")
    db["article_signatures"].create_index(["title_key"])
    db.execute(
        "CREATE TABLE article_lsh (band_key INTEGER NOT NULL, article_id INTEGER NOT NULL, "
        "PRIMARY KEY (band_key, article_id)) WITHOUT ROWID"
    )
    _recent_band_keys(db)
    from archive.store import LSH_CHECK_EVERY, assign_story, settle_band_keys

    rows = db.execute("SELECT id, title, body FROM articles ORDER BY id").fetchall()
    for done, (article_id, title, body) in enumerate(rows, 1):
        story_id = assign_story(db.conn, article_id, signature(title, body))
        db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [story_id, article_id])
        if done % LSH_CHECK_EVERY == 0:
            settle_band_keys(db.conn)


def _reposts_view(db: Database) -> None:
    db.create_view(
        "reposts",
        """
        SELECT story_id, count(*) AS copies, group_concat(site, ' ') AS sites,
               min(published_at) AS first_published, max(published_at) AS last_published,
               (SELECT title FROM articles WHERE id = a.story_id) AS title
        FROM articles a GROUP BY story_id HAVING count(*) > 1
        """,
    )


def _retired_step(db: Database) -> None:
    # Steps 5 and 6 rebuilt the index twice while its layout was settled; step 7 rebuilds it
    # from the stored text whatever an archive holds, so they have nothing left to do.
    return None


_log = logging.getLogger(__name__)
UPGRADE_NOTICE_ARTICLES = 1000
FTS_COLUMNS = ("title", "body", "title_pairs", "body_pairs")
_FTS_NAMES = ", ".join(FTS_COLUMNS)
# Index text may come as UTF-8 bytes (see archive.store.Prepared): read as the text it is.
_FTS_MARKS = ", ".join(["CAST(? AS TEXT)"] * len(FTS_COLUMNS))
INDEX_INSERT = f"INSERT INTO articles_fts(rowid, {_FTS_NAMES}) VALUES (?, {_FTS_MARKS})"


# The last article id whose character pairs are in the index, as an SQL value.
def through_sql(watermark: str) -> str:
    """The value of an ``index_progress`` watermark column, as an SQL value."""
    return f"(SELECT {watermark} FROM index_progress)"


PAIRS_THROUGH = through_sql("pairs_through")
# The last article id grouped into its story; later ones are their own story until
# ``Archive.group_stories`` reaches them.
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


INDEX_DELETE = (
    f"INSERT INTO articles_fts(articles_fts, rowid, {_FTS_NAMES}) VALUES ('delete', ?, {_FTS_MARKS})"
)
# How much index data FTS5 gathers in memory before writing a segment. The default (1 MiB)
# flushes every few articles, and each flush is a segment to merge later; a bulk batch of
# 5,000 articles (about 100 MiB) is written once, at its commit. Small writes never use it.
FTS_HASH_SIZE = 256 * 2**20
FTS_AUTOMERGE = 16
# A bulk load writes its index segments without merging them (see merges_deferred); level 0 may
# then hold this many before FTS5 merges them at once. Normal writes merge at FTS_AUTOMERGE.
FTS_CRISISMERGE = 256
REBUILD_CACHE_KIB = -2 * 1024 * 1024  # negative: KiB, so 2 GiB


def _pair_index(db: Database) -> None:
    # Single characters and overlapping character pairs of title and body (see archive.charsplit).
    from archive.store import index_columns

    db.execute("DROP TABLE IF EXISTS articles_fts")
    create_index_table(db.conn)
    rows = db.conn.execute("SELECT id, title, body FROM articles")
    # The rebuild is one transaction: index segments written and merged in it stay in the cache
    # rather than going to the write-ahead log again and again.
    with larger_cache(db.conn, REBUILD_CACHE_KIB):
        db.conn.executemany(INDEX_INSERT, ((row[0], *index_columns(row[1], row[2])) for row in rows))


def create_index_table(conn: sqlite3.Connection) -> None:
    """Create the empty ``articles_fts`` table of this layout (title, body, their pairs)."""
    conn.execute(f"CREATE VIRTUAL TABLE articles_fts USING fts5({_FTS_NAMES}, content='', tokenize='ascii')")
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


def _pair_progress(db: Database) -> None:
    # Articles up to ``pairs_through`` have their character pairs in the index; later ones only
    # their characters until ``Archive.index_pairs`` catches up (see archive.charsplit).
    db.execute(
        "CREATE TABLE index_progress (id INTEGER PRIMARY KEY CHECK (id = 1), pairs_through INTEGER NOT NULL)"
    )
    db.execute("INSERT INTO index_progress (id, pairs_through) SELECT 1, coalesce(max(id), 0) FROM articles")
    # Merge index segments sixteen at a time rather than four: a bulk load rewrites each
    # posting fewer times (about a fifth faster at 100,000 articles), and a query reads a
    # few more segments, which costs it a fraction of a millisecond.
    set_index_option(db.conn, "automerge", FTS_AUTOMERGE)
    set_index_option(db.conn, "crisismerge", 4 * FTS_AUTOMERGE)


def _recent_band_keys(db: Database) -> None:
    # New band keys wait here and move into article_lsh in key order (see archive.store.LSH_RECENT_ROWS).
    db.execute(
        "CREATE TABLE IF NOT EXISTS article_lsh_recent (band_key INTEGER NOT NULL, "
        "article_id INTEGER NOT NULL, PRIMARY KEY (band_key, article_id)) WITHOUT ROWID"
    )


def _story_progress(db: Database) -> None:
    # A bulk load may leave repost grouping for later too (see Archive.group_stories).
    db.execute("ALTER TABLE index_progress ADD COLUMN stories_through INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE index_progress SET stories_through = (SELECT coalesce(max(id), 0) FROM articles)")


def _deferred_merges(db: Database) -> None:
    # Room for the unmerged segments of a bulk load (see merges_deferred), and merge_index merges
    # the levels that automerge would have.
    set_index_option(db.conn, "crisismerge", FTS_CRISISMERGE)
    set_index_option(db.conn, "usermerge", FTS_AUTOMERGE)


MIGRATIONS: list[Callable[[Database], None]] = [
    _core_tables,
    _full_text_index,
    _story_signatures,
    _reposts_view,
    _retired_step,
    _retired_step,
    _pair_index,
    _pair_progress,
    _recent_band_keys,
    _story_progress,
    _deferred_merges,
]
SCHEMA_VERSION = len(MIGRATIONS)
_INDEX_REBUILD_STEP = MIGRATIONS.index(_pair_index) + 1


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply the missing migrations up to ``target``; returns the resulting version."""
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise ArchiveError(
            f"this archive has schema version {current}, newer than this orgnews understands "
            f"({SCHEMA_VERSION}): upgrade orgnews to open it"
        )
    if current >= target:
        return current
    db = Database(conn)
    if current >= 1 and current < _INDEX_REBUILD_STEP <= target:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        if articles >= UPGRADE_NOTICE_ARTICLES:
            # Logged as a warning so that it shows without any logging set up: a search or crawl
            # that seems to hang for minutes is upgrading the archive.
            _log.warning(
                "upgrading the archive from schema %d to %d: the search index of %d articles is rebuilt "
                "once, about a minute per 20,000 articles (interrupting it is safe, but starts it over)",
                current,
                target,
                articles,
            )
    # sqlite-utils commits inside some table operations, so a step's transaction alone does not
    # keep two processes that open a new archive at once from running the same step: a lock
    # file beside the database serialises them, and each re-reads the version under it.
    with _migration_lock(conn):
        for version in range(schema_version(conn) + 1, target + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                MIGRATIONS[version - 1](db)
                conn.execute(f"PRAGMA user_version = {version}")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            if conn.in_transaction:
                conn.execute("COMMIT")
    return schema_version(conn)


@contextlib.contextmanager
def _migration_lock(conn: sqlite3.Connection) -> Iterator[None]:
    filename = next((row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"), "")
    if not filename:  # an in-memory database has no other process to race with
        yield
        return
    with open(filename + "-migrate.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
