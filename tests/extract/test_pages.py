"""Images, attachments and the further pages of an article."""

from __future__ import annotations

from crawler.extract import Article, extract_article, merge_pages
from tests.extract.conftest import BODY, page


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


def test_a_notice_that_is_only_its_attachment_is_an_article() -> None:
    html = page(
        '<h1>2021年市管干部任前公示名单</h1><div>发布时间：2021-03-01</div><div id="zoom">'
        '<p><a href="/att/gs.pdf">公示名单</a></p></div>',
        title="2021年市管干部任前公示名单_某某组工网",
    )
    article = extract_article(html.encode(), "http://zzb.example.gov.cn/art/2021/3/1/art_1_1.html")
    assert article.attachments == [{"url": "http://zzb.example.gov.cn/att/gs.pdf", "text": "公示名单"}]
    assert "body short" in article.warnings


def test_small_inline_icons_are_not_article_images() -> None:
    html = page(
        f'<h1>标题</h1><div id="zoom">{BODY}<img src="/p/photo.jpg">'
        '<img src="/img/end_mark.png" width="13" height="12"></div>',
        title="标题",
    )
    assert extract_article(html.encode(), "http://a.example.cn/1.html").images == [
        "http://a.example.cn/p/photo.jpg"
    ]
