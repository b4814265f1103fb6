"""Writing the output: atomic replacement and refusing dangerous output folders."""

from pathlib import Path

import pytest

from builder import files
from builder.targets.site.write import OutputError, check_output_location, write_site


def test_replace_folder_swaps_in_the_new_build(tmp_path: Path):
    out = tmp_path / "site"
    write_site(out, {"index.html": b"one", "a/b.html": b"two"})
    write_site(out, {"index.html": b"three"})
    assert sorted(p.name for p in out.rglob("*")) == ["index.html"]
    assert (out / "index.html").read_bytes() == b"three"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no temporary folders left behind


def test_a_failure_while_writing_keeps_the_previous_build(tmp_path: Path, monkeypatch):
    out = tmp_path / "site"
    write_site(out, {"index.html": b"old"})

    def broken_write(target, files, previous=None):
        (target / "half.html").write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "write_tree", broken_write)
    with pytest.raises(OSError):
        write_site(out, {"index.html": b"new"})
    assert (out / "index.html").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_new_build_keeps_the_unchanged_files_of_the_last_one_as_they_were(tmp_path: Path):
    """Unchanged files keep their time (a copy to the intranet sends only what changed) and cost no writing."""
    out = tmp_path / "site"
    write_site(out, {"index.html": b"same", "a/page.html": b"old text", "a/link.html": b"linked"})
    before = {rel: (out / rel).stat() for rel in ("index.html", "a/page.html")}
    outside = tmp_path / "outside.html"
    outside.write_bytes(b"linked")
    (out / "a/link.html").unlink()
    (out / "a/link.html").symlink_to(outside)  # planted in the old output: never followed into the new one
    write_site(out, {"index.html": b"same", "a/page.html": b"new text", "a/link.html": b"linked"})
    index = (out / "index.html").stat()
    assert (index.st_ino, index.st_mtime_ns) == (before["index.html"].st_ino, before["index.html"].st_mtime_ns)
    assert index.st_nlink == 1  # the old build is gone; nothing else shares the file
    assert (out / "a/page.html").read_bytes() == b"new text"
    assert (out / "a/page.html").stat().st_ino != before["a/page.html"].st_ino
    link = out / "a/link.html"
    assert not link.is_symlink() and link.read_bytes() == b"linked" and link.stat().st_ino != outside.stat().st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside.html", "site"]  # no folders left behind


def test_output_folder_is_readable_by_a_web_server(tmp_path: Path):
    out = tmp_path / "site"
    write_site(out, {"index.html": b"x"})
    assert out.stat().st_mode & 0o005 == 0o005


@pytest.mark.parametrize("where", [".", "content", "content/issues", "templates", ".."])
def test_refuses_to_write_over_the_book_itself(tmp_path: Path, where: str):
    root = tmp_path / "book"
    (root / "content/issues").mkdir(parents=True)
    (root / "templates").mkdir()
    with pytest.raises(OutputError):
        check_output_location(root, root / where)


def test_refuses_to_replace_a_folder_that_is_not_a_build(tmp_path: Path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "important.txt").write_text("keep me")
    with pytest.raises(OutputError, match="not a previous build"):
        check_output_location(tmp_path / "book", tmp_path / "docs")
    check_output_location(tmp_path / "book", tmp_path / "new")  # a new folder is fine
