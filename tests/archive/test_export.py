"""``orgnews export``: releases of a real crawl of the replay, opened with real clients.

The module crawls the replay once (snapshot 1), exports it, crawls snapshot 2 into a copy
(one article edited, one added) and exports that against the first release.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow

BEIJING = timezone(timedelta(hours=8))
LIST_COLUMNS = ("images", "attachments", "next_pages", "warnings")


def crawl(data_dir: Path, snapshot: int, *args: str) -> None:
    from crawler.replay.server import ReplayServer

    with ReplayServer(snapshot=snapshot) as server:
        done = run_cli(
            "crawl", "--all", *args, data_dir=data_dir, env={"ORGNEWS_REPLAY_URL": server.base_url}
        )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def export(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli("export", *args, data_dir=data_dir)


def exported(data_dir: Path, out: Path, *args: str) -> Path:
    done = export(data_dir, "--out", str(out), *args)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    return out


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    """Two crawls of the replay (snapshot 1, then 2 in a copy) and a release of each."""
    root = tmp_path_factory.mktemp("export")
    first, second = root / "first", root / "second"
    crawl(first, 1)
    shutil.copytree(first, second)
    # Re-check every archived article, so the one snapshot 2 edits is fetched again.
    crawl(second, 2, "--refresh-days", "36500")
    release_one = exported(first, root / "release-1")
    release_two = exported(second, root / "release-2", "--previous", str(release_one))
    return {"first": first, "second": second, "one": release_one, "two": release_two, "root": root}


def archive_articles(data_dir: Path) -> dict[int, dict]:
    conn = sqlite3.connect(data_dir / "archive.db")
    conn.row_factory = sqlite3.Row
    rows = {row["id"]: dict(row) for row in conn.execute("SELECT * FROM articles")}
    conn.close()
    return rows


def release_time(text: str | None) -> datetime | None:
    """A stored published_at as the release gives it: an aware time, midnight +08:00 for a bare day."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def test_parquet_matches_the_archive_row_by_row(crawls):
    import pandas as pd

    release = crawls["one"]
    stored = archive_articles(crawls["first"])
    parts = sorted((release / "data/articles").glob("*.parquet"))
    assert {p.name for p in parts} == {f"articles-{y}.parquet" for y in {r["year"] for r in stored.values()}}
    table = pq.read_table(parts)
    assert str(table.schema.field("published_at").type) == "timestamp[ms, tz=+08:00]"
    assert str(table.schema.field("images").type) == "list<element: string>"
    assert not {"title_pairs", "body_pairs", "fetch_id"} & set(table.schema.names)
    assert pq.ParquetFile(parts[0]).metadata.row_group(0).column(0).compression == "ZSTD"
    rows = {row["id"]: row for row in table.to_pylist()}
    assert rows.keys() == stored.keys()
    for article_id, row in stored.items():
        got = rows[article_id]
        for name in (
            "url",
            "site",
            "title",
            "source",
            "author",
            "editor",
            "body",
            "story_id",
            "content_hash",
        ):
            assert got[name] == row[name], (article_id, name)
        for name in LIST_COLUMNS:
            assert got[name] == json.loads(row[name]), (article_id, name)
        assert got["published_at"] == release_time(row["published_at"])
        assert got["published_time_known"] == (len(row["published_at"]) > 10)
        assert got["first_seen"] == datetime.fromisoformat(row["first_seen"])
    frame = pd.read_parquet(parts)
    assert frame["published_at"].dt.tz.utcoffset(None) == timedelta(hours=8)
    assert dict(zip(frame["id"], frame["title"], strict=True)) == {i: r["title"] for i, r in stored.items()}


def test_jsonl_and_csv_hold_the_same_rows(crawls):
    release = crawls["one"]
    stored = archive_articles(crawls["first"])
    from_json, from_csv = {}, {}
    for path in (release / "data/articles").glob("*.jsonl.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                from_json[row["id"]] = row
    for path in (release / "data/articles").glob("*.csv"):
        with open(path, encoding="utf-8", newline="") as handle:
            assert handle.read(1) != "\ufeff"
            handle.seek(0)
            for row in csv.DictReader(handle):
                from_csv[int(row["id"])] = row
    assert from_json.keys() == from_csv.keys() == stored.keys()
    for article_id, row in stored.items():
        for got in (from_json[article_id], from_csv[article_id]):
            assert got["title"] == row["title"] and got["body"] == row["body"]
            assert datetime.fromisoformat(got["published_at"]) == release_time(row["published_at"])
        assert from_json[article_id]["images"] == json.loads(row["images"])
        assert json.loads(from_csv[article_id]["attachments"]) == json.loads(row["attachments"])


def test_appointments_hold_every_person_of_the_archive_notices(crawls):
    from frictionless import Package

    conn = sqlite3.connect(crawls["first"] / "archive.db")
    conn.row_factory = sqlite3.Row
    stored = {
        (row["article_id"], row["notice"], row["position"]): dict(row)
        for row in conn.execute(
            "SELECT p.*, n.position AS notice, n.issuer, n.window_start, n.window_end, n.phone, n.address "
            "FROM appointment_persons p JOIN appointment_notices n ON n.id = p.notice_id"
        )
    }
    conn.close()
    assert len(stored) >= 2, "the replay holds appointment notices"
    release = crawls["one"]
    rows = pq.read_table(release / "data/appointments/appointments.parquet").to_pylist()
    got = {(row["article_id"], row["notice"], row["order"]): row for row in rows}
    assert len(got) == len(rows) and got.keys() == stored.keys()
    for key, row in stored.items():
        for name in ("issuer", "window_start", "window_end", "phone", "address", "name", "sex", "birth"):
            assert got[key][name] == row[name], (key, name)
        for name in ("native_place", "education", "party", "current_post", "step", "person_id"):
            assert got[key][name] == row[name], (key, name)
        posts = [proposal["post"] for proposal in json.loads(row["proposals"])]
        assert got[key]["proposed_posts"] == posts and got[key]["warnings"] == json.loads(row["warnings"])
    assert any(row["person_id"] is not None for row in rows)
    schema = Package(release / "datapackage.json").get_resource("appointments-parquet").schema
    assert schema.primary_key == ["article_id", "notice", "order"]
    card = (release / "README.md").read_text(encoding="utf-8")
    assert "### appointments" in card and "config_name: appointments" in card


def test_duckdb_reads_every_year_at_once(crawls):
    import duckdb

    stored = archive_articles(crawls["first"])
    pattern = str(crawls["one"] / "data/articles/*.parquet")
    ((count, first),) = duckdb.sql(f"SELECT count(*), min(published_at) FROM '{pattern}'").fetchall()
    assert count == len(stored)
    assert first == min(release_time(r["published_at"]) for r in stored.values() if r["published_at"])


def test_checksums_and_frictionless_validate(crawls):
    from frictionless import Package, validate

    release = crawls["one"]
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=release, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    listed = {line.split("  ", 1)[1] for line in (release / "SHA256SUMS").read_text().splitlines()}
    assert {"README.md", "datapackage.json", "data/sites.parquet", "data/runs.csv"} <= listed
    report = validate(release / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    assert package["$schema"].endswith("/2.0/datapackage.json")
    assert package["created"] and package["licenses"] and package["rights"] and package["sources"]
    articles = [r for r in package["resources"] if r["path"].startswith("data/articles/")]
    assert {r["format"] for r in articles} == {"parquet", "jsonl", "csv"}
    assert all(r["hash"].startswith("sha256:") and r["bytes"] > 0 for r in package["resources"])
    assert Package(release / "datapackage.json").get_resource("stories-csv").schema.primary_key == [
        "story_id"
    ]


def test_dataset_card_front_matter_and_sections(crawls):
    card = (crawls["one"] / "README.md").read_text(encoding="utf-8")
    front, body = card.split("---\n")[1], card.split("---\n", 2)[2]
    assert "- zh" in front and "license: other" in front
    assert 'data_files: "data/articles/*.parquet"' in front and "config_name: runs" in front
    for section in ("What it is", "Fields", "Sources", "Date range", "How it was collected"):
        assert f"## {section}" in body
    for section in ("Extraction quality", "Repost grouping", "Known limits", "How to cite"):
        assert f"## {section}" in body
    assert "| `published_at` | datetime |" in body


def test_two_exports_are_byte_identical(crawls):
    again = exported(crawls["first"], crawls["root"] / "release-1-again")
    first = {p.relative_to(crawls["one"]): p.read_bytes() for p in crawls["one"].rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_changelog_names_the_added_and_the_edited_article(crawls):
    before, after = archive_articles(crawls["first"]), archive_articles(crawls["second"])
    added = set(after) - set(before)
    edited = {i for i in before if after[i]["content_hash"] != before[i]["content_hash"]}
    assert len(added) == 1 and len(edited) == 1
    changelog = (crawls["two"] / "CHANGELOG.md").read_text(encoding="utf-8")
    (site,) = {after[i]["site"] for i in added | edited}
    assert f"| {site} | 1 | 1 | 0 |" in changelog and "| total | 1 | 1 | 0 |" in changelog
    assert f"## Added (1)\n\n- {min(added)} ({site}) {after[min(added)]['url']}" in changelog
    assert f"## Changed (1)\n\n- {min(edited)} ({site})" in changelog
    versions = pq.read_table(crawls["two"] / "data/versions/versions.parquet").to_pylist()
    assert [(v["article_id"], v["version"]) for v in versions] == [(min(edited), 1)]
    assert versions[0]["content_hash"] == before[min(edited)]["content_hash"]


def test_changelog_names_articles_gone_from_the_release(crawls):
    after = archive_articles(crawls["second"])
    sites = sorted({row["site"] for row in after.values()})
    kept = sites[:-1]
    narrower = exported(
        crawls["second"],
        crawls["root"] / "release-narrow",
        *[arg for site in kept for arg in ("--site", site)],
        "--previous",
        str(crawls["two"]),
        "--format",
        "csv",
    )
    gone = sorted(i for i, row in after.items() if row["site"] == sites[-1])
    changelog = (narrower / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"| {sites[-1]} | 0 | 0 | {len(gone)} |" in changelog
    assert f"## Gone ({len(gone)})\n\n- {gone[0]} ({sites[-1]})" in changelog
    assert "## Added (0)" in changelog and "## Changed (0)" in changelog


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--site", "nosuchsite"), "unknown site 'nosuchsite'"),
        (("--since", "2024-13"), "is not a date"),
        (("--format", "xlsx"), "unknown format 'xlsx'"),
        (("--previous", "."), "is not a release"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(crawls, tmp_path, args, message):
    out = tmp_path / "release"
    done = export(crawls["first"], "--out", str(out), *args)
    err = done.stderr.decode()
    assert done.returncode == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and not out.exists() and list(tmp_path.iterdir()) == []


def test_existing_unwritable_and_newer_archive_are_refused(crawls, tmp_path):
    existing = crawls["one"]
    done = export(crawls["first"], "--out", str(existing))
    assert done.returncode == 2 and "already exists" in done.stderr.decode()
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = export(crawls["first"], "--out", str(blocker / "release"))
    assert done.returncode == 2 and "cannot create" in done.stderr.decode()
    newer = tmp_path / "newer"
    newer.mkdir()
    shutil.copy(crawls["first"] / "archive.db", newer / "archive.db")
    with sqlite3.connect(newer / "archive.db") as conn:
        conn.execute("PRAGMA user_version = 999")
    done = export(newer, "--out", str(tmp_path / "release"))
    assert done.returncode == 2 and "newer than this orgnews" in done.stderr.decode()


def test_force_replaces_and_excel_adds_a_bom(crawls, tmp_path):
    out = exported(crawls["first"], tmp_path / "release", "--format", "csv", "--site", "12371")
    assert not list(out.glob("data/articles/*.parquet"))
    again = exported(crawls["first"], out, "--format", "csv", "--excel", "--force")
    sample = next(again.glob("data/articles/*.csv")).read_bytes()
    assert sample.startswith(b"\xef\xbb\xbfid,url,")
    assert [p.name for p in tmp_path.iterdir()] == ["release"]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """An archive of a few thousand synthetic articles: an export of it takes a few seconds."""
    from archive import Archive
    from archive.synthetic import CorpusGenerator

    data_dir = tmp_path_factory.mktemp("synthetic") / "data"
    data_dir.mkdir()
    with Archive.open(data_dir / "archive.db") as arc:
        arc.save_articles(
            CorpusGenerator(seed=7).articles(2000, body_chars=1000), defer_pairs=True, defer_stories=True
        )
    return data_dir


def test_a_killed_export_leaves_no_complete_looking_folder(synthetic, tmp_path):
    import signal
    import time

    out = tmp_path / "release"
    argv = [sys.executable, "-m", "crawler.cli", "export", "--out", str(out), "--data-dir", str(synthetic)]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any((p / "data").exists() for p in tmp_path.glob(".release.partial-*")):
        assert process.poll() is None and time.monotonic() < deadline, "the export ended before it was killed"
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    assert not out.exists()
    assert not list(tmp_path.rglob("SHA256SUMS")) and not list(tmp_path.rglob("datapackage.json"))
    # The next export removes what the killed one left and completes.
    exported(synthetic, out, "--format", "parquet")
    assert [p.name for p in tmp_path.iterdir()] == ["release"]
    assert pq.read_table(sorted(out.glob("data/articles/*.parquet"))).num_rows == 2000


# pywb pins old redis and werkzeug releases, so it lives in a virtualenv of its own (.ci/run makes it).
PYWB_BIN = Path(os.environ.get("ORGNEWS_PYWB_BIN", "/opt/orgnews-pywb/bin"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_captures_are_a_valid_wacz_that_pywb_replays(crawls, tmp_path):
    stored = archive_articles(crawls["first"])
    release = exported(
        crawls["first"], tmp_path / "release", "--captures", "--format", "csv", "--site", "12371"
    )
    (wacz,) = release.glob("captures/*.wacz")
    check = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(wacz)], capture_output=True, text=True
    )
    assert check.returncode == 0 and "the passed WACZ is valid" in check.stdout, check.stdout + check.stderr
    sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=release, capture_output=True, text=True)
    assert sums.returncode == 0 and f"{wacz.relative_to(release)}: OK" in sums.stdout
    with zipfile.ZipFile(wacz) as package:
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").splitlines()[1:]]
    assert {page["url"] for page in pages} == {r["url"] for r in stored.values() if r["site"] == "12371"}
    if not (PYWB_BIN / "wayback").is_file():
        pytest.skip(f"pywb is not installed in {PYWB_BIN} (.ci/run installs it)")
    article = next(r for r in stored.values() if r["site"] == "12371")
    home = tmp_path / "pywb"
    home.mkdir()
    for step in (["init", "orgnews"], ["add", "--unpack-wacz", "orgnews", str(wacz)]):
        done = subprocess.run([str(PYWB_BIN / "wb-manager"), *step], cwd=home, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    port = free_port()
    server = subprocess.Popen(
        [str(PYWB_BIN / "wayback"), "--port", str(port), "--bind", "127.0.0.1"],
        cwd=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = replayed(f"http://127.0.0.1:{port}/orgnews/2026id_/{article['url']}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert article["title"] in page.decode("utf-8")


def replayed(address: str) -> bytes:
    """The page pywb serves at ``address``, asking until it listens (at most a minute)."""
    import time
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(address, timeout=10) as response:
                return response.read()
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
