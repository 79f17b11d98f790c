"""The archive's write API on real SQLite files."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from archive import Archive, ArchiveError, writing
from archive import stories as story_grouping
from archive.schema import SCHEMA_VERSION, migrate
from archive.store import upgrade
from archive.synthetic import CorpusGenerator
from crawler.extract import Article


@pytest.fixture
def arc(tmp_path):
    with Archive.open(tmp_path / "data" / "archive.db") as archive:
        yield archive


def fts_ids(archive: Archive, expression: str) -> set[int]:
    rows = archive.conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [expression])
    return {r[0] for r in rows}


def test_open_creates_wal_archive_at_current_version(tmp_path):
    path = tmp_path / "new" / "archive.db"
    Archive.open(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"articles", "article_versions", "fetches", "runs", "sites", "articles_fts"} <= tables


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


def test_fetch_state_and_sources(arc):
    url = "https://b.example.cn/5.html"
    fetch_id = arc.record_fetch(
        url=url,
        status=200,
        outcome="article",
        run_id=None,
        warc_file="w.warc.gz",
        warc_offset=10,
        warc_length=99,
        etag='"abc"',
        last_modified="Mon",
        site="b",
    )
    arc.save_article(
        Article(url=url, site="b", body="正文"), fetch_id=fetch_id, seen_at="2024-05-01T00:00:00+00:00"
    )
    arc.save_article(Article(url="https://c.example.cn/6.html", site="c", body="正文"))
    state = arc.article_state(url)
    assert state["etag"] == '"abc"' and state["last_modified"] == "Mon"
    assert state["last_seen"] == "2024-05-01T00:00:00+00:00" and len(state["content_hash"]) == 64
    assert arc.article_state("https://nowhere.example.cn/") is None
    assert arc.known_article_urls("b") == {url}
    assert list(arc.iter_article_sources("b")) == [
        {
            "article_id": state["article_id"],
            "url": url,
            "site": "b",
            "warc_file": "w.warc.gz",
            "warc_offset": 10,
            "warc_length": 99,
        }
    ]
    with pytest.raises(ArchiveError, match="unknown fetch outcome"):
        arc.record_fetch(url=url, status=200, outcome="fine", run_id=None)


def test_runs_round_trip(arc):
    arc.upsert_site("12371", title="共产党员网", hosts=["www.12371.cn"])
    arc.upsert_site("12371", title="共产党员网", hosts=["www.12371.cn", "news.12371.cn"])
    assert arc.conn.execute("SELECT hosts FROM sites").fetchall() == [('["www.12371.cn", "news.12371.cn"]',)]
    first = arc.start_run("12371", options={"max_pages": 5})
    stats = {
        "pages_fetched": 9,
        "articles_new": 4,
        "articles_updated": 1,
        "articles_unchanged": 2,
        "articles_failed": 1,
        "fetches_blocked": 0,
        "finish_reason": "finished",
    }
    arc.finish_run(
        first,
        status="completed",
        stats=stats,
        field_coverage={"title": 1.0, "author": 0.5},
        alerts=["author coverage fell"],
    )
    second = arc.start_run("12371")
    runs = arc.runs(site="12371")
    assert [r["id"] for r in runs] == [second, first]
    done = runs[1]
    assert (
        done["status"] == "completed" and done["pages_fetched"] == 9 and done["finish_reason"] == "finished"
    )
    assert done["field_coverage"] == {"title": 1.0, "author": 0.5} and done["alerts"] == [
        "author coverage fell"
    ]
    assert done["options"] == {"max_pages": 5}
    assert [r["id"] for r in arc.recent_coverage("12371")] == [first]
    assert arc.runs(site="other") == []
    with pytest.raises(ArchiveError, match="no run with id"):
        arc.finish_run(999, status="completed", stats={}, field_coverage={}, alerts=[])


def test_reposts_share_a_story_and_keep_their_own_rows(arc):
    corpus = CorpusGenerator(seed=7)
    original = corpus.article(1, body_chars=1500)
    other = corpus.article(2, body_chars=1500)
    copy = Article(
        url="https://people.example.cn/copy.html",
        site="people",
        title=original.title + "（转载）",
        body=original.body.replace("。", "。\n", 3) + "（来源：中国组织人事报）",
        published_at="2024-02-02",
    )
    a = arc.save_article(original)
    b = arc.save_article(other)
    c = arc.save_article(copy)
    assert c.story_id == a.story_id == a.article_id
    assert b.story_id != a.story_id
    rows = arc.conn.execute("SELECT url, site, story_id FROM articles ORDER BY id").fetchall()
    assert rows[2] == ("https://people.example.cn/copy.html", "people", a.story_id)
    reposts = arc.conn.execute("SELECT story_id, copies, sites, title FROM reposts").fetchall()
    assert reposts == [(a.story_id, 2, f"{original.site} people", original.title)]


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
    for expression in (
        '{title_pairs body_pairs} : "干部 部工"',
        '{title body} : "干 部 工"',
        '{title} : "召"',
    ):
        rebuilt = conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [expression])
        assert rebuilt.fetchall() == [(1,), (2,)], expression
    assert conn.execute("SELECT v FROM articles_fts_config WHERE k = 'hashsize'").fetchone()[0] > 2**20
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


def test_notices_from_one_template_are_not_reposts(arc):
    preamble = (
        "为进一步扩大干部工作民主，加强对干部选拔任用工作的监督，根据《党政领导干部选拔任用工作条例》有关规定，"
        "经{province}委同意，现将拟任职情况予以公示。\n"
    )
    people = {
        "江西省": [
            "陈建国，男，汉族，1972年5月生，研究生学历，中共党员，现任省财政厅副厅长，拟任市委常委。",
            "周丽萍，女，汉族，1980年2月生，大学学历，中共党员，现任团省委副书记，拟任县委书记。",
        ],
        "湖南省": [
            "陈建国，男，汉族，1972年5月生，研究生学历，中共党员，现任省财政厅副厅长，拟任市委常委。",
            "孙海涛，男，汉族，1976年8月生，大学学历，中共党员，现任省交通厅处长，拟任副市长。",
        ],
    }
    stories = set()
    for number, (province, lines) in enumerate(people.items()):
        body = preamble.format(province=province) + "\n".join(lines) + "\n公示期间，如有情况请反映。"
        article = Article(
            url=f"https://a.example.cn/notice{number}.html",
            title=f"中共{province}委组织部干部任前公示",
            body=body,
        )
        stories.add(arc.save_article(article).story_id)
    assert len(stories) == 2


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
    assert "search index of 1000 articles is rebuilt" in caplog.text
    assert (
        conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '{title_pairs} : \"组织 织工\"'"
        ).fetchone()[0]
        == 1000
    )


def articles_with_reposts(seed: int, originals: int = 36) -> list[Article]:
    """Generated articles, every third followed by a copy under another title (found by its body)."""
    articles = []
    for number, original in enumerate(CorpusGenerator(seed=seed).articles(originals, body_chars=400)):
        articles.append(original)
        if number % 3 == 0:
            copy_body = original.body.replace("。", "。\n", 2) + "（来源：中国组织人事报）"
            articles.append(
                Article(
                    url=f"https://people.example.cn/{number}.html",
                    site="people",
                    title=f"转载{number}",
                    body=copy_body,
                )
            )
    return articles


def test_band_keys_moved_into_the_big_table_leave_stories_unchanged(tmp_path, monkeypatch):
    articles = articles_with_reposts(seed=11)
    edited = Article(url=articles[4].url, title=articles[4].title, body=articles[4].body + "（有修改）")

    def stories(path, save):
        with Archive.open(path) as arc:
            save(arc)
            arc.save_article(edited)
            rows = arc.conn.execute("SELECT id, story_id FROM articles ORDER BY id").fetchall()
            counts = [
                arc.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("article_lsh", "article_lsh_recent")
            ]
            return rows, counts

    kept, (moved_rows, waiting) = stories(
        tmp_path / "kept.db", lambda arc: [arc.save_article(a) for a in articles]
    )
    assert moved_rows == 0 and waiting > 0
    monkeypatch.setattr(story_grouping, "LSH_RECENT_ROWS", 20)
    monkeypatch.setattr(story_grouping, "LSH_CHECK_EVERY", 3)
    for name, save in [
        ("single", lambda arc: [arc.save_article(a) for a in articles]),
        ("bulk", lambda arc: arc.save_articles(articles, batch=5)),
    ]:
        moved, (moved_rows, waiting) = stories(tmp_path / f"{name}.db", save)
        assert moved == kept, name
        assert moved_rows > 0 and waiting < 20 + 3 * 8, name
    assert len({story for _, story in kept}) < len(kept)  # the copies did join their originals


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
        arc.conn.execute("PRAGMA user_version = 8")
    with Archive.open(path) as arc:
        copy = Article(
            url="https://people.example.cn/c.html", title="转载", body=original.body + "（来源：人民网）"
        )
        assert arc.save_article(copy).story_id == first.article_id
        assert arc.conn.execute("SELECT count(*) FROM article_lsh_recent").fetchone()[0] > 0


def stories_of(arc: Archive) -> list[tuple[int, int]]:
    return arc.conn.execute("SELECT id, story_id FROM articles ORDER BY id").fetchall()


def band_keys_of(arc: Archive) -> set[tuple[int, int]]:
    sql = "SELECT band_key, article_id FROM article_lsh UNION SELECT band_key, article_id FROM article_lsh_recent"
    return set(arc.conn.execute(sql).fetchall())


@pytest.mark.parametrize("workers", [0, 1])
def test_deferred_grouping_finds_the_stories_of_one_by_one_saves(tmp_path, workers):
    articles = articles_with_reposts(seed=13)
    with Archive.open(tmp_path / "single.db") as single:
        for article in articles:
            single.save_article(article)
        expected = stories_of(single)
        expected_keys = band_keys_of(single)
    assert len({story for _, story in expected}) < len(expected)
    with Archive.open(tmp_path / "deferred.db") as arc:
        results = arc.save_articles(articles[:30], defer_stories=True, batch=7, workers=1)
        # Saved one at a time behind the backlog, the rest wait their turn too.
        later = [arc.save_article(article) for article in articles[30:]]
        assert all(r.story_id == r.article_id for r in results + later)
        assert arc.story_backlog() == len(articles) and arc.stories_through() == 0
        assert arc.conn.execute("SELECT count(*) FROM article_signatures").fetchone()[0] == 0

        # Interrupted after the first batch: that batch is kept, the next run goes on from it.
        def stop(done, total):
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            arc.group_stories(batch=10, progress=stop, workers=workers)
        assert arc.stories_through() == 10 and arc.story_backlog() == len(articles) - 10
        assert arc.group_stories(batch=10, workers=workers) == len(articles) - 10
        assert stories_of(arc) == expected
        assert band_keys_of(arc) == expected_keys
        assert arc.group_stories() == 0
        # Grouped now, the archive takes single saves at once again.
        copy = Article(url="https://x.example.cn/late.html", title="迟到的转载", body=articles[0].body)
        assert arc.save_article(copy).story_id == 1 and arc.story_backlog() == 0


def test_an_article_edited_while_waiting_is_grouped_by_its_new_text(tmp_path):
    articles = articles_with_reposts(seed=14, originals=6)
    with Archive.open(tmp_path / "archive.db") as arc:
        arc.save_articles(articles, defer_stories=True)
        # Article 3, an original, is rewritten into a copy of article 1 before grouping.
        edited = Article(url=articles[2].url, title="转载", body=articles[0].body + "（有修改）")
        assert arc.save_article(edited).status == "updated"
        assert arc.conn.execute("SELECT count(*) FROM article_signatures").fetchone()[0] == 0
        arc.group_stories()
        assert dict(stories_of(arc))[3] == 1
        stored = arc.conn.execute("SELECT title_key FROM article_signatures WHERE article_id = 3").fetchone()
        assert stored == ("转载",)


def test_upgrade_marks_an_archive_as_grouped(tmp_path):
    conn = archive_at_schema(tmp_path / "archive.db", 9, 5)
    upgrade(conn)
    assert conn.execute("SELECT stories_through, pairs_through FROM index_progress").fetchone() == (5, 0)
    conn.close()


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
                    conn.execute("SELECT * FROM index_progress").fetchall(),
                    [
                        fts_ids(arc, expression)
                        for expression in ('"党 建"', '{title_pairs body_pairs} : "党建"')
                    ],
                )

    fast, slow = build(tmp_path / "fast.db", False), build(tmp_path / "slow.db", True)
    assert fast == slow
    results, rows, versions, progress, found = fast
    assert [r.status for r in results].count("new") == 37 and len(rows) == 40 and len(versions) == 1
    assert progress == [(1, 3 if defer_pairs else 40, 3)] and found[0]
    assert sum(inserted_together) >= 18  # half of them did go in by the piece
