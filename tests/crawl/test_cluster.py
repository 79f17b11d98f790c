"""The crawl cluster end to end: real redis-server, real replay server, real CLI processes."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archive import Archive
from crawler.replay.server import ReplayServer
from tests.conftest import ROOT, run_cli
from tests.redisserver import RedisServer

pytestmark = pytest.mark.slow

# Sites with two hosts, multi-page articles, a JSON API and bot challenges.
SITES = ("12371", "people", "zuzhirenshi", "jiangsu")
# Seconds between two requests to one host, shared by every worker (the replay's politeness).
HOST_DELAY = 0.25
# How much later than its slot a loaded machine may send a request (event loop and thread delays).
SEND_JITTER = 0.5
# Seconds a dead worker's leases stay before the others take its requests back.
LEASE_SECONDS = 2
# The site whose article snapshot 2 edits, and one it leaves alone.
REFRESH_SITES = ("12371", "gov")
REFRESH_SINCE = "2026-11-01"
# Seconds between two requests to a host for the worker that is stopped: its requests wait their turn.
SLOW_HOST_DELAY = 1.0


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
def replay():
    with ReplayServer(snapshot=1) as server:
        yield server


def _client(url: str):
    import redis

    return redis.Redis.from_url(url)


def start(
    *args: str, data_dir: Path, replay_url: str, log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen:
    full_env = {
        **os.environ,
        "ORGNEWS_DATA_DIR": str(data_dir),
        "ORGNEWS_REPLAY_URL": replay_url,
        "ORGNEWS_REPLAY_DELAY": str(HOST_DELAY),
        "PYTHONIOENCODING": "utf-8",
        **(env or {}),
    }
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, env=full_env, stdout=out, stderr=out
        )


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def articles(data_dir: Path) -> dict[str, str]:
    with Archive.open(data_dir / "archive.db") as arc:
        return {url: arc.article_state(url)["content_hash"] for url in arc.known_article_urls()}


def test_three_workers_and_one_ingest_match_a_one_machine_crawl(redis_server, replay, tmp_path):
    reference = tmp_path / "one-machine"
    result = run_cli("crawl", *SITES, data_dir=reference, env={"ORGNEWS_REPLAY_URL": replay.base_url})
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    expected = articles(reference)

    url = f"{redis_server.url}/1"
    redis = _client(url)
    redis.flushdb()
    logs = tmp_path / "logs"
    logs.mkdir()
    first_request = len(replay.request_times)
    worker_args = ("crawl", *SITES, "--redis", url, "--lease-seconds", str(LEASE_SECONDS))

    def worker(n: int) -> subprocess.Popen:
        return start(
            *worker_args,
            "--worker",
            f"w{n}",
            data_dir=tmp_path / f"w{n}",
            replay_url=replay.base_url,
            log=logs / f"w{n}.log",
        )

    def ingest() -> subprocess.Popen:
        return start(
            "ingest",
            "--redis",
            url,
            "--batch",
            "5",
            data_dir=tmp_path / "archive",
            replay_url=replay.base_url,
            log=logs / "ingest.log",
        )

    workers = {n: worker(n) for n in (1, 2, 3)}
    writer = ingest()
    try:

        def pages_fetched() -> int:
            return sum(
                int(redis.hget(f"orgnews:{site.decode()}:progress", "pages_fetched") or 0)
                for site in redis.smembers("orgnews:sites")
            )

        wait_for(lambda: pages_fetched() >= 15, 90, "the workers to fetch some pages")
        workers[1].send_signal(signal.SIGKILL)
        workers[1].wait()
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        workers[1] = worker(1)
        writer = ingest()
        for n, process in workers.items():
            assert process.wait(timeout=150) == 0, (logs / f"w{n}.log").read_text()
        assert writer.wait(timeout=60) == 0, (logs / "ingest.log").read_text()
    finally:
        for process in (*workers.values(), writer):
            if process.poll() is None:
                process.kill()

    got = articles(tmp_path / "archive")
    assert got == expected, (
        f"missing {sorted(expected.keys() - got.keys())[:3]}, extra {sorted(got.keys() - expected.keys())[:3]}"
    )
    assert not any((tmp_path / f"w{n}" / "archive.db").exists() for n in (1, 2, 3)), (
        "a worker opened archive.db"
    )

    # Politeness is per host across all workers: k requests to one host span at least k delays,
    # give or take how late a busy machine sends a request once its slot is taken (SEND_JITTER).
    # Without the shared slot the three workers' requests to a host would come all at once.
    times: dict[str, list[float]] = defaultdict(list)
    for at, served in replay.request_times[first_request:]:
        times[urlsplit(served).hostname].append(at)
    assert len(times) >= 5
    for host, arrivals in times.items():
        arrivals.sort()
        for i, j in itertools.combinations(range(len(arrivals)), 2):
            span = arrivals[j] - arrivals[i]
            assert span >= (j - i) * HOST_DELAY - SEND_JITTER, (host, j - i, round(span, 3))

    status = run_cli("status", "--redis", url, "--json")
    assert status.returncode == 0, status.stderr.decode()
    found = json.loads(status.stdout)
    assert found["workers_alive"] == 0 and found["leased"] == 0 and found["waiting_for_ingest"] == 0
    assert {w["state"] for w in found["workers"]} <= {"finished", "dead"}
    assert all(site["state"] == "done" for site in found["sites"])

    # Each worker kept its WARC files, named by worker; reparse reads them from all the folders.
    warc_dirs = [tmp_path / f"w{n}" / "warc" for n in (1, 2, 3)]
    assert all(
        name.name.startswith(f"w{n}-")
        for n, d in zip((1, 2, 3), warc_dirs, strict=True)
        for name in d.glob("*.warc.gz")
    )
    # Without the workers' folders, or without the last one whose files hold articles, reparse says
    # which folders it lacks, in one line. (Which worker fetched the articles varies from run to run.)
    stored = len(got)
    with sqlite3.connect(tmp_path / "archive" / "archive.db") as conn:
        # Each article is read from its latest fetch (two workers may both have fetched it).
        files = conn.execute(
            "SELECT DISTINCT warc_file FROM fetches WHERE id IN "
            "(SELECT max(f.id) FROM fetches f JOIN articles a ON a.url = f.url "
            "WHERE f.outcome = 'article' GROUP BY f.url)"
        ).fetchall()
    writers = sorted({name.split("-")[0] for (name,) in files if name})
    others = [d for d in warc_dirs if d.parent.name != writers[-1]]
    for given, lacking in (([], writers), (others, writers[-1:])):
        args = [arg for d in given for arg in ("--warc-dir", str(d))]
        partial = run_cli("reparse", *args, data_dir=tmp_path / "archive")
        hints = [line for line in partial.stderr.decode().splitlines() if "could not be reparsed" in line]
        assert partial.returncode == 1 and len(hints) == 1, partial.stderr.decode()
        # The articles read from a JSON API behind their page have no WARC file of their own to name.
        not_found = int(hints[0].split(" article(s)")[0])
        assert 0 < not_found <= stored, hints[0]
        assert f"worker(s) {', '.join(lacking)} wrote them" in hints[0], hints[0]
        assert all(f"--warc-dir <DATA_DIR of {name}>/warc" in hints[0] for name in lacking), hints[0]
    args = [arg for d in warc_dirs for arg in ("--warc-dir", str(d))]
    reparsed = run_cli("reparse", *args, data_dir=tmp_path / "archive")
    out = reparsed.stdout.decode()
    assert reparsed.returncode == 0 and " 0 changed" in out and " 0 failed" in out, (
        out + reparsed.stderr.decode()
    )


def test_a_lost_redis_stops_worker_and_ingest_with_a_clear_error(replay, tmp_path):
    with RedisServer(tmp_path / "redis") as server:
        url = f"{server.url}/0"
        logs = tmp_path / "logs"
        logs.mkdir()
        worker = start(
            "crawl",
            "--all",
            "--redis",
            url,
            data_dir=tmp_path / "w",
            replay_url=replay.base_url,
            log=logs / "worker.log",
        )
        ingest = start(
            "ingest",
            "--redis",
            url,
            "--follow",
            data_dir=tmp_path / "archive",
            replay_url=replay.base_url,
            log=logs / "ingest.log",
        )
        redis = _client(url)
        wait_for(
            lambda: int(redis.hget("orgnews:12371:progress", "pages_fetched") or 0) >= 2, 60, "a few pages"
        )
        server.stop()
    try:
        assert worker.wait(timeout=90) == 4
        assert ingest.wait(timeout=90) == 4
    finally:
        for process in (worker, ingest):
            if process.poll() is None:
                process.kill()
    for name in ("worker.log", "ingest.log"):
        text = (logs / name).read_text()
        assert "lost the connection to Redis at redis://127.0.0.1" in text, text[-2000:]
        assert "Traceback" not in text, text[-3000:]
    # Nothing at all there: one line for a worker, and the status says so too.
    for args in (("crawl", "12371", "--refresh-days", "3"), ("status",)):
        result = run_cli(*args, "--redis", url)
        # "Error:" as every other command says it.
        errors = [line for line in result.stderr.decode().splitlines() if line.startswith("Error:")]
        assert result.returncode == 4 and "Traceback" not in result.stderr.decode()
        assert len(errors) == 1 and "cannot reach Redis" in errors[0]


def test_a_dead_workers_requests_go_back_and_the_round_waits_for_every_lease(redis_server):
    from crawler.cluster import keys, rounds
    from crawler.cluster.scheduler import return_dead_leases, take_request

    redis = _client(f"{redis_server.url}/2")
    redis.flushdb()
    opened = rounds.join(redis, "s", "alive#0")
    assert opened.seeder and rounds.join(redis, "s", "other#0").seeder is False
    assert rounds.finish(redis, "s") == "seeding", "an unseeded round is not over"
    assert rounds.seed(redis, "s", "alive", opened.id, [(0, b"list page"), (-10, b"detail page")]) is False
    assert rounds.seed(redis, "s", "alive#0", opened.id, [(0, b"list page"), (-10, b"detail page")])
    redis.set(keys.alive("alive"), "1")
    # A worker takes the first request and dies (its key never existed or expired).
    assert take_request(redis, "s", "dead#1") == b"detail page"
    assert take_request(redis, "s", "alive#1") == b"list page"
    assert take_request(redis, "s", "alive#2") is None
    redis.hdel(keys.leases("s"), "alive#1")
    assert rounds.finish(redis, "s") == "busy", "a leased request keeps the round open"
    assert return_dead_leases(redis, "s") == 1
    assert redis.hlen(keys.leases("s")) == 0
    assert take_request(redis, "s", "alive#3") == b"detail page"
    assert rounds.finish(redis, "s") == "busy"
    redis.hdel(keys.leases("s"), "alive#3")
    assert rounds.finish(redis, "s") == "done"
    # The next round starts afresh; the previous one ended complete, so no full walk.
    redis.sadd(keys.seen("s"), "fingerprint")
    again = rounds.join(redis, "s", "alive#4")
    assert again.seeder and again.id != opened.id and not again.full_walk
    assert not redis.exists(keys.seen("s"))


def test_ingest_applies_an_entry_once_even_when_it_is_read_again(redis_server, tmp_path):
    from archive.datadir import DataDir
    from crawler.cluster import keys, messages
    from crawler.cluster.ingest import Ingest
    from crawler.extract.article import Article
    from crawler.items import Fetch, PageResult
    from crawler.warc import WarcLocation

    url = f"{redis_server.url}/3"
    redis = _client(url)
    redis.flushdb()
    run = {"run": "s:1:w#0", "site": "gov", "worker": "w", "holder": "w#0", "options": {}}
    redis.xadd(
        keys.STREAM, messages.encode(messages.RUN_START, **run, title="示例站", hosts=["www.example.cn"])
    )
    for n in range(3):
        page = PageResult(
            "gov",
            "detail",
            [
                Fetch(
                    f"https://www.example.cn/a/{n}.html",
                    200,
                    "article",
                    warc=WarcLocation("w-gov-1.warc.gz", n, 10),
                )
            ],
            Article(
                url=f"https://www.example.cn/a/{n}.html",
                title=f"第{n}篇 组织工作会议召开",
                body="会议强调，" * 20,
            ),
        )
        redis.xadd(
            keys.STREAM, messages.encode(messages.PAGE, run=run["run"], page=messages.page_to_dict(page))
        )
    redis.xadd(keys.STREAM, {"kind": "page", "data": "{not json"})
    entries = redis.xrange(keys.STREAM)
    ingest = Ingest(url, DataDir(tmp_path / "data"))
    try:
        ingest.apply(entries)
        # Killed after the commit, before the acknowledgement: the same entries come again.
        ingest.apply(entries)
    finally:
        ingest.close()
    with Archive.open(tmp_path / "data" / "archive.db") as arc:
        assert len(arc.known_article_urls("gov")) == 3
        fetches = arc.conn.execute("SELECT count(*) FROM fetches").fetchone()[0]
        linked = arc.conn.execute("SELECT count(*) FROM articles WHERE fetch_id IS NOT NULL").fetchone()[0]
    assert fetches == 3 and linked == 3
    assert ingest.report.skipped == len(entries) and ingest.report.rejected == 1
    assert redis.xlen("orgnews:rejected") == 1 and redis.xlen(keys.STREAM) == 0
    # The stored URLs are known to the workers, with what a refresh of each needs.
    known = {
        url.decode(): messages.refresh_state(state) for url, state in redis.hgetall(keys.known("gov")).items()
    }
    # (These articles print no date: their age is when the archive first saw them.)
    assert len(known) == 3 and all(state["published_at"] for state in known.values())


def archive_contents(data_dir: Path) -> tuple[dict[str, str], list[tuple[str, str]], int]:
    """Articles (url -> content hash), earlier versions (url, content hash), articles updated."""
    with Archive.open(data_dir / "archive.db") as arc:
        articles = dict(arc.conn.execute("SELECT url, content_hash FROM articles"))
        versions = sorted(arc.conn.execute("SELECT url, content_hash FROM article_versions"))
        updated = sum(run["articles_updated"] for run in arc.runs(limit=100))
    return articles, versions, updated


def stop_a_worker_mid_round(redis, url: str, replay, tmp_path: Path) -> subprocess.Popen:
    """A worker alone on a slow host holds requests waiting for their turn; stopped with SIGTERM,
    it hands them back itself (nobody else runs, and its lease would last five minutes)."""
    stopped = start(
        "crawl",
        "12371",
        "--redis",
        url,
        "--worker",
        "stopped",
        "--lease-seconds",
        "300",
        data_dir=tmp_path / "stopped",
        replay_url=replay.base_url,
        log=tmp_path / "logs" / "stopped.log",
        env={"ORGNEWS_REPLAY_DELAY": str(SLOW_HOST_DELAY)},
    )
    try:
        wait_for(lambda: redis.hlen("orgnews:12371:leases") >= 5, 90, "the worker to lease requests")
        stopped.send_signal(signal.SIGTERM)
        assert stopped.wait(timeout=60) == 1, (tmp_path / "logs" / "stopped.log").read_text()
    finally:
        if stopped.poll() is None:
            stopped.kill()
    assert redis.hlen("orgnews:12371:leases") == 0
    assert redis.zcard("orgnews:12371:frontier") > 0
    log = next((tmp_path / "stopped" / "logs").glob("crawl-*.log")).read_text()
    handed = re.search(r"stopping; (\d+) leased request\(s\) not sent yet went back", log)
    assert handed and int(handed[1]) > 0, log[-3000:]
    return stopped


def test_a_standing_cluster_refreshes_like_one_machine_and_stops_cleanly(redis_server, tmp_path):
    """An ingest with --follow writes two rounds (snapshot 1, then snapshot 2 with --refresh-since),
    a worker stopped mid-round hands its requests back, and the ingest stops on SIGTERM: the
    archive holds the articles and versions of the same two crawls on one machine."""
    reference, archive, logs = tmp_path / "one-machine", tmp_path / "archive", tmp_path / "logs"
    logs.mkdir()
    url = f"{redis_server.url}/4"
    redis = _client(url)
    redis.flushdb()

    def cluster(*args: str, name: str, replay: ReplayServer, data_dir: Path) -> subprocess.Popen:
        return start(*args, data_dir=data_dir, replay_url=replay.base_url, log=logs / f"{name}.log")

    def workers(replay: ReplayServer, burst: int, *options: str) -> None:
        running = {
            f"b{burst}w{n}": cluster(
                "crawl",
                *REFRESH_SITES,
                "--redis",
                url,
                "--worker",
                f"b{burst}w{n}",
                *options,
                name=f"b{burst}w{n}",
                replay=replay,
                data_dir=tmp_path / f"w{n}",
            )
            for n in (1, 2)
        }
        for name, process in running.items():
            assert process.wait(timeout=120) == 0, (logs / f"{name}.log").read_text()

    def drained() -> bool:
        pending = redis.xpending("orgnews:pages", "ingest")
        return redis.xlen("orgnews:pages") == 0 and not pending.get("pending")

    processes: list[subprocess.Popen] = []
    try:
        with ReplayServer(snapshot=1) as first:
            # The one-machine crawl runs alongside the cluster's, into an archive of its own.
            one_machine = cluster(
                "crawl", *REFRESH_SITES, name="one-machine-1", replay=first, data_dir=reference
            )
            standing = cluster(
                "ingest",
                "--redis",
                url,
                "--follow",
                "--batch",
                "5",
                name="ingest",
                replay=first,
                data_dir=archive,
            )
            processes += [one_machine, standing]
            stop_a_worker_mid_round(redis, url, first, tmp_path)
            workers(first, 1)
            assert one_machine.wait(timeout=120) == 0, (logs / "one-machine-1.log").read_text()
            # The standing ingest writes the first round and publishes what it stored.
            wait_for(drained, 60, "the ingest to write the first round")
            assert standing.poll() is None, "--follow keeps the ingest running after a round"
        with ReplayServer(snapshot=2) as second:
            one_machine = cluster(
                "crawl",
                *REFRESH_SITES,
                "--refresh-since",
                REFRESH_SINCE,
                name="one-machine-2",
                replay=second,
                data_dir=reference,
            )
            processes.append(one_machine)
            workers(second, 2, "--refresh-since", REFRESH_SINCE)
            assert one_machine.wait(timeout=120) == 0, (logs / "one-machine-2.log").read_text()
            wait_for(drained, 60, "the ingest to write the second round")
            standing.send_signal(signal.SIGTERM)
            assert standing.wait(timeout=30) == 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    log = (logs / "ingest.log").read_text()
    assert "stopped (SIGTERM)" in log and "Traceback" not in log, log[-3000:]
    expected = archive_contents(reference)
    assert expected[2] == 1 and len(expected[1]) == 1, "snapshot 2 edits one article"
    assert archive_contents(archive) == expected
    # The workers asked conditionally, with the validators the ingest published: unchanged pages
    # answered 304.
    with Archive.open(archive / "archive.db") as arc:
        assert sum(run["not_modified"] for run in arc.runs(limit=100)) > 0
