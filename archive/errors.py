"""Named errors of the archive, each carrying a sentence a user can act on."""

from __future__ import annotations


class ArchiveError(Exception):
    """The archive cannot be opened or used (missing file, newer schema, bad argument)."""


class QueryError(ArchiveError):
    """A search query or filter cannot be understood; the message says what to change."""


class ReadOnlyArchive(ArchiveError):
    """The archive cannot be written here (read-only file, directory or medium)."""
