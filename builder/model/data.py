"""Tabular data: investment projects and state-level figures, one CSV row each."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from ..errors import Problem, did_you_mean
from ..geo import NATIONWIDE, STATES
from .base import Model, Origin
from .fields import PartialDate, Ref, Slug, Url, optional

STATUSES = ("operating", "under_construction", "announced", "pledged", "pending", "blocked")


def _check_state(value: str) -> str:
    if value not in STATES and value != NATIONWIDE:
        raise ValueError(f"unknown state code '{value}': use a two-letter USPS code such as TX, "
                         f"or {NATIONWIDE} for nationwide{did_you_mean(value.upper(), STATES)}")
    return value


StateCode = Annotated[str, AfterValidator(_check_state)]


class Investment(Model):
    """One Japanese investment project in the United States."""

    id: Slug
    company: str
    project: str
    city: str = ""
    state: StateCode
    latitude: optional(Annotated[float, Field(ge=-90, le=90)]) = None  # type: ignore[valid-type]
    longitude: optional(Annotated[float, Field(ge=-180, le=180)]) = None  # type: ignore[valid-type]
    sector: Ref.sector
    amount: optional(Annotated[float, Field(ge=0)]) = None  # type: ignore[valid-type]  # millions of `currency`
    currency: Literal["USD", "JPY"] = "USD"
    amount_basis: str = ""
    jobs: optional(Annotated[int, Field(ge=0)]) = None  # type: ignore[valid-type]
    jobs_basis: str = ""
    year: int
    status: Literal[STATUSES]  # type: ignore[valid-type]
    status_as_of: PartialDate
    approximate: bool
    source_url: Url
    source_label: str = ""
    notes: str = ""

    @property
    def source_name(self) -> str:
        """Return the source's label, or its host when it has none."""
        return self.source_label or self.source_url.split("/")[2]


class StateFigure(Model):
    """A state-level figure, such as jobs at Japanese-owned companies, with its source."""

    state: StateCode
    measure: Literal["jobs", "companies", "facilities", "investment", "fdi_position"]
    label: str
    value: float
    unit: str
    as_of: PartialDate
    approximate: bool
    source_org: str
    source_url: Url
    notes: str = ""


class RowOrigin(Origin):
    """The origin of a model read from a CSV row: its fields are the row's columns."""

    def problem(self, sub: tuple[Any, ...], message: str, key: bool = False, severity: str = "error",
                text_at: tuple[int, int] | None = None) -> Problem:
        line, column = self.doc.where(tuple(sub))
        name = str(sub[0]) if sub else ""
        return Problem(self.doc.path, line, column, name, message, severity)
