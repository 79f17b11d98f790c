"""Terminal output of crawl runs: the live progress table and the end-of-run summary."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from crawler.runner import SiteProgress
from crawler.runstats import COVERAGE_FIELDS

COVERAGE_LABELS = {
    "title": "title",
    "published_at": "date",
    "source": "source",
    "author": "author",
    "editor": "editor",
    "body": "body",
}


def progress_table(rows: Iterable[SiteProgress]) -> Table:
    table = Table(title="crawling", title_justify="left", box=None, pad_edge=False)
    for name in ("site", "pages", "new", "updated", "errors", "blocked", "state"):
        table.add_column(name, justify="left" if name in ("site", "state") else "right")
    for row in rows:
        state = row.status or row.finish_reason or ("running" if row.run_id else "starting")
        table.add_row(
            row.site,
            str(row.pages),
            str(row.new),
            str(row.updated),
            Text(str(row.errors), style="red" if row.errors else ""),
            Text(str(row.blocked), style="yellow" if row.blocked else ""),
            state,
        )
    return table


def runs_table(runs: Iterable[Mapping[str, Any]], title: str = "runs") -> Table:
    table = Table(title=title, title_justify="left")
    columns = [
        "id",
        "site",
        "started",
        "status",
        "pages",
        "new",
        "upd",
        "same",
        "failed",
        "errors",
        "blocked",
    ]
    for name in columns:
        table.add_column(name, justify="left" if name in ("site", "started", "status") else "right")
    for name in COVERAGE_FIELDS:
        table.add_column(COVERAGE_LABELS[name], justify="right")
    for run in runs:
        coverage = run.get("field_coverage") or {}
        status = run.get("status") or ""
        table.add_row(
            str(run.get("id", "")),
            str(run.get("site", "")),
            str(run.get("started_at") or "")[:19],
            Text(status, style="green" if status == "completed" else "yellow"),
            *(
                str(run.get(key) or 0)
                for key in (
                    "pages_fetched",
                    "articles_new",
                    "articles_updated",
                    "articles_unchanged",
                    "articles_failed",
                    "fetch_errors",
                    "fetches_blocked",
                )
            ),
            *(
                f"{coverage[name]:.0%}" if isinstance(coverage.get(name), int | float) else "-"
                for name in COVERAGE_FIELDS
            ),
        )
    return table


def print_summary(console: Console, runs: list[Mapping[str, Any]]) -> None:
    console.print(runs_table(runs, title="run summary"))
    alerts = [alert for run in runs for alert in (run.get("alerts") or [])]
    if alerts:
        console.print(Group(*(Text(f"WARNING: {alert}", style="bold red") for alert in alerts)))


def check_table(console: Console, results: Iterable[Any]) -> None:
    """``orgnews sites --check``: one row per site, then each problem and each unverified value."""
    results = list(results)
    table = Table(title="site check", title_justify="left")
    for name in ("site", "lists", "detail URLs", "articles", "fields filled", "challenges", "verdict"):
        table.add_column(name, justify="right" if name in ("detail URLs", "challenges") else "left")
    styles = {"ok": "green", "partial": "yellow", "broken": "bold red"}
    for result in results:
        fields = " ".join(
            f"{COVERAGE_LABELS[name]} {result.fields_filled[name]}/{result.articles}"
            for name in COVERAGE_FIELDS
        )
        table.add_row(
            result.site,
            f"{result.lists_reachable}/{len(result.lists)} answered",
            str(result.detail_urls),
            f"{result.articles}/{result.details_tried} read",
            fields if result.articles else "-",
            Text(str(len(result.challenges)), style="yellow" if result.challenges else ""),
            Text(result.verdict, style=styles[result.verdict]),
        )
    console.print(table)
    for result in results:
        for problem in result.problems:
            console.print(Text(f"{result.site}: {problem}", style=styles[result.verdict]), soft_wrap=True)
        for note in result.unverified:
            console.print(f"{result.site}: not confirmed against the live site: {note}", soft_wrap=True)
