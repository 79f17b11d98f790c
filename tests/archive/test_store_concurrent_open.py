"""Several processes opening one new archive at once all get a migrated archive."""

from __future__ import annotations

import multiprocessing

from archive import Archive
from archive.schema import SCHEMA_VERSION, schema_version


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
