"""A detail URL that moved (news.12371.cn -> www.12371.cn) is archived once, under its new address."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from archive import Archive
from tests.conftest import run_cli

pytestmark = pytest.mark.slow

OLD = "https://news.12371.cn/2026/11/02/ARTI1793600000000001.shtml"
NEW = "https://www.12371.cn/2026/11/02/ARTI1793600000000001.shtml"
LIST = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>最新发布_共产党员网</title></head><body>
<div class="dyw1023_list"><ul id="showData0"></ul></div>
<script type="text/javascript">
var item=[{"title":"坚持大抓基层的鲜明导向","brief":"推动基层党组织全面进步全面过硬","link_add":"OLD_URL"}];
</script></body></html>""".replace("OLD_URL", OLD)
EMPTY_LIST = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>中组部_共产党员网</title></head>
<body><div class="list_con"><ul></ul></div></body></html>"""
DETAIL = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>坚持大抓基层的鲜明导向_共产党员网</title></head>
<body><div class="big_title_box"><h1 class="big_title">坚持大抓基层的鲜明导向</h1>
<i class="time">来源：中国组织人事报　2026年11月02日 08:00</i></div>
<div class="word"><p>各级组织部门坚持大抓基层的鲜明导向，推动基层党组织全面进步、全面过硬。</p>
<p>要把抓基层打基础作为长远之计和固本之举，持续整顿软弱涣散基层党组织。</p>
<p>（责任编辑：王伟）</p></div></body></html>"""


class Site(BaseHTTPRequestHandler):
    """Answers replay addresses (/https/host/path) for this test's few pages, and logs them."""

    log: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        scheme, _, rest = self.path.lstrip("/").partition("/")
        url = f"{scheme}://{rest}"
        self.log.append(url)
        if url == OLD:
            self.send_response(301)
            self.send_header("Location", NEW)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        pages = {
            "https://www.12371.cn/zxfb/": LIST,
            "https://news.12371.cn/dzybmbdj/zzb/": EMPTY_LIST,
            NEW: DETAIL,
        }
        body = pages.get(url)
        status = 200 if body is not None else 404
        data = (body or "not found").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def moved_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    Site.log = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", Site.log
    server.shutdown()
    server.server_close()


def test_moved_article_is_stored_once_and_its_old_address_not_fetched_again(moved_site, tmp_path: Path):
    base, log = moved_site
    data_dir = tmp_path / "data"
    first = run_cli("crawl", "12371", data_dir=data_dir, env={"ORGNEWS_REPLAY_URL": base})
    assert first.returncode == 0, first.stdout.decode() + first.stderr.decode()
    with Archive.open(data_dir / "archive.db") as arc:
        assert arc.known_article_urls("12371") == {NEW}
    assert OLD in log and NEW in log
    settled = (data_dir / "jobs" / "12371" / "settled.tsv").read_text(encoding="utf-8")
    assert f"{OLD}\tredirected to {NEW}\n" in settled

    log.clear()
    second = run_cli("crawl", "12371", data_dir=data_dir, env={"ORGNEWS_REPLAY_URL": base})
    assert second.returncode == 0, second.stdout.decode()
    assert OLD not in log and NEW not in log
