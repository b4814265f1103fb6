"""Bar charts of the investment data: by sector, by year announced, by state.

Every bar says its figure; a nationwide pledge is never added to the projects.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Callable, Optional, Sequence

from ..cache import Store
from ..geo import NATIONWIDE, STATES, State
from ..model.book import Book
from ..model.charts import ChartBlock
from ..model.data import Investment
from ..text.figures import format_amount_total, format_jobs_total, format_millions
from .base import Chart, Table, skeleton, vega_lite_spec
from .investment import CHART_FONT, METRICS, WIDTH, caption_for

def _grouped(book: Book, records: Sequence[Investment], key: Callable[[Investment], str],
             basis: str) -> list[dict[str, Any]]:
    rows = []
    for name, totals in book.index.group(records, key, basis).items():
        amount_text = format_amount_total(totals.amount, True, totals.apart)
        jobs_text = format_jobs_total(totals.jobs, True)
        amount_label = (format_millions(totals.amount) if totals.amount is not None
                        else f"none {basis}" if totals.apart else "not disclosed")
        rows.append({"group": name, "projects": totals.projects,
                     "amount": totals.amount or 0, "jobs": totals.jobs or 0,
                     "amount_text": amount_text, "jobs_text": jobs_text,
                     "amount_label": amount_label, "jobs_label": jobs_text,
                     "projects_label": f"{totals.projects:,}"})
    return rows


@lru_cache(maxsize=64)
def _bar_structure(metric: str, axis: str, sort_by_value: bool, basis: str) -> str:
    """Return the Vega-Lite of a bar chart without its data, title or height (as JSON text)."""
    import altair as alt  # imported when a chart is made: a build that reuses its charts never loads it
    order: Any = "-x" if sort_by_value else "ascending"
    base = alt.Chart(alt.NamedData(name="bars")).encode(
        y=alt.Y("group:N", title=axis, sort=order, axis=alt.Axis(labelLimit=240)),
        x=alt.X(f"{metric}:Q", title=_amount_label(basis) if metric == "amount" else METRICS[metric].label))
    bars = base.mark_bar(color="#123c69").encode(
        tooltip=[alt.Tooltip("group:N", title=axis), alt.Tooltip("projects:Q", title="Projects"),
                 alt.Tooltip("amount_text:N", title=_amount_label(basis)),
                 alt.Tooltip("jobs_text:N", title="Jobs")])
    # every bar says its figure, so a short bar beside a long one still reads
    labels = base.mark_text(align="left", dx=4, color="#1b1f24").encode(text=alt.Text(f"{metric}_label:N"))
    chart = (
        alt.layer(bars, labels)
        .properties(width=WIDTH - 260, height=60, title="")
        .configure(font=CHART_FONT)
        .configure_view(stroke=None)
    )
    return json.dumps(vega_lite_spec(chart), sort_keys=True)


def _bar_chart(book: Book, block: ChartBlock, records: Sequence[Investment], axis: str,
               key: Callable[[Investment], str], sort_by_value: bool, default_title: str,
               skeletons: Optional[Store[str]]) -> Chart:
    metric = METRICS[block.metric]
    drawn = [r for r in records if r.state != NATIONWIDE]  # a nationwide pledge is never added to projects
    left_out = len(records) - len(drawn)
    records = drawn
    rows = _grouped(book, records, key, block.basis)
    spec = json.loads(skeleton(skeletons, _bar_structure, block.metric, axis, sort_by_value, block.basis))
    spec.update(datasets={"bars": rows}, height=max(60, 26 * len(rows)), title=block.title or default_title)
    table = Table([axis, "Projects", _amount_label(block.basis).replace(" (US$ m)", ""), "Jobs"],
                  [[r["group"], str(r["projects"]), r["amount_text"], r["jobs_text"]] for r in rows])
    description = f"Bar chart of {_noun(block)} by {axis.lower()}, {len(rows)} bars from {len(records)} project records."
    return Chart(block.title or default_title, description, spec,
                 caption_for(book, records, left_out, basis=block.basis), table)


def _noun(block: ChartBlock) -> str:
    return f"{block.basis} amount" if block.metric == "amount" else METRICS[block.metric].noun


def _amount_label(basis: str) -> str:
    return f"{basis.capitalize()} amount (US$ m)"


def sectors_chart(book: Book, block: ChartBlock, records: Sequence[Investment],
                  highlight: Optional[State] = None, skeletons: Optional[Store[str]] = None) -> Chart:
    return _bar_chart(book, block, records, "Sector", lambda r: book.config.sector_label(r.sector),
                      True, f"Japanese investment by sector: {_noun(block)}", skeletons)


def years_chart(book: Book, block: ChartBlock, records: Sequence[Investment],
                highlight: Optional[State] = None, skeletons: Optional[Store[str]] = None) -> Chart:
    return _bar_chart(book, block, records, "Year announced", lambda r: str(r.year), False,
                      f"Japanese investment by year announced: {_noun(block)}", skeletons)


def states_chart(book: Book, block: ChartBlock, records: Sequence[Investment],
                 highlight: Optional[State] = None, skeletons: Optional[Store[str]] = None) -> Chart:
    return _bar_chart(book, block, [r for r in records if r.state in STATES], "State",
                      lambda r: STATES[r.state].name, True,
                      f"Japanese investment by state: {_noun(block)}", skeletons)
