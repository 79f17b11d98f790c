"""Bot challenges are named by the challenge middleware; ordinary pages are not challenges."""

from __future__ import annotations

import pytest

from crawler.middlewares import detect_challenge

RUISHU_200 = (
    b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    b"<script type=\"text/javascript\">$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=84213;</script>"
    b'<script src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js" r="m"></script></head><body></body></html>'
)


JSL_521 = (
    b"<html><script>document.cookie='__jsl_clearance_s=1700000000.1|0|abc;max-age=3600;path=/';"
    b"location.href=location.pathname+location.search</script></html>"
)


# The cookie name pieced together, as the first stage of 加速乐 writes it.
JSL_PIECES = (
    b"<html><body><script>document.cookie=('_')+('_')+('jsl_clear')+('ance=1764182400.4|0|')"
    b"+(';Max-age=3600; path = /');location.href=location.pathname+location.search</script></body></html>"
)


CLOUDFLARE_403 = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>cf-chl</body></html>"
)


ARTICLE = (
    "<html><head><title>着力打造机关党建示范标杆</title></head><body><h1>着力打造机关党建示范标杆</h1>"
    "<p>来源：中国组织人事报 时间：2021-02-03 08:15</p><p>高举旗帜，推动机关党建高质量发展。</p></body></html>"
)


@pytest.mark.parametrize(
    ("status", "body", "family"),
    [
        (412, b"<html></html>", "瑞数"),
        (200, RUISHU_200, "瑞数"),
        (521, JSL_521, "加速乐"),
        (200, JSL_521, "加速乐"),
        (200, JSL_PIECES, "加速乐"),
        (403, CLOUDFLARE_403, "Cloudflare"),
        (503, CLOUDFLARE_403, "Cloudflare"),
    ],
)
def test_challenges_are_named(status: int, body: bytes, family: str) -> None:
    reason = detect_challenge(status, body)
    assert reason is not None and family in reason


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, ARTICLE.encode("utf-8")),
        (404, "<html><title>404 页面不存在</title></html>".encode()),
        (403, b"<html><title>Forbidden</title></html>"),
        # A long page mentioning $_ts in an article about the challenge is still a page.
        (200, ARTICLE.encode("utf-8") + b"<p>$_ts</p>" + b"<p>" + "正文".encode() * 20000 + b"</p>"),
    ],
)
def test_ordinary_pages_are_not_challenges(status: int, body: bytes) -> None:
    assert detect_challenge(status, body) is None
