"""Schema and migrations: a new archive at the current schema, upgrades from every version."""

from __future__ import annotations

import sqlite3

import pytest

from archive import Archive, ArchiveError
from archive.schema import SCHEMA_VERSION, migrate
from archive.store import upgrade
from archive.synthetic import CorpusGenerator
from crawler.extract import Article


def test_each_migration_is_a_step(tmp_path):
    path = tmp_path / "archive.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, target=1) == 1
    # Data written at version 1 (no index, no stories) is indexed and grouped by the upgrade.
    body = CorpusGenerator(seed=3).text(800)
    for number in (1, 2):
        conn.execute(
            "INSERT INTO articles(url, title, body, content_hash) VALUES (?, ?, ?, 'h')",
            [f"https://a.example.cn/{number}.html", "干部工作会议召开", body],
        )
    # The index is rebuilt by today's code, which the frozen migrations do not call.
    with pytest.raises(ArchiveError, match="rebuilds its index"):
        migrate(conn)
    assert upgrade(conn) == SCHEMA_VERSION
    assert conn.execute("SELECT story_id FROM articles ORDER BY id").fetchall() == [(1,), (1,)]
    for expression in ('{title body} : "干 部 工"', '{title} : "召"'):
        rebuilt = conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [expression])
        assert rebuilt.fetchall() == [(1,), (2,)], expression
    # The pairs are left to index_pairs (orgnews index), which can stop and go on.
    assert conn.execute("SELECT pairs_through FROM index_progress").fetchone()[0] == 0
    for table in ("articles_fts", "articles_pairs"):
        assert conn.execute(f"SELECT v FROM {table}_config WHERE k = 'hashsize'").fetchone()[0] > 2**20
    conn.close()
    with Archive.open(path) as arc:
        assert (
            arc.save_article(
                Article(url="https://a.example.cn/1.html", title="干部工作会议召开", body=body)
            ).status
            == "updated"
        )


def schema_of(conn: sqlite3.Connection) -> tuple[set, set, tuple]:
    """Every table, index and view with its SQL, the index options, and the watermarks."""
    return (
        set(conn.execute("SELECT type, name, sql FROM sqlite_master")),
        set(conn.execute("SELECT k, v FROM articles_fts_config")),
        set(conn.execute("SELECT k, v FROM articles_pairs_config")),
        conn.execute("SELECT * FROM index_progress").fetchone(),
    )


# Steps 5 and 6 were folded into 7: an archive at 4, 5 or 6 goes to 7 at once.
@pytest.mark.parametrize("start", range(1, SCHEMA_VERSION))
def test_an_upgraded_archive_has_the_schema_of_a_new_one(tmp_path, start):
    created = sqlite3.connect(tmp_path / "new.db", isolation_level=None)
    assert migrate(created) == SCHEMA_VERSION
    upgraded = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    migrate(upgraded, target=start)
    assert upgrade(upgraded) == SCHEMA_VERSION
    assert schema_of(upgraded) == schema_of(created)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "archive.db"
    Archive.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(ArchiveError, match="newer than this orgnews"):
        Archive.open(path)


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "archive.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ArchiveError, match="not a usable orgnews archive"):
        Archive.open(path)


def archive_at_schema(path, version: int, articles: int) -> sqlite3.Connection:
    """An archive left at schema ``version`` holding ``articles`` plain rows (none indexed after it)."""
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=version)
    conn.executemany(
        "INSERT INTO articles(url, title, body, content_hash) VALUES (?, '组织工作', '党建引领', 'h')",
        [(f"https://a.example.cn/{n}.html",) for n in range(articles)],
    )
    return conn


def test_upgrade_that_rebuilds_the_index_says_so(tmp_path, caplog):
    conn = archive_at_schema(tmp_path / "archive.db", 6, 1000)
    with caplog.at_level("WARNING", logger="archive.schema"):
        upgrade(conn)
    assert "search index of 1000 articles is rebuilt" in caplog.text and "orgnews index" in caplog.text
    count = "SELECT count(*) FROM {0} WHERE {0} MATCH '{{title}} : \"{1}\"'"
    assert conn.execute(count.format("articles_fts", "组 织 工")).fetchone()[0] == 1000
    assert conn.execute(count.format("articles_pairs", "组织 织工")).fetchone()[0] == 0


def test_upgrade_keeps_band_keys_and_finds_reposts_of_older_articles(tmp_path):
    corpus = CorpusGenerator(seed=12)
    original = corpus.article(1, body_chars=600)
    path = tmp_path / "archive.db"
    with Archive.open(path) as arc:
        first = arc.save_article(original)
        # As a schema 8 archive had it: every band key in article_lsh, no table of recent keys.
        arc.conn.execute("INSERT INTO article_lsh SELECT * FROM article_lsh_recent")
        arc.conn.execute("DROP TABLE article_lsh_recent")
        arc.conn.execute("ALTER TABLE index_progress DROP COLUMN stories_through")
        arc.conn.execute("ALTER TABLE index_progress DROP COLUMN pairs_kept")
        arc.conn.execute("DROP TABLE articles_pairs")  # one index table then
        arc.conn.execute("PRAGMA user_version = 8")
    with Archive.open(path) as arc:
        copy = Article(
            url="https://people.example.cn/c.html", title="转载", body=original.body + "（来源：人民网）"
        )
        assert arc.save_article(copy).story_id == first.article_id
        assert arc.conn.execute("SELECT count(*) FROM article_lsh_recent").fetchone()[0] > 0


def test_upgrade_marks_an_archive_as_grouped(tmp_path):
    conn = archive_at_schema(tmp_path / "archive.db", 9, 5)
    upgrade(conn)
    assert conn.execute("SELECT stories_through, pairs_through FROM index_progress").fetchone() == (5, 0)
    conn.close()
