"""Opening an archive and its transactions."""

from __future__ import annotations

import sqlite3

import pytest

from archive import Archive
from archive.schema import SCHEMA_VERSION
from crawler.extract import Article


def test_open_creates_wal_archive_at_current_version(tmp_path):
    path = tmp_path / "new" / "archive.db"
    Archive.open(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "articles",
        "article_versions",
        "fetches",
        "runs",
        "sites",
        "articles_fts",
        "articles_pairs",
    } <= tables


def test_transaction_nests_and_rolls_back_as_a_whole(arc):
    with pytest.raises(RuntimeError):
        with arc.transaction():
            arc.save_article(Article(url="https://a.example.cn/4.html", body="一"))
            with arc.transaction():
                arc.record_fetch(
                    url="https://a.example.cn/4.html", status=200, outcome="article", run_id=None
                )
            raise RuntimeError("crash in the middle of a page")
    assert arc.known_article_urls() == set()
    assert arc.conn.execute("SELECT count(*) FROM fetches").fetchone()[0] == 0
    with arc.transaction():
        arc.save_article(Article(url="https://a.example.cn/4.html", body="一"))
    assert arc.known_article_urls() == {"https://a.example.cn/4.html"}
