"""Crawl bookkeeping: fetches, their refresh state and WARC pointers, runs."""

from __future__ import annotations

import pytest

from archive import ArchiveError
from crawler.extract import Article


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
            "fetched": True,
        }
    ]
    # Saved without a fetch, as orgnews import saves: nothing to re-extract it from.
    (imported,) = arc.iter_article_sources("c")
    assert imported["warc_file"] is None and imported["fetched"] is False
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
