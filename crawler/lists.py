"""Reading a site's lists and details as its profile says; free of Scrapy and of the network.

The spider turns ``RequestSpec``s into requests and hands the bytes back here:

- ``start_requests(profile, since, today)``: the first page of every list (every month of a walk
  by month, from ``today``'s back to ``since``'s);
- ``parse_list(profile, spec, body)``: the detail requests on a list page, and the next list page;
- ``detail_request(profile, url)``: how a detail URL is fetched (a JSON API for some sites).

Detail responses are read by ``crawler.details``.

A list walk returns at most one next page per page, in order, so that the caller can stop as
soon as a page brings nothing new. List formats (``html``, ``js-array``, ``json``,
``hanweb-xml``) and pagings (``links``, ``counter``, ``trs``, ``hanweb``) are small named
readers chosen by the profile; nothing here is specific to one site.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import lxml.etree
import lxml.html

from crawler import requestmeta
from crawler.extract import NotAnArticle
from crawler.extract.dates import parse_meta_date
from crawler.extract.decode import decode_html, header_charset
from crawler.extract.patterns import META_CHARSET_RE, XML_DECLARATION_RE
from crawler.profiles import ListSpec, SiteProfile

# Hanweb asks for three screens of records per request.
HANWEB_SCREENS = 3
# The sites publish by Beijing's calendar: their month turns at midnight there.
BEIJING = timezone(timedelta(hours=8))

_TRS_PAGER_RE = re.compile(
    r"""createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*["'](\w+)["']\s*,\s*["'](\w+)["']"""
)
_HANWEB_RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_HANWEB_TOTAL_RE = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_JS_STRING_RE = r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
# A JS literal's tokens: a string, a name, a number, or one other character.
_JS_TOKEN_RE = re.compile(rf"({_JS_STRING_RE})|([A-Za-z_$][\w$]*)|(-?\d+(?:\.\d+)?)|(\S)")


# What a list page that answers but links no article most likely means.
NO_DETAIL_LINKS = (
    "answered, but no link on it matches the profile's detail_pattern "
    "(has the list moved or changed its layout?)"
)


def moved_hint(status: int | None) -> str:
    """What a list answering 404 or 410 most likely means, to append to its problem."""
    return " (has the list moved?)" if status in (404, 410) else ""


class ListError(ValueError):
    """A list page cannot be read as its profile says (wrong format, or a URL that is no list)."""


@dataclass(frozen=True)
class RequestSpec:
    """A request the spider should make, without Scrapy: what to fetch and why."""

    url: str
    method: str = "GET"
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = "list"
    meta: dict[str, Any] = field(default_factory=dict)


# --- requests ---------------------------------------------------------------------------


def _hanweb_request(spec: ListSpec, index: int, start: int) -> RequestSpec:
    end = start + spec.per_request - 1
    query = urlencode({"startrecord": start, "endrecord": end, "perpage": spec.per_request // HANWEB_SCREENS})
    return RequestSpec(
        urljoin(spec.url, f"{spec.proxy_path}?{query}"),
        method="POST",
        body=urlencode(spec.form).encode("ascii"),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": spec.url},
        kind="list",
        meta={"list_index": index, "page": start // spec.per_request + 1, "start": start},
    )


def _filled(template: str, values: Mapping[str, str]) -> str:
    # Placeholders are replaced one by one: a JSON body or a URL may hold other braces.
    for name, value in values.items():
        template = template.replace(f"{{{name}}}", value)
    return template


def list_request(
    spec: ListSpec, index: int, url: str, page: int, values: Mapping[str, str] | None = None
) -> RequestSpec:
    """Page ``page`` of a list at ``url``: a GET, or the list's POST with its JSON body.

    ``values`` fill the placeholders of the URL and the body (``{year}``, ``{month}``, ``{id}``).
    """
    values = values or {}
    url, meta = _filled(url, values), {"list_index": index, "page": page}
    if spec.method != "POST":
        return RequestSpec(url, kind="list", meta=meta)
    fields = {k: _filled(v, values) if isinstance(v, str) else v for k, v in (spec.json_body or {}).items()}
    body = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {"Content-Type": "application/json;charset=UTF-8", "Accept": "application/json"}
    return RequestSpec(url, method="POST", body=body, headers=headers, kind="list", meta=meta)


def months_back(newest: date, oldest: date | None, default: int, cap: int) -> list[tuple[int, int]]:
    """(year, month) from ``newest``'s month back to ``oldest``'s, else ``default`` months; at most ``cap``."""
    count = default if oldest is None else (newest.year - oldest.year) * 12 + newest.month - oldest.month + 1
    year, month = newest.year, newest.month
    months = []
    for _ in range(max(1, min(count, cap))):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def start_requests(
    profile: SiteProfile, since: date | None = None, today: date | None = None
) -> list[RequestSpec]:
    """The first page of each of the profile's lists; a list walked by month, once per month.

    The months run from ``today``'s (Beijing's today by default) back to ``since``'s, else the
    list's ``months``, and never more than its ``max_pages``.
    """
    today = today or datetime.now(BEIJING).date()
    requests = []
    for index, spec in enumerate(profile.lists):
        if spec.paging == "hanweb":
            requests.append(_hanweb_request(spec, index, 1))
        elif spec.paging == "months":
            for year, month in months_back(today, since, spec.months, spec.max_pages):
                values = {"year": f"{year:04d}", "month": f"{month:02d}"}
                requests.append(list_request(spec, index, spec.url, 1, values))
        else:
            requests.append(list_request(spec, index, spec.url, 1))
    return requests


def detail_request(profile: SiteProfile, url: str) -> RequestSpec:
    """How to fetch a detail URL: the page itself, or the JSON record behind a script-rendered page."""
    detail = profile.detail
    if detail.format != "json":
        return RequestSpec(url, kind="detail")
    match = profile.detail_pattern.search(url)
    if match is None:
        raise ListError(f"{url} does not match {profile.name}'s detail_pattern, so it has no API id")
    return RequestSpec(
        str(detail.api_url).format(id=match["id"]),
        kind="detail",
        headers={"Accept": "application/json"},
        meta={"article_url": url},
    )


# --- list pages -------------------------------------------------------------------------


def with_encoding_hint(
    profile: SiteProfile, body: bytes, headers: Mapping[str, Any] | None
) -> Mapping[str, Any] | None:
    """The headers, plus the profile's ``encoding`` when neither the server nor the page names a charset.

    The hint ranks after the header and the page's meta and before sniffing; the bytes are never changed,
    so re-parsing a capture later gives the same answer.
    """
    if not profile.encoding or header_charset(headers) or META_CHARSET_RE.search(body[:4096]):
        return headers
    kind = next((str(v) for k, v in (headers or {}).items() if str(k).lower() == "content-type"), "text/html")
    rest = {k: v for k, v in (headers or {}).items() if str(k).lower() != "content-type"}
    return {**rest, "Content-Type": f"{kind.split(';')[0]}; charset={profile.encoding}"}


def _decode(body: bytes, headers: Mapping[str, Any] | None, profile: SiteProfile) -> str:
    if not body.strip():
        return ""
    try:
        return decode_html(body, with_encoding_hint(profile, body, headers))[0]
    except NotAnArticle as exc:
        raise ListError(f"the list response is not text ({exc.detail})") from exc


@dataclass(frozen=True)
class ListedLink:
    """A link a list page shows, with the date the list prints beside it when the profile reads one."""

    url: str
    listed_on: str | None = None


def _anchors(markup: str, base: str, item_selector: str | None = None) -> list[str]:
    """Absolute hrefs of the links in an HTML document or fragment, in page order.

    With ``item_selector``, only the links inside (or being) the elements it matches.
    """
    # lxml refuses text that still carries an XML encoding declaration.
    markup = XML_DECLARATION_RE.sub("", markup, count=1)
    if not markup.strip():
        return []
    try:
        root = lxml.html.fromstring(markup)
    except lxml.etree.ParserError:
        return []  # comments or whitespace only: a page without links
    declared = root.xpath("//base/@href")
    base = urljoin(base, declared[0]) if declared else base
    if item_selector:
        hrefs = [h for el in root.cssselect(item_selector) for h in el.xpath("descendant-or-self::a/@href")]
    else:
        hrefs = root.xpath("//a/@href")
    return [
        urljoin(base, href.strip())
        for href in hrefs
        if href.strip() and not href.strip().lower().startswith(("javascript:", "mailto:", "#"))
    ]


def _js_array(text: str, variable: str) -> str | None:
    """The source of the array literal assigned to ``variable`` (``item=[...]``), brackets balanced."""
    match = re.search(rf"(?<![\w$.]){re.escape(variable)}\s*=\s*\[", text)
    if match is None:
        return None
    start = match.end() - 1
    depth = 0
    for token in _JS_TOKEN_RE.finditer(text, start):
        char = token[4]
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return text[start : token.end()]
    return None


def _unquote_js(literal: str) -> str:
    inner = literal[1:-1]
    try:
        return (
            json.loads(f'"{inner}"') if literal[0] == '"' else inner.replace("\\'", "'").replace("\\/", "/")
        )
    except json.JSONDecodeError:
        return inner.replace("\\/", "/")


def _js_records(array: str) -> list[dict[str, str]]:
    """The objects of a JS array literal, each as its top-level keys and plain values.

    Sites write these by hand or by template: keys bare or quoted, strings in either quote,
    slashes escaped or not (``[{title:'…', "link_add":"https:\\/\\/…"}]``). Nested values are skipped.
    """
    records: list[dict[str, str]] = []
    depth, key, expect_value = 0, None, False
    for token in _JS_TOKEN_RE.finditer(array):
        string, name, number, punct = token.groups()
        if punct in ("[", "{"):
            depth += 1
            if punct == "{" and depth == 2:
                records.append({})
            key, expect_value = None, False
        elif punct in ("]", "}"):
            depth -= 1
            key, expect_value = None, False
        elif depth != 2 or not records:
            continue
        elif punct == ":":
            expect_value = key is not None
        elif punct:
            key, expect_value = None, False
        else:
            value = _unquote_js(string) if string else name or number or ""
            if expect_value and key is not None:
                records[-1].setdefault(key, value)
                key, expect_value = None, False
            else:
                key = value
    return records


def _listed_on(value: Any) -> str | None:
    """The day of a list item's printed time (``2026-11-20 09:30:00``), as ``YYYY-MM-DD``."""
    if value in (None, ""):
        return None
    parsed = parse_meta_date(str(value))
    return parsed[:10] if parsed else None


def _record_links(records: Iterable[Any], spec: ListSpec, base: str) -> list[ListedLink]:
    """Each record's link: its first non-empty ``link_key``, else ``detail_url`` filled with its id."""
    links = []
    for record in records:
        if not isinstance(record, Mapping):
            continue
        link = next((str(record[k]).strip() for k in spec.link_key if str(record.get(k) or "").strip()), "")
        ident = record.get(spec.id_key) if spec.id_key else None
        if not link and spec.detail_url and ident not in (None, ""):
            link = str(spec.detail_url).format(id=ident)
        if link:
            when = _listed_on(record.get(spec.date_key)) if spec.date_key else None
            links.append(ListedLink(urljoin(base, html.unescape(link)), when))
    return links


def _js_array_links(text: str, spec: ListSpec, base: str) -> list[ListedLink]:
    array = _js_array(text, str(spec.variable))
    if array is None:
        raise ListError(
            f"no `{spec.variable}=[...]` array in the list page {base}; has the site changed its list?"
        )
    return _record_links(_js_records(array), spec, base)


def value_at(data: Any, path: str) -> Any:
    """The value at a dotted ``path`` (``data.list``, ``items.0``) in parsed JSON, None where it stops.

    ``*`` stands for every element of a list: ``data.pages.*.items`` is the items of all pages, in order.
    """
    parts = [part for part in path.split(".") if part]
    for depth, part in enumerate(parts):
        if part == "*":
            rest = ".".join(parts[depth + 1 :])
            found = [value_at(item, rest) for item in data] if isinstance(data, list) else []
            return [
                v for value in found for v in (value if isinstance(value, list) else [value]) if v is not None
            ]
        if isinstance(data, Mapping):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _json_items(text: str, spec: ListSpec, base: str) -> list[Any]:
    if not text:
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ListError(f"the list {base} is not JSON ({exc.msg} at {exc.pos})") from exc
    items = value_at(data, spec.items_path)
    if items is None:
        return []
    if not isinstance(items, list):
        where = repr(spec.items_path) if spec.items_path else "the top level"
        raise ListError(f"{where} in the list {base} is a {type(items).__name__}, not a list")
    return items


def _json_links(text: str, spec: ListSpec, base: str) -> list[ListedLink]:
    return _record_links(_json_items(text, spec, base), spec, base)


def _item_lists(text: str, spec: ListSpec, index: int, base: str) -> list[RequestSpec]:
    """A request for each item that is itself a list (an e-paper issue), with the day it is dated."""
    assert spec.item_list is not None and spec.id_key is not None
    requests = []
    for record in _json_items(text, spec, base):
        ident = record.get(spec.id_key) if isinstance(record, Mapping) else None
        if ident in (None, ""):
            continue
        request = list_request(spec.item_list, index, spec.item_list.url, 1, {"id": str(ident)})
        day = _listed_on(record.get(spec.date_key)) if spec.date_key else None
        request.meta[requestmeta.ITEM_LIST] = True
        requests.append(_with_listed_day(request, day))
    return requests


def _hanweb_links(text: str, spec: ListSpec, base: str) -> list[str]:
    return [
        link
        for fragment in _HANWEB_RECORD_RE.findall(text)
        for link in _anchors(fragment, base, spec.item_selector)
    ]


def _candidate_links(text: str, spec: ListSpec, base: str) -> list[ListedLink]:
    if spec.format == "js-array":
        return _js_array_links(text, spec, base)
    if spec.format == "json":
        return _json_links(text, spec, base)
    if spec.format == "hanweb-xml":
        return [ListedLink(url) for url in _hanweb_links(text, spec, base)]
    return [ListedLink(url) for url in _anchors(text, base, spec.item_selector)]


def _unique(links: Iterable[ListedLink]) -> list[ListedLink]:
    first: dict[str, ListedLink] = {}
    for link in links:
        first.setdefault(link.url, link)
    return list(first.values())


def _page_number(spec: ListSpec, request: RequestSpec) -> int:
    """How many pages of this list the walk has read, this one included."""
    if "page" in request.meta:
        return int(request.meta["page"])
    if spec.paging == "trs":
        match = re.search(r"_(\d+)\.\w+$", request.url)
        return int(match[1]) + 1 if match else 1
    if spec.paging == "counter" and spec.page_url:
        template = re.escape(urljoin(spec.url, spec.page_url)).replace(re.escape("{n}"), r"(\d+)")
        match = re.fullmatch(template, request.url)
        return int(match[1]) if match else 1
    if spec.paging == "hanweb":
        start = int(parse_qs(urlsplit(request.url).query).get("startrecord", ["1"])[0])
        return start // spec.per_request + 1
    return 1


def _next_linked(spec: ListSpec, request: RequestSpec, text: str) -> str | None:
    """The pager link after this page: the smallest page number above this URL's own.

    The first page usually has no number (``index.html``), and sites differ on whether the
    second is ``_1`` or ``2``, so only the order of the numbers matters.
    """
    assert spec.page_pattern is not None
    own = spec.page_pattern.search(request.url)
    current = int(own["n"]) if own else -1
    numbered: dict[int, str] = {}
    for url in _anchors(text, request.url):
        match = spec.page_pattern.search(url)
        if match and int(match["n"]) > current:
            numbered.setdefault(int(match["n"]), url)
    return numbered[min(numbered)] if numbered else None


def _next_trs(spec: ListSpec, request: RequestSpec, text: str, page: int) -> str | None:
    """TRS pages: from ``createPageHTML(count, current, "index", "shtml")``, else from a pager link."""
    pager = _TRS_PAGER_RE.search(text)
    if pager:
        # TRS counts from 0: index.shtml, index_1.shtml, index_2.shtml ...
        if int(pager[2]) + 1 < int(pager[1]):
            return urljoin(spec.url, f"{pager[3]}_{int(pager[2]) + 1}.{pager[4]}")
        return None
    wanted = re.compile(re.escape(urljoin(spec.url, ".")) + rf"index_{page}\.s?html?$")
    return next((url for url in _anchors(text, request.url) if wanted.match(url)), None)


def _next_selected(spec: ListSpec, request: RequestSpec, text: str) -> str | None:
    """The link ``next_selector`` finds (``div.page a[title="下一页"]``), unless it leads back here."""
    follow = next(iter(_anchors(text, request.url, spec.next_selector)), None)
    return follow if follow and follow != request.url else None


def _declares_no_more(spec: ListSpec, text: str, page: int) -> bool:
    """True when the list prints its page count (``var _totalPage=3``) and this page is the last."""
    if spec.page_count_pattern is None:
        return False
    declared = spec.page_count_pattern.search(text)
    return declared is not None and page >= int(declared["n"])


def _next_page(
    spec: ListSpec, index: int, request: RequestSpec, text: str, found_links: bool
) -> RequestSpec | None:
    page = _page_number(spec, request)
    if page >= spec.max_pages or _declares_no_more(spec, text, page):
        return None
    follow: str | None = None
    if spec.paging == "links":
        follow = _next_linked(spec, request, text)
    elif spec.paging == "counter" and found_links:
        follow = urljoin(spec.url, str(spec.page_url).format(n=max(page + 1, spec.first_page)))
    elif spec.paging == "trs":
        follow = _next_trs(spec, request, text, page)
    elif spec.paging == "next":
        follow = _next_selected(spec, request, text)
    elif spec.paging == "hanweb":
        total = _HANWEB_TOTAL_RE.search(text)
        start = int(request.meta.get("start", (page - 1) * spec.per_request + 1)) + spec.per_request
        if total and start <= int(total[1]):
            return _hanweb_request(spec, index, start)
    if follow is None:
        return None
    return list_request(spec, index, follow, page + 1)


def _with_listed_day(request: RequestSpec, day: str | None) -> RequestSpec:
    # The list's date stands in for the URL's when the URL carries none (``--since``).
    return replace(request, meta={**request.meta, requestmeta.LISTED_ON: day}) if day else request


def _list_of(profile: SiteProfile, request: RequestSpec) -> tuple[int, ListSpec]:
    index = request.meta.get("list_index")
    if isinstance(index, int) and 0 <= index < len(profile.lists):
        spec = profile.lists[index]
        if request.meta.get(requestmeta.ITEM_LIST) and spec.item_list is not None:
            return index, spec.item_list
        return index, spec
    spec = profile.list_for(request.url)
    if spec is None:
        raise ListError(f"{request.url} is not one of {profile.name}'s lists (see lists in {profile.path})")
    return profile.lists.index(spec), spec


def parse_list(
    profile: SiteProfile,
    spec_or_url: RequestSpec | str,
    body: bytes,
    headers: Mapping[str, Any] | None = None,
) -> tuple[list[RequestSpec], list[RequestSpec]]:
    """(detail requests, further list requests) for one list page.

    Links are resolved against the list URL and kept only when they match the profile's
    detail pattern; the further list requests hold at most the next page, or, for a list whose
    items are lists, one request per item (marked ``requestmeta.ITEM_LIST``).
    """
    request = RequestSpec(spec_or_url) if isinstance(spec_or_url, str) else spec_or_url
    index, spec = _list_of(profile, request)
    text = _decode(body, headers, profile)
    if spec.item_list is not None:
        return [], _item_lists(text, spec, index, request.url)
    links = _candidate_links(text, spec, request.url)
    # Items of a dated list (an issue) without a date of their own take the list's.
    inherited = request.meta.get(requestmeta.LISTED_ON)
    details = [
        _with_listed_day(detail_request(profile, link.url), link.listed_on or inherited)
        for link in _unique(links)
        if profile.is_detail(link.url)
    ]
    follow = _next_page(spec, index, request, text, found_links=bool(links))
    return details, [follow] if follow else []
