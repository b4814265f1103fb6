"""The resident build process: after a build, the next `briefing build` of the book is made by a process
that kept the last one in memory. It must build what a build in a fresh process builds, byte for byte,
report the same mistakes, answer only its own user and code, and go away when idle or told to."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from builder import resident
from conftest import MINIMAL, copy_site, run_briefing, tree

POINT = "  - Our budget is at a record."


@pytest.fixture
def resident_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Settings under which builds leave residents, with their sockets in a folder of this test's own."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    env = {"BRIEFING_RESIDENT": "on", "XDG_RUNTIME_DIR": str(run), "BRIEFING_RESIDENT_IDLE": "120",
           "BRIEFING_CACHE": str(tmp_path / "cache")}
    yield env
    for site in (tmp_path / "site", tmp_path / "other"):
        if site.is_dir():
            run_briefing("resident", "stop", cwd=site, env=env)


def wait_for_resident(site: Path, env: dict[str, str]) -> str:
    """Return what `briefing resident status` says once a resident answers for the book."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        said = run_briefing("resident", "status", cwd=site, env=env).stdout
        if said.startswith("Resident build process"):
            return said
        time.sleep(0.2)
    raise AssertionError(f"no resident answered for {site}")


def test_the_next_build_is_made_by_the_resident_and_is_the_same_bytes(tmp_path: Path, resident_env):
    site = copy_site(MINIMAL, tmp_path / "site")
    first = run_briefing("build", cwd=site, env=resident_env)
    assert first.returncode == 0, first.stderr
    assert "0 builds since it started" in wait_for_resident(site, resident_env)

    paper = site / "content/issues/defence.yaml"
    paper.write_text(paper.read_text().replace(POINT, "  - Our budget is at a record, and rising."))
    second = run_briefing("build", cwd=site, env=resident_env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("Built ") and "→ _site" in second.stdout
    assert "1 build since it started" in wait_for_resident(site, resident_env)
    assert "and rising." in (site / "_site/issues/defence.html").read_text()

    # the same book built in a fresh process, with no resident and no cache: the same files
    alone = copy_site(site, tmp_path / "alone")
    fresh = run_briefing("build", cwd=alone, env={"BRIEFING_RESIDENT": "off", "BRIEFING_CACHE": str(tmp_path / "c2")})
    assert fresh.returncode == 0, fresh.stderr
    assert tree(site / "_site") == tree(alone / "_site")


def test_the_resident_reports_mistakes_as_a_fresh_build_does_and_keeps_the_last_build(tmp_path: Path,
                                                                                       resident_env):
    site = copy_site(MINIMAL, tmp_path / "site")
    assert run_briefing("build", cwd=site, env=resident_env).returncode == 0
    wait_for_resident(site, resident_env)
    built = tree(site / "_site")

    paper = site / "content/issues/defence.yaml"
    paper.write_text(paper.read_text().replace("priority: medium", "priority: urgent"))
    answered = run_briefing("build", cwd=site, env=resident_env)
    assert answered.returncode == 1
    assert "content/issues/defence.yaml:3:11: priority:" in answered.stderr
    assert "1 error; the previous build is unchanged" in answered.stderr
    assert "Traceback" not in answered.stderr
    assert tree(site / "_site") == built
    assert "1 build since it started" in wait_for_resident(site, resident_env)

    alone = run_briefing("build", cwd=site, env={**resident_env, "BRIEFING_RESIDENT": "off"})
    assert (alone.returncode, alone.stderr) == (answered.returncode, answered.stderr)


def test_a_resident_answers_only_its_own_book_and_settings(tmp_path: Path, resident_env):
    site = copy_site(MINIMAL, tmp_path / "site")
    assert run_briefing("build", cwd=site, env=resident_env).returncode == 0
    wait_for_resident(site, resident_env)
    other = copy_site(MINIMAL, tmp_path / "other")
    # another book, and the same book with another cache folder: no resident of theirs yet
    assert run_briefing("resident", "status", cwd=other, env=resident_env).stdout.startswith("No resident")
    elsewhere = {**resident_env, "BRIEFING_CACHE": str(tmp_path / "elsewhere")}
    assert run_briefing("resident", "status", cwd=site, env=elsewhere).stdout.startswith("No resident")

    stopped = run_briefing("resident", "stop", cwd=site, env=resident_env)
    assert stopped.stdout.startswith("Stopped resident build process")
    assert run_briefing("resident", "status", cwd=site, env=resident_env).stdout.startswith("No resident")
    assert not list((tmp_path / "run/briefing").glob("*.sock"))


def test_ci_leaves_no_resident_behind(tmp_path: Path, resident_env):
    site = copy_site(MINIMAL, tmp_path / "site")
    env = {**resident_env, "BRIEFING_RESIDENT": "", "CI": "true"}
    assert run_briefing("build", cwd=site, env=env).returncode == 0
    time.sleep(1.0)
    said = run_briefing("resident", "status", cwd=site, env=env).stdout
    assert said.startswith("No resident build process") and "turned off" in said
    assert not list((tmp_path / "run").rglob("*.sock"))


# --- the resident's rules, with a stand-in for the build --------------------------------------------

@pytest.fixture
def private_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    monkeypatch.setenv(resident.SWITCH, "on")
    monkeypatch.setenv(resident.IDLE, "30")
    return run


def start_resident(site: Path, answer, version=lambda: "v1") -> threading.Thread:
    thread = threading.Thread(target=resident.serve, args=(site, answer, version, lambda: None, lambda: None,
                                                           lambda: None), daemon=True)
    thread.start()
    assert resident.wait_ready(site, 10)
    return thread


def test_a_resident_of_other_code_declines_and_stops(tmp_path: Path, private_run: Path):
    code = ["v1"]

    def answer(argv, out, err) -> int:
        out.write("built by the resident\n")
        return 3

    thread = start_resident(tmp_path, answer, lambda: code[0])
    assert resident.forward(["build", "--site", str(tmp_path)]) == 3
    code[0] = "v2"  # briefing was updated while the resident ran
    assert resident.forward(["build", "--site", str(tmp_path)]) is None  # the caller builds itself
    thread.join(5)
    assert not thread.is_alive()
    assert not list(private_run.rglob("*.sock"))


def test_a_bug_in_a_resident_build_shows_its_traceback_and_stops_the_resident(tmp_path: Path, private_run: Path,
                                                                               capsys: pytest.CaptureFixture[str]):
    def answer(argv, out, err) -> int:
        raise RuntimeError("a bug in briefing")

    thread = start_resident(tmp_path, answer)
    assert resident.forward(["build", "--site", str(tmp_path)]) == 1
    shown = capsys.readouterr().err
    assert "Traceback" in shown and "RuntimeError: a bug in briefing" in shown
    thread.join(5)
    assert not thread.is_alive()


def test_a_resident_stops_when_idle_and_never_answers_watch(tmp_path: Path, private_run: Path,
                                                             monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(resident.IDLE, "0.5")
    thread = start_resident(tmp_path, lambda argv, out, err: 0)
    assert resident.forward(["build", "--watch", "--site", str(tmp_path)]) is None
    thread.join(5)
    assert not thread.is_alive()
    assert resident.ask(tmp_path, "status") is None


def test_a_socket_folder_others_can_enter_is_not_used(tmp_path: Path, private_run: Path):
    shared = private_run / "briefing"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    assert resident.socket_path(tmp_path) is None
    resident.serve(tmp_path, lambda argv, out, err: 0, lambda: "v1", lambda: None, lambda: None, lambda: None)
    assert not list(shared.iterdir())  # it refused to listen there
    shutil.rmtree(shared)
    assert resident.socket_path(tmp_path) is not None
    assert os.stat(private_run / "briefing").st_mode & 0o077 == 0
