"""Export benchmark: seconds and peak memory of ``orgnews export`` per format, against a bare SELECT.

Builds (or reuses) a synthetic archive with the archive benchmark's generator
(``archive.synthetic``: about 3,000 characters of 组织/党建 text per article) through the
real write API, then in the same run: a bare ``SELECT`` of every article column in id order,
read to the end in this process after one untimed read (the floor: the archive cannot be read
faster), and the real ``orgnews export --format F`` in a subprocess for each format, with its
wall time and its peak resident memory (``wait4``). Prints seconds, the ratio to the bare
read, peak RSS and bytes written.

    python benchmarks/export.py                                          # 20,000 articles
    python benchmarks/export.py --size 100000 --dir /var/tmp/bench-export/100k --build-only
    python benchmarks/export.py --size 100000 --dir /var/tmp/bench-export/100k --reuse --keep
    # 1,000,000: a copy of the 100,000-article archive, each article then held ten times
    python benchmarks/export.py --dir /var/tmp/bench-export/1m --reuse --copies 10 --build-only
    python benchmarks/export.py --dir /var/tmp/bench-export/1m --reuse --keep
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive import Archive
from archive.synthetic import SITES, CorpusGenerator
from crawler.extract import Article

GENERATE_CHUNK = 50_000
COLUMNS = (
    "id, url, canonical_url, site, [column], title, subtitle, source, published_at, author, editor, body, "
    "images, attachments, year, next_pages, warnings, story_id, content_hash, first_seen, last_seen"
)
TARGET_RATIO = 3.0
TARGET_RSS_MB = 500


def synthetic_articles(corpus: CorpusGenerator, start: int, count: int, pool: list[Article]) -> list[Article]:
    """Articles ``start`` to ``start + count``; with a ``pool``, each takes the text of one of its
    articles (and its own site, date and URL), which is far quicker to make than new text."""
    if not pool:
        return list(corpus.articles(count, start=start))
    made = []
    for number in range(start, start + count):
        text = pool[number % len(pool)]
        year = 2012 + number % 13
        published = f"{year}-{1 + number % 12:02d}-{1 + number % 28:02d}"
        site = SITES[number % len(SITES)]
        made.append(
            replace(
                text,
                url=f"https://{site}.example.cn/content/{year}/{number}.html",
                site=site,
                published_at=published,
            )
        )
    return made


def build(data_dir: Path, size: int, pool_size: int = 0) -> None:
    """``size`` synthetic articles saved as ``orgnews import`` saves them (grouping and pairs left for later)."""
    corpus = CorpusGenerator(seed=size)
    pool = list(corpus.articles(pool_size)) if pool_size else []
    started = time.perf_counter()
    with Archive.open(data_dir / "archive.db") as arc:
        for start in range(0, size, GENERATE_CHUNK):
            chunk = synthetic_articles(corpus, start, min(GENERATE_CHUNK, size - start), pool)
            arc.save_articles(chunk, workers=1, defer_pairs=True, defer_stories=True)
            print(
                f"  built {start + len(chunk):,} articles ({time.perf_counter() - started:,.0f} s)",
                flush=True,
            )


def add_copies(db: Path, copies: int) -> None:
    """Make the archive ``copies`` times as large: each article again under a new id and URL, with
    one SQL statement per copy straight into the articles table. Far quicker than new articles
    through the write API, and enough for the export, which reads no search index."""
    conn = sqlite3.connect(db)
    (top,) = conn.execute("SELECT max(id) FROM articles").fetchone()
    names = [row[1] for row in conn.execute("PRAGMA table_info(articles)")]
    copied = ", ".join(
        {
            "id": "id + :shift",
            "url": "url || '#copy' || :copy",
            "story_id": "coalesce(story_id, id) + :shift",
        }.get(name, f'"{name}"')
        for name in names
    )
    columns = ", ".join(f'"{name}"' for name in names)
    started = time.perf_counter()
    for copy in range(1, copies):
        with conn:
            conn.execute(
                f"INSERT INTO articles ({columns}) SELECT {copied} FROM articles WHERE id <= :top",
                {"shift": copy * top, "copy": copy, "top": top},
            )
        print(f"  copy {copy} of {copies - 1} ({time.perf_counter() - started:,.0f} s)", flush=True)
    conn.close()


def bare_select(db: Path) -> tuple[float, float, int]:
    """Seconds and CPU seconds to read every article row, every column the export writes, in id order."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    started, cpu = time.perf_counter(), time.process_time()
    cursor = conn.execute(f"SELECT {COLUMNS} FROM articles ORDER BY id")
    rows = 0
    while batch := cursor.fetchmany(1_000):
        rows += len(batch)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    conn.close()
    return seconds, cpu, rows


def compression_floor(db: Path) -> float:
    """Seconds to compress every article body with zstd at the release's level, on one thread, in
    1 MB pieces as Parquet pages are: the part of a Parquet export no reading can hide."""
    import pyarrow as pa

    from archive.export.writers import ZSTD_LEVEL

    codec = pa.Codec("zstd", compression_level=ZSTD_LEVEL)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    cursor = conn.execute("SELECT CAST(body AS BLOB) FROM articles ORDER BY id")
    seconds = 0.0
    while batch := cursor.fetchmany(1_000):
        data = b"".join(body for (body,) in batch if body)
        started = time.perf_counter()
        for start in range(0, len(data), 1 << 20):
            codec.compress(data[start : start + (1 << 20)])
        seconds += time.perf_counter() - started
    conn.close()
    return seconds


def timed_export(data_dir: Path, out: Path, fmt: str) -> tuple[float, float, float, int]:
    """(seconds, CPU seconds, peak RSS in MB, bytes written) of the real ``orgnews export --format fmt``."""
    shutil.rmtree(out, ignore_errors=True)
    argv = [sys.executable, "-m", "crawler.cli", "export", "--format", fmt, "--out", str(out)]
    started = time.perf_counter()
    process = subprocess.Popen(
        [*argv, "--data-dir", str(data_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"orgnews export --format {fmt} failed (status {status})")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--dir", type=Path, default=None, help="Where the archive and releases go.")
    parser.add_argument("--reuse", action="store_true", help="Measure the archive already in --dir.")
    parser.add_argument("--keep", action="store_true", help="Keep the archive for --reuse.")
    parser.add_argument("--formats", default="parquet,jsonl,csv")
    parser.add_argument(
        "--pool",
        type=int,
        default=0,
        help="Reuse the text of this many generated articles (new text for each article when 0).",
    )
    parser.add_argument(
        "--copies",
        type=int,
        default=1,
        help="Make the archive (the one in --dir with --reuse) hold each article this many times (add_copies).",
    )
    parser.add_argument("--build-only", action="store_true", help="Build the archive and stop.")
    args = parser.parse_args()
    root = args.dir or Path(f"/var/tmp/orgnews-bench-export-{args.size}")
    data_dir = root / "data"
    if not args.reuse:
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        print(f"building an archive of {args.size:,} synthetic articles in {data_dir}")
        # In a process of its own: a child starts with its parent's peak memory, which would
        # otherwise be counted in the exports' peak RSS.
        builder = multiprocessing.get_context("fork").Process(
            target=build, args=(data_dir, args.size, args.pool)
        )
        builder.start()
        builder.join()
        if builder.exitcode != 0:
            raise SystemExit(f"building the archive failed (status {builder.exitcode})")
    if args.copies > 1:
        print(f"copying each article {args.copies - 1} more times")
        add_copies(data_dir / "archive.db", args.copies)
    if args.build_only:
        return
    db = data_dir / "archive.db"
    print(f"archive: {db.stat().st_size / 1e9:,.2f} GB; machine: {os.cpu_count()} cores, shared")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    bare_select(db)  # untimed: the archive goes into the page cache as far as it fits, for every run alike
    bare, bare_cpu, rows = bare_select(db)
    # CPU seconds move less with the machine's load than wall time: beside them, what two free
    # cores could make of the export's work.
    print(f"bare SELECT of {rows:,} articles: {bare:,.1f} s ({bare_cpu:,.1f} s of CPU)")
    header = f"{'format':8} {'seconds':>9} {'x bare':>7} {'CPU s':>7} {'x bare CPU':>11}"
    print(f"{header} {'peak RSS MB':>12} {'MB written':>11}")
    verdicts = []
    for fmt in args.formats.split(","):
        seconds, cpu, rss, size = timed_export(data_dir, root / f"release-{fmt}", fmt)
        print(
            f"{fmt:8} {seconds:9,.1f} {seconds / bare:7.2f} {cpu:7,.1f} {cpu / bare_cpu:11.2f} "
            f"{rss:12,.0f} {size / 1e6:11,.0f}",
            flush=True,
        )
        if fmt == "parquet":
            verdicts.append(f"parquet {seconds / bare:.2f}x the bare read (target <= {TARGET_RATIO:g}x)")
        verdicts.append(f"{fmt} peak RSS {rss:,.0f} MB (target < {TARGET_RSS_MB} MB)")
    again, _, _ = bare_select(db)
    print(f"bare SELECT again after the exports: {again:,.1f} s (the ratios use the first)")
    # Measured last: pyarrow in this process would count in the exports' peak RSS (see build).
    floor = compression_floor(db)
    print(f"zstd of the bodies alone, one thread: {floor:,.1f} s ({floor / bare:.2f}x the bare read)")
    print("; ".join(verdicts))
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
