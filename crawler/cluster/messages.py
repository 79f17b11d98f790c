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
from datetime import UTC, datetime
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


def refresh_value(state: dict[str, Any]) -> str:
    """What a refresh of an archived article needs, as kept in Redis for every known URL: the JSON
    list [age, ETag, Last-Modified], the age in epoch seconds as the incremental middleware reads
    it from ``Archive.article_state`` (published, else first archived), trailing nulls left out."""
    from crawler.incremental import article_age

    age = article_age(state)
    kept = [
        int(age.timestamp()) if age else None,
        state.get("etag") or None,
        state.get("last_modified") or None,
    ]
    while kept and kept[-1] is None:
        kept.pop()
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":"))


def refresh_state(value: bytes | str) -> dict[str, Any]:
    """Back to the fields of ``Archive.article_state`` the incremental middleware reads (the age
    as ``published_at``)."""
    age, etag, last_modified = [*json.loads(value), None, None, None][:3]
    return {
        "etag": etag,
        "last_modified": last_modified,
        "published_at": datetime.fromtimestamp(age, UTC).isoformat() if age is not None else None,
        "first_seen": None,
    }


def _str(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
