"""The single data directory every command writes into.

Layout::

    DATA_DIR/archive.db   the SQLite archive
    DATA_DIR/warc/        raw responses, gzip WARC
    DATA_DIR/logs/        crawl logs
    DATA_DIR/jobs/        per-site crawl state (settled URLs) for incremental, resumable runs
    DATA_DIR/exports/     dataset releases
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from archive.errors import ArchiveError

DEFAULT_DATA_DIR = "./orgnews-data"
ENV_VAR = "ORGNEWS_DATA_DIR"


class DataDirError(ArchiveError):
    """The data directory cannot be used (not a directory, not writable)."""


# The errors of a file that cannot be created where the user may not write.
NOT_PERMITTED = (errno.EACCES, errno.EPERM, errno.EROFS)


def read_only_message(root: Path, why: str) -> str:
    """The one wording every writing command uses for a data directory it cannot write in."""
    return (
        f"the data directory {root} is read-only here ({why}): this command writes to the archive; "
        "run it where the data directory can be written"
    )


@dataclass(frozen=True)
class DataDir:
    root: Path

    @classmethod
    def resolve(cls, value: str | os.PathLike[str] | None = None) -> DataDir:
        """Pick the directory: explicit value, else $ORGNEWS_DATA_DIR, else ./orgnews-data."""
        chosen = value or os.environ.get(ENV_VAR) or DEFAULT_DATA_DIR
        return cls(Path(chosen).expanduser().resolve())

    @property
    def archive_db(self) -> Path:
        return self.root / "archive.db"

    @property
    def warc_dir(self) -> Path:
        return self.root / "warc"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def jobs_dir(self) -> Path:
        return self.root / "jobs"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    def ensure(self) -> DataDir:
        """Create the directory tree, with a clear error when that is impossible."""
        if self.root.exists() and not self.root.is_dir():
            raise DataDirError(f"data directory {self.root} exists and is not a directory")
        try:
            for path in (self.root, self.warc_dir, self.logs_dir, self.jobs_dir):
                path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if exc.errno in NOT_PERMITTED and self.root.is_dir():
                why = f"its folder {path.name} cannot be created"
                raise DataDirError(read_only_message(self.root, why)) from exc
            raise DataDirError(f"cannot create data directory {self.root}: {exc.strerror}") from exc
        if not os.access(self.root, os.W_OK):
            raise DataDirError(read_only_message(self.root, "it cannot be written"))
        return self
