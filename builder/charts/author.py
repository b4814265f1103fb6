"""Authors' own charts: a Vega-Lite spec file of the book, drawn like the book's own charts.

Every data set the chart receives (top-level, a layer's, a lookup's, a named dataset) becomes
a table for readers who cannot see the chart, and a CSV file in the site with all its rows.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from typing import Any, Optional, Sequence

from ..cache import Store
from ..geo import State
from ..model.book import Book
from ..model.charts import ChartBlock
from ..model.data import Investment
from ..text.locale import N_, Words
from ..validate.specs import data_nodes, spec_description, spec_title
from .base import Chart, Table

MARK_NAMES = {"bar": N_("Bar chart"), "line": N_("Line chart"), "area": N_("Area chart"),
              "point": N_("Scatter plot"), "circle": N_("Scatter plot"), "square": N_("Scatter plot"),
              "tick": N_("Strip plot"), "rect": N_("Heat map"), "arc": N_("Pie chart"), "geoshape": N_("Map"),
              "boxplot": N_("Box plot"), "text": N_("Text chart"), "rule": N_("Rule chart"), "trail": N_("Line chart"),
              "errorbar": N_("Error bars"), "errorband": N_("Error band"), "image": N_("Image chart")}


def vega_lite_chart(book: Book, block: ChartBlock, records: Sequence[Investment], words: Words,
                    highlight: Optional[State] = None, skeletons: Optional[Store[str]] = None) -> Chart:
    """Return the chart of a spec file, as read and checked by the validate stage."""
    spec = copy.deepcopy(book.specs[block.spec])
    generated = describe(spec, words)
    title = block.title or spec_title(spec) or generated
    description = spec_description(spec) or block.title or spec_title(spec) or generated
    caption = block.caption or words.say("Source: %(file)s in this book; book as of %(date)s.", file=block.spec,
                                         date=words.figures.date(book.config.as_of))
    tables = tables_of(spec, words)
    return Chart(title, description, spec, caption, tables[0] if tables else Table([]),
                 more_tables=tables[1:], downloads=True)


def describe(spec: dict[str, Any], words: Words) -> str:
    """Return a sentence saying what kind of chart a spec draws and of which fields."""
    marks, fields = [], []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            mark = node.get("mark")
            kind = mark.get("type") if isinstance(mark, dict) else mark
            if isinstance(kind, str):
                marks.append(words.say(MARK_NAMES[kind]) if kind in MARK_NAMES
                             else words.say("%(mark)s chart", mark=kind.capitalize()))
            encoding = node.get("encoding")
            if isinstance(encoding, dict):
                for channel in ("x", "y", "theta", "color", "size", "shape"):
                    enc = encoding.get(channel)
                    name = enc.get("title") or enc.get("field") if isinstance(enc, dict) else None
                    if isinstance(name, str) and name not in fields:
                        fields.append(name)
            for key in ("layer", "concat", "hconcat", "vconcat", "spec"):
                walk(node.get(key))

    walk(spec)
    kind = words.say(" and ").join(dict.fromkeys(marks)) or words.say("Chart")
    return words.say("%(kind)s of %(fields)s", kind=kind, fields=words.say(", ").join(fields[:4])) if fields else kind


def tables_of(spec: dict[str, Any], words: Words) -> list[Table]:
    """Return a table for every data set a spec holds inline, in the order the spec gives them."""
    tables: list[Table] = []
    seen: set[int] = set()
    for loc, data in data_nodes(spec):
        values = data.get("values")
        if values is None or id(values) in seen:
            continue
        seen.add(id(values))
        fmt = data.get("format") if isinstance(data.get("format"), dict) else {}
        table = table_of(values, fmt or {})
        table.name = _name(loc, words)
        tables.append(table)
    datasets = spec.get("datasets")
    if isinstance(datasets, dict):
        for name, values in datasets.items():
            table = table_of(values, {})
            table.name = words.say("Dataset '%(name)s'", name=name)
            tables.append(table)
    tables = [t for t in tables if t.rows]
    if len(tables) == 1:
        tables[0].name = ""
    return tables


def _name(loc: tuple[Any, ...], said: Words) -> str:
    parts = [p for p in loc[:-1] if p not in ("spec",)]
    if not parts:
        return said.say("Data")
    if "from" in parts:
        return said.say("Lookup data")
    words: list[str] = []
    for i, part in enumerate(parts):
        if isinstance(part, int) and i > 0 and isinstance(parts[i - 1], str):
            words[-1] = f"{parts[i - 1].rstrip('s')} {part + 1}"
        elif isinstance(part, str):
            words.append(part)
    return said.say("Data of %(parts)s", parts=", ".join(words))


def table_of(values: Any, fmt: dict[str, Any]) -> Table:
    """Return the rows a chart receives from one data set, as text."""
    kind = fmt.get("type")
    if isinstance(values, str):
        if kind == "topojson":
            return _topology_table(values, fmt)
        delimiter = {"tsv": "\t", "dsv": str(fmt.get("delimiter") or ",")}.get(str(kind), ",")
        rows = [row for row in csv.reader(io.StringIO(values), delimiter=delimiter) if any(row)]
        return Table(rows[0], rows[1:]) if rows else Table([])
    if isinstance(values, dict):
        features = values.get("features") if values.get("type") == "FeatureCollection" else [values]
        return _records_table(features if isinstance(features, list) else [values])
    if isinstance(values, list):
        if values and all(isinstance(v, dict) for v in values):
            return _records_table(values)
        return Table(["value"], [[_cell(v)] for v in values])
    return Table([])


def _topology_table(text: str, fmt: dict[str, Any]) -> Table:
    topology = json.loads(text)
    name = fmt.get("feature", fmt.get("mesh"))
    target = (topology.get("objects") or {}).get(name) or {}
    geometries = target.get("geometries") if target.get("type") == "GeometryCollection" else [target]
    return _records_table([g for g in geometries or [] if isinstance(g, dict)])


def _records_table(records: list[Any]) -> Table:
    flat = [_flatten(r) for r in records if isinstance(r, dict)]
    headers = list(dict.fromkeys(k for r in flat for k in r))
    return Table(headers, [[r.get(h, "") for h in headers] for r in flat])


def _flatten(record: dict[str, Any]) -> dict[str, str]:
    """Return a record's fields as text, a nested object's fields as `object.field` (GeoJSON properties)."""
    out: dict[str, str] = {}
    for key, value in record.items():
        if key in ("geometry", "arcs", "coordinates"):
            kind = value.get("type") if isinstance(value, dict) else None
            out[key] = str(kind) if kind else "(shape)"
        elif isinstance(value, dict) and all(not isinstance(v, (dict, list)) for v in value.values()):
            for sub, inner in value.items():
                out[f"{key}.{sub}"] = _cell(inner)
        else:
            out[key] = _cell(value)
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 80 else text[:79] + "…"
    return str(value)
