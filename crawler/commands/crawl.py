"""``orgnews crawl``, ``demo``, ``runs``, ``reparse`` and ``sites``: thin click layers over the library."""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.live import Live
from rich.table import Table

from archive.datadir import NOT_PERMITTED, DataDir, read_only_message
from crawler.commands.options import (
    DAYS,
    WORKERS,
    RowCount,
    data_dir_option,
    replay_url_callback,
    require_archive,
    table_console,
)

# What the demo's summary shows besides articles, staged by the replay as the live sites do it.
REPLAY_TROUBLE = (
    "The replay stages what live sites do: bot challenges (瑞数 HTTP 412 and a $_ts page on jiangsu, "
    "加速乐 HTTP 521 on beijing) are recorded as blocked, never stored as articles, and leave those "
    "runs partial (the next run walks their lists again); a listed page that is gone (HTTP 404) is "
    "gov's error."
)

# Exit statuses a cron job can tell apart.
EXIT_INCOMPLETE = 1
EXIT_LOCKED = 3


def _load_profiles() -> dict[str, Any]:
    from crawler.profiles import ProfileError, load_profiles

    try:
        return load_profiles()
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from exc


def _first_day(value: str | None) -> str | None:
    """The first day of a date option, read as every command reads dates."""
    from crawler.extract.dates import BadDate, date_span

    if value is None:
        return None
    try:
        return date_span(value)[0].isoformat()
    except BadDate as exc:
        raise click.BadParameter(str(exc)) from None


def contact_warning(contact: str | None, replay_url: str | None) -> str | None:
    """The warning for a live crawl without a contact, whose User-Agent then names the project."""
    from crawler import PROJECT_URL

    if contact or replay_url:
        return None
    return (
        f"warning: no --contact (or $ORGNEWS_CONTACT): the User-Agent names {PROJECT_URL} instead; "
        "give an e-mail or URL where site operators can reach you"
    )


def _open_archive(data_dir: DataDir, reading: bool = False) -> Any:
    """The data directory's archive; ``reading``: for a command that only reads (read-only where it
    cannot be written, said once on stderr). A damaged or read-only archive is one error line."""
    from archive import Archive, ArchiveError

    try:
        if reading:
            return Archive.open_for_reading(data_dir.archive_db, lambda note: click.echo(note, err=True))
        return Archive.open(data_dir.archive_db)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc


def _known_sites(profiles: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    """The names, once each, in order; a usage error listing the known ones for any other."""
    unknown = [name for name in names if name not in profiles]
    if unknown:
        raise click.UsageError(f"unknown site(s) {', '.join(unknown)}; known: {', '.join(sorted(profiles))}")
    return list(dict.fromkeys(names))


def _lock_or_exit(data_dir: DataDir) -> Any:
    """The data directory's lock; when another process holds it, say who and exit with status 3."""
    from crawler.lock import CrawlLock, LockHeld

    path = data_dir.root / "crawl.lock"
    try:
        return CrawlLock(path).acquire()
    except OSError as exc:
        if exc.errno in NOT_PERMITTED:
            why = f"its lock {path.name} cannot be created"
            raise click.ClickException(read_only_message(data_dir.root, why)) from exc
        raise click.ClickException(f"cannot take the lock {path}: {exc.strerror or exc}") from exc
    except LockHeld as exc:
        Console(stderr=True, highlight=False).print(f"[bold red]Error:[/] {exc}", soft_wrap=True)
        sys.exit(EXIT_LOCKED)


def run_sites(console: Console, data_dir: DataDir, sites: list[str], **options: Any) -> int:
    """Crawl under the data directory's lock with a live progress table; print the summary; exit status."""
    from crawler.commands.report import print_summary, progress_table
    from crawler.runner import CrawlOptions, default_log_file, run_crawl

    data_dir.ensure()
    # Before Scrapy starts, so a damaged or read-only archive is one line rather than a failed crawl.
    _open_archive(data_dir).close()
    lock = _lock_or_exit(data_dir)
    try:
        log_file = default_log_file(data_dir)
        crawl_options = CrawlOptions(data_dir=data_dir, log_file=log_file, **options)
        console.print(f"crawling {len(sites)} site(s) into {data_dir.root} (log: {log_file})")
        with Live(progress_table([]), console=console, refresh_per_second=4, transient=False) as live:
            final = run_crawl(sites, crawl_options, on_tick=lambda rows: live.update(progress_table(rows)))
            live.update(progress_table(final))
        console.print()
    finally:
        lock.release()
    run_ids = {p.run_id for p in final if p.run_id is not None}
    with _open_archive(data_dir) as arc:
        runs = [run for run in arc.runs(limit=max(50, len(run_ids))) if run.get("id") in run_ids]
    print_summary(console, runs)
    unfinished = [
        f"{p.site}: {p.finish_reason or 'did not start'}" for p in final if p.finish_reason != "finished"
    ]
    # A site that answered nothing at all (network down, site gone) is not a completed run either.
    unfinished += [
        f"{p.site}: all {p.errors} fetches failed"
        for p in final
        if p.finish_reason == "finished" and p.errors and p.pages == p.errors + p.blocked
    ]
    if not run_ids or unfinished:
        why = ", ".join(unfinished) or "no run recorded"
        console.print(f"[bold red]run incomplete[/] ({why}); see {log_file}")
        return EXIT_INCOMPLETE
    return 0


@click.command()
@click.argument("sites", nargs=-1, metavar="[SITE]...")
@click.option("--all", "all_sites", is_flag=True, help="Crawl every site profile.")
@click.option(
    "--since",
    default=None,
    metavar="DATE",
    callback=lambda ctx, param, value: _first_day(value),
    help="Skip articles whose URL shows a publication day before DATE (YYYY, YYYY-MM or YYYY-MM-DD).",
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=0),
    default=0,
    help="Follow at most N list pages per start list (0: until a page brings nothing new).",
)
@click.option(
    "--refresh-days",
    type=DAYS,
    default=0,
    help="Re-check archived articles published (or, when undated, first archived) in the last "
    "N days when a list shows them again, with If-None-Match / If-Modified-Since, to catch "
    "edits. 0: never.",
)
@click.option(
    "--refresh-since",
    default=None,
    metavar="DATE",
    callback=lambda ctx, param, value: _first_day(value),
    help="Also re-check, the same way, archived articles published (or first archived) on or after "
    "DATE (YYYY, YYYY-MM or YYYY-MM-DD).",
)
@click.option(
    "--contact",
    envvar="ORGNEWS_CONTACT",
    default=None,
    help="E-mail or URL put in the User-Agent so site operators can reach you ($ORGNEWS_CONTACT).",
)
@click.option(
    "--replay-url",
    envvar="ORGNEWS_REPLAY_URL",
    default=None,
    metavar="URL",
    help="Send every request to this replay server instead of the internet ($ORGNEWS_REPLAY_URL).",
    callback=replay_url_callback,
)
@click.option(
    "--redis",
    "redis_url",
    envvar="ORGNEWS_REDIS_URL",
    default=None,
    metavar="URL",
    help="Crawl as one worker of a cluster on this Redis (redis://HOST:PORT/DB, $ORGNEWS_REDIS_URL): "
    "share its frontier, send finished pages to it for `orgnews ingest`; archive.db is not opened.",
)
@click.option(
    "--worker",
    "worker_name",
    default=None,
    metavar="NAME",
    help="With --redis: this worker's name, in `orgnews status` and its WARC file names (default: the host name).",
)
@click.option(
    "--lease-seconds",
    type=click.FloatRange(min=1),
    default=30,
    show_default=True,
    help="With --redis: how long the requests of a worker that stopped answering stay leased "
    "before the other workers take them back.",
)
@data_dir_option
def crawl(
    sites: tuple[str, ...],
    all_sites: bool,
    since: str | None,
    max_pages: int,
    refresh_days: int,
    refresh_since: str | None,
    contact: str | None,
    replay_url: str | None,
    redis_url: str | None,
    worker_name: str | None,
    lease_seconds: float,
    data_dir: DataDir,
) -> None:
    """Crawl SITE... (or --all) politely and incrementally into the archive.

    SITE is a profile name from `orgnews sites` (12371, people, gov, ...).
    Each site's lists are walked from their first page; new articles are
    fetched, extracted and stored. Articles already archived are not fetched
    again (see --refresh-days), and a list walk stops at the first page that
    brings nothing new. A run that was killed is finished by the next one.

    Politeness is on by default: robots.txt is obeyed, at most 2 requests per
    host at once, about 2 s between them (never under 1 s), AutoThrottle, and
    a User-Agent naming the archive and --contact. A host that answers with a
    bot challenge (瑞数, 加速乐, Cloudflare) is recorded as blocked, backs off,
    and after three challenges is left alone until the next run.

    Every response is kept in WARC files under DATA_DIR/warc/; each site's run
    is recorded (see `orgnews runs`); the log goes to DATA_DIR/logs/.

    With --redis the crawl is one worker of a cluster (see the README): any
    number of machines share one frontier and one politeness slot per host
    in Redis, leave together when no worker has work left, and send what
    they find to Redis, where `orgnews ingest` writes it into the archive.
    The WARC files stay in this worker's DATA_DIR/warc/.

    Exit status: 0 when every site's crawl ran to its end; 1 when one was
    interrupted or could fetch nothing; 3 when another crawl holds the data
    directory's lock (the message names its pid, start time and command);
    4 when Redis cannot be reached or is lost.

    \b
    Examples:
      orgnews crawl 12371 people
      orgnews crawl --all --contact archive@example.org
      orgnews crawl --all --refresh-days 3        # also re-check this week's edits
      orgnews crawl gov --since 2026-01-01 --max-pages 5
      orgnews crawl --all --data-dir /srv/orgnews/data
      orgnews crawl --all --redis redis://10.0.0.5:6379/0 --worker crawl1
    \b
    Nightly, from cron:
      15 2 * * *  orgnews crawl --all --refresh-days 3 --data-dir /srv/orgnews/data
    \b
    Offline, against the bundled replay of the sites:
      python -m crawler.replay.server --port 8800 &
      orgnews crawl --all --replay-url http://127.0.0.1:8800
    """
    profiles = _load_profiles()
    if all_sites:
        chosen = sorted(profiles)
    elif sites:
        chosen = _known_sites(profiles, sites)
    else:
        raise click.UsageError("name one or more sites, or use --all (see `orgnews sites`)")
    if warning := contact_warning(contact, replay_url):
        click.echo(warning, err=True)
    if redis_url:
        from crawler.commands.cluster import run_worker

        status = run_worker(
            table_console(),
            data_dir,
            chosen,
            redis_url=redis_url,
            worker_name=worker_name,
            lease_seconds=lease_seconds,
            replay_url=replay_url,
            contact=contact,
            since=since,
            max_pages=max_pages,
            refresh_days=refresh_days,
            refresh_since=refresh_since,
        )
        sys.exit(status)
    status = run_sites(
        table_console(),
        data_dir,
        chosen,
        replay_url=replay_url,
        contact=contact,
        refresh_days=refresh_days,
        refresh_since=refresh_since,
        since=since,
        max_pages=max_pages,
    )
    sys.exit(status)


@click.command()
@click.option(
    "--query",
    default="组织",
    show_default=True,
    metavar="QUERY",
    help="The sample search run after the crawl (same syntax as `orgnews search`).",
)
@data_dir_option
def demo(query: str, data_dir: DataDir) -> None:
    """Crawl the bundled offline replay of every site, then search it.

    Needs no network. Starts the local replay server (saved pages of every
    profile under their real URLs, on 127.0.0.1), crawls every profile through
    it with the same spider, capture and archive as a live crawl (without the
    politeness delays, which are for real hosts), stops the server, and prints
    the run summary and a sample search. It takes well under a minute.

    Run it again on the same data directory: the second run is incremental and
    fetches no article twice. Exit status as for `orgnews crawl`.

    \b
    Examples:
      orgnews demo
      orgnews demo --data-dir /tmp/orgnews-demo --query 选调生
      orgnews search 党建 --data-dir /tmp/orgnews-demo     # then look around
      orgnews runs --data-dir /tmp/orgnews-demo
    """
    from archive.errors import QueryError
    from archive.query import parse_query
    from crawler.replay.server import ReplayServer

    try:  # before the crawl, not after it
        parse_query(query)
    except QueryError as exc:
        raise click.BadParameter(str(exc), param_hint="--query") from exc
    console = table_console()
    profiles = _load_profiles()
    started = time.monotonic()
    with ReplayServer() as server:
        status = run_sites(console, data_dir, sorted(profiles), replay_url=server.base_url)
    console.print(f"demo crawl took {time.monotonic() - started:.1f} s")
    console.print(REPLAY_TROUBLE)
    if status != 0:
        sys.exit(status)
    from archive import search

    hits = search(data_dir.archive_db, query, limit=5)
    table = Table(title=f"search: {query}", title_justify="left")
    for name in ("site", "published", "title", "url"):
        table.add_column(name)
    for hit in hits:
        table.add_row(
            str(getattr(hit, "site", "") or ""),
            str(getattr(hit, "published_at", "") or "")[:10],
            str(getattr(hit, "title", "") or ""),
            str(getattr(hit, "url", "") or ""),
        )
    console.print(table)
    # Plain output (no markup, no wrapping), so the line can be pasted as it is.
    console.print("make a dataset release of this archive (Parquet, JSON lines, CSV):")
    console.print(
        f"  orgnews export --data-dir {shlex.quote(str(data_dir.root))}", markup=False, soft_wrap=True
    )


@click.command()
@click.option("--site", default=None, metavar="SITE", help="Only this site's runs.")
@click.option(
    "--limit",
    type=RowCount(min=1),
    default=50,
    show_default=True,
    metavar="N",
    help="Show the N newest runs.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of run objects, newest first.")
@data_dir_option
def runs(site: str | None, limit: int, as_json: bool, data_dir: DataDir) -> None:
    """Show recorded crawl runs: counts, status, per-field coverage and alerts.

    One row per site and run, newest first: when it started, its status
    (completed; partial when some fetches failed or were blocked, so the next
    run walks every list page again; interrupted; killed), pages fetched,
    articles new / updated / unchanged / failed, fetch errors, fetches blocked
    by bot challenges, and the share of the run's articles that got each field
    (title, date, source, author, editor, body). A field whose share falls well
    below the site's recent runs is printed as a WARNING: the site has probably
    changed its layout.

    The JSON objects carry site, started_at, finished_at, status,
    pages_fetched, articles_new, articles_updated, articles_unchanged,
    articles_failed, fetches_blocked, field_coverage, alerts, options and
    hosts_backed_off (hosts that answered with a challenge and how they were
    slowed down).

    \b
    Examples:
      orgnews runs
      orgnews runs --site 12371 --limit 5
      orgnews runs --json | jq '.[] | {site, articles_new, fetches_blocked}'
      orgnews runs --json --limit 100 | jq '.[] | select(.alerts != [])'
    """
    from crawler.commands.report import print_summary

    require_archive(data_dir)
    from archive.errors import QueryError
    from archive.reading import check_sites

    with _open_archive(data_dir, reading=True) as arc:
        try:
            check_sites(arc.conn, [site] if site else [])
        except QueryError as exc:
            raise click.UsageError(str(exc)) from exc
        found = arc.runs(site=site, limit=limit)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2, default=str))
    else:
        print_summary(table_console(), found)


@click.command()
@click.argument("site", required=False)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=WORKERS.max),
    default=None,
    metavar="N",
    help="Worker processes that extract (default: one per core).",
)
@click.option(
    "--warc-dir",
    "warc_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Read the WARC files from DIR (repeat for several; default DATA_DIR/warc/). For a "
    "cluster's archive, name each worker's WARC folder.",
)
@data_dir_option
def reparse(site: str | None, workers: int | None, warc_dirs: tuple[Path, ...], data_dir: DataDir) -> None:
    """Re-extract every stored article (of SITE, or all) from the WARC files, offline.

    Reads each article's raw response back from DATA_DIR/warc/, or from the
    --warc-dir folders (at the offset the archive recorded for it), and runs
    the current extractor and profiles on it, with no network. An article whose record changed is saved as a new
    version (the old one is kept); the rest are left alone. Prints how many
    changed, with their URLs, and any that failed. Run it after upgrading
    orgnews or editing a profile's selectors. Articles loaded by orgnews import
    were never fetched: they are counted and left as they are.

    When WARC files the archive points to are in none of the folders read, one
    line says how many articles that leaves out and which folders to pass: a
    crawl cluster's workers each keep theirs in their own DATA_DIR/warc/.

    It holds the data directory's lock, like a crawl. Exit status: 0; 1 when
    some article could not be re-extracted; 3 when a crawl holds the lock.

    \b
    Examples:
      orgnews reparse
      orgnews reparse people
      orgnews reparse --workers 1 --data-dir /srv/orgnews/data
      orgnews reparse --warc-dir /mnt/worker1/warc --warc-dir /mnt/worker2/warc
    """
    from crawler.reparse import reparse as run_reparse

    require_archive(data_dir)
    if site is not None and site not in (profiles := _load_profiles()):
        raise click.UsageError(f"unknown site {site}; known: {', '.join(sorted(profiles))}")
    for folder in warc_dirs:
        if not folder.is_dir():
            raise click.UsageError(f"--warc-dir {folder}: no such folder")
    console = table_console()
    started = time.monotonic()
    # A crawl writing the same articles meanwhile would interleave their versions.
    lock = _lock_or_exit(data_dir)
    try:
        with _open_archive(data_dir) as arc:
            report = run_reparse(arc, list(warc_dirs) or [data_dir.warc_dir], site=site, workers=workers)
    finally:
        lock.release()
    never_fetched = (
        f", {report.never_fetched} never fetched (imported: no capture to read, left as they are)"
        if report.never_fetched
        else ""
    )
    console.print(
        f"re-extracted {report.total - report.never_fetched} article(s) in {time.monotonic() - started:.1f} s: "
        f"{len(report.updated)} changed, {report.unchanged} unchanged, {len(report.failed)} failed{never_fetched}"
    )
    for url in report.updated:
        console.print(f"  changed  {url}")
    for url, error in report.failed:
        console.print(f"  [red]failed[/]   {url}: {error}")
    if hint := report.missing_captures_hint(list(warc_dirs) or [data_dir.warc_dir]):
        click.echo(hint, err=True)
    if report.failed:
        sys.exit(EXIT_INCOMPLETE)


@click.command()
@click.argument("names", nargs=-1, metavar="[SITE]...")
@click.option(
    "--check",
    is_flag=True,
    help="Fetch each list's first page and up to three of its articles, and report what was found.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the profiles (or the check) as JSON.")
@click.option(
    "--contact",
    envvar="ORGNEWS_CONTACT",
    default=None,
    help="With --check: e-mail or URL put in the User-Agent ($ORGNEWS_CONTACT).",
)
@click.option(
    "--replay-url",
    envvar="ORGNEWS_REPLAY_URL",
    default=None,
    metavar="URL",
    help="With --check: ask this replay server instead of the internet ($ORGNEWS_REPLAY_URL).",
    callback=replay_url_callback,
)
def sites(
    names: tuple[str, ...], check: bool, as_json: bool, contact: str | None, replay_url: str | None
) -> None:
    """List the site profiles (all, or SITE...), or check them against the sites with --check.

    A profile is a TOML file in crawler/sites/ (the file column); its name is
    what `orgnews crawl SITE` and `orgnews reparse SITE` take. The columns are
    the hosts it crawls, how many start lists it walks, how those lists are
    read (html, an inline script array, a JSON API, a Hanweb XML feed...),
    how detail pages are read, the delay between two requests to a host, and
    how many of its lists hold values not confirmed against the live site
    (their `unverified` notes say how to confirm them). A profile with a bad key stops every command with an error naming the
    file and the key.

    --check asks the sites themselves, politely (robots.txt, the profile's
    delay between two requests to a host, a User-Agent with --contact): the
    first page of each list of each profile, then up to three of the articles
    they link to. For each site it reports which lists answered and how many
    detail URLs they gave, how many articles were read, which fields (title,
    date, source, author, editor, body) they filled, and the bot challenges
    met; then every problem, naming the list or page and why, and the profile
    values that were never confirmed against the live site. A site is ok,
    partial (something failed, articles were still read) or broken (no
    article at all). Exit status 1 when a site is broken.

    \b
    Examples:
      orgnews sites
      orgnews sites --json | jq -r '.[].name'
      orgnews sites --json | jq '.[] | select(.name == "people") | .start_urls'
      orgnews sites --check --contact archive@example.org
      orgnews sites --check dangjian zhejiang --json
    """
    profiles = _load_profiles()
    chosen = [profiles[name] for name in (_known_sites(profiles, names) if names else sorted(profiles))]
    if check:
        sys.exit(_check_sites(chosen, as_json, contact, replay_url))
    _list_sites(chosen, as_json)


def _list_sites(chosen: list[Any], as_json: bool) -> None:
    from crawler.settings import DOWNLOAD_DELAY, ORGNEWS_MIN_DOWNLOAD_DELAY

    rows = [profile.summary() for profile in chosen]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(rows)} site profiles", title_justify="left")
    for name in ("name", "title", "hosts", "lists", "list format", "detail", "delay", "unverified", "file"):
        table.add_column(name)
    for row in rows:
        delay = row["politeness"].get("download_delay", DOWNLOAD_DELAY)
        table.add_row(
            row["name"],
            row["title"],
            "\n".join(row["hosts"]),
            str(len(row["start_urls"])),
            ", ".join(row["list_formats"]),
            row["detail_format"],
            f"{max(ORGNEWS_MIN_DOWNLOAD_DELAY, float(delay)):g} s",
            f"{len(row['unverified'])} list(s)" if row["unverified"] else "",
            Path(row["file"]).name,
        )
    table_console().print(table)


def _check_sites(chosen: list[Any], as_json: bool, contact: str | None, replay_url: str | None) -> int:
    """Run the check, print its table (or JSON); the exit status: 1 when a site yields nothing."""
    from crawler.check import check_sites
    from crawler.commands.report import check_table
    from crawler.settings import ORGNEWS_MIN_DOWNLOAD_DELAY
    from crawler.spiders.news import user_agent

    console = table_console()
    if not as_json:
        where = f"the replay at {replay_url}" if replay_url else "the live sites"
        console.print(f"checking {len(chosen)} site(s) against {where}")
    results = check_sites(chosen, user_agent(contact or ""), ORGNEWS_MIN_DOWNLOAD_DELAY, replay_url)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        check_table(console, results)
    return EXIT_INCOMPLETE if any(r.verdict == "broken" for r in results) else 0
