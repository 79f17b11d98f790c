"""Datasette facet cost: a searched article page with its four facets, with the search run once
(its matching ids passed to the count and every facet) against the search run again by each.

Builds a synthetic archive through the real write API, then asks Datasette (in process, through
its own test client) for ``/archive/articles.json?_search=Q&_facet=site&_facet=source&_facet=column
&_facet=year`` both ways in the same run, and prints the median times and their ratio.

    python benchmarks/facets.py                       # 20,000 articles
    python benchmarks/facets.py --size 100000 --dir /var/tmp/bench
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import archive.datasette_plugin as plugin
from archive import Archive
from archive.browse import build_datasette
from archive.synthetic import CorpusGenerator

QUERIES = ["驻村帮扶", "三会一课 OR 乡村振兴", "全面从严治党 NOT 芯片", "组织生活 干部 人才 选调"]
FACETS = "&".join(f"_facet={name}" for name in ("site", "source", "column", "year"))


def build(path: Path, size: int) -> None:
    with Archive.open(path) as arc:
        arc.save_articles(CorpusGenerator(seed=size).articles(size), defer_pairs=True, defer_stories=True)
        arc.group_stories()
        arc.index_pairs()
        arc.merge_index()


async def page_seconds(datasette, query: str, repeat: int) -> tuple[float, int]:
    """Median seconds of the faceted page for ``query``, and its row count."""
    url = f"/archive/articles.json?_search={urllib.parse.quote(query)}&{FACETS}&_size=20"
    times, count = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = await datasette.client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        count = response.json()["filtered_table_rows_count"]
    return statistics.median(times), count


async def compare(db: Path, repeat: int) -> None:
    datasette = build_datasette(db)
    listed = plugin.LISTED_MATCHES
    print(f"{'query':<24} {'matches':>8} {'run by each':>12} {'run once':>10} {'ratio':>6}")
    for query in QUERIES:
        plugin.LISTED_MATCHES = -1  # baseline: every query of the page runs the search
        again, count = await page_seconds(datasette, query, repeat)
        plugin.LISTED_MATCHES = listed
        once, same = await page_seconds(datasette, query, repeat)
        assert same == count
        print(f"{query:<24} {count:>8,} {again * 1000:>10.0f}ms {once * 1000:>8.0f}ms {again / once:>5.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        db = Path(tmp) / "archive.db"
        started = time.perf_counter()
        build(db, args.size)
        print(f"built {args.size:,} articles in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        asyncio.run(compare(db, args.repeat))


if __name__ == "__main__":
    main()
