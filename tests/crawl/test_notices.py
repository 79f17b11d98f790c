"""Appointment notices in a real archive file: tables, person links and backfill (the commands:
tests/commands/test_appointments.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import Archive
from archive.errors import QueryError
from crawler.extract import Article
from crawler.notices import record_notices
from tests.conftest import run_cli

BODY = (
    "经市委研究，现将{count}名同志拟任职情况予以公示。\n{persons}\n"
    "公示时间为5个工作日。受理电话：0000-12380\n中共某某市委组织部\n{day}"
)


def notice(url: str, day: str, *persons: str) -> Article:
    body = BODY.format(count=len(persons), persons="\n".join(persons), day=day)
    return Article(url=url, title="干部任前公示", column="任前公示", published_at=day, body=body, site="demo")


FIRST = notice(
    "https://example.org/n/1.html",
    "2024-03-04",
    "严卫国，男，汉族，1975年3月生，河北保定人，大学学历，中共党员，现任某县副县长，拟任某县委副书记。",
    "林芳，女，汉族，1980年2月生，大学学历，中共党员，现任某局科长，拟任某局副局长。",
    "石磊，男，汉族，1978年4月生，山西大同人，大学学历，中共党员，现任某区副区长，拟任某区委副书记。",
)
LATER = notice(
    "https://example.org/n/2.html",
    "2026-05-11",
    "严卫国，男，汉族，1975年3月生，河北省保定市人，研究生学历，中共党员，现任某县委副书记，拟提名为某县县长候选人。",
    "林芳，女，回族，1980年2月生，大学学历，中共党员，现任某局副局长，拟任某局局长。",
    "余同，男，汉族，现任某办主任，拟任某局副局长。",
)
TWINS = notice(
    "https://example.org/n/3.html",
    "2026-06-01",
    "章明，男，汉族，1979年1月生，现任某镇镇长，拟任某镇党委书记。",
    "章明，男，汉族，1979年1月生，现任某乡乡长，拟任某乡党委书记。",
    "石磊，男，汉族，1978年4月生，陕西榆林人，大学学历，中共党员，现任某市副市长，拟任某市委常委。",
)


def store(arc: Archive, *articles: Article) -> None:
    for article in articles:
        result = arc.save_article(article)
        record_notices(arc, result.article_id, article, result.status)


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "archive.db"
    with Archive.open(path) as arc:
        store(arc, FIRST, LATER, TWINS)
    return path


def test_notices_and_persons_are_stored_with_their_windows(archive_path: Path) -> None:
    with Archive.open(archive_path) as arc:
        rows = arc.conn.execute(
            "SELECT url, issuer, window_start, window_end, announced, parsed FROM appointment_notices ORDER BY id"
        ).fetchall()
    assert rows == [
        ("https://example.org/n/1.html", "中共某某市委组织部", "2024-03-04", "2024-03-08", 3, 3),
        ("https://example.org/n/2.html", "中共某某市委组织部", "2026-05-11", "2026-05-15", 3, 3),
        ("https://example.org/n/3.html", "中共某某市委组织部", "2026-06-01", "2026-06-05", 3, 3),
    ]


def test_a_person_is_followed_across_notices_and_doubtful_links_are_left_out(archive_path: Path) -> None:
    with Archive.open(archive_path) as arc:
        linked = arc.appointments(name="严卫国")
        assert len({row["person_id"] for row in linked}) == 1 and linked[0]["person_id"] is not None
        career = arc.person(linked[0]["person_id"])
        assert [(s["published_at"], s["step"], s["proposed_post"]) for s in career["steps"]] == [
            ("2024-03-04", "拟任", "某县委副书记"),
            ("2026-05-11", "拟提名", "某县县长候选人"),
        ]
        notes = {
            row["name"]: (row["person_id"], row["link_note"])
            for row in arc.appointments(limit=0)
            if row["name"] != "严卫国"
        }
    assert notes["林芳"] == (None, "the notices give different ethnicities: not linked")
    assert notes["余同"] == (None, "no birth month or sex: not linked")
    assert notes["石磊"] == (None, "the notices give different native places: not linked")
    assert notes["章明"] == (
        None,
        "two persons of one notice share this name, sex and birth month: not linked",
    )


def test_the_same_in_python(archive_path: Path) -> None:
    import archive

    rows = archive.appointments(archive_path, name="严卫国", since="2025")
    assert [(r["published_at"], r["proposed_post"]) for r in rows] == [("2026-05-11", "某县县长候选人")]
    career = archive.person(archive_path, rows[0]["person_id"])
    assert (career["name"], career["sex"], career["birth"], len(career["steps"])) == (
        "严卫国",
        "男",
        "1975-03",
        2,
    )
    assert archive.person(archive_path, 10_000) is None
    assert archive.appointments(archive_path, issuer="省委组织部") == []
    with pytest.raises(QueryError, match="since '2026-13' is not a date"):
        archive.appointments(archive_path, since="2026-13")


def test_a_reposted_notice_is_one_step_of_a_career(tmp_path: Path) -> None:
    repost = Article(
        **{**LATER.to_dict(), "url": "https://other.example.net/rs/2.html", "published_at": "2026-05-12"}
    )
    with Archive.open(tmp_path / "archive.db") as arc:
        store(arc, FIRST, LATER, repost)
        rows = arc.appointments(name="严卫国")
        assert len(rows) == 3 and len({row["person_id"] for row in rows}) == 1
        steps = arc.person(rows[0]["person_id"])["steps"]
    assert [(s["url"], s["reposted_at"]) for s in steps] == [
        ("https://example.org/n/1.html", []),
        ("https://example.org/n/2.html", ["https://other.example.net/rs/2.html"]),
    ]


def test_an_edited_article_that_is_no_notice_any_more_loses_its_records(archive_path: Path) -> None:
    with Archive.open(archive_path) as arc:
        edited = Article(**{**FIRST.to_dict(), "title": "某某市召开干部工作会议", "column": "工作动态"})
        store(arc, edited)
        assert [row["url"] for row in arc.appointments(name="严卫国")] == ["https://example.org/n/2.html"]
        # The one notice left links to no other: the person keeps the id, with one step.
        person_id = arc.appointments(name="严卫国")[0]["person_id"]
        assert len(arc.person(person_id)["steps"]) == 1


def test_backfill_reads_articles_stored_without_their_notices(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with Archive.open(data_dir / "archive.db") as arc:
        arc.save_articles([FIRST, LATER, TWINS])
        assert arc.appointments() == []
    result = run_cli("backfill-appointments", data_dir=data_dir)
    assert result.returncode == 0, result.stderr.decode()
    assert "read 3 notices in 3 articles: 9 persons; 0 notices where" in result.stdout.decode()
    again = run_cli("backfill-appointments", data_dir=data_dir)
    assert again.stdout == result.stdout
    with Archive.open(data_dir / "archive.db") as arc:
        assert len(arc.appointments(limit=0)) == 9
