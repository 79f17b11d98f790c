"""Writing articles: one by one and in bulk loads, versions kept, the write-ahead log in check."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from archive import Archive, ArchiveError, writing
from archive.synthetic import CorpusGenerator
from crawler.extract import Article


def fts_ids(archive: Archive, expression: str, table: str = "articles_fts") -> set[int]:
    rows = archive.conn.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", [expression])
    return {r[0] for r in rows}


def test_same_article_twice_is_one_row(arc):
    article = Article(
        url="https://a.example.cn/1.html", site="a", title="组织工作会议", body="加强党建工作。"
    )
    first = arc.save_article(article, seen_at="2024-01-01T00:00:00+00:00")
    second = arc.save_article(article, seen_at="2024-01-02T00:00:00+00:00")
    assert (first.status, second.status) == ("new", "unchanged")
    assert first.article_id == second.article_id
    rows = arc.conn.execute("SELECT first_seen, last_seen FROM articles").fetchall()
    assert rows == [("2024-01-01T00:00:00+00:00", "2024-01-02T00:00:00+00:00")]


def test_edit_keeps_previous_text_and_reindexes(arc):
    url = "https://a.example.cn/2.html"
    arc.save_article(Article(url=url, title="旧标题", body="原来的正文讲党建。"))
    result = arc.save_article(Article(url=url, title="新标题", body="修改后的正文讲组工。"))
    assert result.status == "updated"
    assert arc.conn.execute("SELECT title, body FROM article_versions").fetchall() == [
        ("旧标题", "原来的正文讲党建。")
    ]
    assert arc.conn.execute("SELECT title FROM articles").fetchall() == [("新标题",)]
    assert fts_ids(arc, '"党 建"') == set()
    assert fts_ids(arc, '"组 工"') == {result.article_id}


def test_lists_are_stored_as_json(arc):
    article = Article(
        url="https://a.example.cn/3.html",
        body="正文",
        images=["https://a.example.cn/1.jpg"],
        attachments=[{"url": "https://a.example.cn/f.pdf", "text": "附件"}],
    )
    arc.save_article(article)
    images, attachments = arc.conn.execute("SELECT images, attachments FROM articles").fetchone()
    assert images == '["https://a.example.cn/1.jpg"]'
    assert attachments == '[{"url": "https://a.example.cn/f.pdf", "text": "附件"}]'


def test_article_without_url_is_refused(arc):
    with pytest.raises(ArchiveError, match="without a URL"):
        arc.save_article(Article(url="", body="x"))


@pytest.mark.parametrize("workers, piece", [(0, 250), (1, 250), (1, 4)])
def test_bulk_save_equals_single_saves(tmp_path, monkeypatch, workers, piece):
    monkeypatch.setattr(writing, "PREPARE_PIECE", piece)
    articles = list(CorpusGenerator(seed=5).articles(30, body_chars=300))
    with Archive.open(tmp_path / "bulk.db") as bulk, Archive.open(tmp_path / "single.db") as single:
        results = bulk.save_articles(articles + articles[:3], workers=workers, batch=7)
        assert [r.status for r in results] == ["new"] * 30 + ["unchanged"] * 3
        for article in articles:
            single.save_article(article)
        query = "SELECT url, title, body, content_hash, story_id FROM articles ORDER BY id"
        assert bulk.conn.execute(query).fetchall() == single.conn.execute(query).fetchall()
        assert fts_ids(bulk, '"党 建"') == fts_ids(single, '"党 建"') != set()


def test_bulk_load_checkpoints_from_a_thread_and_restores_the_setting(tmp_path, monkeypatch):
    import threading
    import time

    monkeypatch.setattr(writing, "CHECKPOINT_SECONDS", 0.01)
    path = tmp_path / "archive.db"
    articles = list(CorpusGenerator(seed=15).articles(20, body_chars=300))
    sizes = []

    def slowly():
        for number, article in enumerate(articles):
            if number == 10:  # the first batch is committed, to the log only (no checkpoint at commit)
                time.sleep(0.3)
                sizes.append(path.stat().st_size)
            yield article

    with Archive.open(path) as arc:
        empty = path.stat().st_size
        arc.save_articles(slowly(), batch=10)
        assert sizes[0] > empty  # the thread copied the committed batch into the database meanwhile
        assert arc.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
        assert "orgnews-checkpoint" not in {thread.name for thread in threading.enumerate()}
    assert sqlite3.connect(path).execute("SELECT count(*) FROM articles").fetchone()[0] == 20


def test_bulk_load_log_starts_over_every_few_commits(tmp_path, monkeypatch):
    articles = list(CorpusGenerator(seed=16).articles(60, body_chars=600))
    monkeypatch.setattr(writing, "CHECKPOINT_SECONDS", 1000)  # only the writer's own copies

    def log_size(name, restart_every):
        monkeypatch.setattr(writing, "WAL_RESTART_COMMITS", restart_every)
        path = tmp_path / name
        with Archive.open(path) as arc:
            arc.save_articles(articles, batch=5)
            return path.with_name(name + "-wal").stat().st_size  # the log file keeps its largest size

    grown, kept = log_size("grown.db", 10**6), log_size("kept.db", 2)
    assert kept * 3 < grown


def test_bulk_save_inside_a_transaction_commits_with_it(tmp_path, monkeypatch):
    monkeypatch.setattr(writing, "WAL_RESTART_COMMITS", 1)
    articles = list(CorpusGenerator(seed=17).articles(12, body_chars=200))
    with Archive.open(tmp_path / "archive.db") as arc:
        with pytest.raises(RuntimeError), arc.transaction():
            arc.save_articles(articles, batch=5)
            raise RuntimeError("changed my mind")
        assert arc.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        with arc.transaction():
            arc.save_articles(articles, batch=5)
        assert arc.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 12


@pytest.mark.parametrize("defer_pairs", [True, False])
@pytest.mark.parametrize("piece", [4, 250])
def test_bulk_insert_of_new_articles_equals_one_by_one(tmp_path, monkeypatch, defer_pairs, piece):
    # A piece of new articles goes in with one statement per table; a piece with a known URL, a
    # duplicate or an edit goes one by one. Both must store exactly what one by one stores.
    monkeypatch.setattr(writing, "PREPARE_PIECE", piece)
    articles = list(CorpusGenerator(seed=12).articles(40, body_chars=300))
    edited = dataclasses.replace(articles[2], body=articles[2].body + "补充一句")
    load = [*articles[:20], articles[5], *articles[20:], edited, articles[0]]
    seen_at = "2026-01-02T03:04:05+00:00"

    inserted_together: list[int] = []
    insert_new = Archive._insert_new

    def counted(*args):
        inserted = insert_new(*args)
        inserted_together.append(len(inserted))
        return inserted

    def build(path, one_by_one: bool):
        with monkeypatch.context() as patch:
            patch.setattr(Archive, "_insert_new", (lambda *args: []) if one_by_one else counted)
            with Archive.open(path) as arc:
                arc.save_articles(articles[:3], seen_at=seen_at)
                results = arc.save_articles(
                    load, seen_at=seen_at, batch=9, defer_pairs=defer_pairs, defer_stories=True
                )
                conn = arc.conn
                return (
                    results,
                    conn.execute("SELECT * FROM articles ORDER BY id").fetchall(),
                    conn.execute("SELECT * FROM article_versions ORDER BY id").fetchall(),
                    conn.execute("SELECT id, pairs_through, stories_through FROM index_progress").fetchall(),
                    [fts_ids(arc, '"党 建"'), fts_ids(arc, '"党建"', "articles_pairs")],
                )

    fast, slow = build(tmp_path / "fast.db", False), build(tmp_path / "slow.db", True)
    assert fast == slow
    results, rows, versions, progress, found = fast
    assert [r.status for r in results].count("new") == 37 and len(rows) == 40 and len(versions) == 1
    assert progress == [(1, 3 if defer_pairs else 40, 3)] and found[0]
    assert sum(inserted_together) >= 18  # half of them did go in by the piece
