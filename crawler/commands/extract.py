"""``orgnews extract``: run the extractor on saved HTML files and print JSON lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from crawler.extract import ARTICLE_FIELDS, NotAnArticle, extract_article


def _as_url(path: Path, url: str | None) -> str:
    return url or path.resolve().as_uri()


def _as_text(record: dict) -> str:
    lines = [f"{name}: {record[name]}" for name in ARTICLE_FIELDS if name != "body" and record[name]]
    return "\n".join([*lines, "", record["body"], ""])


@click.command(name="extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--url",
    help="The URL the page was fetched from (resolves relative links, dates in URLs). "
    "Defaults to the file's own file:// URL.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="json: one JSON object per file per line, keys exactly the Article fields; "
    "text: the fields and the body, for reading.",
)
def extract(files: tuple[Path, ...], url: str | None, fmt: str) -> None:
    """Extract one article from each saved HTML FILE.

    Prints one JSON object per file on its own line. A file that is not an
    article (empty, binary, a bot challenge, a list page...) or cannot be read
    (missing, a directory, no permission) gets a message on stderr; the other
    files are still printed, and the exit status is 1.

    \b
    Example:
        orgnews extract page.html --url https://www.12371.cn/2021/02/04/ARTI1612400000000000.shtml
    """
    failed = 0
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            click.echo(f"{path}: cannot read the file ({exc.strerror or exc})", err=True)
            failed += 1
            continue
        try:
            article = extract_article(data, _as_url(path, url))
        except NotAnArticle as exc:
            prefix = "blocked" if exc.blocked else "not an article"
            click.echo(f"{path}: {prefix} ({exc.reason}): {exc.detail}", err=True)
            failed += 1
            continue
        record = article.to_dict()
        if fmt == "json":
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(_as_text(record) + "\n")
        sys.stdout.flush()
    if failed:
        sys.exit(1)
