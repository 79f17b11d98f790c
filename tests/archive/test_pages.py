"""The researcher's pages of ``orgnews serve`` in a real headless Chromium, on the demo archive.

The archive is what ``orgnews demo`` crawls, then a crawl of the replay's snapshot 2 (which edits
one article), then one repost of a demo article on another site with its page captured in a WARC
file (the demo's own article pages carry no scripts). Screenshots of every page at 1400 px (a
person's career and the people also at 420 and 1280 px) go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from email.message import Message
from pathlib import Path

import lxml.html
import pytest

from archive import Archive, person, search
from archive.captures import addresses, offline, safe_document, serialized, without_scripts
from archive.careers import find_people
from archive.charts import build_timeline, timeline_svg
from archive.errors import QueryError
from archive.query import parse_query
from crawler.extract import Article
from crawler.warc import WarcRecorder
from tests.conftest import CHROMIUM, ROOT, chromium, png_rows, run_cli, serving

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed"),
]

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
REPOST_URL = "https://www.example-zzb.gov.cn/art/2026/11/30/art_301_9001.html"
REPOST_IMAGE = "https://www.example-zzb.gov.cn/art/2026/11/30/W020261130.jpg"
REPOST_ATTACHMENT = "https://www.example-zzb.gov.cn/module/download/gs.pdf"
# A captured page with everything that would run in a reader's browser.
REPOST_LOGO = "https://www.example-zzb.gov.cn/images/logo.png"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e221bc330000000049454e44ae426082"
)
# A captured page with everything that would run in a reader's browser, and what it would load
# from the live site: a stylesheet, images (one of them captured too), a frame, a style background.
REPOST_PAGE = """<html><head><meta charset="gb2312"><title>{title}</title>
<script>document.title = "changed"</script><script src="https://stats.example.cn/t.js"></script>
<link rel="stylesheet" href="/css/zzb.css"><link rel="icon" href="/favicon.ico">
<style>body {{ background: url(images/bg.png) repeat-x }}</style></head>
<body onload="track()"><img src="/images/logo.png" alt="标志"><h1>{title}</h1>
<div id="zoom"><p>{first}</p><p><img src="W020261130.jpg" alt="会议现场"></p></div>
<iframe src="https://v.example-zzb.gov.cn/player.html?id=9"></iframe>
<a href="javascript:print()">打印本页</a><a href="/col/col301/index.html">返回列表</a><object data="x.swf"></object></body></html>"""
# Every host the captured page names: the page in the archive must load nothing from any of them.
LIVE_HOSTS = {"www.example-zzb.gov.cn", "v.example-zzb.gov.cn", "stats.example.cn"}


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory) -> Path:
    from crawler.replay.server import ReplayServer

    data_dir = tmp_path_factory.mktemp("pages") / "data"
    demo = run_cli("demo", data_dir=data_dir)
    assert demo.returncode == 0, demo.stderr.decode()[-2000:]
    with ReplayServer(snapshot=2) as changed:
        # Long enough to re-check every article: the edited one comes back as a new version.
        refresh = run_cli(
            "crawl",
            "--all",
            "--refresh-days",
            "3650",
            data_dir=data_dir,
            env={"ORGNEWS_REPLAY_URL": changed.base_url},
        )
    assert refresh.returncode == 0, refresh.stdout.decode()[-2000:]
    add_captured_repost(data_dir)
    add_alerting_run(data_dir)
    return data_dir


ALERT = (
    "zhejiang: author found in 0% of 12 articles, against 100% in the last 2 runs; "
    "the site may have changed its layout (check its profile selectors)"
)


def add_alerting_run(data_dir: Path) -> None:
    """A run of one site whose author coverage fell, as the crawl records it."""
    with Archive.open(data_dir / "archive.db") as arc:
        run_id = arc.start_run("zhejiang")
        coverage = {
            "title": 1.0,
            "published_at": 1.0,
            "source": 1.0,
            "author": 0.0,
            "editor": 1.0,
            "body": 1.0,
        }
        stats = {"pages_fetched": 14, "articles_new": 12}
        arc.finish_run(run_id, status="completed", stats=stats, field_coverage=coverage, alerts=[ALERT])


def capture(
    arc: Archive, recorder: WarcRecorder, address: str, content_type: str, body: bytes, outcome: str
) -> int:
    """A response written to a WARC file and recorded as a fetch, as the crawl does; its fetch id."""
    location = recorder.write(
        url=address,
        status=200,
        response_headers=[("Content-Type", content_type)],
        body=body,
        method="GET",
        request_headers=[],
        request_body=None,
    )
    return arc.record_fetch(
        url=address,
        status=200,
        outcome=outcome,
        run_id=None,
        site="zhejiang",
        warc_file=location.file,
        warc_offset=location.offset,
        warc_length=location.length,
    )


def add_captured_repost(data_dir: Path) -> None:
    """A copy of the first 12371 article on another site, its page written to a WARC file with scripts."""
    with Archive.open(data_dir / "archive.db") as arc:
        original = arc.conn.execute(
            "SELECT title, body, source FROM articles WHERE site = '12371' ORDER BY id LIMIT 1"
        ).fetchone()
        title, body, source = original
        page = REPOST_PAGE.format(title=title, first=body.splitlines()[0]).encode("gb18030")
        recorder = WarcRecorder(data_dir / "warc", prefix="repost")
        capture(arc, recorder, REPOST_LOGO, "image/png", PNG, "not-article")
        fetch_id = capture(arc, recorder, REPOST_URL, "text/html; charset=gb2312", page, "article")
        recorder.close()
        repost = Article(
            url=REPOST_URL,
            site="zhejiang",
            title=title,
            body=body,
            source=source,
            published_at="2026-11-30",
            images=[REPOST_IMAGE],
            attachments=[{"url": REPOST_ATTACHMENT, "text": "附件：任前公示名单"}],
        )
        arc.save_article(repost, fetch_id=fetch_id)


@pytest.fixture(scope="module")
def server(archive_dir, tmp_path_factory):
    with serving(archive_dir, tmp_path_factory.mktemp("serve-log") / "serve.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Load a page in headless Chromium: its DOM as lxml, and a 1400 px screenshot named ``shot``."""
    profile = tmp_path_factory.mktemp("chromium")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def load(url: str, shot: str, height: int = 2000, net_log: Path | None = None):
        path = SCREENSHOTS / f"{shot}.png"
        path.unlink(missing_ok=True)
        logging = [f"--log-net-log={net_log}"] if net_log else []
        for _attempt in range(2):
            # A second start when the first gave nothing: on a busy machine Chromium can fail to start.
            result = chromium(
                profile, f"--window-size=1400,{height}", *logging, f"--screenshot={path}", "--dump-dom", url
            )
            dom = result.stdout.decode("utf-8", "replace")
            if "<body" in dom and path.is_file():
                break
        assert "<body" in dom and path.is_file(), result.stderr.decode("utf-8", "replace")[-2000:]
        print(f"screenshot: {path}")
        return lxml.html.fromstring(dom)

    return load


def db(archive_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(archive_dir / "archive.db")


def url(base: str, path: str, **params) -> str:
    return base + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")


def get(full_url: str) -> tuple[int, bytes, Message]:
    try:
        with urllib.request.urlopen(full_url, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers


def html_page(full_url: str):
    """A page fetched without the browser, for what needs no rendering."""
    return lxml.html.fromstring(get(full_url)[1].decode("utf-8"))


def text(element) -> str:
    return element.text_content().strip()


QUERY, COMPARE = "组织部", "干部"


@pytest.fixture(scope="module")
def search_page(server, browser):
    """The search page for QUERY with COMPARE on its timeline, as Chromium shows it."""
    return browser(url(server, "/archive/-/search", q=QUERY, compare=COMPARE), "search")


def test_search_page_shows_highlighted_hits_and_the_counts_of_orgnews_search(
    server, archive_dir, search_page
):
    query, page = QUERY, search_page
    counted = run_cli("search", query, "--count", data_dir=archive_dir)
    expected_count = int(counted.stdout.decode())
    assert expected_count > 20  # more than one page: "N of M" says so
    assert text(page.cssselect(".summary .count .total")[0]) == f"{expected_count:,}"
    assert text(page.cssselect(".summary .count strong")[0]) == "1–20"
    hits = page.cssselect("li.hit")
    expected = search(archive_dir / "archive.db", query, limit=20)
    assert [h.cssselect("h3 a")[0].get("href") for h in hits] == [
        f"/archive/articles/{hit.id}?{urllib.parse.urlencode({'q': query})}" for hit in expected
    ]
    assert [text(h.cssselect("h3 a")[0]) for h in hits] == [hit.title for hit in expected]
    # The snippet's marks are rendered as elements, not shown as text.
    for hit in hits:
        snippet = hit.cssselect(".snippet")[0]
        marked = [text(mark) for mark in snippet.cssselect("mark")]
        assert marked and all(query in m for m in marked), text(snippet)
        assert "<mark>" not in text(snippet)
    site_facet = {li.get("data-value"): int(text(li.cssselect(".n")[0])) for li in facet(page, "site")}
    sites = Counter(hit.site for hit in search(archive_dir / "archive.db", query, limit=0))
    assert site_facet == dict(sites)
    titles = site_titles(archive_dir)
    assert [text(li.cssselect("a")[0]) for li in facet(page, "site")] == [
        titles[li.get("data-value")] for li in facet(page, "site")
    ]
    # The JSON and CSV links give the same count and hits.
    data = json.loads(get(url(server, "/archive/-/search.json", q=query))[1])
    assert data["count"] == expected_count and data["error"] is None
    assert [hit["id"] for hit in data["hits"]] == [
        hit.id for hit in search(archive_dir / "archive.db", query, limit=0)
    ]
    rows = list(csv.DictReader(io.StringIO(get(url(server, "/archive/-/search.csv", q=query))[1].decode())))
    assert [int(row["id"]) for row in rows] == [hit["id"] for hit in data["hits"]]


def site_titles(archive_dir: Path) -> dict[str, str]:
    with db(archive_dir) as conn:
        return dict(conn.execute("SELECT name, title FROM sites").fetchall())


def facet(page, name: str) -> list:
    heading = next(h for h in page.cssselect(".facets h3") if text(h) == name)
    return heading.getnext().cssselect("li")


def test_facets_and_date_order_narrow_the_search_like_orgnews_search(server, archive_dir):
    query = "干部"
    page = html_page(url(server, "/archive/-/search", q=query, site="people", order="date"))
    expected = search(archive_dir / "archive.db", query, site="people", order="date", limit=20)
    assert [text(a) for a in page.cssselect("li.hit h3 a")] == [hit.title for hit in expected]
    counted = run_cli("search", query, "--site", "people", "--count", data_dir=archive_dir)
    assert text(page.cssselect(".summary .count .total")[0]) == f"{int(counted.stdout.decode()):,}"
    assert [text(chip) for chip in page.cssselect(".facets .chip")] == [
        f"site: {site_titles(archive_dir)['people']} ×"
    ]


def test_timeline_counts_equal_a_group_by_month_of_the_same_search(server, archive_dir, search_page):
    query, compare, page = QUERY, COMPARE, search_page
    drawn = {
        g.get("data-period"): int(g.get("data-count")) for g in page.cssselect("svg.timeline g[data-period]")
    }
    expected = months_of(archive_dir, query)
    assert {period: n for period, n in drawn.items() if n} == expected
    # Both queries share the axis: from the first month either matches to the last.
    both = expected.keys() | months_of(archive_dir, compare).keys()
    assert min(drawn) == min(both) and max(drawn) == max(both)
    body = get(url(server, "/archive/-/timeline.csv", q=query, compare=compare))[1].decode()
    table = list(csv.reader(io.StringIO(body)))
    assert table[0] == ["month", query, compare]
    assert {row[0]: int(row[1]) for row in table[1:] if int(row[1])} == expected
    assert {row[0]: int(row[2]) for row in table[1:] if int(row[2])} == months_of(archive_dir, compare)


def months_of(archive_dir: Path, query: str) -> dict[str, int]:
    ids = [hit.id for hit in search(archive_dir / "archive.db", query, limit=0)]
    with db(archive_dir) as conn:
        rows = conn.execute(
            f"SELECT substr(published_at, 1, 7), count(*) FROM articles WHERE id IN ({','.join('?' * len(ids))}) "
            "AND published_at IS NOT NULL GROUP BY 1",
            ids,
        ).fetchall()
    return dict(rows)


@pytest.mark.parametrize("query", ["NOT (", '"组织', "党建 AND"])
def test_unreadable_query_says_what_to_fix_on_the_page_and_in_json(server, query):
    with pytest.raises(QueryError) as raised:
        parse_query(query)
    status, body, _ = get(url(server, "/archive/-/search.json", q=query))
    data = json.loads(body)
    assert status == 400 and data["error"] == str(raised.value) and data["hits"] == []
    status, body, _ = get(url(server, "/archive/-/search", q=query))
    page = lxml.html.fromstring(body.decode())
    assert status == 400 and str(raised.value) in text(page.cssselect(".orgnews-error")[0])
    assert page.cssselect("input[name=q]")[0].get("value") == query


def article_row(archive_dir: Path, where: str, params=()) -> sqlite3.Row:
    with db(archive_dir) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(f"SELECT * FROM articles WHERE {where}", params).fetchone()


def test_article_page_shows_the_body_as_paragraphs_and_the_story_copies(server, archive_dir, browser):
    repost = article_row(archive_dir, "url = ?", [REPOST_URL])
    original = article_row(archive_dir, "story_id = ? AND id != ?", [repost["story_id"], repost["id"]])
    # Opened from a search, the article marks its words; the text stays the stored text.
    term = re.search(r"[\u4e00-\u9fff]{2}", original["body"]).group()
    page = browser(url(server, f"/archive/articles/{original['id']}", q=term), "article", height=2400)
    assert text(page.cssselect("h1.article-title")[0]) == original["title"]
    paragraphs = [p.text_content() for p in page.cssselect(".article-body p")]
    assert len(paragraphs) > 1
    marked = [text(mark) for mark in page.cssselect(".article-body mark")]
    assert len(marked) == original["body"].count(term) and set(marked) == {term}
    assert "\n".join(paragraphs) == "\n".join(line for line in original["body"].splitlines() if line.strip())
    assert page.cssselect("a.original")[0].get("href") == original["url"]
    copies = page.cssselect(".copies li")
    assert [c.cssselect(".date")[0].text_content() for c in copies] == [
        original["published_at"][:10],
        repost["published_at"][:10],
    ]
    assert "first published" in text(copies[0]) and "(this page)" in text(copies[0])
    assert copies[1].cssselect("a")[0].get("href") == f"/archive/articles/{repost['id']}"
    # Datasette's own JSON of the row stays as it was.
    data = json.loads(get(url(server, f"/archive/articles/{original['id']}.json", _shape="objects"))[1])
    assert data["rows"][0]["body"] == original["body"]


def test_article_edited_in_snapshot_2_shows_its_earlier_version_as_a_diff(server, archive_dir, browser):
    with db(archive_dir) as conn:
        (article_id, old_body), *others = conn.execute(
            "SELECT article_id, body FROM article_versions"
        ).fetchall()
    assert not others
    current = article_row(archive_dir, "id = ?", [article_id])
    page = browser(url(server, f"/archive/articles/{article_id}"), "article-versions", height=2400)
    (version,) = page.cssselect("details.version")
    old_lines = {line.strip() for line in old_body.splitlines() if line.strip()}
    new_lines = {line.strip() for line in current["body"].splitlines() if line.strip()}
    added = {text(p) for p in version.cssselect(".diff p.added")} | {
        text(ins) for ins in version.cssselect(".diff p.changed ins")
    }
    assert new_lines - old_lines and all(
        any(part in line for part in added) for line in new_lines - old_lines
    )
    assert not {text(p) for p in version.cssselect(".diff p.added")} & old_lines


def test_capture_link_serves_the_captured_page_without_scripts(server, archive_dir, browser):
    repost = article_row(archive_dir, "url = ?", [REPOST_URL])
    page = html_page(url(server, f"/archive/articles/{repost['id']}"))
    assert [img.get("src") for img in page.cssselect(".article-images img")] == [REPOST_IMAGE]
    assert [(a.get("href"), text(a)) for a in page.cssselect(".attachments a")] == [
        (REPOST_ATTACHMENT, "附件：任前公示名单")
    ]
    href = page.cssselect("a.capture")[0].get("href")
    status, body, headers = get(server + href)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "script-src 'none'" in headers["Content-Security-Policy"]
    captured = lxml.html.fromstring(body.decode("utf-8"))
    assert text(captured.cssselect("h1")[0]) == repost["title"]
    assert text(captured.cssselect("#zoom p")[0]) == repost["body"].splitlines()[0].strip()
    assert not captured.cssselect("script, object") and captured.body.get("onload") is None
    assert not [a for a in captured.cssselect("a") if (a.get("href") or "").startswith("javascript:")]
    banner = text(captured.cssselect("#orgnews-capture-banner")[0])
    assert REPOST_URL in banner
    assert f"/archive/articles/{repost['id']}" in [
        a.get("href") for a in captured.cssselect("#orgnews-capture-banner a")
    ]
    shown = browser(server + href, "capture")
    assert text(shown.cssselect("h1")[0]) == repost["title"]
    assert get(url(server, "/archive/-/capture/999999"))[0] == 404


def test_captured_page_loads_nothing_from_the_live_site(server, archive_dir, browser, tmp_path):
    repost = article_row(archive_dir, "url = ?", [REPOST_URL])
    href = html_page(url(server, f"/archive/articles/{repost['id']}")).cssselect("a.capture")[0].get("href")
    status, body, headers = get(server + href)
    assert status == 200 and "default-src 'none'" in headers["Content-Security-Policy"]
    captured = lxml.html.fromstring(body.decode("utf-8"))
    # The captured image is read from the archive; the rest is named where it stood, and left out.
    with db(archive_dir) as conn:
        (logo_fetch,) = conn.execute("SELECT id FROM fetches WHERE url = ?", [REPOST_LOGO]).fetchone()
    assert [img.get("src") for img in captured.cssselect("img")] == [f"/archive/-/capture/{logo_fetch}"]
    status, image, image_headers = get(server + f"/archive/-/capture/{logo_fetch}")
    assert status == 200 and image == PNG and image_headers["Content-Type"] == "image/png"
    notes = {note.get("title"): text(note) for note in captured.cssselect(".orgnews-not-captured")}
    assert notes == {
        REPOST_IMAGE: "[image not captured: 会议现场]",
        "https://v.example-zzb.gov.cn/player.html?id=9": "[embedded page not captured: player.html?id=9]",
    }
    assert not captured.cssselect("link, iframe") and "url(" not in text(captured.cssselect("style")[0])
    banner = text(captured.cssselect("#orgnews-capture-banner")[0])
    assert (
        "not in the archive, so not shown: 1 image, 1 stylesheet, 1 embedded page, 1 image or font of a style"
        in banner
    )
    # Links still lead where they led, now absolute.
    assert "https://www.example-zzb.gov.cn/col/col301/index.html" in [
        a.get("href") for a in captured.cssselect("a")
    ]
    # In the browser: of every request the page made, none went to a host the captured page names.
    net_log = tmp_path / "net-log.json"
    shown = browser(server + href, "capture-offline", height=1200, net_log=net_log)
    assert text(shown.cssselect("h1")[0]) == repost["title"]
    requested = set(re.findall(r'"url":"([^"]+)"', net_log.read_text(encoding="utf-8", errors="replace")))
    assert server + f"/archive/-/capture/{logo_fetch}" in requested  # the log holds the page's own loads
    assert not {urllib.parse.urlsplit(u).hostname for u in requested} & LIVE_HOSTS


def test_crawl_health_page_lists_every_site_with_its_runs(server, archive_dir, browser):
    page = browser(url(server, "/archive/-/health"), "health", height=2400)
    with db(archive_dir) as conn:
        sites = {row[0] for row in conn.execute("SELECT name FROM sites")}
        runs = dict(conn.execute("SELECT site, count(*) FROM runs GROUP BY site").fetchall())
    shown = {section.get("id").removeprefix("site-"): section for section in page.cssselect("section.site")}
    assert sites and set(shown) == sites | {"zhejiang"}
    # The alerts of each site's latest run come first, and their sites and fields stand out.
    with db(archive_dir) as conn:
        latest = conn.execute(
            "SELECT site, alerts FROM runs WHERE id IN (SELECT max(id) FROM runs GROUP BY site)"
        )
        alerts = {site: json.loads(alerts or "[]") for site, alerts in latest.fetchall()}
    assert alerts["zhejiang"] == [ALERT]
    assert [text(li) for li in page.cssselect(".alerts li")] == [
        a for site in sorted(alerts) for a in alerts[site]
    ]
    assert {name for name, section in shown.items() if "has-alert" in section.get("class")} == {
        site for site, found in alerts.items() if found
    }
    assert [text(f.cssselect(".name")[0]) for f in shown["zhejiang"].cssselect(".coverage .field.alert")] == [
        "author"
    ]
    for name, section in shown.items():
        assert len(section.cssselect("table.runs tbody tr")) == min(runs.get(name, 0), 8)
        if runs.get(name):
            assert section.cssselect(".coverage .field svg.spark")


def test_articles_table_keeps_the_column_notes_below_the_results(server, archive_dir):
    page = html_page(url(server, "/archive/articles", _search="组织部"))
    assert page.cssselect("dl.column-descriptions") and page.cssselect("table.rows-and-columns")
    assert "/archive/-/search" in [a.get("href") for a in page.cssselect(".metadata-description a")]
    css = get(url(server, "/-/static-plugins/orgnews/orgnews.css"))[1].decode()
    assert "body.table-articles dl.column-descriptions { order: 99;" in css
    # The search page without a query lists what was archived last.
    with db(archive_dir) as conn:
        newest = [row[0] for row in conn.execute("SELECT id FROM articles ORDER BY id DESC LIMIT 15")]
    start = html_page(url(server, "/archive/-/search"))
    assert [a.get("href") for a in start.cssselect("ol.newest a")] == [
        f"/archive/articles/{i}" for i in newest
    ]
    links = [a.get("href") for a in html_page(server + "/").cssselect("a")]
    assert "/archive/-/search" in links and "/archive/-/health" in links


def test_captured_html_loses_everything_that_would_run():
    page = (
        b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">'
        b"<script>alert(1)</script></head><body onclick='x()'><p onmouseover=\"y()\">"
        + "组织部".encode("gbk")
        + b'</p><a href=" JavaScript:void(0)">a</a><a href="/ok.html">b</a><embed src="x.swf"></body></html>'
    )
    cleaned = without_scripts(page, "gb18030").decode("utf-8")
    document = lxml.html.fromstring(cleaned)
    assert text(document.cssselect("p")[0]) == "组织部"
    assert not document.cssselect("script, embed") and "alert" not in cleaned
    assert not any(name.startswith("on") for element in document.iter() for name in element.attrib)
    assert [a.get("href") for a in document.cssselect("a")] == [None, "/ok.html"]
    assert 'charset="utf-8"' in cleaned and "gbk" not in cleaned


def test_timeline_counts_per_month_with_empty_months_and_per_year_over_long_spans():
    short = build_timeline([("q", Counter({"2024-11": 2, "2025-02": 1, None: 4}))])
    assert (short.unit, short.periods, short.series, short.undated) == (
        "month",
        ["2024-11", "2024-12", "2025-01", "2025-02"],
        [("q", [2, 0, 0, 1])],
        [4],
    )
    long = build_timeline([("q", Counter({"2009-05": 3, "2024-01": 1})), ("c", Counter({"2010-03": 2}))])
    assert long.unit == "year" and long.periods == [str(year) for year in range(2009, 2025)]
    assert long.series[0][1][0] == 3 and long.series[1][1][1] == 2 and sum(long.series[0][1]) == 4
    svg = lxml.html.fromstring(timeline_svg(long, lambda period: f"?since={period}"))
    assert [a.get("href") for a in svg.iter("a")][:2] == ["?since=2009", "?since=2010"]


def test_article_page_of_an_appointment_notice_lists_its_persons(server, archive_dir, browser):
    with db(archive_dir) as conn:
        (article_id,) = conn.execute(
            "SELECT article_id FROM appointment_persons ORDER BY id LIMIT 1"
        ).fetchone()
        persons = conn.execute(
            "SELECT name, proposed_post, person_id FROM appointment_persons WHERE article_id = ? "
            "ORDER BY notice_id, position",
            [article_id],
        ).fetchall()
        notices = dict(
            conn.execute("SELECT person_id, count(*) FROM appointment_persons GROUP BY person_id").fetchall()
        )
    assert len(persons) > 1
    page = browser(url(server, f"/archive/articles/{article_id}"), "article-notice", height=1600)
    rows = page.cssselect(".persons tbody tr")
    assert [(text(r.cssselect("td.name")[0]), text(r.cssselect("td")[5])) for r in rows] == [
        (name, post) for name, post, _ in persons
    ]
    links = [r.cssselect("td.steps a")[0] for r in rows]
    assert [a.get("href") for a in links] == [f"/archive/-/person/{p}" for _, _, p in persons]
    assert [text(a) for a in links] == [
        f"{notices[p]} notice{'s' if notices[p] != 1 else ''}" for _, _, p in persons
    ]
    # The career page it links to lists that person's notices, this one among them.
    career = html_page(server + links[0].get("href"))
    assert text(career.cssselect("h1.person-name")[0]) == persons[0][0]
    # A reposted notice is one step, as orgnews person counts it.
    assert len(career.cssselect("ol.career li.step")) == len(
        person(archive_dir / "archive.db", persons[0][2])["steps"]
    )
    notice_links = [a.get("href") for a in career.cssselect("ol.career .notice a:not(.original)")]
    assert f"/archive/articles/{article_id}" in notice_links


def career_of(server: str, archive_dir: Path, person_id: int, page) -> None:
    """Check the career page ``page`` of ``person_id`` against what orgnews person ID prints."""
    printed = run_cli("person", str(person_id), "--format", "json", data_dir=archive_dir)
    table = run_cli("person", str(person_id), data_dir=archive_dir)
    assert printed.returncode == 0 and table.returncode == 0, printed.stderr.decode()
    person = json.loads(printed.stdout)
    assert text(page.cssselect("h1.person-name")[0]) == person["name"]
    byline = [text(span) for span in page.cssselect("article.person .byline span")]
    assert byline[:2] == [person["sex"], f"born {person['birth']}"]
    # The table's title, "NAME (SEX, born BIRTH): N steps", and the page's count agree.
    count = re.search(r": (\d+) steps?", table.stdout.decode())[1]
    assert text(page.cssselect("article.person .note")[0]).startswith(f"{count} step")
    steps = page.cssselect("ol.career li.step")
    shown = [
        {
            "date": text(step.cssselect("time")[0]),
            "step": text(step.cssselect(".kind")[0]),
            "current": text(step.cssselect(".current")[0]),
            "proposed": text(step.cssselect(".proposed")[0]),
            "issuer": text(step.cssselect(".issuer-name")[0]),
            "window": text(step.cssselect(".window")[0]) if step.cssselect(".window") else None,
            "notice": step.cssselect(".notice a")[0].get("href"),
            "url": step.cssselect(".notice a.original")[0].get("href"),
            "reposts": [a.get("href") for a in step.cssselect(".reposts a")],
        }
        for step in steps
    ]
    assert shown == [
        {
            "date": s["published_at"][:10],
            "step": s["step"],
            "current": s["current_post"],
            "proposed": s["proposed_post"],
            "issuer": s["issuer"],
            "window": f"notice window {s['window_start']} – {s['window_end']}",
            "notice": f"/archive/articles/{s['article_id']}",
            "url": s["url"],
            "reposts": [f"/archive/articles/{a}" for a in s["reposted_articles"]],
        }
        for s in person["steps"]
    ]
    # Its JSON is the command's.
    status, body, _ = get(url(server, f"/archive/-/person/{person_id}.json"))
    assert status == 200 and json.loads(body) == person


def test_career_pages_show_what_orgnews_person_prints(server, archive_dir, browser):
    with db(archive_dir) as conn:
        people = [row[0] for row in conn.execute("SELECT id FROM appointment_people ORDER BY id")]
        (most,) = conn.execute(
            "SELECT person_id FROM appointment_persons GROUP BY person_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    assert len(people) > 1
    career_of(server, archive_dir, most, browser(url(server, f"/archive/-/person/{most}"), "person"))
    for person_id in people:
        career_of(server, archive_dir, person_id, html_page(url(server, f"/archive/-/person/{person_id}")))


def test_an_unknown_person_gets_the_archives_404_page(server, browser):
    page = browser(url(server, "/archive/-/person/999999"), "person-unknown", height=900)
    assert text(page.cssselect("h1")[0]) == "No person with id 999999"
    assert page.cssselect(".orgnews-nav a.brand")
    assert get(url(server, "/archive/-/person/999999"))[0] == 404


def white_box(path: Path) -> tuple[int, int]:
    """The left x and top y of the white box of a screenshot (the career page's facts card): the rows
    with a run of 100 white pixels, which no text on the page has."""
    channels, rows = png_rows(path)
    white = b"\xff" * 3 if channels == 3 else b"\xff\xff\xff\xff"
    found = []
    for y, row in enumerate(rows):
        start = row.find(white * 100)
        while start >= 0 and start % channels:  # a run that starts on a pixel
            start = row.find(white * 100, start + 1)
        if start >= 0:
            found.append((start // channels, y))
    assert found, f"no white card on {path}"
    return min(x for x, _ in found), min(y for _, y in found)


def step_dots(path: Path) -> list[tuple[int, int]]:
    """The (x, y) of the first pixel of each row in the accent colour (#a4262c) left of x 120: the
    navigation's rule, the kicker, the timeline's dots and, beside a wide page's dates, the steps'
    kinds. The lowest is in the last step."""
    channels, rows = png_rows(path)
    dots = []
    for y, row in enumerate(rows):
        for x in range(min(120, len(row) // channels)):
            red, green, blue = row[x * channels : x * channels + 3]
            if abs(red - 0xA4) < 6 and abs(green - 0x26) < 6 and abs(blue - 0x2C) < 6:
                dots.append((x, y))
                break
    assert dots, f"no step on {path}"
    return dots


def narrow_and_wide(tmp_path: Path, address: str, name: str, height: int) -> dict[int, Path]:
    """Screenshots of ``address`` in a phone's width (420 px) and a desktop's (1280 px), by width."""
    shots = {}
    for width in (420, 1280):
        shot = shots[width] = SCREENSHOTS / f"{name}-{width}.png"
        shot.unlink(missing_ok=True)
        chromium(tmp_path / "chromium", f"--window-size={width},{height}", f"--screenshot={shot}", address)
        print(f"screenshot: {shot}")
    return shots


def test_career_page_takes_one_column_on_a_narrow_window(server, archive_dir, tmp_path):
    with db(archive_dir) as conn:
        (most,) = conn.execute(
            "SELECT person_id FROM appointment_persons GROUP BY person_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    shots = narrow_and_wide(tmp_path, url(server, f"/archive/-/person/{most}"), "person", 2400)
    layout = {width: (step_dots(shot), white_box(shot)) for width, shot in shots.items()}
    (dots, (card_x, card_y)) = layout[420]
    # On a phone the steps start at the margin and the facts come after the last step, as wide as
    # the page; on a desktop the facts stand beside the steps.
    assert max(x for x, _ in dots) < 40 and card_x < 40 and card_y > max(y for _, y in dots), layout[420]
    (dots, (card_x, card_y)) = layout[1280]
    assert card_x > 600 and card_y < max(y for _, y in dots), layout[1280]


def test_people_page_lists_the_demos_people_with_links_to_their_careers(server, archive_dir, browser):
    page = browser(url(server, "/archive/-/people"), "people", height=1200)
    with Archive.open(archive_dir / "archive.db") as arc:
        found = find_people(arc.conn, limit=0)
    assert found["count"] > 1
    rows = page.cssselect("table.people tbody tr")
    assert [(text(r.cssselect("td.name a")[0]), r.cssselect("td.name a")[0].get("href")) for r in rows] == [
        (p["name"], f"/archive/-/person/{p['id']}") for p in found["people"]
    ]
    assert [a.get("href") for a in page.cssselect(".orgnews-nav [aria-current]")] == ["/archive/-/people"]


def leftmost_run(path: Path, colour: tuple[int, int, int], length: int = 10) -> int:
    """The smallest x where ``length`` pixels in a row are in ``colour`` on the screenshot at ``path``
    (a filled shape, not the edge of a letter)."""
    channels, rows = png_rows(path)
    run = bytes(colour) if channels == 3 else bytes(colour) + b"\xff"
    found = []
    for row in rows:
        start = row.find(run * length)
        while start >= 0 and start % channels:  # a run that starts on a pixel
            start = row.find(run * length, start + 1)
        if start >= 0:
            found.append(start // channels)
    assert found, f"no {colour} on {path}"
    return min(found)


def test_people_page_takes_one_column_on_a_narrow_window(server, tmp_path):
    # The step pill before each latest post (#f3e3e3): in its column on a desktop, at the start of
    # a person's second line on a phone.
    shots = narrow_and_wide(tmp_path, url(server, "/archive/-/people"), "people", 1200)
    where = {width: leftmost_run(shot, (0xF3, 0xE3, 0xE3)) for width, shot in shots.items()}
    assert where[420] < 40 and where[1280] > 400, where


def test_captured_html_points_what_it_loads_at_captures_or_leaves_it_out():
    page = b"""<html><head><base href="https://www.example-zzb.gov.cn/a/"><meta http-equiv="refresh" content="0;url=/x">
<style>@import url("print.css"); td { background-image: url('td.png') }</style></head>
<body background="bg.gif"><img srcset="s.jpg 1x, kept.jpg 2x"><img srcset="gone.jpg 1x">
<video src="v.mp4" poster="kept.jpg"></video><a href="list.html">list</a></body></html>"""
    document = safe_document(page)
    kept = "https://www.example-zzb.gov.cn/a/kept.jpg"
    assert kept in addresses(document, "https://www.example-zzb.gov.cn/p.html")
    left_out = offline(document, "https://www.example-zzb.gov.cn/p.html", {kept: "/archive/-/capture/7"})
    html = serialized(document).decode("utf-8")
    # The base is read, then dropped with the refresh; only the archive's own addresses are loaded.
    assert not document.cssselect("base, meta[http-equiv]")
    loaded = [
        value
        for element in document.iter()
        for name in ("src", "srcset", "poster", "background", "data")
        if (value := element.get(name)) is not None
    ]
    assert loaded == ["/archive/-/capture/7 2x", "/archive/-/capture/7"]
    assert document.cssselect("a")[0].get("href") == "https://www.example-zzb.gov.cn/a/list.html"
    assert [img.get("srcset") for img in document.cssselect("img")] == ["/archive/-/capture/7 2x"]
    assert [note.get("title") for note in document.cssselect(".orgnews-not-captured")] == [
        "https://www.example-zzb.gov.cn/a/gone.jpg",
        "https://www.example-zzb.gov.cn/a/v.mp4",
    ]
    assert "@import" not in html and "url(" not in html
    assert (left_out.images, left_out.media, left_out.css_addresses) == (1, 1, 3)


def test_crawl_health_shows_the_fetch_errors_of_each_run(tmp_path):
    import asyncio

    from archive.browse import build_datasette

    path = tmp_path / "archive.db"
    with Archive.open(path) as arc:
        for errors in (0, 1):  # the second run met a page that is gone
            run_id = arc.start_run("gov")
            stats = {"pages_fetched": 14, "articles_new": 12, "fetch_errors": errors}
            arc.finish_run(run_id, status="completed", stats=stats, field_coverage={"title": 1.0}, alerts=[])
    answer = asyncio.run(build_datasette(path).client.get("/archive/-/health"))
    assert answer.status_code == 200
    (table,) = lxml.html.fromstring(answer.text).cssselect("#site-gov table.runs")
    headings = [text(th) for th in table.cssselect("thead th")]
    rows = [[text(td) for td in tr.cssselect("td")] for tr in table.cssselect("tbody tr")]
    errors = headings.index("errors")
    assert [row[errors] for row in rows] == ["1", "0"]  # newest first
    assert "bad" in table.cssselect("tbody tr")[0].cssselect("td")[errors].get("class")
