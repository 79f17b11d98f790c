"""The extraction stages together: body boundaries, chrome, profiles."""

from __future__ import annotations

import pytest

from crawler.extract import extract_article
from crawler.extract.body import is_chrome
from tests.extract.conftest import BODY, page


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


def test_a_reprint_notice_below_the_tag_links_is_not_body() -> None:
    html = page(
        f"<h1>标题</h1><article>{BODY}<div><a>乡村振兴</a><a>基层党建</a></div>"
        "<div>本文为原创内容，未经授权禁止转载</div></article>",
        title="标题 - 今日头条",
    )
    body = extract_article(html.encode(), "https://www.toutiao.example.com/a/").body
    assert body.endswith("推动各项工作落地见效。") and "乡村振兴" not in body
