"""The pipeline's stages: what check leaves alone, what a rebuild redoes, and the roles fields declare."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.build import build, load_book
from builder.cache import BuildCache
from builder.charts.maps import state_rows
from builder.errors import ContentError
from builder.model import Issue, Person, values
from builder.model.base import PointList, Reference, fields_with
from builder.model.config import Config
from builder.text.locale import Figures
import shutil

from conftest import MINIMAL, REPO, copy_site, run_briefing, tree


def test_check_writes_nothing_anywhere_and_draws_no_chart(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    before = tree(site)
    # with no shared cache folder, a build would keep its SVGs in the book's .briefing-cache/
    result = run_briefing("check", cwd=site, env={"BRIEFING_CACHE": ""})
    assert result.returncode == 0, result.stderr
    assert tree(site) == before
    assert sorted(p.name for p in site.iterdir()) == ["charts", "content", "site.yaml"]

    cache = BuildCache(None)
    checked = build(site, write=False, cache=cache)
    assert cache.rendered_svgs == [] and cache.reused_svgs == []
    assert not [path for path in checked.files if path.endswith(".svg") or path.startswith("assets/vendor")]
    assert checked.pages == 17  # every page was still rendered and checked


def test_a_rebuild_draws_again_only_the_pages_whose_inputs_changed(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    cache = BuildCache(tmp_path / "cache")
    first = build(site, write=False, static_charts=True, cache=cache)
    assert cache.pages.misses == first.pages == 17

    second = build(site, write=False, static_charts=True, cache=cache)
    assert (cache.pages.misses, cache.pages.hits) == (0, 17)
    assert second.files == first.files

    path = site / "content/issues/trade.yaml"
    path.write_text(path.read_text().replace("We buy your energy.", "We buy your energy, and more."))
    third = build(site, write=False, static_charts=True, cache=cache)
    changed = sorted(rel for rel in third.files if third.files[rel] != first.files.get(rel))
    assert "issues/trade.html" in changed
    # a person's page and a state's page show nothing of the paper: they were not drawn again
    assert 0 < cache.pages.misses < 17
    assert "people/bob.html" not in changed and "investment/ky.html" not in changed
    assert cache.markdown.misses == 1  # only the edited point was converted again
    fresh = build(site, write=False, static_charts=True, cache=BuildCache(tmp_path / "cache"))
    assert fresh.files == third.files  # reusing gave exactly what a build from nothing gives


def test_a_bug_in_briefing_is_not_reported_as_a_template_mistake(minimal_site: Path, tmp_path: Path,
                                                                   monkeypatch):
    def broken(*args, **kwargs):
        raise TypeError("a bug in a filter")

    monkeypatch.setattr(Figures, "number", broken)
    with pytest.raises(TypeError, match="a bug in a filter"):
        build(minimal_site, tmp_path / "out", cache=BuildCache(None))
    assert not (tmp_path / "out").exists()


def test_a_mistake_in_a_template_expression_is_still_located(minimal_site: Path, tmp_path: Path):
    (minimal_site / "templates").mkdir()
    (minimal_site / "templates/person.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n<p>{{ person.name + 1 }}</p>\n{% endblock %}\n')
    with pytest.raises(ContentError) as exc:
        build(minimal_site, tmp_path / "out")
    assert (exc.value.problems[0].path, exc.value.problems[0].line) == ("templates/person.html", 3)


def test_state_totals_agree_between_the_table_and_the_map_for_yen_amounts(minimal_site: Path, tmp_path: Path):
    path = minimal_site / "content/data/investments.csv"
    path.write_text(path.read_text().replace("10000,USD,announced", "150000,JPY,announced"))
    result = build(minimal_site, tmp_path / "out")
    soup = BeautifulSoup((tmp_path / "out/investment/index.html").read_text(), "html.parser")
    row = next(tr for tr in soup.select("table.by-state tbody tr") if tr.th.get_text() == "Kentucky")
    table_amount = row.select("td")[1].get_text()
    map_amount = {r["code"]: r for r in state_rows(result.book, list(result.book.investments))}["KY"]["amount_text"]
    assert table_amount == map_amount == "$1 bn"


def test_fields_declare_their_roles():
    assert fields_with(Issue, PointList) == ["points_to_make", "asks", "red_lines"]
    assert fields_with(Person, PointList) == ["interests"]
    assert fields_with(Config, PointList) == ["objectives"]
    assert fields_with(Issue, Reference) == ["related_people", "related_facts", "related_issues"]


def test_values_walk_nested_items_with_their_roles():
    book, _ = load_book(MINIMAL)
    trade = book.issue_by_id["trade"]
    found = {v.loc: v for v in values(trade)}
    point = found[("points_to_make", 0)]
    assert point.value.startswith("We sell you cars") or point.value
    assert any(isinstance(r, PointList) for r in point.roles)
    assert next(v for v in found.values() if v.loc[0] == "related_people").has(Reference).kind == "person"
    assert found[("title",)].has(Reference) is None


def test_a_reference_in_a_plain_field_of_a_data_row_is_reported(minimal_site: Path):
    path = minimal_site / "content/data/investments.csv"
    path.write_text(path.read_text().replace('"Notes, with a comma"', '"Notes {fact:cars-exported}"'))
    with pytest.raises(ContentError) as exc:
        load_book(minimal_site)
    [problem] = exc.value.problems
    assert (problem.path, problem.line, problem.field) == ("content/data/investments.csv", 2, "notes")
    assert "which is plain text" in problem.message


def test_a_build_with_nothing_changed_does_no_work_and_an_edit_redoes_only_its_part(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    env = {"BRIEFING_CACHE": str(tmp_path / "cache")}
    first = run_briefing("build", "--timings", cwd=site, env=env)
    assert first.returncode == 0 and "render" in first.stderr
    before = tree(site / "_site")
    again = run_briefing("build", "--timings", cwd=site, env=env)
    assert again.returncode == 0 and "Stages: \n" in again.stderr + "\n"  # no stage ran
    assert tree(site / "_site") == before
    (site / "_site/people/bob.html").unlink()  # a file the last build wrote has gone: build again
    assert run_briefing("build", cwd=site, env=env).returncode == 0
    assert tree(site / "_site") == before
    path = site / "content/issues/trade.yaml"
    path.write_text(path.read_text().replace("We buy your energy.", "We buy your energy, and more."))
    edited = run_briefing("build", "--timings", cwd=site, env=env)
    assert edited.returncode == 0 and "render" in edited.stderr
    after = tree(site / "_site")
    assert b"and more." in after["issues/trade.html"] and after["people/bob.html"] == before["people/bob.html"]


def test_an_edit_rewrites_only_the_kept_cache_files_that_hold_what_changed(tmp_path: Path):
    """A large book keeps tens of MB between builds: an edit must not rewrite all of it."""
    site = copy_site(MINIMAL, tmp_path / "site")
    env = {"BRIEFING_CACHE": str(tmp_path / "cache")}
    kept = tmp_path / "cache/build"
    assert run_briefing("build", cwd=site, env=env).returncode == 0
    before = {p.name: p.read_bytes() for p in kept.glob("*.pickle")}
    path = site / "content/issues/trade.yaml"
    path.write_text(path.read_text().replace("We buy your energy.", "We buy your energy, and more."))
    edited = run_briefing("build", cwd=site, env=env)
    assert edited.returncode == 0, edited.stderr
    after = {p.name: p.read_bytes() for p in kept.glob("*.pickle")}
    assert after.keys() == before.keys() and len(before) >= 8 * 16  # eight stores of sixteen files
    changed = sorted(name for name in after if after[name] != before[name])
    # the paper's parsed file, its Markdown, checks and pages: a few files, and none of what it cannot touch
    assert 0 < len(changed) <= len(before) // 4, changed
    assert not [name for name in changed if name.startswith(("validated-rows-", "chart-skeletons-", "charts-"))]
    assert b"and more." in (site / "_site/issues/trade.html").read_bytes()


def test_a_kept_cache_that_this_user_did_not_sign_is_never_read(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    cache = tmp_path / "cache"
    planted = tmp_path / "planted"
    (cache / "build").mkdir(parents=True)

    class Exploit:
        def __reduce__(self):
            return (open, (str(planted), "w"))

    import pickle

    from builder.build import code_version
    from builder.cache import SHARDS, BuildCache
    data = pickle.dumps({"version": code_version(), "entries": {"exploit": Exploit()}})
    for store in BuildCache().kept_on_disk:
        for shard in range(SHARDS):
            (cache / f"build/{store.file_name(shard)}.pickle").write_bytes(data)
            (cache / f"build/{store.file_name(shard)}.sig").write_bytes(b"0" * 64)
    result = run_briefing("build", cwd=site, env={"BRIEFING_CACHE": str(cache)})
    assert result.returncode == 0, result.stderr
    assert not planted.exists()  # the pickle was not loaded


def test_a_row_edit_checks_its_block_again_and_keeps_the_other_rows_verdicts(minimal_site: Path, tmp_path: Path,
                                                                          monkeypatch):
    """Rows are checked in blocks kept between builds: a mistake in a row that was not edited is still
    reported, and one just written in another block is found."""
    import builder.validate as validate_stage
    from builder.build import build
    from builder.errors import ContentError

    monkeypatch.setattr(validate_stage, "ROWS_PER_CHECK", 2)  # blocks: rows 1-2, rows 3-4
    table = minimal_site / "content/data/investments.csv"
    lines = table.read_text(encoding="utf-8").splitlines()

    def write(row: int, old: str, new: str) -> None:
        lines[row] = lines[row].replace(old, new)
        table.write_text("\n".join(lines) + "\n", encoding="utf-8")

    build(minimal_site, tmp_path / "out")
    write(4, ",2024-12,", ",2025-06,")  # row 4 (line 5): a status dated after the book's as-of date
    with pytest.raises(ContentError) as failed:
        build(minimal_site, tmp_path / "out")
    assert [(p.path, p.line) for p in failed.value.problems if p.severity == "error"] == [
        ("content/data/investments.csv", 5)]
    write(1, ",10000,", ",10001,")  # an edit in the other block: row 4's mistake is still reported
    with pytest.raises(ContentError) as failed:
        build(minimal_site, tmp_path / "out")
    assert ("content/data/investments.csv", 5) in [(p.path, p.line) for p in failed.value.problems]
    write(4, ",2025-06,", ",2024-12,")
    build(minimal_site, tmp_path / "out")


def test_rows_kept_between_builds_make_the_pages_a_fresh_build_makes(minimal_site: Path, tmp_path: Path,
                                                                     monkeypatch):
    """Rows are validated in blocks kept by their text: a build that reuses them writes the same
    site as one that validates every row, and a mistake in a kept block is still reported."""
    import builder.validate.items as items_stage
    from builder.build import build
    from builder.cache import BuildCache
    from builder.errors import ContentError
    from conftest import tree

    monkeypatch.setattr(items_stage, "ROWS_PER_BLOCK", 2)  # blocks: rows 1-2, rows 3-4
    monkeypatch.setenv("BRIEFING_CACHE", str(tmp_path / "kept"))
    table = minimal_site / "content/data/investments.csv"
    lines = table.read_text(encoding="utf-8").splitlines()

    def write(row: int, old: str, new: str) -> None:
        assert old in lines[row]
        lines[row] = lines[row].replace(old, new)
        table.write_text("\n".join(lines) + "\n", encoding="utf-8")

    build(minimal_site, tmp_path / "kept-out")
    write(3, ",2023,blocked,", ",2022,blocked,")  # row 3: block 2 is validated again, block 1 is read back
    build(minimal_site, tmp_path / "kept-out")
    monkeypatch.setenv("BRIEFING_CACHE", str(tmp_path / "fresh"))
    build(minimal_site, tmp_path / "fresh-out")
    assert tree(tmp_path / "kept-out") == tree(tmp_path / "fresh-out")

    running = BuildCache()  # as `briefing serve` keeps it
    write(1, ",38.21,-84.56,", ",38.21,84.56,")  # row 1 (line 2): a longitude in China
    for edit in range(2):
        with pytest.raises(ContentError) as failed:
            build(minimal_site, write=False, cache=running)
        assert [(p.line, p.field) for p in failed.value.problems] == [(2, "latitude")]
        write(3, f",{2022 - edit},blocked,", f",{2021 - edit},blocked,")  # the other block: row 1 is still wrong


def test_a_running_build_keeps_every_block_of_rows_through_saves_elsewhere(minimal_site: Path, monkeypatch):
    """`serve` and `build --watch` reuse a table while its file is unchanged; the blocks it was made of
    must outlive those saves, so that the next edit of one row validates and checks that row's block
    alone, not all twenty thousand rows of a large book."""
    import builder.validate as validate_stage
    import builder.validate.items as items_stage

    monkeypatch.setattr(items_stage, "ROWS_PER_BLOCK", 2)  # blocks: rows 1-2, rows 3-4
    monkeypatch.setattr(validate_stage, "ROWS_PER_CHECK", 2)
    running = BuildCache()
    build(minimal_site, write=False, cache=running)
    paper = minimal_site / "content/issues/trade.yaml"
    paper.write_text(paper.read_text(encoding="utf-8") + "\n# a save that changes no row\n", encoding="utf-8")
    before = build(minimal_site, write=False, cache=running).book
    table = minimal_site / "content/data/investments.csv"
    table.write_text(table.read_text(encoding="utf-8").replace(",10000,", ",10001,", 1), encoding="utf-8")
    after = build(minimal_site, write=False, cache=running).book
    assert before is not None and after is not None
    # the edited row is a new record; the others, even of its block, are the records the last build had,
    # so that what was worked out from lists of them (a state's totals, a map's areas) is kept
    new = [r for r in after.investments if not any(r is old for old in before.investments)]
    assert [r.amount for r in new] == [10001]
    # that block only (and the table's items by row, made again whenever the table changes)
    assert (running.rows.misses, running.row_items.misses, running.checks.misses) == (1, 2, 1)


@pytest.mark.parametrize("edit", [
    ("site.yaml", "label: {en: Vehicle assembly,", "label: {en: Cars and trucks,"),  # a sector's name
    ("content/data/investments.csv", "AL,34.73,-86.59,automotive,2311,", "AL,34.73,-86.59,automotive,2411,"),
    ("content/data/investments.csv", "honda-alabama,Honda,", "honda-alabama,Honda Motor,"),
])
def test_a_running_build_after_an_edit_writes_what_a_fresh_build_writes(tmp_path: Path, edit):
    """`serve`, `build --watch` and the resident build process keep what they worked out in memory; after
    an edit of site.yaml or of a row, their pages must be those a build in a fresh process makes. (A
    sector renamed in site.yaml kept its old name on the Investment page's bars until the next restart.)"""
    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(REPO / "site.yaml", book)
    shutil.copytree(REPO / "content", book / "content")
    running = BuildCache()
    build(book, write=False, cache=running)
    path, old, new = edit
    text = (book / path).read_text(encoding="utf-8")
    assert old in text
    (book / path).write_text(text.replace(old, new), encoding="utf-8")
    again = build(book, write=False, cache=running).files
    fresh = build(book, write=False, cache=BuildCache()).files
    assert again.keys() == fresh.keys()
    assert [name for name in again if again[name] != fresh[name]] == []
    if path == "site.yaml":
        assert not [name for name, data in again.items() if b"Vehicle assembly" in data]


def test_the_resident_sees_an_edit_that_keeps_a_files_size_and_time(minimal_site: Path, tmp_path: Path):
    """The resident build process remembers each input file's hash with what stat said of it; an edit
    that keeps the size and sets the time back still makes the next build a new build."""
    import os

    from builder.build import input_digest
    from builder.versions import git

    stamp = git.stamp(minimal_site, "", None, ())
    seen: dict = {}
    first = input_digest(minimal_site, tmp_path / "out", stamp, seen)
    assert input_digest(minimal_site, tmp_path / "out", stamp, seen) == first
    paper = minimal_site / "content/issues/trade.yaml"
    kept = paper.stat()
    paper.write_text(paper.read_text(encoding="utf-8").replace("priority: high", "priority: hig2"), encoding="utf-8")
    os.utime(paper, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    assert paper.stat().st_size == kept.st_size
    assert input_digest(minimal_site, tmp_path / "out", stamp, seen) != first
    assert input_digest(minimal_site, tmp_path / "out", stamp) == input_digest(minimal_site, tmp_path / "out", stamp, seen)
