"""An upgrade that replaces the index refills the character index in batches that survive an
interruption: the next open goes on where it stopped, no search reads the index half filled,
and a read-only open of an archive left halfway says what to do."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from archive import Archive
from archive.export.reading import open_snapshot
from archive.indexing import REBUILD_TABLE, rebuild_backlog
from archive.schema import SCHEMA_VERSION, migrate, migration_lock, schema_version
from archive.store import upgrade
from archive.synthetic import CorpusGenerator
from tests.archive.test_indexing import Interrupted, assert_exact
from tests.archive.test_searching import oracle, sample_queries
from tests.conftest import ROOT
from tests.reliability.conftest import assert_one_clear_line, cli

OLD_SCHEMA = 14  # its one index table is replaced by migration 15
ARTICLES = 120
FIXED_QUERIES = ["党", "组", "干部", "组织生活", "三会一课", "乡村振兴"]


def old_archive(path, count: int = ARTICLES) -> sqlite3.Connection:
    """An archive at schema 14 holding ``count`` synthetic articles as plain rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=OLD_SCHEMA)
    conn.executemany(
        "INSERT INTO articles(url, title, body, content_hash) VALUES (?, ?, ?, 'h')",
        [(a.url, a.title, a.body) for a in CorpusGenerator(seed=31).articles(count, body_chars=300)],
    )
    return conn


def characters_through(conn: sqlite3.Connection) -> int:
    return conn.execute(f"SELECT characters_through FROM {REBUILD_TABLE}").fetchone()[0]


def indexed_rows(conn: sqlite3.Connection) -> int:
    """How many rows went into ``articles_fts``: the first varint of its averages record (id 1),
    which counts an article inserted twice twice, where a search would find it once."""
    block = conn.execute("SELECT block FROM articles_fts_data WHERE id = 1").fetchone()
    value = 0
    for position, byte in enumerate((block[0] if block else b"\x00")[:9]):
        if position == 8:
            return value << 8 | byte
        value = value << 7 | byte & 0x7F
        if not byte & 0x80:
            break
    return value


def queries(path) -> list[str]:
    sampled = sample_queries(sqlite3.connect(path), 30, seed=31)
    chosen = sorted({*sampled, *FIXED_QUERIES})
    assert {1, 4} <= {len(query) for query in chosen}
    return chosen


def assert_rebuilt(path) -> None:
    """Every article is in the character index once, the marker is gone, the pairs wait for
    orgnews index, and searches equal a scan of the text."""
    conn = sqlite3.connect(path)
    assert rebuild_backlog(conn) is None
    assert indexed_rows(conn) == ARTICLES
    assert conn.execute("SELECT pairs_through FROM index_progress").fetchone()[0] == 0
    conn.close()
    assert_exact(path, queries(path))


def test_an_interrupted_rebuild_goes_on_where_it_stopped(tmp_path, caplog):
    path = tmp_path / "archive.db"
    conn = old_archive(path)

    def stop_after_two_batches(done: int, total: int) -> None:
        if done == 50:
            raise Interrupted

    with pytest.raises(Interrupted):
        upgrade(conn, batch=25, progress=stop_after_two_batches)
    # The upgrade's own transaction and two batches were committed, each with the marker.
    assert schema_version(conn) == SCHEMA_VERSION
    assert characters_through(conn) == 50 and indexed_rows(conn) == 50
    assert rebuild_backlog(conn) == ARTICLES - 50
    conn.close()
    conn = sqlite3.connect(path, isolation_level=None)
    seen: list[tuple[int, int]] = []
    with caplog.at_level("WARNING", logger="archive"):
        assert (
            upgrade(conn, batch=25, progress=lambda done, total: seen.append((done, total))) == SCHEMA_VERSION
        )
    assert f"{ARTICLES - 50} articles left" in caplog.text
    # Only the articles after the marker were added.
    assert seen == [(25, 70), (50, 70), (70, 70)]
    conn.close()
    assert_rebuilt(path)


def halfway(path) -> None:
    """Leave the archive at ``path`` upgraded, its character index holding the first 40 articles."""
    conn = old_archive(path)

    def stop(done: int, total: int) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        upgrade(conn, batch=40, progress=stop)
    assert rebuild_backlog(conn) == ARTICLES - 40
    conn.close()


def test_an_archive_opened_halfway_through_is_rebuilt_before_open_returns(tmp_path):
    path = tmp_path / "archive.db"
    halfway(path)
    with Archive.open(path) as arc:
        assert rebuild_backlog(arc.conn) is None and indexed_rows(arc.conn) == ARTICLES
    assert_rebuilt(path)


# Upgrades with batches of argv[2] articles and stays inside the third batch's transaction,
# after writing some of its rows, until it is killed.
KILLED_UPGRADE = """
import sqlite3, sys, time
from archive.store import upgrade

conn = sqlite3.connect(sys.argv[1], isolation_level=None)
committed = []

def inside_the_third_batch():
    if len(committed) == 2 and conn.in_transaction and conn.total_changes > committed[-1] + 5:
        print("inside", flush=True)
        time.sleep(120)
    return 0

conn.set_progress_handler(inside_the_third_batch, 100)
upgrade(conn, batch=int(sys.argv[2]), progress=lambda done, total: committed.append(conn.total_changes))
"""


def test_an_upgrade_killed_mid_batch_goes_on_at_the_next_open(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    path = data_dir / "archive.db"
    old_archive(path).close()
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_UPGRADE, str(path), "30"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "inside"
    finally:
        child.kill()
        child.wait(30)
    conn = sqlite3.connect(path)
    # The third batch was rolled back; the two before it stay, with the marker after them.
    assert characters_through(conn) == 60 and indexed_rows(conn) == 60
    assert rebuild_backlog(conn) == ARTICLES - 60
    conn.close()

    # Read-only, the archive halfway through is refused in one line saying what to do.
    path.chmod(0o444)
    try:
        refused = cli("search", "党", data_dir=data_dir, as_user=True)
    finally:
        path.chmod(0o644)
    line = assert_one_clear_line(refused, "part way through the rebuild of its search index")
    assert f"{ARTICLES - 60} articles left" in line and "where it can be written" in line
    assert "orgnews index" in line

    # Writable, the next command goes on with the rebuild before it searches.
    found = cli("search", "党", "--format", "json", "--limit", "0", data_dir=data_dir)
    assert found.returncode == 0, found.stderr
    assert f"{ARTICLES - 60} articles left" in found.stderr
    assert {hit["id"] for hit in json.loads(found.stdout)} == oracle(sqlite3.connect(path), "党") != set()
    assert_rebuilt(path)


def test_a_new_archive_has_no_rebuild_marker(tmp_path):
    path = tmp_path / "archive.db"
    with Archive.open(path) as arc:
        assert rebuild_backlog(arc.conn) is None
        tables = {name for (name,) in arc.conn.execute("SELECT name FROM sqlite_master")}
        assert REBUILD_TABLE not in tables


def test_an_archive_at_the_current_schema_opens_without_a_rebuild(tmp_path, caplog):
    path = tmp_path / "archive.db"
    with Archive.open(path) as arc:
        arc.save_articles(list(CorpusGenerator(seed=4).articles(30, body_chars=200)))
        rows = indexed_rows(arc.conn)
    mtime = os.stat(path).st_mtime_ns
    with caplog.at_level("WARNING", logger="archive"), Archive.open(path) as arc:
        assert rebuild_backlog(arc.conn) is None and indexed_rows(arc.conn) == rows == 30
    assert caplog.text == "" and os.stat(path).st_mtime_ns == mtime


def test_an_upgrade_from_version_1_rebuilds_stories_and_index_and_leaves_no_marker(tmp_path):
    path = tmp_path / "archive.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=1)
    body = CorpusGenerator(seed=9).text(600)
    conn.executemany(
        "INSERT INTO articles(url, title, body, content_hash) VALUES (?, '组织工作会议', ?, 'h')",
        [(f"https://a.example.cn/{n}.html", body) for n in range(3)],
    )
    assert upgrade(conn, batch=2) == SCHEMA_VERSION
    assert conn.execute("SELECT story_id FROM articles").fetchall() == [(1,), (1,), (1,)]
    assert rebuild_backlog(conn) is None and indexed_rows(conn) == 3
    conn.close()


def test_an_export_finishes_the_rebuild_before_it_reads(tmp_path):
    path = tmp_path / "archive.db"
    halfway(path)
    snapshot = open_snapshot(path)
    assert rebuild_backlog(snapshot) is None and indexed_rows(snapshot) == ARTICLES
    snapshot.close()


def _open_and_close(path: str) -> None:
    Archive.open(path).close()


def test_processes_opening_an_archive_halfway_through_at_once_rebuild_it_once(tmp_path):
    path = tmp_path / "archive.db"
    halfway(path)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_open_and_close, args=(str(path),)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    assert_rebuilt(path)


def test_an_open_waiting_for_another_process_s_rebuild_says_so(tmp_path, caplog):
    path = tmp_path / "archive.db"
    halfway(path)
    holder = sqlite3.connect(path)
    opened: list[int] = []

    def open_and_count() -> None:
        with Archive.open(path) as arc:
            opened.append(indexed_rows(arc.conn))

    with caplog.at_level("WARNING", logger="archive"):
        with migration_lock(holder):
            # Another connection holds the lock, as a process rebuilding the index would.
            opener = threading.Thread(target=open_and_count)
            opener.start()
            for _ in range(200):
                if "waiting for it" in caplog.text:
                    break
                time.sleep(0.05)
            assert opened == []
        opener.join(60)
    holder.close()
    assert (
        f"another process is rebuilding the search index of this archive ({ARTICLES - 40} articles left)"
        in caplog.text
    )
    assert opened == [ARTICLES]
