"""The sample book in a real browser: every page from disk and from an intranet sub-path, offline."""

from pathlib import Path

import pytest

from builder.build import build, load_book
from builder.geo import STATES
from builder.text.figures import format_millions, format_number
from conftest import REPO
from servers import Watch, nginx

CHART_WAIT = """() => Array.from(document.querySelectorAll('figure.chart')).every(
    f => f.classList.contains('chart-live') || f.classList.contains('chart-failed'))"""


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    build(REPO, out)
    return out / "en"  # the English site (test_readers opens every page of both)


@pytest.fixture(scope="module")
def served(sample_site: Path, tmp_path_factory):
    """The sample book on nginx, under a sub-path as an intranet would publish it."""
    with nginx(sample_site, "/intranet/books/summit/", tmp_path_factory.mktemp("nginx")) as base:
        yield base


def pages_of(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def check_every_page(browser, site: Path, base: str) -> dict[str, list[str]]:
    """Open every page; return what went wrong per page (empty lists when all is well)."""
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page, base)
    problems = {}
    for rel in pages_of(site):
        watch.errors.clear()
        watch.outside.clear()
        page.goto(base + rel)
        page.wait_for_function(CHART_WAIT, timeout=20_000)
        drawn = page.eval_on_selector_all(
            "figure.chart", "fs => fs.map(f => !!f.querySelector('.chart-view svg, .chart-view canvas'))")
        found = [f"console: {e}" for e in watch.errors] + [f"outside request: {u}" for u in watch.outside]
        found += [f"chart {i + 1} not drawn" for i, ok in enumerate(drawn) if not ok]
        if found:
            problems[rel] = found
    context.close()
    return problems


def test_every_page_works_from_disk_with_the_network_cut(browser, sample_site: Path):
    assert check_every_page(browser, sample_site, sample_site.resolve().as_uri() + "/") == {}


def test_every_page_works_from_an_intranet_sub_path(browser, sample_site: Path, served: str):
    assert check_every_page(browser, sample_site, served) == {}


def test_a_page_that_loads_from_outside_is_caught(browser, tmp_path: Path):
    """The watch itself can fail: a page that asks for a CDN script is reported."""
    (tmp_path / "index.html").write_text('<script src="https://cdn.example.org/x.js"></script><p>x</p>')
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page, tmp_path.resolve().as_uri() + "/")
    page.goto(tmp_path.resolve().as_uri() + "/index.html")
    context.close()
    assert watch.outside == ["https://cdn.example.org/x.js"]


def open_home(browser, sample_site: Path, **options):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, **options)
    page = context.new_page()
    Watch(page, sample_site.resolve().as_uri() + "/")
    page.goto((sample_site / "index.html").resolve().as_uri())
    return context, page


def test_hovering_a_state_shows_its_figure_basis_and_source(browser, sample_site: Path):
    book, _ = load_book(REPO)
    [record] = [r for r in book.investments if r.state == "KY"]
    context, page = open_home(browser, sample_site)
    page.wait_for_selector("figure.chart-live")
    page.locator("figure.chart .chart-view svg path[aria-label*='State: Kentucky;']").hover(force=True)
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible")
    text = " ".join(tooltip.inner_text().split())
    empty = next(s for s in STATES.values() if s.code not in book.jobs_figures and s.code not in
                 {r.state for r in book.investments})  # a state the book has nothing on: its words come from the spec
    page.locator(f"figure.chart .chart-view svg path[aria-label*='State: {empty.name};']").hover(force=True)
    page.wait_for_function("n => document.querySelector('#vg-tooltip-element').innerText.includes(n)", arg=empty.name)
    nothing = " ".join(tooltip.inner_text().split())
    context.close()
    assert f"State {empty.name} Employment at Japanese-owned companies no figure in this book" in nothing
    assert "Projects none in this book Announced amount — Jobs at the projects — Basis No project records" in nothing
    figure = book.jobs_figures["KY"]
    assert "State Kentucky" in text
    assert f"Employment at Japanese-owned companies {format_number(figure.value)} jobs, {figure.period}" in text
    amount = (format_millions(record.amount) if record.basis == "announced"
              else "none announced (1 on other bases, not added in)")
    assert f"Projects 1 Announced amount {amount} Jobs at the projects {format_number(record.jobs)}" in text
    assert "Basis Sum of 1 project record in this book" in text
    assert f"Source {record.source_label}" in text


def test_reader_can_choose_the_metric_that_shades_the_states(browser, sample_site: Path):
    context, page = open_home(browser, sample_site)
    page.wait_for_selector("figure.chart-live")
    title = page.locator("figure.chart .chart-view svg .role-title-text")
    assert title.text_content().endswith("states by employment at Japanese-owned companies")
    page.locator("figure.chart .vega-bindings select").select_option("projects")
    page.wait_for_function("() => document.querySelector('figure.chart .role-title-text')"
                           ".textContent.endsWith('number of projects')")
    context.close()


def test_without_javascript_the_static_map_shows(browser, sample_site: Path):
    context, page = open_home(browser, sample_site, java_script_enabled=False)
    image = page.locator("figure.chart img.chart-static")
    assert image.is_visible()
    assert page.evaluate("() => document.querySelector('img.chart-static').naturalWidth") > 300
    context.close()


def test_print_uses_the_static_svg(browser, sample_site: Path, tmp_path: Path):
    context, page = open_home(browser, sample_site)
    page.wait_for_selector("figure.chart-live")
    page.emulate_media(media="print")
    assert page.locator("figure.chart img.chart-static").is_visible()
    assert not page.locator("figure.chart .chart-view").is_visible()
    pdf = tmp_path / "home.pdf"
    page.pdf(path=str(pdf))
    context.close()
    import subprocess
    from servers import require
    text = subprocess.run([require("pdftotext"), str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "states by employment" in text  # the map's own title, drawn from the SVG
    banner = (sample_site / "index.html").read_text().split('aria-label="Handling marking">')[1].split("<")[0]
    assert banner == "CONFIDENTIAL" and text.count(banner) >= 2  # the cover's objectives are marked C
