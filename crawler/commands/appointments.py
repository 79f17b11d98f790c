"""``orgnews appointments``, ``people``, ``person`` and ``backfill-appointments``: thin click layers over
``archive.careers`` and ``crawler.notices``."""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

import click

from archive.datadir import DataDir
from crawler.commands.options import LIMIT, SQLITE_INT_MAX, data_dir_option
from crawler.extract.appointments.records import PERSON_FIELDS

FORMATS = ("table", "json", "csv")
# Columns of the table and the CSV, in order (the JSON has every field).
LIST_COLUMNS = (
    "published_at",
    "issuer",
    "name",
    "sex",
    "birth",
    "current_post",
    "step",
    "proposed_post",
    "person_id",
)
CSV_COLUMNS = (
    "id",
    "person_id",
    *PERSON_FIELDS,
    "issuer",
    "published_at",
    "window_start",
    "window_end",
    "url",
    "warnings",
)


def _open(data_dir: DataDir, writing: bool = False) -> Any:
    """The archive; read-only where it cannot be written (said once), unless ``writing``."""
    from archive.errors import ArchiveError
    from archive.searching import open_existing, open_existing_for_writing

    try:
        if writing:
            return open_existing_for_writing(data_dir.archive_db)
        return open_existing(data_dir.archive_db, notice=lambda note: click.echo(note, err=True))
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc


def _print_rows(rows: list[dict[str, Any]], columns: tuple[str, ...], title: str) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(escape("" if row.get(name) is None else str(row[name])) for name in columns))
    console = Console(highlight=False) if sys.stdout.isatty() else Console(highlight=False, width=200)
    console.print(table)


def _write_csv(rows: list[dict[str, Any]]) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                json.dumps(row[n], ensure_ascii=False) if isinstance(row[n], list) else row[n]
                for n in CSV_COLUMNS
            ]
        )


@click.command()
@click.option("--name", metavar="NAME", help="Persons whose name contains NAME.")
@click.option("--post", metavar="TEXT", help="Current or proposed post contains TEXT (e.g. 县长).")
@click.option("--issuer", metavar="TEXT", help="Issuing body contains TEXT (e.g. 省委组织部).")
@click.option(
    "--since", metavar="DATE", help="Notices published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD)."
)
@click.option("--limit", type=LIMIT, default=50, show_default=True, help="0 means no limit.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="table", show_default=True)
@data_dir_option
def appointments(
    name: str | None,
    post: str | None,
    issuer: str | None,
    since: str | None,
    limit: int,
    output_format: str,
    data_dir: DataDir,
) -> None:
    """List the persons of the appointment notices (任前公示) in the archive, newest first.

    One row per person and notice: who (name, sex, birth month...), their
    current post, the step proposed (拟任, 拟提名, 拟进一步使用...) and the
    post, the issuing body and the notice's date. person_id links the rows of
    one person across notices (see orgnews person).

    \b
      orgnews appointments --name 王立新
      orgnews appointments --post 县委书记 --since 2026-01 --format csv > steps.csv
      orgnews appointments --issuer 省委组织部 --limit 0 --format json
    """
    if since:
        from crawler.extract.dates import BadDate, date_span

        try:
            since = date_span(since)[0].isoformat()
        except BadDate as exc:
            raise click.UsageError(f"--since {exc}") from None
    with _open(data_dir) as arc:
        rows = arc.appointments(name=name, post=post, issuer=issuer, since=since, limit=limit)
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif output_format == "csv":
        _write_csv(rows)
    else:
        _print_rows(rows, LIST_COLUMNS, f"{len(rows)} persons of appointment notices")


PEOPLE_COLUMNS = ("id", "name", "sex", "birth", "steps", "latest_at", "latest_step", "latest_post", "issuers")


@click.command()
@click.option("--name", metavar="NAME", help="People whose name contains NAME.")
@click.option("--limit", type=LIMIT, default=50, show_default=True, help="0 means no limit.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="table", show_default=True)
@data_dir_option
def people(name: str | None, limit: int, output_format: str, data_dir: DataDir) -> None:
    """List the people followed across the appointment notices, newest step first.

    One row per person (the same name, sex and birth month across notices):
    how many steps their career has so far, the latest step and its post, and
    the issuing bodies. The id is what orgnews person takes; the archive's
    People page (orgnews serve, /archive/-/people) shows the same list.

    \b
      orgnews people
      orgnews people --name 王 --format csv > people.csv
    """
    with _open(data_dir) as arc:
        found = arc.people(name=name, limit=limit)
    rows = found["people"]
    if output_format == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for row in rows:
        row["issuers"] = "；".join(row["issuers"])
    if output_format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(PEOPLE_COLUMNS)
        writer.writerows([row[column] for column in PEOPLE_COLUMNS] for row in rows)
        return
    shown = f"{len(rows)} of {found['count']}" if len(rows) < found["count"] else f"{len(rows)}"
    _print_rows(rows, PEOPLE_COLUMNS, f"{shown} people followed across appointment notices")


@click.command()
@click.argument("person_id", type=int, metavar="ID")
@click.option(
    "--format", "output_format", type=click.Choice(("table", "json")), default="table", show_default=True
)
@data_dir_option
def person(person_id: int, output_format: str, data_dir: DataDir) -> None:
    """The career of person ID across the appointment notices, oldest step first.

    ID is a person_id from orgnews appointments: the persons of several notices
    with the same name, sex and birth month. Persons who cannot surely be told
    apart (two in one notice, notices that disagree on ethnicity or native
    place) are not linked and have no person_id.

    \b
      orgnews person 1
      orgnews person 1 --format json
    """
    with _open(data_dir) as arc:
        found = arc.person(person_id) if abs(person_id) <= SQLITE_INT_MAX else None
    if found is None:
        raise click.ClickException(
            f"no person with id {person_id}: see the person_id column of orgnews appointments"
        )
    if output_format == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for step in found["steps"]:
        step["reposts"] = len(step["reposted_at"])  # the copies on other sites folded into the step
    _print_rows(
        found["steps"],
        ("published_at", "issuer", "current_post", "step", "proposed_post", "window_end", "url", "reposts"),
        f"{found['name']} ({found['sex']}, born {found['birth']}): {len(found['steps'])} "
        + ("step" if len(found["steps"]) == 1 else "steps"),
    )


@click.command("backfill-appointments")
@click.option("--site", metavar="NAME", help="Only the articles of this site.")
@data_dir_option
def backfill_appointments(site: str | None, data_dir: DataDir) -> None:
    """Read the appointment notices of the articles already in the archive.

    Crawls and orgnews reparse read the notices of the articles they store;
    this reads them for articles stored before (or by orgnews import), and
    after an upgrade of the parser. Earlier records of an article are replaced.

    \b
      orgnews backfill-appointments
      orgnews backfill-appointments --site people
    """
    from archive.errors import QueryError
    from archive.reading import check_sites
    from crawler.notices import backfill

    with _open(data_dir, writing=True) as arc:
        try:
            check_sites(arc.conn, [site] if site else [])
        except QueryError as exc:
            raise click.UsageError(str(exc)) from exc
        report = backfill(arc, site=site)
    click.echo(
        f"read {report.notices:,} notices in {report.articles:,} articles: {report.persons:,} persons; "
        f"{report.mismatched:,} notices where the persons read differ from the persons announced, "
        f"{report.attachment_only:,} with the names in attachments only"
    )
    if report.failed:
        raise click.ClickException(
            f"the parser failed on {report.failed:,} articles (see the messages above)"
        )
