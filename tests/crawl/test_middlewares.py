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


# A crawl whose requests to one host all arrive while its robots.txt is still on its way: a real
# HTTP server on 127.0.0.1 (robots.txt answered slowly) and a real Scrapy crawl with the project's
# robots.txt middleware; it prints the paths the server was asked for.
ROBOTS_BURST = r"""
import http.server, json, sys, threading, time
import scrapy
from scrapy.crawler import CrawlerProcess
import crawler.settings as project

asked = []

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        asked.append(self.path)
        if self.path == "/robots.txt":
            time.sleep(0.5)
            body = b"User-agent: *\nDisallow: /private/\n"
        else:
            body = b"<html><body>ok</body></html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_address[1]}"

class Burst(scrapy.Spider):
    name = "burst"

    async def start(self):
        for path in ("/a", "/private/one", "/b", "/private/two", "/c"):
            yield scrapy.Request(base + path, callback=self.parse)

    def parse(self, response):
        return None

robots = {k: v for k, v in project.DOWNLOADER_MIDDLEWARES.items() if "robots" in k.lower()}
process = CrawlerProcess({
    "ROBOTSTXT_OBEY": True,
    "DOWNLOADER_MIDDLEWARES": robots,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "TWISTED_REACTOR": project.TWISTED_REACTOR,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "ERROR",
})
process.crawl(Burst)
process.start()
print(json.dumps(sorted(asked)))
"""


def test_every_request_waiting_for_robots_txt_is_judged_by_it() -> None:
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run(
        [sys.executable, "-c", ROBOTS_BURST], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    asked = json.loads(done.stdout.splitlines()[-1])
    assert asked == ["/a", "/b", "/c", "/robots.txt"], asked
