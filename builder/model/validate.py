"""Validate parsed documents against pydantic models and locate every mistake.

The models declare their fields on `Model`; this module turns
pydantic's error list into `Problem`s that name the file, line, column and
field, in words a writer understands (`expected text, got a mapping`).
"""

from __future__ import annotations

import re
import types
import typing
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import Problem, did_you_mean
from ..source.yaml import Document, format_loc
from .base import Locator, Model, Origin

M = TypeVar("M", bound=Model)


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
    "finite_number": "expected a finite number, got {got}",
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


def _message(err: Any, model: type[BaseModel]) -> str:
    kind = err["type"]
    got = describe(err.get("input"))
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = _fields_at(model, err["loc"][:-1])
        return f"unknown field{did_you_mean(err['loc'][-1], allowed)}"
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "")
        choices = re.findall(r"'([^']*)'", expected)
        given = err.get("input")
        hint = did_you_mean(given, choices) if isinstance(given, str) else ""
        return f"expected one of {', '.join(choices) or expected}; got {got}{hint}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind.startswith("date_from_datetime") and "outside expected range" in str(ctx.get("error", "")):
        return f"no such date {got}: the {str(ctx['error']).split()[0]} is out of range"
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


def problems_from(exc: ValidationError, model: type[BaseModel], doc: Locator,
                  prefix: tuple[Any, ...] = ()) -> list[Problem]:
    """Translate a ValidationError into located problems."""
    out = []
    unreadable: set[Any] = getattr(doc, "unreadable", set())
    for err in exc.errors(include_url=False):
        full = prefix + tuple(err["loc"])
        if full in unreadable:
            continue  # the value itself could not be read, and that is reported already
        on_key = err["type"] == "extra_forbidden"
        line, column = doc.where(full, key=on_key)
        out.append(Problem(doc.path, line, column, format_loc(full), _message(err, model)))
    return out


def validate(model: type[M], data: Any, doc: Document, prefix: tuple[Any, ...] = ()) -> tuple[M | None, list[Problem]]:
    """Validate data (found at prefix inside doc) against model."""
    if not isinstance(data, dict):
        line, column = doc.where(prefix)
        what = "the file is empty" if data is None and not prefix else f"expected a mapping, got {describe(data)}"
        return None, [Problem(doc.path, line, column, format_loc(prefix), what)]
    try:
        item = model.model_validate(data)
    except ValidationError as exc:
        return None, problems_from(exc, model, doc, prefix)
    item.located(Origin(doc, prefix))
    return item, []
