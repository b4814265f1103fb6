"""End-to-end builds: the sample book and the minimal site, every page, every link, same bytes twice."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.build import build
from builder.targets.site.plan import plan_pages
from conftest import MINIMAL, REPO, copy_site, run_briefing, tree
from links import broken_links


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory) -> tuple[Path, object]:
    """The repository's own sample book, built once for this module."""
    out = tmp_path_factory.mktemp("sample") / "_site"
    result = build(REPO, out)
    return out / "en", result  # the sample book is in English and Japanese: a site for each


def test_sample_book_has_every_planned_page(sample_build):
    out, result = sample_build
    urls = [plan.url for plan in plan_pages(result.book)]
    assert len(urls) == len(set(urls))
    missing = [url for url in urls if not (out / url).is_file() or not (out.parent / "ja" / url).is_file()]
    assert missing == []
    assert result.pages == 2 * len(urls) + 1  # each page in English and in Japanese, and the choice of language


def test_sample_book_covers_the_summit(sample_build):
    out, result = sample_build
    book = result.book
    assert {"tariffs", "defense-spending", "security-commitment", "lng", "investment"} <= set(book.issue_by_id)
    assert {"ishiba", "trump", "son", "altman", "toyoda"} <= set(book.person_by_id)
    assert book.schedule is not None and len(book.schedule.items) >= 4
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "Ishiba" in home and "Trump" in home


def test_every_internal_link_of_the_sample_resolves(sample_build):
    out, _ = sample_build
    assert broken_links(out.parent) == []  # both languages, and the links between them


def test_every_page_carries_its_computed_marking_top_and_bottom(sample_build):
    out, result = sample_build
    seen = set()
    for page in out.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        banners = [el.get_text() for el in soup.select(".marking")]
        assert len(banners) == 2 and banners[0] == banners[1] and banners[0], page
        seen.add(banners[0])
    # papers are CONFIDENTIAL (two with a NOFORN red line), bios FOUO, the sources page unmarked
    assert seen == {"CONFIDENTIAL", "CONFIDENTIAL//NOFORN", "FOR OFFICIAL USE ONLY", "UNCLASSIFIED"}


def test_every_cited_figure_shows_its_source_and_as_of_on_the_same_page(sample_build):
    out, _ = sample_build
    for page in out.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for ref in soup.select("sup.cite a"):
            note = soup.find(id=ref["href"][1:])
            assert note is not None, (page, ref)
            if note.select_one(".flag-proposal"):  # the book's own proposal: flagged, no outside source
                continue
            assert "Source:" in note.get_text() and "as of" in note.get_text()
            assert note.find("a", href=True)["href"].startswith("http")


def test_every_investment_row_and_fact_shows_a_source_link(sample_build):
    out, result = sample_build
    # each project is listed on its state's page; nationwide ones on the investment page
    rows = []
    for page in ["investment/index.html", *(f"investment/{s.slug}.html" for s in result.book.states_with_data)]:
        soup = BeautifulSoup((out / page).read_text(encoding="utf-8"), "html.parser")
        rows += soup.select("table.investments tbody tr")
    assert sorted(row["id"] for row in rows) == sorted(f"project-{r.id}" for r in result.book.investments)
    for row in rows:
        assert row.find("a", href=lambda h: h and h.startswith("http")), row.get_text()
        assert "as of" in row.get_text()
    facts = BeautifulSoup((out / "facts.html").read_text(encoding="utf-8"), "html.parser")
    for fact in result.book.facts:
        row = facts.find(id=f"fact-{fact.id}")
        if fact.proposal:  # the book's own proposal: flagged instead of a source
            assert row.select_one(".flag-proposal"), fact.id
        else:
            assert row.find("a", href=fact.source.url)
        assert fact.as_of in row.get_text()


def test_two_builds_are_byte_identical(tmp_path: Path):
    first = run_briefing("build", "--quiet", "--out", str(tmp_path / "a"), cwd=REPO,
                         env={"PYTHONHASHSEED": "1"})
    second = run_briefing("build", "--quiet", "--out", str(tmp_path / "b"), cwd=REPO,
                          env={"PYTHONHASHSEED": "2"})
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert a.keys() == b.keys()
    assert [path for path in a if a[path] != b[path]] == []


def test_minimal_site_pages_and_links(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    result = build(site, tmp_path / "out")
    out = tmp_path / "out"
    assert broken_links(out) == []
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")) == sorted([
        "index.html", "programme.html", "issues/index.html", "issues/trade.html",
        "issues/defence.html", "people/index.html", "people/alice.html", "people/bob.html",
        "people/carol.html", "facts.html", "investment/index.html", "investment/ky.html",
        "investment/oh.html", "investment/pa.html", "investment/tx.html", "sources.html",
        "pages/notes.html"])
    assert result.pages == 17


def test_issue_page_shows_the_paper_in_briefing_order(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    build(site, tmp_path / "out")
    soup = BeautifulSoup((tmp_path / "out/issues/trade.html").read_text(encoding="utf-8"), "html.parser")
    headings = [h.get_text() for h in soup.select("main h2:not(.page-contents-title)")]
    assert [a.get_text() for a in soup.select("nav.page-contents a")][:3] == ["Objective", "Points to make", "Positions"]
    assert headings[:3] == ["Objective", "Points to make", "Our position"]
    assert "Red lines" in headings and "Press line" in headings and "Background" in headings
    points = [li.get_text(" ", strip=True) for li in soup.select("ol.points-to-make li")]
    assert points[1] == "We buy your energy."
    assert "¥8.7 tn" in points[0] and "Kentucky" in points[0]
    # the automotive filter selects the two car plants, not the steel deal
    assert [r["id"] for r in soup.select("table.investments tbody tr")] == [
        "project-ky-plant", "project-tx-plant"]
    assert "Cleared by Director (Trade division), 19 Feb 2025." in soup.select_one(".clearance").get_text()


def test_yen_figures_show_their_dollar_value_with_the_rate_and_date(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    build(site, tmp_path / "out")
    soup = BeautifulSoup((tmp_path / "out/facts.html").read_text(encoding="utf-8"), "html.parser")
    row = soup.find(id="fact-jobs-supported").get_text(" ", strip=True)
    assert "¥8.7 tn" in row and "≈ $58 bn at ¥150/$ on 20 Feb 2025" in row


def test_programme_shows_local_and_home_times(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    build(site, tmp_path / "out")
    soup = BeautifulSoup((tmp_path / "out/programme.html").read_text(encoding="utf-8"), "html.parser")
    meeting = soup.find(id="meeting").select_one(".time").get_text(" ", strip=True)
    assert meeting == "12:00–13:30 EST 02:00 JST (Mon 3 Mar)"


def test_check_writes_nothing(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    result = run_briefing("check", cwd=site)
    assert result.returncode == 0
    assert result.stdout.startswith("OK: 2 issues, 3 people, 2 facts, 4 investment records, 17 pages")
    assert not (site / "_site").exists()


def test_built_pages_carry_no_preview_script(sample_build):
    out, _ = sample_build
    for path in out.rglob("*"):
        if path.is_file():
            assert b"__briefing" not in path.read_bytes(), path
