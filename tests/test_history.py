"""Versions in git: the build stamp, `diff`, `build --since/--rev`, and `publish`."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import MINIMAL, copy_site, run_briefing, tree
from links import broken_links
from servers import Watch, nginx


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2025-02-05T09:00:00+09:00",
           "GIT_COMMITTER_DATE": "2025-02-05T09:00:00+09:00"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                          text=True).stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The minimal book in a git repository: v1, then v2 with a known set of changes."""
    site = copy_site(MINIMAL, tmp_path / "book")
    git(site, "init", "-q", "-b", "main")
    git(site, "config", "user.email", "desk@example.org")
    git(site, "config", "user.name", "Desk")
    (site / ".gitignore").write_text("_site/\n.briefing-cache/\n")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "First version")
    git(site, "tag", "v1")

    trade = site / "content/issues/trade.yaml"
    edit(trade, "  - We buy your energy.", "  - We buy your energy, and more of it.\n  - A brand new point.")
    edit(trade, "press_line: Frank talks on trade.", "press_line: Frank and useful talks on trade.")
    edit(site / "content/facts.yaml", "value: 8.7", "value: 8.6")
    csv = site / "content/data/investments.csv"
    edit(csv, "San Antonio,TX,29.23,-98.53,automotive,3100", "San Antonio,TX,29.23,-98.53,automotive,3600")
    edit(csv, "pa-steel,", "pa-steel-deal,")
    (site / "content/people/carol.yaml").unlink()
    edit(site / "content/schedule.yaml", 'start: "12:00"', 'start: "12:30"')
    (site / "content/issues/energy.yaml").write_text(
        "id: energy\ntitle: Energy\npriority: low\nstatus: draft\ndrafted_by: Energy desk\n"
        "objective: More LNG.\nbackground: Imports rose.\nour_position: Buy more.\n"
        "their_position: Sell more.\npoints_to_make:\n  - We will buy more.\n")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "Second version")
    git(site, "tag", "v2")
    return site


EXPECTED_DIFF = """\
Changes from v1 ({v1}) to v2 ({v2})

Issue papers
  + added: energy "Energy"
  ~ changed: trade "Trade"
      points_to_make:
        + added: A brand new point.
        ~ reworded: We buy your energy{{+, and more of it+}}.
      press_line: Frank{{+ and useful+}} talks on trade.

People
  - removed: carol "Carol Example"

Programme
  ~ changed: meeting "Summit meeting"
      start: 12:00 → 12:30

Key facts
  ~ changed: jobs-supported "Jobs supported"
      value: ¥8.7 tn → ¥8.6 tn

Investment records
  + added: pa-steel-deal "Example Steel: Steel acquisition"
  - removed: pa-steel "Example Steel: Steel acquisition"
  ~ changed: tx-plant "Example Motors: Truck plant"
      amount: $3.1 bn → $3.6 bn

Issue papers: 1 added, 1 changed. People: 1 removed. Programme: 1 changed. Key facts: 1 changed. \
Investment records: 1 added, 1 removed, 1 changed.
"""


def test_diff_reports_what_changed_item_by_item(repo: Path):
    result = run_briefing("diff", "v1", "v2", cwd=repo)
    assert result.returncode == 0, result.stderr
    v1, v2 = git(repo, "rev-parse", "v1").strip()[:10], git(repo, "rev-parse", "v2").strip()[:10]
    assert result.stdout == EXPECTED_DIFF.format(v1=v1, v2=v2)


def test_diff_against_the_working_tree_and_as_json(repo: Path):
    edit(repo / "content/issues/defence.yaml", "Our budget is at a record.", "Our budget is at a new record.")
    result = run_briefing("diff", "v2", "--format", "json", cwd=repo)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["new"] == "the working tree"
    [item] = report["items"]
    assert (item["kind"], item["id"], item["status"]) == ("issue", "defence", "changed")
    [change] = item["fields"]
    assert change["field"] == "points_to_make"
    assert change["reworded"] == [{"runs": [[" ", "Our budget is at a "], ["+", "new "], [" ", "record."]]}]


def test_unknown_revision_is_a_clear_error(repo: Path):
    result = run_briefing("diff", "v9", cwd=repo)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: unknown revision 'v9' (not a commit, tag or branch of this repository)"


def test_a_revision_whose_content_is_broken_is_reported_with_its_name(repo: Path):
    edit(repo / "content/issues/defence.yaml", "priority: medium", "priority: urgent")
    git(repo, "commit", "-q", "-am", "Broken")
    git(repo, "tag", "v-broken")
    edit(repo / "content/issues/defence.yaml", "priority: urgent", "priority: medium")
    result = run_briefing("diff", "v-broken", cwd=repo)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "v-broken:content/issues/defence.yaml:3:11: priority: expected one of high, medium, low; got 'urgent'")


def test_stamp_in_every_footer_and_the_manifest(repo: Path, tmp_path: Path):
    result = run_briefing("build", "--out", str(tmp_path / "a"), cwd=repo)
    assert result.returncode == 0, result.stderr
    commit = git(repo, "rev-parse", "HEAD").strip()
    line = f"Version v2, commit {commit[:10]}, committed 2025-02-05T09:00:00+09:00"
    for page in (tmp_path / "a").rglob("*.html"):
        assert BeautifulSoup(page.read_text(), "html.parser").select_one(".stamp").get_text() == line
    manifest = json.loads((tmp_path / "a/manifest.json").read_text())
    assert (manifest["version"], manifest["commit"], manifest["dirty"], manifest["date"]) == (
        "v2", commit, False, "2025-02-05T09:00:00+09:00")
    # the same commit builds to the same bytes
    assert run_briefing("build", "--out", str(tmp_path / "b"), cwd=repo).returncode == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_stamp_says_when_the_tree_has_uncommitted_changes_and_counts_commits_since_the_tag(repo: Path):
    (repo / "content/pages/extra.md").write_text("---\ntitle: Extra\n---\nNew.\n")
    result = run_briefing("build", cwd=repo)
    assert result.stdout.strip().endswith(f"(v2, commit {git(repo, 'rev-parse', 'HEAD')[:10]} + uncommitted changes)")
    stamp = BeautifulSoup((repo / "_site/index.html").read_text(), "html.parser").select_one(".stamp")
    assert "with uncommitted changes" in stamp.get_text()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Third")
    result = run_briefing("build", cwd=repo)
    assert result.stdout.strip().endswith(f"(v2+1, commit {git(repo, 'rev-parse', 'HEAD')[:10]})")


def test_outside_git_the_build_works_and_says_so(minimal_site: Path):
    result = run_briefing("build", cwd=minimal_site)
    assert result.returncode == 0
    assert result.stdout.strip().endswith("(unversioned, not in git)")
    stamp = BeautifulSoup((minimal_site / "_site/index.html").read_text(), "html.parser").select_one(".stamp")
    assert stamp.get_text() == "Version unversioned; not built from a git repository"
    manifest = json.loads((minimal_site / "_site/manifest.json").read_text())
    assert manifest["in_git"] is False and manifest["commit"] == ""


def test_build_since_adds_a_changes_page_and_marks_changed_items(repo: Path):
    result = run_briefing("build", "--since", "v1", cwd=repo)
    assert result.returncode == 0, result.stderr
    out = repo / "_site"
    assert broken_links(out) == []
    home = BeautifulSoup((out / "index.html").read_text(), "html.parser")
    link = home.select_one(".cover .change-note a")
    assert link["href"] == "changes.html" and link.get_text().startswith("What changed since v1")
    changes = BeautifulSoup((out / "changes.html").read_text(), "html.parser")
    assert changes.h1.get_text().startswith("Changes since v1")
    summary = EXPECTED_DIFF.rsplit("\n\n", 1)[1].replace("\\\n", "").strip()  # what `briefing diff` ends with
    assert changes.select_one(".lede").get_text(" ", strip=True).endswith(summary)
    assert home.select_one(".cover .change-note").get_text(" ", strip=True).endswith(summary)
    reworded = changes.select_one("#issue-trade .point-reworded")
    assert reworded.find("ins").get_text() == ", and more of it"
    trade = BeautifulSoup((out / "issues/trade.html").read_text(), "html.parser")
    assert trade.select_one(".change-note").get_text(" ", strip=True).startswith("Changed since v1")
    marks = [li.select_one(".point-added, .point-reworded") for li in trade.select("ol.points-to-make li")]
    assert [m.get_text() if m else "" for m in marks] == ["", "reworded since v1", "new since v1"]
    facts = BeautifulSoup((out / "facts.html").read_text(), "html.parser")
    assert facts.find(id="fact-jobs-supported").select_one(".change-note")
    texas = BeautifulSoup((out / "investment/tx.html").read_text(), "html.parser")
    assert "row-changed" in texas.find(id="project-tx-plant")["class"]


def test_build_rev_builds_an_old_version_without_touching_the_working_tree(repo: Path, tmp_path: Path):
    before = {p: p.stat().st_mtime_ns for p in repo.rglob("*") if ".git" not in p.parts}
    result = run_briefing("build", "--rev", "v1", "--out", str(tmp_path / "old"), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "old/people/carol.html").is_file()  # carol was removed in v2
    assert not (tmp_path / "old/issues/energy.html").exists()
    stamp = BeautifulSoup((tmp_path / "old/index.html").read_text(), "html.parser").select_one(".stamp")
    assert stamp.get_text().startswith("Version v1, commit " + git(repo, "rev-parse", "v1")[:10])
    assert {p: p.stat().st_mtime_ns for p in repo.rglob("*") if ".git" not in p.parts} == before
    assert git(repo, "status", "--porcelain") == ""


def publish(repo: Path, dest: Path, *args: str):
    return run_briefing("publish", str(dest), *args, cwd=repo)


def test_publish_keeps_versions_side_by_side_with_a_latest_entry(repo: Path, tmp_path: Path):
    dest = tmp_path / "intranet"
    assert publish(repo, dest, "--version", "v1", "--rev", "v1").returncode == 0
    assert publish(repo, dest, "--version", "v2", "--latest").returncode == 0
    assert os.readlink(dest / "latest") == "v2"
    versions = json.loads((dest / "versions.json").read_text())["versions"]
    assert [(v["name"], v["latest"]) for v in versions] == [("v1", False), ("v2", True)]
    assert "people/carol.html" in versions[0]["pages"] and "people/carol.html" not in versions[1]["pages"]
    assert (dest / "v1/people/carol.html").is_file() and (dest / "v2/issues/energy.html").is_file()
    index = BeautifulSoup((dest / "index.html").read_text(), "html.parser")
    assert [a["href"] for a in index.select("li a")] == ["v2/index.html", "v1/index.html"]
    assert not [p for p in dest.iterdir() if p.name.startswith(".") and p.name != ".publish.lock"]


@pytest.mark.parametrize("name", ["../escape", "latest", ".hidden", "a/b", "", "v 1"])
def test_unsafe_version_names_are_refused(repo: Path, tmp_path: Path, name: str):
    dest = tmp_path / "intranet"
    assert publish(repo, dest, "--version", "v1").returncode == 0
    before = tree(dest)
    result = publish(repo, dest, "--version", name)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert tree(dest) == before


def test_publishing_a_name_twice_changes_nothing(repo: Path, tmp_path: Path):
    dest = tmp_path / "intranet"
    assert publish(repo, dest, "--version", "v1", "--rev", "v1").returncode == 0
    before = tree(dest)
    result = publish(repo, dest, "--version", "v1")
    assert result.returncode == 1
    assert "version 'v1' is already published" in result.stderr
    assert tree(dest) == before


def test_unwritable_destination_is_a_clear_error(repo: Path, tmp_path: Path):
    (tmp_path / "a-file").write_text("x")
    result = publish(repo, tmp_path / "a-file" / "intranet", "--version", "v1")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "nothing was published" in result.stderr
    assert (tmp_path / "a-file").read_text() == "x"


def test_broken_content_publishes_nothing(repo: Path, tmp_path: Path):
    dest = tmp_path / "intranet"
    assert publish(repo, dest, "--version", "v1").returncode == 0
    before = tree(dest)
    edit(repo / "content/issues/defence.yaml", "priority: medium", "priority: urgent")
    result = publish(repo, dest, "--version", "v3")
    assert result.returncode == 1 and "nothing was published" in result.stderr
    assert tree(dest) == before


def test_version_switcher_over_nginx_and_from_disk(browser, repo: Path, tmp_path: Path):
    dest = tmp_path / "intranet"
    assert publish(repo, dest, "--version", "v1", "--rev", "v1").returncode == 0
    assert publish(repo, dest, "--version", "v2", "--latest").returncode == 0
    with nginx(dest, "/briefings/summit/", tmp_path / "nginx") as base:
        for start in (base, dest.resolve().as_uri() + "/"):
            page = browser.new_page()
            watch = Watch(page, start)
            page.goto(start + "v2/issues/trade.html")
            switcher = page.locator(".version-switcher select")
            assert switcher.input_value() == "v2"
            assert switcher.locator("option").all_inner_texts() == [
                "v2 (latest) — as of 2025-02-20", "v1 — as of 2025-02-20"]
            with page.expect_navigation():
                switcher.select_option("v1")
            assert page.url == start + "v1/issues/trade.html"
            assert "A brand new point." not in page.locator("ol.points-to-make").inner_text()
            # a page that does not exist in the other version leads to that version's cover
            page.goto(start + "v1/people/carol.html")
            with page.expect_navigation():
                page.locator(".version-switcher select").select_option("v2")
            assert page.url == start + "v2/index.html"
            page.goto(start + "latest/issues/energy.html")
            assert page.locator("h1").inner_text() == "Energy"
            assert watch.errors == [] and watch.outside == []
            page.close()


def test_diff_notices_a_changed_chart_block(repo: Path):
    edit(repo / "content/pages/notes.md", "kind: years", "kind: sectors")
    edit(repo / "content/issues/defence.yaml", "title: Defence budget", "title: Defence budget, FY2024-25")
    result = run_briefing("diff", "v2", "--format", "json", cwd=repo)
    assert result.returncode == 0, result.stderr
    items = {(i["kind"], i["id"]): i for i in json.loads(result.stdout)["items"]}
    [page_change] = items[("page", "notes")]["fields"]
    assert page_change["field"] == "charts"
    assert '"kind": "years"' in page_change["old"] and '"kind": "sectors"' in page_change["new"]
    [issue_change] = items[("issue", "defence")]["fields"]
    assert issue_change["field"] == "charts" and "FY2024-25" in issue_change["new"]
    text = run_briefing("diff", "v2", cwd=repo).stdout
    assert "No changes." not in text and "charts:" in text
