"""Chart blocks: a chart an author places in a paper or a page, typed when it is read."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from .base import Label, Model
from .data import AMOUNT_BASES
from .fields import SectorList, TextList, one_of

KINDS = ("map", "sectors", "years", "states", "vega-lite")
METRICS = ("amount", "jobs", "projects", "employment")
COLOURS = ("sector", "status")


class InvestmentFilter(Model):
    """Selects investment records; every field given must match (any of its values)."""

    sector: SectorList = Field(default_factory=list)
    state: TextList = Field(default_factory=list)
    company: TextList = Field(default_factory=list)
    status: TextList = Field(default_factory=list)

    def matches(self, record: Any) -> bool:
        """Return whether an investment record passes this filter."""
        company = record.company.lower()
        return ((not self.sector or record.sector in self.sector)
                and (not self.state or record.state in self.state)
                and (not self.status or record.status in self.status)
                and (not self.company or any(c.lower() in company for c in self.company)))

    @property
    def empty(self) -> bool:
        return not (self.sector or self.state or self.company or self.status)


class ChartBlock(Model):
    """A chart placed by an author: what to draw, from which records, showing which figure."""

    kind: one_of("chart kind", KINDS)  # type: ignore[valid-type]
    metric: one_of("metric", METRICS) = "amount"  # type: ignore[valid-type]
    colour: one_of("colour", COLOURS) = "sector"  # type: ignore[valid-type]
    basis: one_of("amount basis", AMOUNT_BASES) = "announced"  # type: ignore[valid-type]  # the amounts added up
    filter: InvestmentFilter = Field(default_factory=InvestmentFilter)
    title: Label = ""
    caption: Label = ""
    spec: str = ""  # for kind: vega-lite, a spec file relative to the briefing folder
    marking: str = ""

    @model_validator(mode="after")
    def _needs_spec(self) -> "ChartBlock":
        if self.kind == "vega-lite" and not self.spec:
            raise ValueError("a vega-lite chart needs `spec:`, the path of its spec file")
        return self
