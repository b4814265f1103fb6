"""A chart as pages use it: its Vega-Lite spec, a description, a caption and its data as a table."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Optional

import altair as alt

from ..errors import Problem

GEO_DATASET = "us-states"  # the name under which maps find the US states geometry


@dataclass
class Table:
    """The data behind a chart, for readers who cannot see it."""

    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


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

    def __post_init__(self) -> None:
        body = json.dumps(self.spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        self.key = hashlib.sha256(body.encode("utf-8")).hexdigest()[:20]

    @property
    def svg_path(self) -> str:
        return f"charts/{self.key}.svg"

    @cached_property
    def spec_json(self) -> str:
        """Return the spec as JSON that is safe inside a <script> element."""
        text = json.dumps(self.spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return text.replace("</", "<\\/").replace("<!--", "<\\!--")

    @cached_property
    def fingerprint(self) -> str:
        """Return a hash of everything a page shows of this chart."""
        body = json.dumps([self.title, self.description, self.caption, self.table.headers,
                           self.table.rows, self.needs_geo], ensure_ascii=False)
        return hashlib.sha256(f"{self.key}\n{body}".encode("utf-8")).hexdigest()


def vega_lite_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """Return a chart's Vega-Lite dict (the tests validate these specs against the schema)."""
    spec = chart.to_dict(validate=False)
    spec.pop("$schema", None)
    spec["$schema"] = f"https://vega.github.io/schema/vega-lite/{alt.SCHEMA_VERSION}.json"
    return spec
