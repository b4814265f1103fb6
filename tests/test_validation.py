"""Every kind of user mistake gets a located message, a non-zero exit and an untouched previous build."""

from pathlib import Path

import pytest

from builder.build import load_book
from builder.errors import ContentError
from conftest import BROKEN, MINIMAL, copy_site, overlay, run_briefing, tree, write_files

CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


def problem_lines(stderr: str) -> list[str]:
    """Return the problem lines, without the closing summary."""
    return [line for line in stderr.splitlines() if "; the previous build" not in line
            and "; nothing was written" not in line]


@pytest.mark.parametrize("case", CASES)
def test_broken_input_is_reported_and_previous_build_is_kept(case: str, tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    out = tmp_path / "out"
    assert run_briefing("build", "--out", str(out), cwd=site).returncode == 0
    before = tree(out)

    overlay(site, BROKEN / case)
    result = run_briefing("build", "--out", str(out), cwd=site)

    expected = (BROKEN / case / "expected.txt").read_text(encoding="utf-8")
    expected = expected.replace("<site>", str(site.resolve())).splitlines()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert problem_lines(result.stderr) == expected
    assert f"the previous build is unchanged ({out})" in result.stderr
    assert tree(out) == before


def test_check_reports_every_problem_of_every_file_in_one_run(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    for case in ("wrong-type", "non-numeric-amount", "not-utf8", "malformed-date"):
        overlay(site, BROKEN / case)
    result = run_briefing("check", cwd=site)
    assert result.returncode == 1
    reported = problem_lines(result.stderr)
    for case in ("wrong-type", "non-numeric-amount", "not-utf8", "malformed-date"):
        for line in (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines():
            assert line in reported
    assert result.stderr.strip().endswith("5 errors; nothing was written")


def test_errors_name_paths_relative_to_where_the_command_runs(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "book")
    overlay(site, BROKEN / "wrong-type")
    result = run_briefing("check", "--site", "book", cwd=tmp_path)
    assert problem_lines(result.stderr) == [
        "book/content/issues/defence.yaml:12:5: points_to_make[1]: expected text, got a list"]


def test_problems_are_available_to_code_as_objects(minimal_site: Path):
    overlay(minimal_site, BROKEN / "unknown-reference")
    with pytest.raises(ContentError) as exc:
        load_book(minimal_site)
    first = exc.value.problems[0]
    assert (first.path, first.line, first.column, first.field) == (
        "content/issues/defence.yaml", 8, 22, "background")


def test_reference_to_an_item_whose_own_file_is_broken_is_not_reported_twice(minimal_site: Path):
    # bob.yaml has a mistake; trade.yaml refers to bob: only bob.yaml's mistake is reported
    write_files(minimal_site, {"content/people/bob.yaml": "id: bob\nname: Bob\n"})
    with pytest.raises(ContentError) as exc:
        load_book(minimal_site)
    assert {p.path for p in exc.value.problems} == {"content/people/bob.yaml"}


def test_text_references_are_checked_in_markdown_pages(minimal_site: Path):
    write_files(minimal_site, {"content/pages/notes.md": "---\ntitle: Notes\n---\n\nSee {issue:trad}.\n"})
    with pytest.raises(ContentError) as exc:
        load_book(minimal_site)
    assert [p.format() for p in exc.value.problems] == [
        "content/pages/notes.md:5:5: unknown issue 'trad' in {issue:trad} (did you mean 'trade'?)"]


def test_unknown_nav_entry_suggests_the_right_one(minimal_site: Path):
    text = (minimal_site / "site.yaml").read_text().replace("pages/notes]", "pages/note]")
    write_files(minimal_site, {"site.yaml": text})
    with pytest.raises(ContentError) as exc:
        load_book(minimal_site)
    assert [p.message for p in exc.value.problems] == [
        "unknown section 'pages/note' (did you mean 'pages/notes'?)"]


def test_empty_issue_folder_is_an_error(minimal_site: Path):
    for path in (minimal_site / "content/issues").iterdir():
        path.unlink()
    (minimal_site / "content/schedule.yaml").unlink()
    with pytest.raises(ContentError) as exc:
        load_book(minimal_site)
    assert [p.format() for p in exc.value.problems] == ["content/issues: no issue papers found (*.yaml)"]


def test_references_in_plain_text_fields_are_reported(minimal_site: Path):
    path = minimal_site / "content/issues/defence.yaml"
    path.write_text(path.read_text().replace("title: Defence", "title: Defence {fact:cars-exported}", 1))
    with pytest.raises(ContentError) as exc:
        load_book(minimal_site)
    assert [p.format() for p in exc.value.problems] == [
        "content/issues/defence.yaml:2:16: title: {fact:cars-exported} is not shown as a reference in "
        "'title', which is plain text; write it out, or move it to a field such as background"]


@pytest.mark.parametrize("where, text", [
    ("site.yaml", "  - Agree the first thing {fact:nope}."),
    ("content/people/bob.yaml", "summary: The counterpart. Watch {fact:nope}."),
    ("content/schedule.yaml", "notes: Times are provisional {fact:nope}."),
    ("content/pages/notes.md", "summary: How to read this book {fact:nope}."),
])
def test_references_are_checked_in_every_markdown_field(minimal_site: Path, where: str, text: str):
    path = minimal_site / where
    lines = path.read_text().splitlines()
    key = text.split("{")[0].rsplit(" ", 3)[0]
    number = next(i for i, line in enumerate(lines) if line.startswith(key))
    lines[number] = text
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ContentError) as exc:
        load_book(minimal_site)
    [problem] = exc.value.problems
    assert (problem.path, problem.line, problem.column) == (where, number + 1, text.index("{") + 1)
    assert problem.message == "unknown fact 'nope' in {fact:nope}"
