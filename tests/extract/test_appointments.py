"""Appointment notices (任前公示) read into records: the golden cases and the parts they rest on.

Each ``tests/appointments/<case>/`` folder is one case (see its README): an article
(``article.json``, or ``page.html`` run through the extractor first) and ``expected.json``.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extract import Article, extract_article
from crawler.extract.appointments import (
    fields,
    forget_read_clauses,
    is_appointment_notice,
    parse_appointment_notices,
    patterns,
    tables,
)
from crawler.extract.appointments.fields import person_start, read_person, read_row
from crawler.extract.appointments.window import add_workdays

CASES_DIR = Path(__file__).resolve().parent.parent / "appointments"
CASES = sorted(path.parent for path in CASES_DIR.glob("*/expected.json"))


def load_article(folder: Path) -> Article:
    if (folder / "article.json").exists():
        return Article.from_dict(json.loads((folder / "article.json").read_text(encoding="utf-8")))
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return extract_article((folder / "page.html").read_bytes(), meta["url"], meta.get("headers") or {}, None)


def differences(expected: dict[str, Any], got: dict[str, Any], where: str) -> list[str]:
    """Every key of ``expected`` whose value differs in ``got`` (``warnings_include``: each text in one warning)."""
    found = []
    for key, want in expected.items():
        if key == "persons":
            if len(want) != len(got["persons"]):
                found.append(f"{where}: {len(got['persons'])} persons read, {len(want)} expected")
            for n, (person, read) in enumerate(zip(want, got["persons"], strict=False), 1):
                found += differences(person, read, f"{where} person {n}")
        elif key == "warnings_include":
            found += [
                f"{where}: no warning with {text!r} in {got['warnings']}"
                for text in want
                if not any(text in warning for warning in got["warnings"])
            ]
        elif got.get(key) != want:
            found.append(f"{where} {key}: expected {want!r}, read {got.get(key)!r}")
    return found


@pytest.mark.parametrize("folder", CASES, ids=[case.name for case in CASES])
def test_golden_notice(folder: Path) -> None:
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    notices = [notice.to_dict() for notice in parse_appointment_notices(load_article(folder))]
    problems = (
        []
        if len(notices) == len(expected["notices"])
        else [f"{len(notices)} notices read, {len(expected['notices'])} expected"]
    )
    for n, (want, got) in enumerate(zip(expected["notices"], notices, strict=False), 1):
        problems += differences(want, got, f"notice {n}")
    assert not problems, "\n".join(problems)


def test_every_case_folder_is_complete() -> None:
    assert len(CASES) >= 10
    for folder in CASES:
        assert (folder / "article.json").exists() or (folder / "page.html").exists(), folder


def _article(title: str, body: str, published_at: str | None = "2026-11-20") -> Article:
    return Article(url="https://example.org/n.html", title=title, body=body, published_at=published_at)


def test_phone_numbers_are_written_with_a_hyphen_after_the_area_code() -> None:
    body = (
        "现将1名同志拟任职情况予以公示。\n"
        "甲乙丙，男，1970年1月生，现任某局副局长，拟任某局局长。\n"
        "受理电话：（0000）1234567、0000—7654321，(021) 66667777"
    )
    [notice] = parse_appointment_notices(_article("干部任前公示", body))
    assert notice.phone == "0000-1234567；0000-7654321；021-66667777"


def test_a_person_is_never_split_or_merged_with_the_next() -> None:
    body = (
        "现将2名同志拟任职情况予以公示。\n"
        "甲乙丙，男，1970年1月生，现任某局副局长，\n拟任某局局长。\n"
        "丁戊，女，1972年2月生，现任某局处长，拟任某局副局长。"
    )
    notice = parse_appointment_notices(_article("干部任前公示", body))[0]
    assert [(p.name, p.current_post, p.proposed_post) for p in notice.persons] == [
        ("甲乙丙", "某局副局长", "某局局长"),
        ("丁戊", "某局处长", "某局副局长"),
    ]
    assert notice.warnings == ["no notice window found", "issuing body not found"]


def test_an_unread_clause_is_left_out_with_a_warning() -> None:
    body = "现将1名同志拟任职情况予以公示。\n甲乙，男，1970年1月生，某种说不清的情况，现任某局副局长，拟任某局局长。"
    person = parse_appointment_notices(_article("干部任前公示", body))[0].persons[0]
    assert person.current_post == "某局副局长"
    assert person.warnings == ["clause not read: 某种说不清的情况"]


def test_a_field_given_twice_differently_is_left_empty() -> None:
    body = "甲乙，男，1970年1月生，1971年3月生，现任某局副局长，拟任某局局长。"
    person = parse_appointment_notices(_article("干部任前公示", body))[0].persons[0]
    assert person.birth is None
    assert "birth given twice with different values: left empty" in person.warnings


@pytest.mark.parametrize(
    ("title", "column", "is_notice"),
    [
        ("中共某县委组织部干部任前公示", None, True),
        ("公示", "任前公示", True),
        ("某某市2026年考试录用公务员拟录用人员公示", "公示公告", False),
        ("关于拟表彰优秀共产党员的公示", None, False),
        ("关于王某某等同志职务任免的通知", "任免信息", False),
        ("某某市召开干部工作会议", "工作动态", False),
    ],
)
def test_which_articles_are_notices(title: str, column: str | None, is_notice: bool) -> None:
    article = Article(
        url="https://example.org/x.html", title=title, column=column, body="拟任某职。予以公示。"
    )
    assert is_appointment_notice(article) is is_notice


@pytest.mark.parametrize(
    ("published", "days", "start", "end"),
    [
        ("2026-11-20", 5, "2026-11-20", "2026-11-26"),  # a Friday: over the weekend
        ("2026-03-07", 5, "2026-03-09", "2026-03-13"),  # a Saturday: opens on Monday
        ("2026-03-02", 1, "2026-03-02", "2026-03-02"),
    ],
)
def test_working_days_skip_weekends(published: str, days: int, start: str, end: str) -> None:
    first, last = add_workdays(date.fromisoformat(published), days)
    assert (first.isoformat(), last.isoformat()) == (start, end)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)), st.integers(1, 20))
def test_a_window_holds_exactly_its_working_days(published: date, days: int) -> None:
    first, last = add_workdays(published, days)
    span = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    assert sum(day.weekday() < 5 for day in span) == days
    assert first.weekday() < 5 and last.weekday() < 5 and first >= published


def test_parsing_is_pure_and_repeatable() -> None:
    article = load_article(CASES_DIR / "paragraphs")
    before = article.to_dict()
    first = [n.to_dict() for n in parse_appointment_notices(article)]
    assert first == [n.to_dict() for n in parse_appointment_notices(article)]
    assert article.to_dict() == before


def test_what_the_parser_caches_changes_no_record() -> None:
    # Clauses, notes, cells and header words are read once and remembered; the records of every
    # case must be the same read with the memory of all the others, and with none.
    articles = [load_article(folder) for folder in CASES]
    remembered = [[n.to_dict() for n in parse_appointment_notices(a)] for a in articles + articles[::-1]]
    fresh = []
    for article in articles:
        forget_read_clauses()
        fresh.append([n.to_dict() for n in parse_appointment_notices(article)])
    assert remembered[: len(articles)] == fresh == remembered[len(articles) :][::-1]


# Pieces of lines that open, or only seem to open, with a person: names, the words of headings and
# labels, spaces, dots, and every mark a name may end at.
LINE_PIECES = st.sampled_from(
    [
        *"张 王某 欧阳 李同志 · ． ， , ： : （ ( ） ) ； ; 。 男 女 45岁 公示 电话 受理 联系人 经县委常委会研究 a".split(),
        " ",
        "\u3000",
    ]
)


@given(st.lists(LINE_PIECES, max_size=8))
def test_numbering_before_a_line_changes_nothing_of_its_person(pieces: list[str]) -> None:
    # A numbered line (1. 张某，…) is read by the whole pattern; an unnumbered one is mostly told
    # apart by the words before its first comma: both must give the same person or none.
    line = "".join(pieces)
    assert person_start(line) == person_start("1." + line)


@given(
    st.integers(1940, 2009),
    st.sampled_from(["年", ".", "．", "-", "/", ""]),
    st.integers(1, 12),
    st.booleans(),
    st.sampled_from(["", "月", "月3日", ".15"]),
)
def test_a_birth_month_reads_alike_in_a_table_and_in_a_paragraph(
    year: int, mark: str, month: int, padded: bool, end: str
) -> None:
    born = f"{year}{mark}{month:02d}{end}" if padded else f"{year}{mark}{month}{end}"
    from_cell = read_row(["name", "birth"], ["张某", born], 1)
    from_clause = read_person(f"张某，男，{born}，现任甲，拟任乙。", 1)
    assert from_cell is not None and from_clause is not None
    assert from_cell.birth == from_clause.birth


NOTICE_LINES = st.sampled_from(
    [
        "现将3名同志拟任职情况予以公示。",
        "张某某，男，汉族，1976年5月生，大学学历，中共党员，现任某局副局长，拟任某局局长。",
        "李某（女，45岁），现任某县副县长，拟提名为某县县长候选人（试用期一年）。",
        "1.王某，男，1980.01，现任甲，拟进一步使用。",
        "姓名",
        "性别",
        "出生年月",
        "拟任职务",
        "男",
        "1977.08",
        "某局局长",
        "公示时间：2026年2月30日至2月31日。",
        "公示期为5个工作日。受理电话：（0000）12380；0000-1234567",
        "通信地址：某路1号，邮编：000000",
        "中共某某市委组织部",
        "2026年1月1日",
        "二、拟进一步使用人选",
        "某某市干部任前公示",
    ]
)


@given(
    st.lists(st.one_of(NOTICE_LINES, st.text(max_size=40)), max_size=25),
    st.sampled_from([None, "", "2026-11-21", "2026-13-45", "not a date"]),
)
def test_any_body_gives_notices_or_nothing_but_never_an_error(
    lines: list[str], published: str | None
) -> None:
    article = _article("干部任前公示", "\n".join(lines), published)
    for notice in parse_appointment_notices(article):
        assert notice.parsed == len(notice.persons) <= len(lines)
        assert [p.position for p in notice.persons] == list(range(1, notice.parsed + 1))
        assert all(p.name for p in notice.persons)


# The parser skips a pattern on a line whose first characters no match can open with; each set of
# those openings is kept beside its pattern, so each is checked here against strings the pattern
# matches: a word added to a pattern and not to its openings fails here, not silently in a notice.
def _matching(pattern: re.Pattern[str]) -> st.SearchStrategy[str]:
    return st.from_regex(re.compile(rf"\A(?:{pattern.pattern})"))


@given(st.data())
def test_every_line_a_table_end_word_opens_is_tried(data: st.DataObject) -> None:
    line = data.draw(_matching(tables.TABLE_END_RE))
    assert line[:1] in tables._TABLE_END_OPENINGS


@given(st.data())
def test_every_header_word_opens_with_a_header_opening(data: st.DataObject) -> None:
    pattern, _ = data.draw(st.sampled_from(tables.COLUMN_KEYS))
    assert data.draw(_matching(pattern))[:1] in tables._HEADER_OPENINGS


def test_every_word_that_is_no_name_is_told_by_its_first_two_characters() -> None:
    # A name is looked up by its first two characters before the words of NOT_NAMES are tried.
    for word in patterns.NOT_NAMES:
        assert fields._not_a_name(word) and fields._not_a_name(word + "某")


# Twenty circled numbers and ten digits among the openings: more examples than the default.
@settings(max_examples=1000)
@given(_matching(patterns.NUMBERING_RE), st.sampled_from(["张某，男，", "王某某（女，45岁），"]))
def test_every_numbering_opens_with_a_numbering_opening(numbering: str, line: str) -> None:
    text = (numbering + line).strip()
    if patterns.NUMBERING_RE.match(text):
        assert text[0] in fields._NUMBERING_OPENINGS


@given(st.data())
def test_every_proposal_opens_with_one_of_its_openings(data: st.DataObject) -> None:
    step, pattern = data.draw(st.sampled_from(patterns.PROPOSAL_PATTERNS))
    assert data.draw(_matching(pattern))[:2] in fields.PROPOSAL_OPENINGS[step]


# Clauses are read without white space (see fields.split_clauses): the strings drawn are squashed.
def _clause(pattern: re.Pattern[str]) -> st.SearchStrategy[str]:
    return (
        st.from_regex(pattern, fullmatch=True)
        .map(fields.squash)
        .filter(lambda text: text != "" and pattern.search(text) is not None)
    )


CLAUSE_PIECES = (
    "1976年5月 1976.05 197605 2001年 3日 生 出生 生于 出生年月： 参加工作 入党 加入中国共产党 45 岁 周岁 "
    "研究生 大学 本科 学历 毕业 在职 党校 全日制 法学 硕士 学士 学位 （MBA） 籍贯 出生地 河南开封 人 负责人 某局局长"
).split()


def _first_read(clause: str, kinds: list[str]) -> object:
    for kind in kinds:
        _, pattern, value = fields.TYPED_FIELDS[kind]
        if (match := pattern.match(clause)) and not (
            kind == "native" and clause.endswith(patterns.NOT_NATIVE_ENDINGS)
        ):
            return value(match)
    return None


def test_a_clause_is_read_as_by_every_pattern_of_its_kind() -> None:
    # A clause opening with a date is matched only against the pattern its ending allows, and any
    # other against those its last characters allow: each reads it as all of them in order would.
    for size in (1, 2, 3):
        for pieces in itertools.product(CLAUSE_PIECES, repeat=size):
            clause = "".join(pieces)
            if clause[0].isdigit() or clause.startswith(("出生", "生于")):
                every = ["birth", "joined", "work", "age"]
            elif fields._typed_candidates(clause) in fields._OTHER_TYPED.values():
                every = ["education", "degree", "native"]
            else:
                continue
            tried = [kind for kind, _, _ in fields._typed_candidates(clause)]
            assert _first_read(clause, tried) == _first_read(clause, every), clause


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.data())
def test_every_clause_that_names_a_title_or_a_time_in_post_is_searched(data: st.DataObject) -> None:
    clause = data.draw(_clause(patterns.IGNORED_CLAUSE_RE))
    assert fields.typed_values(clause) is not None
