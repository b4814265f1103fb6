"""The `briefing` command line: init, build, check, quiet mode and exit codes."""

from pathlib import Path

from conftest import MINIMAL, copy_site, run_briefing, tree
from links import broken_links


def test_init_creates_a_book_that_builds(tmp_path: Path):
    result = run_briefing("init", "newbook", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    book = tmp_path / "newbook"
    assert (book / "site.yaml").is_file() and (book / "content/issues").is_dir()
    built = run_briefing("build", cwd=book)
    assert built.returncode == 0, built.stderr
    assert (book / "_site/index.html").is_file()
    assert broken_links(book / "_site") == []
    assert "_site/" in (book / ".gitignore").read_text()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken/notes.txt").write_text("mine")
    result = run_briefing("init", "taken", cwd=tmp_path)
    assert result.returncode == 1
    assert "already exists and is not empty" in result.stderr
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]


def test_build_prints_a_one_line_summary(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    result = run_briefing("build", cwd=site)
    assert result.returncode == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    out = site / "_site"
    pages = sum(1 for _ in out.rglob("*.html"))
    files = sum(1 for p in out.rglob("*") if p.is_file())
    assert lines[0].startswith(f"Built {pages} pages ({files} files) in ")
    assert lines[0].endswith(" s → _site (unversioned, not in git)")


def test_quiet_build_prints_nothing(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    result = run_briefing("build", "--quiet", cwd=site)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert (site / "_site/index.html").is_file()


def test_site_and_out_options_and_module_entry_point(tmp_path: Path):
    copy_site(MINIMAL, tmp_path / "book")
    result = run_briefing("build", "--site", "book", "--out", "public", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "public/index.html").is_file()
    assert not (tmp_path / "book/_site").exists()


def test_build_refuses_to_overwrite_a_folder_that_is_not_a_build(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/keep.txt").write_text("keep")
    result = run_briefing("build", "--out", str(tmp_path / "docs"), cwd=site)
    assert result.returncode == 1
    assert "not a previous build" in result.stderr and "Traceback" not in result.stderr
    assert tree(tmp_path / "docs") == {"keep.txt": b"keep"}


def test_unwritable_output_is_a_clear_error(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    (tmp_path / "file").write_text("x")
    result = run_briefing("build", "--out", str(tmp_path / "file" / "out"), cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


def test_missing_site_folder_is_reported_without_a_traceback(tmp_path: Path):
    result = run_briefing("check", "--site", "nowhere", cwd=tmp_path)
    assert result.returncode == 1
    assert "site.yaml: not found in" in result.stderr and "Traceback" not in result.stderr
