"""``orgnews sites --check`` through the real CLI, against the replay and a replay whose lists moved."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.profiles import load_profiles
from crawler.replay import SITE_DIR, saved_path
from crawler.replay.server import ReplayServer
from tests.conftest import run_cli

GOV_LIST = "https://www.gov.cn/yaowen/liebiao/YAOWENLIEBIAO.json"
BEIJING_LIST = "https://www.bjdj.gov.cn/news/tztg/index.html"


def check(server: ReplayServer, *args: str) -> tuple[int, list[dict], str]:
    result = run_cli("sites", "--check", "--json", *args, env={"ORGNEWS_REPLAY_URL": server.base_url})
    return result.returncode, json.loads(result.stdout or b"[]"), result.stderr.decode()


@pytest.fixture(scope="module")
def replay() -> Iterator[ReplayServer]:
    with ReplayServer() as server:
        yield server


@pytest.fixture(scope="module")
def changed_replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplayServer]:
    """The replay after three changes: gov's list moved, beijing's list changed its layout,
    and the first article on people's first list answers with a 瑞数 challenge."""
    site = tmp_path_factory.mktemp("changed") / "site"
    shutil.copytree(SITE_DIR, site)
    moved = site / saved_path(GOV_LIST)
    moved.rename(moved.with_name("YAOWENLIEBIAO_2027.json"))
    listing = site / saved_path(BEIJING_LIST)
    listing.write_bytes(listing.read_bytes().replace(b'class="newsList"', b'class="news-list-2027"'))
    first = "http://dangjian.people.com.cn/n1/2026/1120/c117092-40600000.html"
    challenge = SITE_DIR / saved_path("https://www.zgjssw.gov.cn/yaowen/202611/t20261115_8123405.shtml")
    (site / saved_path(first)).write_bytes(challenge.read_bytes())
    with ReplayServer(site_dir=site) as server:
        yield server


def test_every_profile_passes_against_the_replay(replay: ReplayServer) -> None:
    status, results, stderr = check(replay)
    assert status == 0, stderr
    profiles = load_profiles()
    assert [r["site"] for r in results] == sorted(profiles)
    for result in results:
        site = result["site"]
        assert result["verdict"] == "ok", (site, result["problems"])
        assert result["lists_reachable"] == len(result["lists"]) == len(profiles[site].lists)
        assert all(item["status"] == 200 and item["detail_urls"] > 0 for item in result["lists"])
        assert result["articles"] == result["details_tried"] == 3
        filled = result["fields_filled"]
        assert filled["title"] == filled["body"] == filled["published_at"] == 3, site
        assert result["unverified"] == profiles[site].unverified


def test_a_moved_or_changed_list_names_the_site_and_the_reason(changed_replay: ReplayServer) -> None:
    status, results, _ = check(changed_replay, "gov", "beijing", "people")
    assert status == 1
    by_site = {r["site"]: r for r in results}
    gov, beijing, people = by_site["gov"], by_site["beijing"], by_site["people"]
    assert gov["verdict"] == "broken" and gov["articles"] == 0 and gov["lists_reachable"] == 0
    assert gov["problems"] == [f"lists[0] {GOV_LIST} answered HTTP 404 (has the list moved?)"]
    assert beijing["verdict"] == "broken" and beijing["lists"][0]["status"] == 200
    [problem] = beijing["problems"]
    assert problem.startswith(f"lists[0] {BEIJING_LIST} answered, but no link") and "layout" in problem
    # A challenge is met and named; the site still gives articles from its other pages.
    assert people["verdict"] == "partial" and people["articles"] == 2
    [challenge] = people["challenges"]
    assert challenge.startswith("http://dangjian.people.com.cn/n1/2026/1120/") and "瑞数" in challenge


def test_the_table_names_the_broken_site_and_the_unconfirmed_values(changed_replay: ReplayServer) -> None:
    result = run_cli(
        "sites", "--check", "gov", "dangjian", env={"ORGNEWS_REPLAY_URL": changed_replay.base_url}
    )
    out = result.stdout.decode()
    assert result.returncode == 1
    assert "broken" in out and f"gov: lists[0] {GOV_LIST} answered HTTP 404" in out
    assert "dangjian: not confirmed against the live site: lists[0]" in out and "subjectId" in out


def test_an_unknown_site_is_a_usage_error() -> None:
    result = run_cli("sites", "--check", "nosuch")
    assert result.returncode == 2 and "nosuch" in result.stderr.decode()


def test_robots_txt_is_obeyed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE_DIR, site)
    robots = site / "www.gov.cn" / "robots.txt"
    robots.write_text(robots.read_text("utf-8") + "Disallow: /yaowen/\n", "utf-8")
    with ReplayServer(site_dir=site) as server:
        status, [gov], _ = check(server, "gov")
        requested = {url for _, url, _ in server.request_log}
    assert status == 1 and gov["problems"] == [f"lists[0] {GOV_LIST} forbidden by robots.txt"]
    assert GOV_LIST not in requested


def test_the_fetcher_names_the_archive_and_waits_as_the_profiles_say() -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    from crawler.check import PoliteFetcher, host_delays
    from crawler.lists import RequestSpec

    agents: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            agents.append(self.headers["User-Agent"])
            self.send_response(404 if self.path == "/robots.txt" else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        fetcher = PoliteFetcher("orgnews/test (contact: desk@example.org)", {})
        answer = fetcher.fetch(RequestSpec(f"http://127.0.0.1:{httpd.server_address[1]}/list.html"))
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert (answer.status, answer.body) == (200, b"ok")
    assert agents == ["orgnews/test (contact: desk@example.org)"] * 2  # robots.txt, then the page
    delays = host_delays(load_profiles().values(), 1.5)
    assert delays["www.12371.cn"] == 2.0 and min(delays.values()) >= 1.5


def test_a_crawl_names_each_start_list_that_gave_nothing(
    changed_replay: ReplayServer, data_dir: Path
) -> None:
    env = {"ORGNEWS_REPLAY_URL": changed_replay.base_url}
    result = run_cli("crawl", "gov", "beijing", data_dir=data_dir, env=env)
    out = result.stdout.decode()
    # gov's one list is gone: nothing could be fetched, so the run is incomplete.
    assert result.returncode == 1, out
    assert f"WARNING: gov: the list {GOV_LIST} answered HTTP 404 (has the list moved?)" in out.replace(
        "\n", " "
    )
    runs = json.loads(run_cli("runs", "--json", data_dir=data_dir).stdout)
    alerts = {run["site"]: [a for a in run["alerts"] if ": the list " in a] for run in runs}
    assert alerts["gov"] == [
        f"gov: the list {GOV_LIST} answered HTTP 404 (has the list moved?); "
        "see `orgnews sites --check gov` and the site's profile"
    ]
    [beijing] = alerts["beijing"]
    assert beijing.startswith(f"beijing: the list {BEIJING_LIST} answered, but no link on it matches")
