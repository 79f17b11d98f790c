"""``orgnews serve`` as a real Datasette server: metadata, facets, hidden tables, Chinese search."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from archive import Archive, search
from archive.synthetic import CorpusGenerator
from crawler.extract import Article
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("serve") / "data"
    with Archive.open(data_dir / "archive.db") as arc, arc.transaction():
        for article in CorpusGenerator(seed=4).articles(150, body_chars=300):
            arc.save_article(article)
        arc.save_article(
            Article(
                url="https://e.example.cn/5g.html",
                site="edge",
                title="推进5G芯片党建",
                body="组，织生活会。",
                published_at="2024-03-03",
            )
        )
    port = free_port()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "serve", "--data-dir", str(data_dir), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"orgnews serve did not start: {process.stderr.read().decode()}") from None
            time.sleep(0.2)
    yield base, data_dir
    process.terminate()
    process.wait(timeout=10)


def get_json(base: str, path: str, **params) -> dict:
    url = base + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
    return json.loads(urllib.request.urlopen(url, timeout=30).read())


@pytest.mark.parametrize("query", ["党", "党建", "5G芯片", "组织生活", "党建 NOT 学习", "干部 OR 人才"])
def test_search_box_and_saved_query_equal_orgnews_search(server, query):
    base, data_dir = server
    expected = {hit.id for hit in search(data_dir / "archive.db", query, limit=0)}
    table = get_json(base, "/archive/articles.json", _search=query, _size="max", _shape="objects", _col="id")
    assert {row["id"] for row in table["rows"]} == expected
    saved = get_json(base, "/archive/search.json", q=query, _shape="objects")
    ranked = search(data_dir / "archive.db", query, limit=200)
    assert [row["id"] for row in saved["rows"]] == [hit.id for hit in ranked]
    by_date = get_json(base, "/archive/search_by_date.json", q=query, _shape="objects")
    assert [row["id"] for row in by_date["rows"]] == [
        h.id for h in search(data_dir / "archive.db", query, order="date", limit=200)
    ]


def test_punctuation_query_is_exact_in_saved_query(server):
    base, _ = server
    saved = get_json(base, "/archive/search.json", q="组，织", _shape="objects")
    assert [row["title"] for row in saved["rows"]] == ["推进5G芯片党建"]
    assert "<mark>组，织</mark>" in saved["rows"][0]["snippet"]


def test_bad_query_finds_nothing_instead_of_failing(server):
    base, _ = server
    assert get_json(base, "/archive/articles.json", _search="NOT (", _shape="objects")["rows"] == []


def test_metadata_facets_and_hidden_tables(server):
    base, _ = server
    database = get_json(base, "/archive.json")
    hidden = {t["name"] for t in database["tables"] if t["hidden"]}
    assert {"articles_fts", "article_signatures", "article_lsh"} <= hidden
    assert "articles" not in hidden
    articles = get_json(base, "/archive/articles.json", _size="1")
    assert set(articles["facet_results"]) == {"site", "source", "column", "year"}
    page = urllib.request.urlopen(base + "/archive/articles", timeout=30).read().decode()
    hiding = urllib.parse.unquote(page.split('href="data:text/css,', 1)[1].split('"', 1)[0])
    assert ".col-content_hash{display:none}" in hiding and 'class="col-title' in page
    metadata = get_json(base, "/-/metadata.json")
    columns = metadata["databases"]["archive"]["tables"]["articles"]["columns"]
    assert "story_id" in columns and "published_at" in columns


def test_served_read_only_while_a_crawl_writes(server):
    base, data_dir = server
    with Archive.open(data_dir / "archive.db") as arc:
        arc.save_article(
            Article(
                url="https://e.example.cn/new.html",
                site="edge",
                title="新到的稿件独有词镡",
                body="正文",
                published_at="2024-04-04",
            )
        )
    rows = get_json(base, "/archive/articles.json", _search="独有词镡", _shape="objects")["rows"]
    assert [row["url"] for row in rows] == ["https://e.example.cn/new.html"]
    try:
        urllib.request.urlopen(
            base + "/archive.json?" + urllib.parse.urlencode({"sql": "delete from articles"})
        )
    except urllib.error.HTTPError as exc:
        assert exc.code == 400
    with Archive.open(data_dir / "archive.db") as arc:
        assert arc.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 152


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed")
def test_search_page_shows_results_in_a_browser(server, tmp_path):
    assert CHROMIUM is not None, "CI must have chromium (see .ci/run)"
    base, _ = server
    url = base + "/archive/articles?" + urllib.parse.urlencode({"_search": "5G芯片"})
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        timeout=120,
    )
    dom = result.stdout.decode("utf-8", "replace")
    assert "推进5G芯片党建" in dom, result.stderr.decode("utf-8", "replace")[-2000:]
    assert 'search matches "5G芯片"' in dom or "5G芯片" in dom
