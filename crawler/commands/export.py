"""``orgnews export``: a thin click layer over ``archive.export.release.export_release``
(and ``crawler.captures`` for --captures)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from archive.datadir import DataDir
from crawler.commands.options import data_dir_option, require_archive


class ExportUsageError(click.ClickException):
    """Bad input: one line on stderr and exit status 2 (an archive missing, damaged or newer than
    this orgnews is status 1, as for every command)."""

    exit_code = 2


# A release name is one folder's name (datasets/NAME), never a path to elsewhere.
RELEASE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@click.command()
@click.option("--out", type=click.Path(path_type=Path), help="Release folder (default datasets/NAME).")
@click.option(
    "--format",
    "formats",
    default="parquet,jsonl,csv",
    show_default=True,
    metavar="LIST",
    help="Comma-separated formats: parquet, jsonl, csv.",
)
@click.option("--site", multiple=True, metavar="NAME", help="Only this site (repeat for several).")
@click.option("--since", metavar="DATE", help="Published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Published on or before DATE (YYYY means to its end).")
@click.option("--query", metavar="Q", help="Only the articles an orgnews search for Q finds.")
@click.option("--collapse-reposts", is_flag=True, help="One article per story (its first archived copy).")
@click.option(
    "--previous",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="An earlier release: write CHANGELOG.md (articles added, changed, gone).",
)
@click.option(
    "--name",
    metavar="NAME",
    help="Release name (default orgnews-DATE of the newest run; .2, .3... for a later release of that day).",
)
@click.option(
    "--version",
    "release_version",
    metavar="V",
    help="Release version (default YYYY.M.D; .2, .3... likewise).",
)
@click.option("--excel", is_flag=True, help="Start CSV files with a byte order mark so Excel reads them.")
@click.option("--captures", is_flag=True, help="Also package the release's raw WARC captures as a WACZ.")
@click.option(
    "--warc-dir",
    "warc_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="With --captures: read the WARC files from DIR instead of DATA_DIR/warc (repeat for each "
    "crawl-cluster worker's folder).",
)
@click.option("--force", is_flag=True, help="Replace an existing release folder.")
@data_dir_option
def export(
    out: Path | None,
    formats: str,
    site: tuple[str, ...],
    since: str | None,
    until: str | None,
    query: str | None,
    collapse_reposts: bool,
    previous: Path | None,
    name: str | None,
    release_version: str | None,
    excel: bool,
    captures: bool,
    warc_dirs: tuple[Path, ...],
    force: bool,
    data_dir: DataDir,
) -> None:
    """Write a dataset release of the archive: Parquet, gzip JSON lines and CSV.

    The release folder (default datasets/orgnews-DATE, the date of the newest
    crawl run it holds) has data/articles/ split by year of publication,
    data/versions/, data/stories/, data/sites.* and data/runs.*, with a
    datapackage.json (Frictionless Data Package v2), a dataset card README.md
    (Hugging Face front matter) and SHA256SUMS. It is written beside its place
    and renamed when complete; the same archive and options give the same bytes.

    --captures packs the raw captures of the release's articles as a WACZ, read
    from DATA_DIR/warc/ or the --warc-dir folders: a crawl cluster's workers
    each keep theirs in their own DATA_DIR/warc/. When some are in none of the
    folders read, one line says how many and which folders to pass.

    \b
      orgnews export
      orgnews export --format parquet --site 12371 --since 2024 --out /tmp/r
      orgnews export --previous datasets/orgnews-2026-11-01 --captures
      orgnews export --captures --warc-dir /mnt/worker1/warc --warc-dir /mnt/worker2/warc
    """
    from functools import partial

    from archive.errors import ArchiveError, QueryError
    from archive.export.model import ExportError
    from archive.export.reading import Selection
    from archive.export.release import ExportOptions, export_release, list_formats
    from crawler.captures import CaptureError, check_captures, write_wacz

    require_archive(data_dir)
    if warc_dirs and not captures:
        raise ExportUsageError("--warc-dir says where to read captures from: give it with --captures")
    for warc_dir in warc_dirs:
        if not warc_dir.is_dir():
            raise ExportUsageError(f"--warc-dir {warc_dir}: no such folder")
    if name is not None and not RELEASE_NAME.fullmatch(name):
        raise ExportUsageError(
            f"--name {name!r}: use letters, digits, '.', '_' and '-' only, starting with a letter or digit "
            "(it names the release's folder)"
        )
    capture_dirs = list(warc_dirs) or [data_dir.warc_dir]
    try:
        options = ExportOptions(
            out=out,
            formats=list_formats(formats),
            selection=Selection(
                sites=site, since=since, until=until, query=query, collapse_reposts=collapse_reposts
            ),
            previous=previous,
            name=name,
            version=release_version,
            excel=excel,
            force=force,
            pack_captures=partial(write_wacz, warc_dirs=capture_dirs) if captures else None,
            check_captures=partial(check_captures, warc_dirs=capture_dirs) if captures else None,
        )
        with _progress_bar() as progress:
            release = export_release(
                data_dir.archive_db,
                options,
                progress=progress,
                notice=lambda note: click.echo(note, err=True),
            )
    except (ExportError, QueryError, CaptureError) as exc:
        raise ExportUsageError(str(exc)) from exc
    except ArchiveError as exc:
        # The archive itself (damaged, newer than this orgnews): status 1, as every command gives.
        raise click.ClickException(str(exc)) from exc
    size = sum(entry.bytes for entry in release.files)
    counts = ", ".join(f"{count:,} {table}" for table, count in release.rows.items())
    click.echo(f"wrote {release.path}: {counts} ({', '.join(release.formats)}; {size / 1e6:,.1f} MB)")
    if release.changelog is not None:
        changes = release.changelog
        click.echo(
            f"since {changes.previous}: {len(changes.added):,} added, {len(changes.changed):,} changed, "
            f"{len(changes.gone):,} gone (CHANGELOG.md)"
        )


class _progress_bar:
    """A rich progress bar on stderr, one line per table; yields the callback export_release calls."""

    def __enter__(self):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn("{task.description:>10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )
        self.tasks: dict[str, int] = {}
        return self.update

    def update(self, table: str, done: int, total: int | None) -> None:
        # Started by the first table, so an export refused before it leaves its one error line alone.
        if not self.tasks:
            self.bar.start()
        if table not in self.tasks:
            self.tasks[table] = self.bar.add_task(table, total=total)
        self.bar.update(self.tasks[table], completed=done)

    def __exit__(self, *exc_info) -> None:
        if not self.tasks:
            return
        for task in self.bar.tasks:
            if task.total is None:
                self.bar.update(task.id, total=task.completed)
        self.bar.stop()
