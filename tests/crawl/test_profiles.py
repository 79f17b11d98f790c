"""Site profiles: every shipped profile loads; every kind of mistake names the file and the key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from crawler.profiles import SITES_DIR, ProfileError, SiteProfile, get_profile, load_profile, load_profiles

SHIPPED = {"12371", "people", "dangjian", "zuzhirenshi", "gov", "jiangsu", "zhejiang", "beijing"}

GOOD = """
name = "sample"
title = "示例组工网"
hosts = ["www.example.gov.cn"]
detail_pattern = '/art/\\d+\\.html$'

[[lists]]
url = "https://www.example.gov.cn/news/"
paging = "links"
page_pattern = 'index_(?P<n>\\d+)\\.html$'
"""


def write(tmp_path: Path, text: str, name: str = "sample.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


def test_every_shipped_profile_loads() -> None:
    profiles = load_profiles()
    assert set(profiles) == SHIPPED
    for profile in profiles.values():
        assert isinstance(profile, SiteProfile)
        assert profile.title and profile.hosts and profile.start_urls
        assert all(profile.owns(url) for url in profile.start_urls)
        assert profile.politeness["download_delay"] >= 1 and profile.politeness["concurrency"] <= 2


def test_summary_holds_what_the_sites_command_shows() -> None:
    summary = get_profile("zuzhirenshi").summary()
    assert summary["name"] == "zuzhirenshi" and summary["title"] == "中国组织人事报"
    assert summary["list_formats"] == ["json"] and summary["detail_format"] == "json"
    assert summary["file"].endswith("zuzhirenshi.toml")


def test_cms_templates_fill_in_what_the_site_file_leaves_out() -> None:
    jiangsu, zhejiang = get_profile("jiangsu"), get_profile("zhejiang")
    assert ".TRS_Editor" in jiangsu.selectors["body"] and jiangsu.politeness["download_delay"] == 2.0
    assert jiangsu.is_detail("https://www.zgjssw.gov.cn/yaowen/202611/t20261120_8123400.shtml")
    assert not jiangsu.is_detail("https://www.other.gov.cn/yaowen/202611/t20261120_8123400.shtml")
    assert zhejiang.is_detail("https://www.zjzzgz.gov.cn/art/2026/11/8/art_1229474_58912311.html")
    assert "#zoom" in zhejiang.selectors["body"]


@pytest.mark.parametrize(
    ("name", "url", "detail", "is_list"),
    [
        ("12371", "https://www.12371.cn/2026/11/20/ARTI1795138200000000.shtml", True, False),
        ("12371", "https://news.12371.cn/dzybmbdj/zzb/gzdt/", False, True),
        ("12371", "https://news.12371.cn/dzybmbdj/zzb/index_1.shtml", False, False),
        ("12371", "https://www.12371.cn/zxfb/", False, True),
        ("people", "http://dangjian.people.com.cn/n1/2026/1117/c117092-40600003.html", True, False),
        ("people", "http://dangjian.people.com.cn/n1/2026/1117/c117092-40600003-2.html", False, False),
        ("people", "http://dangjian.people.com.cn/GB/394443/index3.html", False, True),
        ("dangjian", "http://www.dangjian.cn/djyw/2026/11/20/detail_202611204567000.html", True, False),
        (
            "dangjian",
            "http://www.dangjian.cn/mi4-rest-api/pageArticles.js?wbId=91&subjectId=11915&page=4&limit=25",
            False,
            True,
        ),
        (
            "zuzhirenshi",
            "https://www.zuzhirenshi.com/detailpage/a9c5dbf4b6d018d84d4bb19c666a3422",
            True,
            False,
        ),
        ("gov", "https://www.gov.cn/xinwen/2026-11/20/content_7012300.htm", True, False),
        ("gov", "https://www.gov.cn/yaowen/liebiao/202611/content_7012300.htm", True, False),
        ("gov", "https://www.gov.cn/yaowen/liebiao/YAOWENLIEBIAO.json", False, True),
        ("jiangsu", "https://www.zgjssw.gov.cn/yaowen/index_2.shtml", False, True),
        ("jiangsu", "https://www.zgjssw.gov.cn/fabuting/renmian/index_1.shtml", False, True),
        (
            "zhejiang",
            "https://www.zjzzgz.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15",
            False,
            True,
        ),
        ("beijing", "https://www.bjdj.gov.cn/article/86000.html", True, False),
    ],
)
def test_detail_and_list_urls_are_told_apart(name: str, url: str, detail: bool, is_list: bool) -> None:
    profile = get_profile(name)
    assert profile.is_detail(url) is detail
    assert profile.is_list(url) is is_list


def test_values_not_confirmed_on_the_live_site_are_named_with_their_list() -> None:
    profiles = load_profiles()
    unconfirmed = {name for name, profile in profiles.items() if profile.unverified}
    assert unconfirmed == {"dangjian", "zhejiang", "beijing", "zuzhirenshi"}
    [note] = profiles["dangjian"].unverified
    assert note.startswith("lists[0] http://www.dangjian.cn/mi4-rest-api/") and "subjectId" in note
    assert profiles["zhejiang"].summary()["unverified"] == profiles["zhejiang"].unverified


def test_a_good_profile_in_another_directory_loads(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, GOOD))
    assert profile.name == "sample" and profile.lists[0].page_pattern is not None
    assert get_profile("sample", tmp_path).start_urls == ["https://www.example.gov.cn/news/"]


BROKEN = [
    ("bad TOML", GOOD.replace('title = "示例组工网"', 'title = "示例组工网'), None, "not valid TOML"),
    ("missing key", GOOD.replace('hosts = ["www.example.gov.cn"]', ""), "hosts", "required"),
    (
        "bad detail regex",
        GOOD.replace("/art/\\d+", "/art/(\\d+"),
        "detail_pattern",
        "not a valid regular expression",
    ),
    (
        "bad page regex",
        GOOD.replace("index_(?P<n>", "index_[(?P<n>"),
        "lists[0].page_pattern",
        "not a valid regular expression",
    ),
    ("page regex without n", GOOD.replace("(?P<n>\\d+)", "(\\d+)"), "lists[0].page_pattern", "named group"),
    ("typo in a key", GOOD.replace('paging = "links"', 'pagin = "links"'), "lists[0].pagin", "unknown key"),
    (
        "unknown format",
        GOOD.replace('paging = "links"', 'paging = "links"\nformat = "rss"'),
        "lists[0].format",
        "use one of",
    ),
    (
        "wrong type",
        GOOD.replace('hosts = ["www.example.gov.cn"]', 'hosts = "www.example.gov.cn"'),
        "hosts",
        "must be list",
    ),
    (
        "list on another host",
        GOOD.replace("https://www.example.gov.cn/news/", "https://elsewhere.cn/news/"),
        "lists[0].url",
        "not in hosts",
    ),
    (
        "selector for an unknown field",
        GOOD + '\n[selectors]\nheadline = ["h1"]\n',
        "selectors.headline",
        "use one of",
    ),
    ("delay below zero", GOOD + "\n[politeness]\ndownload_delay = -1\n", "politeness", ">= 0"),
    (
        "json detail without id group",
        GOOD + '\n[detail]\nformat = "json"\napi_url = "https://x/api?id={id}"\n'
        '[detail.fields]\ntitle = "t"\nbody = "b"\n',
        "detail_pattern",
        "(?P<id>",
    ),
    (
        "json list without {id}",
        GOOD.replace(
            'paging = "links"',
            'paging = "links"\nformat = "json"\n'
            'items_path = "data"\nid_key = "id"\ndetail_url = "https://www.example.gov.cn/art/1.html"',
        ),
        "lists[0].detail_url",
        "{id} placeholder",
    ),
    (
        "js list without its variable",
        GOOD.replace('paging = "links"', 'paging = "links"\nformat = "js-array"'),
        "lists[0].variable",
        "required",
    ),
    ("unknown template", 'template = "wordpress"\n' + GOOD, "template", "no template"),
    (
        "json list with no way to its links",
        GOOD.replace('paging = "links"', 'paging = "links"\nformat = "json"'),
        "lists[0].link_key",
        "required",
    ),
    (
        "json body on a GET",
        GOOD.replace('paging = "links"', 'paging = "links"\njson_body = { id = "1" }'),
        "lists[0].json_body",
        "POST",
    ),
    (
        "bad item selector",
        GOOD.replace('paging = "links"', 'paging = "links"\nitem_selector = "ul > > li"'),
        "lists[0].item_selector",
        "not a valid CSS selector",
    ),
    (
        "page count without n",
        GOOD.replace('paging = "links"', "paging = \"links\"\npage_count_pattern = '_totalPage=(\\d+)'"),
        "lists[0].page_count_pattern",
        "named group",
    ),
    (
        "proxy path not on the site",
        GOOD.replace('paging = "links"', 'paging = "links"\nproxy_path = "dataproxy.jsp"'),
        "lists[0].proxy_path",
        "starting with /",
    ),
    (
        "next paging without its selector",
        GOOD.replace('paging = "links"', 'paging = "next"'),
        "lists[0].next_selector",
        "required",
    ),
    ("bad name", GOOD.replace('name = "sample"', 'name = "Sample Site"'), "name", "lowercase"),
    (
        "month walk without {year}",
        GOOD.replace('paging = "links"', 'paging = "months"'),
        "lists[0].paging",
        "{year}",
    ),
    (
        "issues without the id that asks for them",
        GOOD + '\n[lists.item_list]\nurl = "https://www.example.gov.cn/issue/{id}"\n',
        "lists[0].id_key",
        "item_list's {id}",
    ),
    (
        "issues on another host",
        GOOD + 'id_key = "id"\n[lists.item_list]\nurl = "https://elsewhere.cn/issue/{id}"\n',
        "lists[0].item_list.url",
        "not in hosts",
    ),
]


@pytest.mark.parametrize(("case", "text", "key", "problem"), BROKEN, ids=[case[0] for case in BROKEN])
def test_a_broken_profile_names_file_and_key(
    tmp_path: Path, case: str, text: str, key: str | None, problem: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profiles(tmp_path)
    message = str(caught.value)
    assert str(path) in message and problem in message
    assert caught.value.key == key
    if key:
        assert f"'{key}'" in message


def test_two_profiles_with_one_name_are_refused(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.toml")
    write(tmp_path, GOOD, "b.toml")
    with pytest.raises(ProfileError, match=r"b\.toml: key 'name': 'sample' is already used"):
        load_profiles(tmp_path)


def test_an_unknown_site_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError, match="no site profile named 'nosuch'; known: 12371, beijing"):
        get_profile("nosuch")


def test_the_shipped_directory_is_the_default() -> None:
    assert SITES_DIR.is_dir() and (SITES_DIR / "templates" / "trs.toml").is_file()
    with pytest.raises(ProfileError, match="is not a directory"):
        load_profiles(SITES_DIR / "nosuch")
