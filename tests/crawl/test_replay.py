"""The replay server over real HTTP, the saved site, and every saved article through parse_detail."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from crawler.details import parse_detail
from crawler.extract import NotAnArticle, extract_article, merge_pages
from crawler.lists import RequestSpec, parse_list, start_requests
from crawler.profiles import load_profiles
from crawler.replay import (
    REPLAY_TODAY,
    SITE_DIR,
    SNAPSHOT_DIRS,
    ReplayError,
    original_url,
    replay_url,
    saved_path,
)
from crawler.replay.build import build
from crawler.replay.server import ReplayServer

MANIFEST: dict[str, dict] = json.loads((SITE_DIR / "_articles.json").read_text("utf-8"))
ZXFB = "https://www.12371.cn/zxfb/"
CHALLENGED = "https://www.zgjssw.gov.cn/yaowen/202611/t20261115_8123405.shtml"


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as running:
        yield running


def fetch(
    server: ReplayServer,
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(
        replay_url(server.base_url, url), data=body, method=method, headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def test_notices_of_different_provinces_name_different_persons() -> None:
    from itertools import combinations

    from crawler.replay import corpus

    names = {
        place: {person[0] for people in notices for person in people}
        for place, notices in corpus.NOTICES.items()
    }
    assert all(not names[one] & names[other] for one, other in combinations(names, 2)), names
    # One province names a person twice, a step apart: the career the person link is shown on.
    steps = [person for people in corpus.NOTICES["江苏"] for person in people]
    assert len(steps) > len({person[0] for person in steps})


def test_url_mapping_round_trips() -> None:
    base = "http://127.0.0.1:8800"
    for url in [
        "https://www.12371.cn/zxfb/",
        "http://www.dangjian.cn/mi4-rest-api/pageArticles.js?a=1&page=2",
        "https://www.gov.cn/",
    ]:
        assert original_url(base, replay_url(base, url)) == url
    assert replay_url(base + "/", "https://www.gov.cn") == base + "/https/www.gov.cn/"
    with pytest.raises(ReplayError):
        replay_url(base, "ftp://www.gov.cn/x")
    with pytest.raises(ReplayError):
        original_url(base, "http://127.0.0.1:9999/https/www.gov.cn/")


def test_saved_paths_are_deterministic_for_queries_and_post_bodies() -> None:
    assert str(saved_path(ZXFB)) == "www.12371.cn/zxfb/index.html"
    assert str(saved_path("http://h.cn/a.js?x=1&y=a/b")) == "h.cn/a.js@x=1&y=a%2Fb"
    one, two = (saved_path("https://h.cn/p.jsp?s=1", "POST", body) for body in (b"col=1", b"col=2"))
    assert one != two and str(one).startswith("h.cn/p.jsp@s=1@POST-")
    assert saved_path("https://h.cn/p.jsp?s=1", "POST", b"col=1") == one
    with pytest.raises(ReplayError):
        saved_path("https://h.cn/a/../../etc/passwd")


def test_serves_pages_with_their_content_type(server: ReplayServer) -> None:
    status, body, headers = fetch(server, ZXFB)
    assert status == 200 and b"var item=[" in body
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    # 北京组工网 names its charset only in the page: gb2312 declared, GBK bytes.
    status, body, headers = fetch(server, "https://www.bjdj.gov.cn/article/86000.html")
    assert status == 200 and headers["Content-Type"] == "text/html"
    assert b"charset=gb2312" in body and "王喆".encode("gbk") in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    column = next(s for s in start_requests(load_profiles()["zuzhirenshi"]))
    status, body, headers = fetch(server, column.url, method="POST", body=column.body, headers=column.headers)
    assert status == 200 and headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(body)["data"]["listMap"]
    status, body, headers = fetch(server, "https://www.gov.cn/yaowen/liebiao/YAOWENLIEBIAO.json")
    assert headers["Content-Type"] == "application/json; charset=utf-8" and json.loads(body)[0]["URL"]


def test_missing_pages_are_404_and_the_challenge_is_412(server: ReplayServer) -> None:
    status, body, _ = fetch(server, "https://www.gov.cn/yaowen/liebiao/202611/content_7012309.htm")
    assert status == 404 and "页面不存在".encode() in body
    status, body, _ = fetch(server, CHALLENGED)
    assert status == 412 and b"$_ts" in body and len(body) < 2000
    status, _, _ = fetch(server, "https://unknown.example.cn/")
    assert status == 404


def test_conditional_requests_get_304(server: ReplayServer) -> None:
    url = "https://www.gov.cn/yaowen/liebiao/202611/content_7012300.htm"
    status, body, headers = fetch(server, url)
    assert status == 200 and body
    status, body, _ = fetch(server, url, headers={"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""
    status, _, _ = fetch(server, url, headers={"If-Modified-Since": headers["Last-Modified"]})
    assert status == 304
    status, _, _ = fetch(server, url, headers={"If-None-Match": '"stale"'})
    assert status == 200
    status, _, _ = fetch(server, url, headers={"If-Modified-Since": "Sat, 01 Jan 2022 00:00:00 GMT"})
    assert status == 200


def test_head_and_post(server: ReplayServer) -> None:
    status, body, headers = fetch(server, ZXFB, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000
    [hanweb] = start_requests(load_profiles()["zhejiang"])
    status, body, headers = fetch(server, hanweb.url, method="POST", body=hanweb.body, headers=hanweb.headers)
    assert status == 200 and headers["Content-Type"].startswith("text/xml") and b"<totalrecord>12<" in body
    other = urlencode({"columnid": "999"}).encode()
    assert fetch(server, hanweb.url, method="POST", body=other)[0] == 404


def test_request_log_records_what_was_served() -> None:
    with ReplayServer() as fresh:
        fetch(fresh, ZXFB)
        fetch(fresh, CHALLENGED)
        fetch(fresh, ZXFB, method="HEAD")
        assert fresh.request_log == [("GET", ZXFB, 200), ("GET", CHALLENGED, 412), ("HEAD", ZXFB, 200)]


def test_robots_txt_per_host_with_one_withdrawn_page(server: ReplayServer) -> None:
    hosts = {host for profile in load_profiles().values() for host in profile.hosts if host != "dangjian.cn"}
    for host in hosts:
        status, body, _ = fetch(server, f"https://{host}/robots.txt")
        assert status == 200 and b"User-agent: *" in body, host
    withdrawn = next(url for url, a in MANIFEST.items() if a["expect"] == "disallowed")
    _, robots, _ = fetch(server, "https://www.gov.cn/robots.txt")
    assert f"Disallow: {withdrawn.removeprefix('https://www.gov.cn')}".encode() in robots


def test_snapshot_two_edits_one_article_and_adds_one() -> None:
    edited = "https://www.12371.cn/2026/11/18/ARTI1794973620000002.shtml"
    added = next(url for url, a in MANIFEST.items() if a["snapshot"] == 2)
    with ReplayServer(snapshot=1) as first, ReplayServer(snapshot=2) as second:
        _, list1, _ = fetch(first, ZXFB)
        _, list2, _ = fetch(second, ZXFB)
        assert added.encode() not in list1 and added.encode() in list2
        assert fetch(first, added)[0] == 404 and fetch(second, added)[0] == 200
        _, old, old_headers = fetch(first, edited)
        _, new, new_headers = fetch(second, edited)
        assert old != new and "本文于发布后更新".encode() in new
        assert old_headers["ETag"] != new_headers["ETag"]
        assert fetch(second, edited, headers={"If-None-Match": old_headers["ETag"]})[0] == 200
        # Unchanged pages keep their ETag across snapshots.
        other = "https://www.gov.cn/yaowen/liebiao/202611/content_7012300.htm"
        assert fetch(first, other)[2]["ETag"] == fetch(second, other)[2]["ETag"]
    with pytest.raises(ReplayError, match="no snapshot 7"):
        ReplayServer(snapshot=7)


def test_standalone_server_command() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler.replay.server", "--port", "0", "--snapshot", "2"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("replaying snapshot 2 at http://127.0.0.1:")
        base = line.split(" at ")[1].strip()
        with urllib.request.urlopen(replay_url(base, "https://www.gov.cn/robots.txt"), timeout=10) as answer:
            assert answer.status == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_saved_site_is_what_the_builder_writes(tmp_path: Path) -> None:
    build(tmp_path / "site", tmp_path / "snapshot2")
    for committed, rebuilt in ((SITE_DIR, tmp_path / "site"), (SNAPSHOT_DIRS[2], tmp_path / "snapshot2")):
        names = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
        assert names == sorted(p.relative_to(rebuilt) for p in rebuilt.rglob("*") if p.is_file())
        for name in names:
            assert (committed / name).read_bytes() == (rebuilt / name).read_bytes(), name


def crawl_profile(
    server: ReplayServer, name: str
) -> dict[str, tuple[int, bytes, dict[str, str], RequestSpec]]:
    """Walk a profile's lists over HTTP like the spider does; the answer to every detail, by article URL."""
    profile = load_profiles()[name]
    queue, details = start_requests(profile, today=REPLAY_TODAY), {}
    while queue:
        spec = queue.pop(0)
        status, body, headers = fetch(
            server, spec.url, method=spec.method, body=spec.body, headers=spec.headers
        )
        assert status == 200, spec.url
        found, more = parse_list(profile, spec, body, headers)
        queue.extend(more)
        for detail in found:
            url = detail.meta.get("article_url", detail.url)
            if url not in details:
                details[url] = (*fetch(server, detail.url, headers=detail.headers), detail)
    return details


@pytest.mark.parametrize("name", sorted(load_profiles()))
def test_every_saved_article_parses(server: ReplayServer, name: str) -> None:
    profile = load_profiles()[name]
    expected = {url: a for url, a in MANIFEST.items() if a["site"] == name and a["snapshot"] == 1}
    answers = crawl_profile(server, name)
    assert set(answers) == set(expected), "the lists reach exactly the saved articles"
    articles = 0
    for url, (status, body, headers, _) in answers.items():
        want = expected[url]
        if want["expect"] == "missing":
            assert status == 404
            continue
        if want["expect"] == "blocked":
            # 瑞数 (412, or 200 with only its $_ts script) and 加速乐 (521 with __jsl_clearance).
            assert (status in (200, 412) and b"$_ts" in body) or (status == 521 and b"jsl_clearance" in body)
            with pytest.raises(NotAnArticle) as caught:
                parse_detail(profile, url, body, headers)
            assert caught.value.blocked
            continue
        assert status == 200
        article = parse_detail(profile, url, body, headers)
        if article.next_pages:
            rest = [parse_detail(profile, page, fetch(server, page)[1]) for page in article.next_pages]
            article = merge_pages(article, rest)
        assert article.url == url
        assert article.title == want["title"], url
        assert article.published_at == want["published_at"], url
        assert article.source == want["source"], url
        assert len(article.body) > 200 and "分享到" not in article.body, url
        articles += want["expect"] == "article"
    assert articles >= 10


SERVED_NOTICES = sorted(url for url, article in MANIFEST.items() if "notice" in article)


def without_classes_or_ids(page: str) -> str:
    """The page with no class or id at all: no known body container, no telling chrome class."""
    return re.sub(r"\s(?:class|id)=(?:\"[^\"]*\"|[^\s>]+)", "", page)


@pytest.mark.parametrize("shape", ["as served", "without classes or ids"])
@pytest.mark.parametrize("url", SERVED_NOTICES)
def test_a_served_notice_reads_as_it_announces_without_the_profile(url: str, shape: str) -> None:
    """``orgnews extract``'s path (no profile selectors): the notice amid its site's chrome reads
    as the replay says it announces, also when no class or id tells the text from the chrome."""
    from crawler.extract.appointments import parse_appointment_notices

    page = (SITE_DIR / str(saved_path(url))).read_text("utf-8")
    if shape != "as served":
        page = without_classes_or_ids(page)
        assert not re.search(r"<[^>]*\s(?:class|id)=", page)
    want = MANIFEST[url]["notice"]
    [notice] = parse_appointment_notices(extract_article(page.encode(), url))
    read = {field: getattr(notice, field) for field in ("issuer", "window_start", "window_end", "phone")}
    assert read == {field: want[field] for field in read}
    assert (notice.address, notice.postcode, notice.announced, notice.parsed) == (
        None,
        None,
        want["announced"],
        want["announced"],
    )
    persons = [{field: person.to_dict()[field] for field in want["persons"][0]} for person in notice.persons]
    assert persons == want["persons"]


def test_the_multi_page_article_is_stitched(server: ReplayServer) -> None:
    profile = load_profiles()["people"]
    url = "http://dangjian.people.com.cn/n1/2026/1117/c117092-40600003.html"
    first = parse_detail(profile, url, fetch(server, url)[1])
    assert first.next_pages == [url.replace(".html", "-2.html")]
    second = parse_detail(profile, first.next_pages[0], fetch(server, first.next_pages[0])[1])
    merged = merge_pages(first, [second])
    assert merged.body.startswith(first.body) and merged.body.endswith(second.body)
    assert merged.next_pages == []
