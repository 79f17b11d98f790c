"""The project's foundation: the command, its data directory, the record type."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from archive.datadir import DataDir
from crawler.extract import ARTICLE_FIELDS, Article
from tests.conftest import ROOT


def test_article_is_a_dataclass_with_the_documented_fields():
    article = Article(url="http://example.cn/a.html", title="标题", body="正文")
    assert dataclasses.asdict(article)["title"] == "标题"
    assert ARTICLE_FIELDS == (
        "url",
        "canonical_url",
        "site",
        "column",
        "title",
        "subtitle",
        "source",
        "published_at",
        "author",
        "editor",
        "body",
        "images",
        "attachments",
        "next_pages",
        "warnings",
    )
    assert Article.from_dict({**article.to_dict(), "extra": 1}) == article


def test_data_dir_defaults_env_and_explicit(tmp_path, monkeypatch):
    monkeypatch.delenv("ORGNEWS_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert DataDir.resolve().root == tmp_path / "orgnews-data"
    monkeypatch.setenv("ORGNEWS_DATA_DIR", str(tmp_path / "env"))
    assert DataDir.resolve().root == tmp_path / "env"
    assert DataDir.resolve(tmp_path / "x").root == tmp_path / "x"
    made = DataDir.resolve(tmp_path / "made").ensure()
    assert made.warc_dir.is_dir() and made.logs_dir.is_dir() and made.jobs_dir.is_dir()


def test_data_dir_that_is_a_file_is_a_clear_error(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    try:
        DataDir.resolve(target).ensure()
    except Exception as exc:  # click.ClickException subclass
        assert "not a directory" in str(exc)
    else:
        raise AssertionError("expected an error")


def test_cli_lists_every_command(cli):
    done = cli("--help")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    for name in ("extract", "crawl", "search", "serve", "runs", "reparse", "sites", "demo"):
        assert name in out


def test_the_layers_of_pyproject_hold():
    # The import-linter contracts of pyproject.toml: extract < archive < crawl < commands, no cycles.
    lint_imports = shutil.which(
        "lint-imports", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    )
    assert lint_imports, "import-linter is in the dev extra: pip install -e '.[dev]'"
    done = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def _layout_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]


def test_the_readme_layout_names_only_what_exists_and_every_archive_module():
    section = _layout_section()
    named = set(re.findall(r"`([\w/.]+(?:\.py|/))`", section))
    # A name without a folder is relative to the package of its bullet: look for it in either.
    for name in named:
        candidates = [ROOT / name] + [
            ROOT / package / name for package in ("archive", "crawler", "crawler/extract")
        ]
        assert any(path.exists() for path in candidates), f"README layout names {name}, which does not exist"
    modules = {path.name for path in (ROOT / "archive").glob("*.py") if path.name != "__init__.py"}
    packages = {f"{path.name}/" for path in (ROOT / "archive").iterdir() if (path / "__init__.py").exists()}
    missing = {name for name in modules | packages if name not in named and f"archive/{name}" not in named}
    assert not missing, f"README layout does not say what these archive modules are: {sorted(missing)}"
