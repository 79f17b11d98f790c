"""Accuracy and cost of the appointment-notice parser, in one process.

    python benchmarks/appointments.py                    # golden cases + the replay's notices
    python benchmarks/appointments.py --pages DIR        # also count-check the notices among DIR's pages

Accuracy: per field, precision and recall of the persons read from the golden cases
(``tests/appointments/*/expected.json``, every field a case states) and from the replay's
notices (found by content: the replay's pages the parser takes for notices; truth from the
replay corpus's ``NOTICE_PEOPLE``, held to the closest of a person's steps). A value read that
differs from the truth counts against both precision and recall; an empty value only against
recall.

Count check: for every notice of the replay (and of --pages), persons read = persons announced.

Speed: what parsing adds to extraction on the same notice pages. Each pass extracts every page
and parses it, timing the two apart (CPU time of this process, ``time.process_time``, which
waiting for a busy machine's cores does not inflate); a pass's ratio is its parse time over its
extract time, and the median over ``--repeat`` passes is printed. The parser keeps what clauses
and cells state in caches, so it is timed twice: on a first reading (caches emptied before each
pass: no page gains from anything read before) and after other notices (the pages in two
halves, each timed after the caches were emptied and the other half parsed: what a crawl that
has read other notices sees, without a page gaining from having been read itself). For
comparison, the same articles are also parsed one after another with no extraction between them
("parsing alone", against the first reading's extraction). The replay's notices are also timed
alone, on a first reading ("replay as served"): the pages as the replay serves them, each notice
amid its site's chrome (navigation, related notices, footer: 30-37 KB a page), where the golden
cases' pages are a few KB. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
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
    forget_read_clauses,
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


def replay_truth() -> dict[str, list[dict[str, Any]]]:
    """Name -> what each of that person's notices says of them (several for a career of steps)."""
    from crawler.replay import corpus

    truth: dict[str, list[dict[str, Any]]] = {}
    for name, sex, born, current, proposed in getattr(corpus, "NOTICE_PEOPLE", []):
        year, _, month = born.rstrip("月").partition("年")
        truth.setdefault(name, []).append(
            {
                "sex": sex,
                "birth": f"{int(year):04d}-{int(month):02d}",
                "current_post": current,
                "proposed_post": proposed.removeprefix("拟任"),
            }
        )
    return truth


def closest(steps: list[dict[str, Any]], read: dict[str, Any]) -> dict[str, Any]:
    """The step of ``steps`` that agrees with ``read`` on the most fields (the first of equals)."""
    return max(steps, key=lambda step: sum(read[field] == want for field, want in step.items()))


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
            read = person.to_dict()
            if person.name not in truth:
                continue
            for field, want in closest(truth[person.name], read).items():
                score.add(field, want, read[field])  # type: ignore[union-attr]


def one_pass(pages: list[tuple[bytes, str]]) -> tuple[float, float]:
    """CPU seconds of extracting, and of parsing, every page of ``pages``, timed apart in one pass."""
    extracting = parsing = 0.0
    for page, url in pages:
        started = time.process_time()
        article = extract_article(page, url)
        extracted = time.process_time()
        parse_appointment_notices(article)
        parsing += time.process_time() - extracted
        extracting += extracted - started
    return extracting, parsing


def after_other_notices(pages: list[tuple[bytes, str]], articles: list[Article]) -> tuple[float, float]:
    """``one_pass`` over each half of ``pages`` after the parser read only the other half."""
    halves = [list(range(0, len(pages), 2)), list(range(1, len(pages), 2))]
    extracting = parsing = 0.0
    for half, other in (halves, halves[::-1]):
        forget_read_clauses()
        for k in other:
            parse_appointment_notices(articles[k])
        seconds = one_pass([pages[k] for k in half])
        extracting, parsing = extracting + seconds[0], parsing + seconds[1]
    return extracting, parsing


def timed(pages: list[tuple[bytes, str]], repeat: int) -> dict[str, tuple[float, float, float]]:
    """Per way of timing (first reading, after other notices, parsing alone): the median extract
    and parse CPU seconds per page over ``repeat`` passes, and the median parse / extract ratio."""
    articles = [extract_article(page, url) for page, url in pages]
    one_pass(pages)  # warm-up
    passes: dict[str, list[tuple[float, float]]] = {
        "first reading": [],
        "after other notices": [],
        "parsing alone": [],
    }
    for _ in range(repeat):
        forget_read_clauses()
        passes["first reading"].append(first := one_pass(pages))
        passes["after other notices"].append(after_other_notices(pages, articles))
        # The same parsing with no extraction between the notices, against that pass's extraction.
        forget_read_clauses()
        started = time.process_time()
        for article in articles:
            parse_appointment_notices(article)
        passes["parsing alone"].append((first[0], time.process_time() - started))
    return {way: medians(found, len(pages)) for way, found in passes.items()}


def medians(passes: list[tuple[float, float]], pages: int) -> tuple[float, float, float]:
    """Median extract and parse CPU seconds per page over ``passes`` of ``pages`` pages each, and
    the median of the passes' parse / extract ratios."""
    return (
        statistics.median(e for e, _ in passes) / pages,
        statistics.median(p for _, p in passes) / pages,
        statistics.median(p / e for e, p in passes),
    )


def real_size_ratio(folder: Path, notices: list[Article], repeat: int) -> tuple[float, float, float] | None:
    """Pages as the sites serve them (tens of KB, those of ``folder``) hold no notice: each pass
    extracts each of them and then parses one of ``notices`` in turn, timing the two apart, as a
    crawl of notice pages of that size would. Median extract and parse CPU seconds per page and
    median parse / extract ratio over ``repeat`` passes (None without pages)."""
    pages = []
    for path in sorted(folder.glob("*.htm*")):
        try:
            extract_article(path.read_bytes(), path.resolve().as_uri())
        except NotAnArticle:
            continue
        pages.append((path.read_bytes(), path.resolve().as_uri()))
    if not pages:
        return None
    passes = []
    for _ in range(repeat):
        forget_read_clauses()
        extracting = parsing = 0.0
        for n, (page, url) in enumerate(pages):
            started = time.process_time()
            extract_article(page, url)
            extracted = time.process_time()
            parse_appointment_notices(notices[n % len(notices)])
            parsing += time.process_time() - extracted
            extracting += extracted - started
        passes.append((extracting, parsing))
    return medians(passes, len(pages))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, help="Also count-check the notices among these saved pages.")
    parser.add_argument("--repeat", type=int, default=21, help="Timed passes (the median counts).")
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
    # Timed apart: the cases' pages are bare notices of a few KB; the replay serves its notices
    # amid their site's chrome, at the size the sites serve them.
    sets = [("case pages", pages), ("replay notices as served", [(page, url) for page, url, _ in replay])]
    if options.pages:
        shared = notice_pages(options.pages)
        count_check(f"notices among {options.pages}", shared)
        sets.append((f"notices among {options.pages}", [(page, url) for page, url, _ in shared]))
    for title, set_pages in sets:
        if not set_pages:
            continue
        sizes = sorted(len(page) for page, _ in set_pages)
        print(
            f"\nspeed on {title}: {len(set_pages)} pages of {sizes[0] / 1000:.1f}-{sizes[-1] / 1000:.1f} KB, "
            f"median of {options.repeat} passes:"
        )
        for way, (extracting, parsing, ratio) in timed(set_pages, options.repeat).items():
            print(
                f"  {way:<20} extract {1000 * extracting:.2f} ms/page, parse {1000 * parsing:.3f} ms/page: "
                f"parsing adds {100 * ratio:.1f}% to extraction"
            )
    pages += sets[1][1]
    # The case pages above are small (a few KB); pages as the sites serve them are tens of KB.
    if options.real_pages.is_dir():
        notices = [extract_article(page, url) for page, url in pages]
        found = real_size_ratio(options.real_pages, notices, options.repeat)
        if found is not None:
            extracting, parsing, ratio = found
            print(
                f"  pages of real size   extract {1000 * extracting:.2f} ms/page ({options.real_pages}), "
                f"parse {1000 * parsing:.3f} ms/notice: parsing adds {100 * ratio:.1f}% to extraction"
            )


if __name__ == "__main__":
    main()
