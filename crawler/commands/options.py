"""Options shared by the commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from archive.datadir import DEFAULT_DATA_DIR, ENV_VAR, DataDir

if TYPE_CHECKING:
    from rich.console import Console


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
