"""Every selector, label and date form of ``crawler/extract/patterns.py`` is met by a golden case.

An entry that no page under ``tests/pages/`` exercises is either untested or dead weight: give it
a case of the shape it is for (a folder, see ``tests/pages/README.md``) or remove it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from crawler.extract import patterns
from crawler.extract.decode import decode_html
from crawler.extract.errors import NotAnArticle
from crawler.extract.tree import AttrIndex, block_lines, collect_meta, parse_html, strip_furniture
from tests.extract.test_golden import CASES, load_case

SELECTOR_LISTS = ("BODY_SELECTORS", "BREADCRUMB_SELECTORS", "PAGER_SELECTORS")
META_NAME_LISTS = (
    "TITLE_META_NAMES",
    "SOURCE_META_NAMES",
    "AUTHOR_META_NAMES",
    "COLUMN_META_NAMES",
    "CANONICAL_META_NAMES",
    "DATE_META_NAMES",
)


@dataclass
class GoldenPage:
    url: str
    index: AttrIndex
    metas: dict[str, list[str]]
    lines: list[str]


def read_page(folder: Any) -> GoldenPage | None:
    """A golden case parsed the way the extractor parses it (None for a page that is not HTML)."""
    body, url, headers, _expected = load_case(folder)
    try:
        root = parse_html(decode_html(body, headers)[0])
    except NotAnArticle:
        return None
    index, metas = AttrIndex(root), collect_meta(root)
    strip_furniture(root)
    return GoldenPage(url, index, metas, [line.text for line in block_lines(root)])


@pytest.fixture(scope="module")
def golden_pages() -> list[GoldenPage]:
    return [page for page in map(read_page, CASES) if page is not None]


def labels_in(lines: Iterable[str]) -> set[str]:
    """The by-line labels the extractor reads in these lines (``来源：``, a cell holding ``作者：``)."""
    found = set()
    for text in lines:
        found.update(match.group(1) for match in patterns.LABEL_RE.finditer(text))
        if patterns.LABEL_ONLY_RE.match(text):
            found.add(text.rstrip(":： ").strip())
    return found


def unmet(entries: Iterable[str], met: set[str]) -> list[str]:
    return [entry for entry in entries if entry not in met]


@pytest.mark.parametrize("name", SELECTOR_LISTS)
def test_every_selector_selects_an_element_of_a_golden_page(golden_pages, name):
    selectors = getattr(patterns, name)
    met = {selector for page in golden_pages for selector in selectors if page.index.select(selector)}
    assert not unmet(selectors, met), f"{name}: no golden page has an element these select"


def test_every_byline_label_labels_a_line_of_a_golden_page(golden_pages):
    met = labels_in(line for page in golden_pages for line in page.lines)
    labels = [label for label, _field in patterns.BYLINE_LABELS]
    assert not unmet(labels, met), "BYLINE_LABELS: no golden page has a line with these labels"


@pytest.mark.parametrize("name", META_NAME_LISTS)
def test_every_meta_name_is_on_a_golden_page(golden_pages, name):
    met = {key for page in golden_pages for key, values in page.metas.items() if values}
    assert not unmet(getattr(patterns, name), met), f"{name}: no golden page has a <meta> of these names"


def test_every_url_date_form_dates_a_golden_page(golden_pages):
    forms = [pattern.pattern for pattern in patterns.URL_DATE_PATTERNS]
    met = {
        pattern.pattern
        for page in golden_pages
        for pattern in patterns.URL_DATE_PATTERNS
        if pattern.search(page.url)
    }
    assert not unmet(forms, met), "URL_DATE_PATTERNS: no golden case has a URL of these forms"


def test_an_entry_no_page_has_is_reported():
    # The check itself: a label, selector and meta name of no page are found missing.
    page = GoldenPage(
        "https://example.cn/a.html", AttrIndex(parse_html("<p id=x>来源：某报</p>")), {}, ["来源：某报"]
    )
    assert unmet(["来源", "作者"], labels_in(page.lines)) == ["作者"]
    assert [s for s in ("#x", "#y") if not page.index.select(s)] == ["#y"]
