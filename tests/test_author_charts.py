"""Authors' own charts: a corpus of specs and the data files people really have.

The corpus book (tests/sites/charts) has one chart of each kind an author writes: layers,
facets, repeats, geo with lookups, named datasets, selections, the transform families,
an Excel CSV with a byte-order mark, TSV and DSV, GeoJSON and TopoJSON, a `<!--` in a title.
Each draws live from file://, has a static SVG and a table. The broken specs under
charts/bad each give a message located in the file that holds the mistake.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.build import build
from builder.errors import ContentError
from conftest import REPO, run_briefing
from servers import Watch
from test_browser import CHART_WAIT

CORPUS = REPO / "tests" / "sites" / "charts"
SPECS = sorted(p.name for p in (CORPUS / "charts" / "corpus").glob("*.json"))


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "site"
    build(CORPUS, out)
    return out


def gallery(site: Path) -> BeautifulSoup:
    return BeautifulSoup((site / "pages" / "gallery.html").read_text(encoding="utf-8"), "html.parser")


def figures_by_spec(site: Path) -> dict[str, object]:
    """Return each gallery chart's <figure>, by the spec file named in the heading above it."""
    soup = gallery(site)
    return {h.get_text(strip=True) + ".json": h.find_next("figure") for h in soup.select("main h2")
            if h.get_text(strip=True) + ".json" in SPECS}


def test_every_corpus_chart_draws_live_from_disk_with_the_network_cut(browser, corpus_site: Path):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    base = corpus_site.resolve().as_uri() + "/"
    watch = Watch(page, base)
    page.goto(base + "pages/gallery.html")
    page.wait_for_function(CHART_WAIT, timeout=30_000)
    drawn = page.eval_on_selector_all("main figure.chart", """fs => fs.map(f => [
        f.closest('section, main').querySelector('h2') && f.previousElementSibling
          ? f.previousElementSibling.textContent.trim() : '',
        f.classList.contains('chart-live'),
        f.querySelectorAll('.chart-view svg path, .chart-view svg text').length])""")
    context.close()
    assert watch.errors == [] and watch.outside == []
    assert len(drawn) == len(SPECS)
    assert [d for d in drawn if not d[1] or d[2] < 3] == [], "charts that did not draw, or drew nothing"


def test_an_excel_csv_with_a_byte_order_mark_draws_its_first_column(browser, corpus_site: Path):
    figure = figures_by_spec(corpus_site)["bar-excel-csv.json"]
    headers = [th.get_text() for th in figure.select("table thead th")]
    assert headers == ["city", "jobs"]  # not "\ufeffcity"
    assert [tr.th.get_text() for tr in figure.select("table tbody tr")][:2] == ["Columbus", "Georgetown"]
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    Watch(page, corpus_site.resolve().as_uri() + "/")
    page.goto((corpus_site / "pages" / "gallery.html").resolve().as_uri())
    page.wait_for_function(CHART_WAIT, timeout=30_000)
    labels = page.eval_on_selector(f"#{figure['id']} .chart-view svg",
                                   "svg => Array.from(svg.querySelectorAll('text')).map(t => t.textContent)")
    context.close()
    assert {"Columbus", "Georgetown", "Smyrna", "Montréal"} <= set(labels)
    assert "undefined" not in labels
    svg = (corpus_site / figure.select_one("img.chart-static")["src"].removeprefix("../")).read_text()
    assert "Georgetown" in svg and "undefined" not in svg


def test_every_chart_has_a_static_svg_a_table_and_alt_text(corpus_site: Path):
    figures = figures_by_spec(corpus_site)
    assert sorted(figures) == SPECS
    for name, figure in figures.items():
        img = figure.select_one("img.chart-static")
        svg = corpus_site / "pages" / img["src"]
        assert svg.is_file() and svg.stat().st_size > 1000, name
        assert figure.select("details.chart-data table tbody tr"), f"{name} has no data table"
        alt = img["alt"]
        assert alt and alt != "Chart" and alt == figure.select_one(".chart-view")["aria-label"], name
        spec = json.loads((CORPUS / "charts" / "corpus" / name).read_text())
        if "description" in spec:
            assert alt == spec["description"]
    assert figures["concat-untitled.json"].select_one("img")["alt"] == "Bar chart and Strip plot of day, value"
    assert figures["line-big-table.json"].select_one("img")["alt"] == "Daily values (250 rows)"


def test_layers_lookups_and_named_datasets_each_get_a_table(corpus_site: Path):
    figures = figures_by_spec(corpus_site)
    names = lambda f: [s.get_text(" ", strip=True) for s in f.select("details.chart-data summary")]  # noqa: E731
    assert names(figures["layer-comment.json"]) == [
        "Data behind the chart: Budget <!-- not a comment </script> (Data)",
        "Data behind the chart: Budget <!-- not a comment </script> (Data of layer 3)"]
    assert [len(d.select("tbody tr")) for d in figures["geo-lookup-topojson.json"].select("details")] == [2, 2]
    assert "Lookup data" in names(figures["geo-lookup-topojson.json"])[1]
    shapes = figures["geojson-property.json"].select_one("details table")
    assert [th.get_text() for th in shapes.select("thead th")] == ["type", "properties.name", "properties.value",
                                                                  "geometry"]
    assert [th.get_text() for th in figures["datasets-selection.json"].select("thead th")] == ["sector", "usd_bn"]


def test_a_long_table_is_capped_and_links_to_all_its_rows_as_csv(corpus_site: Path):
    figure = figures_by_spec(corpus_site)["line-big-table.json"]
    assert len(figure.select("details tbody tr")) == 100
    note = figure.select_one("details p.note")
    assert "The first 100 of 250 rows" in note.get_text()
    data = (corpus_site / "pages" / note.a["href"]).read_bytes()
    assert data.startswith("\ufeff".encode())  # so that Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["day", "value", "label"] and len(rows) == 251 and rows[-1][2] == "観測249"


def test_no_text_in_a_spec_can_break_the_pages_script(corpus_site: Path):
    html = (corpus_site / "pages" / "gallery.html").read_text(encoding="utf-8")
    for script in BeautifulSoup(html, "html.parser").select("script.chart-spec"):
        body = script.string
        assert "<" not in body and "\u2028" not in body
        json.loads(body)  # still JSON
    figure = figures_by_spec(corpus_site)["layer-comment.json"]
    spec = json.loads(figure.select_one("script.chart-spec").string)
    assert spec["title"] == "Budget <!-- not a comment </script>"
    assert [v["note"] for v in spec["data"]["values"]][:4] == ["<!-- draft", "</script>", "a & b", "\u2028line"]


def test_two_builds_from_different_cache_states_give_the_same_bytes(tmp_path: Path):
    book = tmp_path / "book"
    shutil.copytree(CORPUS, book)
    env = {**os.environ, "BRIEFING_CACHE": str(tmp_path / "cache-a")}
    # the first build draws the charts in a different order from the second: first only one page's
    (book / "content" / "pages" / "gallery.md").rename(tmp_path / "gallery.md")
    text = (book / "site.yaml").read_text()
    (book / "site.yaml").write_text(text.replace(", pages/gallery]", "]"))
    assert run_briefing("build", "--out", str(tmp_path / "warm"), cwd=book, env=env).returncode == 0
    (tmp_path / "gallery.md").rename(book / "content" / "pages" / "gallery.md")
    (book / "site.yaml").write_text(text)
    first = run_briefing("build", "--out", str(tmp_path / "one"), cwd=book, env=env)
    assert first.returncode == 0, first.stderr
    env["BRIEFING_CACHE"] = str(tmp_path / "cache-b")  # empty: everything drawn afresh, in page order
    second = run_briefing("build", "--out", str(tmp_path / "two"), cwd=book, env=env)
    assert second.returncode == 0, second.stderr
    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert sorted(one) == sorted(two)
    assert [p for p in one if one[p] != two[p]] == []


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


BAD = [  # spec under charts/bad, where the message points, and what it says
    ("latin1-csv.json", "charts/bad/data/latin1.csv:2:6", "not UTF-8 (byte 0xE9); it looks like a single-byte"),
    ("data-trailing-comma.json", "charts/bad/data/trailing-comma.json:4:1", "no comma after the last item"),
    ("spec-trailing-comma.json", "charts/bad/spec-trailing-comma.json:4:1", "no comma after the last item"),
    ("expression-typo.json", "charts/bad/expression-typo.json:12:20: transform[0].calculate",
     "'datum.Horsepower *' cannot be read: Unexpected end of input"),
    ("unknown-function.json", "charts/bad/unknown-function.json:15:20: transform[1].calculate",
     "Unrecognized function: sqroot"),
    ("schema-typo.json", "charts/bad/schema-typo.json:14:15: encoding.x.type", "'nominl' is not one of"),
    ("unknown-format.json", "charts/bad/unknown-format.json:6:15: data.format.type",
     "'xlsx' is not a data format"),
    ("missing-data.json", "charts/bad/missing-data.json:4:12: data.url",
     "relative to the spec file's folder ('charts/bad/'), so this looks for "
     "'charts/bad/charts/corpus/data/budget.json'; the book has 'charts/corpus/data/budget.json' at its top, "
     "which from this spec's folder is '../../charts/corpus/data/budget.json'"),
    ("topojson-no-feature.json", "charts/bad/topojson-no-feature.json:3:11: data.format",
     'is TopoJSON: name the object to draw, as "format": {"type": "topojson", "feature": "areas"}'),
    ("ragged-csv.json", "charts/bad/data/ragged.csv:3:1", "this row has 3 fields but the header has 2"),
    ("open-quote-csv.json", "charts/bad/data/open-quote.csv:2:1", "a quote opened in this row is never closed"),
    ("remote-data.json", "charts/bad/remote-data.json:4:12: data.url", "outside the book"),
    ("missing-property.json", "charts/bad/missing-property.json:6:19: data.format.property", "has no 'feature'"),
]


@pytest.mark.parametrize("spec,where,says", BAD, ids=[b[0] for b in BAD])
def test_a_mistake_in_a_spec_or_its_data_is_located_in_check_and_build(tmp_path: Path, spec: str,
                                                                      where: str, says: str):
    book = tmp_path / "book"
    shutil.copytree(CORPUS, book)
    (book / "content" / "pages" / "gallery.md").write_text(
        f"---\ntitle: Chart gallery\n---\n\n```chart\nkind: vega-lite\nspec: charts/bad/{spec}\n```\n")
    for command in ("check", "build"):
        result = run_briefing(command, cwd=book)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        lines = [line for line in result.stderr.splitlines() if line.startswith(where.split(":")[0])]
        assert lines, result.stderr
        assert lines[0].startswith(where + ":") or lines[0].startswith(where + " "), lines[0]
        assert says in lines[0], lines[0]


def test_a_cached_chart_costs_no_schema_check(monkeypatch):
    """The verdict on a spec is kept by its hash: the second build asks the schema nothing."""
    import builder.validate.specs as specs
    from builder.build import load_book
    from builder.cache import BuildCache

    calls = []
    real = specs.schema_error
    monkeypatch.setattr(specs, "schema_error", lambda spec: calls.append(1) or real(spec))
    cache = BuildCache()
    load_book(CORPUS, cache=cache)
    first = len(calls)
    cache.start_build()
    load_book(CORPUS, cache=cache)
    assert first == len(SPECS) + 1 and len(calls) == first  # the corpus and the defence paper's chart


def test_an_unknown_spec_path_is_the_blocks_mistake(tmp_path: Path):
    book = tmp_path / "book"
    shutil.copytree(CORPUS, book)
    (book / "content" / "pages" / "gallery.md").write_text(
        "---\ntitle: Chart gallery\n---\n\n```chart\nkind: vega-lite\nspec: charts/nowhere.json\n```\n")
    with pytest.raises(ContentError) as caught:
        build(book, tmp_path / "out")
    assert [p.format() for p in caught.value.problems] == [
        "content/pages/gallery.md:7:7: spec: spec file 'charts/nowhere.json' not found in the briefing folder"]
