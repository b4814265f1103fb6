"""Validate parsed documents against pydantic models and locate every mistake.

Each content module declares its models on `Model`; this module turns
pydantic's error list into `Problem`s that name the file, line, column and
field, in words a writer understands (`expected text, got a mapping`).
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Optional, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PrivateAttr,
    ValidationError,
)

from .errors import Problem, did_you_mean
from .source import Document, format_loc

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Origin:
    """Where a model was read from: a document and the path inside it."""

    doc: Document
    loc: tuple = ()

    def problem(self, sub: tuple, message: str, key: bool = False, severity: str = "error",
                text_at: tuple[int, int] | None = None) -> Problem:
        """Return a problem at sub (a path below this origin); text_at = (line, column) inside a text."""
        full = self.loc + tuple(sub)
        if text_at is not None:
            line, column = self.doc.text_line(full, *text_at)
        else:
            line, column = self.doc.where(full, key=key)
        return Problem(self.doc.path, line, column, format_loc(full), message, severity)


class Model(BaseModel):
    """Base for every content model: immutable, and strict about unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    _origin: Optional[Origin] = PrivateAttr(default=None)

    def problem(self, *sub: Any, message: str, key: bool = False, severity: str = "error",
                text_at: tuple[int, int] | None = None) -> Problem:
        """Return a problem located at a field of this item in its source file."""
        if self._origin is None:
            return Problem("", 0, 0, format_loc(tuple(sub)), message, severity)
        return self._origin.problem(tuple(sub), message, key, severity, text_at)


# --- small shared field types -------------------------------------------------

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _check_slug(value: str) -> str:
    if not SLUG_PATTERN.match(value):
        raise ValueError(f"'{value}' is not a valid id: use lowercase letters, digits and hyphens")
    return value


Slug = Annotated[str, AfterValidator(_check_slug)]


def _check_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value):
        raise ValueError(f"'{value}' is not a web address (http:// or https://)")
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


def _empty_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def optional(tp: Any) -> Any:
    """Return a type for an optional CSV cell, where an empty cell means no value."""
    return Annotated[typing.Optional[tp], BeforeValidator(_empty_to_none)]


# --- turning pydantic errors into located problems ----------------------------

def describe(value: Any) -> str:
    """Name a value's kind the way a writer would."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if value is None:
        return "nothing"
    text = str(value)
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"


_MESSAGES = {
    "string_type": "expected text, got {got}",
    "missing": "required field is missing",
    "int_parsing": "expected a whole number, got {got}",
    "int_type": "expected a whole number, got {got}",
    "int_from_float": "expected a whole number, got {got}",
    "float_parsing": "expected a number, got {got}",
    "float_type": "expected a number, got {got}",
    "bool_parsing": "expected true or false (Y or N), got {got}",
    "bool_type": "expected true or false, got {got}",
    "list_type": "expected a list, got {got}",
    "dict_type": "expected a mapping, got {got}",
    "model_type": "expected a mapping, got {got}",
    "model_attributes_type": "expected a mapping, got {got}",
    "date_type": "expected a date (YYYY-MM-DD), got {got}",
    "date_parsing": "malformed date {got}: use YYYY-MM-DD",
    "date_from_datetime_parsing": "malformed date {got}: use YYYY-MM-DD",
    "date_from_datetime_inexact": "malformed date {got}: use YYYY-MM-DD",
    "time_parsing": "malformed time {got}: use HH:MM (24-hour)",
    "time_type": "expected a time (HH:MM), got {got}",
    "too_short": "must not be empty",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "string_too_short": "must not be empty",
}


def _message(err: dict[str, Any], model: type[BaseModel]) -> str:
    kind = err["type"]
    got = describe(err.get("input"))
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = _fields_at(model, err["loc"][:-1])
        return f"unknown field{did_you_mean(err['loc'][-1], allowed)}"
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "")
        choices = re.findall(r"'([^']*)'", expected)
        hint = did_you_mean(err.get("input"), choices) if isinstance(err.get("input"), str) else ""
        return f"expected one of {', '.join(choices) or expected}; got {got}{hint}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "too_short" and ctx.get("min_length", 1) > 1:
        return f"needs at least {ctx['min_length']} entries"
    if kind in _MESSAGES:
        return _MESSAGES[kind].format(got=got, **ctx)
    return err["msg"]


def _unwrap(tp: Any) -> Any:
    """Strip Optional, Annotated and containers down to the model inside."""
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0] if args else tp
            if not args:
                return tp
        elif origin in (list, tuple, set, frozenset):
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            return tp


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Return the field names (aliases first) of the model that sits at loc."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or not (isinstance(current, type) and issubclass(current, BaseModel)):
            continue
        for name, info in current.model_fields.items():
            if part in (name, info.alias):
                current = _unwrap(info.annotation)
                break
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [info.alias or name for name, info in current.model_fields.items()]
    return []


def problems_from(exc: ValidationError, model: type[BaseModel], doc: Document,
                  prefix: tuple = ()) -> list[Problem]:
    """Translate a ValidationError into located problems."""
    out = []
    for err in exc.errors(include_url=False):
        full = prefix + tuple(err["loc"])
        on_key = err["type"] == "extra_forbidden"
        line, column = doc.where(full, key=on_key)
        out.append(Problem(doc.path, line, column, format_loc(full), _message(err, model)))
    return out


def validate(model: type[M], data: Any, doc: Document, prefix: tuple = ()) -> tuple[M | None, list[Problem]]:
    """Validate data (found at prefix inside doc) against model."""
    if not isinstance(data, dict):
        line, column = doc.where(prefix)
        what = "the file is empty" if data is None and not prefix else f"expected a mapping, got {describe(data)}"
        return None, [Problem(doc.path, line, column, format_loc(prefix), what)]
    try:
        item = model.model_validate(data)
    except ValidationError as exc:
        return None, problems_from(exc, model, doc, prefix)
    item._origin = Origin(doc, prefix)
    return item, []
