"""By-lines: labels, reporters, names, sign-offs, editors."""

from __future__ import annotations

import pytest

from crawler.extract import extract_article
from crawler.extract.byline import join_names, lone_name, parse_byline, reporter_names
from tests.extract.conftest import BODY, page


def test_seed_info_line_gives_source_time_and_cms_editor() -> None:
    found = parse_byline("来源:中国组织人事报 时间:2021-02-03 08:15 编辑:耿硕2")
    assert (found.source, found.published_at, found.editor) == (
        "中国组织人事报",
        "2021-02-03T08:15:00+08:00",
        "耿硕2",
    )


@pytest.mark.parametrize(
    "line,field,value",
    [
        ("来源： 某某日报", "source", "某某日报"),
        ("信息来源：县农业农村局 浏览次数：12", "source", "县农业农村局"),
        ("文章来源：本站原创 作者：佚名 发布时间：2018年04月04日 点击数： 次", "author", None),
        ("2019-09-26 12:11来源：某某财经网作者：周某某", "author", "周某某"),
        ("来源：某某先锋网打印", "source", "某某先锋网"),
        ("(责编：陆某、蒋某某)", "editor", "陆某、蒋某某"),
        ("编辑丨马丽 责编丨杜强 审核丨韩明", "editor", "马丽、杜强"),
        ("责任编辑：赵  某", "editor", "赵某"),
        ("作者：王某某  李某某", "author", "王某某、李某某"),
        ("作者：本报特约评论员 孙某某", "author", "孙某某"),
        ("作者：何某某（笔名：某某）", "author", "何某某（笔名：某某）"),
        ("作者：何某某（阿某）", "author", "何某某（阿某）"),
        ("作者：某某晚报", "author", None),
        ("作者：某某晚报", "source", "某某晚报"),
        ("(责编：沈某某、AB123)", "editor", "沈某某"),
        ("责任编辑：邓某某 返回顶部", "editor", "邓某某"),
        ("来源：某某网-《某某日报》", "source", "某某网-《某某日报》"),
        ("本文来源于某某日报", "source", "某某日报"),
        ("来源：下载客户端", "source", None),
        ('来源：color="#333">某某日报', "source", "某某日报"),
        ("来源：王某某", "source", None),
        ("来源：王某某", "source_person", "王某某"),
        ("来源：金融界", "source", "金融界"),
        ("[ 吴某某 ] 来源：某某日报", "author", "吴某某"),
        ("吴某某 发表于 2006-4-17 21:35", "author", "吴某某"),
        ("发布于：某某市", "source", None),
        ("发布时间\u00a0：2021-7-8", "published_at", "2021-07-08"),
        ("公示时间：2021年3月1日至3月7日", "labeled", False),
        ("经费来源于县财政专项资金", "labeled", False),
    ],
)
def test_labels_and_colons(line: str, field: str, value: str | None) -> None:
    assert getattr(parse_byline(line), field) == value


@pytest.mark.parametrize(
    "text,expected",
    [
        ("本报记者 许某某", "许某某"),
        ("记者 张三 李四 通讯员 王五", "张三、李四、王五"),
        ("某某新闻·某某晚报记者邱某某/文 图片由受访单位提供", "邱某某"),
        ("文/刘某", "刘某"),
        ("本报记者 王某某、李某某", "王某某、李某某"),
        ("本报记者王某李某发自北京", "王某、李某"),
        ("本报记者王某某李某某发自某某", "王某某、李某某"),
        ("新华社记者 汪某某 齐某", "汪某某、齐某"),
        ("（记者 张三 通讯员 李四）", "张三、李四"),
        ("（新华社记者 汪某某 摄）", None),
        ("记者从县委组织部获悉", None),
    ],
)
def test_reporter_lines(text: str, expected: str | None) -> None:
    assert reporter_names(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("张某某", "张某某"),
        ("张 某", "张某"),
        ("欧阳某某", "欧阳某某"),
        ("活动现场", None),
        ("支部名片", None),
        ("图集", None),
        ("某某县发改局", None),
        ("本站原创", None),
    ],
)
def test_lone_name_lines(text: str, expected: str | None) -> None:
    assert lone_name(text) == expected


def test_names_are_joined_with_the_enumeration_comma_and_placeholders_dropped() -> None:
    assert join_names("甲 乙，丙/丁") == "甲、乙、丙、丁"
    assert join_names("佚名") is None
    assert join_names("admin") is None


def test_title_found_from_headings_when_title_tag_names_only_the_site() -> None:
    html = page(
        '<div class="nav">首页 > 工作动态</div><h1>市委组织部召开专题会议</h1>'
        "<div>2021-03-01 10:00 来源：组织部</div>" + BODY,
        title="某某市委组织部",
    )
    article = extract_article(html.encode(), "http://zzb.example.gov.cn/a.html")
    assert article.title == "市委组织部召开专题会议"
    assert article.source == "组织部"


def test_editor_line_leaves_the_body_and_affiliation_stays() -> None:
    html = page(
        '<h1>标题文字在这里</h1><div id="zoom">'
        + BODY
        + "<p>(作者系浙江省委组织部常务副部长)</p><p>(责编：甲乙、丙丁)</p></div>",
        title="标题文字在这里",
    )
    article = extract_article(html.encode(), "http://www.example.gov.cn/a.html")
    assert article.editor == "甲乙、丙丁"
    assert article.body.endswith("(作者系浙江省委组织部常务副部长)")
    assert "责编" not in article.body


def test_inline_reporter_credit_is_the_author_and_stays_in_the_body() -> None:
    first = (
        "<p>新华社北京2月4日电（记者 王晓明）国务院办公厅日前印发意见，部署进一步加强基层治理能力建设。</p>"
    )
    html = page("<h1>国务院办公厅印发意见</h1>" + first + BODY, title="国务院办公厅印发意见")
    article = extract_article(html.encode(), "http://www.example.gov.cn/a.html")
    assert article.author == "王晓明"
    assert "（记者 王晓明）" in article.body


def test_article_ends_at_the_related_block_heading_but_its_editor_line_is_read() -> None:
    related = "".join(
        f"<p>{n}：基层党建工作会议在某地召开，与会同志交流经验，部署下一步工作。</p>" for n in "一二三"
    )
    html = page(
        "<h1>标题文字在这里</h1><div>" + BODY + "<p>为你推荐</p>" + related + "<p>责任编辑：赵钱孙</p></div>",
        title="标题文字在这里",
    )
    article = extract_article(html.encode(), "http://www.example.com/a.html")
    assert "为你推荐" not in article.body
    assert "与会同志交流经验" not in article.body
    assert article.editor == "赵钱孙"


def test_editor_glued_to_the_last_paragraph_is_cut_off_and_read() -> None:
    html = page(
        "<h1>标题文字在这里</h1><div id=zoom>"
        + BODY.replace("见效。</p>", "见效。（责任编辑：周五）</p>")
        + "</div>",
        title="标题文字在这里",
    )
    article = extract_article(html.encode(), "http://www.example.gov.cn/a.html")
    assert article.editor == "周五"
    assert article.body.endswith("推动各项工作落地见效。")


@pytest.mark.parametrize("text,expected", [("张学伟 王小明", "张学伟、王小明"), ("学习 专栏", None)])
def test_a_line_of_several_names(text: str, expected: str | None) -> None:
    assert lone_name(text) == expected


@pytest.mark.parametrize(
    "text,expected", [("文/图 张三", "张三"), ("文/图：钱七", "钱七"), ("文｜王五", "王五")]
)
def test_wen_sign_offs(text: str, expected: str) -> None:
    assert reporter_names(text) == expected
    assert parse_byline(text).author == expected


def test_picture_and_video_editors_are_not_the_editor() -> None:
    assert parse_byline("责任编辑：朱某某图片编辑：蒋某某校对：施某").editor == "朱某某"


def test_a_role_in_brackets_after_the_author_is_not_part_of_the_name() -> None:
    assert parse_byline("作者：李忠杰（中央党校（国家行政学院）教授）").author == "李忠杰"


def test_bracketed_wen_tu_credit_at_the_end_is_the_author_and_leaves_the_body() -> None:
    html = page(f"<h1>标题</h1>{BODY}<p>（文/刘明 图/张华）</p>", title="标题")
    article = extract_article(html.encode(), "http://dw.example.edu.cn/a.htm")
    assert article.author == "刘明"
    assert "文/" not in article.body


def test_a_square_bracket_reporter_credit_in_the_lead_names_the_author() -> None:
    html = page(
        f"<h3>标题</h3><p>【某某网报道 记者 赵某某】近日，有关部门印发通知，部署开展招募工作。</p>{BODY}",
        title="标题_某某网",
    )
    assert extract_article(html.encode(), "https://china.news.example.com/a").author == "赵某某"


def test_a_json_ld_person_is_the_author_even_when_not_printed() -> None:
    ld = '{"@type": "NewsArticle", "author": [{"@type": "Person", "name": "陈思"}]}'
    head = f'<script type="application/ld+json">{ld}</script>'
    html = page(f"<h1>标题</h1>{BODY}", title="标题", head=head)
    assert extract_article(html.encode(), "https://news.example.cn/a.html").author == "陈思"


def test_a_json_ld_organization_is_never_the_author() -> None:
    ld = '{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "城市观察网"}}'
    html = page(
        f"<h1>标题</h1>{BODY}", title="标题", head=f'<script type="application/ld+json">{ld}</script>'
    )
    assert extract_article(html.encode(), "https://news.example.cn/a.html").author is None
