"""No worker process outlives its command: ``kill -9`` on a command that started workers ends
them too (a worker left behind would wait for ever on its pipe, holding the archive open)."""

from __future__ import annotations

import signal
import time

import pytest

from .conftest import alive, children, start, wait_for, write_jsonl

pytestmark = pytest.mark.slow


def assert_workers_end_with(process, workers: set[int]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if alive(pid)], "worker processes outlived their command"


def kill_once_it_has_workers(process) -> None:
    workers: set[int] = set()

    def has_workers() -> bool:
        workers.update(children(process.pid))
        return bool(workers)

    wait_for(has_workers, process, "its worker processes started")
    assert_workers_end_with(process, workers)


def test_import_workers_end_with_the_import(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", 3000)
    kill_once_it_has_workers(start("import", str(source), "--workers", "2", data_dir=tmp_path / "data"))


def test_index_workers_end_with_the_index(tmp_path):
    from .conftest import cli

    source = write_jsonl(tmp_path / "in.jsonl", 3000)
    loaded = cli("import", str(source), "--index-later", data_dir=tmp_path / "data")
    assert loaded.returncode == 0, loaded.stderr
    kill_once_it_has_workers(start("index", data_dir=tmp_path / "data"))


def test_reparse_workers_end_with_the_reparse(data_copy):
    kill_once_it_has_workers(start("reparse", "--workers", "2", data_dir=data_copy))
