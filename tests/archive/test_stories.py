"""Reposts grouped into stories: one by one, in bulk, deferred, after an edit."""

from __future__ import annotations

import pytest

from archive import Archive
from archive import stories as story_grouping
from archive.synthetic import CorpusGenerator
from crawler.extract import Article


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
