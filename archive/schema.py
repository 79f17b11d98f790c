"""Schema of archive.db: the current schema, and the numbered migrations that bring older archives to it.

``PRAGMA user_version`` holds the number of the last applied migration. A new archive is created
at the current schema directly (``CURRENT_SCHEMA``, one transaction). An older one gets its
missing migrations, all in one transaction: each is frozen SQL, the statements it ran when it
was written, and calls no code of today, so a later change to the live code cannot change what
an old migration does. What SQL cannot say, the search index and the story groups (computed from
the stored text), is rebuilt by today's code once the schema is current: the story groups in that
same transaction, the character index in batches after it, which an interrupted upgrade leaves
marked (the table ``index_rebuild``) for the next open to finish (see ``archive.store.upgrade``).
An archive written by a newer orgnews is refused, not damaged.

A new migration appends its statements to ``MIGRATIONS`` and the same change to ``CURRENT_SCHEMA``;
a test checks that an archive upgraded from version 1 and a new one have the same schema.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from archive.errors import ArchiveError
from crawler.extract.article import ARTICLE_FIELDS

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

# Derived data a migration leaves for today's code to rebuild from the stored text.
INDEX = "index"
STORIES = "stories"


@dataclass(frozen=True)
class Migration:
    version: int
    sql: str  # statements separated by ";" at the end of a line
    rebuilds: frozenset[str] = frozenset()


_CORE_TABLES = """
CREATE TABLE "sites" (
   "name" TEXT PRIMARY KEY,
   "title" TEXT,
   "hosts" TEXT,
   "updated_at" TEXT
);
CREATE TABLE "runs" (
   "id" INTEGER PRIMARY KEY,
   "site" TEXT,
   "started_at" TEXT,
   "finished_at" TEXT,
   "status" TEXT,
   "options" TEXT,
   "pages_fetched" INTEGER,
   "articles_new" INTEGER,
   "articles_updated" INTEGER,
   "articles_unchanged" INTEGER,
   "articles_failed" INTEGER,
   "fetches_blocked" INTEGER,
   "stats" TEXT,
   "field_coverage" TEXT,
   "alerts" TEXT
);
CREATE INDEX "idx_runs_site_id"
    ON "runs" ("site", "id");
CREATE TABLE "fetches" (
   "id" INTEGER PRIMARY KEY,
   "url" TEXT,
   "site" TEXT,
   "status" INTEGER,
   "outcome" TEXT,
   "run_id" INTEGER,
   "fetched_at" TEXT,
   "warc_file" TEXT,
   "warc_offset" INTEGER,
   "warc_length" INTEGER,
   "detail" TEXT,
   "etag" TEXT,
   "last_modified" TEXT
);
CREATE INDEX "idx_fetches_url"
    ON "fetches" ("url");
CREATE INDEX "idx_fetches_run_id"
    ON "fetches" ("run_id");
CREATE TABLE "articles" (
   "id" INTEGER PRIMARY KEY,
   "url" TEXT NOT NULL,
   "canonical_url" TEXT,
   "site" TEXT,
   "column" TEXT,
   "title" TEXT,
   "subtitle" TEXT,
   "source" TEXT,
   "published_at" TEXT,
   "year" INTEGER,
   "author" TEXT,
   "editor" TEXT,
   "body" TEXT,
   "images" TEXT,
   "attachments" TEXT,
   "next_pages" TEXT,
   "warnings" TEXT,
   "content_hash" TEXT,
   "first_seen" TEXT,
   "last_seen" TEXT,
   "story_id" INTEGER,
   "fetch_id" INTEGER
);
CREATE UNIQUE INDEX "idx_articles_url"
    ON "articles" ("url");
CREATE INDEX "idx_articles_published_at"
    ON "articles" ("published_at");
CREATE INDEX "idx_articles_site_published_at"
    ON "articles" ("site", "published_at");
CREATE INDEX "idx_articles_story_id"
    ON "articles" ("story_id");
CREATE INDEX "idx_articles_source"
    ON "articles" ("source");
CREATE TABLE "article_versions" (
   "id" INTEGER PRIMARY KEY,
   "article_id" INTEGER,
   "url" TEXT,
   "canonical_url" TEXT,
   "site" TEXT,
   "column" TEXT,
   "title" TEXT,
   "subtitle" TEXT,
   "source" TEXT,
   "published_at" TEXT,
   "author" TEXT,
   "editor" TEXT,
   "body" TEXT,
   "images" TEXT,
   "attachments" TEXT,
   "warnings" TEXT,
   "content_hash" TEXT,
   "first_seen" TEXT,
   "last_seen" TEXT,
   "fetch_id" INTEGER,
   "replaced_at" TEXT
);
CREATE INDEX "idx_article_versions_article_id"
    ON "article_versions" ("article_id");
"""

_SIGNATURE_TABLES = """
CREATE TABLE "article_signatures" (
   "article_id" INTEGER PRIMARY KEY,
   "title_key" TEXT,
   "minhash" BLOB
);
CREATE INDEX "idx_article_signatures_title_key"
    ON "article_signatures" ("title_key");
CREATE TABLE article_lsh (band_key INTEGER NOT NULL, article_id INTEGER NOT NULL, PRIMARY KEY (band_key, article_id)) WITHOUT ROWID;
"""

# The stored text of the view, as sqlite-utils wrote it (the space after AS included).
_REPOSTS_VIEW = (
    '\nCREATE VIEW "reposts" AS '
    + """
        SELECT story_id, count(*) AS copies, group_concat(site, ' ') AS sites,
               min(published_at) AS first_published, max(published_at) AS last_published,
               (SELECT title FROM articles WHERE id = a.story_id) AS title
        FROM articles a GROUP BY story_id HAVING count(*) > 1
        ;
"""
)

# Contentless: the split text is only needed to build the index; the text itself stays in
# `articles`. Single characters and overlapping character pairs of title and body, one token
# per space-separated piece, which the plain `ascii` tokenizer reads fastest (see archive.charsplit).
_PAIR_INDEX_TABLE = """
CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, title_pairs, body_pairs, content='', tokenize='ascii');
INSERT INTO articles_fts(articles_fts, rank) VALUES ('hashsize', 268435456);
"""

# Replaces the one index table above (characters and pairs of title and body in four columns)
# by two: the characters, which every article gets as it is stored, and the pairs, which a bulk
# load may leave for later, added to their own table rather than by writing the characters again.
# Each puts the body first, the column that FTS5 stores without a column mark. The pairs of every
# article are added by ``orgnews index`` after the upgrade (see archive.indexing).
_INDEX_TABLES = """
CREATE VIRTUAL TABLE articles_fts USING fts5(body, title, content='', tokenize='ascii');
CREATE VIRTUAL TABLE articles_pairs USING fts5(body, title, content='', tokenize='ascii');
"""
_INDEX_SETTINGS = "".join(
    f"INSERT INTO {table}({table}, rank) VALUES ('{name}', {value});\n"
    for table in ("articles_fts", "articles_pairs")
    for name, value in (("hashsize", 268435456), ("automerge", 16), ("crisismerge", 256), ("usermerge", 16))
)

# Whether the archive keeps the pair index at all (1, the default) or reads every query by its
# characters: smaller and several times faster to fill, slower to search for common words (see
# ``archive.indexing.IndexUpkeep.drop_pairs``).
_PAIRS_KEPT = """
ALTER TABLE index_progress ADD COLUMN pairs_kept INTEGER NOT NULL DEFAULT 1;
"""

_RECENT_BAND_KEYS = """
CREATE TABLE IF NOT EXISTS article_lsh_recent (band_key INTEGER NOT NULL, article_id INTEGER NOT NULL, PRIMARY KEY (band_key, article_id)) WITHOUT ROWID;
"""

# Appointment notices (任前公示) read from the articles (see crawler.extract.appointments): one row
# per notice of an article, one per person it announces, and one per person followed across
# notices by name, sex and birth month (see archive.careers).
_APPOINTMENT_TABLES = """
CREATE TABLE IF NOT EXISTS appointment_notices (
   id INTEGER PRIMARY KEY,
   article_id INTEGER NOT NULL REFERENCES articles(id),
   position INTEGER NOT NULL,
   url TEXT, title TEXT, issuer TEXT, published_at TEXT,
   window_start TEXT, window_end TEXT, window_text TEXT, window_computed INTEGER,
   phone TEXT, address TEXT, postcode TEXT,
   announced INTEGER, parsed INTEGER, attachment_only INTEGER,
   attachments TEXT, warnings TEXT,
   UNIQUE (article_id, position)
);
CREATE TABLE IF NOT EXISTS appointment_people (
   id INTEGER PRIMARY KEY,
   name TEXT NOT NULL, sex TEXT NOT NULL, birth TEXT NOT NULL,
   UNIQUE (name, sex, birth)
);
CREATE TABLE IF NOT EXISTS appointment_persons (
   id INTEGER PRIMARY KEY,
   notice_id INTEGER NOT NULL REFERENCES appointment_notices(id),
   article_id INTEGER NOT NULL REFERENCES articles(id),
   position INTEGER NOT NULL,
   name TEXT NOT NULL, sex TEXT, ethnicity TEXT, birth TEXT, age INTEGER,
   native_place TEXT, education TEXT, degree TEXT, party TEXT, party_joined TEXT,
   work_started TEXT, current_post TEXT, step TEXT, proposed_post TEXT, proposals TEXT,
   probation INTEGER, text TEXT, warnings TEXT,
   person_id INTEGER REFERENCES appointment_people(id),
   link_note TEXT
);
CREATE INDEX IF NOT EXISTS idx_appointment_notices_article_id ON appointment_notices (article_id);
CREATE INDEX IF NOT EXISTS idx_appointment_notices_published_at ON appointment_notices (published_at);
CREATE INDEX IF NOT EXISTS idx_appointment_persons_notice_id ON appointment_persons (notice_id);
CREATE INDEX IF NOT EXISTS idx_appointment_persons_article_id ON appointment_persons (article_id);
CREATE INDEX IF NOT EXISTS idx_appointment_persons_key ON appointment_persons (name, sex, birth);
CREATE INDEX IF NOT EXISTS idx_appointment_persons_person_id ON appointment_persons (person_id);
"""

# How far the cluster's ingest got in each Redis stream, committed with what it wrote.
_STREAM_POSITIONS = """
CREATE TABLE IF NOT EXISTS stream_positions (stream TEXT PRIMARY KEY, last_id TEXT NOT NULL);
"""

# What the matches of a search are counted by (its facets, then its month), in that order, with
# the date its filters read: the matches of a common word are counted in one pass over this narrow
# index, group after group, without reading their rows (their text) or sorting them.
FACET_INDEX = "idx_articles_facets"
_FACET_INDEX = f"""
CREATE INDEX IF NOT EXISTS {FACET_INDEX}
    ON articles (site, source, "column", year, substr(published_at, 1, 7), published_at);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, _CORE_TABLES),
    Migration(
        2,
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content='', tokenize='ascii');",
        frozenset({INDEX}),
    ),
    Migration(3, _SIGNATURE_TABLES, frozenset({STORIES})),
    Migration(4, _REPOSTS_VIEW),
    # Steps 5 and 6 rebuilt the index while its layout was settled; 7 replaces it whatever an
    # archive at 4, 5 or 6 holds, so those go to 7 at once.
    Migration(7, "DROP TABLE IF EXISTS articles_fts;\n" + _PAIR_INDEX_TABLE, frozenset({INDEX})),
    Migration(
        8,
        """
CREATE TABLE index_progress (id INTEGER PRIMARY KEY CHECK (id = 1), pairs_through INTEGER NOT NULL);
INSERT INTO index_progress (id, pairs_through) SELECT 1, coalesce(max(id), 0) FROM articles;
INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 16);
INSERT INTO articles_fts(articles_fts, rank) VALUES ('crisismerge', 64);
""",
    ),
    Migration(9, _RECENT_BAND_KEYS),
    Migration(
        10,
        """
ALTER TABLE index_progress ADD COLUMN stories_through INTEGER NOT NULL DEFAULT 0;
UPDATE index_progress SET stories_through = (SELECT coalesce(max(id), 0) FROM articles);
""",
    ),
    Migration(
        11,
        """
INSERT INTO articles_fts(articles_fts, rank) VALUES ('crisismerge', 256);
INSERT INTO articles_fts(articles_fts, rank) VALUES ('usermerge', 16);
""",
    ),
    # The notices of articles stored before are read by orgnews backfill-appointments.
    Migration(12, _APPOINTMENT_TABLES),
    Migration(13, _STREAM_POSITIONS),
    Migration(14, _FACET_INDEX),
    Migration(
        15,
        "DROP TABLE IF EXISTS articles_fts;\n" + _INDEX_TABLES + _INDEX_SETTINGS,
        frozenset({INDEX}),
    ),
    Migration(16, _PAIRS_KEPT),
)
SCHEMA_VERSION = MIGRATIONS[-1].version

# What every migration above leaves, written at once for a new archive.
CURRENT_SCHEMA = (
    _CORE_TABLES
    + _SIGNATURE_TABLES
    + _RECENT_BAND_KEYS
    + _REPOSTS_VIEW
    + _INDEX_TABLES
    + _APPOINTMENT_TABLES
    + _STREAM_POSITIONS
    + _FACET_INDEX
    + """
CREATE TABLE index_progress (id INTEGER PRIMARY KEY CHECK (id = 1), pairs_through INTEGER NOT NULL, stories_through INTEGER NOT NULL DEFAULT 0);
INSERT INTO index_progress (id, pairs_through, stories_through) VALUES (1, 0, 0);
"""
    + _PAIRS_KEPT
    + _INDEX_SETTINGS
)

_log = logging.getLogger(__name__)
UPGRADE_NOTICE_ARTICLES = 1000
Rebuild = Callable[[sqlite3.Connection, frozenset[str]], None]


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def _run(conn: sqlite3.Connection, sql: str) -> None:
    # One statement at a time: executescript would commit the transaction the step runs in.
    for statement in sql.split(";\n"):
        if statement.strip():
            conn.execute(statement)


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION, rebuild: Rebuild | None = None) -> int:
    """Bring the archive to schema ``target`` (the current one by default); returns the resulting version.

    A new archive is created at the current schema directly. An older one gets its missing
    migrations; when they replaced the search index or the story tables, ``rebuild(conn, what)``
    fills them again from the stored text (needed when ``target`` is the current version, where
    today's code knows the layout). Everything happens in one transaction, under the migration
    lock (see ``migration_lock``).
    """
    if schema_version(conn) > SCHEMA_VERSION:
        _refuse_newer(schema_version(conn))
    if schema_version(conn) >= target:
        return schema_version(conn)
    # A lock file beside the database keeps two processes that open an archive at once from
    # both upgrading it; each re-reads the version under it.
    with migration_lock(conn):
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = schema_version(conn)
            if current == 0 and target == SCHEMA_VERSION:
                _run(conn, CURRENT_SCHEMA)
            elif current < target:
                _upgrade(conn, current, target, rebuild)
            conn.execute(f"PRAGMA user_version = {max(current, target)}")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return schema_version(conn)


def _upgrade(conn: sqlite3.Connection, current: int, target: int, rebuild: Rebuild | None) -> None:
    steps = [step for step in MIGRATIONS if current < step.version <= target]
    rebuilds = frozenset().union(*(step.rebuilds for step in steps)) if current else frozenset()
    if INDEX in rebuilds:
        _notice_index_rebuild(conn, current, target)
    for step in steps:
        _run(conn, step.sql)
    if rebuilds and target == SCHEMA_VERSION:
        if rebuild is None:
            raise ArchiveError("upgrading this archive rebuilds its index: open it with Archive.open")
        rebuild(conn, rebuilds)


def _notice_index_rebuild(conn: sqlite3.Connection, current: int, target: int) -> None:
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    if articles >= UPGRADE_NOTICE_ARTICLES:
        # Logged as a warning so that it shows without any logging set up: a search or crawl
        # that seems to hang for minutes is upgrading the archive.
        _log.warning(
            "upgrading the archive from schema %d to %d: the search index of %d articles is rebuilt "
            "once by their characters, about a minute per 100,000 articles (interrupting it is "
            "safe: the next open of the archive goes on where it stopped); searches are exact from "
            "then on, and faster once orgnews index has added the character pairs (resumable too)",
            current,
            target,
            articles,
        )


def _refuse_newer(version: int) -> None:
    raise ArchiveError(
        f"this archive has schema version {version}, newer than this orgnews understands "
        f"({SCHEMA_VERSION}): upgrade orgnews to open it"
    )


def database_file(conn: sqlite3.Connection) -> str:
    """The file of the connection's main database ("" for an in-memory one)."""
    return next((row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"), "")


@contextlib.contextmanager
def migration_lock(conn: sqlite3.Connection, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the archive's migration lock: a lock file beside the database, which one process at a
    time holds to upgrade it or finish its upgrade. ``waiting()`` is called first when another
    process holds it."""
    filename = database_file(conn)
    if not filename:  # an in-memory database has no other process to race with
        yield
        return
    with open(filename + "-migrate.lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
