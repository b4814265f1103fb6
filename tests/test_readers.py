"""The web book as its readers get it: on a phone, with a screen reader, on paper, and as valid HTML.

Every page of the sample book and of the minimal book is opened from disk in Chromium. axe-core
(with JavaScript on and off) and the W3C Nu HTML Checker must find nothing; no page may scroll
sideways on a 390 px phone; no page or chart may show NaN, undefined, null or n/a; a printed page
with a long table keeps the marking on every sheet and every column on every sheet.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from builder.build import build
from conftest import MINIMAL, REPO, copy_site
from servers import require

TOOLS = Path(__file__).parent / "tools" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('figure.chart')).every(
    f => f.classList.contains('chart-live') || f.classList.contains('chart-failed'))"""
PLACEHOLDER = re.compile(r"\b(NaN|undefined|null|n/a)\b", re.I)
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values:
    ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}, resultTypes: ['violations']});
  return result.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '));
}"""


def tool(path: Path) -> Path:
    if not path.exists():
        require(str(path))  # fails in CI, skips elsewhere, naming what to install
    return path


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """The sample book and the minimal book, built; the minimal one with a table long enough to print."""
    root = tmp_path_factory.mktemp("readers")
    build(REPO, root / "sample")
    site = copy_site(MINIMAL, root / "minimal-book")
    path = site / "content/data/investments.csv"
    rows = [f"tx-{i},Maker {i} Holdings of America,Plant number {i},San Antonio,TX,29.42,-98.49,automotive,{100 + i},"
            f"USD,announced,{50 + i},planned_new,2024,announced,2024-12,N,https://example.org/tx/{i},Texas source {i},"
            f"Expansion of the existing site" for i in range(90)]
    path.write_text(path.read_text() + "\n".join(rows) + "\n")
    build(site, root / "minimal")
    return {"sample": root / "sample", "minimal": root / "minimal"}


def pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


@pytest.mark.parametrize("book", ["sample", "minimal"])
def test_no_page_scrolls_sideways_on_a_phone(browser, books, book):
    site = books[book]
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    wide = {}
    for rel in pages(site):
        page.goto((site / rel).as_uri())
        page.wait_for_function(CHARTS_DRAWN, timeout=20_000)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[rel] = width
    context.close()
    assert wide == {}


@pytest.mark.parametrize("book", ["sample", "minimal"])
@pytest.mark.parametrize("scripts", ["on", "off"])
def test_axe_finds_nothing_with_javascript_on_and_off(browser, books, book, scripts):
    tool(AXE)
    site = books[book]
    # bypass_csp: the book's policy rightly refuses the injected checker, which is not part of the book
    context = browser.new_context(java_script_enabled=scripts == "on", bypass_csp=True)
    page = context.new_page()
    found = {}
    for rel in pages(site):
        page.goto((site / rel).as_uri())
        if scripts == "on":
            page.wait_for_function(CHARTS_DRAWN, timeout=20_000)
        else:
            assert page.evaluate("!document.querySelector('figure.chart-live')")
            # let only the injected checker run: its timers need script execution back on
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
            cdp.send("Emulation.setScriptExecutionDisabled", {"value": False})
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(RUN_AXE)
        if violations:
            found[rel] = violations
    context.close()
    assert found == {}


@pytest.mark.parametrize("book", ["sample", "minimal"])
def test_the_nu_html_checker_finds_no_error(books, book):
    java = require("java")
    site = books[book]
    files = [str(site / rel) for rel in pages(site)]
    result = subprocess.run([java, "-jar", str(tool(VNU)), "--errors-only", "--format", "json",
                             "--exit-zero-always", *files], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}" for m in messages]
    assert errors == []


@pytest.mark.parametrize("book", ["sample", "minimal"])
def test_no_page_or_chart_shows_placeholder_text(browser, books, book):
    site = books[book]
    page = browser.new_page()
    found = {}
    for rel in pages(site):
        page.goto((site / rel).as_uri())
        page.wait_for_function(CHARTS_DRAWN, timeout=20_000)
        text = page.evaluate("""() => document.body.innerText + ' ' + Array.from(document.querySelectorAll(
            '[aria-label], [alt], [title]')).map(e => [e.getAttribute('aria-label'), e.getAttribute('alt'),
            e.getAttribute('title')].join(' ')).join(' ') + ' ' + Array.from(document.querySelectorAll('svg text'))
            .map(t => t.textContent).join(' ')""")
        hits = sorted(set(PLACEHOLDER.findall(text)))
        if hits:
            found[rel] = hits
    page.close()
    for svg in sorted((site / "charts").glob("*.svg")):
        hits = sorted(set(PLACEHOLDER.findall(re.sub(r"<style>.*?</style>", "", svg.read_text(), flags=re.S))))
        if hits:
            found[svg.name] = hits
    assert found == {}


def test_a_printed_page_keeps_its_marking_and_every_column_on_every_sheet(browser, books, tmp_path: Path):
    require(shutil.which("pdftotext") or "/usr/bin/pdftotext")
    site = books["minimal"]
    page = browser.new_page()
    page.goto((site / "investment/tx.html").as_uri())
    page.wait_for_function(CHARTS_DRAWN, timeout=20_000)
    page.emulate_media(media="print")
    pdf = tmp_path / "tx.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.close()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    sheets = [s for s in text.split("\f") if s.strip()]
    assert len(sheets) >= 3  # the long table runs over several sheets
    headers = ["Company and project", "Sector", "Amount", "Jobs", "Status", "Source"]
    for number, sheet in enumerate(sheets, 1):
        assert sheet.count("TEST MARKING") >= 2, f"sheet {number} lacks the marking at top and bottom"
        assert re.search(rf"\b{number} ?/ ?{len(sheets)}\b", sheet), f"sheet {number} lacks its page number"
        if "Maker" in sheet:  # a sheet with rows of the table shows every column's header
            assert all(h in sheet for h in headers), f"sheet {number} lost a column: {sheet[:400]}"
            assert "Texas source" in sheet  # the last column's cells are on the sheet too
