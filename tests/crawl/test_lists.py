"""List formats and pagings, read from the saved replay pages and from small hand-written answers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from crawler import requestmeta
from crawler.lists import (
    ListError,
    RequestSpec,
    detail_request,
    parse_list,
    start_requests,
)
from crawler.profiles import get_profile, load_profile
from crawler.replay import REPLAY_TODAY, SITE_DIR, saved_path


def saved(spec: RequestSpec) -> bytes:
    return (SITE_DIR / saved_path(spec.url, spec.method, spec.body)).read_bytes()


def walk(name: str, list_index: int = 0) -> list[tuple[RequestSpec, list[str]]]:
    """Follow one list of a profile page by page through the saved pages: (page request, detail URLs)."""
    profile = get_profile(name)
    pages = []
    queue = [start_requests(profile)[list_index]]
    while queue:
        spec = queue.pop(0)
        details, more = parse_list(profile, spec, saved(spec))
        assert len(more) <= 1, "a list page hands back at most the next page"
        pages.append((spec, [d.meta.get("article_url", d.url) for d in details]))
        queue.extend(more)
    return pages


def test_inline_js_array_with_mixed_quoting_and_escaped_slashes() -> None:
    [(spec, urls)] = walk("12371", 0)
    assert spec.url == "https://www.12371.cn/zxfb/"
    assert len(urls) == 8 and len(set(urls)) == 8
    assert all(u.startswith("https://www.12371.cn/2026/11/") and u.endswith(".shtml") for u in urls)
    assert "https://www.12371.cn/2026/11/16/ARTI1794838560000003.shtml" in urls  # written as https:\/\/…


def test_the_brief_of_the_12371_array_is_the_day_the_list_shows() -> None:
    profile = get_profile("12371")
    [start, *_] = start_requests(profile)
    details, _ = parse_list(profile, start, saved(start))
    assert details[0].meta[requestmeta.LISTED_ON] == "2026-11-20"
    assert all(d.meta[requestmeta.LISTED_ON] in d.url.replace("/", "-") for d in details)


def test_js_records_take_bare_and_quoted_keys_and_skip_nested_values() -> None:
    profile = get_profile("12371")
    page = (
        "<script>var other=[1];var item=[{title:'甲,link_add:\\'x\\'',brief:\"2026-01-02 03:04:05\","
        "'link_add':'https:\\/\\/www.12371.cn\\/2026\\/01\\/02\\/ARTI1767294245000001.shtml',"
        "tags:[{link_add:'https://www.12371.cn/2026/01/01/ARTI1767207845000009.shtml'}],n:3}];</script>"
    ).encode()
    [detail], _ = parse_list(profile, "https://www.12371.cn/zxfb/", page)
    assert detail.url == "https://www.12371.cn/2026/01/02/ARTI1767294245000001.shtml"
    assert detail.meta[requestmeta.LISTED_ON] == "2026-01-02"


def test_column_pages_give_only_the_links_inside_their_item_selector() -> None:
    [(spec, urls)] = walk("12371", 1)
    assert spec.url == "https://news.12371.cn/dzybmbdj/zzb/gzdt/"
    assert len(urls) == 3 and all(u.startswith("https://www.12371.cn/2026/11/") for u in urls)
    page = saved(spec).decode()
    outside = page[page.index('class="dyw_220810_right"') :]
    assert "ARTI" in outside and not any(u in outside for u in urls)
    old_host = walk("12371", len(get_profile("12371").lists) - 1)
    assert [p.url for p, _ in old_host] == ["https://www.12371.cn/special/rsrm/"]
    assert all(u.startswith("https://news.12371.cn/") for u in old_host[0][1])


def test_people_index2_paging_resolves_host_relative_links() -> None:
    pages = walk("people", 0)
    assert [p.url.rsplit("/", 1)[1] for p, _ in pages] == ["index.html", "index2.html", "index3.html"]
    assert [p.meta["page"] for p, _ in pages] == [1, 2, 3]
    urls = [u for _, page in pages for u in page]
    assert len(urls) == 10 and all(u.startswith("http://dangjian.people.com.cn/n1/2026/") for u in urls)
    # The continuation page of the multi-page article is never taken for an article of its own.
    assert not any(u.endswith("-2.html") for u in urls)


def test_renshi_appointment_notice_list() -> None:
    pages = walk("people", 2)
    assert [p.url for p, _ in pages] == [
        "http://renshi.people.com.cn/GB/139627/140763/",
        "http://renshi.people.com.cn/GB/139627/140763/index2.html",
    ]
    assert sum(len(urls) for _, urls in pages) == 4


def test_mi4_script_list_stops_at_its_declared_page_count_and_prefers_external_link() -> None:
    pages = walk("dangjian")
    assert [parse_qs(p.url.split("?")[1])["page"] for p, _ in pages] == [["1"]]
    [(first, urls)] = pages
    assert parse_qs(first.url.split("?")[1])["limit"] == ["25"] and len(urls) == 12
    assert urls[0] == "http://www.dangjian.cn/djyw/2026/11/20/detail_202611204567000.html"
    record = json.loads(saved(first).decode().split("MI4_PAGE_ARTICLE=")[1].rstrip(";"))[7]
    assert record["external_link"] and record["external_link"] != record["url"]
    assert record["external_link"] in urls and record["url"] not in urls


def test_a_declared_page_count_is_followed_to_its_end() -> None:
    profile = get_profile("dangjian")
    [start] = start_requests(profile)
    answer = (
        b'var _totalCnt=60;var _totalPage=3;var MI4_PAGE_ARTICLE=[{"external_link":"",'
        b'"url":"http://www.dangjian.cn/djyw/2026/01/05/detail_202601051234567.html"}];'
    )
    _, [second] = parse_list(profile, start, answer)
    assert parse_qs(second.url.split("?")[1])["page"] == ["2"]
    _, [third] = parse_list(profile, second, answer)
    assert parse_qs(third.url.split("?")[1])["page"] == ["3"]
    assert parse_list(profile, third, answer)[1] == []


def test_the_e_paper_is_walked_by_month_back_to_since_and_issue_by_issue() -> None:
    profile = get_profile("zuzhirenshi")
    asked = [json.loads(s.body) for s in start_requests(profile, date(2025, 11, 5), date(2026, 1, 31))[3:]]
    assert asked == [
        {"years": "2026", "months": "01"},
        {"years": "2025", "months": "12"},
        {"years": "2025", "months": "11"},
    ]
    # Without --since, the profile's two months.
    november, october = start_requests(profile, today=REPLAY_TODAY)[3:]
    assert json.loads(october.body) == {"years": "2026", "months": "10"}
    details, issues = parse_list(profile, november, saved(november))
    assert details == [] and len(issues) == 2 and all(i.meta[requestmeta.ITEM_LIST] for i in issues)
    assert [i.meta[requestmeta.LISTED_ON] for i in issues] == ["2026-11-18", "2026-11-11"]
    articles, more = parse_list(profile, issues[0], saved(issues[0]))
    # Every article on every page of the issue, dated by the issue.
    assert more == [] and len(articles) == 4
    assert {a.meta[requestmeta.LISTED_ON] for a in articles} == {"2026-11-18"}
    assert all(profile.is_detail(a.meta["article_url"]) for a in articles)


def test_json_list_posted_with_a_json_body_gives_detail_requests_to_the_api() -> None:
    profile = get_profile("zuzhirenshi")
    starts = start_requests(profile)[:3]
    assert [(s.method, json.loads(s.body)) for s in starts] == [
        ("POST", {"id": "29627"}),
        ("POST", {"id": "29628"}),
        ("POST", {"id": "29629"}),
    ]
    assert starts[0].headers["Content-Type"].startswith("application/json")
    assert [len(urls) for index in range(3) for _, urls in walk("zuzhirenshi", index)] == [4, 4, 4]
    details, more = parse_list(profile, starts[0], saved(starts[0]))
    first = details[0]
    assert more == []
    assert first.url.startswith("https://www.zuzhirenshi.com/api/welcome/selectNews?id=")
    assert first.meta["article_url"] == first.url.replace("api/welcome/selectNews?id=", "detailpage/")
    assert profile.is_detail(first.meta["article_url"]) and first.meta[requestmeta.LISTED_ON] == "2026-11-20"


def test_gov_list_is_a_top_level_json_array_of_relative_urls() -> None:
    [(spec, urls)] = walk("gov")
    assert spec.url.endswith("/yaowen/liebiao/YAOWENLIEBIAO.json")
    assert len(urls) == 14 and urls[0] == "https://www.gov.cn/yaowen/liebiao/202611/content_7012300.htm"
    assert isinstance(json.loads(saved(spec)), list)


def test_trs_create_page_html_paging_and_dot_relative_links() -> None:
    pages = walk("jiangsu")
    assert [p.url.rsplit("/", 1)[1] for p, _ in pages] == ["index.shtml", "index_1.shtml", "index_2.shtml"]
    urls = [u for _, page in pages for u in page]
    assert len(urls) == 12 and len(set(urls)) == 12
    assert all(u.startswith("https://www.zgjssw.gov.cn/yaowen/2026") for u in urls)


def test_trs_list_without_the_pager_script_follows_its_pager_links() -> None:
    pages = walk("jiangsu", 1)
    assert [p.url for p, _ in pages] == [
        "https://www.zgjssw.gov.cn/fabuting/renmian/",
        "https://www.zgjssw.gov.cn/fabuting/renmian/index_1.shtml",
    ]
    assert [len(urls) for _, urls in pages] == [1, 1]


def test_hanweb_posts_the_column_form_and_reads_the_xml_records() -> None:
    profile = get_profile("zhejiang")
    [start] = start_requests(profile)
    assert start.method == "POST" and start.url.endswith(
        "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15"
    )
    form = parse_qs(start.body.decode("ascii"))
    assert form["columnid"] == ["1229474"] and form["webname"] == ["浙江组工网"]
    [(_, urls)] = walk("zhejiang")
    assert len(urls) == 12 and all(u.startswith("https://www.zjzzgz.gov.cn/art/2026/11/") for u in urls)


def test_hanweb_asks_for_the_next_window_until_the_total() -> None:
    profile = get_profile("zhejiang")
    [start] = start_requests(profile)
    records = "".join(
        f'<record><![CDATA[<li><a href="/art/2026/11/1/art_1229474_{n}.html">t</a></li>]]></record>'
        for n in range(45)
    )
    answer = f"<datastore><recordset>{records}</recordset><totalrecord>100</totalrecord></datastore>".encode()
    details, [second] = parse_list(profile, start, answer)
    assert len(details) == 45
    assert second.method == "POST" and second.body == start.body
    assert "startrecord=46&endrecord=90" in second.url
    _, [third] = parse_list(profile, second, answer)
    assert "startrecord=91&endrecord=135" in third.url
    assert parse_list(profile, third, answer)[1] == []


def test_gbk_list_decodes_and_its_next_link_is_followed() -> None:
    pages = walk("beijing")
    assert [p.url.rsplit("/", 1)[1] for p, _ in pages] == ["index.html", "index_1.html"]
    assert [len(urls) for _, urls in pages] == [6, 5]


def test_hanweb_proxy_path_comes_from_the_profile(tmp_path: Path) -> None:
    text = Path(get_profile("zhejiang").path).read_text("utf-8")
    (tmp_path / "zhejiang.toml").write_text(
        text.replace("/module/web/jpage/dataproxy.jsp", "/module/jpage/dataproxy.jsp"), "utf-8"
    )
    profile = load_profile(
        tmp_path / "zhejiang.toml", Path(get_profile("zhejiang").path).parent / "templates"
    )
    [start] = start_requests(profile)
    assert start.url.startswith("https://www.zjzzgz.gov.cn/module/jpage/dataproxy.jsp?startrecord=1&")
    assert profile.is_list(start.url)


def test_only_links_matching_the_detail_pattern_are_kept_and_resolved() -> None:
    profile = get_profile("people")
    page = """<html><head><meta charset="utf-8"></head><body>
      <a href="/">首页</a> <a href="javascript:void(0)">打印</a> <a href="#top">顶部</a>
      <a href="../../n1/2026/0101/c117092-1.html">相对</a>
      <a href="http://dangjian.people.com.cn/n1/2026/0101/c117092-2.html">绝对</a>
      <a href="http://dangjian.people.com.cn/n1/2026/0101/c117092-2.html">重复</a>
      <a href="https://other.cn/n1/2026/0101/c117092-3.html">外站</a>
      <a href="index2.html">下一页</a></body></html>""".encode()
    details, more = parse_list(profile, "http://dangjian.people.com.cn/GB/394443/index.html", page)
    assert [d.url for d in details] == [
        "http://dangjian.people.com.cn/n1/2026/0101/c117092-1.html",
        "http://dangjian.people.com.cn/n1/2026/0101/c117092-2.html",
    ]
    assert [m.url for m in more] == ["http://dangjian.people.com.cn/GB/394443/index2.html"]


def test_max_pages_ends_a_walk(tmp_path: Path) -> None:
    text = Path(get_profile("beijing").path).read_text("utf-8").replace("max_pages = 20", "max_pages = 1")
    (tmp_path / "beijing.toml").write_text(text, "utf-8")
    profile = load_profile(tmp_path / "beijing.toml")
    [start] = start_requests(profile)
    assert parse_list(profile, start, saved(start))[1] == []


def test_a_list_that_changed_format_is_a_named_error() -> None:
    with pytest.raises(ListError, match=r"no `item=\[...\]` array"):
        parse_list(
            get_profile("12371"), "https://www.12371.cn/zxfb/", b"<html><body>new layout</body></html>"
        )
    zuzhirenshi = get_profile("zuzhirenshi")
    with pytest.raises(ListError, match="is not JSON"):
        parse_list(zuzhirenshi, start_requests(zuzhirenshi)[0], b"<html>maintenance</html>")
    with pytest.raises(ListError, match="is not one of gov's lists"):
        parse_list(get_profile("gov"), "https://www.gov.cn/zhengce/", b"<html></html>")


def test_detail_requests() -> None:
    url = "https://www.gov.cn/xinwen/2026-11/20/content_7012300.htm"
    assert detail_request(get_profile("gov"), url) == RequestSpec(url, kind="detail")
    with pytest.raises(ListError, match="no API id"):
        detail_request(get_profile("zuzhirenshi"), "https://www.zuzhirenshi.com/showinfo/abc")


def test_the_profile_encoding_is_a_hint_after_header_and_meta() -> None:
    from crawler.lists import with_encoding_hint

    beijing = get_profile("beijing")
    bare = "<html><body><p>北京</p></body></html>".encode("gbk")
    assert with_encoding_hint(beijing, bare, None) == {"Content-Type": "text/html; charset=gbk"}
    assert with_encoding_hint(beijing, bare, {"content-type": "text/html"}) == {
        "Content-Type": "text/html; charset=gbk"
    }
    named = {"Content-Type": "text/html; charset=utf-8"}
    assert with_encoding_hint(beijing, bare, named) is named
    meta = b'<meta charset="utf-8">' + bare
    assert with_encoding_hint(beijing, meta, None) is None
    assert with_encoding_hint(get_profile("gov"), bare, None) is None


def test_an_xhtml_list_with_an_xml_declaration_parses() -> None:
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>'
        '<a href="/n1/2026/0101/c117092-7.html">七</a></body></html>'
    ).encode()
    people, column = get_profile("people"), "http://dangjian.people.com.cn/GB/394443/index.html"
    details, _ = parse_list(people, column, page)
    assert [d.url for d in details] == ["http://dangjian.people.com.cn/n1/2026/0101/c117092-7.html"]
    assert parse_list(people, column, b"<!-- empty -->") == ([], [])
