"""Several processes opening one new archive at once all get a migrated archive; several
connections of one process to an archive keep its lock while others come and go."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive import Archive
from archive.schema import SCHEMA_VERSION, schema_version
from archive.synthetic import CorpusGenerator


def _open_and_close(path: str) -> None:
    Archive.open(path).close()


def test_processes_racing_to_create_an_archive_all_succeed(tmp_path):
    context = multiprocessing.get_context("spawn")
    for attempt in range(3):
        path = str(tmp_path / f"race{attempt}" / "archive.db")
        workers = [context.Process(target=_open_and_close, args=(path,)) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        assert [w.exitcode for w in workers] == [0, 0, 0, 0]
        with Archive.open(path) as arc:
            assert schema_version(arc.conn) == SCHEMA_VERSION


def _database_locks_of(pid: int, path) -> list[str]:
    """The POSIX locks /proc/locks shows process ``pid`` holding on the file at ``path``."""
    stat = os.stat(path)
    inode = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    return [
        line
        for line in Path("/proc/locks").read_text().splitlines()
        if f" {pid} " in line and inode in line and "POSIX" in line
    ]


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="reads the locks Linux lists in /proc/locks")
def test_a_second_archive_open_in_a_process_keeps_the_first_ones_lock(tmp_path):
    # A crawl opens one Archive per site in one process. Each open of an archive in write-ahead
    # log mode holds a lock on the database file while it is open; a file handle of our own
    # closed on the way (to read the header) would drop the lock of every connection of the process.
    path = tmp_path / "archive.db"
    first = Archive.open(path)
    first.save_articles([CorpusGenerator(1).article(1)])
    assert _database_locks_of(os.getpid(), path)
    second = Archive.open(path)
    second.conn.execute("SELECT count(*) FROM articles").fetchone()
    assert _database_locks_of(os.getpid(), path), "opening the archive again dropped its lock"
    first.close()
    second.close()


def test_another_process_closing_the_archive_leaves_the_log_of_the_one_writing_it(tmp_path):
    # The last connection to close an archive checkpoints it and removes its write-ahead log: a
    # process that lost its lock looks closed to the others, which then clean up under it.
    path = tmp_path / "archive.db"
    crawling = [Archive.open(path), Archive.open(path)]
    crawling[0].save_articles([CorpusGenerator(1).article(1)])
    crawling[1].save_articles([CorpusGenerator(1).article(2)])
    log = path.with_name(path.name + "-wal")
    assert log.exists()
    reader = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute('SELECT count(*) FROM articles').fetchone(); c.close()"
    )
    subprocess.run([sys.executable, "-c", reader, str(path)], check=True, timeout=60)
    assert log.exists(), "another process took the archive for unused and removed its log"
    crawling[0].save_articles([CorpusGenerator(1).article(3)])
    for arc in crawling:
        arc.close()
    with Archive.open(path) as arc:
        assert arc.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert arc.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
