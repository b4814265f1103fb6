"""Chart blocks: what authors write to place a chart, how each is checked and drawn.

A block names a kind from `KINDS` (the built-in investment charts in
`charts`, or `vega-lite` for a spec file the book provides), a metric and a
filter. Blocks are checked with the rest of the book, so a mistake is a
located error before anything is rendered.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import altair as alt

from .book import Book, check_filter
from .charts import (
    COLOURS,
    METRICS,
    Chart,
    ChartError,
    Table,
    map_chart,
    sectors_chart,
    states_chart,
    years_chart,
)
from .content import ChartBlock
from .data import Investment
from .errors import Problem, did_you_mean
from .figures import format_date
from .geo import State

# --- a book's own Vega-Lite spec ------------------------------------------------------------

def vega_lite_chart(book: Book, block: ChartBlock, records: list[Investment], highlight=None,
                    root: Optional[Path] = None) -> Chart:
    """Load a spec file written by the book's authors, inlining its local data files."""
    spec = load_spec_file(root or Path("."), block.spec)
    title = block.title or (spec.get("title") if isinstance(spec.get("title"), str) else "") or "Chart"
    caption = block.caption or f"Source: {block.spec} in this book; book as of {format_date(book.config.as_of)}."
    return Chart(title, block.caption or title, spec, caption, table_of(spec))


def table_of(spec: dict[str, Any]) -> Table:
    """Return the data table behind a spec's top-level inline data, when it has some."""
    data = spec.get("data") if isinstance(spec.get("data"), dict) else {}
    values = data.get("values")
    if isinstance(values, str) and data.get("format", {}).get("type", "csv") in ("csv", "tsv"):
        delimiter = "\t" if data.get("format", {}).get("type") == "tsv" else ","
        rows = list(csv.reader(io.StringIO(values), delimiter=delimiter))
        return Table(rows[0], rows[1:]) if rows else Table([])
    if isinstance(values, list) and values and all(isinstance(v, dict) for v in values):
        headers = list(dict.fromkeys(k for v in values for k in v))
        return Table(headers, [["" if v.get(h) is None else str(v.get(h)) for h in headers] for v in values])
    return Table([])


def load_spec_file(root: Path, rel: str) -> dict[str, Any]:
    """Read a Vega-Lite spec file; raise ChartError with a plain message on any problem."""
    if not rel:
        raise ChartError("a vega-lite chart needs `spec:`, the path of its spec file")
    path = (root / rel).resolve()
    if root.resolve() not in path.parents or not path.is_file():
        raise ChartError(f"spec file '{rel}' not found in the briefing folder")
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ChartError(f"spec file '{rel}' is not valid JSON: {exc}") from None
    if not isinstance(spec, dict) or not any(k in spec for k in ("mark", "layer", "concat", "hconcat",
                                                                  "vconcat", "facet", "repeat")):
        raise ChartError(f"spec file '{rel}' is not a Vega-Lite spec (no mark, layer or concat)")
    _inline_data(spec, path.parent, root.resolve(), rel)
    try:
        alt.Chart.from_dict(spec, validate=True)
    except Exception as exc:  # Altair raises several types for a spec that does not fit the schema
        reason = str(exc).strip().splitlines()
        raise ChartError(f"spec file '{rel}' is not a valid Vega-Lite {alt.SCHEMA_VERSION} spec: "
                         f"{reason[0] if reason else exc}") from None
    return spec


def _inline_data(node: Any, base: Path, root: Path, rel: str) -> None:
    """Replace `data: {url: local file}` with the file's contents, so the chart works from file://."""
    if isinstance(node, list):
        for item in node:
            _inline_data(item, base, root, rel)
        return
    if not isinstance(node, dict):
        return
    data = node.get("data")
    if isinstance(data, dict) and isinstance(data.get("url"), str):
        url = data.pop("url")
        if "://" in url or url.startswith("//"):
            raise ChartError(f"spec file '{rel}' loads data from '{url}', outside the book; "
                             "copy the data into the book and give a relative path")
        source = (base / url).resolve()
        if root not in source.parents or not source.is_file():
            raise ChartError(f"spec file '{rel}' refers to data '{url}', which is not in the book")
        text = source.read_text(encoding="utf-8")
        fmt = data.setdefault("format", {})
        if source.suffix == ".json" and fmt.get("type", "json") == "json":
            data["values"] = json.loads(text)
        else:
            fmt.setdefault("type", source.suffix.lstrip(".") or "csv")
            data["values"] = text
    for value in node.values():
        _inline_data(value, base, root, rel)


# --- choosing and checking charts -----------------------------------------------------------

KINDS: dict[str, Callable[..., Chart]] = {
    "map": map_chart, "sectors": sectors_chart, "years": years_chart, "states": states_chart,
    "vega-lite": vega_lite_chart,
}


def build_chart(book: Book, block: ChartBlock, root: Path, highlight: Optional[State] = None,
                records: Optional[list[Investment]] = None) -> Chart:
    """Return the chart a block asks for (blocks are checked beforehand by check_block)."""
    if records is None:
        records = [r for r in book.investments if block.filter.matches(r)]
    if block.kind == "vega-lite":
        return vega_lite_chart(book, block, records, root=root)
    key = _inputs_key(book, block, records, highlight)
    chart = _memo.get(key)
    if chart is None:
        chart = KINDS[block.kind](book, block, records, highlight)
        if len(_memo) >= 1024:
            _memo.pop(next(iter(_memo)))
        _memo[key] = chart
    return chart


# Charts already built in this process, by a hash of everything they are drawn from: a
# long-running `briefing serve` then rebuilds only the charts whose data changed.
_memo: dict[str, Chart] = {}


def _inputs_key(book: Book, block: ChartBlock, records: list[Investment],
                highlight: Optional[State]) -> str:
    inputs = [block.model_dump(mode="json"), highlight.code if highlight else None,
              book.config.model_dump(mode="json"),
              [f.model_dump(mode="json") for f in book.state_figures],
              [r.model_dump(mode="json") for r in records]]
    body = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def check_blocks(book: Book, root: Path) -> Iterator[Problem]:
    """Report chart blocks with an unknown kind, metric or colour, a bad spec file, or no data."""
    for issue in book.issues:
        for i, block in enumerate(issue.charts):
            def at(*sub: Any, _i: int = i, _issue=issue, **kw: Any) -> Problem:
                return _issue.problem("charts", _i, *sub, **kw)
            yield from _check_block(book, root, block, at, filters_checked=True)
    for page in book.pages:
        for block in page.charts:
            yield from _check_block(book, root, block, block.problem, filters_checked=False)


def _check_block(book: Book, root: Path, block: ChartBlock, at: Callable[..., Problem],
                 filters_checked: bool) -> Iterator[Problem]:
    if block.kind not in KINDS:
        yield at("kind", message=f"unknown chart kind '{block.kind}'; use one of "
                 f"{', '.join(KINDS)}{did_you_mean(block.kind, KINDS)}")
        return
    if block.kind == "vega-lite":
        try:
            load_spec_file(root, block.spec)
        except ChartError as exc:
            yield at("spec", message=str(exc))
        return
    if block.metric not in METRICS:
        yield at("metric", message=f"unknown metric '{block.metric}'; use one of "
                 f"{', '.join(METRICS)}{did_you_mean(block.metric, METRICS)}")
    if block.colour not in COLOURS:
        yield at("colour", message=f"unknown colour '{block.colour}'; use one of "
                 f"{', '.join(COLOURS)}{did_you_mean(block.colour, COLOURS)}")
    if not filters_checked:
        problems = list(check_filter(book, block, ("filter",), block.filter,
                                     [s.id for s in book.config.sectors]))
        if problems:
            yield from problems
            return
    if not any(block.filter.matches(r) for r in book.investments):
        yield at("filter", severity="warning",
                 message="matches no investment records; the chart will have no data")
