"""A damaged archive (cut to half its size, or its first 100 bytes overwritten): every command
that opens it stops with one line saying so, no traceback, and leaves the file as it was."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from .conftest import assert_one_clear_line, cli, free_port

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
