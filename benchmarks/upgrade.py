"""Upgrade benchmark: opening an archive of schema 14, whose upgrade rebuilds the character index.

Builds (once, kept in ``--dir``) an archive at schema 14 holding synthetic articles (about 3,000
Chinese characters each, see ``archive.synthetic``) as plain rows, its old index table empty;
then copies it and opens the copy with ``Archive.open`` in a fresh process, which upgrades it:
prints the wall time of the open and that process's peak resident memory, and its ratio to the
baseline, reading every article and splitting its text into characters (what the rebuild
inserts) in this process, without writing. ``--kill-after S``
kills the opening process with SIGKILL after S seconds, then opens the copy again and prints the
time of that second open (which goes on with the rebuild where the first one stopped).
``--source DIR`` runs the opening process on the orgnews code in DIR (e.g. an export of another
branch), for a before-and-after comparison on the same archive.

    python benchmarks/upgrade.py --articles 100000 --dir /var/tmp/upgrade
    python benchmarks/upgrade.py --articles 100000 --dir /var/tmp/upgrade --kill-after 20
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.indexing import character_values
from archive.schema import migrate
from archive.synthetic import CorpusGenerator

ROOT = Path(__file__).resolve().parent.parent

OLD_SCHEMA = 14  # the last schema before the index of characters and the one of pairs
CHUNK = 10_000
OPEN = "import sys; sys.path.insert(0, sys.argv[1]); from archive import Archive; Archive.open(sys.argv[2]).close()"


def build_old_archive(path: Path, articles: int) -> None:
    """An archive at ``OLD_SCHEMA`` holding ``articles`` synthetic articles, none of them indexed."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    conn = sqlite3.connect(partial, isolation_level=None)
    migrate(conn, target=OLD_SCHEMA)
    corpus = CorpusGenerator(seed=articles)
    for start in range(0, articles, CHUNK):
        rows = [
            (a.url, a.site, a.column, a.title, a.source, a.published_at, a.author, a.body, start + n + 1)
            for n, a in enumerate(corpus.articles(min(CHUNK, articles - start), start=start))
        ]
        conn.execute("BEGIN")
        conn.executemany(
            'INSERT INTO articles(url, site, "column", title, source, published_at, author, body, '
            "content_hash, story_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'h', ?)",
            rows,
        )
        conn.execute("COMMIT")
        print(f"  built {start + len(rows):,} articles", file=sys.stderr, flush=True)
    conn.close()
    partial.rename(path)
    partial.with_name(partial.name + "-migrate.lock").unlink(missing_ok=True)


def timed_open(path: Path, source: Path, kill_after: float | None = None) -> tuple[float, int, bool]:
    """Open ``path`` in a fresh process: (seconds, peak resident bytes, whether it was killed)."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", OPEN, str(source), str(path)])
    killed = False
    # wait4 gives this child's own peak (getrusage(RUSAGE_CHILDREN) keeps the largest so far).
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if kill_after is not None and not killed and time.perf_counter() - started > kill_after:
            os.kill(child.pid, signal.SIGKILL)
            killed = True
        time.sleep(0.05)
    child.returncode = os.waitstatus_to_exitcode(status)
    spent = time.perf_counter() - started
    if not killed and child.returncode != 0:
        raise SystemExit(f"opening {path} failed with exit status {child.returncode}")
    return spent, usage.ru_maxrss * 1024, killed


def bare_split(path: Path) -> float:
    """Seconds to read every article of ``path`` and split its title and body into characters."""
    started = time.perf_counter()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    for _, title, body in conn.execute("SELECT id, title, body FROM articles"):
        character_values(title, body)
    conn.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--dir", type=Path, default=Path("/var/tmp/orgnews-upgrade"))
    parser.add_argument("--source", type=Path, default=ROOT, help="orgnews code the open runs on")
    parser.add_argument("--kill-after", type=float, help="SIGKILL the first open after this many seconds")
    options = parser.parse_args()
    options.dir.mkdir(parents=True, exist_ok=True)
    old = options.dir / f"schema{OLD_SCHEMA}-{options.articles}.db"
    if not old.exists():
        build_old_archive(old, options.articles)
    copy = options.dir / "upgrading.db"
    for leftover in (copy, *(copy.with_name(copy.name + end) for end in ("-wal", "-shm", "-migrate.lock"))):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(old, copy)
    print(f"{options.articles:,} articles at schema {OLD_SCHEMA}, opened with the code in {options.source}")
    bare = bare_split(old)
    print(f"  baseline: read and split into characters in {bare:,.1f} s")
    spent, peak, killed = timed_open(copy, options.source, options.kill_after)
    state = "killed after" if killed else "upgraded in"
    print(f"  first open: {state} {spent:,.1f} s ({spent / bare:.2f}x), peak RSS {peak / 2**20:,.0f} MiB")
    if killed:
        again, peak, _ = timed_open(copy, options.source)
        print(
            f"  second open: {again:,.1f} s, peak RSS {peak / 2**20:,.0f} MiB; both {spent + again:,.1f} s "
            f"({(spent + again) / bare:.2f}x)"
        )
    print(f"  ({resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:,.0f} MiB peak in this process)")


if __name__ == "__main__":
    main()
