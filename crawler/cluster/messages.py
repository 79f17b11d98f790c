"""What workers put in the stream and the ingest reads back: plain JSON, one kind per entry.

- ``run-start``: a worker began its run of a site (run key, site, worker, options, profile title and hosts);
- ``page``: one ``PageResult`` (its fetches with their WARC file, offset and length, and the article);
- ``settled``: a URL that will never become an article, with the reason;
- ``run-end``: the run's status, statistics and field coverage.

The ingest also publishes, per archived article, what a refresh of it needs
(``refresh_value``), which workers read back with ``refresh_state``.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from crawler.extract.article import Article
from crawler.items import Fetch, PageResult
from crawler.warc import WarcLocation

RUN_START = "run-start"
PAGE = "page"
SETTLED = "settled"
RUN_END = "run-end"


class MessageError(ValueError):
    """A stream entry that is not one of the messages above."""


def encode(kind: str, **data: Any) -> dict[str, str]:
    """The fields of one stream entry."""
    return {"kind": kind, "data": json.dumps(data, ensure_ascii=False, default=str)}


def decode(fields: dict[bytes | str, bytes | str]) -> tuple[str, dict[str, Any]]:
    text = {_str(k): _str(v) for k, v in fields.items()}
    try:
        return text["kind"], json.loads(text["data"])
    except (KeyError, json.JSONDecodeError) as exc:
        raise MessageError(f"not an orgnews stream entry: {exc}") from exc


def page_to_dict(page: PageResult) -> dict[str, Any]:
    return {
        "site": page.site,
        "kind": page.kind,
        "fetches": [dataclasses.asdict(fetch) for fetch in page.fetches],
        "article": page.article.to_dict() if page.article is not None else None,
        "article_url": page.article_url,
        "settled": page.settled,
    }


def page_from_dict(data: dict[str, Any]) -> PageResult:
    fetches = []
    for fetch in data.get("fetches") or []:
        warc = fetch.get("warc")
        fetches.append(Fetch(**{**fetch, "warc": WarcLocation(**warc) if warc else None}))
    article = data.get("article")
    return PageResult(
        site=data["site"],
        kind=data["kind"],
        fetches=fetches,
        article=Article.from_dict(article) if article else None,
        article_url=data.get("article_url"),
        settled=data.get("settled"),
    )


# What the incremental middleware reads to refresh an archived article (``Archive.article_state``):
# the validators of the fetch it was read from and its age.
REFRESH_FIELDS = ("etag", "last_modified", "published_at", "first_seen")


def refresh_value(state: dict[str, Any]) -> str:
    """An archived article's refresh state as stored in Redis: compact JSON, empty fields left out."""
    kept = {name: state[name] for name in REFRESH_FIELDS if state.get(name)}
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":"))


def refresh_state(value: bytes | str) -> dict[str, Any]:
    found = json.loads(value)
    return {name: found.get(name) for name in REFRESH_FIELDS}


def _str(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
