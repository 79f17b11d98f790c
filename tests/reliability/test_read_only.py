"""A read-only archive (read-only media, a folder owned by the crawl's user): the commands that
read work and say once that it is read-only; the commands that write refuse with one line.

Two kinds: the whole data directory read-only (SQLite cannot even open the write-ahead log
beside the file, so it is read as immutable), and only the archive file read-only.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

from .conftest import DROP_ROOT_OVERRIDES, assert_one_clear_line, cli, free_port

pytestmark = pytest.mark.slow

WRITING = [
    ["crawl", "--all", "--replay-url", "http://127.0.0.1:9"],
    ["import", "-"],
    ["index"],
    ["reparse"],
    ["backfill-appointments"],
    ["ingest", "--redis", "REDIS"],
]


def leave_log_behind(data_dir: Path) -> None:
    """Make the archive look copied while a crawl was writing: a write-ahead log beside it."""
    db = data_dir / "archive.db"
    copy = data_dir.with_name("copy")
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.executescript("CREATE TABLE scratch(x); DROP TABLE scratch;")  # a commit the log holds
        shutil.copytree(data_dir, copy)
    finally:
        conn.close()
    shutil.rmtree(data_dir)
    copy.rename(data_dir)
    assert (data_dir / "archive.db-wal").stat().st_size > 0 and (data_dir / "archive.db-shm").exists()


def make_read_only(data_dir: Path, kind: str) -> None:
    if kind == "directory with its log":
        leave_log_behind(data_dir)
    if kind.startswith("directory"):
        for path in sorted(data_dir.rglob("*"), reverse=True):
            path.chmod(0o555 if path.is_dir() else 0o444)
        data_dir.chmod(0o555)
    else:
        (data_dir / "archive.db").chmod(0o444)


def digest(data_dir: Path) -> str:
    return hashlib.sha256((data_dir / "archive.db").read_bytes()).hexdigest()


# How SQLite opens each: a read-only directory without the write-ahead log files, only as
# immutable (it cannot create them); one holding them, or a read-only file, with mode=ro.
KINDS = {"directory": "immutable=1", "directory with its log": "mode=ro", "file": "mode=ro"}


@pytest.fixture(params=list(KINDS))
def read_only(request, data_copy):
    make_read_only(data_copy, request.param)
    yield data_copy, request.param
    for path in [data_copy, *data_copy.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_search_and_runs_read_a_read_only_archive_and_say_so_once(read_only):
    data_dir, kind = read_only
    before = digest(data_dir)
    found = cli("search", "党建", "--format", "json", "--limit", "0", data_dir=data_dir, as_user=True)
    assert found.returncode == 0, found.stderr
    assert len(json.loads(found.stdout)) > 0
    notes = [line for line in found.stderr.splitlines() if "read-only" in line]
    assert len(notes) == 1 and KINDS[kind] in notes[0], found.stderr
    runs = cli("runs", "--json", data_dir=data_dir, as_user=True)
    assert runs.returncode == 0 and len(json.loads(runs.stdout)) > 0, runs.stderr
    assert digest(data_dir) == before


@pytest.mark.parametrize("args", WRITING, ids=[args[0] for args in WRITING])
def test_writing_commands_refuse_a_read_only_archive_in_one_line(read_only, redis_url, args):
    data_dir, _ = read_only
    before = digest(data_dir)
    argv = [redis_url if arg == "REDIS" else arg for arg in args]
    result = cli(*argv, data_dir=data_dir, as_user=True, stdin='{"url": "https://e.example.cn/1"}\n')
    line = assert_one_clear_line(result)
    # Said as what it is and what to do, in the one wording every writing command uses, never as
    # the system's word for a file it could not create (reparse's lock file in a read-only data
    # directory was "Permission denied"; crawl's data directory check was "not writable").
    assert "is read-only here (" in line and "): this command writes to " in line, line
    assert "; run it where the " in line and line.endswith(" can be written"), line
    assert "Permission denied" not in line and "not writable" not in line, line
    assert digest(data_dir) == before


def test_export_writes_a_release_of_a_read_only_archive(read_only, tmp_path):
    data_dir, kind = read_only
    before = digest(data_dir)
    out = tmp_path / "release"
    result = cli("export", "--out", str(out), "--format", "csv", data_dir=data_dir, as_user=True)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert any(resource["path"].startswith("data/articles/") for resource in package["resources"])
    # Read as export always reads (mode=ro), or as immutable where even that cannot: said once.
    notes = [line for line in result.stderr.splitlines() if "read-only" in line]
    assert len(notes) == (KINDS[kind] == "immutable=1") and all("immutable=1" in n for n in notes), (
        result.stderr
    )
    assert digest(data_dir) == before


def test_serve_serves_a_read_only_archive(read_only):
    data_dir, _ = read_only
    port = free_port()
    argv = [*DROP_ROOT_OVERRIDES, sys.executable, "-m", "crawler.cli", "serve", "--port", str(port)]
    env = {**os.environ, "ORGNEWS_DATA_DIR": str(data_dir)}
    server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/archive/articles.json?_search=%E5%85%9A%E5%BB%BA&_shape=objects"
        deadline = time.monotonic() + 60
        while True:
            try:
                rows = json.loads(urllib.request.urlopen(url, timeout=10).read())["rows"]
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()
                time.sleep(0.2)
        assert rows
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert server.stderr.read().decode().count("read-only here") == 1
