"""Golden pages: every ``tests/pages/<family>/<case>/`` folder is one test case.

The schema of ``expected.json`` is documented in ``tests/pages/README.md``. A
failing case reports every differing field at once, so one run shows all that
an extractor change broke.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import lxml.html
import pytest

from crawler.extract import Article, NotAnArticle, extract_article

PAGES = Path(__file__).resolve().parent.parent / "pages"
CASES = sorted(path.parent for path in PAGES.glob("*/*/expected.json"))

TEXT_FIELDS = (
    "url",
    "canonical_url",
    "site",
    "column",
    "title",
    "subtitle",
    "source",
    "published_at",
    "author",
    "editor",
)
URL_LIST_FIELDS = ("images", "next_pages")
BODY_KEYS = ("body", "body_starts", "body_ends", "body_contains", "body_excludes")
NEGATIVE_KEYS = ("not_an_article", "blocked")
KNOWN_KEYS = frozenset(
    (
        *TEXT_FIELDS,
        *URL_LIST_FIELDS,
        "attachments",
        "attachment_urls",
        "warnings_include",
        *BODY_KEYS,
        *NEGATIVE_KEYS,
    )
)

_SPACE_RE = re.compile(r"\s+")


def normalize(text: str | None) -> str | None:
    """Collapse white space; empty becomes None so that ``null`` matches ``""``."""
    if text is None:
        return None
    text = _SPACE_RE.sub(" ", text).strip()
    return text or None


def body_lines(body: str | None) -> list[str]:
    return [line for line in (normalize(raw) for raw in (body or "").split("\n")) if line]


def load_case(folder: Path) -> tuple[bytes, str, dict[str, str], dict[str, Any]]:
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    url = meta.get("url") or f"https://example.com/{folder.parent.name}/{folder.name}.html"
    return (folder / "page.html").read_bytes(), url, meta.get("headers") or {}, expected


def case_profile(folder: Path) -> SimpleNamespace | None:
    """The site profile a case asks for: the extractor only reads its ``selectors``."""
    meta_path = folder / "meta.json"
    selectors = (
        json.loads(meta_path.read_text(encoding="utf-8")).get("selectors") if meta_path.exists() else None
    )
    return SimpleNamespace(selectors=selectors) if selectors else None


def case_id(folder: Path) -> str:
    return f"{folder.parent.name}/{folder.name}"


def compare_body(expected: dict[str, Any], body: str) -> list[str]:
    diffs: list[str] = []
    lines = body_lines(body)
    flat = "\n".join(lines)
    if "body" in expected:
        want = body_lines(expected["body"])
        if lines != want:
            first = next(
                (i for i, (a, b) in enumerate(zip(want, lines, strict=False)) if a != b),
                min(len(want), len(lines)),
            )
            got_line = lines[first] if first < len(lines) else "<end of body>"
            want_line = want[first] if first < len(want) else "<end of body>"
            diffs.append(
                f"body: {len(want)} lines expected, {len(lines)} extracted; first difference at "
                f"line {first + 1}:\n      expected {want_line!r}\n      got      {got_line!r}"
            )
    if "body_starts" in expected and not flat.startswith(normalize(expected["body_starts"]) or ""):
        diffs.append(
            f"body_starts: expected the body to start with {expected['body_starts'][:40]!r}, "
            f"it starts with {flat[:40]!r}"
        )
    if "body_ends" in expected and not flat.endswith(normalize(expected["body_ends"]) or ""):
        diffs.append(
            f"body_ends: expected the body to end with {expected['body_ends'][-40:]!r}, "
            f"it ends with {flat[-40:]!r}"
        )
    for needle in expected.get("body_contains", []):
        if (normalize(needle) or "") not in flat:
            diffs.append(f"body_contains: {needle[:50]!r} is missing from the body")
    for needle in expected.get("body_excludes", []):
        if needle in body or (normalize(needle) or needle) in flat:
            diffs.append(f"body_excludes: {needle!r} was left in the body")
    return diffs


def compare_article(expected: dict[str, Any], article: Article) -> list[str]:
    """Every expected field that the article does not match, as readable lines."""
    diffs: list[str] = []
    for name in TEXT_FIELDS:
        if name in expected:
            want, got = normalize(expected[name]), normalize(getattr(article, name))
            if want != got:
                diffs.append(f"{name}: expected {want!r}, got {got!r}")
    for name in URL_LIST_FIELDS:
        if name in expected and list(getattr(article, name)) != expected[name]:
            diffs.append(f"{name}: expected {expected[name]!r}, got {getattr(article, name)!r}")
    if "attachments" in expected:
        got = [{"url": a.get("url"), "text": normalize(a.get("text"))} for a in article.attachments]
        want = [{"url": a["url"], "text": normalize(a["text"])} for a in expected["attachments"]]
        if got != want:
            diffs.append(f"attachments: expected {want!r}, got {got!r}")
    if "attachment_urls" in expected:
        got_urls = [a.get("url") for a in article.attachments]
        if got_urls != expected["attachment_urls"]:
            diffs.append(f"attachment_urls: expected {expected['attachment_urls']!r}, got {got_urls!r}")
    for wanted in expected.get("warnings_include", []):
        if not any(wanted in warning for warning in article.warnings):
            diffs.append(f"warnings_include: no warning mentions {wanted!r}; got {article.warnings!r}")
    diffs.extend(compare_body(expected, article.body))
    return diffs


def test_every_case_is_complete() -> None:
    folders = {path for path in PAGES.glob("*/*") if path.is_dir()}
    incomplete = sorted(
        case_id(f) for f in folders if not (f / "page.html").exists() or not (f / "expected.json").exists()
    )
    assert not incomplete, f"case folders without page.html or expected.json: {incomplete}"
    assert len(CASES) >= 25


@pytest.mark.parametrize("folder", CASES, ids=case_id)
def test_expected_json_uses_known_keys(folder: Path) -> None:
    expected = load_case(folder)[3]
    unknown = sorted(set(expected) - KNOWN_KEYS)
    assert not unknown, f"{case_id(folder)}: unknown keys {unknown}; see tests/pages/README.md"


@pytest.mark.parametrize("folder", CASES, ids=case_id)
def test_expected_text_is_on_the_page(folder: Path) -> None:
    """Guards the fixtures themselves: what a case expects must be printed on its page."""
    page, _, _, expected = load_case(folder)
    if "not_an_article" in expected:
        return
    try:
        text = page.decode("utf-8")
    except UnicodeDecodeError:
        text = page.decode("gb18030")
    visible = normalize(lxml.html.document_fromstring(text).text_content()) or ""
    wanted = [expected["title"], *body_lines(expected.get("body")), *expected.get("body_contains", [])]
    missing = [w for w in wanted if normalize(w) not in visible]
    assert not missing, f"{case_id(folder)}: expected.json text not on the page: {missing}"
    clashes = [n for n in expected.get("body_excludes", []) if any(n in w for w in wanted[1:])]
    assert not clashes, f"{case_id(folder)}: body_excludes contradicts the expected body: {clashes}"


@pytest.mark.parametrize("folder", CASES, ids=case_id)
def test_golden(folder: Path) -> None:
    page, url, headers, expected = load_case(folder)
    name = case_id(folder)
    profile = case_profile(folder)
    if "not_an_article" in expected:
        try:
            article = extract_article(page, url, headers, profile)
        except NotAnArticle as exc:
            diffs = []
            # ``true`` accepts any reason, for pages where several codes are fair.
            if expected["not_an_article"] is not True and exc.reason != expected["not_an_article"]:
                diffs.append(
                    f"reason: expected {expected['not_an_article']!r}, got {exc.reason!r} ({exc.detail})"
                )
            if "blocked" in expected and exc.blocked != expected["blocked"]:
                diffs.append(f"blocked: expected {expected['blocked']!r}, got {exc.blocked!r}")
            assert not diffs, f"{name}:\n  " + "\n  ".join(diffs)
            return
        reason_wanted = (
            "any reason" if expected["not_an_article"] is True else repr(expected["not_an_article"])
        )
        pytest.fail(
            f"{name}: expected NotAnArticle({reason_wanted}), "
            f"got an Article titled {article.title!r} with {len(article.body)} body characters"
        )
    try:
        article = extract_article(page, url, headers, profile)
    except NotAnArticle as exc:
        pytest.fail(f"{name}: expected an article, got NotAnArticle({exc.reason!r}): {exc.detail}")
    diffs = compare_article(expected, article)
    assert not diffs, f"{name}: {len(diffs)} field(s) differ\n  " + "\n  ".join(diffs)


@pytest.mark.parametrize(
    ("first_case", "second_case"),
    [("people/gb2312-page1", "people/gb2312-page2"), ("trs/zgjssw-page1", "trs/zgjssw-page2")],
)
def test_multipage_articles_merge_into_one(first_case: str, second_case: str) -> None:
    from crawler.extract import merge_pages

    first_page, first_url, headers, first_expected = load_case(PAGES / first_case)
    second_page, second_url, second_headers, second_expected = load_case(PAGES / second_case)
    first = extract_article(first_page, first_url, headers)
    assert first.next_pages == [second_url]
    merged = merge_pages(first, [extract_article(second_page, second_url, second_headers)])
    assert body_lines(merged.body) == body_lines(first_expected["body"]) + body_lines(second_expected["body"])
    assert merged.next_pages == []
    assert merged.url == first_url
    assert merged.title == first_expected["title"]
    assert merged.images == first_expected.get("images", []) + second_expected.get("images", [])


def test_merge_pages_keeps_each_image_and_attachment_once() -> None:
    from crawler.extract import merge_pages

    page, url, headers, _ = load_case(PAGES / "trs" / "ueditor-attachments")
    first = extract_article(page, url, headers)
    extra_image = "http://www.zgjssw.gov.cn/tongzhigonggao/202103/W020210301612345679999.png"
    # A later page that repeats the first page's files and adds one image of its own.
    second = dataclasses.replace(
        first, url=url.replace(".shtml", "_1.shtml"), body="第二页正文。", images=[*first.images, extra_image]
    )
    merged = merge_pages(first, [second])
    assert merged.images == [*first.images, extra_image]
    assert merged.attachments == first.attachments
    assert body_lines(merged.body)[-1] == "第二页正文。"
