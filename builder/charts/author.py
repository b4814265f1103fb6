"""Authors' own charts: a Vega-Lite spec file of the book, drawn like the book's own charts."""

from __future__ import annotations

import copy
import csv
import io
from typing import Any, Optional, Sequence

from ..geo import State
from ..model.book import Book
from ..model.charts import ChartBlock
from ..model.data import Investment
from ..text.figures import format_date
from .base import Chart, Table


def vega_lite_chart(book: Book, block: ChartBlock, records: Sequence[Investment],
                    highlight: Optional[State] = None) -> Chart:
    """Return the chart of a spec file, as read and checked by the validate stage."""
    spec = copy.deepcopy(book.specs[block.spec])
    title = block.title or (spec.get("title") if isinstance(spec.get("title"), str) else "") or "Chart"
    caption = block.caption or f"Source: {block.spec} in this book; book as of {format_date(book.config.as_of)}."
    return Chart(title, block.caption or title, spec, caption, table_of(spec))


def table_of(spec: dict[str, Any]) -> Table:
    """Return the data table behind a spec's top-level inline data, when it has some."""
    found = spec.get("data")
    data: dict[str, Any] = found if isinstance(found, dict) else {}
    values = data.get("values")
    fmt: dict[str, Any] = data["format"] if isinstance(data.get("format"), dict) else {}
    if isinstance(values, str) and fmt.get("type", "csv") in ("csv", "tsv"):
        delimiter = "\t" if fmt.get("type") == "tsv" else ","
        rows = list(csv.reader(io.StringIO(values), delimiter=delimiter))
        return Table(rows[0], rows[1:]) if rows else Table([])
    if isinstance(values, list) and values and all(isinstance(v, dict) for v in values):
        headers = list(dict.fromkeys(k for v in values for k in v))
        return Table(headers, [["" if v.get(h) is None else str(v.get(h)) for h in headers] for v in values])
    return Table([])
