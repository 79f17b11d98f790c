"""End to end: the real ``orgnews crawl`` in a subprocess against the real replay server."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import urllib.robotparser
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import Archive
from crawler.commands.crawl import REPLAY_TROUBLE
from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.slow

CONTINUATION = re.compile(r"(-\d+-\d+|_\d+_\d+)\.s?html?$")
# What the replay site says each saved article is: an article, a bot challenge ("blocked"), gone...
REPLAY_MANIFEST = json.loads((ROOT / "crawler/replay/site/_articles.json").read_text(encoding="utf-8"))
# The detail links that answer with a bot challenge instead of the article, and how.
CHALLENGED = {
    "https://www.zgjssw.gov.cn/yaowen/202611/t20261115_8123405.shtml": 412,  # 瑞数
    "https://www.zgjssw.gov.cn/yaowen/202611/t20261111_8123409.shtml": 200,  # 瑞数, a ~1 KB $_ts page
    "https://www.bjdj.gov.cn/article/86021.html": 521,  # 加速乐, __jsl_clearance
}


def crawl(data_dir: Path, server, *args: str) -> subprocess.CompletedProcess:
    return run_cli("crawl", "--all", *args, data_dir=data_dir, env={"ORGNEWS_REPLAY_URL": server.base_url})


def open_archive(data_dir: Path):
    return Archive.open(data_dir / "archive.db")


def served(server, start: int = 0) -> list[tuple[str, str, int]]:
    return list(server.request_log[start:])


@pytest.fixture(scope="module")
def profiles():
    from crawler.profiles import load_profiles

    return load_profiles()


@pytest.fixture(scope="module")
def server():
    from crawler.replay.server import ReplayServer

    with ReplayServer(snapshot=1) as srv:
        yield srv


@pytest.fixture(scope="module")
def first_crawl(tmp_path_factory, server):
    """One full crawl of every profile; the tests below read what it left behind."""
    data_dir = tmp_path_factory.mktemp("first") / "data"
    start = len(server.request_log)
    result = crawl(data_dir, server)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    return data_dir, served(server, start), result.stdout.decode()


def detail_urls_served_ok(log, profiles) -> set[str]:
    """Detail pages served with 200, less the 瑞数 challenge that is served with 200 too."""
    return {
        url
        for _, url, status in log
        if status == 200 and url not in CHALLENGED and any(p.is_detail(url) for p in profiles.values())
    }


def test_every_served_article_is_archived(first_crawl, profiles):
    data_dir, log, _ = first_crawl
    with open_archive(data_dir) as arc:
        known = arc.known_article_urls()
        for name in profiles:
            assert arc.known_article_urls(name), f"no article archived for {name}"
    details = detail_urls_served_ok(log, profiles)
    assert details
    # Continuation pages of multi-page articles (c1-2-2.html, t2021_1_1.shtml) live in their first page's record.
    missing = {url for url in details if url not in known and not CONTINUATION.search(url)}
    assert not missing, f"served but not archived: {sorted(missing)[:5]}"


def epaper_articles() -> dict[str, str]:
    """The replay's articles that only the e-paper links (no column list does), with their day."""
    return {
        url: article["published_at"][:10]
        for url, article in REPLAY_MANIFEST.items()
        if article["site"] == "zuzhirenshi" and article["column"] == "电子报"
    }


def test_the_e_paper_walk_reaches_articles_no_column_lists(first_crawl):
    data_dir, log, _ = first_crawl
    epaper = epaper_articles()
    # Issues of two months, as the profile walks without --since; one issue is older than the replay's day.
    assert {day[:7] for day in epaper.values()} == {"2026-11", "2026-10"}
    issues = [url for method, url, _ in log if url.endswith("/dianZiBaoHomePage")]
    assert len(issues) == 3 and all(method == "POST" for method, url, _ in log if url in issues)
    with open_archive(data_dir) as arc:
        known = set(arc.known_article_urls("zuzhirenshi"))
        published = {url: arc.article_state(url)["published_at"][:10] for url in epaper}
    assert set(epaper) <= known
    assert published == epaper


def test_second_run_fetches_no_article_again(first_crawl, server, profiles, tmp_path):
    data_dir, first_log, _ = first_crawl
    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    with open_archive(copy) as arc:
        known = arc.known_article_urls()
    # Gone pages (404) are settled too; only challenged ones are worth another try.
    settled = {
        url
        for _, url, status in first_log
        if status in (404, 410) and any(p.is_detail(url) for p in profiles.values())
    }
    assert settled, "the replay site must link to a page that is gone"
    start = len(server.request_log)
    result = crawl(copy, server)
    assert result.returncode == 0, result.stdout.decode()
    refetched = {url for _, url, _ in served(server, start) if url in known | settled}
    assert not refetched, f"fetched again: {sorted(refetched)[:5]}"
    with open_archive(copy) as arc:
        latest = {run["site"]: run for run in arc.runs(limit=len(profiles))}
    assert all(run["articles_new"] == 0 and run["articles_updated"] == 0 for run in latest.values())


def test_challenge_page_is_recorded_blocked_and_never_stored(first_crawl, profiles):
    data_dir, log, _ = first_crawl
    assert {url for url, want in REPLAY_MANIFEST.items() if want["expect"] == "blocked"} == CHALLENGED.keys()
    served_statuses = {url: status for _, url, status in log if url in CHALLENGED}
    assert served_statuses == CHALLENGED
    with open_archive(data_dir) as arc:
        known = arc.known_article_urls()
        runs = {run["site"]: run for run in arc.runs(limit=len(profiles))}
        outcomes = {
            url: arc.conn.execute(
                "SELECT group_concat(DISTINCT outcome) FROM fetches WHERE url = ?", [url]
            ).fetchone()[0]
            for url in CHALLENGED
        }
    assert not CHALLENGED.keys() & known
    assert outcomes == {url: "blocked" for url in CHALLENGED}
    assert {site: run["fetches_blocked"] for site, run in runs.items() if run["fetches_blocked"]} == {
        "jiangsu": 2,
        "beijing": 1,
    }
    # Each challenged host backed off: its download slot was given a delay, doubled at the second challenge.
    backed_off = {site: run["hosts_backed_off"] for site, run in runs.items() if run["hosts_backed_off"]}
    assert {site: {h: v["challenges"] for h, v in hosts.items()} for site, hosts in backed_off.items()} == {
        "jiangsu": {"www.zgjssw.gov.cn": 2},
        "beijing": {"www.bjdj.gov.cn": 1},
    }
    assert (
        backed_off["jiangsu"]["www.zgjssw.gov.cn"]["delay"]
        > backed_off["beijing"]["www.bjdj.gov.cn"]["delay"]
        > 0
    )


def test_robots_disallowed_paths_are_not_fetched(first_crawl):
    data_dir, log, _ = first_crawl
    parsers: dict[str, urllib.robotparser.RobotFileParser] = {}
    robots = {url for _, url, status in log if url.endswith("/robots.txt") and status == 200}
    assert robots, "robots.txt must be fetched for each host"
    for url in robots:
        text = (ROOT / "crawler" / "replay" / "site" / url.split("://", 1)[1]).read_text(encoding="utf-8")
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(text.splitlines())
        parsers[url.split("/")[2]] = parser
    fetched = [url for _, url, _ in log if not url.endswith("/robots.txt")]
    forbidden = [
        url
        for url in fetched
        if url.split("/")[2] in parsers and not parsers[url.split("/")[2]].can_fetch("orgnews", url)
    ]
    assert not forbidden
    # The replay lists do link to a disallowed page; the crawl saw it and left it alone.
    logs = "".join(path.read_text(encoding="utf-8") for path in (data_dir / "logs").glob("*.log"))
    assert "Forbidden by robots.txt" in logs
    # ...and noted it, so that the link does not count as new in the next list walk.
    settled = "".join(path.read_text(encoding="utf-8") for path in (data_dir / "jobs").glob("*/settled.tsv"))
    assert "\tforbidden by robots.txt\n" in settled


def test_warc_files_parse_and_match_fetch_rows(first_crawl):
    data_dir, _, _ = first_crawl
    files = sorted((data_dir / "warc").glob("*.warc.gz"))
    assert files
    responses = 0
    for path in files:
        with open(path, "rb") as fh:
            responses += sum(1 for record in ArchiveIterator(fh) if record.rec_type == "response")
    out = subprocess.run(
        [sys.executable, "-m", "cdxj_indexer.main", *map(str, files)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    indexed = {
        (e["filename"], int(e["offset"])): e["url"]
        for e in (json.loads(line.split(" ", 2)[2]) for line in out.splitlines())
    }
    assert len(indexed) >= responses
    with open_archive(data_dir) as arc:
        sources = list(arc.iter_article_sources())
    assert sources
    by_url = {url for url in indexed.values()}
    for source in sources:
        if source["warc_file"] is None:
            # Fetched from an API address; the page URL is what the archive keys it by.
            from crawler.lists import detail_request
            from crawler.profiles import get_profile

            assert detail_request(get_profile(source["site"]), source["url"]).url in by_url
        else:
            assert indexed[(source["warc_file"], source["warc_offset"])] == source["url"]


def test_reparse_reproduces_the_records(first_crawl, tmp_path):
    data_dir, _, _ = first_crawl
    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    result = run_cli("reparse", data_dir=copy)
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()
    assert " 0 changed" in out and " 0 failed" in out, out


def test_reparse_of_an_archive_whose_warc_folder_moved_says_to_pass_it(first_crawl, tmp_path):
    data_dir, _, _ = first_crawl
    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    moved = tmp_path / "elsewhere"
    (copy / "warc").rename(moved)
    result = run_cli("reparse", data_dir=copy)
    hints = [line for line in result.stderr.decode().splitlines() if "could not be reparsed" in line]
    assert result.returncode == 1 and len(hints) == 1, result.stderr.decode()
    assert f"in none of the folders read ({copy / 'warc'})" in hints[0], hints[0]
    assert hints[0].endswith("pass the folder that holds them with --warc-dir"), hints[0]
    assert "worker" not in hints[0], hints[0]
    found = run_cli("reparse", "--warc-dir", str(moved), data_dir=copy)
    assert found.returncode == 0 and "could not be reparsed" not in found.stderr.decode(), (
        found.stderr.decode()
    )


def test_reparse_leaves_imported_articles_alone_and_does_not_call_them_failed(first_crawl, tmp_path):
    data_dir, _, _ = first_crawl
    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    line = json.dumps({"url": "https://www.example.cn/imported.html", "title": "组织工作", "body": "党建"})
    assert run_cli("import", "-", data_dir=copy, input=line.encode()).returncode == 0
    result = run_cli("reparse", data_dir=copy)
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()
    assert " 0 failed, 1 never fetched (imported" in out and "imported.html" not in out, out


def replay_notices(arc: Archive) -> dict[int, tuple[int | None, int]]:
    """Article id -> (persons announced, persons read) of each appointment notice archived."""
    rows = arc.conn.execute("SELECT article_id, announced, parsed FROM appointment_notices").fetchall()
    return {article_id: (announced, parsed) for article_id, announced, parsed in rows}


def test_the_crawl_reads_every_appointment_notice_it_stores(first_crawl):
    data_dir, _, _ = first_crawl
    with open_archive(data_dir) as arc:
        # Found by content, whatever the replay calls its files: every archived 任前公示 article.
        notice_ids = {
            row[0]
            for row in arc.conn.execute("SELECT id FROM articles WHERE title LIKE '%任前公示%'").fetchall()
        }
        read = replay_notices(arc)
    assert notice_ids and set(read) == notice_ids
    assert all(announced == parsed and parsed > 0 for announced, parsed in read.values()), read


def test_notices_of_two_issuers_are_two_stories_and_a_reposted_notice_is_one(first_crawl):
    data_dir, _, _ = first_crawl
    with open_archive(data_dir) as arc:
        rows = arc.conn.execute(
            "SELECT n.id, n.issuer, a.story_id, a.site, p.name, p.birth, p.proposed_post "
            "FROM appointment_notices n JOIN articles a ON a.id = n.article_id "
            "JOIN appointment_persons p ON p.notice_id = n.id ORDER BY n.id, p.position"
        ).fetchall()
    notices: dict[int, tuple[str, int, str, list[tuple[str, str, str]]]] = {}
    for notice_id, issuer, story_id, site, *person in rows:
        notices.setdefault(notice_id, (issuer, story_id, site, []))[3].append(tuple(person))
    issuers_of_story: dict[int, set[str]] = {}
    copies: dict[tuple, list[tuple[int, str]]] = {}
    for issuer, story_id, site, persons in notices.values():
        issuers_of_story.setdefault(story_id, set()).add(issuer)
        copies.setdefault((issuer, tuple(persons)), []).append((story_id, site))
    # Notices of different issuers name different persons: never one story, however alike their wording.
    assert all(len(issuers) == 1 for issuers in issuers_of_story.values()), issuers_of_story
    # One notice (same issuer, same persons) on two sites is one story.
    reposted = [found for found in copies.values() if len({site for _, site in found}) > 1]
    assert reposted, "the replay reposts a notice on another site"
    # Each notice is one story of its own, also beside another of its issuer worded alike.
    stories = {notice: {story for story, _ in found} for notice, found in copies.items()}
    assert all(len(found) == 1 for found in stories.values()), stories
    assert len(set().union(*stories.values())) == len(stories), stories
    assert len({issuer for issuer, _ in copies}) < len(copies), "an issuer with two notices"


NOTICE_FIELDS = "title issuer published_at window_start window_end window_computed phone address postcode announced parsed attachment_only warnings"
PERSON_FIELDS = (
    "name sex ethnicity birth age native_place education degree party party_joined work_started "
    "current_post step proposed_post probation warnings"
)


def stored_notices(arc: Archive) -> dict[str, list[dict]]:
    """Article URL -> its appointment notices as stored, each with its persons in order."""
    arc.conn.row_factory = sqlite3.Row
    notices: dict[str, list[dict]] = {}
    for row in arc.conn.execute(
        f"SELECT a.url, n.id, {', '.join('n.' + f for f in NOTICE_FIELDS.split())} "
        "FROM appointment_notices n JOIN articles a ON a.id = n.article_id ORDER BY n.article_id, n.position"
    ):
        persons = arc.conn.execute(
            f"SELECT {', '.join(PERSON_FIELDS.split())} FROM appointment_persons WHERE notice_id = ? ORDER BY position",
            (row["id"],),
        ).fetchall()
        notice = {field: row[field] for field in NOTICE_FIELDS.split()}
        notice["persons"] = [dict(person) for person in persons]
        notices.setdefault(row["url"], []).append(notice)
    return notices


def test_notice_pages_as_sites_serve_them_are_read_field_by_field(first_crawl):
    """The replay serves its notices amid their site's chrome (tens of KB: navigation, a column of
    other notices' titles and a brief naming a person, 上一篇 / 下一篇, a footer with the site's own
    phone numbers and address): every notice stored is the one the page announces, field by field,
    and nothing is read from the chrome."""
    from crawler.replay import SITE_DIR, saved_path
    from crawler.replay.chrome import CHROME_NAMES

    data_dir, _, _ = first_crawl
    truth = {url: article for url, article in REPLAY_MANIFEST.items() if "notice" in article}
    assert {article["site"] for article in truth.values()} == {"people", "jiangsu"}
    for url in truth:
        page = (SITE_DIR / str(saved_path(url))).read_bytes()
        # The page as served holds the chrome the notice must be told apart from.
        assert len(page) > 20_000, (url, len(page))
        assert all(name.encode() in page for name in CHROME_NAMES[truth[url]["site"]]), url
        assert (
            "任前公示的公告".encode() in page and "举报电话：0".encode() in page and "邮编".encode() in page
        )
    with open_archive(data_dir) as arc:
        stored = stored_notices(arc)
    assert set(stored) == set(truth), "one record per notice page, none from another page"
    for url, article in truth.items():
        want = article["notice"]
        [notice] = stored[url]
        assert {field: notice[field] for field in NOTICE_FIELDS.split()} == {
            "title": article["title"],
            "issuer": want["issuer"],
            "published_at": article["published_at"],
            "window_start": want["window_start"],
            "window_end": want["window_end"],
            "window_computed": 1,
            "phone": want["phone"],
            "address": None,
            "postcode": None,
            "announced": want["announced"],
            "parsed": want["announced"],
            "attachment_only": 0,
            "warnings": "[]",
        }, url
        empty = {
            "age": None,
            "native_place": None,
            "degree": None,
            "party_joined": None,
            "work_started": None,
        }
        expected = [{**empty, **person, "probation": 0, "warnings": "[]"} for person in want["persons"]]
        assert notice["persons"] == expected, url
    names = {person["name"] for notices in stored.values() for n in notices for person in n["persons"]}
    assert not names & (CHROME_NAMES["people"] | CHROME_NAMES["jiangsu"])


def test_reparse_reads_the_notices_again(first_crawl, tmp_path):
    data_dir, _, _ = first_crawl
    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    with open_archive(copy) as arc:
        before = replay_notices(arc)
        for article_id in before:
            arc.save_appointment_notices(article_id, [])
        assert replay_notices(arc) == {}
    result = run_cli("reparse", data_dir=copy)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    with open_archive(copy) as arc:
        assert replay_notices(arc) == before


def test_runs_json_lists_each_site_with_counts_and_coverage(first_crawl, profiles):
    data_dir, _, _ = first_crawl
    result = run_cli("runs", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr.decode()
    runs = json.loads(result.stdout)
    assert {run["site"] for run in runs} == set(profiles)
    for run in runs:
        for key in (
            "started_at",
            "finished_at",
            "pages_fetched",
            "articles_new",
            "articles_updated",
            "articles_unchanged",
            "articles_failed",
            "fetches_blocked",
            "field_coverage",
        ):
            assert key in run, key
        assert run["pages_fetched"] > 0
        assert run["field_coverage"]["title"] > 0.5
        # A profile value taken on trust is said once per run, naming its list.
        notes = [a for a in run["alerts"] if "not confirmed against the live site" in a]
        assert len(notes) == len(profiles[run["site"]].unverified), run["site"]
        assert all(note.startswith(f"{run['site']}: not confirmed") and "lists[" in note for note in notes)
    logs = "".join(path.read_text(encoding="utf-8") for path in (data_dir / "logs").glob("*.log"))
    assert logs.count("WARNING: dangjian: not confirmed against the live site: lists[0]") == 1


def test_second_crawl_waits_for_the_lock(server, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom crawler.lock import CrawlLock\n"
            "lock = CrawlLock(sys.argv[1]).acquire()\nprint('held', flush=True)\ntime.sleep(600)",
            str(data_dir / "crawl.lock"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = crawl(data_dir, server)
    finally:
        holder.kill()
        holder.wait()
    # The holder outlives the crawl whatever the machine's load (it is killed above, not timed out).
    assert result.returncode == 3, result.stderr.decode()[-3000:]
    errors = [
        line for line in result.stderr.decode().splitlines() if line.startswith("Error: another crawl holds")
    ]
    assert len(errors) == 1 and f"pid {holder.pid}" in errors[0], result.stderr.decode()[-3000:]


def first_list_details(server, profiles) -> set[str]:
    """Article URLs linked from the first page of every profile's lists, as ``server`` serves them."""
    from crawler.lists import parse_list, start_requests
    from crawler.replay import REPLAY_TODAY, saved_path

    linked = set()
    for profile in profiles.values():
        for spec in start_requests(profile, today=REPLAY_TODAY):
            content, _, _ = server.find(saved_path(spec.url, spec.method, spec.body))
            details, _ = parse_list(profile, spec, content, {})
            linked |= {d.meta.get("article_url", d.url) for d in details}
    return linked


def test_refresh_days_rechecks_recent_articles_with_conditional_requests(first_crawl, profiles, tmp_path):
    from datetime import UTC, datetime, timedelta

    from crawler.lists import detail_request
    from crawler.replay import SNAPSHOT_DIRS, saved_path
    from crawler.replay.server import ReplayServer

    data_dir, _, _ = first_crawl
    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    with open_archive(copy) as arc:
        states = {url: arc.article_state(url) for url in arc.known_article_urls()}
        # Where each article is fetched from: the page itself, or the JSON record behind it.
        address = {
            detail_request(profile, url).url: url
            for profile in profiles.values()
            for url in arc.known_article_urls(profile.name)
        }
    # The article snapshot 2 edits; the window is set to open a day before it was published.
    (edited,) = [url for url in states if (SNAPSHOT_DIRS[2] / saved_path(url)).is_file()]
    published = {url: datetime.fromisoformat(st["published_at"]) for url, st in states.items()}
    now = datetime.now(UTC)
    days = (now - published[edited]).days + 2
    opens = now - timedelta(days=days)
    # Ages within an hour of the window's edge could fall either side while the crawl starts.
    recent = {url for url, when in published.items() if when > opens + timedelta(hours=1)}
    old = {url for url, when in published.items() if when < opens - timedelta(hours=1)}
    with ReplayServer(snapshot=2) as changed:
        result = crawl(copy, changed, "--refresh-days", str(days))
        linked = first_list_details(changed, profiles)
        log = served(changed)
    assert result.returncode == 0, result.stdout.decode()
    fetched = {address[url]: status for _, url, status in log if url in address}
    # Long-published articles are not asked for again, even when the first list pages show them.
    assert linked & old, "the lists walked must show articles older than the window"
    assert not fetched.keys() & old
    # Recently published ones are, conditionally: unchanged answers 304, the edited one 200.
    assert edited in recent and linked & recent - {edited}
    assert linked & recent <= fetched.keys()
    # An article at the window's edge may or may not be asked for; either way it is left out here.
    edge = set(published) - recent - old
    assert {url: status for url, status in fetched.items() if url in linked - edge} == {
        url: 200 if url == edited else 304 for url in linked & recent
    }
    with open_archive(copy) as arc:
        after = {url: arc.article_state(url)["content_hash"] for url in states}
        runs = arc.runs(limit=len(profiles))
    assert {url for url in states if after[url] != states[url]["content_hash"]} == {edited}
    assert sum(run["articles_updated"] for run in runs) == 1
    assert sum(run["not_modified"] for run in runs) == len({u for u, s in fetched.items() if s == 304})


def test_max_pages_and_since_limit_the_walk(profiles, tmp_path):
    from crawler.incremental import day_from_url
    from crawler.lists import start_requests
    from crawler.replay.server import ReplayServer

    data_dir = tmp_path / "data"
    # A server of its own, so that its log holds this crawl's requests and nothing else.
    with ReplayServer(snapshot=1) as own:
        result = crawl(
            data_dir,
            own,
            "--max-pages",
            "1",
            "--since",
            "2026-11-15",
            "--contact",
            "archive-desk@example.org",
        )
        log = served(own)
    assert result.returncode == 0, result.stdout.decode()
    warc = sorted((data_dir / "warc").glob("12371-*.warc.gz"))[0]
    with open(warc, "rb") as fh:
        agents = {
            r.http_headers.get_header("User-Agent") for r in ArchiveIterator(fh) if r.rec_type == "request"
        }
    assert agents == {"orgnews/0.1.0 (news archive crawler; contact: archive-desk@example.org)"}
    first_pages = {spec.url for p in profiles.values() for spec in start_requests(p)}
    further_lists = [
        url for _, url, _ in log if url not in first_pages and any(p.is_list(url) for p in profiles.values())
    ]
    assert not further_lists
    with open_archive(data_dir) as arc:
        known = arc.known_article_urls()
    assert known
    days = [day_from_url(url) for url in known]
    assert all(day is None or day.isoformat() >= "2026-11-15" for day in days)
    assert any(day is not None for day in days)
    # 中国组织人事报's addresses carry no date; its lists print one, and that is what --since reads.
    with open_archive(data_dir) as arc:
        published = [arc.article_state(url)["published_at"] for url in arc.known_article_urls("zuzhirenshi")]
    assert published and all(when >= "2026-11-15" for when in published)
    # The e-paper is walked in the replay's month only (--since's); its issues dated before --since are not read.
    epaper = epaper_articles()
    newer = {url for url, day in epaper.items() if day >= "2026-11-15"}
    assert newer and newer != set(epaper) and set(known) & set(epaper) == newer

    assert len(published) < len([a for a in REPLAY_MANIFEST.values() if a["site"] == "zuzhirenshi"])


def test_demo_runs_twice_and_the_second_run_fetches_no_article(tmp_path):
    data_dir = tmp_path / "data"
    first = run_cli("demo", data_dir=data_dir)
    assert first.returncode == 0, first.stdout.decode() + first.stderr.decode()
    out = first.stdout.decode()
    assert "run summary" in out and "search:" in out
    # The demo ends with the export command for its archive, and that command works.
    command = out.strip().splitlines()[-1].split()
    assert command[:2] == ["orgnews", "export"]
    release = tmp_path / "release"
    exported = run_cli(*command[1:], "--out", str(release), "--format", "csv")
    assert exported.returncode == 0, exported.stderr.decode()
    assert (release / "SHA256SUMS").is_file()
    assert " ".join(REPLAY_TROUBLE.split()) in " ".join(out.split())
    # What that note says about the replay is what the crawl recorded.
    with sqlite3.connect(data_dir / "archive.db") as conn:
        trouble = set(
            conn.execute("SELECT site, status, outcome FROM fetches WHERE outcome IN ('error', 'blocked')")
        )
        partial = {site for (site,) in conn.execute("SELECT site FROM runs WHERE status = 'partial'")}
    assert trouble == {
        ("jiangsu", 412, "blocked"),
        ("jiangsu", 200, "blocked"),
        ("beijing", 521, "blocked"),
        ("gov", 404, "error"),
    }
    assert partial == {"jiangsu", "beijing"}
    second = run_cli("demo", data_dir=data_dir)
    assert second.returncode == 0, second.stdout.decode()
    with open_archive(data_dir) as arc:
        runs = arc.runs(limit=100)
    sites = {run["site"] for run in runs}
    latest = {site: next(run for run in runs if run["site"] == site) for site in sites}
    assert all(run["articles_new"] == 0 and run["articles_unchanged"] == 0 for run in latest.values())
    assert sum(run["articles_new"] for run in runs) == len(arc_urls(data_dir))


def arc_urls(data_dir: Path) -> set[str]:
    with open_archive(data_dir) as arc:
        return arc.known_article_urls()


def test_scrapy_crawl_news_runs_the_same_spider(server, tmp_path):
    data_dir = tmp_path / "data"
    env = {**os.environ, "ORGNEWS_REPLAY_URL": server.base_url, "ORGNEWS_DATA_DIR": str(data_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a", "site=12371"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    with open_archive(data_dir) as arc:
        (run,) = arc.runs()
        assert arc.known_article_urls("12371")
    assert run["site"] == "12371" and run["status"] == "completed" and run["articles_new"] >= 10


def test_refresh_since_picks_up_the_snapshot_2_edit_whatever_the_date(first_crawl, profiles, tmp_path):
    # The README's replay example: the replay's dates are fixed, so a window counted back from
    # today (--refresh-days) stops reaching them; one opening on a date does not.
    from crawler.replay import SNAPSHOT_DIRS, saved_path
    from crawler.replay.server import ReplayServer

    data_dir, _, _ = first_crawl
    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    with open_archive(copy) as arc:
        before = {url: arc.article_state(url)["content_hash"] for url in arc.known_article_urls()}
    (edited,) = [url for url in before if (SNAPSHOT_DIRS[2] / saved_path(url)).is_file()]
    with ReplayServer(snapshot=2) as changed:
        result = crawl(copy, changed, "--refresh-since", "2026-11-01")
    assert result.returncode == 0, result.stdout.decode()
    with open_archive(copy) as arc:
        after = {url: arc.article_state(url)["content_hash"] for url in before}
        runs = arc.runs(limit=len(profiles))
    assert {url for url in before if after[url] != before[url]} == {edited}
    assert sum(run["articles_updated"] for run in runs) == 1
    # Re-checked articles answered 304 (no body): a reparse still reads each from its last full
    # response, also those fetched from a JSON record behind their page (zuzhirenshi).
    reparsed = run_cli("reparse", data_dir=copy)
    out = reparsed.stdout.decode()
    assert reparsed.returncode == 0 and " 0 changed" in out and " 0 failed" in out, out
