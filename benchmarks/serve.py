"""Served pages benchmark: response time of the researcher's pages against Datasette's own pages.

Starts the real ``orgnews serve`` on a data directory, asks each page once to warm it, then
times ``--repeat`` requests over HTTP and prints the median and the worst in ms, next to a
baseline timed in the same run: Datasette's own answer for the same thing (the saved query
``search`` for a search page, the row's JSON for an article page, the runs table for the
health page) and its smallest page (``/-/versions.json``, the floor of any request).

    python benchmarks/serve.py --data-dir /tmp/demo                 # runs orgnews demo there first if empty
    python benchmarks/serve.py --data-dir /var/tmp/bench-served     # DIR/archive.db from benchmarks/archive.py
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import serving  # noqa: E402  (the same server start as the browser tests)

QUERIES = ["组织部", "三会一课", "选调生", "党", "干部 OR 人才", '"主题教育" NOT 转载']
TARGETS_MS = {"demo": 300, "large": 1000}


def fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def timed(url: str, repeat: int) -> tuple[float, float, int]:
    status = fetch(url)  # warm: the first request reads the pages of the database it needs
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fetch(url)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples), status


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
            "search.json",
            f"{base}/archive/-/search.json?q={q(first)}",
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="data directory holding archive.db")
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per page")
    parser.add_argument(
        "--target-ms", type=float, help="target per page (default: 300 under 10,000 articles, else 1000)"
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
    with (
        tempfile.TemporaryDirectory() as scratch,
        serving(args.data_dir, Path(scratch) / "serve.log") as base,
    ):
        floor, _, _ = timed(base + "/-/versions.json", args.repeat)
        print(
            f"{articles:,} articles in {db}; {os.cpu_count()} cores, shared machine; {args.repeat} requests per page"
        )
        print(f"floor: /-/versions.json {floor:.1f} ms (median)")
        print(f"{'page':<34}{'median':>9}{'worst':>9}{'baseline':>10}{'ratio':>7}  status")
        worst_page = 0.0
        for label, url, baseline_url in pages(base, conn):
            median, worst, status = timed(url, args.repeat)
            baseline, _, _ = timed(baseline_url, args.repeat)
            worst_page = max(worst_page, median)
            mark = "" if median < target else f"  over {target:.0f} ms"
            print(
                f"{label:<34}{median:>8.1f} {worst:>8.1f} {baseline:>9.1f} {median / baseline:>6.2f}x  {status}{mark}"
            )
        verdict = "every page under" if worst_page < target else "NOT every page under"
        print(f"slowest page median {worst_page:.1f} ms: {verdict} the {target:.0f} ms target")
        print(
            json.dumps({"articles": articles, "slowest_median_ms": round(worst_page, 1), "target_ms": target})
        )


if __name__ == "__main__":
    main()
