"""Charts: the generated specs, the checks on chart blocks and coordinates, and the SVG cache."""

import json
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import altair as alt
import pytest
from bs4 import BeautifulSoup

from builder.build import build, load_book
from builder.cache import BuildCache
from builder.charts import build_chart
from builder.charts.maps import state_rows
from builder.errors import ContentError
from builder.geo import STATES
from builder.model import ChartBlock
from builder.targets.site.plan import plan_pages
from conftest import MINIMAL, REPO, write_files


@pytest.fixture(scope="module")
def minimal_book():
    book, warnings = load_book(MINIMAL)
    return book


def lookup_values(spec: dict) -> list[dict]:
    """Return the per-state rows the choropleth joins to the state shapes."""
    shapes = spec["layer"][0]
    name = shapes["transform"][1]["from"]["data"]["name"]
    return spec["datasets"][name]


def test_map_joins_every_state_and_dc_to_its_figures(minimal_book):
    chart = build_chart(minimal_book, ChartBlock(kind="map", metric="jobs"))
    rows = lookup_values(chart.spec)
    assert sorted(r["id"] for r in rows) == sorted(s.fips for s in STATES.values())
    assert len(rows) == 51
    by_code = {r["code"]: r for r in rows}
    assert (by_code["KY"]["jobs"], by_code["KY"]["amount"], by_code["KY"]["projects"]) == (9000, 10000, 1)
    assert by_code["KY"]["id"] == "21" and by_code["TX"]["id"] == "48"
    assert by_code["PA"].get("jobs") is None and by_code["PA"]["jobs_text"] == "not disclosed"
    assert by_code["KY"]["state_figure"] == "47,000 jobs, 2024; KY agency"
    # a state without records has no value, and is drawn in the neutral colour, not dropped; its row
    # carries its name only, and the map's spec says what every such state says
    assert by_code["WY"] == {"id": "56", "code": "WY", "state": "Wyoming"}
    filled = {t["as"]: t["calculate"] for t in chart.spec["layer"][0]["transform"] if "calculate" in t}
    assert filled["projects_text"] == 'isValid(datum.projects_text) ? datum.projects_text : "none in this book"'
    assert filled["state_figure"].endswith(': "no figure in this book"')
    assert chart.spec["layer"][0]["mark"]["invalid"] == "show"
    assert chart.spec["config"]["scale"]["invalid"]["color"] == {"value": "#e4e6e9"}


def test_map_shows_only_projects_with_coordinates(minimal_book):
    chart = build_chart(minimal_book, ChartBlock(kind="map"))
    points = [layer for layer in chart.spec["layer"] if layer["mark"]["type"] in ("circle", "point")][0]
    rows = chart.spec["datasets"][points["data"]["name"]]
    assert sorted(r["company"] + ": " + r["project"] for r in rows) == [
        "Example Motors: Assembly plant", "Example Motors: Truck plant", "Example Steel: Steel acquisition"]
    tooltip = [t["title"] for t in points["encoding"]["tooltip"]]
    assert tooltip == ["Company", "Project", "Place", "Amount", "Jobs", "Status", "Source"]


def test_map_offers_a_choice_of_metric_and_starts_with_the_one_asked_for(minimal_book):
    chart = build_chart(minimal_book, ChartBlock(kind="map", metric="amount"))
    params = chart.spec["params"] if "params" in chart.spec else chart.spec["layer"][0]["params"]
    [param] = [p for p in params if p["name"] == "metric"]
    assert param["value"] == "amount"
    assert param["bind"]["options"] == ["amount", "jobs", "projects", "employment"]


def test_state_map_picks_out_the_state(minimal_book):
    ky = STATES["KY"]
    records = [r for r in minimal_book.investments if r.state == "KY"]
    chart = build_chart(minimal_book, ChartBlock(kind="map"), highlight=ky, records=records)
    outline = chart.spec["layer"][1]
    assert outline["transform"] == [{"filter": "datum.id == '21'"}]
    assert chart.title == "Japanese investment in Kentucky"


def test_every_generated_spec_is_valid_vega_lite(minimal_book):
    plans = plan_pages(minimal_book)
    charts = [c for plan in plans for c in plan.context.get("charts", [])]
    assert len(charts) >= 8
    for chart in charts:
        alt.Chart.from_dict(chart.spec, validate=True)


def test_charts_are_written_for_the_schema_altair_validates_against():
    from builder.vegalite import SCHEMA_VERSION, VL_VERSION

    assert SCHEMA_VERSION == alt.SCHEMA_VERSION  # read from Altair's package without importing it
    assert alt.SCHEMA_VERSION.startswith(f"v{VL_VERSION}.")


def test_sector_chart_adds_up_one_basis_and_never_a_nationwide_pledge(minimal_book):
    chart = build_chart(minimal_book, ChartBlock(kind="sectors", metric="amount"))
    # announced amounts only: the cumulative Texas plant and the steel deal value are counted apart;
    # the $100 bn nationwide pledge (state US) is never added to the projects
    assert chart.table.rows == [["Automotive", "2", "$10 bn (1 on other bases, not added in)", "11,600"],
                                ["Steel", "1", "none announced (1 on other bases, not added in)", "not disclosed"]]
    assert chart.table.headers[2] == "Announced amount"
    assert all(row["amount"] < 100_000 for row in chart.spec["datasets"]["bars"])
    assert "1 nationwide pledge or programme total is not added in" in chart.caption
    assert "2 amounts on other bases (cumulative 1, deal value 1) are shown per project, never added in" in chart.caption


def test_a_chart_can_add_up_another_basis_by_naming_it(minimal_book):
    chart = build_chart(minimal_book, ChartBlock(kind="sectors", metric="amount", basis="cumulative"))
    assert chart.table.rows[0] == ["Automotive", "2", "$3.1 bn (1 on other bases, not added in)", "11,600"]
    assert chart.table.headers[2] == "Cumulative amount"
    assert chart.spec["layer"][0]["encoding"]["x"]["title"] == "Cumulative amount (US$ m)"
    assert "Amounts added up are cumulative amounts only" in chart.caption


def test_yen_amounts_are_converted_at_the_book_rate(minimal_site: Path):
    path = minimal_site / "content/data/investments.csv"
    path.write_text(path.read_text().replace("10000,USD,announced", "150000,JPY,announced"))
    book, _ = load_book(minimal_site)
    ky = {r["code"]: r for r in state_rows(book, list(book.investments))}["KY"]
    assert ky["amount"] == 1000.0 and ky["amount_text"] == "$1 bn"


def test_chart_caption_gives_sources_and_as_of(minimal_book):
    chart = build_chart(minimal_book, ChartBlock(kind="map"))
    assert chart.caption.startswith("Source: 4 project records in this book (KY source; example.org)")
    assert "Status as of 2025-01 at the latest; book as of 20 Feb 2025." in chart.caption


@pytest.mark.parametrize("block, where, message", [
    ("{kind: mapp}", "charts[0].kind", "unknown chart kind 'mapp'; use one of map, sectors, years, states, "
                                       "vega-lite (did you mean 'map'?)"),
    ("{kind: map, metric: job}", "charts[0].metric", "unknown metric 'job'; use one of amount, jobs, "
                                                     "projects, employment (did you mean 'jobs'?)"),
    ("{kind: sectors, metric: employment}", "charts[0].metric", "employment is a figure per state, so only a "
     "map can show it: use kind: map, or metric: jobs for the jobs of the projects drawn"),
    ("{kind: years, filter: {company: Example Steel}}", "charts[0].metric", "the records this chart selects have no "
     "announced amount to add up (their amounts are deal value), and amounts on different bases are never added "
     "together: name the basis to add up (basis: deal value), or use metric: jobs or projects"),
    ("{kind: map, colour: sectr}", "charts[0].colour", "unknown colour 'sectr'; use one of sector, "
                                                       "status (did you mean 'sector'?)"),
    ("{kind: vega-lite, spec: charts/none.json}", "charts[0].spec",
     "spec file 'charts/none.json' not found in the briefing folder"),
])
def test_bad_chart_blocks_are_located_errors(minimal_site: Path, block: str, where: str, message: str):
    path = minimal_site / "content/issues/trade.yaml"
    path.write_text(path.read_text() + f"charts:\n  - {block}\n")
    line = len(path.read_text().splitlines())
    with pytest.raises(ContentError) as exc:
        load_book(minimal_site)
    [problem] = exc.value.problems
    assert (problem.path, problem.line, problem.field, problem.message) == (
        "content/issues/trade.yaml", line, where, message)


def test_a_filter_that_matches_nothing_is_a_warning(minimal_site: Path):
    path = minimal_site / "content/issues/trade.yaml"
    path.write_text(path.read_text() + "charts:\n  - kind: map\n    filter: {company: Example Steel, sector: automotive}\n")
    book, warnings = load_book(minimal_site)
    assert [w.format() for w in warnings] == [
        "content/issues/trade.yaml:39:13: warning: charts[0].filter: matches no investment records; "
        "the chart will have no data"]


def test_chart_block_in_a_page_is_checked_at_its_line(minimal_site: Path):
    path = minimal_site / "content/pages/notes.md"
    path.write_text(path.read_text().replace("kind: years", "kind: yeers"))
    with pytest.raises(ContentError) as exc:
        load_book(minimal_site)
    [problem] = exc.value.problems
    line = path.read_text().splitlines().index("kind: yeers") + 1
    assert (problem.path, problem.line, problem.column) == ("content/pages/notes.md", line, 7)


@pytest.mark.parametrize("spec, field, message", [
    ('{"data": {"url": "https://example.org/x.csv"}, "mark": "bar"}', "data.url",
     "loads data from 'https://example.org/x.csv', outside the book"),
    ('{"mark": "bar", "encoding": {"x": {"field": "a", "type": "quantitativ"}}}', "encoding.x.type",
     "is not valid Vega-Lite"),
    ('{"mark": "bar",', "", "is not valid JSON"),
])
def test_bad_vega_lite_spec_files_are_reported_in_the_spec_file(minimal_site: Path, spec: str, field: str,
                                                                 message: str):
    write_files(minimal_site, {"charts/budget.json": spec})
    with pytest.raises(ContentError) as exc:
        load_book(minimal_site)
    [problem] = exc.value.problems
    assert (problem.path, problem.line, problem.field) == ("charts/budget.json", 1, field)
    assert problem.message.startswith(message)


def test_vega_lite_spec_data_files_are_inlined_for_file_urls(minimal_book):
    block = minimal_book.issue_by_id["defence"].charts[0]
    chart = build_chart(minimal_book, block)
    assert "url" not in chart.spec["data"]
    # parsed at build time and typed as Vega-Lite would: the page's policy forbids its CSV parser
    assert chart.spec["data"]["values"] == [{"year": "FY2024", "budget": 7.95}, {"year": "FY2025", "budget": 8.7}]
    assert chart.spec["data"]["format"] == {"type": "json"}
    assert (chart.table.headers, chart.table.rows) == (["year", "budget"], [["FY2024", "7.95"], ["FY2025", "8.7"]])


@pytest.mark.parametrize("cells, message", [
    ("Georgetown,KY,29.23,-98.53", "(29.23, -98.53) lies outside Kentucky, the row's state; it is in Texas."),
    ("Georgetown,KY,38.21,84.56", "(38.21, 84.56) lies outside Kentucky, the row's state; it is outside the "
                                  "United States."),
    ("Georgetown,KY,38.21,", "give both latitude and longitude, or neither"),
])
def test_coordinates_outside_the_state_are_located_errors(minimal_site: Path, cells: str, message: str):
    path = minimal_site / "content/data/investments.csv"
    path.write_text(path.read_text().replace("Georgetown,KY,38.21,-84.56", cells))
    with pytest.raises(ContentError) as exc:
        load_book(minimal_site)
    [problem] = exc.value.problems
    assert (problem.path, problem.line) == ("content/data/investments.csv", 2)
    assert problem.message.startswith(message)


def test_unchanged_charts_are_not_rendered_again(minimal_site: Path, tmp_path: Path):
    first = BuildCache(tmp_path / "cache")
    build(minimal_site, tmp_path / "out", cache=first)
    second = BuildCache(tmp_path / "cache")
    build(minimal_site, tmp_path / "out", cache=second)
    assert len(first.rendered_svgs) >= 8 and first.reused_svgs == []
    assert second.rendered_svgs == [] and len(second.reused_svgs) == len(first.rendered_svgs)
    # changing one record re-renders only the charts that show it
    path = minimal_site / "content/data/investments.csv"
    path.write_text(path.read_text().replace("Pittsburgh,PA,40.44,-79.99,steel,14100", "Pittsburgh,PA,40.44,-79.99,steel,14200"))
    third = BuildCache(tmp_path / "cache")
    build(minimal_site, tmp_path / "out", cache=third)
    assert 0 < len(third.rendered_svgs) < len(first.rendered_svgs)


def test_every_chart_has_a_static_svg_a_caption_and_a_data_table(tmp_path: Path):
    build(MINIMAL, tmp_path / "out")
    out = tmp_path / "out"
    figures = 0
    for page in out.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for figure in soup.select("figure.chart"):
            figures += 1
            img = figure.select_one("img.chart-static")
            svg = (page.parent / img["src"]).resolve()
            assert svg.is_file() and svg.read_bytes().lstrip().startswith(b"<svg")
            assert img["alt"]
            assert figure.select_one("figcaption.chart-source").get_text().startswith("Source:")
            json.loads(figure.select_one("script.chart-spec").string)
    assert figures >= 8
    home = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in home.select("details.chart-data tbody tr")]
    # the cover's map shades states by employment, so its table gives each state's figure first
    assert ["Kentucky", "47,000 jobs, 2024; KY agency", "1", "$10 bn", "9,000", "KY source"] in rows
    notes = (out / "pages/notes.html").read_text(encoding="utf-8")
    assert notes.index("Investment by year") < notes.index('class="chart"') < notes.index("Text after the chart.")


def test_sample_book_maps_are_on_home_investment_state_and_issue_pages(tmp_path: Path):
    result = build(REPO, tmp_path / "out")
    out = tmp_path / "out" / "en"

    def maps(rel: str) -> int:
        return (out / rel).read_text(encoding="utf-8").count('data-geo="us-states"')

    assert maps("index.html") == 1 and maps("investment/index.html") == 1
    for state in result.book.states_with_data:
        if result.book.index.in_state(state.code):
            assert maps(f"investment/{state.slug}.html") == 1
        else:  # no records: the page says so in words instead of drawing an empty map
            assert maps(f"investment/{state.slug}.html") == 0
            assert f"No project records for {state.name} in this book." in (out / f"investment/{state.slug}.html").read_text()
    assert maps("issues/tariffs.html") == 1
    assert (out / "assets/vendor/vega.js").stat().st_size > 500_000
    assert "BSD" in (out / "assets/vendor/LICENSES.md").read_text()


def test_a_state_map_is_framed_on_its_state(minimal_book):
    alaska = build_chart(minimal_book, ChartBlock(kind="map"), highlight=STATES["AK"], records=[])
    west, south, east, north = (point for corner in alaska.spec["projection"]["fit"]["geometry"]["coordinates"][::2]
                                for point in corner)
    assert west < -160 and east < -129 and south > 50 and north > 70  # Alaska, without the far Aleutians
    assert alaska.spec["projection"]["clipExtent"] == [[0, 0], [760, 440]]
    country = build_chart(minimal_book, ChartBlock(kind="map"))
    assert country.spec["projection"] == {"type": "albersUsa"}


def test_many_sites_are_drawn_as_areas_with_their_count(minimal_site: Path):
    path = minimal_site / "content/data/investments.csv"
    lines = path.read_text().splitlines()
    rows = [f"gen-{i},Maker {i},Plant {i},Town,TX,{29 + (i % 40) * 0.1:.2f},{-99 + (i // 40) * 0.1:.2f},automotive,"
            f"{i + 1},USD,announced,,,2024,announced,2024-12,N,https://example.org/g/{i},," for i in range(600)]
    path.write_text("\n".join(lines + rows) + "\n")
    book, _ = load_book(minimal_site)
    chart = build_chart(book, ChartBlock(kind="map"))
    sites = chart.spec["datasets"]["sites"]
    assert len(sites) <= 150
    assert sum(int(s["company"].split()[0].replace(",", "")) for s in sites if "in this area" in s["company"]) > 500
    assert "603 project sites in" in chart.spec["title"]["subtitle"]


def test_static_svgs_are_compact_and_the_same_whatever_was_drawn_before(minimal_book, tmp_path: Path):
    from builder.charts.vega import render_svgs

    def render_svg(spec, needs_geo, cache):
        return render_svgs([(spec, needs_geo, "")], cache)[0]

    chart = build_chart(minimal_book, ChartBlock(kind="map"))
    other = build_chart(minimal_book, ChartBlock(kind="map", metric="amount"))
    first = render_svg(chart.spec, True, BuildCache(None))
    cache = BuildCache(None)
    render_svg(other.spec, True, cache)  # another chart drawn first changes the renderer's id counter
    again = render_svg(chart.spec, True, cache)
    assert first == again
    assert b'aria-label="State:' not in first  # the page's alt text describes the image, not each shape
    assert len(first) < 120_000


def test_charts_drawn_on_every_core_are_the_bytes_drawn_one_by_one(monkeypatch):
    """A first build draws its charts in worker processes: a reader must get the same SVGs, and a
    chart that cannot be drawn must still be reported as that chart's, whichever way they were drawn."""
    import builder.charts.vega as vega
    specs = [{"data": {"values": [{"x": f"Sector {i}", "y": i * 7 + n} for i in range(6)]}, "mark": "bar",
              "encoding": {"x": {"field": "x", "type": "nominal"}, "y": {"field": "y", "type": "quantitative"}},
              "title": f"Chart {n}", "config": {"font": "IBM Plex Sans, sans-serif"}} for n in range(7)]
    specs[4] = {**specs[4], "transform": [{"filter": "datum.y >"}]}  # an expression Vega cannot parse
    monkeypatch.setattr(vega, "CHARTS_PER_WORKER", 2)
    monkeypatch.setattr(vega.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    cache, calls = BuildCache(None), []
    pooled = vega.render_svgs([(spec, False, "") for spec in specs], cache, meanwhile=lambda: calls.append("pool"),
                              spare=lambda: calls.append("spare"))
    # the pages are rendered once while the charts are drawn, whichever way they are drawn, or none is;
    # what a later stage would do anyway is done beside the workers only when there are workers
    vega.render_svgs([(spec, False, "") for spec in specs], cache, meanwhile=lambda: calls.append("all kept"),
                     spare=lambda: calls.append("spare"))
    monkeypatch.setattr(vega, "CHARTS_PER_WORKER", 100)
    vega.render_svgs([(specs[0], True, "")], cache, meanwhile=lambda: calls.append("here"),
                     spare=lambda: calls.append("spare"))
    assert calls == ["pool", "spare", "all kept", "here"]
    one_by_one = []
    for spec in specs:
        try:
            one_by_one.append(vega.drawn_svg(spec, False).encode("utf-8"))
        except vega.DrawingError as exc:
            one_by_one.append(exc)
    assert [isinstance(svg, vega.DrawingError) for svg in pooled] == [False] * 4 + [True] + [False] * 2
    assert str(pooled[4]) == str(one_by_one[4]) and str(pooled[4])
    assert [svg for svg in pooled if isinstance(svg, bytes)] == [svg for svg in one_by_one if isinstance(svg, bytes)]
    assert b"Chart 6" in pooled[6] and b"font/woff2" in pooled[6]
    # set in the page's typeface, a static chart is drawn in the face it embeds and was measured in
    assert b'font-family="Liberation Sans, sans-serif"' in pooled[6] and b"font-family:'Liberation Sans'" in pooled[6]
    assert b"Plex" not in pooled[6]


def test_the_fonts_charts_embed_are_cut_from_the_font_and_texts_of_today():
    """The static charts embed subsets cut once and shipped: after a change to the font or to the
    characters a chart may use, they must be cut again (`python -m builder.charts.vega`), or charts
    would show missing glyphs."""
    import builder.charts.vega as vega
    for basic, name in vega.EMBEDDED_FONTS.items():
        assert (vega.FONTS / name).read_bytes() == vega.subset_font(basic), name


def test_a_page_that_cannot_be_written_while_charts_are_drawn_fails_the_build(monkeypatch):
    """The pages are rendered while worker processes draw the charts: a failure of theirs (a disk
    error, say) must stop the build, not be taken for workers that could not start."""
    import builder.charts.vega as vega
    specs = [{"data": {"values": [{"x": "a", "y": n}]}, "mark": "bar",
              "encoding": {"x": {"field": "x", "type": "nominal"}, "y": {"field": "y", "type": "quantitative"}}}
             for n in range(4)]
    monkeypatch.setattr(vega, "CHARTS_PER_WORKER", 2)
    monkeypatch.setattr(vega.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)

    def pages() -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        vega.render_svgs([(spec, False, "") for spec in specs], BuildCache(None), meanwhile=pages)


def test_a_server_draws_every_build_s_charts_with_the_workers_it_started_once(monkeypatch):
    """`serve` and `build --watch` keep their chart workers: a save that changes data does not wait
    for processes to start, and the charts are the same bytes as drawn one by one."""
    import builder.charts.vega as vega
    monkeypatch.setattr(vega, "CHARTS_PER_WORKER", 2)
    monkeypatch.setattr(vega.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    cache = BuildCache(None)
    cache.keep_workers = True

    def specs(build: int) -> list:
        return [({"data": {"values": [{"x": "a", "y": n + 10 * build}]}, "mark": "bar",
                  "encoding": {"x": {"field": "x", "type": "nominal"}, "y": {"field": "y", "type": "quantitative"}}},
                 False, "") for n in range(4)]

    first = vega.render_svgs(specs(1), cache)
    workers = cache.workers
    pids = set(workers._processes)
    second = vega.render_svgs(specs(2), cache)
    try:
        assert cache.workers is workers and set(workers._processes) == pids and len(pids) == 2
        assert second == [vega.drawn_svg(spec, False).encode("utf-8") for spec, _, _ in specs(2)]
        assert first != second
    finally:
        workers.shutdown()


def test_a_server_starts_drawing_a_changed_chart_while_it_plans_the_other_pages(monkeypatch):
    """After an edit to the data, the kept workers draw each changed chart as soon as the plan makes
    it, while the plan goes on: the render stage then takes those SVGs, the same bytes as drawn one
    by one, and draws none twice. A chart whose workers died on the way is drawn here instead."""
    import builder.charts.vega as vega
    monkeypatch.setattr(vega, "CHARTS_PER_WORKER", 2)
    monkeypatch.setattr(vega.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    cache = BuildCache(None)
    cache.keep_workers = True

    def chart(n: int) -> tuple:
        return ({"data": {"values": [{"x": "a", "y": n}]}, "mark": "bar",
                 "encoding": {"x": {"field": "x", "type": "nominal"}, "y": {"field": "y", "type": "quantitative"}}},
                False, "")

    vega.render_svgs([chart(n) for n in range(4)], cache)  # the first build starts the workers
    workers = cache.workers
    try:
        cache.start_build()
        for n in (1, 5, 6):  # the plan makes these: one kept from the last build, two new
            vega.draw_soon(*chart(n), cache)
        assert len(cache.drawing) == 2  # the kept one is not drawn again
        drawn = vega.render_svgs([chart(n) for n in (1, 5, 6, 7)], cache)
        assert cache.drawing == {}
        assert drawn == [vega.drawn_svg(spec, False).encode("utf-8") for spec, _, _ in map(chart, (1, 5, 6, 7))]
        assert len(cache.rendered_svgs) == 3 and len(cache.reused_svgs) == 1  # 5, 6 and 7 drawn once each

        for n, gone in ((8, BrokenProcessPool("a worker died")), (9, None)):  # died, or cancelled on the way
            cache.start_build()
            vega.draw_soon(*chart(n), cache)
            lost: Future = Future()
            lost.set_exception(gone) if gone else lost.cancel()
            cache.drawing[vega.svg_key(*chart(n))] = lost
            assert vega.render_svgs([chart(n)], cache) == [vega.drawn_svg(chart(n)[0], False).encode("utf-8")]
    finally:
        workers.shutdown()


def test_workers_kept_for_later_saves_are_ready_before_the_first_save(monkeypatch):
    """The resident, `serve` and `--watch` start their chart workers once the first build is done, so
    that the first edit of the data draws its charts at once rather than starting processes first;
    a one-off build starts none."""
    import builder.charts.vega as vega
    monkeypatch.setattr(vega.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    once = BuildCache(None)
    vega.start_workers(once)
    assert once.workers is None
    kept = BuildCache(None)
    kept.keep_workers = True
    vega.start_workers(kept)
    workers = kept.workers
    assert workers is not None
    try:
        spec = {"data": {"values": [{"x": 2}]}, "mark": "point", "encoding": {"x": {"field": "x", "type": "quantitative"}}}
        vega.draw_soon(spec, False, "", kept)  # the plan hands a changed chart over: drawn on a worker
        assert len(kept.drawing) == 1
        assert vega.render_svgs([(spec, False, "")], kept) == [vega.drawn_svg(spec, False).encode("utf-8")]
        assert kept.workers is workers  # the same processes, still there for the next save
    finally:
        workers.shutdown()
