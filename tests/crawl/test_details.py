"""Reading detail responses (HTML pages, JSON API records) and joining the pages of an article."""

from __future__ import annotations

import json

import pytest

from crawler.details import MAX_ARTICLE_PAGES, PageAssembly, parse_detail
from crawler.extract import Article, NotAnArticle
from crawler.lists import detail_request
from crawler.profiles import get_profile
from crawler.replay import SITE_DIR, saved_path

RECORD_URL = "https://www.zuzhirenshi.com/detailpage/0123456789abcdef0123456789abcdef"


def test_json_detail_maps_the_api_fields() -> None:
    profile = get_profile("zuzhirenshi")
    page_url = "https://www.zuzhirenshi.com/detailpage/0123456789abcdef0123456789abcdef"
    record = {
        "showTitle": "着力打造机关党建示范标杆",
        "author": "张学伟",
        "createTime": "2026-02-03 08:15:00",
        "columnName": "党旗飘扬",
        "newContent": "<p>第一段关于机关党建的论述。</p><p>第二段<b>强调</b>落实。</p>",
    }
    body = json.dumps({"code": 200, "data": record}, ensure_ascii=False).encode()
    for fetched_as in (page_url, detail_request(profile, page_url).url):
        article = parse_detail(profile, fetched_as, body)
        assert article.url == page_url
        assert (article.title, article.author, article.column, article.source) == (
            "着力打造机关党建示范标杆",
            "张学伟",
            "党旗飘扬",
            "中国组织人事报",
        )
        assert article.published_at == "2026-02-03T08:15:00+08:00"
        assert (
            "第一段关于机关党建的论述。" in article.body
            and "强调" in article.body
            and "<" not in article.body
        )


def test_json_detail_without_a_record_or_with_a_challenge_is_not_an_article() -> None:
    profile = get_profile("zuzhirenshi")
    url = "https://www.zuzhirenshi.com/detailpage/0123456789abcdef0123456789abcdef"
    with pytest.raises(NotAnArticle) as empty:
        parse_detail(profile, url, b'{"code": 500, "data": null}')
    assert not empty.value.blocked
    challenge = (SITE_DIR / "www.zgjssw.gov.cn/yaowen/202611/t20261115_8123405.shtml").read_bytes()
    with pytest.raises(NotAnArticle) as blocked:
        parse_detail(profile, url, challenge)
    assert blocked.value.blocked


def test_a_gbk_page_that_names_no_charset_reads_with_the_hint() -> None:
    beijing = get_profile("beijing")
    url = "https://www.bjdj.gov.cn/article/86000.html"
    page = (SITE_DIR / saved_path(url)).read_bytes()
    stripped = page.replace(b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />', b"")
    assert b"charset" not in stripped
    article = parse_detail(beijing, url, stripped)
    assert article.title == parse_detail(beijing, url, page).title and "王喆" in (article.author or "")


def api_answer(**record: str) -> bytes:
    return json.dumps({"code": 200, "data": record}, ensure_ascii=False).encode()


def test_a_record_gives_its_fields_and_its_content_the_rest() -> None:
    profile = get_profile("zuzhirenshi")
    content = (
        "<p>某县组织开展年轻干部到信访窗口跟班学习，首批二十人已到岗。</p>"
        '<p><img src="/upload/2026/02/gbxx.jpg"></p>'
        "<p>跟班期间，学员参与群众来访接待和矛盾调处。</p><p>（责任编辑：陶然）</p>"
    )
    answer = api_answer(showTitle="年轻干部到信访窗口跟班学习", newContent=content, author="林墨")
    article = parse_detail(profile, RECORD_URL, answer)
    # The record's author and title as given; the editor signed in the content; no date in either.
    assert (article.title, article.author, article.editor) == ("年轻干部到信访窗口跟班学习", "林墨", "陶然")
    assert article.body.splitlines() == [
        "某县组织开展年轻干部到信访窗口跟班学习，首批二十人已到岗。",
        "跟班期间，学员参与群众来访接待和矛盾调处。",
    ]
    assert article.images == ["https://www.zuzhirenshi.com/upload/2026/02/gbxx.jpg"]
    assert article.published_at is None and article.source == "中国组织人事报"


def test_a_record_whose_content_is_empty_is_not_an_article() -> None:
    profile = get_profile("zuzhirenshi")
    with pytest.raises(NotAnArticle, match="no title or no content"):
        parse_detail(profile, RECORD_URL, api_answer(showTitle="只有标题", newContent="  "))


def page(url: str, *next_pages: str, body: str = "") -> Article:
    return Article(url=url, title="分页稿件", body=body or url, next_pages=list(next_pages))


def test_page_assembly_reads_each_page_once_in_order() -> None:
    first = page(
        "https://a.example.cn/1.html", "https://a.example.cn/1-2.html", "https://a.example.cn/1-3.html"
    )
    assembly = PageAssembly.start(first, first.url)
    fetched = []
    while (url := assembly.next_url()) is not None:
        fetched.append(url)
        if url.endswith("-3.html"):
            assembly.missing(url, "HTTP 404")
        else:
            # The second page links to the first, itself, the third and a fourth.
            assembly.add(
                page(url, first.url, url, "https://a.example.cn/1-3.html", "https://a.example.cn/1-4.html")
            )
    assert fetched == [
        "https://a.example.cn/1-2.html",
        "https://a.example.cn/1-3.html",
        "https://a.example.cn/1-4.html",
    ]
    article = assembly.article()
    assert article.body.splitlines() == [first.url, fetched[0], fetched[2]]
    assert article.next_pages == []
    assert article.warnings == ["page https://a.example.cn/1-3.html missing: HTTP 404"]


def test_page_assembly_stops_at_the_page_limit() -> None:
    first = page("https://a.example.cn/p1.html", "https://a.example.cn/p2.html")
    assembly = PageAssembly.start(first, first.url)
    number = 1
    while (url := assembly.next_url()) is not None:
        number += 1
        assembly.add(page(url, f"https://a.example.cn/p{number + 1}.html"))
    assert number == MAX_ARTICLE_PAGES
    assert assembly.article().warnings == [f"stopped after {MAX_ARTICLE_PAGES} pages; 1 not fetched"]
