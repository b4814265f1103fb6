"""Shared fixtures: the sample sites under tests/sites and a way to run the command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SITES = TESTS / "sites"
MINIMAL = SITES / "minimal"
BROKEN = SITES / "broken"


def copy_site(source: Path, dest: Path) -> Path:
    """Copy a sample site, leaving out build output and caches."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("_site", ".briefing-cache", "__pycache__"))
    return dest


def overlay(site: Path, case: Path) -> None:
    """Apply a broken case to a site: copy its files over, delete those listed in DELETE."""
    for path in sorted(case.rglob("*")):
        rel = path.relative_to(case)
        if path.is_dir() or rel.as_posix() in ("expected.txt", "DELETE"):
            continue
        target = site / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    if (case / "DELETE").is_file():
        for rel in (case / "DELETE").read_text().split():
            (site / rel).unlink()


def write_files(site: Path, files: dict[str, str | bytes]) -> None:
    """Write {relative path: text or bytes} into a site."""
    for rel, data in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


@pytest.fixture(scope="session", autouse=True)
def shared_chart_cache(tmp_path_factory) -> Path:
    """Share rendered charts between the many small builds of a test run."""
    folder = tmp_path_factory.mktemp("chart-cache")
    os.environ["BRIEFING_CACHE"] = str(folder)
    return folder


@pytest.fixture(scope="session", autouse=True)
def no_resident() -> None:
    """Leave no resident build process behind each build of a test (test_resident.py turns it on)."""
    os.environ["BRIEFING_RESIDENT"] = "off"


@pytest.fixture
def minimal_site(tmp_path: Path) -> Path:
    """A fresh copy of tests/sites/minimal."""
    return copy_site(MINIMAL, tmp_path / "site")


def run_briefing(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m builder ARGS` as a user would, capturing its output."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "builder", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300)


def tree(folder: Path) -> dict[str, bytes]:
    """Return {relative path: bytes} of every file under folder."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


pytest_plugins = ["servers"]
