"""Maps of the investment data: states shaded by a metric the reader chooses, with project sites.

A national map, or one state filling the frame; when there are too many sites to draw each,
nearby sites are drawn as one circle per area. Built with Altair once per shape of map.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional, Sequence

from ..cache import Store
from ..geo import STATES, State, state_bounds
from ..model.book import Book, Totals
from ..model.charts import ChartBlock
from ..model.data import Investment
from ..text.locale import N_, Words
from .base import GEO_DATASET, Chart, Table, skeleton, vega_lite_spec
from .investment import CHART_FONT, HEIGHT, METRICS, NO_DATA, STATUS_LABELS, WIDTH, caption_for

OTHER_BASIS_FILL = "#e3cfa4"  # a state whose employment figure is on another basis, drawn apart

LISTED_SOURCES = 5  # a state's sources named in its row; beyond this, its page lists each project's


def state_rows(book: Book, records: Sequence[Investment], words: Words = Words()) -> list[dict[str, Any]]:
    """Return one row per state (all 50 and DC) with its totals; None where it has no records."""
    by_state = book.index.group(records, "state", lambda r: r.state)  # (and `US`, which no row reads)
    figures = book.jobs_figures
    number = words.figures.number
    rows = []
    for state in sorted(STATES.values(), key=lambda s: s.fips):
        totals = by_state.get(state.code)
        count = totals.projects if totals else 0
        figure = figures.get(state.code)
        shared = figure is not None and figure.basis == book.jobs_basis
        rows.append({
            "id": state.fips, "code": state.code, "state": words.state(state).name,
            "projects": count or None,
            "amount": totals.amount if totals else None,
            "jobs": totals.jobs if totals else None,
            "projects_text": number(count) if count else words.say("none in this book"),
            "amount_text": words.amount_total(totals.amount if totals else None, bool(count), totals.apart if totals else 0),
            "jobs_text": words.jobs_total(totals.jobs if totals else None, bool(count)),
            "basis": (words.ngettext("Sum of %(n)s project record in this book", "Sum of %(n)s project records in this book",
                                     count) if count else words.say("No project records in this book")),
            "source": ((words.say("; ").join(totals.sources) if len(totals.sources) <= LISTED_SOURCES else
                        words.say("%(n)s sources; each project's is in the %(state)s projects table",
                                  n=number(len(totals.sources)), state=words.state(state).name))
                       if totals else "—"),
            "employment": figure.value if shared and figure else None,
            "other_basis": bool(figure) and not shared,
            "state_figure": (f"{number(figure.value)} {figure.unit}, {figure.period or figure.as_of}"
                             + ("" if shared else words.figures.aside(words.say(
                                 "another basis: %(basis)s", basis=figure.basis or words.say("not stated"))))
                             + words.say("; ") + figure.source_org if figure else words.say("no figure in this book")),
        })
    return rows


MAX_SITES = 150  # beyond this, nearby sites are drawn as one circle per area


def project_rows(book: Book, records: Sequence[Investment], colour: str, words: Words) -> list[dict[str, Any]]:
    """Return one row per project that has coordinates, for the map's point layer."""
    number = words.figures.number
    rows = []
    for r in records:
        if r.latitude is None or r.longitude is None:
            continue
        usd = book.index.usd(r)
        rows.append({
            "latitude": r.latitude, "longitude": r.longitude,
            "size": usd,
            "group": _group_of(book, r, colour, words),
            "company": r.company, "project": r.project,
            "place": f"{r.city}, {r.state}" if r.city else r.state,
            "amount": (words.millions(r.amount, r.currency) + words.figures.aside(r.amount_basis)
                       if r.amount is not None and r.amount_basis else words.millions(r.amount, r.currency)),
            "jobs": (number(r.jobs) + words.figures.aside(r.jobs_basis.replace("_", " ")) if r.jobs is not None
                     else words.say("not disclosed")),
            "status": words.say("%(status)s, as of %(date)s", status=words.say(STATUS_LABELS[r.status]),
                                date=r.status_as_of),
            "source": r.source_name,
        })
    return rows


def _group_of(book: Book, record: Investment, colour: str, words: Words) -> str:
    return book.config.sector_label(record.sector) if colour == "sector" else words.say(STATUS_LABELS[record.status])


def _site_words(words: Words) -> dict[str, str]:
    """Return the calculations that give each site the words every site has: whether its amount is
    disclosed (its shape's legend), and a line saying what it is (for screen readers)."""
    disclosed, undisclosed = (json.dumps(text, ensure_ascii=False) for text in _disclosure(words))
    comma, colon = (json.dumps(words.say(text), ensure_ascii=False) for text in (", ", ": "))
    return {"disclosed": f"datum.size == null ? {undisclosed} : {disclosed}",
            "label": f"datum.company + {comma} + datum.project + {comma} + datum.place + {colon} + datum.amount"}


def _disclosure(words: Words) -> tuple[str, str]:
    """Return what the map's shapes of sites stand for: a circle, an amount disclosed; a diamond, none."""
    return words.say("Amount disclosed"), words.say("Amount not disclosed")


@dataclass(frozen=True)
class Area:
    """A square of the map holding sites, drawn as one circle: what its sites add up to."""

    records: tuple[Investment, ...]
    latitude: float  # the mean of its sites'
    longitude: float
    totals: Totals
    sectors: Counter[str]
    statuses: Counter[str]
    largest: Investment


def areas(book: Book, records: Sequence[Investment]) -> list[Area]:
    """Return the areas of the map holding sites, when there are too many sites to draw each.

    The areas are squares of latitude and longitude, as small as keeps them under MAX_SITES; each
    circle sits at the mean of its sites and is sized by their disclosed amounts added up. Worked
    out once per list of records, whatever the map colours its circles by and in any language.
    """
    def make() -> list[Area]:
        sites = [r for r in records if r.latitude is not None and r.longitude is not None]
        squares = [(math.floor(r.latitude * 4), math.floor(r.longitude * 4)) for r in sites]  # of 0.25°
        distinct, wider = set(squares), 0
        # squares 2, 4, 8… times as wide: floor(floor(x / s) / 2) is floor(x / 2s), so shifting the
        # numbers of the smallest squares numbers the wider ones, without placing every site again
        while len({(lat >> wider, lon >> wider) for lat, lon in distinct}) > MAX_SITES:
            wider += 1
        cells: dict[tuple[int, int], list[Investment]] = {}
        for r, (lat, lon) in zip(sites, squares):
            cells.setdefault((lat >> wider, lon >> wider), []).append(r)
        # after an edit of a row, each area it did not touch is the area worked out before
        return [book.index.kept(mine, "area", lambda mine=mine: area(mine))  # type: ignore[misc]
                for mine in (book.index.same_list(tuple(found)) for _, found in sorted(cells.items()))]

    def area(mine: tuple[Investment, ...]) -> Area:
        return Area(mine, round(sum(r.latitude for r in mine) / len(mine), 4),
                    round(sum(r.longitude for r in mine) / len(mine), 4),
                    book.index.summed(mine), Counter(r.sector for r in mine), Counter(r.status for r in mine),
                    max(mine, key=lambda r: (book.index.usd(r) or 0, r.id)))

    return book.index.kept(records, "areas", make)


def area_rows(book: Book, records: Sequence[Investment], colour: str, words: Words) -> list[dict[str, Any]]:
    """Return one row per area of the map holding sites (`areas`), for the map's point layer."""
    number = words.figures.number
    rows = []
    for area in areas(book, records):
        totals, largest = area.totals, area.largest
        statuses = Counter[str]()
        for status, count in area.statuses.items():
            statuses[words.say(STATUS_LABELS[status])] += count
        groups = statuses
        if colour == "sector":
            groups = Counter[str]()
            for sector, count in area.sectors.items():
                groups[book.config.sector_label(sector)] += count
        rows.append({
            "latitude": area.latitude,
            "longitude": area.longitude,
            "size": totals.amount,
            "group": sorted(groups.items(), key=lambda g: (-g[1], g[0]))[0][0],
            "company": words.ngettext("%(n)s project site in this area", "%(n)s project sites in this area",
                                      len(area.records)),
            "project": words.say("largest: %(company)s, %(project)s", company=largest.company, project=largest.project),
            "place": words.say(", ").join(sorted({r.state for r in area.records})),
            "amount": words.amount_total(totals.amount, True, totals.apart)
            + words.figures.aside(words.say("announced amounts added up")),
            "jobs": words.jobs_total(totals.jobs, True),
            "status": words.say("; ").join(f"{name} {number(count)}" for name, count in sorted(statuses.items())),
            "source": words.ngettext("%(n)s source; each project's is on its state's page",
                                     "%(n)s sources; each project's is on its state's page", len(totals.sources)),
        })
    return rows


def _no_data(words: Words) -> dict[str, Any]:
    """Return what a state's row says where the book has nothing for it.

    A map's rows leave these out and its spec fills them in, so that a map carries the words of only
    the states it has something to say about (a book of five hundred maps is megabytes smaller)."""
    return {"projects": None, "amount": None, "jobs": None, "employment": None, "other_basis": False,
            "projects_text": words.say("none in this book"), "amount_text": "—", "jobs_text": "—",
            "basis": words.say("No project records in this book"), "source": "—",
            "state_figure": words.say("no figure in this book")}


def _compact(rows: list[dict[str, Any]], words: Words) -> list[dict[str, Any]]:
    """Return state rows without the values the map's spec fills in (`_no_data`)."""
    empty = _no_data(words)
    return [{key: value for key, value in row.items() if key not in empty or empty[key] != value} for row in rows]


def _filled(words: Words) -> dict[str, str]:
    """Return the calculations that give a state's row the texts it leaves out (`_compact`)."""
    return {field: f"isValid(datum.{field}) ? datum.{field} : {json.dumps(text, ensure_ascii=False)}"
            for field, text in _no_data(words).items() if isinstance(text, str)}


LOOKUP_FIELDS = ["code", "state", "projects", "amount", "jobs", "employment", "other_basis", "projects_text",
                 "amount_text", "jobs_text", "basis", "source", "state_figure"]


def _tooltips(words: Words, **titles: str) -> list[Any]:
    """Return a tooltip of text fields, in the order given: field name = the title it shows under."""
    import altair as alt  # imported when a chart is made: a build that reuses its charts never loads it

    return [alt.Tooltip(f"{field}:N", title=words.say(title)) for field, title in titles.items()]


@lru_cache(maxsize=64)
def _map_structure(metric: str, colour: str, with_sites: bool, highlight: bool, words: Words) -> str:
    """Return the Vega-Lite of a map without its data, title or framing (as JSON text).

    Built with Altair once per shape of map; each map then fills in its own named datasets, so
    a book of five hundred maps pays for Altair a handful of times.
    """
    import altair as alt
    geo = alt.NamedData(name=GEO_DATASET, format=alt.DataFormat(type="topojson", feature="states"))
    choice = alt.param(
        name="metric", value=metric,
        bind=alt.binding_select(options=list(METRICS), labels=[words.say(m.label) for m in METRICS.values()],
                                name=words.say("Shade states by: ")))
    shapes = (
        alt.Chart(geo)
        .mark_geoshape(stroke="white", strokeWidth=0.6, invalid="show", clip=True)
        .transform_filter(f"indexof({json.dumps([s.fips for s in STATES.values()])}, datum.id) >= 0")
        .transform_lookup(lookup="id", from_=alt.LookupData(alt.NamedData(name="states"), key="id",
                                                            fields=LOOKUP_FIELDS), default=None)
        .transform_calculate(**_filled(words))
        .transform_calculate(value="isValid(datum[metric]) ? datum[metric] : null",
                             describe=_describe_state(words))
        .encode(
            # a state whose employment figure is on another basis is drawn apart, never on the shared scale
            color=alt.condition(
                "metric == 'employment' && datum.other_basis", alt.value(OTHER_BASIS_FILL),
                alt.Color("value:Q", title=words.say("State shading"), legend=alt.Legend(orient="bottom-right"),
                          scale=alt.Scale(scheme="blues", domainMin=0,
                                          domainMax=alt.ExprRef(expr="domain_max[metric]")))),
            description=alt.Description("describe:N"),
            tooltip=_tooltips(words, state=N_("State"), state_figure=N_("Employment at Japanese-owned companies"),
                              projects_text=N_("Projects"), amount_text=N_("Announced amount"),
                              jobs_text=N_("Jobs at the projects"), basis=N_("Basis"), source=N_("Source")))
        .add_params(choice, alt.param(name="domain_max", value={}))
    )
    layers: list[Any] = [shapes]
    if highlight:
        layers.append(
            alt.Chart(geo).mark_geoshape(fill=None, stroke="#b3261e", strokeWidth=2.5, aria=False, clip=True)
            .transform_filter("datum.id == 'HIGHLIGHT'"))  # the state's id is filled in by map_chart
    if with_sites:
        # sized by amount; an undisclosed amount is a fixed-size diamond of its own, never the smallest circle
        layers.append(
            alt.Chart(alt.NamedData(name="sites"))
            .transform_calculate(**_site_words(words))
            .mark_point(filled=True, opacity=0.8, stroke="white", strokeWidth=0.8, clip=True, invalid="show")
            .encode(
                longitude="longitude:Q", latitude="latitude:Q",
                size=alt.condition("datum.size == null", alt.value(160),
                                   alt.Size("size:Q", title=words.say("Amount (US$ m)"), scale=alt.Scale(range=[40, 1400]),
                                            legend=alt.Legend(orient="right"))),
                description=alt.Description("label:N"),
                shape=alt.Shape("disclosed:N", title=words.say("Amount"),
                                scale=alt.Scale(domain=list(_disclosure(words)), range=["circle", "diamond"]),
                                legend=alt.Legend(orient="right")),
                color=alt.Color("group:N", title=words.say("Sector") if colour == "sector" else words.say("Status"),
                                scale=_group_scale(colour, words), legend=alt.Legend(orient="right")),
                tooltip=_tooltips(words, company=N_("Company"), project=N_("Project"), place=N_("Place"),
                                  amount=N_("Amount"), jobs=N_("Jobs"), status=N_("Status"), source=N_("Source"))))
    chart = (
        alt.layer(*layers)
        .properties(width=WIDTH, height=HEIGHT, title="")
        .project(type="albersUsa")
        .resolve_scale(color="independent", size="independent")
        .configure(font=CHART_FONT)  # first: configure() starts the configuration afresh
        .configure_scale(invalid={"color": {"value": NO_DATA}})
        .configure_view(stroke=None)
        .configure_legend(labelLimit=320, titleLimit=320)
    )
    return json.dumps(vega_lite_spec(chart), sort_keys=True)


def _describe_state(words: Words) -> str:
    """Return the Vega expression that says what a state's shape shows, for screen readers."""
    def label(message: str, first: bool = False) -> str:
        text = ("" if first else words.say("; ")) + words.say(message) + words.say(": ")
        return json.dumps(text, ensure_ascii=False) + " + "

    projects = (f"{label(N_('Projects'))}datum.projects_text + {label(N_('Announced amount'))}datum.amount_text + "
                f"{label(N_('Jobs at the projects'))}datum.jobs_text")
    none = json.dumps(words.say("; ") + words.say(N_("no project records in this book")), ensure_ascii=False)
    return (f"{label(N_('State'), first=True)}datum.state + "
            f"{label(N_('Employment at Japanese-owned companies'))}datum.state_figure + "
            f"(datum.projects ? {projects} : {none})")


def projection_for(state: Optional[State]) -> dict[str, Any]:
    """Return the map projection: the whole country, or one state filling the frame."""
    if state is None:
        return {"type": "albersUsa"}
    west, south, east, north = state_bounds(state.code)
    # corners as points: a polygon's winding would decide whether it meant the box or the rest of the globe
    frame = {"type": "Feature", "properties": {}, "geometry": {"type": "MultiPoint", "coordinates": [
        [west, south], [east, south], [east, north], [west, north]]}}
    centre = (west + east) / 2
    parallels = [south + (north - south) / 6, north - (north - south) / 6]
    return {"type": "conicEqualArea", "rotate": [-round(centre, 2), 0], "parallels": [round(p, 2) for p in parallels],
            "fit": frame, "clipExtent": [[0, 0], [WIDTH, HEIGHT]]}


def map_chart(book: Book, block: ChartBlock, records: Sequence[Investment], words: Words,
              highlight: Optional[State] = None, skeletons: Optional[Store[str]] = None) -> Chart:
    """Choropleth of all states by the chosen metric, with project sites on top."""
    metric = METRICS[block.metric]
    say, number = words.say, words.figures.number
    states = state_rows(book, records, words)
    located = sum(1 for r in records if r.latitude is not None and r.longitude is not None)
    sites = (project_rows(book, records, block.colour, words) if located <= MAX_SITES
             else area_rows(book, records, block.colour, words))
    spec = json.loads(skeleton(skeletons, _map_structure, block.metric, block.colour, bool(sites),
                               highlight is not None, words))
    title = block.title or (say("Japanese investment in the United States") if highlight is None
                            else say("Japanese investment in %(state)s", state=words.state(highlight).name))
    if not sites:
        circles = say("No project sites to show.")
    elif len(sites) < located:
        circles = words.ngettext(
            "Circles: %(n)s project site in %(areas)s areas, sized by amount; diamonds: amount not disclosed.",
            "Circles: %(n)s project sites in %(areas)s areas, sized by amount; diamonds: amount not disclosed.",
            located, areas=number(len(sites)))
    else:
        circles = words.ngettext("Circles: %(n)s project site, sized by amount; diamonds: amount not disclosed.",
                                 "Circles: %(n)s project sites, sized by amount; diamonds: amount not disclosed.",
                                 located)
    shared = sum(1 for row in states if row["employment"] is not None)
    apart = sum(1 for row in states if row["other_basis"])
    employment = (words.ngettext("Employment shaded for %(n)s state on one basis",
                                 "Employment shaded for %(n)s states on one basis", shared)
                  + (words.figures.aside(book.jobs_basis) if book.jobs_basis else "")
                  + (say("; tan: %(n)s on another basis, not compared", n=number(apart)) if apart else "")
                  + say("; grey: no figure in this book."))
    subtitle = (employment if block.metric == "employment" else say("Grey: no records in this book.")) \
        + words.then + circles
    spec["title"] = {"text": {"expr": _title_expr(title, words)}, "subtitle": subtitle}
    spec["datasets"] = {"states": _compact(states, words), **({"sites": sites} if sites else {})}
    params = [*spec.get("params", []), *(p for layer in spec["layer"] for p in layer.get("params", []))]
    domain = next(p for p in params if p["name"] == "domain_max")
    domain["value"] = {key: max((row[key] or 0 for row in states), default=0) or 1 for key in METRICS}
    shaded = shared if block.metric == "employment" else sum(1 for row in states if row["projects"])
    if not shaded:  # nothing to shade: no legend of an empty scale
        spec["layer"][0]["encoding"]["color"]["legend"] = None
    if sites and all(site["size"] is None for site in sites):  # no amount to size circles by
        spec["layer"][-1]["encoding"]["size"]["legend"] = None
    if highlight is not None:
        spec["layer"][1]["transform"] = [{"filter": f"datum.id == '{highlight.fips}'"}]
        spec["projection"] = projection_for(highlight)
    with_data = [s for s in states if s["projects"] or (block.metric == "employment" and
                                                        (s["employment"] is not None or s["other_basis"]))]
    columns = [say("State"), say("Projects"), say("Announced amount"), say("Jobs at the projects"), say("Source")]
    cells = [[s["state"], s["projects_text"], s["amount_text"], s["jobs_text"], s["source"]] for s in with_data]
    if block.metric == "employment":
        columns.insert(1, say("Employment at Japanese-owned companies"))
        for row, s in zip(cells, with_data):
            row.insert(1, s["state_figure"])
    where = say("the United States") if highlight is None else words.state(highlight).name
    if block.metric == "employment":
        shading = words.ngettext("%(n)s state shaded by employment at Japanese-owned companies on one basis",
                                 "%(n)s states shaded by employment at Japanese-owned companies on one basis", shared)
        if apart:
            shading += say(" and %(n)s on another basis drawn apart", n=number(apart))
    else:
        shading = words.ngettext("states shaded by %(what)s from %(n)s project record",
                                 "states shaded by %(what)s from %(n)s project records", len(records),
                                 what=say(metric.noun))
    description = words.ngettext(
        "Map of %(where)s: %(shading)s (%(n)s state in its table; states without data in grey), with %(sites)s.",
        "Map of %(where)s: %(shading)s (%(n)s states in its table; states without data in grey), with %(sites)s.",
        len(with_data), where=where, shading=shading,
        sites=words.ngettext("%(n)s project site sized by amount", "%(n)s project sites sized by amount", located))
    note = ""
    if block.metric == "employment":
        note = words.then + (
            say("Shading: employment at Japanese-owned companies, %(basis)s; each state's figure, period, basis "
                "and source are on its page.", basis=book.jobs_basis) if book.jobs_basis else
            say("Shading: employment at Japanese-owned companies; each state's figure, period, basis and source "
                "are on its page."))
    return Chart(title, description, spec, caption_for(book, records, words, shading=note), Table(columns, cells),
                 needs_geo=True)


STATUS_COLOURS = {"operating": "#1b7f3b", "under_construction": "#1f5fa8", "announced": "#e08a00",
                  "pledged": "#7b4fa0", "pending": "#8c8c8c", "blocked": "#c0262d"}
assert tuple(STATUS_COLOURS) == tuple(STATUS_LABELS)


def _group_scale(colour: str, words: Words) -> Any:
    """Fixed colours for statuses, so a status means the same colour on every map."""
    import altair as alt

    if colour == "status":
        return alt.Scale(domain=[words.say(STATUS_LABELS[status]) for status in STATUS_COLOURS],
                         range=list(STATUS_COLOURS.values()))
    return alt.Scale(scheme="tableau10")


def _title_expr(title: str, words: Words) -> str:
    """Return a title that names the metric the reader has chosen."""
    before, _, after = words.say("%(title)s: states by %(what)s", title=title, what="\0").partition("\0")
    nouns = json.dumps({k: words.say(m.noun) for k, m in METRICS.items()}, ensure_ascii=False)
    return f"{json.dumps(before, ensure_ascii=False)} + {nouns}[metric]" + (
        f" + {json.dumps(after, ensure_ascii=False)}" if after else "")
