"""``orgnews search``, ``serve``, ``index`` and ``import``: thin click layers over ``archive.searching``, Datasette and the store."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from dataclasses import fields
from typing import TYPE_CHECKING

import click

from archive.datadir import DataDir
from crawler.commands.options import LIMIT, WORKERS, data_dir_option

if TYPE_CHECKING:
    from archive.store import Archive

FORMATS = ("table", "json", "csv")


@click.command()
@click.argument("query")
@click.option("--site", multiple=True, metavar="NAME", help="Only this site (repeat for several).")
@click.option(
    "--source", multiple=True, metavar="TEXT", help="Only this source, e.g. 中国组织人事报 (repeatable)."
)
@click.option(
    "--column", multiple=True, metavar="TEXT", help="Only this site column, e.g. 组工动态 (repeatable)."
)
@click.option("--author", metavar="NAME", help="Author byline contains NAME.")
@click.option("--editor", metavar="NAME", help="Editor byline contains NAME.")
@click.option("--since", metavar="DATE", help="Published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Published on or before DATE (YYYY means to its end).")
@click.option(
    "--in",
    "field_name",
    type=click.Choice(["all", "title", "body"]),
    default="all",
    show_default=True,
    help="Where the words must occur.",
)
@click.option(
    "--order",
    type=click.Choice(["rank", "date"]),
    default="rank",
    show_default=True,
    help="BM25 relevance (title hits first) or newest first.",
)
@click.option(
    "--collapse-reposts", is_flag=True, help="One row per story: copies on other sites are folded in."
)
@click.option("--limit", type=LIMIT, default=20, show_default=True, help="0 means no limit.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--count", "count_only", is_flag=True, help="Print only the number of matching articles.")
@data_dir_option
def search(
    query: str,
    site: tuple[str, ...],
    source: tuple[str, ...],
    column: tuple[str, ...],
    author: str | None,
    editor: str | None,
    since: str | None,
    until: str | None,
    field_name: str,
    order: str,
    collapse_reposts: bool,
    limit: int,
    output_format: str,
    count_only: bool,
    data_dir: DataDir,
) -> None:
    """Search the archive: every article whose title or body contains QUERY exactly.

    Any length works, including one character and mixed text such as 5G芯片.
    Words separated by spaces must all occur; combine with AND, OR, NOT and
    parentheses; "double quotes" keep a phrase with spaces together.

    \b
      orgnews search 党建 --in title --site 12371 --site people --since 2019 --until 2021
      orgnews search '"二十大" AND (干部 OR 人才) NOT 转载' --order date --format json
      orgnews search 组织部 --collapse-reposts --limit 0 --format csv > hits.csv
    """
    from archive.errors import ArchiveError, QueryError
    from archive.reading import check_sites
    from archive.searching import count_matches, open_existing, run_search

    filters = {
        "site": site,
        "source": source,
        "column": column,
        "author": author,
        "editor": editor,
        "since": since,
        "until": until,
    }
    try:
        with open_existing(data_dir.archive_db, notice=_note) as arc:
            check_sites(arc.conn, site)
            if count_only:
                click.echo(count_matches(arc, query, field=field_name, **filters))
                return
            hits = run_search(
                arc,
                query,
                **filters,
                field=field_name,
                order=order,
                collapse_reposts=collapse_reposts,
                limit=limit,
            )
            total = len(hits)
            if output_format == "table" and (collapse_reposts or (limit and total >= limit)):
                total = count_matches(arc, query, field=field_name, **filters)
            if collapse_reposts and (waiting := arc.story_backlog()):
                click.echo(
                    f"note: {waiting:,} articles of a bulk load are not grouped into stories yet and are "
                    "not folded into their reposts: run orgnews index",
                    err=True,
                )
    except QueryError as exc:
        raise click.UsageError(str(exc)) from exc
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    if output_format == "json":
        click.echo(json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2))
    elif output_format == "csv":
        _write_csv(hits)
    else:
        _print_table(_heading(query, len(hits), total, collapse_reposts), hits)


def _heading(query: str, shown: int, matching: int, collapsed: bool) -> str:
    """``20 of 27 hits for Q``: what is shown, out of how many articles match."""
    if collapsed:
        stories = "story" if shown == 1 else "stories"
        articles = "article" if matching == 1 else "articles"
        return f"{shown:,} {stories} of {matching:,} matching {articles} for {query}"
    hits = "hit" if matching == 1 else "hits"
    return (
        f"{matching:,} {hits} for {query}"
        if shown == matching
        else f"{shown:,} of {matching:,} hits for {query}"
    )


def _note(message: str) -> None:
    click.echo(message, err=True)


def _write_csv(hits: list) -> None:
    from archive.searching import Hit

    names = [f.name for f in fields(Hit)]
    writer = csv.writer(sys.stdout)
    writer.writerow(names)
    for hit in hits:
        data = hit.to_dict()
        writer.writerow(
            [json.dumps(data[n], ensure_ascii=False) if isinstance(data[n], list) else data[n] for n in names]
        )


def _print_table(title: str, hits: list) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from archive.searching import MARK_END, MARK_START

    table = Table(title=title, title_justify="left", show_lines=True)
    for name in ("id", "date", "site", "title", "snippet"):
        table.add_column(name, overflow="fold")
    for hit in hits:
        snippet = escape(hit.snippet).replace(MARK_START, "[bold red]").replace(MARK_END, "[/bold red]")
        table.add_row(
            str(hit.id), (hit.published_at or "")[:10], hit.site or "", escape(hit.title or ""), snippet
        )
    Console().print(table)


@click.command()
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8001, show_default=True)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Use 0.0.0.0 to serve to other machines."
)
@data_dir_option
def serve(port: int, host: str, data_dir: DataDir) -> None:
    """Browse the archive in Datasette, read-only, with exact Chinese search.

    The articles table has facets by site, source, column and year; its search
    box and the saved query "search" give the same results as orgnews search.
    A crawl can keep writing while the archive is served.
    """
    from archive.browse import build_datasette
    from archive.errors import ArchiveError

    try:
        datasette = build_datasette(data_dir.archive_db, notice=_note)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    import uvicorn

    # Bound here, before saying where it serves: a port in use is one error line, not a "serving"
    # line followed by the server's own error (and --port 0 names the port it got).
    try:
        sock = _listening_socket(host, port)
    except OSError as exc:
        raise click.ClickException(
            f"cannot serve on {host}:{port}: {exc.strerror or exc} (choose another --port or --host)"
        ) from exc
    bound_port = sock.getsockname()[1]
    click.echo(f"serving {data_dir.archive_db} read-only at http://{host}:{bound_port}/", err=True)
    config = uvicorn.Config(datasette.app(), host=host, port=bound_port, log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])


def _listening_socket(host: str, port: int):
    import socket

    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


@click.command()
@click.option(
    "--batch", type=click.IntRange(min=1), default=2000, show_default=True, help="Articles per transaction."
)
@click.option(
    "--pairs/--no-pairs",
    "pairs",
    default=None,
    help="Keep the character pairs in the index (the default; --pairs adds them back after --no-pairs) "
    "or drop them: the archive is then about a third smaller and several times faster to fill, and "
    "searches for common words are slower. Searches are exact either way.",
)
@data_dir_option
def index(batch: int, pairs: bool | None, data_dir: DataDir) -> None:
    """Bring repost grouping and the search index up to date after a bulk load.

    A bulk load (`orgnews import`, or save_articles(defer_pairs=True,
    defer_stories=True) in Python) makes its articles searchable by their
    characters at once; this groups them into stories (until then each is its
    own story, so --collapse-reposts does not fold them yet), adds their
    character pairs, which make searches for common words fast, and merges the
    index segments the load wrote (a search reads fewer of them). Search stays
    exact meanwhile, and stopping this command loses nothing: run it again to go
    on where it stopped. A crawl can write while it runs.

    With --no-pairs the archive keeps no pairs from then on (new articles get
    none either) and every search reads single characters; the pages the pairs
    held are reused for new articles (VACUUM gives them back to the disk).

    \b
      orgnews import export.jsonl --index-later && orgnews index
      orgnews index --data-dir /srv/orgnews/data
      orgnews import export.jsonl --index-later && orgnews index --no-pairs
    """
    import time

    from archive.errors import ArchiveError
    from archive.searching import open_existing_for_writing

    started = time.monotonic()
    try:
        with open_existing_for_writing(data_dir.archive_db) as arc:
            changed = _keep_or_drop_pairs(arc, pairs)
            grouped, paired, merged = _catch_up(arc, batch=batch)
            done = _caught_up_line(arc, grouped, paired, merged, "indexed")
            if not (grouped or paired or merged):
                if not changed:
                    click.echo(f"stories and the search index are already up to date ({_held(arc)})")
                return
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    seconds = time.monotonic() - started
    click.echo(f"{done} in {seconds:,.1f} s; stories and the search index are up to date")


def _keep_or_drop_pairs(arc: Archive, pairs: bool | None) -> bool:
    """Carry out ``orgnews index --pairs`` / ``--no-pairs`` (None: neither), saying what it did;
    True when it changed what the archive keeps."""
    if pairs is None:
        return False
    if pairs:
        if arc.keep_pairs():
            click.echo("the archive keeps character pairs again: adding those of every article", err=True)
            return True
        return False
    if not arc.keeps_pairs():
        click.echo("the archive keeps no character pairs already", err=True)
        return False
    dropped = arc.drop_pairs()
    click.echo(
        f"dropped the character pairs of {dropped:,} articles from the search index: searches read "
        "single characters from now on, new articles get no pairs, and orgnews index --pairs adds "
        "them back"
    )
    return True


def _caught_up_line(arc: Archive, grouped: int, paired: int, merged: int, verb: str) -> str:
    """What ``_catch_up`` did, in words (no pairs named in an archive that keeps none)."""
    pairs = f", {verb} the character pairs of {paired:,}" if arc.keeps_pairs() else ""
    return f"grouped {grouped:,} articles into stories{pairs} and merged {merged:,} index pages"


def _held(arc: Archive) -> str:
    """What the index holds, for a line saying it is up to date."""
    # Up to date, every article is grouped: the watermark is the last article's id.
    return f"{arc.stories_through():,} articles" + ("" if arc.keeps_pairs() else ", without character pairs")


def _rate_printer(label: str, unit: str = "articles") -> Callable[..., None]:
    """A progress callback printing ``done`` (of ``of``) ``unit`` and the rate so far on stderr."""
    import time

    started = time.monotonic()

    def progress(done: int, of: int | None = None) -> None:
        rate = done / max(time.monotonic() - started, 1e-9)
        out_of = "" if of is None else f" of {of:,}"
        click.echo(f"  {label}{done:,}{out_of} {unit}  ({rate:,.0f}/s)", err=True)

    return progress


def _catch_up(arc: Archive, **options: int) -> tuple[int, int, int]:
    """``arc.group_stories()``, ``arc.index_pairs(**options)`` and ``arc.merge_index()``, saying what
    they do and how fast on stderr. Returns how many articles (pages for the merge) each handled."""
    grouped = paired = 0
    if waiting := arc.story_backlog():
        click.echo(f"grouping {waiting:,} articles into stories", err=True)
        grouped = arc.group_stories(progress=_rate_printer("grouped "))
    if waiting := arc.pair_backlog():
        click.echo(f"adding the character pairs of {waiting:,} articles to the search index", err=True)
        paired = arc.index_pairs(progress=_rate_printer("paired "), **options)
    merged = arc.merge_index(progress=_rate_printer("merged ", "index pages"))
    return grouped, paired, merged


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.File("rb"))
@click.option(
    "--workers",
    type=WORKERS,
    default=1,
    show_default=True,
    help="Processes preparing articles while one writes (0: none).",
)
@click.option(
    "--index-later",
    "--pairs-later",
    "index_later",
    is_flag=True,
    help="Leave repost grouping, the character pairs and merging the index for `orgnews index` "
    "(the articles are searchable at once either way).",
)
@data_dir_option
def import_(files: tuple, workers: int, index_later: bool, data_dir: DataDir) -> None:
    """Load articles from JSON lines (one Article object per line, e.g. from orgnews extract).

    FILE - reads standard input; a gzip file (such as a release's
    data/articles/*.jsonl.gz) is read through. An article whose URL is already in the archive
    is updated (the earlier text is kept as a version) or left as it is. Lines
    that are not articles (not JSON, a field of the wrong type, a url that is
    not an http(s) address, neither title nor body) are named with their line
    number and skipped, and the exit status is 1; the rest is stored. The
    articles are stored and indexed by their characters first; grouping them
    into stories, adding their character pairs and merging the index segments
    follow the load, which is several times faster than all at once.

    \b
      orgnews extract page.html --url https://www.12371.cn/2021/02/04/ARTI1612400000000000.shtml | orgnews import -
      orgnews import export.jsonl --index-later && orgnews index
    """
    import time
    from collections import Counter

    from archive.errors import ArchiveError
    from archive.importing import read_articles
    from archive.store import Archive

    problems: list[str] = []
    stops: list[str] = []
    started = time.monotonic()
    try:
        with Archive.open(data_dir.ensure().archive_db) as arc:
            results = arc.save_articles(
                read_articles(files, problems, stops),
                workers=workers,
                defer_pairs=True,
                defer_stories=True,
                progress=_rate_printer("stored "),
            )
            loaded = time.monotonic() - started
            statuses = Counter(result.status for result in results)
            click.echo(
                f"stored {len(results):,} articles in {loaded:,.1f} s: {statuses['new']:,} new, "
                f"{statuses['updated']:,} updated, {statuses['unchanged']:,} unchanged"
            )
            if index_later:
                pairs = f" and {arc.pair_backlog():,} for their pairs" if arc.keeps_pairs() else ""
                click.echo(
                    f"{arc.story_backlog():,} articles wait for their story grouping{pairs}, and the "
                    "index segments it wrote are not merged yet: run orgnews index",
                    err=True,
                )
            else:
                grouped, paired, merged = _catch_up(arc)
                done = _caught_up_line(arc, grouped, paired, merged, "added")
                click.echo(f"{done}; stories and the search index are up to date")
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    for problem in problems:
        click.echo(f"skipped {problem}", err=True)
    if problems:
        raise click.ClickException(_skipped_sentence(len(problems) - len(stops), stops))


def _skipped_sentence(not_articles: int, stops: list[str]) -> str:
    """The import's last line: where reading stopped (a gzip file cut short or damaged: every line
    from there on is lost, not one line that was not an article), then the lines skipped."""
    said = []
    if stops:
        said.append(
            f"reading stopped at {', '.join(stops)} (a gzip file cut short or damaged): "
            "no line from there on was read or stored"
        )
    if not_articles:
        said.append(
            "1 line was not an article and was skipped"
            if not_articles == 1
            else f"{not_articles:,} lines were not articles and were skipped"
        )
    return "; ".join(said)
