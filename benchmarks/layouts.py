"""Index layouts compared: insert rate and size of FTS5 tables holding the benchmark corpus
as characters, as pairs, with and without positions, in one table or two.

Each layout is a fresh file holding nothing but its FTS5 table(s), filled in transactions of
5,000 articles with merging off, then fully merged (``optimize``). Rates are articles/s (wall
clock, and CPU time of this process) over the insert and the merge together; sizes are the
file over the raw title and body text (UTF-8). The first layout, the characters with
positions in one table, is the floor the others are read against (the ratio column).

    python benchmarks/layouts.py                          # 20,000 articles
    python benchmarks/layouts.py --size 5000 --layouts characters,pairs-no-positions
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.charsplit import split_pairs, split_text
from archive.synthetic import CorpusGenerator

BATCH = 5000
HASH_SIZE = 256 * 2**20

Texts = tuple[str, str]  # body, title
# name -> (tables: list of (columns, detail, the row values of an article's split texts))
LAYOUTS: dict[str, list[tuple[str, str, Callable[[Texts, Texts], tuple[str, ...]]]]] = {
    "characters": [("body, title", "full", lambda c, p: c)],
    "characters-no-positions": [("body, title", "none", lambda c, p: c)],
    "characters-columns-only": [("body, title", "column", lambda c, p: c)],
    "pairs": [("body, title", "full", lambda c, p: p)],
    "pairs-no-positions": [("body, title", "none", lambda c, p: p)],
    "one-table-four-columns-title-first": [
        ("title, body, title_pairs, body_pairs", "full", lambda c, p: (c[1], c[0], p[1], p[0]))
    ],
    "orgnews-two-tables-body-first": [
        ("body, title", "full", lambda c, p: c),
        ("body, title", "full", lambda c, p: p),
    ],
}


def measure(path: Path, layout, characters: list[Texts], pairs: list[Texts]) -> tuple[float, float]:
    """Fill ``layout`` in a new database at ``path``; (wall seconds, CPU seconds)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    wall, cpu = time.perf_counter(), time.process_time()
    for number, (columns, detail, values) in enumerate(layout):
        table = f"t{number}"
        conn.execute(
            f"CREATE VIRTUAL TABLE {table} USING fts5({columns}, content='', tokenize='ascii', detail={detail})"
        )
        for option, value in (("hashsize", HASH_SIZE), ("automerge", 0), ("crisismerge", 2000)):
            conn.execute(f"INSERT INTO {table}({table}, rank) VALUES (?, ?)", [option, value])
        marks = ", ".join("?" * (columns.count(",") + 2))
        insert = f"INSERT INTO {table}(rowid, {columns}) VALUES ({marks})"
        for start in range(0, len(characters), BATCH):
            rows = range(start, min(start + BATCH, len(characters)))
            conn.execute("BEGIN")
            conn.executemany(insert, ((n + 1, *values(characters[n], pairs[n])) for n in rows))
            conn.execute("COMMIT")
        conn.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
    spent = time.perf_counter() - wall, time.process_time() - cpu
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=20_000, help="articles")
    parser.add_argument("--layouts", default=",".join(LAYOUTS), help="comma-separated names")
    args = parser.parse_args()
    names = [name.strip() for name in args.layouts.split(",") if name.strip()]
    if unknown := [name for name in names if name not in LAYOUTS]:
        parser.error(f"unknown layouts: {', '.join(unknown)} (known: {', '.join(LAYOUTS)})")
    articles = [(a.title or "", a.body) for a in CorpusGenerator(seed=args.size).articles(args.size)]
    raw = sum(len(title.encode()) + len(body.encode()) for title, body in articles)
    characters = [(split_text(body), split_text(title)) for title, body in articles]
    pairs = [(split_pairs(body), split_pairs(title)) for title, body in articles]
    print(f"{args.size:,} articles, {raw / 2**20:,.0f} MiB of raw text, sqlite {sqlite3.sqlite_version}")
    print(f"{'layout':<42}{'articles/s':>11}{'CPU /s':>9}{'ratio':>8}{'size/raw':>10}")
    floor = None
    with tempfile.TemporaryDirectory() as folder:
        for number, name in enumerate(names):
            path = Path(folder) / f"layout-{number}.db"
            wall, cpu = measure(path, LAYOUTS[name], characters, pairs)
            rate = args.size / wall
            floor = floor or rate
            size = path.stat().st_size / raw
            print(
                f"{name:<42}{rate:>11,.0f}{args.size / cpu:>9,.0f}{rate / floor:>7.2f}x{size:>10.3f}",
                flush=True,
            )
            path.unlink()


if __name__ == "__main__":
    main()
