"""Pieces of the crawl that decide things on their own: challenges, URL dates, coverage alerts."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.extract import Article
from crawler.incremental import day_from_url
from crawler.middlewares import detect_challenge
from crawler.runstats import CoverageCounter, coverage_alerts

RUISHU_200 = (
    b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    b"<script type=\"text/javascript\">$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=84213;</script>"
    b'<script src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js" r="m"></script></head><body></body></html>'
)
JSL_521 = (
    b"<html><script>document.cookie='__jsl_clearance_s=1700000000.1|0|abc;max-age=3600;path=/';"
    b"location.href=location.pathname+location.search</script></html>"
)
# The cookie name pieced together, as the first stage of 加速乐 writes it.
JSL_PIECES = (
    b"<html><body><script>document.cookie=('_')+('_')+('jsl_clear')+('ance=1764182400.4|0|')"
    b"+(';Max-age=3600; path = /');location.href=location.pathname+location.search</script></body></html>"
)
CLOUDFLARE_403 = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>cf-chl</body></html>"
)
ARTICLE = (
    "<html><head><title>着力打造机关党建示范标杆</title></head><body><h1>着力打造机关党建示范标杆</h1>"
    "<p>来源：中国组织人事报 时间：2021-02-03 08:15</p><p>高举旗帜，推动机关党建高质量发展。</p></body></html>"
)


@pytest.mark.parametrize(
    ("status", "body", "family"),
    [
        (412, b"<html></html>", "瑞数"),
        (200, RUISHU_200, "瑞数"),
        (521, JSL_521, "加速乐"),
        (200, JSL_521, "加速乐"),
        (200, JSL_PIECES, "加速乐"),
        (403, CLOUDFLARE_403, "Cloudflare"),
        (503, CLOUDFLARE_403, "Cloudflare"),
    ],
)
def test_challenges_are_named(status: int, body: bytes, family: str) -> None:
    reason = detect_challenge(status, body)
    assert reason is not None and family in reason


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, ARTICLE.encode("utf-8")),
        (404, "<html><title>404 页面不存在</title></html>".encode()),
        (403, b"<html><title>Forbidden</title></html>"),
        # A long page mentioning $_ts in an article about the challenge is still a page.
        (200, ARTICLE.encode("utf-8") + b"<p>$_ts</p>" + b"<p>" + "正文".encode() * 20000 + b"</p>"),
    ],
)
def test_ordinary_pages_are_not_challenges(status: int, body: bytes) -> None:
    assert detect_challenge(status, body) is None


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


def _articles(count: int, **fields: str | None) -> CoverageCounter:
    counter = CoverageCounter()
    for n in range(count):
        counter.add(
            Article(
                url=f"https://www.12371.cn/a/{n}",
                title="标题",
                body="正文",
                source="来源",
                published_at="2021-02-03",
                **fields,
            )
        )
    return counter


def test_coverage_counts_filled_fields_only() -> None:
    counter = _articles(4, editor="耿硕2", author="  ")
    shares = counter.shares()
    assert shares["title"] == 1.0 and shares["editor"] == 1.0
    assert shares["author"] == 0.0


def test_a_field_that_vanishes_raises_an_alert_naming_it() -> None:
    recent = [{"field_coverage": {"title": 1.0, "editor": 0.95, "author": 0.4}} for _ in range(5)]
    counter = _articles(20, editor=None, author="张学伟")
    alerts = coverage_alerts("12371", counter.shares(), counter.articles, recent)
    assert len(alerts) == 1
    assert "editor" in alerts[0] and "0%" in alerts[0] and "95%" in alerts[0]


def test_no_alert_without_history_or_with_too_few_articles() -> None:
    counter = _articles(20, editor=None)
    assert coverage_alerts("12371", counter.shares(), counter.articles, []) == []
    small = _articles(2, editor=None)
    recent = [{"field_coverage": {"editor": 1.0}}] * 5
    assert coverage_alerts("12371", small.shares(), small.articles, recent) == []


def test_fields_a_site_never_had_do_not_alert() -> None:
    recent = [{"field_coverage": {"author": 0.05}}] * 5
    counter = _articles(20, author=None)
    assert coverage_alerts("gov", counter.shares(), counter.articles, recent) == []


def test_summary_shows_each_alert_as_a_warning() -> None:
    import io

    from rich.console import Console

    from crawler.commands.report import print_summary

    out = io.StringIO()
    alert = "12371: editor found in 0% of 20 articles, against 95% in the last 5 runs"
    run = {
        "id": 7,
        "site": "12371",
        "started_at": "2026-11-26T02:15:00+00:00",
        "status": "completed",
        "pages_fetched": 31,
        "articles_new": 20,
        "field_coverage": {"title": 1.0, "editor": 0.0},
        "alerts": [alert],
    }
    print_summary(Console(file=out, width=200, force_terminal=False), [run])
    text = out.getvalue()
    assert f"WARNING: {alert}" in text
    assert "100%" in text and "0%" in text


def test_settled_urls_survive_a_cut_last_line(tmp_path) -> None:
    from crawler.settled import SettledUrls, settled_reason

    path = tmp_path / "jobs" / "gov" / "settled.tsv"
    settled = SettledUrls(path).load()
    settled.add("https://www.gov.cn/xinwen/2026-11/01/content_1.htm", "HTTP 404")
    settled.add("https://www.gov.cn/xinwen/2026-11/01/content_1.htm", "HTTP 404")
    settled.close()
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("https://www.gov.cn/xinwen/2026-11/02/content_2.htm\tHT")
    again = SettledUrls(path).load()
    assert set(again.reasons) == {"https://www.gov.cn/xinwen/2026-11/01/content_1.htm"}
    assert settled_reason("error", 404, None, "HTTP 404") == "HTTP 404"
    assert settled_reason("error", 503, None, "HTTP 503") is None
    assert settled_reason("not-article", 200, "list-page", "list-page: 40 links") == "list-page: 40 links"
    assert settled_reason("not-article", 200, "no-body", "no-body: nothing found") is None


def test_politeness_for_every_live_profile_and_none_for_the_replay() -> None:
    from scrapy.settings import Settings

    from crawler.profiles import load_profiles
    from crawler.spiders.news import apply_politeness, user_agent

    for profile in load_profiles().values():
        settings = Settings()
        settings.setmodule("crawler.settings", priority="project")
        settings.set("ORGNEWS_REPLAY_URL", "", priority="cmdline")
        apply_politeness(settings, profile)
        shortest_gap = settings.getfloat("DOWNLOAD_DELAY") * (1 - settings.getfloat("DOWNLOAD_DELAY_JITTER"))
        assert shortest_gap >= 1.0, profile.name
        assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2, profile.name
        assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
    replay = Settings()
    replay.setmodule("crawler.settings", priority="project")
    replay.set("ORGNEWS_REPLAY_URL", "http://127.0.0.1:8800", priority="cmdline")
    apply_politeness(replay, profile)
    assert replay.getfloat("DOWNLOAD_DELAY") == 0 and not replay.getbool("AUTOTHROTTLE_ENABLED")
    assert replay.getbool("ROBOTSTXT_OBEY")
    assert "contact: archive@example.org" in user_agent("archive@example.org")


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
