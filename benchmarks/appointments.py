"""Accuracy and cost of the appointment-notice parser, in one process.

    python benchmarks/appointments.py                    # golden cases + the replay's notices
    python benchmarks/appointments.py --pages DIR        # also count-check the notices among DIR's pages

Accuracy: per field, precision and recall of the persons read from the golden cases
(``tests/appointments/*/expected.json``, every field a case states) and from the replay's
notices (found by content: the replay's pages the parser takes for notices; truth from the
replay corpus's ``NOTICE_PEOPLE``). A value read that differs from the truth counts against
both precision and recall; an empty value only against recall.

Count check: for every notice of the replay (and of --pages), persons read = persons announced.

Speed: ``extract_article`` alone, and ``extract_article`` + ``parse_appointment_notices``, on
the same notice pages, passes of the two kinds alternating after a warm-up; the ratio of the
fastest passes is what parsing adds to extraction. Passes are timed in CPU time of this process
(``time.process_time``), which waiting for a busy machine's cores does not inflate. Timings are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.extract import Article, NotAnArticle, extract_article  # noqa: E402
from crawler.extract.appointments import (  # noqa: E402
    NOTICE_FIELDS,
    PERSON_FIELDS,
    parse_appointment_notices,
)

CASES = ROOT / "tests" / "appointments"
# Cases written after the parser, never tuned for: the parser's errors on them are kept.
HELD_OUT = ROOT / "benchmarks" / "notices"
# The real pages benchmarks/extract.py measures on by default (none of them is a notice).
REAL_PAGES = ROOT.parent / "shared" / "pages"
REPLAY = ROOT / "crawler" / "replay" / "site"
NOTICE_WORD = "公示"


class Score:
    """True positives, false positives and false negatives per field."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter] = {}

    def add(self, field: str, want: Any, got: Any) -> None:
        counts = self.counts.setdefault(field, Counter())
        empty = (None, "", [], False)
        if want in empty and got in empty:
            counts["tn"] += 1
        elif got == want:
            counts["tp"] += 1
        elif got in empty:
            counts["fn"] += 1
        elif want in empty:
            counts["fp"] += 1
        else:
            counts["fp"] += 1
            counts["fn"] += 1

    def print(self, title: str) -> None:
        print(f"\n{title}\n{'field':<15}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>9}")
        for field, c in self.counts.items():
            precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
            recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
            print(f"{field:<15}{c['tp']:>5}{c['fp']:>5}{c['fn']:>5}{precision:>11.3f}{recall:>9.3f}")


def load_case(folder: Path) -> tuple[Article, bytes | None, str | None]:
    """The case's article, and its page bytes and URL when it is a page."""
    if (folder / "article.json").exists():
        return (
            Article.from_dict(json.loads((folder / "article.json").read_text(encoding="utf-8"))),
            None,
            None,
        )
    url = json.loads((folder / "meta.json").read_text(encoding="utf-8"))["url"]
    page = (folder / "page.html").read_bytes()
    return extract_article(page, url), page, url


def score_cases(folder: Path, score: Score, notice_score: Score) -> list[tuple[bytes, str]]:
    """Score the persons and notices read from the cases of ``folder``; returns their pages."""
    pages = []
    for expected_path in sorted(folder.glob("*/expected.json")):
        article, page, url = load_case(expected_path.parent)
        if page is not None:
            pages.append((page, url))
        expected = json.loads(expected_path.read_text(encoding="utf-8"))["notices"]
        notices = parse_appointment_notices(article)
        for n, want_notice in enumerate(expected):
            got_notice = notices[n].to_dict() if n < len(notices) else {}
            for field in NOTICE_FIELDS:
                if field in want_notice:
                    notice_score.add(field, want_notice[field], got_notice.get(field))
            got_persons = got_notice.get("persons", [])
            for k, want in enumerate(want_notice.get("persons", [])):
                got = got_persons[k] if k < len(got_persons) else {}
                for field in PERSON_FIELDS:
                    if field in want:
                        score.add(field, want[field], got.get(field))
    return pages


def notice_pages(folder: Path) -> list[tuple[bytes, str, Article]]:
    """(bytes, url, article) of the pages under ``folder`` the parser takes for notices."""
    found = []
    for path in sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix in (".html", ".htm", ".shtml")
    ):
        page = path.read_bytes()
        if NOTICE_WORD.encode() not in page and NOTICE_WORD.encode("gbk") not in page:
            continue
        url = "http://" + path.relative_to(folder).as_posix() if folder == REPLAY else path.resolve().as_uri()
        try:
            article = extract_article(page, url)
        except NotAnArticle:
            continue
        if parse_appointment_notices(article):
            found.append((page, url, article))
    return found


def replay_truth() -> dict[str, dict[str, Any]]:
    from crawler.replay import corpus

    truth = {}
    for name, sex, born, current, proposed in getattr(corpus, "NOTICE_PEOPLE", []):
        year, _, month = born.rstrip("月").partition("年")
        truth[name] = {
            "sex": sex,
            "birth": f"{int(year):04d}-{int(month):02d}",
            "current_post": current,
            "proposed_post": proposed.removeprefix("拟任"),
        }
    return truth


def count_check(title: str, pages: list[tuple[bytes, str, Article]], score: Score | None = None) -> None:
    truth = replay_truth() if score is not None else {}
    notices = [n for _, _, article in pages for n in parse_appointment_notices(article)]
    equal = sum(n.announced == n.parsed for n in notices)
    print(
        f"\n{title}: {len(pages)} pages, {len(notices)} notices, persons read = persons announced on {equal}"
    )
    for n in notices:
        if n.announced != n.parsed:
            print(f"  announced {n.announced}, read {n.parsed}: {n.url}")
        for person in n.persons:
            for field, want in truth.get(person.name, {}).items():
                score.add(field, want, person.to_dict()[field])  # type: ignore[union-attr]


def one_pass(pages: list[tuple[bytes, str]], parse: bool) -> float:
    started = time.process_time()
    for page, url in pages:
        article = extract_article(page, url)
        if parse:
            parse_appointment_notices(article)
    return time.process_time() - started


def timed(pages: list[tuple[bytes, str]], repeat: int) -> tuple[float, float]:
    """Fastest CPU seconds per pass over ``pages`` of extraction alone and of extraction + parsing.

    The two kinds of pass alternate, after a warm-up of each, so that both meet the same load
    on a shared machine; the fastest pass of each is the one least slowed by other work."""
    one_pass(pages, False), one_pass(pages, True)
    alone, both = [], []
    for _ in range(repeat):
        alone.append(one_pass(pages, False))
        both.append(one_pass(pages, True))
    return min(alone), min(both)


def real_page_cost(folder: Path, repeat: int) -> float | None:
    """Fastest CPU seconds per page of extracting the pages of ``folder`` (None without pages)."""
    pages = [(path.read_bytes(), path.resolve().as_uri()) for path in sorted(folder.glob("*.htm*"))]
    if not pages:
        return None

    def extract_all() -> None:
        for page, url in pages:
            try:
                extract_article(page, url)
            except NotAnArticle:
                pass

    extract_all()
    passes = []
    for _ in range(max(3, repeat // 5)):
        started = time.process_time()
        extract_all()
        passes.append(time.process_time() - started)
    return min(passes) / len(pages)


def parse_cost(articles: list[Article], repeat: int) -> float:
    """Fastest CPU seconds per article of parsing ``articles`` alone."""
    passes = []
    for _ in range(repeat):
        started = time.process_time()
        for article in articles:
            parse_appointment_notices(article)
        passes.append(time.process_time() - started)
    return min(passes) / len(articles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, help="Also count-check the notices among these saved pages.")
    parser.add_argument(
        "--repeat", type=int, default=21, help="Timed passes of each kind (the fastest counts)."
    )
    parser.add_argument(
        "--real-pages",
        type=Path,
        default=REAL_PAGES,
        help="Pages of real size to compare the parsing cost with (default: ../shared/pages, if present).",
    )
    options = parser.parse_args()

    pages = []
    for title, folder in (("golden cases", CASES), ("held-out cases", HELD_OUT)):
        persons, notices = Score(), Score()
        pages += score_cases(folder, persons, notices)
        cases = len(list(folder.glob("*/expected.json")))
        persons.print(f"{title} ({cases} in {folder.relative_to(ROOT)}): persons")
        notices.print(f"{title}: notices")
    replay = notice_pages(REPLAY)
    replay_score = Score()
    count_check("replay notices", replay, replay_score)
    replay_score.print("replay notices (truth: crawler.replay.corpus.NOTICE_PEOPLE)")
    pages += [(page, url) for page, url, _ in replay]
    if options.pages:
        shared = notice_pages(options.pages)
        count_check(f"notices among {options.pages}", shared)
        pages += [(page, url) for page, url, _ in shared]
    alone, both = timed(pages, options.repeat)
    print(
        f"\nspeed on {len(pages)} notice pages: extract {1000 * alone / len(pages):.2f} ms/page, "
        f"extract + parse {1000 * both / len(pages):.2f} ms/page: parsing adds {100 * (both / alone - 1):.1f}%"
    )
    # The notice pages above are small (a few KB); pages as the sites serve them are tens of KB.
    real = real_page_cost(options.real_pages, options.repeat) if options.real_pages.is_dir() else None
    if real is not None:
        parse = parse_cost([extract_article(page, url) for page, url in pages], options.repeat)
        print(
            f"parsing alone {1000 * parse:.2f} ms/notice page; extracting the pages of {options.real_pages} "
            f"(benchmarks/extract.py's) {1000 * real:.2f} ms/page: parsing a notice adds {100 * parse / real:.1f}% "
            "to extracting a page of that size"
        )


if __name__ == "__main__":
    main()
