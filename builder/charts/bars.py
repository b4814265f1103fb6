"""Bar charts of the investment data: by sector, by year announced, by state.

Every bar says its figure; a nationwide pledge is never added to the projects.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Callable, Hashable, Optional, Sequence

from ..cache import Store
from ..geo import NATIONWIDE, STATES, State
from ..model.book import Book, Totals
from ..model.charts import ChartBlock
from ..model.data import Investment
from ..text.locale import N_, Words
from .base import Chart, Table, skeleton, vega_lite_spec
from .investment import CHART_FONT, METRICS, WIDTH, basis_word, caption_for

def _grouped(book: Book, records: Sequence[Investment], by: Hashable, key: Callable[[Investment], str],
             basis: str, words: Words, label: Optional[Callable[[str], str]] = None) -> list[dict[str, Any]]:
    groups = book.index.group(records, by, key, basis)
    if label is not None:  # grouped by the field, then named: label is called once a group, not once a record
        # (named in these words, by the names site.yaml gives: an index outlives an edit of site.yaml)
        named = ("labelled", by, basis, words.key, book.config.fingerprint)
        groups = book.index.kept(records, named, lambda: _labelled(book, groups, label, basis))
    rows = []
    for name, totals in groups.items():
        amount_text = words.amount_total(totals.amount, True, totals.apart)
        jobs_text = words.jobs_total(totals.jobs, True)
        amount_label = (words.figures.millions(totals.amount) if totals.amount is not None
                        else words.say("none %(basis)s", basis=basis_word(basis, words)) if totals.apart
                        else words.say("not disclosed"))
        rows.append({"group": name, "projects": totals.projects,
                     "amount": totals.amount or 0, "jobs": totals.jobs or 0,
                     "amount_text": amount_text, "jobs_text": jobs_text,
                     "amount_label": amount_label, "jobs_label": jobs_text,
                     "projects_label": words.figures.number(totals.projects)})
    return rows


def _labelled(book: Book, groups: dict[str, Totals], label: Callable[[str], str], basis: str) -> dict[str, Totals]:
    """Return groups by their labels, in the order of the labels (two with one label are one group)."""
    named: dict[str, list[Totals]] = {}
    for name, totals in groups.items():
        named.setdefault(label(name), []).append(totals)
    return {name: found[0] if len(found) == 1 else book.index.totals([r for t in found for r in t.records], basis)
            for name, found in sorted(named.items())}


@lru_cache(maxsize=64)
def _bar_structure(metric: str, axis: str, sort_by_value: bool, basis: str, words: Words) -> str:
    """Return the Vega-Lite of a bar chart without its data, title or height (as JSON text)."""
    import altair as alt  # imported when a chart is made: a build that reuses its charts never loads it
    order: Any = "-x" if sort_by_value else "ascending"
    amount = _amount_label(basis, words)
    base = alt.Chart(alt.NamedData(name="bars")).encode(
        y=alt.Y("group:N", title=axis, sort=order, axis=alt.Axis(labelLimit=240)),
        x=alt.X(f"{metric}:Q", title=amount if metric == "amount" else words.say(METRICS[metric].label)))
    bars = base.mark_bar(color="#123c69").encode(
        tooltip=[alt.Tooltip("group:N", title=axis), alt.Tooltip("projects:Q", title=words.say("Projects")),
                 alt.Tooltip("amount_text:N", title=amount),
                 alt.Tooltip("jobs_text:N", title=words.say("Jobs"))])
    # every bar says its figure, so a short bar beside a long one still reads
    labels = base.mark_text(align="left", dx=4, color="#1b1f24").encode(text=alt.Text(f"{metric}_label:N"))
    chart = (
        alt.layer(bars, labels)
        .properties(width=WIDTH - 260, height=60, title="")
        .configure(font=CHART_FONT)
        .configure_view(stroke=None)
    )
    return json.dumps(vega_lite_spec(chart), sort_keys=True)


def _bar_chart(book: Book, block: ChartBlock, records: Sequence[Investment], words: Words, axis: str,
               by: Hashable, key: Callable[[Investment], str], sort_by_value: bool, default_title: str,
               skeletons: Optional[Store[str]], label: Optional[Callable[[str], str]] = None) -> Chart:
    # a nationwide pledge is never added to projects
    drawn = book.index.kept(records, "projects", lambda: [r for r in records if r.state != NATIONWIDE])
    left_out = len(records) - len(drawn)
    records = drawn
    rows = _grouped(book, records, by, key, block.basis, words, label)
    spec = json.loads(skeleton(skeletons, _bar_structure, block.metric, axis, sort_by_value, block.basis, words))
    title = block.title or default_title
    spec.update(datasets={"bars": rows}, height=max(60, 26 * len(rows)), title=title)
    table = Table([axis, words.say("Projects"), words.say(_basis_amount(block.basis)), words.say("Jobs")],
                  [[r["group"], str(r["projects"]), r["amount_text"], r["jobs_text"]] for r in rows])
    description = words.ngettext("Bar chart of %(what)s by %(axis)s, %(bars)s bars from %(n)s project record.",
                                 "Bar chart of %(what)s by %(axis)s, %(bars)s bars from %(n)s project records.",
                                 len(records), what=_noun(block, words), axis=axis.lower(),
                                 bars=words.figures.number(len(rows)))
    return Chart(title, description, spec, caption_for(book, records, words, left_out, basis=block.basis), table)


def _noun(block: ChartBlock, words: Words) -> str:
    if block.metric == "amount":
        return words.say("%(basis)s amount", basis=basis_word(block.basis, words))
    return words.say(METRICS[block.metric].noun)


def _basis_amount(basis: str) -> str:
    """Return the heading of a table's amounts: a message of the catalogs."""
    return {"announced": N_("Announced amount"), "cumulative": N_("Cumulative amount"),
            "pledge": N_("Pledge amount"), "venture total": N_("Venture total amount"),
            "deal value": N_("Deal value amount"), "proposal": N_("Proposal amount")}.get(basis, basis)


def _amount_label(basis: str, words: Words) -> str:
    return words.say("%(amount)s (US$ m)", amount=words.say(_basis_amount(basis)))


def sectors_chart(book: Book, block: ChartBlock, records: Sequence[Investment], words: Words,
                  highlight: Optional[State] = None, skeletons: Optional[Store[str]] = None) -> Chart:
    return _bar_chart(book, block, records, words, words.say("Sector"), "sector", lambda r: r.sector, True,
                      words.say("Japanese investment by sector: %(what)s", what=_noun(block, words)), skeletons,
                      book.config.sector_label)


def years_chart(book: Book, block: ChartBlock, records: Sequence[Investment], words: Words,
                highlight: Optional[State] = None, skeletons: Optional[Store[str]] = None) -> Chart:
    return _bar_chart(book, block, records, words, words.say("Year announced"), "year", lambda r: str(r.year), False,
                      words.say("Japanese investment by year announced: %(what)s", what=_noun(block, words)),
                      skeletons)


def states_chart(book: Book, block: ChartBlock, records: Sequence[Investment], words: Words,
                 highlight: Optional[State] = None, skeletons: Optional[Store[str]] = None) -> Chart:
    in_states = book.index.kept(records, "in states", lambda: [r for r in records if r.state in STATES])
    return _bar_chart(book, block, in_states, words, words.say("State"), "state", lambda r: r.state, True,
                      words.say("Japanese investment by state: %(what)s", what=_noun(block, words)), skeletons,
                      lambda code: words.states[code].name)
