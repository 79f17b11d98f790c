"""Shared fixtures for the orgnews test suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory for one test."""
    path = tmp_path / "orgnews-data"
    return path


def run_cli(
    *args: str,
    data_dir: Path | None = None,
    input: bytes | None = None,
    timeout: float = 120,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run the real ``orgnews`` command in a subprocess and capture its output."""
    argv = [sys.executable, "-m", "crawler.cli", *args]
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    if data_dir is not None:
        full_env["ORGNEWS_DATA_DIR"] = str(data_dir)
    return subprocess.run(argv, capture_output=True, input=input, timeout=timeout, env=full_env, cwd=ROOT)


@pytest.fixture
def cli():
    return run_cli
