"""The README's examples of reading the index from another tool find articles in the demo archive."""

from __future__ import annotations

import re
import sqlite3

import pytest

from archive import search
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_raw_fts_example_finds_what_orgnews_search_finds_in_the_demo_archive(demo_data):
    command = re.search(r'sqlite3 orgnews-data/archive.db "(.+?)"\n', README, re.S)
    assert command, "the README shows a sqlite3 command"
    sql = " ".join(command[1].split()).replace('\\"', '"')
    query = re.search(r"instr\(a\.title, '([^']+)'\)", sql)[1]
    found = search(demo_data / "archive.db", query, limit=0)
    with sqlite3.connect(demo_data / "archive.db") as conn:
        titles = [row[0] for row in conn.execute(sql)]
        assert titles and set(titles) <= {hit.title for hit in found}, sql
        # Without its LIMIT it finds exactly the articles orgnews search finds.
        assert len(conn.execute(sql.removesuffix(" LIMIT 10")).fetchall()) == len(found) > 10
