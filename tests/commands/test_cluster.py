"""``orgnews status`` run as cron or a log would run it: output to a pipe, not a terminal."""

from __future__ import annotations

from tests.conftest import run_cli
from tests.redisserver import RedisServer


def test_status_prints_whole_column_names_to_a_pipe(tmp_path):
    with RedisServer(tmp_path / "redis") as server:
        done = run_cli("status", "--redis", f"{server.url}/0")
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()
    header = next(line for line in out.splitlines() if "site" in line and "round" in line)
    for name in ("frontier", "leased", "settled", "pages fetched", "articles stored"):
        assert name in header, out
    assert "…" not in out, out
