"""The incremental middleware: a URL's publication day, the refresh window."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.extract import Article
from crawler.incremental import day_from_url


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://www.12371.cn/2021/02/04/ARTI1612401234567890.shtml", date(2021, 2, 4)),
        ("http://dangjian.people.com.cn/n1/2019/0615/c117092-31154876.html", date(2019, 6, 15)),
        ("http://www.zgjssw.gov.cn/yaowen/201909/t20190918_6345678.shtml", date(2019, 9, 18)),
        ("http://www.zjzzgz.gov.cn/art/2016/11/22/art_1229_123456.html", date(2016, 11, 22)),
        ("https://www.gov.cn/xinwen/2021-05/06/content_5604500.htm", date(2021, 5, 6)),
        (
            "http://www.dangjian.cn/shouye/dangjianyaowen/2021/02/03/detail_202102031234567.html",
            date(2021, 2, 3),
        ),
        ("https://www.bjdj.gov.cn/article/12345.html", None),
        ("https://www.zuzhirenshi.com/detailpage/6d1c2a9e-1b2f-4c3d-9e8f-001122334455", None),
    ],
)
def test_publication_day_from_detail_urls(url: str, day: date | None) -> None:
    assert day_from_url(url) == day


def test_refresh_window_ages_an_article_by_publication_else_first_archived(tmp_path) -> None:
    from datetime import UTC, datetime

    from archive import Archive
    from crawler.incremental import article_age

    with Archive.open(tmp_path / "archive.db") as arc:
        arc.save_article(
            Article(
                url="https://a.example.cn/1.html",
                site="a",
                title="一",
                body="正文",
                published_at="2026-11-02T09:30:00+08:00",
            ),
            seen_at="2026-11-20T00:00:00+00:00",
        )
        arc.save_article(
            Article(url="https://a.example.cn/2.html", site="a", title="二", body="正文"),
            seen_at="2026-11-05T00:00:00+00:00",
        )
        # Seen again later: last_seen moves on, the age must not.
        arc.save_article(
            Article(url="https://a.example.cn/2.html", site="a", title="二", body="正文"),
            seen_at="2026-11-25T00:00:00+00:00",
        )
        dated, undated = (arc.article_state(f"https://a.example.cn/{n}.html") for n in (1, 2))
    assert article_age(dated) == datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
    assert undated["last_seen"].startswith("2026-11-25")
    assert article_age(undated) == datetime(2026, 11, 5, tzinfo=UTC)
