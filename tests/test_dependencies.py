"""The declared dependencies are exactly the packages the code imports."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib

from tests.conftest import ROOT

OWN = {"archive", "crawler", "tests", "benchmarks"}
# Modules that import a package of their own: lxml's CSS selectors are the cssselect package.
NEEDS = {"lxml.cssselect": "cssselect"}


def imported_modules(*packages: str) -> set[str]:
    """Top-level names of the modules imported anywhere under ``packages`` (not the standard library)."""
    found: set[str] = set()
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_bytes())):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                found |= {name.split(".")[0] for name in names} | {NEEDS[n] for n in names if n in NEEDS}
    return found - OWN - set(sys.stdlib_module_names)


def distributions(modules: set[str]) -> set[str]:
    providers = importlib.metadata.packages_distributions()
    return {_normal(dist) for module in modules for dist in providers.get(module, [module])}


def declared(requirements: list[str]) -> set[str]:
    return {_normal(re.match(r"[A-Za-z0-9_.\-]+", requirement)[0]) for requirement in requirements}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_runtime_dependencies_are_what_the_code_imports():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    used = distributions(imported_modules("archive", "crawler"))
    assert declared(project["dependencies"]) == used


def test_every_test_and_benchmark_import_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    available = declared(project["dependencies"]) | declared(project["optional-dependencies"]["dev"])
    assert distributions(imported_modules("tests", "benchmarks")) <= available
