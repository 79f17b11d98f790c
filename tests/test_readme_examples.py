"""The README's examples of reading the index from another tool find articles in the demo archive."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_raw_fts_examples_find_articles_in_the_demo_archive(demo_data):
    command = re.search(r'sqlite3 orgnews-data/archive.db "(.+?)"\n', README, re.S)
    assert command, "the README shows a sqlite3 command"
    sql = " ".join(command[1].split()).replace('\\"', '"')
    characters = re.search(r"`(\{title body\} : \"[^`]+\")`", README)[1]
    with sqlite3.connect(demo_data / "archive.db") as conn:
        assert conn.execute(sql).fetchall(), sql
        count = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?"
        assert conn.execute(count, [characters]).fetchone()[0] > 0, characters


def test_mixed_query_example_finds_what_orgnews_search_finds(demo_data):
    from archive import search

    query, sql = re.search(
        r"such as `([^`]+)`, combines the rowids .*?: `(SELECT [^`]+)`", README, re.S
    ).groups()
    with sqlite3.connect(demo_data / "archive.db") as conn:
        found = {row[0] for row in conn.execute(" ".join(sql.split()))}
    assert found == {hit.id for hit in search(demo_data / "archive.db", query, limit=0)} != set()


# The README's examples of reading the archive, as a new user pastes them after orgnews demo.
READING_EXAMPLES = re.findall(
    r"^    (orgnews (?:search|appointments|people|person|runs) .*?)\s*(?:#.*)?$", README, re.M
)


@pytest.mark.parametrize("example", READING_EXAMPLES)
def test_reading_examples_run_on_the_demo_archive(demo_data, example):
    import shlex

    from tests.conftest import run_cli

    words = shlex.split(example)
    if ">" in words:  # the shell's redirection: the output is checked here instead
        words = words[: words.index(">")]
    result = run_cli(*words[1:], data_dir=demo_data)
    output = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 0 and "Traceback" not in output, output
    assert result.stdout.strip(), output


def test_the_search_pages_examples_find_articles_in_the_demo_archive(demo_data):
    from archive import search
    from archive.web.views import EXAMPLE_QUERIES

    # A new user's first clicks after orgnews demo and orgnews serve: none may answer "no article".
    empty = [query for query in EXAMPLE_QUERIES if not search(demo_data / "archive.db", query, limit=1)]
    assert not empty
