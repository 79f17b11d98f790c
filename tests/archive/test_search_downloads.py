"""The JSON and CSV of a search in ``orgnews serve`` give every hit, however many: a researcher
downloads every match, not the first thousand."""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
import urllib.request

import pytest

from archive import Archive, search
from archive.synthetic import CorpusGenerator
from tests.conftest import run_cli, serving

pytestmark = pytest.mark.slow

# More articles than a page of hits could ever hold (1,000 at most): every one contains 党.
ARTICLES = 1_300
QUERY = "党"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("downloads") / "data"
    articles = list(CorpusGenerator(seed=11).articles(ARTICLES, body_chars=500))
    with Archive.open(data_dir / "archive.db") as arc:
        arc.save_articles(articles, defer_pairs=True, defer_stories=True)
    with serving(data_dir, data_dir.parent / "serve.log") as base:
        yield base, data_dir


def download(base: str, fmt: str, **params) -> bytes:
    query = urllib.parse.urlencode({"q": QUERY, **params})
    with urllib.request.urlopen(f"{base}/archive/-/search.{fmt}?{query}", timeout=120) as answer:
        return answer.read()


def test_csv_and_json_of_a_search_hold_every_hit_past_a_thousand(server):
    base, data_dir = server
    counted = run_cli("search", QUERY, "--count", data_dir=data_dir)
    assert counted.returncode == 0, counted.stderr.decode()
    expected = int(counted.stdout.decode())
    assert expected > 1_000
    rows = list(csv.DictReader(io.StringIO(download(base, "csv").decode("utf-8"))))
    assert len(rows) == expected
    # In the order of orgnews search, best matches first, each hit once.
    ranked = [hit.id for hit in search(data_dir / "archive.db", QUERY, limit=0)]
    assert [int(row["id"]) for row in rows] == ranked
    data = json.loads(download(base, "json", order="date"))
    assert data["count"] == expected and data["error"] is None
    newest = [hit.id for hit in search(data_dir / "archive.db", QUERY, order="date", limit=0)]
    assert [hit["id"] for hit in data["hits"]] == newest
    assert all(hit["body"] for hit in data["hits"])
    # A page is still a page when asked for one.
    page = json.loads(download(base, "json", page=3, size=50))
    assert [hit["id"] for hit in page["hits"]] == ranked[100:150] and page["offset"] == 100
    assert len(json.loads(download(base, "json", size=5000))["hits"]) == 1_000
