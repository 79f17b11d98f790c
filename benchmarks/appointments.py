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
fastest passes is what parsing adds to extraction. Timings are printed, never asserted: the
machine is shared.
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
from crawler.extract.appointments import PERSON_FIELDS, parse_appointment_notices  # noqa: E402

CASES = ROOT / "tests" / "appointments"
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


def score_golden(score: Score) -> list[tuple[bytes, str]]:
    pages = []
    for expected_path in sorted(CASES.glob("*/expected.json")):
        article, page, url = load_case(expected_path.parent)
        if page is not None:
            pages.append((page, url))
        expected = json.loads(expected_path.read_text(encoding="utf-8"))["notices"]
        notices = parse_appointment_notices(article)
        for n, want_notice in enumerate(expected):
            got_persons = [p.to_dict() for p in notices[n].persons] if n < len(notices) else []
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
    started = time.perf_counter()
    for page, url in pages:
        article = extract_article(page, url)
        if parse:
            parse_appointment_notices(article)
    return time.perf_counter() - started


def timed(pages: list[tuple[bytes, str]], repeat: int) -> tuple[float, float]:
    """Fastest seconds per pass over ``pages`` of extraction alone and of extraction + parsing.

    The two kinds of pass alternate, after a warm-up of each, so that both meet the same load
    on a shared machine; the fastest pass of each is the one least slowed by other work."""
    one_pass(pages, False), one_pass(pages, True)
    alone, both = [], []
    for _ in range(repeat):
        alone.append(one_pass(pages, False))
        both.append(one_pass(pages, True))
    return min(alone), min(both)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, help="Also count-check the notices among these saved pages.")
    parser.add_argument(
        "--repeat", type=int, default=21, help="Timed passes of each kind (the fastest counts)."
    )
    options = parser.parse_args()

    golden = Score()
    pages = score_golden(golden)
    golden.print(f"golden cases ({len(list(CASES.glob('*/expected.json')))} in tests/appointments)")
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


if __name__ == "__main__":
    main()
