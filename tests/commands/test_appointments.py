"""``orgnews appointments`` and ``orgnews person``, run as the real command on an archive filled
through the command line (``orgnews import`` of articles, then ``orgnews backfill-appointments``).

Every filter and every format is checked, and bad input: one ``Error:`` line, exit status 2.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from crawler.commands.appointments import CSV_COLUMNS
from tests.conftest import run_cli

TAIL = "公示时间为5个工作日。\n受理电话：0000-12380\n{issuer}\n{day}"


def notice(url: str, day: str, issuer: str, *persons: str) -> dict[str, str]:
    lead = f"经研究，现将{len(persons)}名同志拟任职情况予以公示。"
    body = "\n".join([lead, *persons, TAIL.format(issuer=issuer, day=day)])
    return {"url": url, "title": "干部任前公示", "column": "任前公示", "published_at": day, "body": body}


ARTICLES = [
    notice(
        "https://example.org/a/1.html",
        "2025-09-01",
        "中共某某市委组织部",
        "韦建国，男，汉族，1974年6月生，大学学历，中共党员，现任某县副县长，拟任某县委副书记。",
        "钟敏，女，汉族，1981年8月生，研究生学历，中共党员，现任某局科长，拟任某局副局长。",
    ),
    notice(
        "https://example.org/a/2.html",
        "2026-03-16",
        "中共某某省委组织部",
        "韦建国，男，汉族，1974年6月生，大学学历，中共党员，现任某县委副书记，拟提名为某县县长候选人。",
    ),
    notice(
        "https://example.org/a/3.html",
        "2026-07-20",
        "中共某某市委组织部",
        "钟敏，女，汉族，1981年8月生，研究生学历，中共党员，现任某局副局长，拟任某局局长。",
        "汪涛，男，汉族，1985年1月生，大学学历，中共党员，现任某镇镇长，拟任某镇党委书记。",
    ),
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("appointments") / "data"
    articles = "\n".join(json.dumps(article, ensure_ascii=False) for article in ARTICLES) + "\n"
    for command, stdin in ((("import", "-"), articles.encode()), (("backfill-appointments",), None)):
        done = run_cli(*command, data_dir=data, input=stdin)
        assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    return data


def listed(data_dir: Path, *args: str) -> list[dict]:
    done = run_cli("appointments", *args, "--format", "json", data_dir=data_dir)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("args", "rows"),
    [
        (
            (),
            [
                ("钟敏", "2026-07-20"),
                ("汪涛", "2026-07-20"),
                ("韦建国", "2026-03-16"),
                ("韦建国", "2025-09-01"),
                ("钟敏", "2025-09-01"),
            ],
        ),
        (("--name", "钟"), [("钟敏", "2026-07-20"), ("钟敏", "2025-09-01")]),
        # the current or a proposed post
        (("--post", "县长"), [("韦建国", "2026-03-16"), ("韦建国", "2025-09-01")]),
        (("--issuer", "省委组织部"), [("韦建国", "2026-03-16")]),
        (("--since", "2026"), [("钟敏", "2026-07-20"), ("汪涛", "2026-07-20"), ("韦建国", "2026-03-16")]),
        (("--since", "2026-07"), [("钟敏", "2026-07-20"), ("汪涛", "2026-07-20")]),
        (("--since", "2026-07-21"), []),
        (("--name", "韦", "--issuer", "市委", "--since", "2025-09-01"), [("韦建国", "2025-09-01")]),
        (("--limit", "2"), [("钟敏", "2026-07-20"), ("汪涛", "2026-07-20")]),
    ],
    ids=["all", "name", "post", "issuer", "since-year", "since-month", "since-day", "combined", "limit"],
)
def test_each_filter_narrows_the_rows(data_dir: Path, args: tuple[str, ...], rows: list) -> None:
    assert [(row["name"], row["published_at"]) for row in listed(data_dir, *args)] == rows


def test_the_three_formats_hold_the_same_rows(data_dir: Path) -> None:
    as_json = listed(data_dir, "--name", "钟")
    assert [(r["current_post"], r["step"], r["proposed_post"], r["issuer"]) for r in as_json] == [
        ("某局副局长", "拟任", "某局局长", "中共某某市委组织部"),
        ("某局科长", "拟任", "某局副局长", "中共某某市委组织部"),
    ]
    as_csv = run_cli("appointments", "--name", "钟", "--format", "csv", data_dir=data_dir)
    table = list(csv.reader(io.StringIO(as_csv.stdout.decode())))
    assert table[0] == list(CSV_COLUMNS)
    assert [dict(zip(table[0], row, strict=True))["proposed_post"] for row in table[1:]] == [
        "某局局长",
        "某局副局长",
    ]
    as_table = run_cli("appointments", "--name", "钟", data_dir=data_dir).stdout.decode()
    assert "2 persons of appointment notices" in as_table
    assert as_table.index("某局局长") < as_table.index("某局科长")


def test_person_lists_the_career_oldest_step_first(data_dir: Path) -> None:
    person_id = listed(data_dir, "--name", "韦建国")[0]["person_id"]
    steps = json.loads(run_cli("person", str(person_id), "--format", "json", data_dir=data_dir).stdout)[
        "steps"
    ]
    assert [(s["published_at"], s["step"], s["proposed_post"]) for s in steps] == [
        ("2025-09-01", "拟任", "某县委副书记"),
        ("2026-03-16", "拟提名", "某县县长候选人"),
    ]
    timeline = run_cli("person", str(person_id), data_dir=data_dir).stdout.decode()
    assert "韦建国 (男, born 1974-06): 2 steps" in timeline


def test_person_table_counts_the_reposts_folded_into_a_step(tmp_path: Path) -> None:
    first = ARTICLES[1]
    repost = {**first, "url": "https://example.net/copy/2.html", "published_at": "2026-03-17"}
    articles = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in (first, repost))
    data = tmp_path / "data"
    for command, stdin in ((("import", "-"), articles.encode()), (("backfill-appointments",), None)):
        assert run_cli(*command, data_dir=data, input=stdin).returncode == 0
    (step,) = json.loads(run_cli("person", "1", "--format", "json", data_dir=data).stdout)["steps"]
    assert step["reposted_at"] == [repost["url"]]
    # The table says so too, not only the JSON: one step, printed once, with one repost.
    table = run_cli("person", "1", data_dir=data).stdout.decode()
    (row,) = [line for line in table.splitlines() if "某县县长候选人" in line]
    assert "reposts" in table and row.split("│")[-2].strip() == "1", table
    assert "韦建国 (男, born 1974-06): 1 step\n" in table or "1 step " in table.splitlines()[0], table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("appointments", "--since", "last year"), "--since 'last year' is not a date"),
        (
            ("appointments", "--since", "2026-13"),
            "--since '2026-13' is not a date: there is no such day or month",
        ),
        (("appointments", "--since", "2026-02-30"), "there is no such day or month"),
        (("appointments", "--format", "xml"), "'xml' is not one of 'table', 'json', 'csv'"),
        (("appointments", "--limit", "-1"), "-1 is not in the range"),
        (("person", "twelve"), "'twelve' is not a valid integer"),
    ],
)
def test_bad_input_gets_one_error_line_and_status_2(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    done = run_cli(*args, data_dir=tmp_path / "data")
    err = done.stderr.decode()
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert done.returncode == 2 and len(errors) == 1 and message in errors[0], err
    assert "Traceback" not in err and not (tmp_path / "data").exists()


def test_an_unknown_person_or_a_missing_archive_is_one_line(data_dir: Path, tmp_path: Path) -> None:
    unknown = run_cli("person", "999", data_dir=data_dir)
    assert unknown.returncode == 1 and unknown.stderr.decode().strip() == (
        "Error: no person with id 999: see the person_id column of orgnews appointments"
    )
    # The three commands open the archive alike (crawler.commands.appointments._open).
    for command in (("appointments",), ("people",), ("person", "1"), ("backfill-appointments",)):
        done = run_cli(*command, data_dir=tmp_path / "none")
        err = done.stderr.decode()
        assert done.returncode == 1 and "no archive at" in err and len(err.strip().splitlines()) == 1, err


def test_people_lists_each_linked_person_once_newest_step_first(data_dir: Path) -> None:
    found = json.loads(run_cli("people", "--format", "json", data_dir=data_dir).stdout)
    persons = listed(data_dir)
    linked = {row["person_id"] for row in persons if row["person_id"] is not None}
    assert found["count"] == len(linked) == len(found["people"])
    assert {person["id"] for person in found["people"]} == linked
    latest = [person["latest_at"] for person in found["people"]]
    assert latest == sorted(latest, reverse=True)
    for person in found["people"]:
        timeline = json.loads(
            run_cli("person", str(person["id"]), "--format", "json", data_dir=data_dir).stdout
        )
        assert (person["name"], person["steps"]) == (timeline["name"], len(timeline["steps"]))
    # The table and the CSV hold the same people; --name and --limit narrow them.
    rows = list(
        csv.DictReader(io.StringIO(run_cli("people", "--format", "csv", data_dir=data_dir).stdout.decode()))
    )
    assert [int(row["id"]) for row in rows] == [person["id"] for person in found["people"]]
    table = run_cli("people", data_dir=data_dir).stdout.decode()
    assert f"{len(rows)} people followed across appointment notices" in table
    assert all(person["name"] in table for person in found["people"])
    named = json.loads(run_cli("people", "--name", "韦建", "--format", "json", data_dir=data_dir).stdout)
    assert [person["name"] for person in named["people"]] == ["韦建国"]
    one = run_cli("people", "--limit", "1", data_dir=data_dir).stdout.decode()
    assert f"1 of {len(rows)} people followed" in one
