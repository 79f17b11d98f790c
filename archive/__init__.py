"""orgnews archive: the SQLite store, its Chinese full-text search and exports.

All SQL of the project lives in this package.
"""

from archive.errors import ArchiveError, QueryError
from archive.store import Archive, SaveResult

__all__ = ["Archive", "ArchiveError", "Hit", "QueryError", "SaveResult", "appointments", "person", "search"]


def __getattr__(name: str):
    # The search side loads only when used, so the crawler's writes stay light.
    if name in ("Hit", "search", "appointments", "person"):
        from archive import searching

        return getattr(searching, name)
    raise AttributeError(f"module 'archive' has no attribute {name!r}")
