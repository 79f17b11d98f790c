"""Crawl throughput: the full pipeline against a bare Scrapy spider, same pages, same run.

    python benchmarks/crawl.py [--copies 6]

The replay server runs in its own process (one core); each crawl runs in a fresh
subprocess (Twisted's reactor starts once per process) on the other core.

* full pipeline: the ``news`` spider for every profile, with replay switch, robots.txt,
  challenge check, WARC capture, extraction, incremental filter and archive writes.
  ``--copies`` independent data directories are crawled side by side so there are
  enough pages to time.
* bare spider: fetches the very same URLs from the same server and does nothing with
  them, one crawler per site and copy as the full pipeline runs, so Scrapy's own
  per-crawler cost is on both sides.

Rates are pages per second between the first spider opening and the last closing,
so interpreter start-up is left out of both. The script prints both rates and their
ratio (target: at least 50%), and the crawler process's CPU time per page, which
varies less than wall time when other work shares the machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run from a checkout without installing: the project's packages come from this tree.
sys.path.insert(0, str(ROOT))


def serve(queue: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    from crawler.replay.server import ReplayServer

    with ReplayServer() as server:
        queue.put(server.base_url)
        stop.wait()


def _install_reactor() -> None:
    # Crawlers built by hand (one per data directory) expect the reactor to be installed already.
    from scrapy.utils.reactor import install_reactor

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")


def child_full(base: str, workdir: Path, copies: int) -> dict:
    from scrapy.crawler import Crawler, CrawlerProcess

    from archive.datadir import DataDir
    from crawler.profiles import load_profiles
    from crawler.runner import CrawlOptions, crawl_settings
    from crawler.spiders.news import NewsSpider

    sites = sorted(load_profiles())
    _install_reactor()
    # The process's own settings are merged into every crawler's: keep them to the bare minimum.
    process = CrawlerProcess({"LOG_LEVEL": "WARNING"})
    crawlers = []
    for copy in range(copies):
        data_dir = DataDir(workdir / f"copy{copy}").ensure()
        settings = crawl_settings(CrawlOptions(data_dir=data_dir, replay_url=base))
        settings.set("LOG_LEVEL", "WARNING")
        for site in sites:
            crawler = Crawler(NewsSpider, settings)
            crawlers.append(crawler)
            process.crawl(crawler, site=site)
    cpu = _cpu_seconds()
    process.start()
    return _rate(crawlers, "downloader/response_count", _cpu_seconds() - cpu)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rate(crawlers: list, key: str, cpu: float) -> dict:
    stats = [c.stats.get_stats() for c in crawlers]
    start = min(s["start_time"] for s in stats)
    finish = max(s["finish_time"] for s in stats)
    pages = sum(s.get(key, 0) for s in stats)
    seconds = (finish - start).total_seconds()
    return {"pages": pages, "seconds": seconds, "rate": pages / seconds if seconds else 0.0, "cpu": cpu}


def child_bare(base: str, urls_file: Path, copies: int) -> dict:
    """One bare crawler per site and copy, as the full pipeline has, each fetching its site's pages."""
    import scrapy
    from scrapy.crawler import Crawler, CrawlerProcess

    from crawler.replay import replay_url

    by_site = json.loads(urls_file.read_text(encoding="utf-8"))
    _install_reactor()

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self):
            for method, url, body in self.requests:
                payload = body.encode("latin-1") if body else None
                yield scrapy.Request(
                    replay_url(base, url, method=method, body=payload),
                    method=method,
                    body=payload,
                    dont_filter=True,
                    callback=self.parse,
                )

        def parse(self, response):
            return None

    settings = {
        "LOG_LEVEL": "WARNING",
        "ROBOTSTXT_OBEY": False,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_DELAY": 0,
        "HTTPERROR_ALLOW_ALL": True,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
    }
    process = CrawlerProcess(settings)
    crawlers = []
    for _ in range(copies):
        for requests in by_site.values():
            crawler = Crawler(BareSpider, process.settings)
            crawlers.append(crawler)
            process.crawl(crawler, requests=requests)
    cpu = _cpu_seconds()
    process.start()
    return _rate(crawlers, "downloader/response_count", _cpu_seconds() - cpu)


def fetched_requests(warc_dir: Path) -> dict[str, list[tuple[str, str, str]]]:
    """Per site, (method, url, body) of every request the full pipeline made, read back from its WARC files."""
    from warcio.archiveiterator import ArchiveIterator

    found: dict[str, list[tuple[str, str, str]]] = {}
    for path in sorted(warc_dir.glob("*.warc.gz")):
        # WARC files are named <site>-<run stamp>-<pid>-<serial>.warc.gz.
        site = path.name.split("-", 1)[0]
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "request":
                    method = record.http_headers.protocol
                    body = record.content_stream().read().decode("latin-1")
                    found.setdefault(site, []).append(
                        (method, record.rec_headers.get_header("WARC-Target-URI"), body)
                    )
    return found


def run_child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--copies", type=int, default=6, help="independent crawls of the replay (default 6)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, base, path = args.child[:3]
        copies = int(args.child[3])
        result = (
            child_full(base, Path(path), copies) if kind == "full" else child_bare(base, Path(path), copies)
        )
        print(json.dumps(result))
        return

    queue: multiprocessing.Queue = multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(queue, stop), daemon=True)
    server.start()
    base = queue.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory(prefix="orgnews-bench-") as tmp:
            workdir = Path(tmp)
            full = run_child("full", base, str(workdir), str(args.copies))
            urls = fetched_requests(workdir / "copy0" / "warc")
            urls_file = workdir / "urls.json"
            urls_file.write_text(json.dumps(urls), encoding="utf-8")
            bare = run_child("bare", base, str(urls_file), str(args.copies))
    finally:
        stop.set()
        server.join(timeout=10)
    print(
        f"replay pages per crawl copy: {sum(map(len, urls.values()))} from {len(urls)} sites, "
        f"copies: {args.copies}"
    )
    print(
        f"bare Scrapy spider : {bare['pages']:6d} pages in {bare['seconds']:6.2f} s = {bare['rate']:7.1f} pages/s"
    )
    print(
        f"full pipeline      : {full['pages']:6d} pages in {full['seconds']:6.2f} s = {full['rate']:7.1f} pages/s"
    )
    ratio = full["rate"] / bare["rate"] if bare["rate"] else 0.0
    print(f"full / bare        : {ratio:.0%} (target >= 50%)")
    # CPU per page is steadier than wall time on a shared machine, and says where the time goes.
    print(
        f"crawler CPU per page: bare {1000 * bare['cpu'] / bare['pages']:.1f} ms, "
        f"full {1000 * full['cpu'] / full['pages']:.1f} ms "
        f"(bare / full {bare['cpu'] / full['cpu']:.0%})"
    )


if __name__ == "__main__":
    main()
