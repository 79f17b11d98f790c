"""Fixtures and helpers the tests of this folder share."""

from __future__ import annotations

import pytest

from archive import Archive


@pytest.fixture
def arc(tmp_path):
    with Archive.open(tmp_path / "data" / "archive.db") as archive:
        yield archive
