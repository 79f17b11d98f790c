"""Focused tests of the extractor's stages: decoding, dates, by-lines, titles, pages.

The golden pages (tests/pages/) test whole templates; these pin down the rules
each stage applies, with the smallest input that shows them.
"""

from __future__ import annotations

import pytest

from crawler.extract import Article, NotAnArticle, extract_article, merge_pages
from crawler.extract.body import is_chrome
from crawler.extract.byline import join_names, lone_name, parse_byline, reporter_names
from crawler.extract.dates import date_from_url, find_date, find_issue_month, parse_meta_date
from crawler.extract.decode import decode_html, normalize_charset
from crawler.extract.title import strip_site_name

BODY = (
    "<p>习近平总书记强调，组织部门要坚持公道正派，努力打造模范部门和过硬队伍，推动各项工作落地见效。</p>" * 3
)


def page(inner: str, title: str = "标题", head: str = "") -> str:
    return f"<html><head><title>{title}</title>{head}</head><body>{inner}</body></html>"


# --- decoding ---------------------------------------------------------------------


def test_gb2312_declared_page_with_gbk_only_characters_decodes_as_gb18030() -> None:
    # 镕 is outside GB2312; GBK-encoded pages that declare gb2312 carry it anyway.
    raw = page("<h1>朱镕基同志</h1>" + BODY).encode("gbk")
    raw = raw.replace(b"<head>", b'<head><meta charset="gb2312">')
    text, codec = decode_html(raw)
    assert codec == "gb18030"
    assert "朱镕基" in text


def test_valid_utf8_wins_over_a_gb2312_declaration() -> None:
    raw = ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' + page(BODY)).encode()
    text, codec = decode_html(raw, {"Content-Type": "text/html; charset=GBK"})
    assert codec == "utf-8"
    assert "公道正派" in text


def test_http_header_charset_is_used_for_non_utf8_bytes() -> None:
    raw = page("<p>組織部門堅持公道正派，努力打造模範部門。</p>", title="組織工作").encode("big5")
    text, codec = decode_html(raw, {"content-type": "text/html; charset=big5"})
    assert codec == "big5"
    assert "組織部門" in text


@pytest.mark.parametrize(
    "declarations,headers",
    [
        ('<meta name="charset" content="big5">', {}),
        ('<meta charset="iso-8859-1"><meta http-equiv="Content-Type" content="text/html; charset=big5">', {}),
        ('<meta charset="big5">', {"Content-Type": "text/html; charset=ISO-8859-1"}),
        ("<script>" + "var x = 1;" * 500 + '</script><meta charset="big5">', {}),
    ],
)
def test_a_charset_declared_in_an_unusual_place_is_found(declarations: str, headers: dict[str, str]) -> None:
    raw = page("<p>組織部門堅持公道正派，努力打造模範部門。</p>", title="組織工作", head=declarations)
    text, codec = decode_html(raw.encode("big5"), headers)
    assert codec == "big5"
    assert "組織部門" in text


def test_a_western_charset_alone_does_not_turn_gbk_bytes_into_mojibake() -> None:
    raw = page("<p>组织部门坚持公道正派。</p>", head='<meta charset="iso-8859-1">').encode("gbk")
    text, codec = decode_html(raw)
    assert codec == "gb18030"
    assert "组织部门" in text


def test_utf8_bom_is_honoured_and_removed() -> None:
    text, codec = decode_html(b"\xef\xbb\xbf" + page(BODY).encode())
    assert codec == "utf-8" and text.startswith("<html>")


@pytest.mark.parametrize(
    "name,expected",
    [("GB2312", "gb18030"), ("x-gbk", "gb18030"), ("utf8", "utf-8"), ("no-such-charset", None)],
)
def test_charset_names_are_normalised(name: str, expected: str | None) -> None:
    assert normalize_charset(name) == expected


@pytest.mark.parametrize(
    "raw,reason",
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3", "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        ("这只是一段纯文本，没有任何标记。".encode(), "not-html"),
    ],
)
def test_bytes_that_are_not_a_page_raise_not_an_article(raw: bytes, reason: str) -> None:
    with pytest.raises(NotAnArticle) as caught:
        extract_article(raw, "http://example.gov.cn/a.html")
    assert caught.value.reason == reason
    assert not caught.value.blocked


# --- dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("时间:2021-02-03 08:15", "2021-02-03T08:15:00+08:00"),
        ("发布时间：2022-04-17 14:46:00", "2022-04-17T14:46:00+08:00"),
        ("2021年10月01日16:30", "2021-10-01T16:30:00+08:00"),
        ("时间:2020年10月30日 08:29 编辑:张婷", "2020-10-30T08:29:00+08:00"),
        ("[2021-7-8]", "2021-07-08"),
        ("2017/06/08", "2017-06-08"),
        ("２０１９年０６月１５日０８：１８", "2019-06-15T08:18:00+08:00"),
        ("2019年06月15日08:18  来源：人民网", "2019-06-15T08:18:00+08:00"),
        ("2021-02-30", None),
        ("共12380条", None),
        ("2006/04/17 21:35", "2006-04-17T21:35:00+08:00"),
        ("8/21/2005 6:12:40 PM", "2005-08-21T18:12:40+08:00"),
        ("发表时间：12/03/2006 12:05 AM", "2006-12-03T00:05:00+08:00"),
        ("21/8/2005", "2005-08-21"),
        ("2006-11-03 阅读8812次", "2006-11-03"),
        ("2006-11-03 下午 3:20", "2006-11-03T15:20:00+08:00"),
        ("2006-11-03 25:70", "2006-11-03"),
    ],
)
def test_printed_dates_become_beijing_iso(text: str, expected: str | None) -> None:
    assert find_date(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [("《某某》1999年7月号", "1999-07"), ("2003年12月上半月刊", "2003-12"), ("1999年7月", None)],
)
def test_a_magazine_issue_gives_its_month(text: str, expected: str | None) -> None:
    assert find_issue_month(text) == expected


def test_meta_dates_with_zones_are_converted_to_beijing() -> None:
    assert parse_meta_date("2021-02-03T00:15:00Z") == "2021-02-03T08:15:00+08:00"
    assert parse_meta_date("2021-02-03 08:15") == "2021-02-03T08:15:00+08:00"


@pytest.mark.parametrize(
    "url,expected",
    [
        ("http://www.zgjssw.gov.cn/a/201909/t20190918_6345678.shtml", "2019-09-18"),
        ("http://dangjian.people.com.cn/n1/2019/0615/c117092-31138470.html", "2019-06-15"),
        ("http://www.zjzzgz.gov.cn/art/2016/11/22/art_1_2.html", "2016-11-22"),
        ("http://www.dangjian.cn/shouye/2021/02/04/detail_202102047654321.html", "2021-02-04"),
        ("http://www.example.cn/about.html", None),
    ],
)
def test_dates_from_urls(url: str, expected: str | None) -> None:
    assert date_from_url(url) == expected


def test_12371_arti_id_gives_the_publish_time_in_beijing() -> None:
    # 1612399624843 ms = 2021-02-04 08:47:04 Beijing.
    url = "https://www.12371.cn/2021/02/04/ARTI1612399624843196.shtml"
    assert date_from_url(url) == "2021-02-04T08:47:04+08:00"


# --- by-lines ---------------------------------------------------------------------


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


@pytest.mark.parametrize(
    "line,chrome",
    [
        ("播报文章", True),
        ("来自某某省", True),
        ("发布于：某某市", True),
        ("IP属地：浙江", True),
        ("来自基层一线的声音", False),
        ("本网站使用Cookie以提升您的浏览体验，继续浏览即表示您同意我们使用Cookie。", True),
        ("您的浏览器暂时无法播放此视频", True),
        ("点击进入某某专题>>", True),
        ("点击进入新时代，党员干部要有新作为。", False),
        ("长按识别二维码 关注某某组工", True),
        ("Copyright © 2006 某某网 All Rights Reserved", True),
    ],
)
def test_interface_lines_and_notices_are_not_text(line: str, chrome: bool) -> None:
    assert is_chrome(line) is chrome


def test_a_date_under_the_text_is_read_but_not_the_date_of_the_next_article() -> None:
    url = "http://www.example.gov.cn/show.asp?id=12"
    footer = "<div>2008-05-12 21:35 | 阅读(326)</div>"
    neighbour = "<div>上一篇：某某镇召开党员大会（2008-05-10）</div>"
    dated = extract_article(page("<h1>标题</h1><div id='zoom'>" + BODY + "</div>" + footer).encode(), url)
    assert dated.published_at == "2008-05-12T21:35:00+08:00"
    undated = extract_article(
        page("<h1>标题</h1><div id='zoom'>" + BODY + "</div>" + neighbour).encode(), url
    )
    assert undated.published_at is None


# --- titles -----------------------------------------------------------------------


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


def test_title_found_from_headings_when_title_tag_names_only_the_site() -> None:
    html = page(
        '<div class="nav">首页 > 工作动态</div><h1>市委组织部召开专题会议</h1>'
        "<div>2021-03-01 10:00 来源：组织部</div>" + BODY,
        title="某某市委组织部",
    )
    article = extract_article(html.encode(), "http://zzb.example.gov.cn/a.html")
    assert article.title == "市委组织部召开专题会议"
    assert article.source == "组织部"


# --- body signatures ----------------------------------------------------------------


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


def test_share_print_and_font_size_lines_are_not_body() -> None:
    html = page(
        '<h1>标题文字在这里</h1><div class="TRS_Editor">'
        + BODY
        + "<p>【字体：大 中 小】</p><p>打印本页</p><p>关闭窗口</p><p>分享到：</p></div>",
        title="标题文字在这里",
    )
    body = extract_article(html.encode(), "http://www.example.gov.cn/a.html").body
    for chrome in ("字体", "打印", "关闭窗口", "分享到"):
        assert chrome not in body


# --- pages and URLs -----------------------------------------------------------------


def test_relative_images_and_attachments_become_absolute() -> None:
    html = page(
        '<h1>标题文字在这里</h1><div class="TRS_Editor">'
        + BODY
        + '<p><img src="./W020210204.jpg"></p><p><a href="../file/名单.pdf">名单.pdf</a></p></div>',
        title="标题文字在这里",
    )
    article = extract_article(html.encode(), "http://www.example.gov.cn/col/202102/t20210204_1.shtml")
    assert article.images == ["http://www.example.gov.cn/col/202102/W020210204.jpg"]
    assert article.attachments == [{"url": "http://www.example.gov.cn/col/file/名单.pdf", "text": "名单.pdf"}]


def test_trs_create_page_html_lists_the_further_pages_only_on_the_first_page() -> None:
    html = page(
        "<h1>标题文字在这里</h1><div class=TRS_Editor>" + BODY + "</div>"
        '<script>createPageHTML(3, 0, "t20190918_6345678", "shtml");</script>',
        title="标题文字在这里",
    )
    url = "http://www.example.gov.cn/a/201909/t20190918_6345678.shtml"
    assert extract_article(html.encode(), url).next_pages == [
        "http://www.example.gov.cn/a/201909/t20190918_6345678_1.shtml",
        "http://www.example.gov.cn/a/201909/t20190918_6345678_2.shtml",
    ]
    second = html.replace("createPageHTML(3, 0,", "createPageHTML(3, 1,")
    assert extract_article(second.encode(), url.replace(".shtml", "_1.shtml")).next_pages == []


def test_merge_pages_joins_bodies_and_deduplicates_urls() -> None:
    first = Article(
        url="u1",
        title="t",
        body="第一页",
        images=["a.jpg"],
        next_pages=["u2"],
        attachments=[{"url": "f.pdf", "text": "f"}],
    )
    second = Article(
        url="u2",
        body="第二页",
        images=["a.jpg", "b.jpg"],
        editor="张三",
        attachments=[{"url": "f.pdf", "text": "f"}],
    )
    merged = merge_pages(first, [second])
    assert merged.body == "第一页\n第二页"
    assert merged.images == ["a.jpg", "b.jpg"]
    assert merged.attachments == [{"url": "f.pdf", "text": "f"}]
    assert merged.next_pages == []
    assert merged.editor == "张三"
    assert first.body == "第一页"  # the input is not modified


def test_date_only_in_the_url_is_used_with_a_warning() -> None:
    html = page("<h1>标题文字在这里</h1><div id=zoom>" + BODY + "</div>", title="标题文字在这里")
    article = extract_article(html.encode(), "http://www.example.gov.cn/art/2016/11/22/art_1_2.html")
    assert article.published_at == "2016-11-22"
    assert "date from URL" in article.warnings


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


def test_a_printed_date_far_from_the_arti_id_is_kept_with_a_warning() -> None:
    html = page(
        "<h1>标题文字在这里</h1><div>来源：共产党员网 2021年05月01日 10:00</div><div class=word>"
        + BODY
        + "</div>",
        title="标题文字在这里_共产党员网",
    )
    url = "https://www.12371.cn/2021/02/04/ARTI1612399624843196.shtml"
    article = extract_article(html.encode(), url)
    assert article.published_at == "2021-05-01T10:00:00+08:00"
    assert "published_at differs from the ARTI id" in article.warnings


def test_breadcrumb_title_keeps_only_the_last_step() -> None:
    assert strip_site_name("首页 > 新闻动态 > 市委组织部召开会议") == "市委组织部召开会议"


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


class _Profile:
    """A site profile as the extractor sees it: only ``selectors``."""

    def __init__(self, selectors: dict[str, list[str]]) -> None:
        self.selectors = selectors


def test_profile_selectors_win_and_a_broken_one_is_reported_not_raised() -> None:
    html = page(
        '<div class="hd">推荐标题不对</div><div class="bt">市委组织部召开专题会议</div>'
        '<div class="ly">稿源：组织部</div><div id="zw">' + BODY + "</div>",
        title="某某网",
    )
    profile = _Profile({"title": ["div.bt"], "source": ["div.ly"], "body": ["((broken", "#zw"]})
    article = extract_article(html.encode(), "http://zzb.example.gov.cn/a.html", profile=profile)
    assert article.title == "市委组织部召开专题会议"
    assert article.source == "组织部"
    assert article.body.startswith("习近平总书记强调")
    assert any("((broken" in w for w in article.warnings)


@pytest.mark.parametrize("text,expected", [("张学伟 王小明", "张学伟、王小明"), ("学习 专栏", None)])
def test_a_line_of_several_names(text: str, expected: str | None) -> None:
    assert lone_name(text) == expected


@pytest.mark.parametrize(
    "text,expected", [("文/图 张三", "张三"), ("文/图：钱七", "钱七"), ("文｜王五", "王五")]
)
def test_wen_sign_offs(text: str, expected: str) -> None:
    assert reporter_names(text) == expected
    assert parse_byline(text).author == expected


def test_a_weekday_between_day_and_time_is_skipped() -> None:
    assert find_date("2021年2月3日 星期三 08:15") == "2021-02-03T08:15:00+08:00"


def test_a_notice_that_is_only_its_attachment_is_an_article() -> None:
    html = page(
        '<h1>2021年市管干部任前公示名单</h1><div>发布时间：2021-03-01</div><div id="zoom">'
        '<p><a href="/att/gs.pdf">公示名单</a></p></div>',
        title="2021年市管干部任前公示名单_某某组工网",
    )
    article = extract_article(html.encode(), "http://zzb.example.gov.cn/art/2021/3/1/art_1_1.html")
    assert article.attachments == [{"url": "http://zzb.example.gov.cn/att/gs.pdf", "text": "公示名单"}]
    assert "body short" in article.warnings


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


def test_jsl_challenge_with_the_cookie_name_in_pieces_is_blocked():
    page = (
        b"<html><body><script>document.cookie=('_')+('_')+('jsl_clear')+('ance=1764182400.4|0|')"
        b"+(';Max-age=3600; path = /');location.href=location.pathname+location.search</script>"
        b"</body></html>"
    )
    with pytest.raises(NotAnArticle) as caught:
        extract_article(page, "https://www.bjdj.gov.cn/article/1.html")
    assert caught.value.reason == "challenge" and caught.value.blocked


# --- rules learnt from templates outside the first fixture set ------------------------


def test_a_comment_thread_longer_than_the_article_is_not_the_body() -> None:
    comment = (
        "<p>说得好，领导干部就应该多到基层走走看看，了解老百姓的真实情况，希望长期坚持，不要走过场。</p>"
    )
    html = page(
        '<h1>标题</h1><div class="post_text"><p>各地落实领导干部基层联系点制度，推动群众反映的问题就地解决。</p></div>'
        f'<div class="tie-list comment-box">{comment * 12}</div>',
        title="标题_网易新闻",
    )
    article = extract_article(html.encode(), "https://www.163.example.com/a.html")
    assert article.body == "各地落实领导干部基层联系点制度，推动群众反映的问题就地解决。"


def test_a_wrapper_named_like_a_sidebar_still_holds_the_article() -> None:
    html = page(f'<div class="main with-sidebar"><h1>标题</h1>{BODY}</div>', title="标题")
    assert "公道正派" in extract_article(html.encode(), "http://zzb.example.gov.cn/a.html").body


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


def test_a_reprint_notice_below_the_tag_links_is_not_body() -> None:
    html = page(
        f"<h1>标题</h1><article>{BODY}<div><a>乡村振兴</a><a>基层党建</a></div>"
        "<div>本文为原创内容，未经授权禁止转载</div></article>",
        title="标题 - 今日头条",
    )
    body = extract_article(html.encode(), "https://www.toutiao.example.com/a/").body
    assert body.endswith("推动各项工作落地见效。") and "乡村振兴" not in body


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


def test_small_inline_icons_are_not_article_images() -> None:
    html = page(
        f'<h1>标题</h1><div id="zoom">{BODY}<img src="/p/photo.jpg">'
        '<img src="/img/end_mark.png" width="13" height="12"></div>',
        title="标题",
    )
    assert extract_article(html.encode(), "http://a.example.cn/1.html").images == [
        "http://a.example.cn/p/photo.jpg"
    ]
