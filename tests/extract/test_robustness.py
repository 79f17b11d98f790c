"""Property tests: whatever bytes arrive, the extractor returns an Article or
raises NotAnArticle, and the same input always gives the same output.

Inputs are random bytes, random text, tag soup, and damaged copies of the
golden pages (truncated, bytes flipped, spans deleted or repeated, a wrong
charset declared), since damaged real pages are what a crawl actually meets.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extract import Article, NotAnArticle, extract_article
from tests.conftest import ROOT
from tests.extract.test_golden import CASES, PAGES, load_case

URL = "http://www.example-zzb.gov.cn/art/2021/2/3/art_1228_100.html"
# A time, a day, or a month for a magazine issue (1999-07).
ISO_RE = re.compile(r"^\d{4}-\d{2}(-\d{2}(T\d{2}:\d{2}:\d{2}\+08:00)?)?$")
GOLDEN = [load_case(folder)[:3] for folder in CASES if (folder / "page.html").stat().st_size]
CHARSETS = ["utf-8", "gb2312", "gbk", "gb18030", "big5", "latin-1", "utf-16", "shift_jis", "x-nonsense", ""]

# 200 examples per test keeps the whole file to a few seconds on two cores;
# derandomized so that every run of the suite tries the same inputs.
BOUNDED = settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def outcome(body: bytes, url: str = URL, headers: dict | None = None) -> tuple[str, object]:
    """Run the extractor once; anything but Article / NotAnArticle propagates and fails the test."""
    try:
        article = extract_article(body, url, headers)
    except NotAnArticle as exc:
        assert isinstance(exc.reason, str) and exc.reason
        assert isinstance(exc.detail, str) and exc.detail
        return "not-an-article", (exc.reason, exc.blocked)
    assert isinstance(article, Article)
    check_article(article, url)
    return "article", article.to_dict()


def check_article(article: Article, url: str) -> None:
    assert article.url == url
    assert isinstance(article.body, str) and article.body.strip()
    if article.published_at is not None:
        assert ISO_RE.match(article.published_at), article.published_at
    for name in ("images", "next_pages"):
        assert all(isinstance(u, str) and u for u in getattr(article, name))
    assert all(isinstance(a, dict) and a.get("url") for a in article.attachments)


def assert_deterministic(body: bytes, url: str = URL, headers: dict | None = None) -> None:
    assert outcome(body, url, headers) == outcome(body, url, headers)


@BOUNDED
@given(st.binary(max_size=4096))
def test_random_bytes(body: bytes) -> None:
    assert_deterministic(body)


@BOUNDED
@given(st.text(max_size=2000), st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_random_text(text: str, codec: str) -> None:
    assert_deterministic(text.encode(codec, "replace"))


FRAGMENTS = st.sampled_from(
    [
        "<html>",
        "</html>",
        "<head>",
        "<meta charset=gb2312>",
        "<meta name=PubDate content='2021-02-03'>",
        "<title>",
        "</title>",
        "<body>",
        "<div class=TRS_Editor>",
        "<div id=zoom>",
        "<div class='word'>",
        "</div>",
        "<p>",
        "</p>",
        "<br>",
        "<h1 class=big_title>",
        "</h1>",
        "<script>$_ts={};</script>",
        "<style>.TRS_Editor P{}</style>",
        "<a href='../x.pdf'>附件</a>",
        "<img src='./W0.jpg'>",
        "来源：",
        "时间：2021-02-03 08:15",
        "编辑：耿硕2",
        "(责编：甲、乙)",
        "编辑丨甲 责编丨乙",
        "当前位置：首页>党旗飘扬",
        "张学伟",
        "(作者系某某)",
        "组织工作要坚持党的领导，加强基层党组织建设。",
        "<!--",
        "-->",
        "<![CDATA[",
        "&nbsp;",
        "&#",
        "\x00",
        "\ufeff",
        "２０２１年０２月０３日",
        "<table><tr><td>",
        "</td></tr></table>",
    ]
)


@BOUNDED
@given(st.lists(FRAGMENTS, max_size=80))
def test_tag_soup(fragments: list[str]) -> None:
    assert_deterministic("".join(fragments).encode("utf-8"))


@st.composite
def damaged_golden_page(draw: st.DrawFn) -> tuple[bytes, str, dict]:
    page, url, headers = draw(st.sampled_from(GOLDEN))
    data = bytearray(page)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "flip", "delete", "duplicate", "charset"]))
        size = len(data)
        if kind == "charset":
            headers = {"Content-Type": f"text/html; charset={draw(st.sampled_from(CHARSETS))}"}
            continue
        if size < 2:
            break
        start = draw(st.integers(0, size - 1))
        end = draw(st.integers(start, min(size, start + 2048)))
        if kind == "truncate":
            del data[start:]
        elif kind == "flip":
            for offset in draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=16)):
                data[offset] ^= draw(st.integers(1, 255))
        elif kind == "delete":
            del data[start:end]
        else:
            data[end:end] = data[start:end]
    return bytes(data), url, headers


@BOUNDED
@given(damaged_golden_page())
def test_damaged_golden_pages(case: tuple[bytes, str, dict]) -> None:
    body, url, headers = case
    assert_deterministic(body, url, headers)


def test_undamaged_golden_pages_are_deterministic() -> None:
    for page, url, headers in GOLDEN:
        assert_deterministic(page, url, headers)


@pytest.mark.parametrize("stray", [b"\xa9", b"\x85", b"\xff"])
def test_a_stray_byte_does_not_turn_a_utf8_page_into_mojibake(stray: bytes) -> None:
    # A broken footer template or a download cut mid-character leaves one invalid
    # byte in an otherwise UTF-8 page; the page must still read as UTF-8.
    page, url, headers, expected = load_case(PAGES / "12371" / "arti-www")
    damaged = page.replace("京ICP备".encode(), stray + "京ICP备".encode(), 1)
    assert damaged != page
    article = extract_article(damaged, url, headers)
    assert article.title == expected["title"]
    assert article.source == expected["source"]


def test_a_page_cut_mid_character_at_the_start_still_reads_as_utf8() -> None:
    # A range request or a damaged capture can begin inside a multi-byte character.
    page, url, _, expected = load_case(PAGES / "12371" / "arti-www")
    # Cut inside the description meta, so the charset declaration is gone too.
    cut = page.index("近日".encode()) + 1
    article = extract_article(page[cut:], url, {})
    assert article.title == expected["title"]
    assert article.source == expected["source"]


def test_scrapy_style_headers_give_the_same_article() -> None:
    # Scrapy hands over headers as bytes keys with lists of bytes values.
    page, url, headers, expected = load_case(PAGES / "encoding" / "gbk-header-charset-only")
    scrapy_headers = {b"Content-Type": [headers["Content-Type"].encode("latin-1")]}
    article = extract_article(page, url, scrapy_headers)
    assert article.to_dict() == extract_article(page, url, headers).to_dict()
    assert article.title == expected["title"]


def test_same_output_under_different_hash_seeds(tmp_path: Path) -> None:
    # Set and dict iteration order must not leak into the output (string hashing
    # is randomised per interpreter).
    files = [str(folder / "page.html") for folder in CASES]
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONIOENCODING": "utf-8"}
        done = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "extract", *files],
            capture_output=True,
            cwd=ROOT,
            env=env,
            timeout=120,
        )
        outputs.append((done.returncode, done.stdout, done.stderr))
    assert outputs[0][1].count(b"\n") >= 25
    assert outputs[0] == outputs[1]


def test_golden_corpus_is_loaded() -> None:
    # The damaged-page property is only as good as the pages it starts from.
    assert len(GOLDEN) >= 25
    assert all(isinstance(url, str) and url for _, url, _ in GOLDEN)
    assert Path(CASES[0]).exists()
