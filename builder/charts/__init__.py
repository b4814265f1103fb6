"""Charts: the kinds a chart block can ask for, built once per distinct input.

The book's own kinds draw its investment data (`investment`); `vega-lite` draws an
author's spec file (`author`). Each chart is embedded in its page as a Vega-Lite spec
and rendered to a static SVG (`vega`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any, Callable, Optional, Sequence

from ..cache import Store
from ..errors import Problem
from ..geo import State
from ..model import charts as model
from ..model.book import Book
from ..model.charts import ChartBlock
from ..model.data import Investment
from ..text.locale import Words
from .author import vega_lite_chart
from .base import Chart, Table
from .bars import sectors_chart, states_chart, years_chart
from .maps import map_chart

KINDS: dict[str, Callable[..., Chart]] = {
    "map": map_chart, "sectors": sectors_chart, "years": years_chart, "states": states_chart,
    "vega-lite": vega_lite_chart,
}
assert tuple(KINDS) == model.KINDS


def build_chart(book: Book, block: ChartBlock, highlight: Optional[State] = None,
                records: Optional[Sequence[Investment]] = None, store: Optional[Store[Any]] = None,
                written_at: Optional[Problem] = None, skeletons: Optional[Store[str]] = None,
                words: Words = Words()) -> Chart:
    """Return the chart a block asks for, in the language of words, reusing one built from the same
    inputs (store) and the structures Altair made for charts of its shape (skeletons).

    written_at locates an author's block, so that a chart that cannot be drawn is reported there.
    """
    if records is None:
        records = book.index.select(block.filter)
    if store is None:
        chart = KINDS[block.kind](book, block, records, words, highlight, skeletons)
        return chart if written_at is None else dataclasses.replace(chart, written_at=written_at)
    key = inputs_key(book, block, records, highlight, words)
    chart = store.get_or_make(key, lambda: KINDS[block.kind](book, block, records, words, highlight, skeletons))
    if written_at is None:
        return chart
    return store.get_or_make((key, written_at), lambda: dataclasses.replace(chart, written_at=written_at))


def inputs_key(book: Book, block: ChartBlock, records: Sequence[Investment], highlight: Optional[State],
               words: Words) -> str:
    """Return a hash of everything a chart is drawn from, its words among them."""
    if block.kind == "vega-lite":
        inputs: list[Any] = [block.fingerprint, book.specs[block.spec], book.config.as_of.isoformat(), words.key]
    else:
        inputs = [block.fingerprint, highlight.code if highlight else None, book.config.fingerprint,
                  [f.fingerprint for f in book.state_figures], book.index.digest(records), words.key]
    body = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


__all__ = ["Chart", "Table", "KINDS", "build_chart"]
