"""The appointment tables and the careers' saved queries in the real Datasette of ``orgnews serve``."""

from __future__ import annotations

import asyncio
from pathlib import Path

from archive import Archive
from archive.browse import build_datasette
from crawler.extract import Article
from crawler.notices import record_notices

STEPS = [
    ("2023-04-03", "欧阳立，男，汉族，1974年6月生，现任某镇镇长，拟任某镇党委书记。"),
    ("2025-09-01", "欧阳立，男，汉族，1974年6月生，现任某镇党委书记，拟任某县副县长。"),
    ("2021-01-04", "欧阳立，男，汉族，1974年6月生，现任某镇副镇长，拟提名为某镇镇长候选人。"),
]


def career_archive(path: Path) -> int:
    """An archive at ``path`` holding the notices of STEPS; the person_id of their person."""
    with Archive.open(path) as arc:
        for n, (day, person) in enumerate(STEPS):
            article = Article(
                url=f"https://example.org/gs/{n}.html",
                title="干部任前公示",
                published_at=day,
                body=f"现将1名同志拟任职情况予以公示。\n{person}\n公示时间为5个工作日。",
            )
            result = arc.save_article(article)
            record_notices(arc, result.article_id, article, result.status)
        return arc.appointments(name="欧阳立")[0]["person_id"]


def test_person_steps_query_lists_a_career_in_order(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    person_id = career_archive(path)
    datasette = build_datasette(path)

    async def fetch(url: str) -> dict:
        response = await datasette.client.get(url)
        assert response.status_code == 200, response.text
        return response.json()

    steps = asyncio.run(fetch(f"/archive/person_steps.json?person_id={person_id}&_shape=array"))
    assert [(s["published_at"], s["step"], s["proposed_post"]) for s in steps] == [
        ("2021-01-04", "拟提名", "某镇镇长候选人"),
        ("2023-04-03", "拟任", "某镇党委书记"),
        ("2025-09-01", "拟任", "某县副县长"),
    ]
    people = asyncio.run(fetch("/archive/people.json?name=欧阳&_shape=array"))
    assert [(p["person_id"], p["name"], p["steps"]) for p in people] == [(person_id, "欧阳立", 3)]
    tables = asyncio.run(fetch("/archive.json"))["tables"]
    described = {t["name"] for t in tables if not t["hidden"]}
    assert {"appointment_notices", "appointment_persons", "appointment_people"} <= described


# One notice of 甲 posted on two sites, and a notice of 乙 worded alike: the three articles are
# one story (their texts differ in one character), but 乙's notice is a step of its own.
NOTICE = (
    "根据有关规定，经{p}省委同意，现将1名同志拟任职情况予以公示。\n"
    "欧阳立，男，汉族，1974年6月生，大学学历，中共党员，现任某市副市长，拟任某县县委书记。\n"
    "公示时间为5个工作日。公示期间，对公示对象有情况反映的，可通过来电、来信、来访等方式向{p}省委组织部反映。"
)
COPIES = [
    ("https://a.example.org/gs/1.html", "jia", "甲", "2024-01-02"),
    ("https://b.example.org/gs/1.html", "yi", "甲", "2024-01-03"),
    ("https://c.example.org/gs/9.html", "bing", "乙", "2024-01-05"),
]


def test_person_steps_query_folds_reposts_as_orgnews_person_does(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    with Archive.open(path) as arc:
        for url, site, province, day in COPIES:
            article = Article(
                url=url,
                site=site,
                title=f"中共{province}省委组织部干部任前公示",
                published_at=day,
                body=NOTICE.format(p=province),
            )
            result = arc.save_article(article)
            record_notices(arc, result.article_id, article, result.status)
        assert len({story for (story,) in arc.conn.execute("SELECT story_id FROM articles")}) == 1
        person_id = arc.appointments(name="欧阳立")[0]["person_id"]
        timeline = arc.person(person_id)["steps"]
    assert [(s["issuer"], s["url"], s["reposted_at"]) for s in timeline] == [
        ("中共甲省委组织部", COPIES[0][0], [COPIES[1][0]]),
        ("中共乙省委组织部", COPIES[2][0], []),
    ]
    datasette = build_datasette(path)
    response = asyncio.run(
        datasette.client.get(f"/archive/person_steps.json?person_id={person_id}&_shape=array")
    )
    assert response.status_code == 200, response.text
    assert [(s["issuer"], s["url"], s["reposted_at"]) for s in response.json()] == [
        ("中共甲省委组织部", COPIES[0][0], COPIES[1][0]),
        ("中共乙省委组织部", COPIES[2][0], None),
    ]


def test_a_person_id_on_the_pages_opens_that_persons_steps(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    person_id = career_archive(path)
    datasette = build_datasette(path)
    link = f'<a href="/archive/person_steps?person_id={person_id}">{person_id}</a>'
    for page in ("/archive/people", "/archive/people?name=欧阳"):
        response = asyncio.run(datasette.client.get(page))
        assert response.status_code == 200 and link in response.text, page
