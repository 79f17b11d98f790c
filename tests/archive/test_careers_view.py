"""The appointment tables and the careers' saved queries in the real Datasette of ``orgnews serve``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from archive import Archive
from archive.browse import build_datasette
from archive.careers import find_people
from crawler.extract import Article
from crawler.notices import record_notices
from tests.conftest import run_cli

STEPS = [
    ("2023-04-03", "欧阳立，男，汉族，1974年6月生，现任某镇镇长，拟任某镇党委书记。"),
    ("2025-09-01", "欧阳立，男，汉族，1974年6月生，现任某镇党委书记，拟任某县副县长。"),
    ("2021-01-04", "欧阳立，男，汉族，1974年6月生，现任某镇副镇长，拟提名为某镇镇长候选人。"),
]


def step_url(n: int) -> str:
    """The address of the article of STEPS[n]."""
    return f"https://example.org/gs/{n}.html"


def store_notice(arc: Archive, url: str, day: str, body: str, title: str = "干部任前公示", site=None) -> None:
    """Save an article as a crawl does, with its appointment notices read."""
    article = Article(url=url, site=site, title=title, published_at=day, body=body)
    result = arc.save_article(article)
    record_notices(arc, result.article_id, article, result.status)


def career_archive(path: Path) -> int:
    """An archive at ``path`` holding the notices of STEPS; the person_id of their person."""
    with Archive.open(path) as arc:
        for n, (day, person) in enumerate(STEPS):
            store_notice(
                arc, step_url(n), day, f"现将1名同志拟任职情况予以公示。\n{person}\n公示时间为5个工作日。"
            )
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
            store_notice(
                arc, url, day, NOTICE.format(p=province), f"中共{province}省委组织部干部任前公示", site
            )
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
        "/archive/-/people",
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
            body = (
                f"现将1名同志拟任职情况予以公示。\n欧阳立，男，汉族，1974年6月生，{education}学历，"
                "现任某镇镇长，拟任某镇党委书记。\n公示时间为5个工作日。"
            )
            store_notice(arc, step_url(n), day, body)
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


# Three more persons, one notice each, after and between 欧阳立's steps (STEPS).
OTHERS = [
    ("2025-10-09", "司马青，女，汉族，1980年2月生，现任某区副区长，拟任某区区长。"),
    ("2022-05-16", "欧阳明，男，回族，1969年11月生，现任某局局长，拟推荐为某市政协副主席人选。"),
    ("2024-02-26", "上官林，男，汉族，1983年7月生，现任某乡乡长，拟任某乡党委书记。"),
]


def people_archive(path: Path) -> dict[str, int]:
    """An archive at ``path`` holding the notices of STEPS and OTHERS; person_id by name."""
    career_archive(path)
    with Archive.open(path) as arc:
        for n, (day, person) in enumerate(OTHERS, start=len(STEPS)):
            body = f"现将1名同志拟任职情况予以公示。\n{person}\n公示时间为5个工作日。"
            store_notice(arc, step_url(n), day, body, "中共丙省委组织部干部任前公示")
        return {row["name"]: row["person_id"] for row in arc.appointments(limit=0)}


def people_rows(html) -> list[tuple[str, ...]]:
    """The people table's rows as shown: name, its link, sex, birth, steps, latest step, post, issuers."""
    for unit in html.cssselect("table.people .unit"):  # " steps", shown on a narrow window only
        unit.drop_tree()
    return [
        (
            row.cssselect("td.name a")[0].text_content(),
            row.cssselect("td.name a")[0].get("href"),
            *(
                " ".join(row.cssselect(f"td.{name}")[0].text_content().split())
                for name in ("sex", "birth", "steps", "latest", "post", "issuers")
            ),
        )
        for row in html.cssselect("table.people tbody tr")
    ]


def test_people_page_lists_each_person_newest_step_first_as_find_people_gives(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    ids = people_archive(path)
    datasette = build_datasette(path)
    status, text = page(datasette, "/archive/-/people")
    assert status == 200
    html = lxml.html.fromstring(text)
    with Archive.open(path) as arc:
        found = find_people(arc.conn)
        timelines = {person_id: arc.person(person_id)["steps"] for person_id in ids.values()}
    assert found["count"] == 4
    assert people_rows(html) == [
        (
            p["name"],
            f"/archive/-/person/{p['id']}",
            p["sex"],
            p["birth"],
            str(p["steps"]),
            p["latest_at"][:10],
            f"{p['latest_step']} {p['latest_post']}",
            "；".join(p["issuers"]) or "issuer not read",
        )
        for p in found["people"]
    ]
    # Newest latest step first; each person's steps and latest step are those of their career page.
    assert [(p["name"], p["issuers"]) for p in found["people"]] == [
        ("司马青", ["中共丙省委组织部"]),
        ("欧阳立", []),
        ("上官林", ["中共丙省委组织部"]),
        ("欧阳明", ["中共丙省委组织部"]),
    ]
    for p in found["people"]:
        steps = timelines[p["id"]]
        assert (p["steps"], p["latest_at"], p["latest_post"]) == (
            len(steps),
            steps[-1]["published_at"],
            steps[-1]["proposed_post"],
        )
    assert found["people"][1]["steps"] == 3 and found["people"][1]["latest_post"] == "某县副县长"
    response = asyncio.run(datasette.client.get("/archive/-/people.json"))
    assert response.json() == {"name": None, "offset": 0, **found}


def test_people_count_a_reposted_notice_once_as_the_career_page_does(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    person_id = copies_archive(path)
    with Archive.open(path) as arc:
        (person,) = find_people(arc.conn)["people"]
        steps = arc.person(person_id)["steps"]
    assert (person["id"], person["steps"], len(steps)) == (person_id, 2, 2)
    assert person["issuers"] == ["中共乙省委组织部", "中共甲省委组织部"]  # most recent first
    assert person["latest_at"] == COPIES[2][3]


def test_the_saved_query_the_people_page_and_orgnews_people_count_the_same_steps(tmp_path: Path) -> None:
    # 欧阳立's first notice reposted on a second site, and three persons of one notice each.
    path = tmp_path / "archive.db"
    copies_archive(path)
    with Archive.open(path) as arc:
        for n, (day, person) in enumerate(OTHERS):
            body = f"现将1名同志拟任职情况予以公示。\n{person}\n公示时间为5个工作日。"
            store_notice(arc, step_url(n), day, body, "中共丙省委组织部干部任前公示")
    datasette = build_datasette(path)

    async def fetch(address: str) -> Any:
        response = await datasette.client.get(address)
        assert response.status_code == 200, response.text
        return response.json()

    saved = {
        p["person_id"]: p["steps"] for p in asyncio.run(fetch("/archive/people.json?name=&_shape=array"))
    }
    shown = {p["id"]: p["steps"] for p in asyncio.run(fetch("/archive/-/people.json"))["people"]}
    listed = run_cli("people", "--format", "json", data_dir=tmp_path)
    assert listed.returncode == 0, listed.stderr.decode()
    told = {p["id"]: p["steps"] for p in json.loads(listed.stdout)["people"]}
    with Archive.open(path) as arc:
        careers = {person_id: len(arc.person(person_id)["steps"]) for person_id in told}
    assert sorted(careers.values()) == [1, 1, 1, 2]
    assert saved == shown == told == careers
    # The first and last notice of the saved query are those of the folded steps.
    (reposted,) = asyncio.run(fetch("/archive/people.json?name=欧阳立&_shape=array"))
    assert (reposted["steps"], reposted["first_notice"], reposted["last_notice"]) == (
        2,
        COPIES[0][3],
        COPIES[2][3],
    )


def test_every_archive_page_links_the_people_page_from_its_navigation(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    ids = people_archive(path)
    datasette = build_datasette(path)
    with Archive.open(path) as arc:
        (article_id,) = arc.conn.execute("SELECT min(id) FROM articles").fetchone()
    addresses = [
        "/archive/-/search",
        "/archive/-/search?q=公示",
        "/archive/-/people",
        "/archive/-/health",
        f"/archive/-/person/{ids['欧阳立']}",
        "/archive/-/person/999",
        f"/archive/articles/{article_id}",
    ]
    for address in addresses:
        html = lxml.html.fromstring(page(datasette, address)[1])
        labels = {a.text_content(): a.get("href") for a in html.cssselect(".orgnews-nav a")}
        assert labels.get("People") == "/archive/-/people", address
    current = lxml.html.fromstring(page(datasette, "/archive/-/people")[1]).cssselect(
        ".orgnews-nav [aria-current]"
    )
    assert [a.text_content() for a in current] == ["People"]
    # Datasette's own pages name it in their menu, and the front page among the archive's pages.
    assert 'href="/archive/-/people"' in page(datasette, "/archive/appointment_people")[1]
    assert 'href="/archive/-/people"' in page(datasette, "/")[1]


def test_people_page_filters_by_a_part_of_the_name(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    ids = people_archive(path)
    datasette = build_datasette(path)
    html = lxml.html.fromstring(page(datasette, "/archive/-/people?name=欧阳")[1])
    assert [row[:2] for row in people_rows(html)] == [
        ("欧阳立", f"/archive/-/person/{ids['欧阳立']}"),
        ("欧阳明", f"/archive/-/person/{ids['欧阳明']}"),
    ]
    assert html.cssselect("input[name=name]")[0].get("value") == "欧阳"
    assert " ".join(html.cssselect(".count")[0].text_content().split()).startswith(
        "1–2 of 2 people whose name contains “欧阳”"
    )
    html = lxml.html.fromstring(page(datasette, "/archive/-/people?name=诸葛")[1])
    assert not html.cssselect("table.people")
    assert html.cssselect("p.none")[0].text_content() == (
        "No person linked across the notices has a name containing “诸葛”."
    )


def test_people_page_pages_a_long_list(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    people_archive(path)
    datasette = build_datasette(path)
    names = ["司马青", "欧阳立", "上官林", "欧阳明"]
    html = lxml.html.fromstring(page(datasette, "/archive/-/people?size=3")[1])
    assert [row[0] for row in people_rows(html)] == names[:3]
    assert [a.get("href") for a in html.cssselect("nav.pager a")] == ["/archive/-/people?page=2&size=3"]
    html = lxml.html.fromstring(page(datasette, "/archive/-/people?page=2&size=3")[1])
    assert [row[0] for row in people_rows(html)] == names[3:]
    assert " ".join(html.cssselect(".count")[0].text_content().split()).startswith("4–4 of 4 people")
    assert [a.get("href") for a in html.cssselect("nav.pager a")] == ["/archive/-/people?size=3"]
    assert "page 2 of 2" in html.cssselect("nav.pager")[0].text_content()
    html = lxml.html.fromstring(page(datasette, "/archive/-/people?page=9&size=3")[1])
    assert not html.cssselect("table.people")
    assert [a.get("href") for a in html.cssselect(".count a")] == ["/archive/-/people?page=2&size=3"]
    response = asyncio.run(datasette.client.get("/archive/-/people.json?page=2&size=3"))
    assert [(p["name"], response.json()["offset"]) for p in response.json()["people"]] == [("欧阳明", 3)]


def test_people_page_of_an_archive_without_notices_says_so(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    with Archive.open(path) as arc:
        arc.save_article(
            Article(url=step_url(0), title="组织工作会议召开", published_at="2025-01-02", body="会议强调。")
        )
    status, text = page(build_datasette(path), "/archive/-/people")
    assert status == 200
    html = lxml.html.fromstring(text)
    assert not html.cssselect("table.people") and not html.cssselect("nav.pager")
    assert (
        html.cssselect("p.none")[0]
        .text_content()
        .startswith("The archive links no person across appointment notices yet")
    )
