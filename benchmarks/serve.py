"""Served pages benchmark: response time of the researcher's pages against Datasette's own pages.

Starts the real ``orgnews serve`` on a data directory, asks each page once to warm it, then
times ``--repeat`` requests over HTTP and prints the median and the worst in ms, next to a
baseline timed in the same run: Datasette's own answer for the same thing (the saved query
``search`` for a search page, the row's JSON for an article page, the runs table for the
health page) and its smallest page (``/-/versions.json``, the floor of any request).

    python benchmarks/serve.py --data-dir /tmp/demo                 # runs orgnews demo there first if empty
    python benchmarks/serve.py --data-dir /var/tmp/bench-served     # DIR/archive.db from benchmarks/archive.py
    python benchmarks/serve.py --data-dir DIR --before OLD_CHECKOUT --before-data-dir COPY   # before/after

With ``--before`` each page is also asked of an earlier version's server, right after this one's,
so that both are timed under the same load.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import served  # noqa: E402  (the same server start as the browser tests)

QUERIES = ["组织部", "三会一课", "选调生", "党", "干部 OR 人才", '"主题教育" NOT 转载']
TARGETS_MS = {"demo": 300, "large": 1000}


def fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def cpu_ms(pid: int) -> float:
    """CPU time (user and system) the process ``pid`` has used so far, in ms (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def timed(url: str, repeat: int, pid: int | None = None) -> tuple[float, float, int, float]:
    """Median and worst ms of ``repeat`` requests of ``url``, its status, and the CPU ms per request
    of the server ``pid`` (which the machine's load changes far less than the wall time)."""
    status = fetch(url)  # warm: the first request reads the pages of the database it needs
    samples = []
    cpu_before = cpu_ms(pid) if pid else 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        fetch(url)
        samples.append((time.perf_counter() - started) * 1000)
    cpu = (cpu_ms(pid) - cpu_before) / repeat if pid else 0.0
    return statistics.median(samples), max(samples), status, cpu


def pages(base: str, conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(label, page URL, baseline URL) for every page worth timing in this archive."""
    q = urllib.parse.quote
    result = []
    for query in QUERIES:
        saved = f"{base}/archive/search?q={q(query)}"
        result.append((f"search {query}", f"{base}/archive/-/search?q={q(query)}", saved))
    first, second = QUERIES[0], QUERIES[1]
    result += [
        (
            "search, newest first",
            f"{base}/archive/-/search?q={q(first)}&order=date",
            f"{base}/archive/search_by_date?q={q(first)}",
        ),
        (
            "search + compare",
            f"{base}/archive/-/search?q={q(first)}&compare={q(second)}",
            f"{base}/archive/search?q={q(first)}",
        ),
        (
            "search page 5",
            f"{base}/archive/-/search?q={q(first)}&page=5",
            f"{base}/archive/search?q={q(first)}",
        ),
        (
            "search.json, 20 hits",
            f"{base}/archive/-/search.json?q={q(first)}&size=20",
            f"{base}/archive/search.json?q={q(first)}",
        ),
        (
            "timeline.csv",
            f"{base}/archive/-/timeline.csv?q={q(first)}",
            f"{base}/archive/search.csv?q={q(first)}",
        ),
    ]
    site = conn.execute("SELECT site FROM articles GROUP BY site ORDER BY count(*) DESC LIMIT 1").fetchone()[
        0
    ]
    result.append(
        (
            "search, one site",
            f"{base}/archive/-/search?q={q(first)}&site={q(site)}",
            f"{base}/archive/search?q={q(first)}",
        )
    )
    ids = [row[0] for row in conn.execute("SELECT id FROM articles ORDER BY random() LIMIT 3")]
    ids += [row[0] for row in conn.execute("SELECT article_id FROM article_versions LIMIT 1")]
    ids += [
        row[0]
        for row in conn.execute(
            "SELECT max(id) FROM articles WHERE story_id IN (SELECT story_id FROM reposts)"
        )
    ]
    for article_id in dict.fromkeys(i for i in ids if i is not None):
        result.append(
            (
                f"article {article_id}",
                f"{base}/archive/articles/{article_id}",
                f"{base}/archive/articles/{article_id}.json",
            )
        )
    capture = conn.execute(
        "SELECT max(id) FROM fetches WHERE outcome = 'article' AND warc_file IS NOT NULL"
    ).fetchone()[0]
    if capture is not None:
        result.append(
            ("capture", f"{base}/archive/-/capture/{capture}", f"{base}/archive/fetches/{capture}.json")
        )
    result.append(("crawl health", f"{base}/archive/-/health", f"{base}/archive/runs"))
    return result


def every_hit(base: str, query: str) -> None:
    """Time the CSV of every hit of ``query`` once (a download, not a page: its rate is what counts)."""
    started = time.perf_counter()
    with urllib.request.urlopen(
        f"{base}/archive/-/search.csv?q={urllib.parse.quote(query)}", timeout=3600
    ) as answer:
        rows = sum(1 for _ in csv.reader(io.TextIOWrapper(answer, encoding="utf-8"))) - 1
    seconds = time.perf_counter() - started
    print(f"every hit of {query} as CSV: {rows:,} rows in {seconds:.1f} s, {rows / seconds:,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="data directory holding archive.db")
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per page")
    parser.add_argument(
        "--target-ms", type=float, help="target per page (default: 300 under 10,000 articles, else 1000)"
    )
    parser.add_argument(
        "--before",
        type=Path,
        help="a checkout of an earlier version (git worktree or git archive): its orgnews serve is timed "
        "on the same pages, each page asked of both in turn",
    )
    parser.add_argument(
        "--before-data-dir",
        type=Path,
        help="its data directory (a copy of --data-dir's archive: each version brings the schema to its own)",
    )
    args = parser.parse_args()
    db = args.data_dir / "archive.db"
    if not db.exists():
        print(f"no archive in {args.data_dir}: running orgnews demo there", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "crawler.cli", "demo", "--data-dir", str(args.data_dir)],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    target = args.target_ms or (TARGETS_MS["demo"] if articles < 10_000 else TARGETS_MS["large"])
    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as servers:
        after = servers.enter_context(served(args.data_dir, Path(scratch) / "serve.log"))
        before = None
        if args.before:
            log = Path(scratch) / "before.log"
            before = servers.enter_context(served(args.before_data_dir or args.data_dir, log, args.before))
        base = after[0]
        floor, *_ = timed(base + "/-/versions.json", args.repeat)
        print(
            f"{articles:,} articles in {db}; {os.cpu_count()} cores, shared machine; {args.repeat} requests per page"
        )
        print(f"floor: /-/versions.json {floor:.1f} ms (median); load average {os.getloadavg()[0]:.1f}")
        worst_page = time_pages(after, before, conn, args.repeat, target)
        verdict = "every page under" if worst_page < target else "NOT every page under"
        print(f"slowest page median {worst_page:.1f} ms: {verdict} the {target:.0f} ms target")
        print(f"load average {os.getloadavg()[0]:.1f}")
        every_hit(base, QUERIES[1])
        print(
            json.dumps({"articles": articles, "slowest_median_ms": round(worst_page, 1), "target_ms": target})
        )


def time_pages(
    after: tuple[str, Any],
    before: tuple[str, Any] | None,
    conn: sqlite3.Connection,
    repeat: int,
    target: float,
) -> float:
    """Time every page (and, with ``before``, the same page of the earlier version right after it);
    print a line per page with the server's CPU ms per request; returns the slowest median."""
    base, server = after
    earlier = f"{'before':>9}{'cpu':>7}{'vs':>7}" if before else ""
    print(f"{'page':<30}{'median':>9}{'worst':>9}{'cpu':>7}{earlier}{'baseline':>10}{'ratio':>7}  status")
    worst_page = 0.0
    for label, url, baseline_url in pages(base, conn):
        median, worst, status, cpu = timed(url, repeat, server.pid)
        compared = ""
        if before:
            earlier_url = before[0] + url.removeprefix(base)
            earlier_median, _, _, earlier_cpu = timed(earlier_url, repeat, before[1].pid)
            compared = f"{earlier_median:>9.1f}{earlier_cpu:>7.0f}{median / earlier_median:>6.2f}x"
        baseline, *_ = timed(baseline_url, repeat)
        worst_page = max(worst_page, median)
        mark = "" if median < target else f"  over {target:.0f} ms"
        print(
            f"{label:<30}{median:>8.1f} {worst:>8.1f}{cpu:>7.0f}{compared} {baseline:>9.1f} "
            f"{median / baseline:>6.2f}x  {status}{mark}"
        )
    return worst_page


if __name__ == "__main__":
    main()
