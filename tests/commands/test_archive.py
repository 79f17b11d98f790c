"""``orgnews search`` in a subprocess: formats, filters, errors without tracebacks."""

from __future__ import annotations

import csv
import io
import json

import pytest

from archive import Archive, search
from crawler.extract import Article
from tests.conftest import run_cli

ARTICLES = [
    Article(
        url="https://www.12371.cn/2020/01/a.shtml",
        site="12371",
        column="要闻",
        title="全面加强党建工作",
        source="共产党员网",
        published_at="2020-03-01T09:00:00+08:00",
        author="张明",
        editor="李华",
        body="会议强调，要全面加强基层党建工作。\n推进5G芯片产业党组织建设。",
        images=["https://www.12371.cn/1.jpg"],
    ),
    Article(
        url="http://dangjian.people.com.cn/n1/2021/b.html",
        site="people",
        column="组工动态",
        title="组织部召开会议",
        source="人民网",
        published_at="2021-07-02",
        body="组织部召开会议，研究干部工作和党建。",
    ),
    Article(
        url="https://www.gzdj.gov.cn/c.html",
        site="gzdj",
        title="党建引领乡村振兴",
        source="贵州党建网",
        published_at="2018-05-05",
        body="以党建引领乡村振兴。",
    ),
]


@pytest.fixture
def archive_dir(tmp_path):
    data_dir = tmp_path / "data"
    with Archive.open(data_dir / "archive.db") as arc:
        for article in ARTICLES:
            arc.save_article(article)
    return data_dir


def test_json_output_is_one_array_of_article_fields(archive_dir):
    result = run_cli("search", "党建", "--format", "json", "--limit", "0", data_dir=archive_dir)
    assert result.returncode == 0, result.stderr.decode()
    hits = json.loads(result.stdout)
    assert isinstance(hits, list) and len(hits) == 3
    assert {h["site"] for h in hits[:2]} == {"12371", "gzdj"}  # title hits rank first
    first = next(h for h in hits if h["site"] == "12371")
    assert {"id", "story_id", "rank", "snippet", "url", "body", "images", "published_at"} <= set(first)
    assert first["images"] == ["https://www.12371.cn/1.jpg"]
    assert "<mark>党建</mark>" in first["snippet"]


def test_cli_equals_python_api_with_filters(archive_dir):
    args = [
        "search",
        "党建",
        "--site",
        "12371",
        "--site",
        "people",
        "--since",
        "2019",
        "--until",
        "2021",
        "--format",
        "json",
    ]
    result = run_cli(*args, data_dir=archive_dir)
    expected = search(
        archive_dir / "archive.db", "党建", site=["12371", "people"], since="2019", until="2021"
    )
    assert [h["id"] for h in json.loads(result.stdout)] == [h.id for h in expected]
    assert {h.site for h in expected} == {"12371", "people"}
    title_only = run_cli("search", "党建", "--in", "title", "--format", "json", data_dir=archive_dir)
    assert {h["site"] for h in json.loads(title_only.stdout)} == {"12371", "gzdj"}


def test_csv_table_and_count(archive_dir):
    result = run_cli("search", "5G芯片", "--format", "csv", data_dir=archive_dir)
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode())))
    assert [r["url"] for r in rows] == ["https://www.12371.cn/2020/01/a.shtml"]
    assert json.loads(rows[0]["images"]) == ["https://www.12371.cn/1.jpg"]
    table = run_cli("search", "组织部", data_dir=archive_dir)
    assert table.returncode == 0 and "组织部召开会议" in table.stdout.decode()
    count = run_cli("search", "党建 NOT 乡村", "--count", data_dir=archive_dir)
    assert count.stdout.decode().strip() == "2"


def test_date_order_and_limit(archive_dir):
    result = run_cli(
        "search", "党建", "--order", "date", "--limit", "2", "--format", "json", data_dir=archive_dir
    )
    assert [h["published_at"][:10] for h in json.loads(result.stdout)] == ["2021-07-02", "2020-03-01"]


@pytest.mark.parametrize("query", ["NOT 党建", "(党建", '"党建'])
def test_bad_query_is_a_message_not_a_traceback(archive_dir, query):
    result = run_cli("search", query, data_dir=archive_dir)
    assert result.returncode == 2
    stderr = result.stderr.decode()
    assert "Error:" in stderr and "Traceback" not in stderr


def test_bad_date_and_missing_archive(tmp_path, archive_dir):
    bad_date = run_cli("search", "党建", "--since", "last year", data_dir=archive_dir)
    assert bad_date.returncode == 2 and "YYYY" in bad_date.stderr.decode()
    missing = run_cli("search", "党建", data_dir=tmp_path / "empty")
    assert missing.returncode == 1
    assert "no archive at" in missing.stderr.decode() and "Traceback" not in missing.stderr.decode()


@pytest.mark.parametrize("output", ["--count", "--format=json"])
def test_a_site_the_archive_does_not_hold_is_named_not_searched_for_nothing(archive_dir, output):
    # A typo (People, 12371.cn) would otherwise answer 0 hits, as if the site had none.
    result = run_cli("search", "党建", "--site", "people", "--site", "People", output, data_dir=archive_dir)
    stderr = result.stderr.decode()
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert result.returncode == 2 and result.stdout == b"" and "Traceback" not in stderr
    assert errors == ["Error: unknown site 'People': this archive holds 12371, gzdj, people"], stderr
    known = run_cli("search", "党建", "--site", "people", "--site", "gzdj", "--count", data_dir=archive_dir)
    assert known.returncode == 0 and known.stdout.decode().strip() == "2"


def test_table_heading_counts_what_matched_not_only_what_is_shown(archive_dir):
    total = int(run_cli("search", "党建", "--count", data_dir=archive_dir).stdout)
    assert total == 3
    shown = run_cli("search", "党建", "--limit", "2", data_dir=archive_dir).stdout.decode()
    assert "2 of 3 hits for 党建" in shown
    every = run_cli("search", "党建", data_dir=archive_dir).stdout.decode()
    assert "3 hits for 党建" in every and " of " not in every.splitlines()[0]
    one = run_cli("search", "乡村振兴", data_dir=archive_dir).stdout.decode()
    assert "1 hit for 乡村振兴" in one


def test_serve_on_a_port_in_use_is_one_error_line(archive_dir):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), data_dir=archive_dir, timeout=60)
    stderr = result.stderr.decode()
    # Not "serving ... at" first, then the server's own error, then exit status 3 (the crawl lock's).
    assert result.returncode == 1 and "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines() == [
        f"Error: cannot serve on 127.0.0.1:{port}: Address already in use (choose another --port or --host)"
    ], stderr


def test_a_since_after_the_until_is_refused_not_answered_with_nothing(archive_dir):
    result = run_cli("search", "党建", "--since", "2022", "--until", "2021-06", data_dir=archive_dir)
    stderr = result.stderr.decode()
    assert result.returncode == 2 and result.stdout == b"" and "Traceback" not in stderr
    assert "--since 2022 is after --until 2021-06" in stderr, stderr
    same_year = run_cli(
        "search", "党建", "--since", "2021", "--until", "2021", "--count", data_dir=archive_dir
    )
    assert same_year.returncode == 0, same_year.stderr.decode()
