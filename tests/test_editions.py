"""Markings and editions: banners computed from what a page shows, and nothing above an edition's
ceiling in any byte of its output."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from builder.build import build
from builder.errors import ContentError
from builder.model.markings import SCHEMES
from conftest import REPO, copy_site, run_briefing, write_files
from links import broken_links

MINIMAL = REPO / "tests" / "sites" / "minimal"

# one planted sentence per kind of content an edition can leave out
PLANTED = {
    "point": "Planted point about the quince harbour negotiation",
    "red line": "Planted red line on the walrus tariff schedule",
    "question": "Planted question on the heron export quota",
    "offer": "Planted offer of the pelican procurement package",
    "risk": "Planted risk that the otter accord collapses early",
    "issue": "Planted background of the marmot defence agreement",
    "person": "Planted summary of the lynx negotiator from abroad",
    "fact": "Planted fact label for the badger reserve figure",
    "programme item": "Planted programme item at the weasel conference room",
    "page": "Planted page body about the vole reconnaissance plan",
    "chart block": "Planted chart title of the ferret logistics network",
    "investment row": "Planted project of the stoat manufacturing complex",
    "state figure": "Planted state figure for the mink employment count",
    "objective": "Planted objective on the hedgehog security framework",
}

SITE_YAML_EXTRA = """
markings:
  scheme: government
  portion_marks: true
editions:
  - {name: full, title: Full book, ceiling: CONFIDENTIAL}
  - {name: open, title: Open edition, ceiling: UNCLASSIFIED, release_to: [USA]}
"""


def marked_book(tmp_path: Path) -> Path:
    """The minimal book with a marking scheme, two editions, and a planted sentence in restricted
    content of every kind."""
    site = copy_site(MINIMAL, tmp_path / "book")
    config = (site / "site.yaml").read_text()
    config = config.replace("classification: TEST MARKING\n", "")
    config = config.replace("  - Agree the first thing.\n",
                            f"  - Agree the first thing.\n  - {{text: {PLANTED['objective']}., marking: C}}\n")
    config = config.replace("nav: [home, programme, issues, people, facts, investment, sources, pages/notes]",
                            "nav: [home, programme, issues, people, facts, investment, sources, pages/notes, "
                            "pages/secret]")
    (site / "site.yaml").write_text(config + SITE_YAML_EXTRA)
    trade = (site / "content/issues/trade.yaml").read_text()
    trade = trade.replace("  - We buy your energy.\n",
                          f"  - We buy your energy.\n  - {{text: {PLANTED['point']}., marking: C}}\n")
    trade = trade.replace("red_lines: [No voluntary export restraints.]",
                          f"red_lines:\n  - No voluntary export restraints.\n"
                          f"  - {{text: {PLANTED['red line']}., marking: C//NOFORN}}")
    trade = trade.replace("    a: We are not discussing retaliation.\n",
                          f"    a: We are not discussing retaliation.\n  - q: {PLANTED['question']}?\n"
                          f"    a: No comment.\n    marking: FOUO\n")
    trade = trade.replace("    authority: Minister\n",
                          f"    authority: Minister\n  - item: {PLANTED['offer']}.\n    marking: C\n")
    trade = trade.replace("likelihood: medium, mitigation: Hold the press line.}",
                          f"likelihood: medium, mitigation: Hold the press line.}}\n"
                          f"  - {{risk: {PLANTED['risk']}., likelihood: low, marking: C}}")
    (site / "content/issues/trade.yaml").write_text(trade)
    defence = (site / "content/issues/defence.yaml").read_text()
    defence = defence.replace("background: The budget rose.", f"background: {PLANTED['issue']}.")
    defence = defence.replace("status: draft\n", "status: draft\nmarking: CONFIDENTIAL\n")
    (site / "content/issues/defence.yaml").write_text(defence)
    trade = (site / "content/issues/trade.yaml").read_text()
    trade = trade.replace("related_issues: [defence]", "related_issues: [defence]")
    carol = (site / "content/people/carol.yaml").read_text()
    carol = carol.replace("summary: Runs a carmaker.", f"summary: {PLANTED['person']}.\nmarking: C")
    (site / "content/people/carol.yaml").write_text(carol)
    facts = (site / "content/facts.yaml").read_text()
    facts += (f"  - id: badger\n    label: {PLANTED['fact']}\n    value: 3\n    unit: USD bn\n"
              f"    as_of: 2025-01\n    marking: C\n    source: {{label: Badger source, url: \"https://example.org/b\"}}\n")
    (site / "content/facts.yaml").write_text(facts)
    schedule = (site / "content/schedule.yaml").read_text()
    schedule += (f"  - id: weasel\n    date: 2025-03-02\n    start: \"15:00\"\n    title: {PLANTED['programme item']}\n"
                 f"    kind: meeting\n    place: Room\n    press: closed\n    marking: C\n")
    (site / "content/schedule.yaml").write_text(schedule)
    write_files(site, {
        "content/pages/secret.md": f"---\ntitle: Secret page\nmarking: C\n---\n{PLANTED['page']}.\n",
        "content/pages/notes.md": (site / "content/pages/notes.md").read_text() +
        f"\n```chart\nkind: map\nmetric: jobs\nmarking: C\ntitle: {PLANTED['chart block']}\n```\n",
    })
    rows = (site / "content/data/investments.csv").read_text().splitlines()
    rows[0] += ",marking"
    rows = [rows[0]] + [r + "," for r in rows[1:]]
    rows.append(f"stoat,Stoat Corp,{PLANTED['investment row']},Lexington,KY,38.0,-84.5,automotive,,,,"
                f"100,direct_current,2024,announced,2024-12,N,https://example.org/s,Stoat source,,C")
    (site / "content/data/investments.csv").write_text("\n".join(rows) + "\n")
    states = (site / "content/data/states.csv").read_text().splitlines()
    states[0] += ",marking"
    states = [states[0]] + [r + "," for r in states[1:]]
    states.append(f"KY,facilities,{PLANTED['state figure']},12,jobs,2024,N,Mink org,https://example.org/m,,C")
    (site / "content/data/states.csv").write_text("\n".join(states) + "\n")
    return site


def output_text(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_bytes().decode("utf-8", "replace")
            for p in site.rglob("*") if p.is_file()}


def hits(files: dict[str, str], needle: str) -> list[str]:
    forms = {needle, html.escape(needle), json.dumps(needle)[1:-1]}
    return [path for path, text in files.items() if any(form in text for form in forms)]


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("editions")
    site = marked_book(tmp)
    result = run_briefing("build", "--all-editions", "--out", str(tmp / "out"), cwd=site)
    assert result.returncode == 0, result.stderr
    return tmp / "out" / "full", tmp / "out" / "open"


def test_the_lower_edition_holds_nothing_above_its_ceiling_in_any_byte(editions):
    full, lower = editions
    files = output_text(lower)
    assert {kind: hits(files, text) for kind, text in PLANTED.items() if hits(files, text)} == {}
    # nor their ids, in file names or links
    assert not any(name in path for path in files for name in ("secret", "carol", "defence", "stoat"))
    assert not any(f'{name}' in text for text in files.values()
                   for name in ("pages/secret.html", "people/carol.html", "issues/defence.html", "project-stoat"))


def test_the_full_edition_holds_every_planted_sentence(editions):
    full, lower = editions
    files = output_text(full)
    assert [kind for kind, text in PLANTED.items() if not hits(files, text)] == []


def test_the_lower_edition_has_no_link_to_a_missing_page(editions):
    assert broken_links(editions[1]) == []


def test_each_page_banner_is_the_roll_up_of_what_it_shows(editions):
    full, lower = editions

    def banner(site: Path, page: str) -> str:
        text = (site / page).read_text()
        return text.split('aria-label="Handling marking">', 1)[1].split("<", 1)[0]

    assert banner(full, "issues/trade.html") == "CONFIDENTIAL//NOFORN"  # a NOFORN red line
    assert banner(full, "issues/defence.html") == "CONFIDENTIAL"
    assert banner(full, "programme.html") == "CONFIDENTIAL"  # the weasel item
    assert banner(full, "sources.html") == "UNCLASSIFIED"
    assert banner(full, "pages/notes.html") == "CONFIDENTIAL"  # its chart block
    assert banner(full, "investment/ky.html") == "CONFIDENTIAL"  # the stoat row and the mink figure
    assert banner(full, "investment/tx.html") == "UNCLASSIFIED"
    for page in ("index.html", "issues/trade.html", "programme.html", "investment/ky.html", "facts.html"):
        assert banner(lower, page) == "UNCLASSIFIED", page
    # the same banner at the bottom and on every printed sheet
    text = (full / "issues/trade.html").read_text()
    assert text.count("CONFIDENTIAL//NOFORN") >= 3


def test_release_lists_intersect_and_noforn_removes_them():
    scheme = SCHEMES["government"]
    parse = scheme.parse
    assert scheme.rollup([parse("C//REL TO USA, JPN"), parse("U//REL TO JPN, GBR")]).banner == \
        "CONFIDENTIAL//REL TO JPN"
    assert scheme.rollup([parse("C//REL TO USA, JPN"), parse("FOUO//NOFORN")]).banner == "CONFIDENTIAL//NOFORN"
    assert scheme.rollup([parse("FOUO//ORCON"), parse("U//PROPIN")]).banner == \
        "FOR OFFICIAL USE ONLY//ORCON//PROPIN"
    assert scheme.rollup([]).banner == "UNCLASSIFIED"
    assert parse("C//REL TO USA, JPN").portion == "(C//REL TO JPN, USA)"
    tlp = SCHEMES["tlp"]
    assert tlp.rollup([tlp.parse("AMBER"), tlp.parse("TLP:GREEN")]).banner == "TLP:AMBER"


def test_what_an_edition_leaves_out_is_listed_with_where_and_why(tmp_path: Path):
    site = marked_book(tmp_path)
    result = run_briefing("check", "--edition", "open", cwd=site)
    assert result.returncode == 0, result.stderr
    listed = result.stdout
    assert "content/issues/defence.yaml:5:10: marking: issue defence: marked CONFIDENTIAL, above the edition's " \
           "ceiling UNCLASSIFIED" in listed
    assert "red_lines[1] of issue trade: marked CONFIDENTIAL//NOFORN" in listed
    assert "content/data/investments.csv:6:187: marking: investment record stoat" in listed and "investment record stoat" in listed


def test_a_leak_past_select_fails_the_build_and_names_the_item_and_the_file(tmp_path: Path):
    """The audit is the last line: a book template that prints restricted text is caught."""
    site = marked_book(tmp_path)
    write_files(site, {"templates/sources.html": (REPO / "templates" / "sources.html").read_text().replace(
        "{% block content %}", "{% block content %}<p>" + PLANTED["person"] + "</p>", 1)})
    out = tmp_path / "out"
    result = run_briefing("build", "--edition", "open", "--out", str(out), cwd=site)
    assert result.returncode == 1
    assert "content/people/carol.yaml" in result.stderr and "person carol" in result.stderr
    assert "is in sources.html" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("change, expected", [
    (("content/issues/trade.yaml", "status: cleared\n", "status: cleared\nmarking: CONFIDENTAIL\n"),
     "content/issues/trade.yaml:5:10: marking: unknown marking 'CONFIDENTAIL' in the government scheme: use one "
     "of UNCLASSIFIED, FOR OFFICIAL USE ONLY, CONFIDENTIAL, SECRET, TOP SECRET (or U, FOUO, C, S, TS) "
     "(did you mean 'CONFIDENTIAL'?)"),
    (("content/issues/trade.yaml", "status: cleared\n", "status: cleared\nmarking: C//NOFRN\n"),
     "unknown caveat 'NOFRN' in the government scheme"),
    (("content/issues/trade.yaml", "status: cleared\n", "status: cleared\nmarking: FOUO\n"),
     "is above the FOR OFFICIAL USE ONLY of the item that holds it"),
    (("site.yaml", "ceiling: UNCLASSIFIED, release", "ceiling: UNCLASIFIED, release"),
     "site.yaml:34:48: editions[1].ceiling: unknown marking 'UNCLASIFIED'"),
    (("site.yaml", "{name: full, title: Full book, ceiling: CONFIDENTIAL}",
      "{name: full, title: Full book, ceiling: CONFIDENTIAL, statuses: [aproved]}"),
     "editions[0].statuses[0]"),
])
def test_marking_mistakes_are_located_and_nothing_is_written(tmp_path: Path, change, expected):
    site = marked_book(tmp_path)
    path, old, new = change
    text = (site / path).read_text()
    assert old in text
    (site / path).write_text(text.replace(old, new, 1))
    out = tmp_path / "out"
    result = run_briefing("build", "--all-editions", "--out", str(out), cwd=site)
    assert result.returncode == 1
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


def test_an_unknown_edition_is_refused_with_the_known_ones(tmp_path: Path):
    site = marked_book(tmp_path)
    result = run_briefing("build", "--edition", "opne", "--out", str(tmp_path / "out"), cwd=site)
    assert result.returncode == 1
    assert "unknown edition 'opne': this book's editions are full, open (did you mean 'open'?)" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_book_without_markings_keeps_its_fixed_banner(tmp_path: Path):
    out = tmp_path / "out"
    build(MINIMAL, out)
    assert 'aria-label="Handling marking">TEST MARKING<' in (out / "issues" / "trade.html").read_text()
    site = copy_site(MINIMAL, tmp_path / "book")
    text = (site / "content/issues/trade.yaml").read_text()
    (site / "content/issues/trade.yaml").write_text(text.replace("status: cleared\n", "status: cleared\nmarking: C\n"))
    with pytest.raises(ContentError) as caught:
        build(site, tmp_path / "out2")
    assert "declares no marking scheme" in caught.value.problems[0].message


def test_the_sample_shareable_edition_leaves_out_every_paper_and_bio(tmp_path: Path):
    result = run_briefing("build", "--edition", "shareable", "--out", str(tmp_path / "share"), cwd=REPO)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "share"
    for lang in ("en", "ja"):  # the edition in each of the book's languages
        assert not (site / lang / "issues").exists() and not (site / lang / "people").exists()
    assert broken_links(site) == []
    cover = (site / "en/index.html").read_text()
    assert "Objectives" not in cover and "UNCLASSIFIED" in cover


def test_the_shareable_edition_in_chromium_from_disk_and_over_nginx_has_no_dead_link(browser, tmp_path: Path):
    from servers import nginx
    from test_browser import check_every_page

    site = tmp_path / "share"
    build(REPO, site, edition="shareable")
    assert check_every_page(browser, site, site.resolve().as_uri() + "/") == {}
    with nginx(site, "/intranet/share/", tmp_path / "nginx") as base:
        assert check_every_page(browser, site, base) == {}
        context = browser.new_context()
        page = context.new_page()
        dead = []
        for rel in sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")):
            page.goto(base + rel)
            links = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href.split('#')[0])")
            for link in sorted(set(links)):
                if link.startswith(base) and page.request.get(link).status != 200:
                    dead.append(f"{rel} -> {link}")
        context.close()
    assert dead == []


def test_an_edition_can_take_only_some_statuses_and_sections(tmp_path: Path):
    site = marked_book(tmp_path)
    text = (site / "site.yaml").read_text()
    (site / "site.yaml").write_text(text.replace(
        "{name: full, title: Full book, ceiling: CONFIDENTIAL}",
        "{name: full, title: Full book, ceiling: CONFIDENTIAL, statuses: [final], sections: [home, issues, sources]}"))
    result = run_briefing("check", "--edition", "full", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "issue trade: its status is cleared; the edition takes final" in result.stdout
    assert "the programme: its section, programme, is not in the edition" in result.stdout
    assert "person carol: its section, people, is not in the edition" in result.stdout
    out = tmp_path / "out"
    assert run_briefing("build", "--edition", "full", "--out", str(out), cwd=site).returncode == 0
    assert not (out / "issues" / "trade.html").exists() and not (out / "programme.html").exists()
    assert broken_links(out) == []


def test_diff_publish_and_changes_of_an_edition_show_only_what_it_may(tmp_path: Path):
    import os
    import subprocess

    site = marked_book(tmp_path)

    def git(*args: str) -> None:
        env = {**os.environ, "GIT_AUTHOR_DATE": "2025-02-05T09:00:00+09:00",
               "GIT_COMMITTER_DATE": "2025-02-05T09:00:00+09:00"}
        subprocess.run(["git", *args], cwd=site, env=env, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("config", "user.email", "desk@example.org")
    git("config", "user.name", "Desk")
    (site / ".gitignore").write_text("_site/\n.briefing-cache/\n")
    git("add", "-A")
    git("commit", "-q", "-m", "v1")
    git("tag", "v1")
    trade = site / "content/issues/trade.yaml"
    text = trade.read_text()
    secret_edit = "Planted reworded red line about the narwhal quota"
    trade.write_text(text.replace(PLANTED["red line"], secret_edit).replace("We buy your energy.",
                                                                            "We buy your energy, and more."))
    git("commit", "-q", "-am", "v2")
    git("tag", "v2")

    diff = run_briefing("diff", "--edition", "open", "v1", "v2", cwd=site)
    assert diff.returncode == 0, diff.stderr
    assert "We buy your energy{+, and more+}." in diff.stdout
    assert "narwhal" not in diff.stdout and "walrus" not in diff.stdout
    full = run_briefing("diff", "v1", "v2", cwd=site)
    assert "narwhal" in full.stdout  # the same diff without an edition shows the red line

    out = tmp_path / "since"
    built = run_briefing("build", "--edition", "open", "--since", "v1", "--out", str(out), cwd=site)
    assert built.returncode == 0, built.stderr
    assert not hits(output_text(out), secret_edit) and not hits(output_text(out), PLANTED["red line"])
    assert (out / "changes.html").is_file()

    dest = tmp_path / "published"
    published = run_briefing("publish", str(dest), "--version", "v2", "--edition", "open", cwd=site)
    assert published.returncode == 0, published.stderr
    files = output_text(dest)
    assert [kind for kind, text in PLANTED.items() if hits(files, text)] == [] and not hits(files, secret_edit)
