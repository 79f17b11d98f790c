"""Speed and accuracy of our extractor against trafilatura and GNE, in one process.

    python benchmarks/extract.py                      # ../shared/pages, else tests/pages
    python benchmarks/extract.py PAGES_DIR --repeat 7

Every extractor sees the same pages. A bare ``lxml.html.fromstring`` of the
same bytes is timed too: it is the floor no extractor can beat. Each pass over
all pages is timed per extractor after a warm-up pass; the median of the
passes gives ms/page. Accuracy is measured against the folder's truth:
``truth.json`` + ``index.json`` (the shared development pages) or each case's
``expected.json`` (``tests/pages``). Both are development sets: the extractor's
patterns were tuned on them, so this is dev-set accuracy and says little about
pages it has never seen.

  title    exact match after collapsing white space
  day      same calendar day as the truth
  body F1  F1 over the multiset of non-space characters, averaged over pages

GNE only accepts text, so it is handed the page decoded beforehand (untimed);
the others get the raw bytes and pay for their own decoding, which flatters
GNE slightly. Timings are printed, never asserted: they depend on the machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = ROOT.parent / "shared" / "pages"
FALLBACK_PAGES = ROOT / "tests" / "pages"
sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402

from crawler.extract import NotAnArticle, extract_article  # noqa: E402
from crawler.extract.decode import decode_html  # noqa: E402

_DAY_RE = re.compile(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})")


@dataclass
class Page:
    name: str
    body: bytes
    url: str
    headers: dict[str, str]
    text: str  # decoded once, for GNE, which only takes str
    title: str | None
    day: str | None
    body_text: str | None


@dataclass
class Result:
    """One extractor's normalised output on one page."""

    title: str | None = None
    published: str | None = None
    body: str = ""


@dataclass
class Runner:
    name: str
    run: Callable[[Page], Result]
    passes: list[float] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    errors: int = 0  # pages that raised, counted on the first pass only
    counting: bool = True


def squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def day_of(value: Any) -> str | None:
    match = _DAY_RE.search(str(value or ""))
    return f"{int(match[1]):04d}-{int(match[2]):02d}-{int(match[3]):02d}" if match else None


def bag_f1(predicted: str, gold: str) -> float:
    got, want = Counter(squash(predicted)), Counter(squash(gold))
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


# --- loading -------------------------------------------------------------------


def load_pages(folder: Path) -> list[Page]:
    """Pages with truth from a shared-style folder (index.json + truth.json) or a golden tree."""
    if (folder / "truth.json").exists():
        truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        index_path = folder / "index.json"
        if index_path.exists():
            entries = [(item["id"], folder / item["file"]) for item in json.loads(index_path.read_text())]
        else:
            entries = [(path.stem, path) for path in sorted(folder.glob("*.htm*"))]
        return [
            make_page(
                name,
                path.read_bytes(),
                path.resolve().as_uri(),
                {},
                truth[name].get("title"),
                truth[name].get("published"),
                truth[name].get("body_text"),
            )
            for name, path in entries
            if name in truth
        ]
    pages = []
    for expected_path in sorted(folder.glob("*/*/expected.json")):
        case = expected_path.parent
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        if "not_an_article" in expected:
            continue
        meta_path = case / "meta.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        url = meta.get("url") or (case / "page.html").resolve().as_uri()
        pages.append(
            make_page(
                f"{case.parent.name}/{case.name}",
                (case / "page.html").read_bytes(),
                url,
                meta.get("headers") or {},
                expected.get("title"),
                expected.get("published_at"),
                expected.get("body"),
            )
        )
    return pages


def make_page(
    name: str,
    body: bytes,
    url: str,
    headers: dict[str, str],
    title: str | None,
    published: str | None,
    body_text: str | None,
) -> Page:
    text, _codec = decode_html(body, headers)
    return Page(name, body, url, headers, text, title, day_of(published), body_text)


# --- the extractors --------------------------------------------------------------


def run_lxml(page: Page) -> Result:
    lxml.html.fromstring(page.body)
    return Result()


def run_ours(page: Page) -> Result:
    try:
        article = extract_article(page.body, page.url, page.headers)
    except NotAnArticle:
        return Result()
    return Result(article.title, article.published_at, article.body)


def make_trafilatura() -> Callable[[Page], Result]:
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

    def run(page: Page) -> Result:
        doc = trafilatura.bare_extraction(page.body, url=page.url, with_metadata=True)
        if doc is None:
            return Result()
        data = doc.as_dict() if hasattr(doc, "as_dict") else doc
        return Result(data.get("title"), data.get("date"), data.get("text") or "")

    return run


def make_gne() -> Callable[[Page], Result]:
    from gne import GeneralNewsExtractor

    extractor = GeneralNewsExtractor()

    def run(page: Page) -> Result:
        data = extractor.extract(page.text)
        return Result(data.get("title"), data.get("publish_time"), data.get("content") or "")

    return run


def call(runner: Runner, page: Page) -> Result:
    try:
        return runner.run(page)
    except Exception as exc:  # a third-party extractor failing on a page is a data point, not a crash
        runner.errors += runner.counting
        logging.getLogger("benchmark").debug("%s failed on %s: %s", runner.name, page.name, exc)
        return Result()


# --- measuring -------------------------------------------------------------------


def measure(runners: list[Runner], pages: list[Page], repeat: int, warmup: int) -> None:
    for runner in runners:
        runner.results = [call(runner, page) for page in pages]  # first pass doubles as accuracy run
        runner.counting = False
        for _ in range(warmup - 1):
            for page in pages:
                call(runner, page)
    for turn in range(repeat):
        # Rotate the order so that no extractor always runs right after the same neighbour.
        for runner in runners[turn % len(runners) :] + runners[: turn % len(runners)]:
            gc.collect()
            started = time.perf_counter()
            for page in pages:
                call(runner, page)
            runner.passes.append(time.perf_counter() - started)


def accuracy(
    runner: Runner, pages: list[Page]
) -> tuple[float | None, float | None, float | None, float | None]:
    titles = [
        squash(r.title) == squash(p.title) for r, p in zip(runner.results, pages, strict=True) if p.title
    ]
    days = [day_of(r.published) == p.day for r, p in zip(runner.results, pages, strict=True) if p.day]
    bodies = [bag_f1(r.body, p.body_text) for r, p in zip(runner.results, pages, strict=True) if p.body_text]

    def mean(values: list) -> float | None:
        return sum(values) / len(values) if values else None

    return mean(titles), mean(days), mean(bodies), min(bodies) if bodies else None


def fmt(value: float | None, width: int = 7) -> str:
    return f"{value:{width}.3f}" if value is not None else " " * (width - 1) + "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "pages",
        nargs="?",
        type=Path,
        help=f"page folder (default {DEFAULT_PAGES}, else {FALLBACK_PAGES.relative_to(ROOT)})",
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed passes per extractor (median is shown)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed passes first (at least 1)")
    args = parser.parse_args(argv)

    folder = args.pages or (DEFAULT_PAGES if DEFAULT_PAGES.is_dir() else FALLBACK_PAGES)
    if not folder.is_dir():
        parser.error(f"{folder} is not a folder of pages; pass one, e.g. tests/pages")
    pages = load_pages(folder)
    if not pages:
        parser.error(f"{folder} holds no pages with truth (truth.json or */*/expected.json)")

    runners = [
        Runner("lxml parse", run_lxml),
        Runner("orgnews", run_ours),
        Runner("gne", make_gne()),
        Runner("trafilatura", make_trafilatura()),
    ]
    measure(runners, pages, max(1, args.repeat), max(1, args.warmup))

    size = statistics.median(len(p.body) for p in pages) / 1024
    print(
        f"{len(pages)} pages from {folder} (median {size:.0f} KB); "
        f"{args.repeat} timed passes after {max(1, args.warmup)} warm-up, median pass shown;\n"
        "title, day and body F1 are dev-set accuracy: the extractor was tuned on these pages\n"
    )
    print(
        f"{'extractor':<13}{'ms/page':>9}{'x lxml':>8}{'title':>8}{'day':>8}{'body F1':>9}{'F1 min':>8}"
        f"{'errors':>8}"
    )
    per_page = {r.name: statistics.median(r.passes) / len(pages) * 1000 for r in runners}
    floor = per_page["lxml parse"]
    for runner in runners:
        title, day, body, body_min = accuracy(runner, pages) if runner.name != "lxml parse" else (None,) * 4
        print(
            f"{runner.name:<13}{per_page[runner.name]:9.2f}{per_page[runner.name] / floor:8.1f}"
            f"{fmt(title, 8)}{fmt(day, 8)}{fmt(body, 9)}{fmt(body_min, 8)}{runner.errors:8d}"
        )
    ours = per_page["orgnews"]
    print(f"\nGNE / orgnews         = {per_page['gne'] / ours:5.1f}x   (target >= 2x)")
    print(f"trafilatura / orgnews = {per_page['trafilatura'] / ours:5.1f}x   (target >= 5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
