"""Named errors of the archive, each carrying a sentence a user can act on."""

from __future__ import annotations

from pathlib import Path


class ArchiveError(Exception):
    """The archive cannot be opened or used (missing file, newer schema, bad argument)."""


class QueryError(ArchiveError):
    """A search query or filter cannot be understood; the message says what to change."""


class ReadOnlyArchive(ArchiveError):
    """The archive cannot be written here (read-only file, directory or medium)."""


def check_archive_file(path: Path) -> None:
    """Raise the ``ArchiveError`` of a command that reads an archive where there is none: nothing at
    ``path`` yet, or something that is not a file (a folder named archive.db)."""
    if path.is_file():
        return
    if path.exists():
        raise ArchiveError(
            f"{path} is not a file, so not an archive: move it away, or give another --data-dir"
        )
    raise ArchiveError(f"no archive at {path}: crawl something first (orgnews crawl or orgnews demo)")
