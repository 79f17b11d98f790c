"""Decoding: declared, sent and sniffed charsets; bytes that are not a page."""

from __future__ import annotations

import pytest

from crawler.extract import NotAnArticle, extract_article
from crawler.extract.decode import decode_html, normalize_charset
from tests.extract.conftest import BODY, page


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
