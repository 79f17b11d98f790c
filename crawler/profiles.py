"""Site profiles: one TOML file per site under ``crawler/sites/``, validated at load.

A profile is data: where the lists are and how they page, which URLs are articles,
optional selectors for the extractor, politeness, and how to read a list or a detail
that is not plain HTML (a named format; the code for each format is in ``crawler.lists``).
A profile may start from a CMS template (``template = "trs"`` reads
``crawler/sites/templates/trs.toml`` first), so a new TRS or Hanweb site is a few lines.

Every mistake is a ``ProfileError`` naming the file and the key, raised at load time,
so a typo stops the run before the first request rather than silently crawling nothing.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

SITES_DIR = Path(__file__).parent / "sites"
HANWEB_PROXY = "/module/web/jpage/dataproxy.jsp"
TEMPLATES_DIR = SITES_DIR / "templates"

LIST_FORMATS = ("html", "js-array", "json", "hanweb-xml")
PAGINGS = ("none", "links", "counter", "trs", "hanweb", "next", "months")
METHODS = ("GET", "POST")
DETAIL_FORMATS = ("html", "json")
SELECTOR_FIELDS = ("title", "body", "source", "published_at", "author", "editor", "column", "subtitle")
JSON_FIELDS = ("title", "subtitle", "body", "source", "published_at", "author", "editor", "column")

# Without a limit a pager that never ends would keep one site busy forever.
DEFAULT_MAX_PAGES = 50
# How many months a walk by month reaches back without --since: this one and the one before.
DEFAULT_MONTHS = 2

_LIST_KEYS = {
    "url": str,
    "format": str,
    "paging": str,
    "max_pages": int,
    # How the list is asked for: GET, or POST with a JSON body (a script app's API)
    "method": str,
    "json_body": dict,
    # js-array: the variable holding the array; js-array and json: the key(s) holding each
    # item's link, first non-empty wins (["external_link", "url"]), and the key of its date
    "variable": str,
    "link_key": (str, list),
    "date_key": str,
    # json: where the items are ("" for a top-level array), or an id in each item and the
    # detail URL built from it
    "items_path": str,
    "id_key": str,
    "detail_url": str,
    # html and hanweb-xml: only links inside the elements this CSS selector matches
    "item_selector": str,
    # links: further list pages are links matching this regex, with the page number as group n
    "page_pattern": str,
    # counter: page n is this template (``{n}``), starting at ``first_page``
    "page_url": str,
    "first_page": int,
    # next: the next page is the link this CSS selector matches
    "next_selector": str,
    # any paging: the page count the list declares (group n), after which the walk stops
    "page_count_pattern": str,
    # months: the list is asked once per month, newest first, with {year} and {month} filled in
    # its url or json_body, back to --since's month, else ``months`` months
    "months": int,
    # json: each item is itself a list (an e-paper issue), asked for as this table says with
    # {id} in its url or json_body filled from the item's id_key
    "item_list": dict,
    # hanweb: the POST form, the page window and the data proxy's path on the site
    "form": dict,
    "per_request": int,
    "proxy_path": str,
    # What in this list was not confirmed against the live site and how to confirm it;
    # every crawl of the site says so once.
    "unverified": str,
}
_TOP_KEYS = {
    "name": str,
    "title": str,
    "hosts": list,
    "detail_pattern": str,
    "encoding": str,
    "lists": list,
    "selectors": dict,
    "politeness": dict,
    "detail": dict,
    "template": str,
    "description": str,
}
_DETAIL_KEYS = {
    "format": str,
    "api_url": str,
    "record_path": str,
    "fields": dict,
    "page_url": str,
    "source": str,
}
_POLITENESS_KEYS = {"download_delay": (int, float), "concurrency": int}


class ProfileError(ValueError):
    """A site profile is missing, unreadable or wrong; the message names the file and key."""

    def __init__(self, path: Path | str, key: str | None, problem: str) -> None:
        self.path = str(path)
        self.key = key
        where = f"{self.path}: key '{key}'" if key else self.path
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class ListSpec:
    """One list the site publishes: a start URL, its format and how it pages."""

    url: str
    format: str = "html"
    paging: str = "none"
    max_pages: int = DEFAULT_MAX_PAGES
    method: str = "GET"
    json_body: dict[str, Any] | None = None
    variable: str | None = None
    link_key: tuple[str, ...] = ()
    date_key: str | None = None
    items_path: str = ""
    id_key: str | None = None
    detail_url: str | None = None
    item_selector: str | None = None
    page_pattern: re.Pattern[str] | None = None
    page_url: str | None = None
    first_page: int = 2
    next_selector: str | None = None
    page_count_pattern: re.Pattern[str] | None = None
    form: dict[str, str] = field(default_factory=dict)
    per_request: int = 45
    proxy_path: str = HANWEB_PROXY
    months: int = DEFAULT_MONTHS
    item_list: ListSpec | None = None
    unverified: str | None = None


@dataclass(frozen=True)
class DetailSpec:
    """How a detail is fetched and read: plain HTML, or a JSON API mapped field by field."""

    format: str = "html"
    api_url: str | None = None
    record_path: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    page_url: str | None = None
    # The source to record when the record names none (a newspaper's own API).
    source: str | None = None


@dataclass(frozen=True)
class SiteProfile:
    name: str
    title: str
    hosts: tuple[str, ...]
    lists: tuple[ListSpec, ...]
    detail_pattern: re.Pattern[str]
    detail: DetailSpec = field(default_factory=DetailSpec)
    selectors: dict[str, list[str]] = field(default_factory=dict)
    politeness: dict[str, Any] = field(default_factory=dict)
    encoding: str | None = None
    description: str = ""
    path: str = ""

    @property
    def start_urls(self) -> list[str]:
        return [spec.url for spec in self.lists]

    def is_detail(self, url: str) -> bool:
        return self.detail_pattern.search(url) is not None and self.owns(url)

    def is_list(self, url: str) -> bool:
        return self.list_for(url) is not None

    def owns(self, url: str) -> bool:
        """True when the URL is on one of the site's hosts."""
        return (urlsplit(url).hostname or "") in self.hosts

    def list_for(self, url: str) -> ListSpec | None:
        """The list a URL belongs to: its start URL or one of its further pages."""
        for spec in self.lists:
            if url == spec.url or (spec.page_pattern is not None and spec.page_pattern.search(url)):
                return spec
            if (
                spec.paging == "counter"
                and url.split("?")[0] == urljoin(spec.url, spec.page_url or "").split("?")[0]
            ):
                return spec
            if spec.paging == "hanweb" and url.split("?")[0] == urljoin(spec.url, spec.proxy_path):
                return spec
            if spec.paging == "trs" and re.fullmatch(
                re.escape(urljoin(spec.url, ".")) + r"index(?:_\d+)?\.s?html", url
            ):
                return spec
        return None

    def summary(self) -> dict[str, Any]:
        """What ``orgnews sites`` shows for a profile."""
        return {
            "name": self.name,
            "title": self.title,
            "hosts": list(self.hosts),
            "start_urls": self.start_urls,
            "list_formats": sorted({spec.format for spec in self.lists}),
            "detail_format": self.detail.format,
            "politeness": dict(self.politeness),
            "encoding": self.encoding,
            "unverified": self.unverified,
            "file": self.path,
        }

    @property
    def unverified(self) -> list[str]:
        """What the profile's lists take on trust, one sentence each, naming the list."""
        return [
            f"lists[{index}] {spec.url}: {spec.unverified}"
            for index, spec in enumerate(self.lists)
            if spec.unverified
        ]


def _check(path: Path, key: str, value: Any, expected: type | tuple[type, ...]) -> Any:
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
        raise ProfileError(path, key, f"must be {names}, got {type(value).__name__} {value!r}")
    return value


def _check_keys(path: Path, prefix: str, table: dict[str, Any], allowed: dict[str, Any]) -> None:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if key not in allowed:
            raise ProfileError(path, name, f"unknown key; allowed here: {', '.join(sorted(allowed))}")
        _check(path, name, value, allowed[key])


def _regex(path: Path, key: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ProfileError(path, key, f"is not a valid regular expression ({exc})") from exc


def _one_of(path: Path, key: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ProfileError(path, key, f"is {value!r}; use one of {', '.join(allowed)}")
    return value


def _required(path: Path, table: dict[str, Any], key: str, prefix: str = "") -> Any:
    if key not in table:
        raise ProfileError(path, f"{prefix}{key}", "is required but missing")
    return table[key]


def _css(path: Path, key: str, selector: str) -> str:
    from cssselect import GenericTranslator, SelectorError

    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        raise ProfileError(path, key, f"is not a valid CSS selector ({exc})") from exc
    return selector


def _numbered_regex(path: Path, key: str, pattern: str | None) -> re.Pattern[str] | None:
    """A regex whose named group n is a page number (or count)."""
    if pattern is None:
        return None
    compiled = _regex(path, key, pattern)
    if "n" not in compiled.groupindex:
        raise ProfileError(path, key, "needs a named group (?P<n>\\d+) for the page number")
    return compiled


def _placeholders(spec: ListSpec) -> str:
    """The list's URL and JSON body as one text, to look for the placeholders a walk fills."""
    return spec.url + "".join(str(value) for value in (spec.json_body or {}).values())


def _item_list(path: Path, prefix: str, spec: ListSpec) -> None:
    """Checks of a list walked by month, and of a list whose items are lists."""
    if spec.paging == "months" and "{year}" not in _placeholders(spec):
        raise ProfileError(path, f"{prefix}paging", "months needs {year} (and {month}) in url or json_body")
    if spec.months < 1:
        raise ProfileError(path, f"{prefix}months", "must be at least 1")
    if spec.item_list is not None:
        if spec.id_key is None:
            raise ProfileError(path, f"{prefix}id_key", "is required to fill the item_list's {id}")
        if "{id}" not in _placeholders(spec.item_list):
            raise ProfileError(path, f"{prefix}item_list", "needs {id} in its url or json_body")


def _list_spec(path: Path, index: int, table: Any, prefix: str | None = None) -> ListSpec:
    prefix = prefix or f"lists[{index}]."
    _check(path, prefix.rstrip("."), table, dict)
    _check_keys(path, prefix, table, _LIST_KEYS)
    url = _required(path, table, "url", prefix)
    if urlsplit(url).scheme not in ("http", "https"):
        raise ProfileError(path, f"{prefix}url", f"{url!r} is not an http(s) URL")
    fmt = _one_of(path, f"{prefix}format", table.get("format", "html"), LIST_FORMATS)
    paging = _one_of(path, f"{prefix}paging", table.get("paging", "none"), PAGINGS)
    method = _one_of(path, f"{prefix}method", table.get("method", "GET"), METHODS)
    needs = {
        "js-array": ("variable", "link_key"),
        "links": ("page_pattern",),
        "counter": ("page_url",),
        "next": ("next_selector",),
        "hanweb": ("form",),
    }
    for key in needs.get(fmt, ()) + needs.get(paging, ()):
        _required(path, table, key, prefix)
    link_keys = table.get("link_key", [])
    link_keys = [link_keys] if isinstance(link_keys, str) else link_keys
    for key in link_keys:
        _check(path, f"{prefix}link_key", key, str)
    if (
        fmt == "json"
        and not link_keys
        and not ("id_key" in table and {"detail_url", "item_list"} & set(table))
    ):
        raise ProfileError(
            path, f"{prefix}link_key", "is required for a json list that does not build links from id_key"
        )
    if "json_body" in table and method != "POST":
        raise ProfileError(path, f"{prefix}json_body", 'is sent only with method = "POST"')
    if "detail_url" in table and "{id}" not in table["detail_url"]:
        raise ProfileError(path, f"{prefix}detail_url", "needs an {id} placeholder filled from each item")
    if "page_url" in table and "{n}" not in table["page_url"]:
        raise ProfileError(path, f"{prefix}page_url", "needs a {n} placeholder for the page number")
    if not str(table.get("proxy_path", "/")).startswith("/"):
        raise ProfileError(path, f"{prefix}proxy_path", "must be a path on the site, starting with /")
    if table.get("max_pages", 1) < 1:
        raise ProfileError(path, f"{prefix}max_pages", "must be at least 1")
    for key in ("item_selector", "next_selector"):
        if key in table:
            _css(path, f"{prefix}{key}", table[key])
    patterns = ("page_pattern", "page_count_pattern")
    values = {k: v for k, v in table.items() if k not in ("form", "link_key", "item_list", *patterns)}
    inner = table.get("item_list")
    spec = ListSpec(
        **values,
        link_key=tuple(link_keys),
        **{key: _numbered_regex(path, f"{prefix}{key}", table.get(key)) for key in patterns},
        form={str(k): str(v) for k, v in table.get("form", {}).items()},
        item_list=None if inner is None else _list_spec(path, index, inner, f"{prefix}item_list."),
    )
    _item_list(path, prefix, spec)
    return spec


def _detail_spec(path: Path, table: dict[str, Any], detail_pattern: re.Pattern[str]) -> DetailSpec:
    _check_keys(path, "detail.", table, _DETAIL_KEYS)
    fmt = _one_of(path, "detail.format", table.get("format", "html"), DETAIL_FORMATS)
    if fmt == "json":
        api_url = _required(path, table, "api_url", "detail.")
        fields = _required(path, table, "fields", "detail.")
        if "{id}" not in api_url:
            raise ProfileError(path, "detail.api_url", "needs an {id} placeholder filled from detail_pattern")
        if "id" not in detail_pattern.groupindex:
            raise ProfileError(
                path, "detail_pattern", "needs a named group (?P<id>...) for a JSON detail API"
            )
        for key, value in fields.items():
            _one_of(path, f"detail.fields.{key}", key, JSON_FIELDS)
            _check(path, f"detail.fields.{key}", value, str)
        for key in ("title", "body"):
            _required(path, fields, key, "detail.fields.")
    return DetailSpec(**table)


def _selectors(path: Path, table: dict[str, Any]) -> dict[str, list[str]]:
    selectors: dict[str, list[str]] = {}
    for key, value in table.items():
        _one_of(path, f"selectors.{key}", key, SELECTOR_FIELDS)
        values = [value] if isinstance(value, str) else value
        _check(path, f"selectors.{key}", values, list)
        for item in values:
            _check(path, f"selectors.{key}", item, str)
        selectors[key] = list(values)
    return selectors


def _politeness(path: Path, table: dict[str, Any]) -> dict[str, Any]:
    _check_keys(path, "politeness.", table, _POLITENESS_KEYS)
    if table.get("download_delay", 1) < 0 or table.get("concurrency", 1) < 1:
        raise ProfileError(path, "politeness", "download_delay must be >= 0 and concurrency >= 1")
    return dict(table)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(path, None, f"is not valid TOML ({exc})") from exc
    except OSError as exc:
        raise ProfileError(path, None, f"cannot be read ({exc.strerror})") from exc


def _with_template(path: Path, data: dict[str, Any], templates_dir: Path) -> dict[str, Any]:
    name = data.get("template")
    if name is None:
        return data
    template = templates_dir / f"{_check(path, 'template', name, str)}.toml"
    if not template.is_file():
        known = ", ".join(sorted(p.stem for p in templates_dir.glob("*.toml"))) or "none"
        raise ProfileError(path, "template", f"no template {name!r} in {templates_dir} (known: {known})")
    # Lists are per site; a template only brings selectors, detail handling and politeness.
    return _merge(_read_toml(template), data)


def load_profile(path: Path | str, templates_dir: Path | None = None) -> SiteProfile:
    """Read and validate one profile file."""
    path = Path(path)
    data = _with_template(path, _read_toml(path), templates_dir or path.parent / "templates")
    data.pop("template", None)
    _check_keys(path, "", data, _TOP_KEYS)
    for key in ("name", "title", "hosts", "lists", "detail_pattern"):
        _required(path, data, key)
    name = data["name"]
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise ProfileError(path, "name", f"{name!r} must be lowercase letters, digits, '-' or '_'")
    hosts = tuple(_check(path, "hosts", h, str) for h in data["hosts"])
    if not hosts:
        raise ProfileError(path, "hosts", "must name at least one host")
    lists = tuple(_list_spec(path, i, table) for i, table in enumerate(data["lists"]))
    if not lists:
        raise ProfileError(path, "lists", "must hold at least one list")
    for i, spec in enumerate(lists):
        for key, url in (("url", spec.url), ("item_list.url", spec.item_list and spec.item_list.url)):
            if url and urlsplit(url).hostname not in hosts:
                raise ProfileError(path, f"lists[{i}].{key}", f"host of {url} is not in hosts {list(hosts)}")
    detail_pattern = _regex(path, "detail_pattern", data["detail_pattern"])
    if data.get("encoding"):
        try:
            "".encode(data["encoding"])
        except LookupError as exc:
            raise ProfileError(path, "encoding", f"{data['encoding']!r} is not a known encoding") from exc
    return SiteProfile(
        name=name,
        title=data["title"],
        hosts=hosts,
        lists=lists,
        detail_pattern=detail_pattern,
        detail=_detail_spec(path, data.get("detail", {}), detail_pattern),
        selectors=_selectors(path, data.get("selectors", {})),
        politeness=_politeness(path, data.get("politeness", {})),
        encoding=data.get("encoding"),
        description=data.get("description", ""),
        path=str(path),
    )


def load_profiles(directory: Path | str | None = None) -> dict[str, SiteProfile]:
    """Every profile in ``directory`` (default ``crawler/sites``), by name; all validated."""
    directory = Path(directory) if directory is not None else SITES_DIR
    if not directory.is_dir():
        raise ProfileError(directory, None, "is not a directory of site profiles")
    profiles: dict[str, SiteProfile] = {}
    for path in sorted(directory.glob("*.toml")):
        profile = load_profile(path, directory / "templates")
        if profile.name in profiles:
            raise ProfileError(
                path, "name", f"{profile.name!r} is already used by {profiles[profile.name].path}"
            )
        profiles[profile.name] = profile
    return profiles


def get_profile(name: str, directory: Path | str | None = None) -> SiteProfile:
    """One profile by name; a ProfileError lists the known names when there is none."""
    profiles = load_profiles(directory)
    if name not in profiles:
        raise ProfileError(
            directory or SITES_DIR,
            None,
            f"no site profile named {name!r}; known: {', '.join(sorted(profiles))}",
        )
    return profiles[name]
