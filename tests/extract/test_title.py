"""Titles and kickers: the page title, headings, logos, breadcrumbs."""

from __future__ import annotations

import pytest

from crawler.extract import extract_article
from crawler.extract.title import strip_site_name
from tests.extract.conftest import BODY, page


@pytest.mark.parametrize(
    "page_title,expected",
    [
        ("某国多地举行集会要求提高工资-某某网", "某国多地举行集会要求提高工资"),
        ("中央组织部印发通知_共产党员网", "中央组织部印发通知"),
        ("以严的基调强化干部监督--中国共产党新闻网", "以严的基调强化干部监督"),
        ("各地加大基层干部教育培训力度 - 人民网", "各地加大基层干部教育培训力度"),
        ("共产党员网_各地扎实推进基层党组织建设工作", "各地扎实推进基层党组织建设工作"),
    ],
)
def test_site_suffixes_are_stripped_from_the_page_title(page_title: str, expected: str) -> None:
    assert strip_site_name(page_title) == expected


def test_title_keeps_a_bar_that_belongs_to_the_headline() -> None:
    html = page(
        '<h2 class="title">清风课堂 | 一杯酒的代价</h2><div>发布时间：2024年04月22日</div>' + BODY,
        title="清风课堂 | 一杯酒的代价--廉洁校园-某某中学",
    )
    article = extract_article(html.encode(), "http://www.example.edu.cn/info/1/2.htm")
    assert article.title == "清风课堂 | 一杯酒的代价"


def test_headline_split_over_two_lines_is_joined() -> None:
    html = page(
        '<p class="t">为建设凝聚力量</p><div>——热烈祝贺大会开幕</div><div>2022-02-11 09:52</div>' + BODY,
        title="为建设凝聚力量——热烈祝贺大会开幕_某市人民政府网",
    )
    article = extract_article(html.encode(), "http://www.example.gov.cn/a.html")
    assert article.title == "为建设凝聚力量——热烈祝贺大会开幕"
    assert article.published_at == "2022-02-11T09:52:00+08:00"


def test_breadcrumb_title_keeps_only_the_last_step() -> None:
    assert strip_site_name("首页 > 新闻动态 > 市委组织部召开会议") == "市委组织部召开会议"


def test_a_title_tag_naming_only_the_site_does_not_make_the_logo_the_headline() -> None:
    html = page(
        '<div class="logo">某某市委组织部</div><div class="menu"><a>首页</a><a>组工动态</a></div>'
        "<h2>全市组织工作会议召开</h2><div>2021-03-05 10:20</div>" + BODY,
        title="某某市委组织部",
        head='<meta name="SiteName" content="某某市委组织部">',
    )
    article = extract_article(html.encode(), "http://zzb.example.gov.cn/a.html")
    assert article.title == "全市组织工作会议召开"


def test_a_logo_repeating_a_generic_title_tag_loses_to_the_heading() -> None:
    html = page(
        '<div class="logo">某某市委组织部</div><div class="menu"><a>首页</a><a>组工动态</a></div>'
        "<h2>全市组织工作会议召开</h2><div>2021-03-05 10:20</div>" + BODY,
        title="某某市委组织部",
    )
    assert extract_article(html.encode(), "http://zzb.example.gov.cn/a.html").title == "全市组织工作会议召开"


def test_an_unmarked_heading_above_the_headline_is_the_kicker_but_a_column_name_is_not() -> None:
    kicker = page(f"<div><h3>学习贯彻新时代党的组织路线</h3><h1>标题正文</h1></div>{BODY}", title="标题正文")
    column = page(f"<div><h3>党建评论</h3><h1>标题正文</h1></div>{BODY}", title="标题正文")
    assert (
        extract_article(kicker.encode(), "http://a.example.cn/1.html").subtitle
        == "学习贯彻新时代党的组织路线"
    )
    assert extract_article(column.encode(), "http://a.example.cn/1.html").subtitle is None


def test_a_breadcrumb_separated_only_by_spacers_gives_its_last_step() -> None:
    html = page(
        f"<div>当前位置：<a>首页</a><span>&nbsp;&nbsp;</span><a>工作动态</a></div><h1>标题</h1>{BODY}",
        title="标题",
    )
    assert extract_article(html.encode(), "http://zzb.example.edu.cn/a.htm").column == "工作动态"
