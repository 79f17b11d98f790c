"""A crawl without a contact never sends the local account or host name: it names the project."""

from __future__ import annotations

import getpass
import socket

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler import PROJECT_URL
from crawler.commands.crawl import contact_warning
from crawler.replay.server import ReplayServer
from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def test_user_agent_without_contact_names_the_project_not_this_machine(tmp_path):
    with ReplayServer() as server:
        result = run_cli(
            "crawl",
            "12371",
            "--max-pages",
            "1",
            data_dir=tmp_path,
            env={"ORGNEWS_REPLAY_URL": server.base_url},
        )
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    agents = set()
    for warc in (tmp_path / "warc").glob("*.warc.gz"):
        with open(warc, "rb") as fh:
            agents |= {
                r.http_headers.get_header("User-Agent")
                for r in ArchiveIterator(fh)
                if r.rec_type == "request"
            }
    assert agents == {f"orgnews/0.1.0 (news archive crawler; contact: {PROJECT_URL})"}
    for local in {getpass.getuser(), socket.getfqdn(), socket.gethostname()}:
        assert all(
            local not in agent.removeprefix("orgnews/0.1.0 (news archive crawler; contact: ")
            for agent in agents
        )


def test_a_live_crawl_without_contact_warns_and_a_replay_or_a_contact_does_not():
    assert PROJECT_URL in contact_warning(None, None)
    assert contact_warning("archive@example.org", None) is None
    assert contact_warning(None, "http://127.0.0.1:8800") is None
