"""Tabular data: investment projects and state-level figures, one CSV row each."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from ..errors import Problem, did_you_mean
from ..geo import NATIONWIDE, STATES
from .base import Model, Origin
from .fields import AsOf, Published, Ref, Slug, Url, optional

STATUSES = ("operating", "under_construction", "announced", "pledged", "pending", "blocked")

AMOUNT_BASES = ("announced", "cumulative", "pledge", "venture total", "deal value", "proposal")
"""What an amount measures. Amounts on different bases are never added into one figure."""

UNDISCLOSED = "not disclosed"  # the basis of an empty amount, with why in brackets

_BASIS = re.compile(r"^(?P<kind>[a-z ]+?)\s*(?:\((?P<detail>.*)\))?$", re.S)


def _check_amount_basis(value: str) -> str:
    value = value.strip()
    match = _BASIS.match(value)
    if value and (not match or match.group("kind") not in AMOUNT_BASES + (UNDISCLOSED,)):
        kind = match.group("kind") if match else value
        raise ValueError(f"unknown amount basis '{value[:60]}': write one of {', '.join(AMOUNT_BASES)}, "
                         f"with any detail in brackets, as in 'announced (2022 expansion)'"
                         f"{did_you_mean(kind, AMOUNT_BASES)}")
    return value


AmountBasis = Annotated[str, AfterValidator(_check_amount_basis)]


@lru_cache(maxsize=4096)
def _basis_kind(amount_basis: str) -> str:
    """Return the kind of an amount basis, without its detail (a handful of distinct texts, read often)."""
    match = _BASIS.match(amount_basis)
    return match.group("kind") if match and amount_basis else ""


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
    amount_basis: AmountBasis = ""
    jobs: optional(Annotated[int, Field(ge=0)]) = None  # type: ignore[valid-type]
    jobs_basis: str = ""
    year: int
    status: Literal[STATUSES]  # type: ignore[valid-type]
    status_as_of: AsOf
    approximate: bool
    source_url: Url
    source_label: str = ""
    source_date: optional(Published) = None  # type: ignore[valid-type]
    notes: str = ""
    marking: str = ""

    @model_validator(mode="after")
    def _amount_has_basis(self) -> "Investment":
        if self.amount is not None and self.basis in ("", UNDISCLOSED):
            raise ValueError(f"an amount needs its amount_basis: one of {', '.join(AMOUNT_BASES)}")
        return self

    @property
    def source_name(self) -> str:
        """Return the source's label, or its host when it has none."""
        return self.source_label or self.source_url.split("/")[2]

    @property
    def basis(self) -> str:
        """Return the kind of amount this is (`announced`, `cumulative`, …), without its detail."""
        return _basis_kind(self.amount_basis)

    @property
    def proposal(self) -> bool:
        """Return whether this record is the book's own proposal, not a reported project."""
        return self.basis == "proposal"


class StateFigure(Model):
    """A state-level figure, such as jobs at Japanese-owned companies, with its source."""

    state: StateCode
    measure: Literal["jobs", "companies", "facilities", "investment", "fdi_position"]
    label: str
    value: float
    unit: str
    period: str = ""  # what the figure measures (2019, FY2024): apart from when it was true or said
    basis: str = ""  # how it was counted; figures on one basis can be compared, others not
    as_of: AsOf
    approximate: bool
    source_org: str
    source_url: Url
    source_date: optional(Published) = None  # type: ignore[valid-type]
    notes: str = ""
    marking: str = ""


class RowOrigin(Origin):
    """The origin of a model read from a CSV row: its fields are the row's columns."""

    def problem(self, sub: tuple[Any, ...], message: str, key: bool = False, severity: str = "error",
                text_at: tuple[int, int] | None = None) -> Problem:
        line, column = self.doc.where(tuple(sub))
        name = str(sub[0]) if sub else ""
        return Problem(self.doc.path, line, column, name, message, severity)
