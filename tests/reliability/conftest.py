"""What the reliability tests share: a crawled archive to damage, copy or kill commands on, and
the rule every failure must follow (one clear line, no traceback)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Run as root, a process writes wherever it likes: the read-only tests drop the privileges
# that let it (setpriv, from util-linux), so that file modes hold as they do for any other user.
DROP_ROOT_OVERRIDES = (
    ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"] if os.geteuid() == 0 else []
)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A real redis-server of the tests' own, for the commands of a crawl cluster."""
    from tests.redisserver import RedisServer

    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield f"{server.url}/0"


@pytest.fixture
def data_copy(demo_data, tmp_path) -> Path:
    """A copy of the demo's data directory (archive.db, warc/, logs/) this test may break."""
    copy = tmp_path / "data"
    shutil.copytree(demo_data, copy, ignore=shutil.ignore_patterns("crawl.lock"))
    return copy


def cli(
    *args: str,
    data_dir: Path | None = None,
    stdin: str | bytes | None = None,
    timeout: float = 120,
    as_user: bool = False,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """The real ``orgnews`` in a subprocess, output decoded; ``as_user``: without root's overrides."""
    argv = [*(DROP_ROOT_OVERRIDES if as_user else []), sys.executable, "-m", "crawler.cli", *args]
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200", **(env or {})}
    if data_dir is not None:
        full_env["ORGNEWS_DATA_DIR"] = str(data_dir)
    data = stdin.encode() if isinstance(stdin, str) else stdin
    done = subprocess.run(argv, capture_output=True, input=data, timeout=timeout, env=full_env, cwd=ROOT)
    return subprocess.CompletedProcess(
        done.args,
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def assert_one_clear_line(result: subprocess.CompletedProcess, *expected: str) -> str:
    """The command failed with a non-zero status and one error line (containing ``expected``),
    no traceback. Returns that line."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    errors = [line for line in result.stderr.splitlines() if line.lower().startswith("error:")]
    assert len(errors) == 1, output
    for text in expected:
        assert text in errors[0], output
    return errors[0]


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be read


def start(*args: str, data_dir: Path) -> subprocess.Popen:
    """The real ``orgnews`` started in the background, its stderr a pipe read line by line."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "ORGNEWS_DATA_DIR": str(data_dir)}
    argv = [sys.executable, "-m", "crawler.cli", *args]
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(condition, process: subprocess.Popen, what: str, seconds: float = 120) -> None:
    """Poll ``condition()`` until it holds; fail if ``process`` ended first or time runs out."""
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the command ended before {what}: {process.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"no {what} within {seconds} s")
        time.sleep(0.02)


def write_jsonl(path: Path, count: int, seed: int = 7) -> Path:
    """``count`` synthetic articles as JSON lines, as ``orgnews extract`` would print them."""
    from archive.synthetic import CorpusGenerator

    with path.open("w", encoding="utf-8") as handle:
        for article in CorpusGenerator(seed=seed).articles(count, body_chars=400):
            handle.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")
    return path
