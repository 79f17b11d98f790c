"""The appointment tables and the careers' saved queries in the real Datasette of ``orgnews serve``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import lxml.html
import pytest

from archive import Archive
from archive.browse import build_datasette
from crawler.extract import Article
from crawler.notices import record_notices

STEPS = [
    ("2023-04-03", "欧阳立，男，汉族，1974年6月生，现任某镇镇长，拟任某镇党委书记。"),
    ("2025-09-01", "欧阳立，男，汉族，1974年6月生，现任某镇党委书记，拟任某县副县长。"),
    ("2021-01-04", "欧阳立，男，汉族，1974年6月生，现任某镇副镇长，拟提名为某镇镇长候选人。"),
]


def step_url(n: int) -> str:
    """The address of the article of STEPS[n]."""
    return f"https://example.org/gs/{n}.html"


def career_archive(path: Path) -> int:
    """An archive at ``path`` holding the notices of STEPS; the person_id of their person."""
    with Archive.open(path) as arc:
        for n, (day, person) in enumerate(STEPS):
            article = Article(
                url=step_url(n),
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


def copies_archive(path: Path) -> int:
    """An archive at ``path`` holding the notices of COPIES; the person_id of their person."""
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
        return arc.appointments(name="欧阳立")[0]["person_id"]


def test_person_steps_query_folds_reposts_as_orgnews_person_does(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    person_id = copies_archive(path)
    with Archive.open(path) as arc:
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


def page(datasette, address: str) -> tuple[int, str]:
    response = asyncio.run(datasette.client.get(address))
    return response.status_code, response.text


def test_a_person_on_the_tables_opens_that_persons_career_page(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    person_id = career_archive(path)
    datasette = build_datasette(path)
    career = f"/archive/-/person/{person_id}"
    # The people query's person_id, the persons' person_id (which Datasette would link to the people
    # row, labelled with the name), the people table's names and its row page's id.
    links = {
        "/archive/people": f'<a href="{career}">{person_id}</a>',
        "/archive/people?name=欧阳": f'<a href="{career}">{person_id}</a>',
        "/archive/appointment_persons": f'<a href="{career}">欧阳立&nbsp;<em>{person_id}</em></a>',
        "/archive/appointment_people": f'<a href="{career}">欧阳立</a>',
        f"/archive/appointment_people/{person_id}": f'<a href="{career}">{person_id}</a>',
    }
    for address, link in links.items():
        status, text = page(datasette, address)
        assert status == 200 and link in text, address
    assert page(datasette, "/archive/appointment_persons")[1].count(f'href="{career}"') == len(STEPS)


def test_career_page_shows_the_steps_oldest_first_with_their_notices(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    person_id = career_archive(path)
    datasette = build_datasette(path)
    status, text = page(datasette, f"/archive/-/person/{person_id}")
    assert status == 200
    html = lxml.html.fromstring(text)
    assert html.cssselect(".orgnews-nav a.brand") and html.cssselect("link[href$='orgnews.css']")
    assert html.cssselect("h1.person-name")[0].text_content() == "欧阳立"
    assert [" ".join(span.text_content().split()) for span in html.cssselect(".byline span")] == [
        "男",
        "born 1974-06",
        "汉族",
    ]
    steps = html.cssselect("ol.career li.step")
    with Archive.open(path) as arc:
        ids = dict(arc.conn.execute("SELECT url, id FROM articles").fetchall())
    assert [
        (
            step.cssselect("time")[0].text_content(),
            step.cssselect(".kind")[0].text_content(),
            step.cssselect(".current")[0].text_content(),
            step.cssselect(".proposed")[0].text_content(),
            step.cssselect(".notice a")[0].get("href"),
            step.cssselect(".notice a.original")[0].get("href"),
        )
        for step in steps
    ] == [
        (
            "2021-01-04",
            "拟提名",
            "某镇副镇长",
            "某镇镇长候选人",
            f"/archive/articles/{ids[step_url(2)]}",
            step_url(2),
        ),
        (
            "2023-04-03",
            "拟任",
            "某镇镇长",
            "某镇党委书记",
            f"/archive/articles/{ids[step_url(0)]}",
            step_url(0),
        ),
        (
            "2025-09-01",
            "拟任",
            "某镇党委书记",
            "某县副县长",
            f"/archive/articles/{ids[step_url(1)]}",
            step_url(1),
        ),
    ]
    # The window as the notice gives it: five working days from the publication day.
    assert steps[0].cssselect(".window")[0].text_content() == "notice window 2021-01-04 – 2021-01-08"
    assert not html.cssselect(".reposts")


def test_career_page_folds_a_repost_into_its_step_and_links_the_copy(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    person_id = copies_archive(path)
    datasette = build_datasette(path)
    with Archive.open(path) as arc:
        ids = dict(arc.conn.execute("SELECT url, id FROM articles").fetchall())
        timeline = arc.person(person_id)
    html = lxml.html.fromstring(page(datasette, f"/archive/-/person/{person_id}")[1])
    steps = html.cssselect("ol.career li.step")
    assert [step.cssselect(".issuer-name")[0].text_content() for step in steps] == [
        "中共甲省委组织部",
        "中共乙省委组织部",
    ]
    assert [a.get("href") for a in steps[0].cssselect(".reposts a")] == [
        f"/archive/articles/{ids[COPIES[1][0]]}"
    ]
    assert not steps[1].cssselect(".reposts")
    assert "1 repost folded" in html.cssselect("article.person .note")[0].text_content()
    assert timeline["steps"][0]["reposted_articles"] == [ids[COPIES[1][0]]]
    # The page's data is the command's: orgnews person ID --format json.
    response = asyncio.run(datasette.client.get(f"/archive/-/person/{person_id}.json"))
    assert response.status_code == 200 and response.json() == json.loads(json.dumps(timeline))


@pytest.mark.parametrize("person_id", ["999", "abc", "1x", "123456789012345678901234567890"])
def test_an_unknown_person_gets_a_404_page_of_the_archive(tmp_path: Path, person_id: str) -> None:
    path = tmp_path / "archive.db"
    career_archive(path)
    datasette = build_datasette(path)
    status, text = page(datasette, f"/archive/-/person/{person_id}")
    assert status == 404
    html = lxml.html.fromstring(text)
    assert html.cssselect(".orgnews-nav a.brand")
    assert html.cssselect("h1")[0].text_content() == f"No person with id {person_id}"
    assert {a.get("href") for a in html.cssselect(".orgnews-missing a")} >= {
        "/archive/people",
        "/archive/appointment_persons",
    }
    response = asyncio.run(datasette.client.get(f"/archive/-/person/{person_id}.json"))
    assert response.status_code == 404
    assert response.json() == {
        "error": f"no person with id {person_id}: see the person_id column of orgnews appointments"
    }


def test_career_page_header_gives_the_latest_notices_facts_and_what_earlier_ones_said(tmp_path: Path) -> None:
    # Two notices of one person: the later one gives an in-service degree the first did not have.
    path = tmp_path / "archive.db"
    with Archive.open(path) as arc:
        for n, (day, education) in enumerate((("2020-03-02", "大学"), ("2024-06-03", "在职研究生"))):
            article = Article(
                url=step_url(n),
                title="干部任前公示",
                published_at=day,
                body=f"现将1名同志拟任职情况予以公示。\n欧阳立，男，汉族，1974年6月生，{education}学历，"
                "现任某镇镇长，拟任某镇党委书记。\n公示时间为5个工作日。",
            )
            result = arc.save_article(article)
            record_notices(arc, result.article_id, article, result.status)
        person_id = arc.appointments(name="欧阳立")[0]["person_id"]
    html = lxml.html.fromstring(page(build_datasette(path), f"/archive/-/person/{person_id}")[1])
    facts = dict(
        zip(
            [dt.text_content() for dt in html.cssselect(".person-facts dt")],
            [" ".join(dd.text_content().split()) for dd in html.cssselect(".person-facts dd")],
            strict=True,
        )
    )
    assert facts["Education"] == "在职研究生 (earlier notices: 大学)"
    assert facts["Ethnicity"] == "汉族"
