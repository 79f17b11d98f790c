"""The crawl cluster: pages/s with 1, 2 and 4 workers, and the ingest writer's articles/s.

    python benchmarks/distributed.py [--articles 1000] [--workers 1 2 4]

Builds a larger replay of one site (the 中国政府网 profile: ``--articles`` articles in its
JSON list) in a temporary folder, serves it on 127.0.0.1 with politeness off (no delay
per host), starts a redis-server of its own on a free port, and for each worker count crawls
the whole site as a cluster (``orgnews crawl gov --redis``, N worker processes on a fresh
Redis database, no ingest running meanwhile). Pages/s is the number of requests the replay
server answered over the time from the first to the last, so interpreter start-up and the
workers' wait for the round's end are left out; the ratio is against 1 worker in the same run.

Then it times the ingest: the stream the 1-worker crawl left is written into a fresh archive
by ``orgnews ingest``'s batches (``Ingest.apply``, in this process), against the one-machine
crawl's write path on the same pages (one transaction per page: ``LocalCrawlState.save_page``'s
``record_fetch`` + ``save_article``) into another fresh archive, in the same run.

It also reports Redis memory per URL (the seen-set, the known URLs with their refresh state
the ingest publishes) and
per stream entry, which ``docs/scale.md`` builds its capacity model on. The machine has few
cores and is shared: workers, the replay server and Redis compete for them, so more workers
than cores cannot go faster; the core count is printed with the table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run from a checkout without installing: the project's packages come from this tree.
sys.path.insert(0, str(ROOT))


def build_site(directory: Path, articles: int) -> None:
    """The gov profile's 要闻 JSON list with ``articles`` detail pages."""
    from crawler.replay import templates as t
    from crawler.replay.pages import Output, make_stories
    from crawler.replay.sites import robots

    out = Output()
    stories = make_stories(6, articles, column="要闻", sources=["新华社", "人民日报", "中国政府网"])
    for i, story in enumerate(stories):
        story.url = f"https://www.gov.cn/yaowen/liebiao/{story.when:%Y%m}/content_{7100000 + i}.htm"
    items = [
        {
            "DOCRELPUBTIME": f"{s.when:%Y-%m-%d %H:%M:%S}",
            "TITLE": s.title,
            "URL": s.url.removeprefix("https://www.gov.cn"),
        }
        for s in stories
    ]
    out.page("https://www.gov.cn/yaowen/liebiao/YAOWENLIEBIAO.json", json.dumps(items, ensure_ascii=False))
    for story in stories:
        out.page(story.url, t.page_gov(story))
    robots(out, "www.gov.cn")
    out.write(directory / "site", directory / "overlay")


def crawl_with(workers: int, redis_url: str, server, workdir: Path) -> tuple[int, float]:
    """(pages answered, seconds from the first to the last) for a crawl by ``workers`` workers."""
    env = {**os.environ, "ORGNEWS_REPLAY_URL": server.base_url, "ORGNEWS_REPLAY_DELAY": "0"}
    first = len(server.request_times)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "crawl", "gov", "--redis", redis_url, "--worker", f"b{n}"],
            env={**env, "ORGNEWS_DATA_DIR": str(workdir / f"{workers}w-{n}")},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(workers)
    ]
    for process in processes:
        if process.wait() != 0:
            raise SystemExit(f"a worker failed; see its log under {workdir}")
    times = [at for at, _ in server.request_times[first:]]
    return len(times), max(times) - min(times)


def time_ingest(redis_url: str, workdir: Path) -> tuple[int, float, float]:
    """(articles, s through the ingest's batches, s one page per transaction), same pages."""
    import redis

    from archive import Archive
    from archive.datadir import DataDir
    from crawler.cluster import keys, messages
    from crawler.cluster.ingest import Ingest
    from crawler.state import record_fetch

    client = redis.Redis.from_url(redis_url)
    entries = client.xrange(keys.STREAM)
    pages = [
        messages.page_from_dict(data["page"])
        for kind, data in (messages.decode(fields) for _, fields in entries)
        if kind == messages.PAGE
    ]
    articles = sum(page.article is not None for page in pages)

    with Archive.open(workdir / "per-page" / "archive.db") as arc:
        started = time.perf_counter()
        for page in pages:
            with arc.transaction():
                ids = [record_fetch(arc, fetch, None, page.site) for fetch in page.fetches]
                if page.article is not None:
                    arc.save_article(page.article, fetch_id=ids[0] if ids else None)
        per_page = time.perf_counter() - started

    ingest = Ingest(redis_url, DataDir(workdir / "ingest"))
    try:
        started = time.perf_counter()
        for start in range(0, len(entries), 500):
            ingest.apply(entries[start : start + 500])
        batched = time.perf_counter() - started
    finally:
        ingest.close()
    return articles, batched, per_page


def memory_per_item(client, key: str, count: int) -> float:
    used = client.memory_usage(key, samples=0) or 0
    return used / count if count else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=1000, help="articles in the replayed site")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4], help="worker counts to time")
    args = parser.parse_args()

    import redis

    from crawler.cluster import keys
    from crawler.replay.server import ReplayServer
    from tests.redisserver import RedisServer

    with tempfile.TemporaryDirectory(prefix="orgnews-bench-") as tmp:
        workdir = Path(tmp)
        build_site(workdir, args.articles)
        with (
            RedisServer(workdir / "redis") as redis_server,
            ReplayServer(site_dir=workdir / "site") as server,
        ):
            rows = []
            for db, workers in enumerate(args.workers):
                url = f"{redis_server.url}/{db}"
                pages, seconds = crawl_with(workers, url, server, workdir)
                rows.append((workers, pages, seconds, url))
            base = rows[0][1] / rows[0][2]
            print(
                f"cluster crawl of {args.articles} articles from one JSON list, politeness off, {os.cpu_count()} cores"
            )
            print(f"{'workers':>8} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'vs 1':>6}")
            for workers, pages, seconds, _ in rows:
                print(
                    f"{workers:>8} {pages:>6} {seconds:>8.1f} {pages / seconds:>8.1f} {pages / seconds / base:>5.2f}x"
                )

            first_url = rows[0][3]
            client = redis.Redis.from_url(first_url)
            seen = client.scard(keys.seen("gov"))
            stream_entries = client.xlen(keys.STREAM)
            print(
                f"Redis: seen-set {memory_per_item(client, keys.seen('gov'), seen):.0f} B/URL ({seen} URLs), "
                f"stream {memory_per_item(client, keys.STREAM, stream_entries):.0f} B/entry ({stream_entries} entries)"
            )
            articles, batched, per_page = time_ingest(first_url, workdir)
            known = client.hlen(keys.known("gov"))
            print(
                f"Redis: known URLs with their refresh state "
                f"{memory_per_item(client, keys.known('gov'), known):.0f} B/URL ({known} URLs)"
            )
            print(
                f"ingest: {articles} articles, {articles / batched:.0f} articles/s in batches of 500 "
                f"vs {articles / per_page:.0f}/s one page per transaction ({per_page / batched:.2f}x)"
            )


if __name__ == "__main__":
    main()
