"""Options shared by the commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from archive.datadir import DEFAULT_DATA_DIR, ENV_VAR, DataDir

if TYPE_CHECKING:
    from rich.console import Console


# SQLite's integers are 64-bit: a number past this names no row and cannot be a limit (SQLite
# refuses it with an error that names neither the option nor the number).
SQLITE_INT_MAX = 2**63 - 1


class RowCount(click.IntRange):
    """A number of rows from ``min``, at most SQLite's largest integer: a bound the help need not
    show (it reads x>=0), and an error past it that says what it is."""

    def __init__(self, min: int = 0) -> None:
        super().__init__(min=min, max=SQLITE_INT_MAX)

    def _describe_range(self) -> str:
        return f"x>={self.min}"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        number = click.INT.convert(value, param, ctx)
        if number > SQLITE_INT_MAX:
            self.fail(f"{number} is past the largest number SQLite holds ({SQLITE_INT_MAX})", param, ctx)
        return super().convert(number, param, ctx)


def require_archive(data_dir: DataDir) -> None:
    """One error line (exit status 1, as for any archive that cannot be used) when the data
    directory holds no archive to read."""
    from archive.errors import ArchiveError, check_archive_file

    try:
        check_archive_file(data_dir.archive_db)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc


# A count of rows to show, 0 for all.
LIMIT = RowCount()
# Worker processes: far past any machine's cores, well short of what the OS refuses.
WORKERS = click.IntRange(min=0, max=256)
# Days back from today: 100,000 reach before any web page, and stay after the year 1.
DAYS = click.IntRange(min=0, max=100_000)


def replay_url_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--replay-url (or $ORGNEWS_REPLAY_URL) is the http(s) address of a replay server, or a
    usage error naming it: otherwise every request of the run fails, or the check stops."""
    from urllib.parse import urlsplit

    if not value:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (a port that is not a number raises here)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid:
        raise click.BadParameter(
            f"{value!r} is not the http(s) address of a replay server, e.g. http://127.0.0.1:8800", ctx, param
        )
    return value


def data_dir_option(func):
    """The ``--data-dir`` option shared by every command; passes a ``DataDir`` as ``data_dir``."""
    return click.option(
        "--data-dir",
        "data_dir",
        envvar=ENV_VAR,
        default=None,
        metavar="DIR",
        help=f"Where everything is written (default {DEFAULT_DATA_DIR}, or ${ENV_VAR}).",
        callback=lambda ctx, param, value: DataDir.resolve(value),
    )(func)


def table_console() -> Console:
    """Where a command prints its tables: as wide as the terminal, or 200 columns when the output
    goes to a file, a pipe or cron mail, which would otherwise get 80 columns of ellipses."""
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=200)
    return console
