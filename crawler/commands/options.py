"""Options shared by the commands."""

from __future__ import annotations

import click

from archive.datadir import DEFAULT_DATA_DIR, ENV_VAR, DataDir


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
