"""``orgnews export``: releases of a real crawl of the replay, opened with real clients.

The module crawls the replay once (snapshot 1), exports it, crawls snapshot 2 into a copy
(one article edited, one added) and exports that against the first release.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections import Counter
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
    group = pq.ParquetFile(parts[0]).metadata.row_group(0)
    columns = {group.column(i).path_in_schema: group.column(i) for i in range(group.num_columns)}
    assert {c.compression for c in columns.values()} == {"ZSTD"}
    # Bodies have neither a dictionary nor statistics; every other column, nested ones too, has both.
    assert not columns["body"].is_stats_set and "RLE_DICTIONARY" not in columns["body"].encodings
    for path in ("title", "images.list.element", "attachments.list.element.url"):
        assert columns[path].is_stats_set and "RLE_DICTIONARY" in columns[path].encodings, path
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
        # Everything the parser reads of a person, also what no one asked for by name before.
        for name in ("age", "party_joined", "link_note"):
            assert got[key][name] == row[name], (key, name)
        assert got[key]["probation"] is bool(row["probation"]), key
        posts = [proposal["post"] for proposal in json.loads(row["proposals"])]
        assert got[key]["proposed_posts"] == posts and got[key]["warnings"] == json.loads(row["warnings"])
    assert any(row["person_id"] is not None for row in rows)
    schema = Package(release / "datapackage.json").get_resource("appointments-parquet").schema
    assert schema.primary_key == ["article_id", "notice", "order"]
    card = (release / "README.md").read_text(encoding="utf-8")
    assert "### appointments" in card and "config_name: appointments" in card


def test_notices_hold_every_notice_with_what_it_announces_and_what_was_parsed(crawls):
    from frictionless import Package

    conn = sqlite3.connect(crawls["first"] / "archive.db")
    conn.row_factory = sqlite3.Row
    stored = {
        (row["article_id"], row["position"]): dict(row)
        for row in conn.execute("SELECT * FROM appointment_notices")
    }
    persons = Counter(
        (row[0], row[1])
        for row in conn.execute(
            "SELECT n.article_id, n.position FROM appointment_persons p JOIN appointment_notices n ON n.id = p.notice_id"
        )
    )
    conn.close()
    release = crawls["one"]
    rows = pq.read_table(release / "data/notices/notices.parquet").to_pylist()
    got = {(row["article_id"], row["notice"]): row for row in rows}
    assert len(got) == len(rows) and got.keys() == stored.keys()
    for key, row in stored.items():
        for name in (
            "title",
            "issuer",
            "window_start",
            "window_end",
            "window_text",
            "phone",
            "address",
            "postcode",
        ):
            assert got[key][name] == row[name], (key, name)
        assert (
            got[key]["announced"] == row["announced"] and got[key]["parsed"] == row["parsed"] == persons[key]
        )
        assert got[key]["window_computed"] is bool(row["window_computed"])
        assert got[key]["attachment_only"] is bool(row["attachment_only"])
        assert got[key]["warnings"] == json.loads(row["warnings"])
    with gzip.open(release / "data/notices/notices.jsonl.gz", "rt", encoding="utf-8") as handle:
        assert len(handle.read().splitlines()) == len(stored)
    package = Package(release / "datapackage.json")
    assert package.get_resource("notices-csv").schema.primary_key == ["article_id", "notice"]
    keys = package.get_resource("appointments-csv").schema.foreign_keys
    assert {
        "fields": ["article_id", "notice"],
        "reference": {"resource": "notices-csv", "fields": ["article_id", "notice"]},
    } in keys


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


def test_an_archive_without_runs_is_dated_by_its_newest_capture(crawls, tmp_path):
    """Without --out the folder is named by that date, read before writing; with --out it is taken
    from the articles as they are written. Both give the same name, version and time."""
    from archive.export.release import ExportOptions, export_release

    source, db = sqlite3.connect(crawls["first"] / "archive.db"), sqlite3.connect(tmp_path / "archive.db")
    source.backup(db)
    source.close()
    with db:
        db.execute("DELETE FROM runs")
        db.execute(
            "UPDATE articles SET last_seen = '2031-05-06T07:08:09' WHERE id = (SELECT min(id) FROM articles)"
        )
    db.close()
    named = export_release(tmp_path / "archive.db", ExportOptions(datasets_dir=tmp_path / "datasets"))
    given = export_release(tmp_path / "archive.db", ExportOptions(out=tmp_path / "given"))
    assert named.path == tmp_path / "datasets/orgnews-2031-05-06"
    for release in (named, given):
        assert (release.name, release.version) == ("orgnews-2031-05-06", "2031.5.6")
        package = json.loads((release.path / "datapackage.json").read_text(encoding="utf-8"))
        assert package["created"] == "2031-05-06T07:08:09+00:00"
        assert package["name"] == "orgnews-2031-05-06"


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


FORMAT_WORDS = {"parquet": "Parquet", "jsonl": "JSON lines", "csv": "CSV"}


@pytest.mark.parametrize(("data", "fmt"), [("first", "jsonl"), ("second", "csv"), ("first", "parquet,csv")])
def test_the_card_describes_only_the_files_of_the_release(crawls, tmp_path, data, fmt):
    """Every path the card names is in the release, every table with a file has its fields and no
    other, and the formats described are the release's own."""
    release = exported(crawls[data], tmp_path / "release", "--format", fmt)
    card = (release / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"data/[\w./*-]+", card))
    assert named and [path for path in sorted(named) if not list(release.glob(path.rstrip("/.")))] == []
    with_files = {path.name.split(".")[0] for path in (release / "data").rglob("*.*")}
    described = set(re.findall(r"^### (\S+)$", card, flags=re.MULTILINE))
    assert described == {name for name in with_files if not name.startswith("articles-")} | {"articles"}
    files = card.split("\n## Files\n", 1)[1].split("\n## Fields\n", 1)[0]
    for name, word in FORMAT_WORDS.items():
        assert (word in files) == (name in fmt.split(",")), (name, files[:600])


def card_loading_lines(release: Path) -> list[str]:
    card = (release / "README.md").read_text(encoding="utf-8")
    section = card.split("\n## Loading\n", 1)[1].split("\n## ", 1)[0]
    return [line[4:] for line in section.splitlines() if line.startswith("    ")]


def test_every_loading_line_of_the_card_loads_every_article(crawls, tmp_path):
    stored = archive_articles(crawls["first"])
    expected = f"{len(stored)} {min(row['title'] for row in stored.values())}"
    lines = card_loading_lines(crawls["one"])
    assert len(lines) == 7 and sum("datasets.load_dataset" in line for line in lines) == 1, lines
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"}
    for line in lines:
        code = f"{line}\nprint(len(df), min(df['title']))"
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=crawls["one"], capture_output=True, env=env, timeout=300
        )
        assert done.returncode == 0, line + "\n" + done.stderr.decode()[-3000:]
        assert done.stdout.decode("utf-8").strip() == expected, line


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_the_cards_datasets_line_reads_a_column_empty_in_one_years_file(crawls, tmp_path, fmt):
    """Without the types the card declares, datasets guesses them file by file and fails on a column
    that is empty in one year's file (no author in the first year, no year in the undated file)."""
    data = tmp_path / "data"
    data.mkdir()
    source, db = sqlite3.connect(crawls["first"] / "archive.db"), sqlite3.connect(data / "archive.db")
    source.backup(db)
    source.close()
    with db:
        years = [
            row[0]
            for row in db.execute(
                "SELECT DISTINCT substr(published_at, 1, 4) FROM articles WHERE published_at IS NOT NULL ORDER BY 1"
            )
        ]
        db.execute("UPDATE articles SET author = NULL WHERE substr(published_at, 1, 4) = ?", (years[0],))
        db.execute(
            "UPDATE articles SET published_at = NULL, year = NULL WHERE id = (SELECT max(id) FROM articles)"
        )
        total, id_sum, authors = db.execute(
            "SELECT count(*), sum(id), count(author) FROM articles"
        ).fetchone()
    db.close()
    assert len(years) > 1 and authors > 0
    release = exported(data, tmp_path / "release", "--format", fmt)
    assert (release / f"data/articles/articles-undated.{fmt.replace('jsonl', 'jsonl.gz')}").is_file()
    (line,) = [line for line in card_loading_lines(release) if "datasets.load_dataset" in line]
    code = f"{line}\nprint(len(df), int(df['id'].sum()), int(df['author'].notna().sum()))"
    env = {
        **os.environ,
        "HF_HOME": str(tmp_path / "hf"),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=release, capture_output=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    assert done.stdout.decode().split() == [str(total), str(id_sum), str(authors)]


def test_the_runs_status_meaning_names_every_status_the_release_holds(crawls):
    package = json.loads((crawls["one"] / "datapackage.json").read_text(encoding="utf-8"))
    runs = next(r for r in package["resources"] if r["name"] == "runs-csv")
    meaning = next(f for f in runs["schema"]["fields"] if f["name"] == "status")["description"]
    with open(crawls["one"] / "data/runs.csv", encoding="utf-8", newline="") as handle:
        statuses = {row["status"] for row in csv.DictReader(handle)}
    assert {"completed", "partial"} <= statuses and all(status in meaning for status in statuses), meaning


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
    assert "see `data/versions/`" in changelog


def test_a_changelog_points_to_versions_only_in_a_release_that_has_them(crawls, tmp_path):
    # The first crawl edited nothing: its release has no data/versions/, and its changelog says none.
    again = exported(crawls["first"], tmp_path / "release", "--previous", str(crawls["one"]))
    assert not (again / "data/versions").exists()
    changelog = (again / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "Compared with the release" in changelog and "versions" not in changelog, changelog


def test_a_second_release_of_the_same_day_has_its_own_name_and_version(crawls):
    one, two = (
        json.loads((crawls[k] / "datapackage.json").read_text(encoding="utf-8")) for k in ("one", "two")
    )
    assert one["name"] == f"orgnews-{one['created'][:10]}"
    if one["created"][:10] == two["created"][:10]:  # two crawls on one day (not across midnight)
        assert (two["name"], two["version"]) == (f"{one['name']}.2", f"{one['version']}.2")
    assert one["name"] != two["name"] and one["version"] != two["version"]
    changelog = (crawls["two"] / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"# Changes in {two['name']} (version {two['version']})" in changelog
    assert f"Compared with the release {one['name']} (version {one['version']})" in changelog
    # A third release of that day, against the second, follows on.
    third = exported(crawls["second"], crawls["root"] / "release-3", "--previous", str(crawls["two"]))
    package = json.loads((third / "datapackage.json").read_text(encoding="utf-8"))
    assert package["name"] not in (one["name"], two["name"])
    assert package["version"] not in (one["version"], two["version"])


def test_a_second_release_of_the_day_in_the_default_place_takes_the_next_name(crawls, tmp_path):
    from archive.export.release import ExportOptions, export_release

    datasets = tmp_path / "datasets"
    first = export_release(crawls["first"] / "archive.db", ExportOptions(datasets_dir=datasets))
    second = export_release(crawls["first"] / "archive.db", ExportOptions(datasets_dir=datasets))
    assert second.path == datasets / f"{first.name}.2" and second.name == f"{first.name}.2"
    assert second.version == f"{first.version}.2"
    # --force replaces the day's first release, as before.
    again = export_release(crawls["first"] / "archive.db", ExportOptions(datasets_dir=datasets, force=True))
    assert (again.path, again.name) == (first.path, first.name)


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
        # A name is a folder's name in datasets/, never a way out of it.
        (("--name", "../elsewhere"), "--name '../elsewhere': use letters, digits"),
        (("--name", "/tmp/elsewhere"), "--name '/tmp/elsewhere': use letters, digits"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(crawls, tmp_path, args, message):
    out = tmp_path / "release"
    done = export(crawls["first"], "--out", str(out), *args)
    err = done.stderr.decode()
    # The one line alone: no blank line left by a progress bar that never showed.
    assert done.returncode == 2 and message in err and err.startswith("Error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and not out.exists() and list(tmp_path.iterdir()) == []


def test_existing_unwritable_and_newer_archive_are_refused(crawls, tmp_path):
    existing = crawls["one"]
    done = export(crawls["first"], "--out", str(existing))
    assert done.returncode == 2 and "already exists" in done.stderr.decode()
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = export(crawls["first"], "--out", str(blocker / "release"))
    assert done.returncode == 2 and "cannot create" in done.stderr.decode()


def test_an_archive_newer_or_damaged_is_status_1_as_for_search(crawls, tmp_path):
    # A problem of the archive, not of the options (usage status 2): the status search gives for it.
    newer = tmp_path / "newer"
    damaged = tmp_path / "damaged"
    for data_dir in (newer, damaged):
        data_dir.mkdir()
        shutil.copy(crawls["first"] / "archive.db", data_dir / "archive.db")
    with sqlite3.connect(newer / "archive.db") as conn:
        conn.execute("PRAGMA user_version = 999")
    with open(damaged / "archive.db", "r+b") as handle:
        handle.write(b"\xa5" * 100)
    for data_dir, said in ((newer, "newer than this orgnews"), (damaged, "damaged")):
        done = export(data_dir, "--out", str(tmp_path / "release"))
        lines = done.stderr.decode().splitlines()
        assert done.returncode == 1 and len(lines) == 1 and said in lines[0], lines
        search = run_cli("search", "党建", data_dir=data_dir)
        assert search.returncode == done.returncode, search.stderr.decode()
    assert not (tmp_path / "release").exists()


def test_force_replaces_and_excel_adds_a_bom(crawls, tmp_path):
    out = exported(crawls["first"], tmp_path / "release", "--format", "csv", "--site", "12371")
    assert not list(out.glob("data/articles/*.parquet"))
    again = exported(crawls["first"], out, "--format", "csv", "--excel", "--force")
    sample = next(again.glob("data/articles/*.csv")).read_bytes()
    assert sample.startswith(b"\xef\xbb\xbfid,url,")
    assert [p.name for p in tmp_path.iterdir()] == ["release"]


def test_force_never_replaces_a_folder_that_is_not_a_release(crawls, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "mine.txt").write_text("kept")
    for force in (["--force"], []):  # without it, no suggestion to add it: it would be refused too
        done = export(crawls["first"], "--out", str(notes), *force)
        err = done.stderr.decode()
        assert done.returncode == 2 and "is not a release" in err and len(err.splitlines()) == 1, err
        assert "add --force" not in err, err
    assert [p.name for p in notes.iterdir()] == ["mine.txt"] and (notes / "mine.txt").read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["notes"]


def test_a_file_in_the_way_is_never_replaced_nor_offered_to_force(crawls, tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("kept")
    for force in (["--force"], []):
        done = export(crawls["first"], "--out", str(mine), *force)
        err = done.stderr.decode()
        assert done.returncode == 2 and len(err.splitlines()) == 1, err
        assert "is a file, not a release folder" in err and "add --force" not in err, err
    assert mine.read_text() == "kept"


def test_a_place_that_cannot_be_written_is_one_line(crawls):
    # /proc takes no new folder, even from root, for whom every folder looks writable.
    done = export(crawls["first"], "--out", "/proc/orgnews-release")
    err = done.stderr.decode()
    assert done.returncode == 2 and err.startswith("Error: cannot write in /proc"), err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err


def test_an_empty_archive_is_not_said_to_have_filters(crawls, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    from archive import Archive

    Archive.open(empty / "archive.db").close()
    done = export(empty, "--out", str(tmp_path / "release"))
    err = done.stderr.decode()
    assert done.returncode == 2 and len(err.splitlines()) == 1, err
    assert "holds no article yet: nothing to export" in err and "filters" not in err, err
    filtered = export(crawls["first"], "--out", str(tmp_path / "release"), "--since", "2999")
    assert filtered.returncode == 2 and "no article matches the export's filters" in filtered.stderr.decode()


def test_an_export_refused_before_writing_prints_its_error_line_alone(tmp_path):
    # No archive is not a usage error (status 2) but the status 1 every command gives for it.
    done = export(tmp_path / "no-archive", "--out", str(tmp_path / "release"))
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 1 and len(lines) == 1 and lines[0].startswith("Error: no archive at "), lines
    assert not (tmp_path / "release").exists()
    search = run_cli("search", "党建", data_dir=tmp_path / "no-archive")
    assert search.returncode == done.returncode and "no archive at" in search.stderr.decode()


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


def test_month_and_day_dates_keep_their_precision(tmp_path):
    from frictionless import Package, validate

    from archive import Archive
    from crawler.extract import Article

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    dates = {"time": "2021-02-03T08:15:00+08:00", "day": "2021-02-03", "month": "1999-07", "undated": None}
    with Archive.open(data_dir / "archive.db") as arc:
        arc.save_articles(
            Article(
                url=f"https://example.cn/{name}.html",
                site="example",
                title=f"{name} 组织工作会议",
                body=f"{name} 组织工作会议在京召开，会议强调加强基层党组织建设。",
                published_at=stored,
            )
            for name, stored in dates.items()
        )
    release = exported(data_dir, tmp_path / "release")
    assert sorted(p.name for p in (release / "data/articles").glob("*.parquet")) == [
        "articles-1999.parquet",
        "articles-2021.parquet",
        "articles-undated.parquet",
    ]
    rows = pq.read_table(sorted((release / "data/articles").glob("*.parquet"))).to_pylist()
    got = {row["url"].rsplit("/", 1)[1].removesuffix(".html"): row for row in rows}
    expected = {
        "time": (datetime(2021, 2, 3, 8, 15, tzinfo=BEIJING), "time", True),
        "day": (datetime(2021, 2, 3, tzinfo=BEIJING), "day", False),
        "month": (datetime(1999, 7, 1, tzinfo=BEIJING), "month", False),
        "undated": (None, None, None),
    }
    for name, (published, precision, time_known) in expected.items():
        row = got[name]
        assert (row["published_at"], row["published_precision"], row["published_time_known"]) == (
            published,
            precision,
            time_known,
        ), name
    with gzip.open(release / "data/articles/articles-1999.jsonl.gz", "rt", encoding="utf-8") as handle:
        (line,) = handle.read().splitlines()
    month = json.loads(line)
    assert month["published_at"] == "1999-07-01T00:00:00+08:00" and month["published_precision"] == "month"
    with open(release / "data/articles/articles-1999.csv", encoding="utf-8", newline="") as handle:
        (cell,) = [row["published_precision"] for row in csv.DictReader(handle)]
    assert cell == "month"
    report = validate(release / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    field = (
        Package(release / "datapackage.json")
        .get_resource("articles-1999-csv")
        .schema.get_field("published_precision")
    )
    assert field.type == "string" and "month" in field.description
    card = (release / "README.md").read_text(encoding="utf-8")
    assert "| `published_precision` | string |" in card and "`published_precision` says which" in card


def release_keys(release: Path, table: str, names: tuple[str, ...]) -> list[tuple]:
    path = release / f"data/{table}/{table}.parquet"
    if not path.exists():
        return []
    return sorted(tuple(row[name] for name in names) for row in pq.read_table(path).to_pylist())


def archive_keys(data_dir: Path, sql: str, ids: set[int]) -> list[tuple]:
    with sqlite3.connect(data_dir / "archive.db") as conn:
        return sorted(tuple(row) for row in conn.execute(sql) if row[0] in ids)


def narrowed_release(crawls, tmp_path, *args: str) -> tuple[Path, set[int]]:
    release = exported(crawls["second"], tmp_path / "release", "--format", "parquet", *args)
    ids = set(pq.read_table(sorted((release / "data/articles").glob("*.parquet"))).column("id").to_pylist())
    assert 0 < len(ids) < len(archive_articles(crawls["second"]))
    return release, ids


def assert_tables_follow_the_articles(crawls, release: Path, ids: set[int]) -> None:
    """Every table holds exactly the rows of the release's articles, as the archive has them."""
    data_dir = crawls["second"]
    notices = release_keys(release, "notices", ("article_id", "notice"))
    assert notices == archive_keys(data_dir, "SELECT article_id, position FROM appointment_notices", ids)
    persons = release_keys(release, "appointments", ("article_id", "notice", "order"))
    assert persons == archive_keys(
        data_dir,
        "SELECT p.article_id, n.position, p.position FROM appointment_persons p "
        "JOIN appointment_notices n ON n.id = p.notice_id",
        ids,
    )
    versions = release_keys(release, "versions", ("article_id", "content_hash"))
    assert versions == archive_keys(data_dir, "SELECT article_id, content_hash FROM article_versions", ids)
    stored = archive_articles(data_dir)
    story_sizes = Counter(stored[i]["story_id"] or i for i in ids)
    assert dict(release_keys(release, "stories", ("story_id", "articles"))) == story_sizes
    sites = Counter(stored[i]["site"] for i in ids)
    rows = pq.read_table(release / "data/sites.parquet").to_pylist()
    assert {row["name"]: row["articles"] for row in rows} == {row["name"]: sites[row["name"]] for row in rows}
    assert set(sites) <= {row["name"] for row in rows}


def test_site_and_since_narrow_every_table_with_the_articles(crawls, tmp_path):
    release, ids = narrowed_release(crawls, tmp_path, "--site", "people", "--since", "2026-11-15")
    stored = archive_articles(crawls["second"])
    assert ids == {
        i for i, row in stored.items() if row["site"] == "people" and row["published_at"] >= "2026-11-15"
    }
    assert_tables_follow_the_articles(crawls, release, ids)
    with sqlite3.connect(crawls["second"] / "archive.db") as conn:
        (all_notices,) = conn.execute("SELECT count(*) FROM appointment_notices").fetchone()
    assert 0 < len(release_keys(release, "notices", ("article_id",))) < all_notices


def test_query_narrows_every_table_with_the_articles(crawls, tmp_path):
    release, ids = narrowed_release(crawls, tmp_path, "--query", "公示")
    assert release_keys(release, "notices", ("article_id",))
    assert_tables_follow_the_articles(crawls, release, ids)


def test_the_edited_articles_site_brings_its_versions(crawls, tmp_path):
    with sqlite3.connect(crawls["second"] / "archive.db") as conn:
        (site,) = conn.execute(
            "SELECT DISTINCT a.site FROM article_versions v JOIN articles a ON a.id = v.article_id"
        ).fetchone()
    release, ids = narrowed_release(crawls, tmp_path, "--site", site)
    assert release_keys(release, "versions", ("article_id",))
    assert_tables_follow_the_articles(crawls, release, ids)


# Adds an article and edits another in each transaction, and logs what the archive then holds.
WRITER = """
import json, sqlite3, sys, time
from pathlib import Path
from archive import Archive
from archive.synthetic import CorpusGenerator
from crawler.extract import Article

db, log = Path(sys.argv[1]), open(sys.argv[2], "a", encoding="utf-8")
with sqlite3.connect(db) as conn:
    old = conn.execute("SELECT url, site FROM articles ORDER BY id LIMIT 300").fetchall()
corpus = CorpusGenerator(seed=11)
with Archive.open(db) as arc:
    for number in range(1_000_000):
        url, site = old[number % len(old)]
        edited = Article(url=url, site=site, title="改版后的标题", body=f"第{number}次修改的正文。" * 20)
        new = corpus.article(500_000 + number, body_chars=400)
        arc.save_articles([new, edited], defer_pairs=True, defer_stories=True)
        counts = arc.conn.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_versions)"
        ).fetchone()
        log.write(json.dumps([time.time(), *counts]) + "\\n")
        log.flush()
"""


def logged_states(log: Path) -> list[tuple[float, int, int]]:
    return [tuple(json.loads(line)) for line in log.read_text(encoding="utf-8").splitlines()]


def wait_for_states(log: Path, writer: subprocess.Popen, count: int) -> None:
    deadline = time.monotonic() + 120
    while not log.exists() or len(logged_states(log)) < count:
        assert writer.poll() is None, "the writer stopped"
        assert time.monotonic() < deadline, "the writer wrote nothing"
        time.sleep(0.05)


def test_an_export_reads_one_snapshot_while_the_archive_is_written(synthetic, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(synthetic, data_dir)
    before = len(archive_articles(data_dir))
    log = tmp_path / "states.jsonl"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(data_dir / "archive.db"), str(log)])
    try:
        wait_for_states(log, writer, 5)
        started = time.time()
        release = exported(data_dir, tmp_path / "release", "--format", "parquet,csv")
        ended = time.time()
        wait_for_states(log, writer, len(logged_states(log)) + 5)
    finally:
        writer.terminate()
        writer.wait(timeout=30)
    states = logged_states(log)
    assert any(started < moment < ended for moment, _, _ in states), "nothing was written during the export"
    articles = pq.read_table(sorted((release / "data/articles").glob("*.parquet"))).to_pylist()
    versions = pq.read_table(release / "data/versions/versions.parquet").to_pylist()
    # The articles and their earlier versions are read at different moments of the export: with one
    # snapshot, their counts are a state the archive was in between two of the writer's transactions.
    assert (len(articles), len(versions)) in {(a, v) for _, a, v in states}
    assert before < len(articles) < states[-1][1]
    ids = {row["id"] for row in articles}
    assert ids == {i for i in archive_articles(data_dir) if i <= max(ids)}
    current = {row["id"]: row["content_hash"] for row in articles}
    assert all(current[v["article_id"]] != v["content_hash"] for v in versions)
    stories = pq.read_table(release / "data/stories/stories.parquet").column("articles").to_pylist()
    sites = pq.read_table(release / "data/sites.parquet").column("articles").to_pylist()
    assert sum(stories) == sum(sites) == len(articles)
    card = (release / "README.md").read_text(encoding="utf-8")
    assert f"{len(articles):,} news-detail articles" in card and f"{len(versions):,} earlier versions" in card
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=release, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


# As a consumer runs it: in a process of its own, away from the repository (whose datasets/
# folder would otherwise stand for the datasets package).
LOAD_WITH_DATASETS = """
import json, sys
from datasets import load_dataset

release, cache = sys.argv[1], sys.argv[2]
tables = ["articles", "versions", "stories", "sites", "runs", "notices", "appointments"]
loaded = {table: load_dataset(release, table, cache_dir=cache)["train"] for table in tables}
print(json.dumps({"rows": {t: d.num_rows for t, d in loaded.items()}, "ids": list(loaded["articles"]["id"])}))
"""


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_hugging_face_datasets_loads_every_table(crawls, tmp_path, fmt):
    """In each format alone too: the types the card declares for JSON lines and CSV fit every table."""
    stored = archive_articles(crawls["second"])
    release = (
        crawls["two"] if fmt == "parquet" else exported(crawls["second"], tmp_path / "r", "--format", fmt)
    )
    done = subprocess.run(
        [sys.executable, "-c", LOAD_WITH_DATASETS, str(release), str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.splitlines()[-1])
    assert loaded["rows"]["articles"] == len(stored) and sorted(loaded["ids"]) == sorted(stored)
    for table in ("versions", "stories", "sites", "runs", "notices", "appointments"):
        expected = pq.read_table(next(crawls["two"].glob(f"data/**/{table}.parquet"))).num_rows
        assert loaded["rows"][table] == expected, table


# pywb pins old redis and werkzeug releases, so it lives in a virtualenv of its own (.ci/run makes it).
PYWB_BIN = Path(os.environ.get("ORGNEWS_PYWB_BIN", "/opt/orgnews-pywb/bin"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_captures_of_a_cluster_archive_are_read_from_each_workers_folder(crawls, tmp_path):
    """A cluster's workers each keep their WARC files in their own folder: --warc-dir names them all,
    and a WACZ missing some is refused in one line that says how many and whose folders to pass."""
    whole = exported(crawls["first"], tmp_path / "whole", "--captures", "--format", "csv")
    (wacz,) = whole.glob("captures/*.wacz")
    data_dir, worker_warc = tmp_path / "data", tmp_path / "worker-b" / "warc"
    shutil.copytree(crawls["first"], data_dir)
    worker_warc.mkdir(parents=True)
    # The 12371 captures as a worker named b wrote them: in b's folder, its runs marked as b's.
    with sqlite3.connect(data_dir / "archive.db") as conn:
        moved = [
            name
            for (name,) in conn.execute(
                "SELECT DISTINCT f.warc_file FROM articles a JOIN fetches f ON f.id = a.fetch_id "
                "WHERE a.site = '12371' AND f.warc_file IS NOT NULL"
            )
        ]
        marks = ", ".join("?" * len(moved))
        (lacking,) = conn.execute(
            f"SELECT count(*) FROM articles a JOIN fetches f ON f.id = a.fetch_id WHERE f.warc_file IN ({marks})",
            moved,
        ).fetchone()
        conn.execute(
            "UPDATE runs SET options = json_set(coalesce(options, '{}'), '$.worker', 'b') "
            f"WHERE id IN (SELECT run_id FROM fetches WHERE warc_file IN ({marks}))",
            moved,
        )
    assert moved and lacking
    for name in moved:
        (data_dir / "warc" / name).rename(worker_warc / name)
    refused = export(data_dir, "--out", str(tmp_path / "refused"), "--captures", "--format", "csv")
    # Found missing before any table is written: the one line alone, no progress bar above it.
    lines = refused.stderr.decode().splitlines()
    assert refused.returncode == 2 and len(lines) == 1, refused.stderr.decode()
    err = lines[0]
    assert err.startswith(
        f"Error: {lacking} capture(s) of the release's articles could not be packed: their WARC files "
        f"are in none of the folders read ({data_dir / 'warc'}); the crawl-cluster worker(s) b wrote them"
    ), err
    assert "--warc-dir <DATA_DIR of b>/warc" in err and not (tmp_path / "refused").exists(), err
    folders = ["--warc-dir", str(data_dir / "warc"), "--warc-dir", str(worker_warc)]
    packed = exported(data_dir, tmp_path / "packed", "--captures", "--format", "csv", *folders)
    assert (packed / wacz.relative_to(whole)).read_bytes() == wacz.read_bytes()
    alone = export(data_dir, "--out", str(tmp_path / "alone"), "--format", "csv", *folders)
    assert alone.returncode == 2 and "give it with --captures" in alone.stderr.decode()


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
    again = exported(crawls["first"], tmp_path / "again", "--captures", "--format", "csv", "--site", "12371")
    assert (again / wacz.relative_to(release)).read_bytes() == wacz.read_bytes()
    with zipfile.ZipFile(wacz) as package:
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").splitlines()[1:]]
        created = json.loads(package.read("datapackage.json"))["created"]
        stamps = {entry.date_time for entry in package.infolist()}
    newest = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))["created"]
    assert created == newest.replace("+00:00", "Z") and len(stamps) == 1
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
