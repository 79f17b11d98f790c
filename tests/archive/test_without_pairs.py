"""An archive that keeps no pair index (``orgnews index --no-pairs``): every query is read by its
characters, exactly; new articles, one by one or in bulk, get no pairs; ``--pairs`` brings them back.
"""

from __future__ import annotations

import sqlite3

import pytest

from archive import Archive, search
from archive.query import parse_query
from archive.searching import matching_ids
from crawler.extract import Article
from tests.archive.test_browse import get_json, table_search
from tests.archive.test_indexing import (
    BOOLEAN_QUERIES,
    assert_exact,
    boolean_oracle,
    corpus,
    fts_count,
    pair_count,
    run_cli,
)
from tests.archive.test_searching import mixed_queries, oracle, sample_queries
from tests.conftest import serving


def paired_rows(arc: Archive) -> int:
    """Articles with a row in the pair index (its per-row sizes)."""
    return arc.conn.execute("SELECT count(*) FROM articles_pairs_docsize").fetchone()[0]


def check_exact(path) -> None:
    conn = sqlite3.connect(path)
    assert_exact(path, sample_queries(conn, 60, seed=11))
    for query in BOOLEAN_QUERIES:
        assert {h.id for h in search(path, query, limit=0)} == boolean_oracle(conn, query), query
    mixed = mixed_queries(conn, 40, seed=12)
    assert_exact(path, mixed)
    for query, expected in mixed:
        if parse_query(query).exact:
            assert matching_ids(conn, query) == sorted(expected), query


def test_dropped_pairs_leave_every_search_exact_and_new_articles_unpaired(tmp_path):
    path = tmp_path / "archive.db"
    articles = corpus(200, seed=31)
    with Archive.open(path) as arc:
        for article in articles[:40]:
            arc.save_article(article)
        arc.save_articles(articles[40:120])
        assert arc.keeps_pairs() and arc.pairs_through() == 120 and paired_rows(arc) == 120
        assert arc.drop_pairs() == 120
        assert not arc.keeps_pairs() and arc.pairs_through() == 0 and arc.pair_backlog() == 0
        assert paired_rows(arc) == 0 and pair_count(arc, "党建") == 0
    check_exact(path)

    with Archive.open(path) as arc:
        # New articles, one by one (as a crawl saves them) and in bulk, get no pairs, nor does an edit.
        for article in articles[120:140]:
            assert arc.save_article(article).status == "new"
        arc.save_articles(articles[140:])
        edited = Article(
            **{**articles[0].__dict__, "body": articles[0].body + "新增一段关于党建工作的说明。"}
        )
        assert arc.save_article(edited).status == "updated"
        assert arc.pairs_through() == 0 and paired_rows(arc) == 0
        assert arc.index_pairs() == 0 and arc.drop_pairs() == 0
        assert fts_count(arc, '"党 建"') == len(oracle(arc.conn, "党建")) > 0
    check_exact(path)

    with Archive.open(path) as arc:
        assert arc.keep_pairs() and not arc.keep_pairs()
        assert arc.pair_backlog() == len(articles)
        assert arc.index_pairs(batch=70) == len(articles)
        assert arc.pairs_through() == len(articles) and paired_rows(arc) == len(articles)
        assert pair_count(arc, "党建") == len(oracle(arc.conn, "党建")) > 0
        # Caught up, a new article gets its pairs at once again.
        arc.save_article(
            Article(url="https://example.cn/a/new.html", title="关于党建的通知", body="党建工作。")
        )
        assert arc.pairs_through() == len(articles) + 1
    check_exact(path)


def test_an_empty_archive_that_keeps_no_pairs_pairs_nothing(tmp_path):
    # The first article of an empty archive is "caught up" by its watermark; it must still wait.
    path = tmp_path / "archive.db"
    with Archive.open(path) as arc:
        arc.drop_pairs()
        arc.save_article(Article(url="https://example.cn/a/1.html", title="党建工作", body="组织生活会。"))
        assert arc.pairs_through() == 0 and paired_rows(arc) == 0
    assert {hit.id for hit in search(path, "组织生活", limit=0)} == {1}


def test_pairs_dropped_meanwhile_stop_a_running_index_pairs(tmp_path):
    path = tmp_path / "archive.db"
    with Archive.open(path) as arc:
        arc.save_articles(corpus(150, seed=32), defer_pairs=True)
    with Archive.open(path) as arc, Archive.open(path) as other:

        def drop_after_first_batch(done: int, total: int) -> None:
            if done == 50:
                assert other.drop_pairs() == 50

        assert arc.index_pairs(batch=50, progress=drop_after_first_batch) == 50
        assert arc.pairs_through() == 0 and paired_rows(arc) == 0
    check_exact(path)


def test_index_command_drops_the_pairs_and_adds_them_back(tmp_path):
    data_dir = tmp_path / "data"
    path = data_dir / "archive.db"
    with Archive.open(path) as arc:
        arc.save_articles(corpus(120, seed=33))
        assert paired_rows(arc) == 120
    expected = {hit.id for hit in search(path, "干部", limit=0)}
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]

    dropped = run_cli("index", "--no-pairs", "--data-dir", str(data_dir))
    assert dropped.returncode == 0, dropped.stderr
    assert "dropped the character pairs of 120 articles from the search index" in dropped.stdout
    assert "character pairs of 0" not in dropped.stdout and "up to date" not in dropped.stdout
    with Archive.open(path) as arc:
        assert not arc.keeps_pairs() and paired_rows(arc) == 0
    counted = run_cli("search", "干部", "--count", "--data-dir", str(data_dir))
    assert counted.returncode == 0 and counted.stdout.strip() == str(len(expected)) != "0"
    # The pages the pairs held are free for reuse; VACUUM gives them back to the disk.
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] > 0
        conn.execute("VACUUM")
        assert conn.execute("PRAGMA page_count").fetchone()[0] < pages * 0.8

    again = run_cli("index", "--no-pairs", "--data-dir", str(data_dir))
    assert again.returncode == 0, again.stderr
    assert "keeps no character pairs already" in again.stderr
    assert "already up to date (120 articles, without character pairs)" in again.stdout

    imported = tmp_path / "more.jsonl"
    imported.write_text(
        '{"url": "https://example.cn/a/more.html", "title": "干部培训", "body": "干部学习。"}\n', "utf-8"
    )
    loaded = run_cli("import", str(imported), "--index-later", "--data-dir", str(data_dir))
    assert loaded.returncode == 0, loaded.stderr
    assert "1 articles wait for their story grouping, and the index segments" in loaded.stderr

    restored = run_cli("index", "--pairs", "--data-dir", str(data_dir))
    assert restored.returncode == 0, restored.stderr
    assert "keeps character pairs again" in restored.stderr
    assert "indexed the character pairs of 121" in restored.stdout
    with Archive.open(path) as arc:
        assert arc.keeps_pairs() and paired_rows(arc) == 121 and arc.pairs_through() == 121
    assert {hit.id for hit in search(path, "干部", limit=0)} == expected | {121}


def test_import_then_index_without_pairs_makes_a_new_archive_without_them(tmp_path):
    data_dir = tmp_path / "data"
    lines = tmp_path / "articles.jsonl"
    lines.write_text(
        "".join(
            f'{{"url": "https://example.cn/a/{n}.html", "title": "干部培训第{n}期", "body": "组织生活会。党建工作。"}}\n'
            for n in range(30)
        ),
        "utf-8",
    )
    loaded = run_cli("import", str(lines), "--index-later", "--data-dir", str(data_dir))
    assert loaded.returncode == 0, loaded.stderr
    indexed = run_cli("index", "--no-pairs", "--data-dir", str(data_dir))
    assert indexed.returncode == 0, indexed.stderr
    assert "dropped the character pairs of 0 articles" in indexed.stdout
    assert "grouped 30 articles into stories and merged" in indexed.stdout
    with Archive.open(data_dir / "archive.db") as arc:
        assert not arc.keeps_pairs() and paired_rows(arc) == 0 and arc.story_backlog() == 0
    counted = run_cli("search", "组织生活", "--count", "--data-dir", str(data_dir))
    assert counted.returncode == 0 and counted.stdout.strip() == "30"


@pytest.mark.slow
def test_served_searches_of_an_archive_without_pairs_are_exact(tmp_path):
    data_dir = tmp_path / "data"
    path = data_dir / "archive.db"
    with Archive.open(path) as arc:
        arc.save_articles(corpus(120, seed=34))
        arc.drop_pairs()
    conn = sqlite3.connect(path)
    with serving(data_dir, tmp_path / "serve.log") as base:
        for query in [*sample_queries(conn, 12, seed=13), *BOOLEAN_QUERIES]:
            expected = boolean_oracle(conn, query) if query in BOOLEAN_QUERIES else oracle(conn, query)
            table = table_search(base, _search=query)
            assert {row["id"] for row in table["rows"]} == expected, query
            saved = get_json(base, "/archive/search.json", q=query, _shape="objects", _size="max")
            assert {row["id"] for row in saved["rows"]} == expected, query
