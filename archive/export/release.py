"""Making one release folder: choose the articles, write every resource, describe and checksum it.

The folder is written under a temporary name beside its final place and renamed only once
everything in it is written, so a folder with the release's name is always complete.
"""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from archive.bookkeeping import capture_workers
from archive.export import changelog, describe, reading
from archive.export.model import ExportError, FileEntry, Release, checksum
from archive.export.reading import Batch, Selection
from archive.export.resources import ARTICLES, RESOURCES, SITES, Resource
from archive.export.writers import EXTENSIONS, FORMATS, decoded, open_part

PARTIAL_MARK = ".partial-"
Progress = Callable[[str, int, int | None], None]


def write_resource(
    conn: sqlite3.Connection,
    resource: Resource,
    folder: Path,
    release: Release,
    progress: Progress | None = None,
    observe: Callable[[Batch], None] | None = None,
) -> list[FileEntry]:
    """Write every part of ``resource`` in every format of the release; returns the files written.

    A table without rows has no file (Frictionless cannot read an empty JSON lines file)."""
    directory = folder / resource.folder_path()
    writers: dict[str, list] = {}
    counts: Counter = Counter()
    # Batches are written by other threads while the next is read: compressing (which releases the
    # GIL) overlaps reading the archive, and two parts are compressed at once. A part's next batch
    # waits until its last one is written, so each file gets its rows in order; no more batches
    # than threads wait in writing, so memory stays flat.
    with ThreadPoolExecutor(max_workers=reading.PARTS_AT_ONCE) as pool:
        writing: deque[Future] = deque()
        last: dict[str, Future] = {}
        for batch in resource.read(conn):
            if batch.part not in writers:
                directory.mkdir(parents=True, exist_ok=True)
                writers[batch.part] = [
                    open_part(
                        fmt, directory / f"{batch.part}{EXTENSIONS[fmt]}", resource, excel=release.excel
                    )
                    for fmt in release.formats
                ]
            if not counts:
                release.examples[resource.name] = _first_row(resource, batch)
            if observe is not None:
                observe(batch)
            _note_empty(release, resource, batch)
            if batch.part in last:
                last.pop(batch.part).result()
            while len(writing) >= reading.PARTS_AT_ONCE:
                writing.popleft().result()
            last[batch.part] = pool.submit(_write_batch, writers[batch.part], batch)
            writing.append(last[batch.part])
            counts[batch.part] += len(batch)
            if progress is not None:
                progress(resource.name, counts.total(), None)
        for future in writing:
            future.result()
    for part in sorted(writers):
        for writer in writers[part]:
            writer.close()
    if progress is not None:
        progress(resource.name, counts.total(), None)
    release.rows[resource.name] = counts.total()
    prefix = resource.folder_path()
    return [
        FileEntry(resource.name, fmt, f"{prefix}/{part}{EXTENSIONS[fmt]}", part, counts[part])
        for part in sorted(writers)
        for fmt in release.formats
    ]


def _note_empty(release: Release, resource: Resource, batch: Batch) -> None:
    for column, values in zip(resource.fields, batch.columns, strict=True):
        if column.kind in ("integer", "boolean") and None in values:
            release.with_empty[resource.name].add(column.name)


def _write_batch(writers: list, batch: Batch) -> None:
    for writer in writers:
        writer.write(batch)


def _first_row(resource: Resource, batch: Batch) -> dict[str, Any]:
    first = [column[:1] for column in decoded(resource.fields, batch.columns)]
    return {name: column[0] for name, column in zip(resource.field_names, first, strict=True)}


def partial_folder(out: Path) -> Path:
    """The temporary folder beside ``out`` that this process writes; leftovers of dead exports are removed."""
    for stale in out.parent.glob(f".{out.name}{PARTIAL_MARK}*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    folder = out.parent / f".{out.name}{PARTIAL_MARK}{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def put_in_place(folder: Path, out: Path) -> None:
    """Rename the finished ``folder`` to ``out``, replacing an earlier release there (--force)."""
    if out.exists():
        replaced = out.parent / f".{out.name}.replaced-{os.getpid()}"
        out.rename(replaced)
        folder.rename(out)
        shutil.rmtree(replaced)
    else:
        folder.rename(out)


def check_out(out: Path, force: bool) -> None:
    # What --force cannot replace is said first: suggesting it there would only lead to a second refusal.
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is a file, not a release folder: choose another --out")
    if out.exists() and any(out.iterdir()) and not (out / "datapackage.json").is_file():
        # --force replaces an earlier release, never a folder of other files that happens to be named.
        raise ExportError(
            f"{out} is not a release (it has no datapackage.json): --force replaces only an earlier "
            "release; choose another --out"
        )
    if out.exists() and not force:
        raise ExportError(f"{out} already exists: choose another --out, or add --force to replace it")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create {out.parent}: {exc.strerror}") from exc
    if not os.access(out.parent, os.W_OK):
        raise ExportError(f"cannot write in {out.parent}: permission denied")


NO_TIME = "1970-01-01T00:00:00+00:00"


@dataclass(frozen=True)
class Taken:
    """Names and versions a new release must not repeat: the --previous release's and, for the
    default place, the releases already in the datasets folder."""

    names: frozenset[str] = frozenset()
    versions: frozenset[str] = frozenset()


def _sequence(base: str, taken: frozenset[str]) -> int:
    """1 when neither ``base`` nor any ``base.N`` is taken, else one more than the highest taken
    (``base`` itself counting as 1)."""
    suffixes = (name[len(base) + 1 :] for name in taken if name.startswith(f"{base}."))
    numbers = [int(suffix) for suffix in suffixes if suffix.isdigit()] + ([1] if base in taken else [])
    return max(numbers) + 1 if numbers else 1


def _naming(options: ExportOptions, created: str, taken: Taken) -> tuple[str, str]:
    """Name and version of a release made at ``created``: orgnews-DATE and YYYY.M.D, followed by .2,
    .3… for a later release of the same day, so a changelog never compares a release with its name."""
    name = options.name or f"orgnews-{created[:10]}"
    version = options.version or default_version(created)
    sequence = max(
        1 if options.name else _sequence(name, taken.names),
        1 if options.version else _sequence(version, taken.versions),
    )
    if sequence == 1:
        return name, version
    return (
        name if options.name else f"{name}.{sequence}",
        version if options.version else f"{version}.{sequence}",
    )


def _date(release: Release, options: ExportOptions, created: str, taken: Taken) -> None:
    """Name, version and creation time of a release made at ``created`` (the newest run or capture)."""
    release.created = created
    release.name, release.version = _naming(options, created, taken)


def _taken(options: ExportOptions, previous: changelog.PreviousRelease | None) -> Taken:
    names = {previous.name} if previous is not None else set()
    versions = {previous.version} if previous is not None else set()
    if options.out is None and not options.force and options.datasets_dir.is_dir():
        names |= {path.name for path in options.datasets_dir.iterdir() if path.name.startswith("orgnews-")}
    return Taken(frozenset(names), frozenset(versions))


def default_version(created: str) -> str:
    year, month, day = (int(part) for part in created[:10].split("-"))
    return f"{year}.{month}.{day}"


def list_formats(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [fmt for fmt in chosen if fmt not in FORMATS]
    if unknown or not chosen:
        raise ExportError(f"unknown format {(unknown or [value])[0]!r}: use some of {', '.join(FORMATS)}")
    return tuple(fmt for fmt in FORMATS if fmt in chosen)


@dataclass(frozen=True)
class ExportOptions:
    out: Path | None = None
    formats: tuple[str, ...] = FORMATS
    selection: Selection = field(default_factory=Selection)
    previous: Path | None = None
    name: str | None = None
    version: str | None = None
    excel: bool = False
    force: bool = False
    # With it, the captures of the release's articles (reading.capture_rows) are packed into the
    # release folder under the release's name, dated its creation; it returns the paths it wrote
    # there. The crawl side owns WARC files; its last argument says which cluster worker wrote a
    # WARC file (bookkeeping.capture_workers), for naming the folders of captures not found.
    pack_captures: Callable[[list[tuple], Path, str, str, Callable], list[str]] | None = None
    # Given with pack_captures: called with the same rows and worker lookup before anything is
    # written, it raises when the captures cannot be packed, so the release is refused at once.
    check_captures: Callable[[list[tuple], Callable], object] | None = None
    datasets_dir: Path = Path("datasets")


def export_release(
    db_path: Path,
    options: ExportOptions,
    progress: Progress | None = None,
    notice: Callable[[str], None] | None = None,
) -> Release:
    """Write a release of the archive at ``db_path``; returns what was written. ``notice`` hears
    once that the archive is read as immutable (read-only media, see reading.open_snapshot)."""
    previous = changelog.read_previous(options.previous) if options.previous else None
    conn = reading.open_snapshot(db_path, notice)
    try:
        chosen = reading.choose_articles(conn, options.selection)
        if not chosen:
            if options.selection == reading.Selection():
                raise ExportError(f"the archive {db_path} holds no article yet: nothing to export")
            raise ExportError("no article matches the export's filters: nothing to export")
        created = reading.newest_run_time(conn)
        if created is None and options.out is None:
            created = reading.newest_capture_time(conn) or NO_TIME  # the folder's name is its date
        taken = _taken(options, previous)
        out = options.out or options.datasets_dir / _naming(options, created or NO_TIME, taken)[0]
        check_out(out, options.force)
        release = Release(
            path=out, name="", version="", created="", formats=options.formats, excel=options.excel
        )
        if created is not None:
            _date(release, options, created, taken)
        if options.check_captures is not None:
            # Read again when packed, rather than held while every table is written.
            options.check_captures(reading.capture_rows(conn), partial(capture_workers, conn))
        try:
            folder = partial_folder(out)
        except OSError as exc:
            raise ExportError(f"cannot write in {out.parent}: {exc.strerror or exc}") from exc
        try:
            with _without_cycle_collection():
                _write_all(conn, folder, release, options, previous, taken, progress)
            describe.write_descriptions(folder, release)
            put_in_place(folder, out)
        except OSError as exc:
            # A full disk or a folder that vanished: say so in one line, leave no partial release.
            shutil.rmtree(folder, ignore_errors=True)
            raise ExportError(f"cannot write the release {out}: {exc.strerror or exc}") from exc
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    finally:
        conn.close()
    return release


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off while the release is written: the rows in flight are millions of
    small objects, each alive for a batch, which it scanned again and again (a fifth of the CPU of a
    Parquet export of 100,000 articles). Reference counting still frees them; writing makes no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write_all(
    conn: sqlite3.Connection,
    folder: Path,
    release: Release,
    options: ExportOptions,
    previous: Any,
    taken: Taken,
    progress: Progress | None,
) -> None:
    if progress is not None:
        total = conn.execute("SELECT count(*) FROM temp.release_articles").fetchone()[0]
        progress(ARTICLES.name, 0, total)
    observers = {
        ARTICLES.name: release.figures.observe,
        SITES.name: lambda batch: release.site_rows.extend(
            dict(zip(SITES.field_names, row, strict=True)) for row in batch.rows()
        ),
    }
    for resource in RESOURCES:
        observe = observers.get(resource.name)
        release.files.extend(write_resource(conn, resource, folder, release, progress, observe))
        if resource is ARTICLES and not release.created:
            # No run is recorded: the release is as new as its newest capture, seen on the way.
            _date(release, options, release.figures.last_seen or NO_TIME, taken)
    release.coverage = reading.latest_coverage(conn)
    release.run_summary = reading.run_summary(conn)
    if previous is not None:
        release.changelog = changelog.compare(previous, reading.article_states(conn))
        changelog.write(folder, release)
    if options.pack_captures is not None:
        rows = reading.capture_rows(conn)
        writers = partial(capture_workers, conn)
        release.captures = options.pack_captures(rows, folder, release.name, release.created, writers)
    # Hashing releases the GIL: files are measured two at a time, on two cores.
    with ThreadPoolExecutor(max_workers=reading.PARTS_AT_ONCE) as pool:
        release.files = list(pool.map(partial(_measured, folder), release.files))


def _measured(folder: Path, entry: FileEntry) -> FileEntry:
    size, digest = checksum(folder / entry.path)
    return FileEntry(entry.resource, entry.format, entry.path, entry.part, entry.rows, size, digest)
