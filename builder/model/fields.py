"""Field types shared by the content models: ids, web addresses, dates and fixed choices."""

from __future__ import annotations

import re
import typing
from datetime import date
from typing import Annotated, Any, Iterable
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator

from ..errors import did_you_mean
from .base import Dated, Reference

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _check_slug(value: str) -> str:
    if not SLUG_PATTERN.match(value):
        raise ValueError(f"'{value}' is not a valid id: use lowercase letters, digits and hyphens")
    return value


Slug = Annotated[str, AfterValidator(_check_slug)]


def _check_url(value: str) -> str:
    try:
        host = urlsplit(value).hostname
    except ValueError:
        host = None
    if not host or not re.match(r"^https?://[^\s/$.?#][^\s]*$", value):
        raise ValueError(f"'{value[:80]}' is not a web address (http:// or https://)")
    return value


Url = Annotated[str, AfterValidator(_check_url)]

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _check_partial_date(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("expected a date such as 2025-02-07, 2025-02 or 2025")
    match = _PARTIAL_DATE.match(value.strip())
    if not match:
        raise ValueError(f"malformed date '{value}': use YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"malformed date '{value}': no such date") from None
    return value.strip()


PartialDate = Annotated[str, BeforeValidator(_check_partial_date)]
"""A date known to the year, month or day: `2024`, `2024-12`, `2024-12-16`."""

AsOf = Annotated[PartialDate, Dated("as of")]
"""The date a figure or status was true: it may not be after the book's as-of date."""

Published = Annotated[PartialDate, Dated("published")]
"""The date a source was published: it may not be after the book's as-of date."""


def earliest_day(value: str) -> date:
    """Return the first day a partial date can mean: `2025-02` is 1 Feb 2025."""
    year, month, day = _PARTIAL_DATE.match(value).groups()  # type: ignore[union-attr]  # validated
    return date(int(year), int(month or 1), int(day or 1))


def latest_day(value: str) -> date:
    """Return the last day a partial date can mean: `2023` is 31 Dec 2023."""
    year, month, day = _PARTIAL_DATE.match(value).groups()  # type: ignore[union-attr]  # validated
    if day:
        return date(int(year), int(month), int(day))
    if month:
        following = date(int(year) + (month == "12"), 1 if month == "12" else int(month) + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    return date(int(year), 12, 31)


def _empty_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def optional(tp: Any) -> Any:
    """Return a type for an optional CSV cell, where an empty cell means no value."""
    return Annotated[typing.Optional[tp], BeforeValidator(_empty_to_none)]


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, (str, int, float)) else value


TextList = Annotated[list[str], BeforeValidator(_as_list)]
"""A list of text that may also be written as a single value."""


def one_of(noun: str, choices: Iterable[str]) -> Any:
    """Return a text type limited to choices, whose mistakes read `unknown NOUN 'x'; use one of …`."""
    allowed = tuple(choices)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {noun} '{value}'; use one of {', '.join(allowed)}"
                             f"{did_you_mean(value, allowed)}")
        return value

    return Annotated[str, AfterValidator(check)]


class Ref:
    """Reference field types: `list[Ref.person]` is a list of ids that must name existing people."""

    person = Annotated[Slug, Reference("person")]
    fact = Annotated[Slug, Reference("fact")]
    issue = Annotated[Slug, Reference("issue")]
    sector = Annotated[str, Reference("sector")]


SectorList = Annotated[list[Ref.sector], BeforeValidator(_as_list)]
"""Sector ids, or one sector id written on its own."""
