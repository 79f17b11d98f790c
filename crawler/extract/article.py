"""The one record type of the project: an extracted news-detail article.

The same field names are used by the extractor, the archive tables and the
dataset exports, so a record can travel through every stage unchanged.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Article:
    """One news-detail page, cleaned.

    ``published_at`` is ISO 8601 in Beijing time (``2021-02-03T08:15:00+08:00``),
    a bare day (``2021-02-03``) when the page shows only a day, or a bare month
    (``1999-07``) when it shows only a magazine issue (``1999年7月号``).
    ``attachments`` are ``{"url": ..., "text": ...}`` dicts with absolute URLs.
    """

    url: str
    canonical_url: str | None = None
    site: str | None = None
    column: str | None = None
    title: str | None = None
    subtitle: str | None = None
    source: str | None = None
    published_at: str | None = None
    author: str | None = None
    editor: str | None = None
    body: str = ""
    images: list[str] = field(default_factory=list)
    attachments: list[dict[str, str]] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Build an Article from a mapping, ignoring keys that are not fields."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    @classmethod
    def from_record(cls, data: Any) -> Article:
        """An Article from a record read from outside (a JSON line): ``from_dict`` after checking
        every field's type, that the url is a web address and that there is a title or a body
        to keep. Raises ``BadRecord`` naming the first field that is wrong and how."""
        if not isinstance(data, dict):
            raise BadRecord(f"a JSON object with a url was expected, not {_kind(data)}")
        for name, kind in _FIELD_KINDS.items():
            problem = _field_problem(data.get(name), kind)
            if problem:
                raise BadRecord(f"field {name!r} {problem}")
        if data["url"].strip().lower().startswith("file:"):
            # What orgnews extract gives a saved page without --url: the archive keys articles by
            # the address they were published at, which only the person who saved it knows.
            raise BadRecord(
                f"field 'url' is a local file's address, not where the article was published: "
                f"{data['url'][:60]!r} (give orgnews extract the page's web address with --url)"
            )
        if not _is_web_address(data["url"]):
            raise BadRecord(f"field 'url' is not an http(s) address with a host: {data['url'][:60]!r}")
        if not any((data.get(name) or "").strip() for name in ("title", "body")):
            raise BadRecord("no title and no body: an article needs at least one of them")
        return cls.from_dict(data)


class BadRecord(ValueError):
    """A record that cannot be an Article; the message names the field and what is wrong."""


# What each field may hold in a record: "url" (a non-empty string), "text" (a string or null),
# "date" (an ISO 8601 day or time, or null), "strings" (a list of strings), "links" (a list of
# objects with string values).
_FIELD_KINDS = {
    "url": "url",
    **dict.fromkeys(("canonical_url", "site", "column", "title", "subtitle", "source"), "text"),
    "published_at": "date",
    **dict.fromkeys(("author", "editor", "body"), "text"),
    **dict.fromkeys(("images", "next_pages", "warnings"), "strings"),
    "attachments": "links",
}


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


def _is_web_address(url: str) -> bool:
    # Spaces around it would make a second address of the same page (the archive keys by url).
    if url != url.strip():
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # a malformed host or port, such as http://[::1
        return False


def _text_problem(value: str) -> str | None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate (\\ud800-\\udfff), which is not text"
    return None


def _date_problem(value: str) -> str | None:
    try:
        if len(value) == 7:  # a month, for a page that shows only a magazine issue
            date.fromisoformat(value + "-01")
        else:
            datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
    except ValueError:
        return f"is not an ISO 8601 date or time: {value[:40]!r}"
    return None


def _field_problem(value: Any, kind: str) -> str | None:
    """What is wrong with ``value`` for a field of ``kind`` (see _FIELD_KINDS), or None."""
    if value is None:
        return "is missing" if kind == "url" else None
    if kind in ("url", "text", "date"):
        if not isinstance(value, str):
            return f"must be a string, not {_kind(value)}"
        if kind == "url" and not value.strip():
            return "is empty"
        return _text_problem(value) or (_date_problem(value) if kind == "date" else None)
    if not isinstance(value, list):
        return f"must be a list, not {_kind(value)}"
    for item in value:
        if kind == "links":
            if not isinstance(item, dict) or not all(isinstance(v, str) for v in item.values()):
                return "must hold objects of strings ({url, text})"
            texts = [*item.keys(), *item.values()]
        elif not isinstance(item, str):
            return f"must hold strings, not {_kind(item)}"
        else:
            texts = [item]
        problem = next(filter(None, map(_text_problem, texts)), None)
        if problem:
            return problem
    return None


ARTICLE_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Article))
