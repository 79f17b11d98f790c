"""Archive benchmark: ingest rate, size and query latency against a plain LIKE scan.

Builds synthetic archives of realistic articles (about 3,000 Chinese characters
each, 组织/党建 vocabulary at natural frequencies, see ``archive.synthetic``)
through the real write API, then times the real search API: the match count,
the ranked first page and the newest-first page for 1-, 2- and 4-character
queries, longer phrases and queries mixing one-character and longer terms by
AND, OR and NOT, next to ``LIKE '%q%'`` counts on the same database in the same
run. Prints per-query rows and per-class p50/p95 with ratios.

    python benchmarks/archive.py                         # 20,000 articles, a few minutes
    python benchmarks/archive.py --sizes 100000,1000000 --dir /var/tmp/bench
    python benchmarks/archive.py --dir /var/tmp/bench --reuse --classes mixed
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive import Archive
from archive.charsplit import split_text
from archive.indexing import create_index_table
from archive.query import Node, Term, parse_query
from archive.searching import count_matches, run_search
from archive.synthetic import CorpusGenerator
from archive.writing import BULK_BATCH

QUERIES = {
    "1 char": ["党", "组", "芯", "县", "龙"],
    "2 chars": ["党建", "干部", "芯片", "人才", "选调"],
    "4 chars": ["组织生活", "乡村振兴", "5G芯片", "三会一课", "驻村帮扶"],
    "phrase": ["全面从严治党", "不忘初心牢记使命", "中国特色社会主义思想", "基层党组织"],
    # One-character terms beside longer ones, joined by NOT, OR, both, and AND (党 is in nearly
    # every article, 村 and 镇 in a few).
    "mixed": [
        "组织生活 NOT 党",
        "干部 OR 党",
        "(组织生活 OR 党) NOT 人才",
        "党建 OR 村 NOT 镇",
        "党 组织生活",
    ],
}
GENERATE_CHUNK = 10_000  # generated, then saved in one call: its batches overlap preparing and writing
RARE_SHARE = 0.05
BARE_SAMPLE = 10_000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(function, repeat: int) -> tuple[object, list[float]]:
    function()  # warm the page cache for this query; the table reports warm latency
    samples = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        samples.append((time.perf_counter() - started) * 1000)
    return result, samples


class TreeMemory:
    """Peak resident memory of this process and all of its descendants (the preparing workers),
    summed, sampled every 0.2 s from /proc while ``with`` runs (Linux)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def now(self) -> int:
        return sum(map(_resident_bytes, _process_tree(os.getpid())))

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self.now())


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    tree, waiting = [], [root]
    while waiting:
        tree.append(pid := waiting.pop())
        waiting.extend(children.get(pid, []))
    return tree


def _resident_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def build(
    path: Path, size: int, workers: int, pairs: bool = True, without_pairs: bool = False
) -> tuple[float, dict[str, float], int, float, tuple[int, int]]:
    """Ingest ``size`` articles (stored, characters in the index), then group them into stories,
    add their pairs (unless not ``pairs``) and merge the index segments, as ``orgnews import``
    does; ``without_pairs``, in an archive that keeps no pairs (``orgnews index --no-pairs``), so
    with no pair step.

    Returns (seconds storing and indexing characters, seconds of each step after it, raw text
    bytes, bare FTS5 rate on the first chunk, (peak resident bytes of the process tree through
    all of it, its resident bytes holding the first generated chunk before the load began)).
    """
    corpus = CorpusGenerator(seed=size)
    spent = 0.0
    raw = 0
    bare = 0.0
    holding = 0
    with Archive.open(path) as arc, TreeMemory() as memory:
        if without_pairs:
            arc.drop_pairs()  # what orgnews index --no-pairs leaves: no pairs now or later
        for start in range(0, size, GENERATE_CHUNK):
            chunk = list(corpus.articles(min(GENERATE_CHUNK, size - start), start=start))
            raw += sum(len((a.title or "").encode()) + len(a.body.encode()) for a in chunk)
            if not bare:
                bare = bare_fts_rate(path.with_name(path.name + "-bare"), chunk[:BARE_SAMPLE])
                holding = memory.now()
            started = time.perf_counter()
            arc.save_articles(chunk, workers=workers, defer_pairs=True, defer_stories=True)
            spent += time.perf_counter() - started
            done = start + len(chunk)
            print(f"  {done:>9,} articles  {done / spent:,.0f}/s", file=sys.stderr, flush=True)
        arc.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        spot_check(arc, size, "right after ingest, segments unmerged")
        steps = {"grouped into stories": catch_up(arc.group_stories, "stories")}
        if pairs and not without_pairs:
            steps["pair index added"] = catch_up(arc.index_pairs, "pairs")
        steps["index segments merged"] = catch_up(arc.merge_index, "merged pages", articles=False)
        arc.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return spent, steps, raw, bare, (memory.peak, holding)


def spot_check(arc: Archive, size: int, when: str) -> None:
    """Count and newest-first page times of one query per class (no LIKE scans): what a
    researcher sees at this point of the load."""
    for label, queries in QUERIES.items():
        count, count_ms = timed(lambda q=queries[0]: count_matches(arc, q), 3)
        _, date_ms = timed(lambda q=queries[0]: run_search(arc, q, limit=20, order="date"), 3)
        print(
            f"  {when}: {label} {queries[0]} {count:,} ({count / size:.1%}): count "
            f"{statistics.median(count_ms):.1f} ms, newest-first page {statistics.median(date_ms):.1f} ms"
        )


def catch_up(step, label: str, articles: bool = True) -> float:
    started = time.perf_counter()

    def progress(done: int, total: int | None = None) -> None:
        if not articles or done % 50_000 < 2_000 or done == total:
            elapsed = time.perf_counter() - started
            of = f"/{total:,}" if total else ""
            print(f"  {label} {done:>9,}{of}  {done / elapsed:,.0f}/s", file=sys.stderr, flush=True)

    step(progress=progress)
    return time.perf_counter() - started


def bare_fts_rate(path: Path, articles: list) -> float:
    """Articles/s of nothing but inserting their characters into an FTS5 table of the archive's
    layout (same process, same machine state): the floor that ingest is measured against."""
    rows = [(n, split_text(a.body), split_text(a.title)) for n, a in enumerate(articles, 1)]
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        create_index_table(conn)
        started = time.perf_counter()
        for start in range(0, len(rows), BULK_BATCH):
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO articles_fts(rowid, body, title) VALUES (?, ?, ?)",
                rows[start : start + BULK_BATCH],
            )
            conn.execute("COMMIT")
        return len(rows) / (time.perf_counter() - started)
    finally:
        conn.close()
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()


def like_count(conn: sqlite3.Connection, query: str) -> int:
    """Articles whose title or body hold ``query`` by ``LIKE '%term%'`` scans, its AND, OR and NOT
    evaluated by SQL on each row (the benchmark's terms hold no % or _)."""
    condition, params = _like_condition(parse_query(query).tree)
    return conn.execute(f"SELECT count(*) FROM articles WHERE {condition}", params).fetchone()[0]


def _like_condition(node: Term | Node) -> tuple[str, list[str]]:
    if isinstance(node, Term):
        return "(title LIKE ? OR body LIKE ?)", [f"%{node.text}%"] * 2
    parts = [_like_condition(child) for child in node.children]
    params = [param for _, each in parts for param in each]
    if node.op == "NOT":
        return f"({parts[0][0]} AND NOT {parts[1][0]})", params
    return "(" + f" {node.op} ".join(condition for condition, _ in parts) + ")", params


def measure(path: Path, size: int, repeat: int, per_class: int, classes: list[str]) -> None:
    print(
        f"\n{'query':<24}{'matches':>9}{'share':>8}{'LIKE ms':>10}{'count ms':>10}{'ratio':>8}"
        f"{'rank20 ms':>11}{'date20 ms':>11}"
    )
    timings: dict[str, dict[str, list[float]]] = {}
    rare_ranked: list[float] = []  # ranked first pages of queries matching under 5% of the archive
    conn = sqlite3.connect(path)
    with Archive.open(path) as arc:
        for label in classes:
            queries = QUERIES[label]
            samples = timings.setdefault(
                label, {"like": [], "count": [], "rank": [], "date": [], "ratio": []}
            )
            for query in queries[:per_class]:
                started = time.perf_counter()
                like = like_count(conn, query)
                like_ms = (time.perf_counter() - started) * 1000
                count, count_ms = timed(lambda q=query: count_matches(arc, q), repeat)
                _, rank_ms = timed(lambda q=query: run_search(arc, q, limit=20), repeat)
                _, date_ms = timed(lambda q=query: run_search(arc, q, limit=20, order="date"), repeat)
                if count != like:
                    raise SystemExit(f"search count {count} != LIKE count {like} for {query!r}")
                ratio = like_ms / statistics.median(count_ms)
                samples["like"].append(like_ms)
                samples["count"].extend(count_ms)
                samples["rank"].extend(rank_ms)
                samples["date"].extend(date_ms)
                samples["ratio"].append(ratio)
                if count < RARE_SHARE * size:
                    rare_ranked.extend(rank_ms)
                print(
                    f"{query:<24}{count:>9,}{count / size:>8.1%}{like_ms:>10.0f}{statistics.median(count_ms):>10.1f}"
                    f"{ratio:>7.0f}x{statistics.median(rank_ms):>11.1f}{statistics.median(date_ms):>11.1f}"
                )
    print(
        f"\n{'class':<10}{'LIKE p50':>10}{'count p50':>11}{'count p95':>11}{'LIKE/count':>12}"
        f"{'rank20 p50':>12}{'rank20 p95':>12}{'date20 p50':>12}{'date20 p95':>12}   (ms)"
    )
    for label, s in timings.items():
        print(
            f"{label:<10}{statistics.median(s['like']):>10.0f}{percentile(s['count'], 0.5):>11.1f}"
            f"{percentile(s['count'], 0.95):>11.1f}{min(s['ratio']):>6.0f}-{max(s['ratio']):<5.0f}"
            f"{percentile(s['rank'], 0.5):>12.1f}{percentile(s['rank'], 0.95):>12.1f}"
            f"{percentile(s['date'], 0.5):>12.1f}{percentile(s['date'], 0.95):>12.1f}"
        )
    every_date = [ms for s in timings.values() for ms in s["date"]]
    print(f"\nnewest-first first page, every query: p95 {percentile(every_date, 0.95):.1f} ms")
    if rare_ranked:
        print(
            f"ranked first page, queries matching under {RARE_SHARE:.0%}: "
            f"p95 {percentile(rare_ranked, 0.95):.1f} ms ({len(rare_ranked)} timings)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="20000", help="comma-separated archive sizes (articles)")
    parser.add_argument("--dir", default="/tmp/orgnews-archive-bench", help="where the archives are built")
    parser.add_argument(
        "--workers",
        type=int,
        default=max(1, (os.cpu_count() or 2) - 1),
        help="processes preparing articles while the main one writes (0: none)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query and measure")
    parser.add_argument(
        "--per-class", type=int, default=5, help="queries per class (LIKE scans are slow at 1M)"
    )
    parser.add_argument(
        "--classes",
        default=",".join(QUERIES),
        help=f"comma-separated query classes to measure (default every one: {', '.join(QUERIES)})",
    )
    parser.add_argument("--reuse", action="store_true", help="query an archive already built in --dir")
    parser.add_argument("--keep", action="store_true", help="keep the archives afterwards")
    parser.add_argument(
        "--ingest-only",
        action="store_true",
        help="build, group stories and merge the index, then stop: no pair index, no queries",
    )
    parser.add_argument(
        "--without-pairs",
        action="store_true",
        help="build an archive that keeps no pair index (as orgnews index --no-pairs), then measure it",
    )
    args = parser.parse_args()
    classes = args.classes.split(",")
    if unknown := sorted(set(classes) - set(QUERIES)):
        parser.error(f"unknown query class {', '.join(unknown)}: use {', '.join(QUERIES)}")
    root = Path(args.dir)
    root.mkdir(parents=True, exist_ok=True)
    for size in (int(s.replace("_", "")) for s in args.sizes.split(",")):
        path = root / f"archive-{size}.db"
        print(f"=== {size:,} articles  ({path}, sqlite {sqlite3.sqlite_version}, {os.cpu_count()} cores)")
        if not (args.reuse and path.exists()):
            for leftover in root.glob(f"archive-{size}.db*"):
                leftover.unlink()
            spent, steps, raw, bare, (peak, holding) = build(
                path,
                size,
                args.workers,
                pairs=not args.ingest_only,
                without_pairs=args.without_pairs,
            )
            db_bytes = path.stat().st_size
            print(
                f"ingest: {size / spent:,.0f} articles/s stored and searchable (character index) "
                f"({spent:.0f} s, {args.workers} preparing workers); "
                f"{size / spent / bare:.2f}x a bare FTS5 insert of the same characters "
                f"({bare:,.0f}/s on the first {min(size, BARE_SAMPLE):,}, same run)"
            )
            for step, seconds in steps.items():
                rate = (
                    f"{size / seconds:,.0f} articles/s ({seconds:.0f} s)"
                    if seconds >= 1
                    else "under a second"
                )
                print(f"{step} behind it: {rate}")
            total = spent + sum(steps.values())
            print(f"all together: {size / total:,.0f} articles/s ({total:.0f} s)")
            print(
                f"peak RSS of the process tree through every step: {peak / 2**20:,.0f} MiB "
                f"(of which the benchmark's own first chunk of {min(size, GENERATE_CHUNK):,} generated articles and "
                f"its interpreter, before the load began: {holding / 2**20:,.0f} MiB)"
            )
            print(
                f"size: database {db_bytes / 2**20:,.0f} MiB / raw title+body text {raw / 2**20:,.0f} MiB"
                f" = {db_bytes / raw:.2f}"
            )
        if not args.ingest_only:
            measure(path, size, args.repeat, args.per_class, classes)
        if not args.keep:
            for built in root.glob(f"archive-{size}.db*"):
                built.unlink()


if __name__ == "__main__":
    main()
