"""The crawl commands' arguments and listings, through the real CLI."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli


def test_crawl_needs_a_site_and_names_the_known_ones(data_dir):
    none = run_cli("crawl", data_dir=data_dir)
    assert none.returncode == 2
    assert "--all" in none.stderr.decode()
    unknown = run_cli("crawl", "12371", "no-such-site", data_dir=data_dir)
    assert unknown.returncode == 2
    message = unknown.stderr.decode()
    assert "no-such-site" in message and "12371" in message and "zuzhirenshi" in message
    assert not (data_dir / "archive.db").exists(), "a usage error must not touch the data directory"


def test_sites_lists_every_profile_with_its_list_formats():
    result = run_cli("sites", "--json")
    assert result.returncode == 0, result.stderr.decode()
    profiles = {row["name"]: row for row in json.loads(result.stdout)}
    assert {"12371", "people", "dangjian", "zuzhirenshi", "gov", "beijing"} <= set(profiles)
    assert "js-array" in profiles["12371"]["list_formats"]
    assert profiles["zuzhirenshi"]["detail_format"] == "json"
    assert profiles["dangjian"]["unverified"] and not profiles["12371"]["unverified"]
    table = run_cli("sites").stdout.decode()
    assert "共产党员网" in table and "hanweb-xml" in table
    assert "1 list(s)" in next(line for line in table.splitlines() if "dangjian" in line)


def test_runs_and_reparse_say_when_there_is_no_archive(data_dir):
    for command in ("runs", "reparse"):
        result = run_cli(command, data_dir=data_dir)
        assert result.returncode == 1
        assert "orgnews crawl" in result.stderr.decode()


@pytest.mark.parametrize("command", ["crawl", "runs", "reparse", "demo", "sites"])
def test_help_reads_as_documentation_with_examples_that_parse(command):
    import shlex

    import click

    from crawler.cli import main

    result = run_cli(command, "--help")
    assert result.returncode == 0, result.stderr.decode()
    text = result.stdout.decode()
    assert "Examples:" in text
    examples = [line.strip() for line in text.splitlines() if line.strip().startswith(f"orgnews {command}")]
    assert len(examples) >= 2, text
    cmd = main.get_command(click.Context(main), command)
    for example in examples:
        # Everything after a comment or a pipe is not this command's.
        words = shlex.split(example.split("  #")[0].split(" | ")[0])[2:]
        cmd.make_context(command, words)


def test_every_help_is_plain_text_without_markup():
    from crawler.cli import COMMANDS

    for command in COMMANDS:
        result = run_cli(command, "--help")
        text = result.stdout.decode()
        assert result.returncode == 0 and text.startswith("Usage:"), result.stderr.decode()
        # reST's double backquotes are for docstrings read by Sphinx: click prints them as they are.
        assert "``" not in text, f"{command}: {text}"


def test_demo_refuses_a_sample_query_it_cannot_read_before_crawling(tmp_path):
    data_dir = tmp_path / "data"
    result = run_cli("demo", "--query", '"组织', data_dir=data_dir)
    stderr = result.stderr.decode()
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert result.returncode == 2 and "Traceback" not in stderr, stderr
    assert errors == [
        "Error: Invalid value for --query: unbalanced double quote in '\"组织': close the phrase with another \""
    ]
    assert not data_dir.exists() and b"demo crawl took" not in result.stdout


@pytest.mark.parametrize("command", ["runs", "backfill-appointments"])
def test_a_site_the_archive_does_not_hold_is_named_not_listed_as_nothing(tmp_path, command):
    from archive import Archive
    from crawler.extract import Article

    data_dir = tmp_path / "data"
    with Archive.open(data_dir / "archive.db") as arc:
        arc.save_article(
            Article(url="https://cpc.people.com.cn/n1/a.html", site="people", title="标题", body="正文")
        )
    result = run_cli(command, "--site", "People", data_dir=data_dir)
    stderr = result.stderr.decode()
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert result.returncode == 2 and "Traceback" not in stderr, stderr
    assert errors == ["Error: unknown site 'People': this archive holds people"], stderr
    assert run_cli(command, "--site", "people", data_dir=data_dir).returncode == 0
