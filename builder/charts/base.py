"""A chart as pages use it: its Vega-Lite spec, a description, a caption and its data as a table."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Hashable, Optional

from ..cache import Store
from ..errors import Problem
from ..vegalite import ALTAIR_VERSION, SCHEMA_VERSION

SCRIPT_SAFE = {c: f"\\u{ord(c):04x}" for c in "<>&\u2028\u2029"}
GEO_DATASET = "us-states"  # the name under which maps find the US states geometry


TABLE_ROWS = 100  # rows a page shows of a chart's data; the rest are in the table's CSV file


@dataclass
class Table:
    """The data behind a chart, for readers who cannot see it.

    A page shows its first TABLE_ROWS rows; an author's chart links to all of them as a CSV file.
    """

    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    name: str = ""  # which of a chart's data sets, when it has several
    csv_path: str = ""  # where the whole table is written in the site, if it is

    @property
    def shown(self) -> list[list[str]]:
        return self.rows[:TABLE_ROWS]

    @property
    def capped(self) -> bool:
        return len(self.rows) > TABLE_ROWS

    def csv_bytes(self) -> bytes:
        """Return the table as CSV, with the byte-order mark Excel needs to read it as UTF-8."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.headers)
        writer.writerows(self.rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8")


@dataclass
class Chart:
    """One chart, ready to embed in a page and to render to SVG."""

    title: str
    description: str
    spec: dict[str, Any]
    caption: str
    table: Table
    needs_geo: bool = False
    key: str = ""
    written_at: Optional[Problem] = None  # where an author wrote it (a block); None for the book's own
    more_tables: list[Table] = field(default_factory=list)  # further data sets (layers, lookups, datasets)
    downloads: bool = False  # write each table in full as a CSV file beside the chart

    def __post_init__(self) -> None:
        body = json.dumps(self.spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        self.key = hashlib.sha256(body.encode("utf-8")).hexdigest()[:20]
        self.__dict__["spec_json"] = _script_safe(body)  # the same text: not written out twice
        if self.downloads:
            for n, table in enumerate(self.tables, start=1):
                table.csv_path = f"charts/{self.key}-data{n}.csv"

    @property
    def tables(self) -> list[Table]:
        """Return every table of the chart that has rows."""
        return [t for t in (self.table, *self.more_tables) if t.rows]

    def data_files(self) -> dict[str, bytes]:
        """Return the CSV files of this chart's tables, by their path in the site."""
        return {t.csv_path: t.csv_bytes() for t in self.tables if t.csv_path}

    @property
    def svg_path(self) -> str:
        return f"charts/{self.key}.svg"

    @cached_property
    def spec_json(self) -> str:
        """Return the spec as JSON that is safe inside a <script> element."""
        return _script_safe(json.dumps(self.spec, sort_keys=True, ensure_ascii=False, separators=(",", ":")))

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("spec_json", None)  # the build cache keeps the spec once; its text is made again when read
        return state

    @cached_property
    def fingerprint(self) -> str:
        """Return a hash of everything a page shows of this chart."""
        body = json.dumps([self.title, self.description, self.caption, self.needs_geo, self.downloads,
                           [[t.name, t.headers, t.rows] for t in (self.table, *self.more_tables)]],
                          ensure_ascii=False)
        return hashlib.sha256(f"{self.key}\n{body}".encode("utf-8")).hexdigest()


def _script_safe(text: str) -> str:
    """Return JSON text that is safe inside a <script> element."""
    # in JSON these characters occur only inside strings, where \\uXXXX means the same character;
    # escaped, no text can close the script element, open a comment or end a JavaScript line
    # (five replacements: twenty times faster than str.translate on a map's spec)
    for character, escaped in SCRIPT_SAFE.items():
        text = text.replace(character, escaped)
    return text


def skeleton(kept: Optional[Store[str]], make: Callable[..., str], *args: Hashable) -> str:
    """Return make(*args): a chart's Vega-Lite without its data, as JSON text, made with Altair.

    kept (the build cache's skeletons) keeps them between builds, so that a build that changes a
    chart's data but not its shape never imports Altair.
    """
    if kept is None:
        return make(*args)
    key = (make.__name__, ALTAIR_VERSION, *(getattr(arg, "key", arg) for arg in args))  # Words by their key
    return kept.get_or_make(key, lambda: make(*args))


def vega_lite_spec(chart: Any) -> dict[str, Any]:
    """Return a chart's Vega-Lite dict (the tests validate these specs against the schema)."""
    spec = chart.to_dict(validate=False)
    spec.pop("$schema", None)
    spec["$schema"] = f"https://vega.github.io/schema/vega-lite/{SCHEMA_VERSION}.json"
    return spec
