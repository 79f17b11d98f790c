"""``kill -9`` on each long-running command at two moments, then the same command again: the
rerun ends with every record there once, nothing lost, and ``PRAGMA integrity_check`` is ok.

Each kill waits for an observable moment (a worker started, a line printed, a file written),
never for a time.
"""

from __future__ import annotations

import contextlib
import signal
import sqlite3
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from .conftest import children, cli, integrity, start, wait_for, write_jsonl

pytestmark = pytest.mark.slow

ARTICLES = 2000


def kill(process) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def stderr_line(process, text: str):
    """A condition: ``process`` printed a line containing ``text`` on stderr (read as it comes)."""

    def printed() -> bool:
        line = process.stderr.readline().decode("utf-8", "replace")
        return text in line

    return printed


def log_size(db: Path, at_least: int):
    def written() -> bool:
        wal = db.with_name(db.name + "-wal")
        return wal.exists() and wal.stat().st_size >= at_least

    return written


def stored(db: Path) -> tuple[int, int]:
    """(articles, distinct URLs) in the archive, read without ever creating the file (a poll that
    created it would race the command that is about to)."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()


def searchable(data_dir: Path, query: str = "组织") -> int:
    result = cli("search", query, "--count", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return int(result.stdout)


@pytest.fixture(scope="module")
def articles_file(tmp_path_factory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("kill") / "in.jsonl", ARTICLES)


@pytest.fixture(scope="module")
def reference(articles_file, tmp_path_factory) -> int:
    """How many articles the query finds after an uninterrupted import of the same file."""
    data_dir = tmp_path_factory.mktemp("reference") / "data"
    assert cli("import", str(articles_file), data_dir=data_dir).returncode == 0
    return searchable(data_dir)


MOMENTS = {
    "preparing": lambda process, db: lambda: bool(children(process.pid)),
    "writing": lambda process, db: log_size(db, 256 * 1024),
}


@pytest.mark.parametrize("moment", MOMENTS)
def test_import_killed_then_rerun(tmp_path, articles_file, reference, moment):
    data_dir = tmp_path / "data"
    process = start("import", str(articles_file), data_dir=data_dir)
    wait_for(MOMENTS[moment](process, data_dir / "archive.db"), process, f"the import was {moment}")
    kill(process)
    rerun = cli("import", str(articles_file), data_dir=data_dir)
    assert rerun.returncode == 0, rerun.stderr
    assert stored(data_dir / "archive.db") == (ARTICLES, ARTICLES)
    assert integrity(data_dir / "archive.db") == "ok"
    assert searchable(data_dir) == reference


@pytest.mark.parametrize("step", ["grouping", "adding the character pairs"])
def test_index_killed_then_rerun(tmp_path, articles_file, reference, step):
    data_dir = tmp_path / "data"
    assert cli("import", str(articles_file), "--index-later", data_dir=data_dir).returncode == 0
    process = start("index", "--batch", "200", data_dir=data_dir)
    wait_for(stderr_line(process, step), process, f"index began {step}")
    kill(process)
    rerun = cli("index", data_dir=data_dir)
    assert rerun.returncode == 0, rerun.stderr
    assert "up to date" in rerun.stdout
    assert stored(data_dir / "archive.db") == (ARTICLES, ARTICLES)
    assert integrity(data_dir / "archive.db") == "ok"
    assert searchable(data_dir) == reference
    again = cli("index", data_dir=data_dir)
    assert "already up to date" in again.stdout


@pytest.mark.parametrize("moment", ["workers started", "writing"])
def test_reparse_killed_then_rerun(data_copy, moment):
    db = data_copy / "archive.db"
    before = stored(db)
    with sqlite3.connect(db) as conn:
        versions = conn.execute("SELECT count(*) FROM article_versions").fetchone()[0]
    process = start("reparse", "--workers", "2", data_dir=data_copy)
    condition = (lambda: bool(children(process.pid))) if moment == "workers started" else log_size(db, 1)
    wait_for(condition, process, f"reparse {moment}")
    kill(process)
    rerun = cli("reparse", data_dir=data_copy)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"re-extracted {before[0]} article(s)" in rerun.stdout and "0 failed" in rerun.stdout
    assert stored(db) == before
    assert integrity(db) == "ok"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM article_versions").fetchone()[0] == versions


def article_hashes(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT url, content_hash FROM articles"))


def articles_at_least(db: Path, count: int):
    def enough() -> bool:
        try:
            return stored(db)[0] >= count
        except sqlite3.Error:
            return False  # not created yet, or busy being created

    return enough


@pytest.fixture(scope="module")
def replay():
    from crawler.replay.server import ReplayServer

    with ReplayServer() as server:
        yield server


@pytest.mark.parametrize("moment", ["first WARC record", "20 articles stored"])
def test_crawl_killed_then_rerun(tmp_path, demo_data, replay, moment):
    data_dir = tmp_path / "data"
    db = data_dir / "archive.db"
    process = start("crawl", "--all", "--replay-url", replay.base_url, data_dir=data_dir)
    if moment == "first WARC record":
        condition = lambda: any((data_dir / "warc").glob("*.warc.gz"))  # noqa: E731
    else:
        condition = articles_at_least(db, 20)
    wait_for(condition, process, f"the crawl reached its {moment}")
    kill(process)
    expected = article_hashes(demo_data / "archive.db")
    assert len(article_hashes(db) if db.exists() else {}) < len(expected), "killed after the crawl's end"
    for path in (data_dir / "warc").glob("*.warc.gz"):
        with open(path, "rb") as handle:  # every record written before the kill reads back
            assert all(record.rec_type for record in ArchiveIterator(handle))
    rerun = cli("crawl", "--all", "--replay-url", replay.base_url, data_dir=data_dir)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert article_hashes(db) == expected
    assert integrity(db) == "ok"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 0
        runs = conn.execute("SELECT id, status, pages_fetched, articles_new FROM runs").fetchall()
        fetched = dict(conn.execute("SELECT run_id, count(*) FROM fetches GROUP BY run_id").fetchall())
    # The killed runs keep the counts their fetches show, so the history adds up to the archive.
    killed = [run for run in runs if run[1] == "killed"]
    assert killed and all(pages == fetched.get(run_id, 0) for run_id, _, pages, _ in killed), runs
    assert sum(new for *_, new in runs) == len(expected), runs
