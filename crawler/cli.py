"""The ``orgnews`` command: a thin click layer over the library.

Subcommands are imported only when they run, so ``orgnews extract`` starts
without loading Scrapy, Datasette or the archive.
"""

from __future__ import annotations

import importlib
import sqlite3
import sys
from typing import Any

import click

from crawler import __version__

# name -> ("module:attribute", one-line help); each module owns one user action.
COMMANDS: dict[str, tuple[str, str]] = {
    "extract": ("crawler.commands.extract:extract", "Extract articles from saved HTML files (JSON lines)."),
    "crawl": ("crawler.commands.crawl:crawl", "Crawl sites politely and incrementally into the archive."),
    "demo": (
        "crawler.commands.crawl:demo",
        "Crawl the bundled offline replay of every site, then search it.",
    ),
    "runs": ("crawler.commands.crawl:runs", "Show recorded crawl runs and field coverage."),
    "reparse": ("crawler.commands.crawl:reparse", "Re-extract stored articles from the WARC files, offline."),
    "sites": ("crawler.commands.crawl:sites", "List the site profiles."),
    "search": ("crawler.commands.archive:search", "Search the archive (exact Chinese full-text search)."),
    "serve": ("crawler.commands.archive:serve", "Browse the archive in Datasette, read-only."),
    "index": ("crawler.commands.archive:index", "Bring the search index up to date after a bulk load."),
    "import": (
        "crawler.commands.archive:import_",
        "Load articles from JSON lines (e.g. orgnews extract output).",
    ),
    "appointments": (
        "crawler.commands.appointments:appointments",
        "List the persons of the appointment notices (任前公示).",
    ),
    "people": (
        "crawler.commands.appointments:people",
        "List the people followed across the appointment notices.",
    ),
    "person": ("crawler.commands.appointments:person", "One person's steps across the appointment notices."),
    "backfill-appointments": (
        "crawler.commands.appointments:backfill_appointments",
        "Read the appointment notices of articles already stored.",
    ),
    "ingest": (
        "crawler.commands.cluster:ingest",
        "Write what a crawl cluster's workers found into the archive (the one writer).",
    ),
    "status": ("crawler.commands.cluster:status", "Show a crawl cluster: workers, frontier, leases, ingest."),
    "export": ("crawler.commands.export:export", "Write a dataset release: Parquet, JSON lines, CSV, card."),
}


def _database_problem(exc: sqlite3.DatabaseError) -> str:
    """One sentence for an SQLite error that reached the command line."""
    kind = getattr(exc, "sqlite_errorname", "")
    if kind.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        # A damaged archive (cut short, overwritten) met past the pages read when it was opened.
        return (
            f"the archive is damaged ({exc}): restore it from a copy, or rescue what is left "
            "with `sqlite3 archive.db .recover`"
        )
    if kind.startswith("SQLITE_READONLY"):
        return f"the archive cannot be written here ({exc}): run this where it can be written"
    return f"the archive cannot be used: {exc}"


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS:
            module_name, attr = COMMANDS[name][0].split(":")
            return getattr(importlib.import_module(module_name), attr)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:
            raise click.ClickException(_database_problem(exc)) from exc
        except Exception as exc:
            # archive.errors is loaded only by commands that open an archive, and those are the
            # only ones whose ArchiveError (a sentence for the user) can arrive here.
            errors = sys.modules.get("archive.errors")
            if errors is not None and isinstance(exc, errors.ArchiveError):
                raise click.ClickException(str(exc)) from exc
            raise

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing uses the static help so that --help does not import every command.
        rows = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="orgnews")
def main() -> None:
    """orgnews: crawl, archive and search Chinese organization-department news.

    Everything is written under one data directory (--data-dir, default
    ./orgnews-data/): archive.db, warc/, logs/, jobs/.
    """


if __name__ == "__main__":
    main()
