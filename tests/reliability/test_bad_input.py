"""Bad input, command by command: every case fails with one clear error line, never a traceback.

One table of (command line, what the error line must say). Each runs the real ``orgnews`` on a
copy of a crawled archive; the archive must be unchanged afterwards.
"""

from __future__ import annotations

import pytest

from .conftest import assert_one_clear_line, cli, integrity

NESTED = "(" * 300 + "党" + ")" * 300
LONG_NOT = "党" + " NOT 党" * 3000
DEEP_MIX = "(党 OR 建 NOT 干 " * 25 + ")" * 25
HUGE = "9" * 23  # past SQLite's 64-bit integers

# (arguments, a piece of the one error line). DATA is replaced by the data directory.
CASES = [
    # search: queries that cannot be read, filters that are not dates or numbers
    (["search", ""], "empty"),
    (["search", "(("], "ends where a word was expected"),
    (["search", '"党建'], "unbalanced double quote"),
    (["search", "NOT 党建"], "NOT needs a word before it"),
    (["search", "党建 AND NOT 党风"], "NOT alone already means 'and not': drop the AND"),
    (["search", "党建)"], "unbalanced ')'"),
    (["search", NESTED], "at most 200 are read"),
    (["search", LONG_NOT], "at most 2,000 are read"),
    (["search", DEEP_MIX], "levels deep"),
    (["search", "党", "--until", "2021-13-45"], "no such day or month"),
    (["search", "党", "--until", "2021-02-30"], "no such day or month"),
    (["search", "党", "--until", "2021-99"], "no such day or month"),
    (["search", "党", "--since", "notadate"], "is not a date"),
    (["search", "党", "--since", "2021/01/01"], "is not a date"),
    (["search", "党", "--limit", "-1"], "-1"),
    (["search", "党", "--in", "url"], "url"),
    # crawl: the same date parser, unknown sites
    (["crawl", "--all", "--since", "2021-13-45"], "no such day or month"),
    (["crawl", "--all", "--since", "2021-02-30"], "no such day or month"),
    (["crawl", "--all", "--since", "yesterday"], "is not a date"),
    (["crawl", "--all", "--refresh-since", "2021-02-30"], "no such day or month"),
    (["crawl", "nosuchsite"], "unknown site"),
    (["crawl"], "name one or more sites"),
    (["crawl", "--all", "--max-pages", "-3"], "-3"),
    (
        ["crawl", "--all", "--replay-url", "notaurl"],
        "'notaurl' is not the http(s) address of a replay server",
    ),
    (
        ["sites", "--check", "12371", "--replay-url", "notaurl"],
        "is not the http(s) address of a replay server",
    ),
    # reparse, runs, sites
    (["reparse", "nosuchsite"], "unknown site"),
    (["runs", "--limit", "0"], "0"),
    # import: files that cannot be read
    (["import", "DATA/missing.jsonl"], "missing.jsonl"),
    (["import", "DATA"], "directory"),
    (["import", "--workers", "-1", "-"], "-1"),
    # extract: one rule for unreadable input (exit status 1, the reason per file)
    (["extract", "DATA/missing.html"], "missing.html"),
    (["extract", "DATA/warc"], "warc"),
    # serve, index
    (["serve", "--port", "99999"], "99999"),
    (["index", "--batch", "0"], "0"),
    # status and ingest: a Redis URL that is not one, a Redis nobody answers at, a batch of nothing
    (["status", "--redis", "notaurl"], "cannot reach Redis at 'notaurl'"),
    (["ingest", "--redis", "redis://127.0.0.1:9/0"], "cannot reach Redis at redis://127.0.0.1:9/0"),
    (["ingest", "--redis", "redis://127.0.0.1:9/0", "--batch", "0"], "0"),
    # numbers past a SQLite integer, a process count or a date: refused as the option they are
    (["search", "党", "--limit", HUGE], "is past the largest number SQLite holds"),
    (["people", "--limit", HUGE], "is past the largest number SQLite holds"),
    (["appointments", "--limit", HUGE], "is past the largest number SQLite holds"),
    (["runs", "--limit", HUGE], "is past the largest number SQLite holds"),
    (["person", HUGE], f"no person with id {HUGE}"),
    (["import", "--workers", HUGE, "-"], "not in the range 0<=x<=256"),
    (["reparse", "--workers", HUGE], "not in the range 1<=x<=256"),
    (["crawl", "--all", "--refresh-days", "1000000"], "not in the range 0<=x<=100000"),
    # every command: a data directory that is a file
    (["search", "党", "--data-dir", "DATA/archive.db"], "archive.db"),
    (["runs", "--data-dir", "DATA/archive.db"], "archive.db"),
    (["crawl", "--all", "--data-dir", "DATA/archive.db"], "not a directory"),
    (["import", "-", "--data-dir", "DATA/archive.db"], "not a directory"),
]


@pytest.mark.parametrize(("args", "says"), CASES, ids=[" ".join(a)[:40] for a, _ in CASES])
def test_bad_input_gets_one_clear_line(data_copy, args, says):
    before = integrity(data_copy / "archive.db")
    argv = [arg.replace("DATA", str(data_copy)) if arg.startswith("DATA") else arg for arg in args]
    result = cli(*argv, data_dir=data_copy, stdin="")
    if argv[0] == "extract":
        # A file that cannot be read is reported on stderr like one that is not an article.
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    else:
        assert_one_clear_line(result, says)
    assert before == integrity(data_copy / "archive.db") == "ok"


def test_the_table_tries_every_command_that_takes_input():
    tried = {args[0] for args, _ in CASES}
    assert tried >= {
        "search",
        "crawl",
        "reparse",
        "runs",
        "import",
        "extract",
        "serve",
        "index",
        "status",
        "ingest",
    }


READERS = [
    ["search", "党"],
    ["runs"],
    ["reparse"],
    ["people"],
    ["person", "1"],
    ["appointments"],
    ["index"],
    ["backfill-appointments"],
    ["export", "--out", "DATA/release"],
]


@pytest.mark.parametrize("args", READERS, ids=[args[0] for args in READERS])
def test_a_folder_named_archive_db_is_named_not_taken_for_no_archive(tmp_path, args):
    (tmp_path / "archive.db").mkdir()
    argv = [arg.replace("DATA", str(tmp_path)) for arg in args]
    line = assert_one_clear_line(cli(*argv, data_dir=tmp_path), "archive.db is not a file, so not an archive")
    assert "crawl something first" not in line, line
