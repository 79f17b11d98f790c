"""``orgnews ingest`` and ``orgnews status``: the archive writer and the view of a crawl cluster."""

from __future__ import annotations

import json
import logging
import re
import signal
import sys
from typing import Any

import click
from rich.console import Console
from rich.live import Live
from rich.table import Table

from archive.datadir import DataDir
from crawler.commands.options import data_dir_option, table_console

# Exit status when Redis cannot be reached or is lost.
EXIT_REDIS = 4

redis_option = click.option(
    "--redis",
    "redis_url",
    envvar="ORGNEWS_REDIS_URL",
    required=True,
    metavar="URL",
    help="The cluster's Redis, redis://HOST:PORT/DB ($ORGNEWS_REDIS_URL).",
)


def _fail(message: str) -> None:
    Console(stderr=True, highlight=False).print(f"[bold red]Error:[/] {message}", soft_wrap=True)
    sys.exit(EXIT_REDIS)


WORKER_NAME = re.compile(r"^[A-Za-z0-9_.]+$")


def run_worker(
    console: Console,
    data_dir: DataDir,
    sites: list[str],
    *,
    redis_url: str,
    worker_name: str | None,
    lease_seconds: float,
    **options: Any,
) -> int:
    """Crawl ``sites`` as one worker of the cluster on ``redis_url``; the exit status."""
    from crawler.cluster.keys import ClusterError
    from crawler.cluster.worker import ClusterWorker, default_worker_name
    from crawler.commands.report import progress_table
    from crawler.runner import CrawlOptions, default_log_file, run_crawl

    name = worker_name or default_worker_name()
    if not WORKER_NAME.match(name):
        raise click.UsageError(f"--worker {name!r}: use letters, digits, '.' and '_' only (it names files)")
    data_dir.ensure()
    try:
        worker = ClusterWorker(redis_url, name, lease_seconds)
        worker.register(sites)
    except ClusterError as exc:
        _fail(str(exc))
    log_file = default_log_file(data_dir)
    crawl_options = CrawlOptions(data_dir=data_dir, log_file=log_file, cluster=worker, **options)
    console.print(f"worker {worker.holder}: crawling {len(sites)} site(s) on {redis_url} (log: {log_file})")
    with Live(progress_table([]), console=console, refresh_per_second=4, transient=False) as live:
        final = run_crawl(sites, crawl_options, on_tick=lambda rows: live.update(progress_table(rows)))
        live.update(progress_table(final))
    console.print()
    lost = worker.error or next((p.cluster_error for p in final if p.cluster_error), None)
    if lost:
        _fail(
            f"{lost}; this worker stopped (its leased requests go back to the frontier when its lease expires)"
        )
    unfinished = [
        f"{p.site}: {p.finish_reason or 'did not start'}" for p in final if p.finish_reason != "finished"
    ]
    try:
        worker.finish("stopped" if unfinished else "finished")
    except ClusterError as exc:
        _fail(str(exc))
    if unfinished:
        console.print(f"[bold red]run incomplete[/] ({', '.join(unfinished)}); see {log_file}")
        return 1
    console.print(f"worker {worker.holder} done: every site's round is over")
    return 0


@click.command()
@redis_option
@click.option(
    "--follow", is_flag=True, help="Keep running for a standing cluster instead of exiting when it is done."
)
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    metavar="N",
    help="Stream entries written per archive transaction.",
)
@data_dir_option
def ingest(redis_url: str, follow: bool, batch: int, data_dir: DataDir) -> None:
    """Move what the cluster's workers crawled into the archive (the one writer).

    Reads finished pages, settled URLs and run records from the Redis stream
    and writes them into DATA_DIR/archive.db in batches, one transaction each;
    an entry is acknowledged only after its batch is committed, so killing
    the ingest at any moment loses nothing, and running it again resumes
    where it stopped without writing anything twice. It publishes the
    archive's known URLs (with each one's ETag, Last-Modified and age) and
    settled URLs to Redis, so that workers fetch only what is new and
    re-check what --refresh-days or --refresh-since asks for. Run exactly
    one ingest per cluster, on the machine that keeps the archive.

    It exits 0 once no worker is running, no site's round has work left and
    the stream is empty; with --follow it keeps waiting for the next rounds.
    SIGTERM (systemctl stop) stops it after the batch in hand, with status 0.
    Exit status 4 when Redis cannot be reached or is lost.

    \b
    Examples:
      orgnews ingest --redis redis://10.0.0.5:6379/0 --data-dir /srv/orgnews/data
      orgnews ingest --redis redis://10.0.0.5:6379/0 --follow
    """
    from crawler.cluster.ingest import Ingest
    from crawler.cluster.keys import ClusterError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    console = Console(highlight=False, stderr=True)

    def progress(report: Any) -> None:
        articles = report.articles
        console.print(
            f"ingested {report.entries} entries: {report.pages} pages, {articles.get('new', 0)} new, "
            f"{articles.get('updated', 0)} updated, {articles.get('unchanged', 0)} unchanged articles"
        )

    try:
        runner = Ingest(redis_url, data_dir, batch=batch, progress=progress)
    except ClusterError as exc:
        _fail(str(exc))
    # systemctl stop: finish the batch in hand, then exit 0; nothing read stays unwritten.
    signal.signal(signal.SIGTERM, lambda signum, frame: runner.stop())
    try:
        report = runner.run(follow=follow)
    except ClusterError as exc:
        _fail(f"{exc}; what was committed is kept, run the ingest again once Redis is back")
    except KeyboardInterrupt:
        console.print("interrupted; what was committed is kept, run the ingest again to go on")
        sys.exit(1)
    finally:
        runner.close()
    if runner.stop_requested:
        console.print("stopped (SIGTERM) after committing the batch in hand; run the ingest again to go on")
    click.echo(
        f"{'stopped' if runner.stop_requested else 'done'}: {report.entries} entries, {report.pages} pages, {report.articles.get('new', 0)} new articles, "
        f"{report.runs_finished} runs recorded, {report.rejected} entries rejected"
    )


@click.command()
@redis_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
def status(redis_url: str, as_json: bool) -> None:
    """Show a crawl cluster: workers, frontier, leases, what waits for the ingest.

    Reads Redis only. Per site: the current round and its state (seeding,
    running, done), requests waiting in the frontier, URLs seen this round,
    requests leased by workers, the archive's known and settled URLs as the
    ingest published them, pages fetched and articles stored this round.
    Per worker: its name, host, pid, state (running, finished, stopped before
    its rounds ended, or dead when its lease expired) and the requests it holds.

    \b
    Examples:
      orgnews status --redis redis://10.0.0.5:6379/0
      orgnews status --redis redis://10.0.0.5:6379/0 --json | jq .waiting_for_ingest
    """
    from crawler.cluster.keys import ClusterError, connect, redis_errors
    from crawler.cluster.status import cluster_status

    try:
        client = connect(redis_url)
        with redis_errors(redis_url):
            found = cluster_status(client)
    except ClusterError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    console = table_console()
    console.print(
        f"workers alive {found['workers_alive']} (busy {found['workers_busy']}), frontier {found['frontier']}, "
        f"seen {found['seen']}, leased {found['leased']}, waiting for ingest {found['waiting_for_ingest']}"
    )
    sites = Table(title="sites", title_justify="left")
    columns = [
        "site",
        "round",
        "state",
        "frontier",
        "seen",
        "leased",
        "known",
        "settled",
        "pages_fetched",
        "articles_stored",
    ]
    for name in columns:
        sites.add_column(name.replace("_", " "), justify="left" if name in ("site", "state") else "right")
    for row in found["sites"]:
        sites.add_row(*(str(row.get(name) if row.get(name) is not None else "-") for name in columns))
    console.print(sites)
    workers = Table(title="workers", title_justify="left")
    for name in ("name", "host", "pid", "state", "leased", "sites", "at"):
        workers.add_column(name)
    for row in found["workers"]:
        workers.add_row(
            row["name"],
            row["host"],
            str(row["pid"]),
            row["state"],
            str(row["leased"]),
            " ".join(row["sites"]),
            row["at"],
        )
    console.print(workers)
