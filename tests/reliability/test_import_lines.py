"""``orgnews import`` with bad lines: each is named (line, field, what is wrong) and skipped, every
good line is stored, and no JSON value in any field stops the load."""

from __future__ import annotations

import io
import json
import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import Archive
from archive.importing import read_articles
from crawler.extract import ARTICLE_FIELDS

from .conftest import cli, integrity


def good(n: int) -> dict:
    return {
        "url": f"https://www.example.cn/{n}.html",
        "site": "example",
        "title": f"组织工作{n}",
        "body": "党建",
    }


# (line, field named in the message, what the message says)
BAD_LINES = [
    ({**good(100), "title": 123}, "'title' must be a string, not a number"),
    ({**good(101), "body": ["a"]}, "'body' must be a string, not a list"),
    ({**good(102), "author": ["a"]}, "'author' must be a string, not a list"),
    ({**good(103), "published_at": 20210101}, "'published_at' must be a string, not a number"),
    ({**good(104), "published_at": "2021-13-45"}, "'published_at' is not an ISO 8601 date"),
    ({**good(105), "images": "x.jpg"}, "'images' must be a list, not a string"),
    ({**good(106), "attachments": [1]}, "'attachments' must hold objects of strings"),
    ({**good(107), "url": ""}, "'url' is empty"),
    ({"title": "no url"}, "'url' is missing"),
    ([1, 2], "a JSON object with a url was expected"),
]


def test_bad_lines_are_named_and_skipped_and_every_good_line_is_stored(tmp_path):
    lines = [json.dumps(good(0), ensure_ascii=False)]
    lines += [json.dumps(line) for line, _ in BAD_LINES]
    lines.append('{"url": "https://www.example.cn/s.html", "title": "\\ud800"}')  # a lone surrogate
    lines.append("{not json")
    lines.append(json.dumps(good(1)))
    source = tmp_path / "in.jsonl"
    # A byte order mark before the first line must not cost it.
    source.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode() + b"\n\xff\xfe\n")
    data_dir = tmp_path / "data"
    result = cli("import", str(source), data_dir=data_dir)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped")]
    for number, (_, says) in enumerate(BAD_LINES, start=2):
        assert any(f"in.jsonl:{number}: " in line and says in line for line in skipped), (
            number,
            says,
            skipped,
        )
    assert any("in.jsonl:12: " in line and "'title' holds a lone surrogate" in line for line in skipped)
    assert any("in.jsonl:13: not JSON" in line for line in skipped)
    assert any("in.jsonl:15: not UTF-8" in line for line in skipped)
    assert len(skipped) == len(BAD_LINES) + 3
    assert "Error: 13 lines were not articles and were skipped" in result.stderr
    with Archive.open(data_dir / "archive.db") as arc:
        assert arc.known_article_urls() == {good(0)["url"], good(1)["url"]}


# Any JSON value, nested a little: what a hand-made or damaged export can hold.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
RECORDS = st.lists(
    st.fixed_dictionaries(
        {"url": st.one_of(st.text(max_size=8).map(lambda s: f"https://e.example.cn/{s}"), JSON_VALUES)},
        optional={name: JSON_VALUES for name in ARTICLE_FIELDS if name != "url"},
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=RECORDS)
def test_any_json_value_in_any_field_never_stops_the_load(tmp_path_factory, records):
    handle = io.BytesIO("\n".join(json.dumps(record) for record in records).encode("utf-8", "surrogatepass"))
    problems: list[str] = []
    db = tmp_path_factory.mktemp("load") / "archive.db"
    with Archive.open(db) as arc:
        articles = list(read_articles([handle], problems))
        arc.save_articles(articles, defer_pairs=True, defer_stories=True)
        arc.group_stories()
        arc.index_pairs()
        stored = arc.known_article_urls()
    assert len(articles) + len(problems) == len(records)
    assert stored == {article.url for article in articles}
    assert integrity(db) == "ok"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == len(stored)


def test_one_bad_line_is_counted_in_the_singular(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(good(0), ensure_ascii=False) + "\n{not json\n", encoding="utf-8")
    result = cli("import", str(source), data_dir=tmp_path / "data")
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert result.returncode == 1 and errors == ["Error: 1 line was not an article and was skipped"], (
        result.stderr
    )


# Records of the right types that are still not articles: what an archive must not keep.
NOT_ARTICLES = [
    ({"url": "x"}, "field 'url' is not an http(s) address with a host: 'x'"),
    ({"url": "ftp://www.example.cn/1.html", "title": "组织工作"}, "field 'url' is not an http(s) address"),
    ({"url": "https://", "body": "党建"}, "field 'url' is not an http(s) address"),
    ({"url": "http://[::1/a", "title": "组织工作"}, "field 'url' is not an http(s) address"),
    ({"url": " https://www.example.cn/0.html", "title": "组织工作"}, "address with a host: ' https://"),
    # What orgnews extract gives a saved page without --url
    (
        {"url": "file:///home/a/saved/1.html", "title": "组织工作"},
        "give orgnews extract the page's web address",
    ),
    ({"url": "https://www.example.cn/2.html"}, "no title and no body"),
    ({"url": "https://www.example.cn/3.html", "title": " ", "body": "\n"}, "no title and no body"),
]


def test_records_without_an_address_or_a_text_are_refused_and_the_others_stored(tmp_path):
    title_only = {"url": "HTTPS://www.example.cn/t.html", "title": "组织工作"}
    body_only = {"url": "http://www.example.cn/b.html", "body": "党建"}
    lines = [good(0), *(record for record, _ in NOT_ARTICLES), title_only, body_only]
    source = tmp_path / "in.jsonl"
    source.write_text(
        "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8"
    )
    data_dir = tmp_path / "data"
    result = cli("import", str(source), data_dir=data_dir)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped")]
    assert len(skipped) == len(NOT_ARTICLES), skipped
    for (number, (_, says)), line in zip(enumerate(NOT_ARTICLES, start=2), skipped, strict=True):
        assert line.startswith(f"skipped {source}:{number}: not an article (") and says in line, (
            number,
            line,
        )
    assert f"Error: {len(NOT_ARTICLES)} lines were not articles and were skipped" in result.stderr
    assert "stored 3 articles" in result.stdout
    with Archive.open(data_dir / "archive.db") as arc:
        assert arc.known_article_urls() == {good(0)["url"], title_only["url"], body_only["url"]}


def test_extract_piped_to_import_stores_a_page_given_its_address_and_names_one_without(tmp_path):
    from tests.conftest import ROOT

    page = next(iter(sorted((ROOT / "tests" / "pages").glob("*/*/page.html"))))
    address = "https://www.example.cn/2021/02/04/1.shtml"
    with_url = cli("extract", str(page), "--url", address)
    without = cli("extract", str(page))
    assert with_url.returncode == without.returncode == 0, with_url.stderr + without.stderr
    data_dir = tmp_path / "data"
    stored = cli("import", "-", data_dir=data_dir, stdin=with_url.stdout)
    assert stored.returncode == 0 and "stored 1 articles" in stored.stdout, stored.stderr
    refused = cli("import", "-", data_dir=data_dir, stdin=without.stdout)
    assert (
        refused.returncode == 1 and "give orgnews extract the page's web address with --url" in refused.stderr
    )
    with Archive.open(data_dir / "archive.db") as arc:
        assert arc.known_article_urls() == {address}


def test_gzip_json_lines_such_as_a_releases_are_read_through_and_a_cut_one_says_where_it_stops(tmp_path):
    import gzip

    lines = "".join(json.dumps(good(n), ensure_ascii=False) + "\n" for n in range(40))
    packed = gzip.compress(lines.encode("utf-8"), mtime=0)
    source = tmp_path / "articles.jsonl.gz"
    source.write_bytes(packed)
    data_dir = tmp_path / "data"
    from_file = cli("import", str(source), data_dir=data_dir)
    assert from_file.returncode == 0 and "stored 40 articles" in from_file.stdout, from_file.stderr
    from_stdin = cli("import", "-", data_dir=data_dir, stdin=packed)
    assert from_stdin.returncode == 0 and "40 unchanged" in from_stdin.stdout, from_stdin.stderr
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    result = cli("import", str(cut), data_dir=tmp_path / "other")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    (stopped,) = [line for line in result.stderr.splitlines() if "cannot be read from here on" in line]
    assert stopped.startswith(f"skipped {cut}:"), stopped
    with Archive.open(tmp_path / "other" / "archive.db") as arc:
        stored = len(arc.known_article_urls())
    assert 0 < stored < 40
    # The last line says where reading stopped, never that the lost rest was one non-article line.
    where = f"{cut}:{stored + 1}"
    assert stopped.startswith(f"skipped {where}: "), stopped
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"Error: reading stopped at {where} (") and "not an article" not in last, last
    # A line that is not an article, then the cut: both said, each for what it is.
    damaged = gzip.compress(b"{not json\n" + lines.encode("utf-8"), mtime=0)
    damaged = damaged[: len(damaged) // 2]
    both = cli("import", "-", data_dir=tmp_path / "third", stdin=damaged)
    last = both.stderr.splitlines()[-1]
    assert both.returncode == 1 and last.startswith("Error: reading stopped at -:"), both.stderr
    assert last.endswith("; 1 line was not an article and was skipped"), last
