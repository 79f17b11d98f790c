"""A damaged archive (cut to half its size, or its first 100 bytes overwritten): every command
that opens it stops with one line saying so, no traceback, and leaves the file as it was."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from archive import Archive
from archive.synthetic import CorpusGenerator

from .conftest import assert_one_clear_line, cli, free_port, integrity

pytestmark = pytest.mark.slow


def cut_to_half(db: Path) -> None:
    os.truncate(db, db.stat().st_size // 2)


def overwrite_header(db: Path) -> None:
    with open(db, "r+b") as handle:
        handle.write(b"\xa5" * 100)


DAMAGE = {"cut to half": cut_to_half, "first 100 bytes overwritten": overwrite_header}
COMMANDS = [
    ["search", "党建"],
    ["runs"],
    ["crawl", "--all", "--replay-url", "http://127.0.0.1:9"],
    ["reparse"],
    ["index"],
    ["import", "-"],
    ["serve", "--port", "PORT"],
    ["appointments"],
    ["people"],
    ["person", "1"],
    ["backfill-appointments"],
    ["export", "--out", "EXPORT"],
    ["ingest", "--redis", "REDIS"],
]


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
@pytest.mark.parametrize("args", COMMANDS, ids=[args[0] for args in COMMANDS])
def test_a_damaged_archive_is_one_clear_line_for_every_command(data_copy, redis_url, damage, args):
    db = data_copy / "archive.db"
    DAMAGE[damage](db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    places = {"PORT": str(free_port()), "EXPORT": str(data_copy.parent / "release"), "REDIS": redis_url}
    argv = [places.get(arg, arg) for arg in args]
    try:
        result = cli(*argv, data_dir=data_copy, stdin='{"url": "https://e.example.cn/1"}\n', timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"orgnews {args[0]} kept running on a damaged archive")
    line = assert_one_clear_line(result)
    assert "damaged" in line or "not a usable orgnews archive" in line, line
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_the_damage_table_covers_every_command_that_opens_the_archive():
    from crawler.cli import COMMANDS as ALL

    # extract and sites open no archive, demo makes its own, status reads Redis only (its bad
    # input, a Redis it cannot reach, is in the bad-input table).
    opening = set(ALL) - {"extract", "sites", "demo", "status"}
    assert {args[0] for args in COMMANDS} >= opening


def test_a_checkpoint_killed_after_the_first_page_is_not_damage(tmp_path):
    """A checkpoint copies the write-ahead log's pages into the file in page order: killed after
    the first, the header records a size the file has not reached yet, and the log holds the rest."""
    db = tmp_path / "data" / "archive.db"
    articles = list(CorpusGenerator(seed=5).articles(60, body_chars=2000))
    with Archive.open(db) as arc:
        arc.save_article(articles[0])
    with Archive.open(db) as arc:
        arc.conn.execute("PRAGMA wal_autocheckpoint = 0")
        with arc.transaction():
            for article in articles[1:]:
                arc.save_article(article)
        log = db.with_name("archive.db-wal").read_bytes()
        # As a killed checkpoint leaves it: the log as it was, the first page of its last commit in the file.
        page_size = int.from_bytes(log[8:12], "big")
        frames = range(32, len(log) - page_size - 23, page_size + 24)
        first_page = next(
            log[at + 24 : at + 24 + page_size] for at in reversed(frames) if log[at : at + 4] == b"\0\0\0\1"
        )
        shutil.copy(db.with_name("archive.db-wal"), tmp_path / "log")
        shutil.copy(db.with_name("archive.db-shm"), tmp_path / "index")
        shutil.copy(db, tmp_path / "file")
    for name, kept in (("archive.db-wal", "log"), ("archive.db-shm", "index"), ("archive.db", "file")):
        shutil.copy(tmp_path / kept, db.with_name(name))
    with open(db, "r+b") as handle:
        handle.write(first_page)
    assert int.from_bytes(first_page[28:32], "big") * page_size > db.stat().st_size
    found = cli("search", "党", "--format", "json", "--limit", "0", data_dir=db.parent)
    assert found.returncode == 0, found.stderr
    assert len(json.loads(found.stdout)) > 0
    assert integrity(db) == "ok"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == len(articles)
