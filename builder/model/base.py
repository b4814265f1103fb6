"""The base of every content model, and the roles a field can play.

A field's role is declared on its type, not kept in a list of names elsewhere:

    background: Markdown             # Markdown text: `{fact:id}` references work in it
    points_to_make: Points           # Markdown points, compared point by point by `diff`
    related_people: list[Ref.person] # ids that must name an existing person (fields.Ref)

Every stage that needs to know (reference checks, `diff`, later markings, search and
translation) asks `values(item)` for each value with its roles.
"""

from __future__ import annotations

import hashlib
import re
import types
import typing
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Annotated, Any, Iterator, Optional, Protocol, Self, TypeVar, cast

from pydantic import BaseModel, ConfigDict, PlainSerializer, PrivateAttr, WrapValidator

from ..errors import Problem
from ..source.yaml import format_loc


class Role:
    """What a field holds, beyond its Python type."""


@dataclass(frozen=True)
class Text(Role):
    """Text shown to readers; `markdown` when it is written in Markdown (references work there)."""

    markdown: bool


@dataclass(frozen=True)
class PointList(Role):
    """A list of points: `diff` pairs them one by one, so a reworded point shows as one change."""


@dataclass(frozen=True)
class Reference(Role):
    """An id (or a code) that must name an existing item of a kind."""

    kind: str  # person, fact, issue, sector


@dataclass(frozen=True)
class Dated(Role):
    """A date the book's as-of bounds: what it names was true, seen or published by then."""

    what: str  # how a message names it: "as of", "published", "status as of"


REFERENCE = re.compile(r"\{(fact|person|issue|state):([A-Za-z0-9-]+)((?:\|[A-Za-z0-9]+)*)\}")
"""A reference in Markdown text, `{fact:id}` or `{fact:id|bn|1}`: the kind of item it names, the id,
and for a fact how to write its figure (`|m`, `|bn`, `|tn` for the scale of money, `|0` to `|3`
for the decimals)."""

MARKDOWN = Text(markdown=True)
PLAIN = Text(markdown=False)
POINTS = PointList()


class MarkedText(str):
    """A point that carries its own marking, written `- {text: ..., marking: C}` instead of `- ...`."""

    marking: str = ""

    def __new__(cls, text: str, marking: str = "") -> Self:
        made = super().__new__(cls, text)
        made.marking = marking
        return made

    def __reduce__(self) -> tuple[Any, ...]:  # as it was made: chart specs go to worker processes
        return (MarkedText, (str(self), self.marking))


LANGUAGE = re.compile(r"^[a-z]{2,3}$")
"""A language code as site.yaml's `languages:` lists them: en, ja, fr."""


class Translated(MarkedText):
    """Text written in several languages, `{en: ..., ja: ..., ja_from: 1a2b3c4d}`.

    As a str it is the text first written; `texts` holds every language's text, and `stamps`
    the hash of the source text each translation was made from (`briefing translations --stamp`).
    The localize stage (languages.py) turns it into the text of one language.
    """

    texts: dict[str, str]
    stamps: dict[str, str]

    def __new__(cls, texts: dict[str, str], stamps: dict[str, str], marking: str = "") -> Self:
        made = super().__new__(cls, next(iter(texts.values())), marking)
        made.texts, made.stamps = texts, stamps
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        return (Translated, (self.texts, self.stamps, self.marking))


class Shown(MarkedText):
    """Text as one language's site shows it: `lang` is the language it is written in, and
    `status` says why it is not the site's own language (`missing`) or is out of date (`stale`)."""

    lang: str = ""
    status: str = ""  # "", "missing", "stale"
    texts: dict[str, str]  # the text in every language it is written in (for the side-by-side view)

    def __new__(cls, text: str, lang: str, status: str = "", marking: str = "",
                texts: Optional[dict[str, str]] = None) -> Self:
        made = super().__new__(cls, text, marking)
        made.lang, made.status, made.texts = lang, status, texts or {lang: text}
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        return (Shown, (str(self), self.lang, self.status, self.marking, self.texts))


def _translatable(value: Any, handler: Any) -> Any:
    """Read text that may be given per language: a string, or `{en: ..., ja: ..., ja_from: hash}`."""
    if not isinstance(value, dict):
        return handler(value)
    texts: dict[str, str] = {}
    stamps: dict[str, str] = {}
    for key, text in value.items():
        key = str(key)
        if key.endswith("_from") and LANGUAGE.match(key[:-5]):
            if not isinstance(text, str) or not re.fullmatch(r"[0-9a-f]{8}", text):
                raise ValueError(f"`{key}` is the hash of the text the translation was made from, written by "
                                 "`briefing translations --stamp`: 8 hexadecimal digits, in quotes")
            stamps[key[:-5]] = text
        elif LANGUAGE.match(key):
            if not isinstance(text, str):
                raise ValueError(f"the `{key}` text must be text, not {type(text).__name__}")
            texts[key] = handler(text)
        else:
            raise ValueError(f"'{key}' is not a language code: text given per language is written "
                             "`{en: ..., ja: ...}`, with the codes site.yaml lists under `languages:`")
    if not texts:
        raise ValueError("text given per language needs at least one language, as in `{en: ..., ja: ...}`")
    for lang in stamps:
        if lang not in texts:
            raise ValueError(f"`{lang}_from` stamps a translation into {lang}, but no `{lang}:` text is given")
    return Translated(texts, stamps)


def _dump_text(value: str) -> Any:
    if isinstance(value, Translated):
        return {**value.texts, **{f"{lang}_from": stamp for lang, stamp in value.stamps.items()}}
    if isinstance(value, Shown) and (value.status or len(value.texts) > 1):
        return {"text": str(value), "lang": value.lang, "status": value.status, "texts": value.texts}
    return str(value)


Markdown = Annotated[str, MARKDOWN, WrapValidator(_translatable), PlainSerializer(_dump_text)]
"""Markdown text; `{fact:id}`, `{person:id}`, `{issue:id}` and `{state:XX}` work in it.
It may be given per language, `{en: ..., ja: ...}`."""

Label = Annotated[str, PLAIN, WrapValidator(_translatable), PlainSerializer(_dump_text)]
"""Plain text shown to readers (a title, a name, a role); it may be given per language."""


def _point(value: Any, handler: Any) -> Any:
    """Read a point: text (per language, too), or a mapping of its text and its marking."""
    if not isinstance(value, dict) or "text" not in value and "marking" not in value:
        return _translatable(value, handler)
    unknown = sorted(set(value) - {"text", "marking"})
    if unknown or "text" not in value:
        raise ValueError("a point is text, or a mapping with `text:` and `marking:`"
                         + (f" (not {', '.join(map(str, unknown))})" if unknown else ""))
    marking = value.get("marking", "")
    if not isinstance(marking, str):
        raise ValueError("a point's `marking:` is text, such as C or CONFIDENTIAL")
    text = _translatable(value["text"], handler)
    if isinstance(text, Translated):
        return Translated(text.texts, text.stamps, marking)
    return MarkedText(text, marking)


def _dump_point(value: str) -> Any:
    marking = getattr(value, "marking", "")
    return {"text": _dump_text(value), "marking": marking} if marking else _dump_text(value)


Point = Annotated[str, MARKDOWN, WrapValidator(_point), PlainSerializer(_dump_point)]
"""A Markdown point, which may carry its own marking."""

Points = Annotated[list[Point], POINTS]
"""A list of Markdown points, compared point by point; each may carry a marking."""


class Locator(Protocol):
    """What locates values of one file: a YAML document, or one CSV row."""

    @property
    def path(self) -> str: ...

    def where(self, loc: tuple[Any, ...], key: bool = False) -> tuple[int, int]: ...

    def text_line(self, loc: tuple[Any, ...], offset: int, column: int = 0) -> tuple[int, int]: ...


@dataclass(frozen=True)
class Origin:
    """Where a model was read from: a document (or CSV row) and the path inside it."""

    doc: Locator
    loc: tuple[Any, ...] = ()

    def problem(self, sub: tuple[Any, ...], message: str, key: bool = False, severity: str = "error",
                text_at: tuple[int, int] | None = None) -> Problem:
        """Return a problem at sub (a path below this origin); text_at = (line, column) inside a text."""
        full = self.loc + tuple(sub)
        if text_at is not None:
            line, column = self.doc.text_line(full, *text_at)
        else:
            line, column = self.doc.where(full, key=key)
        return Problem(self.doc.path, line, column, format_loc(full), message, severity)


M = TypeVar("M", bound="Model")
R = TypeVar("R", bound=Role)


class Model(BaseModel):
    """Base for every content model: immutable, and strict about unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)
    _origin: Optional[Origin] = PrivateAttr(default=None)
    _fingerprint: Optional[str] = PrivateAttr(default=None)

    @property
    def fingerprint(self) -> str:
        """Return a hash of everything this item holds (items never change once read)."""
        private = self.__pydantic_private__  # read directly: pydantic's own lookup is slow, and this is hot
        found = private.get("_fingerprint") if private is not None else None
        if found is None:
            found = hashlib.sha256(self.model_dump_json(by_alias=True).encode("utf-8")).hexdigest()
            self._fingerprint = found
        return found

    @property
    def origin(self) -> Optional[Origin]:
        """Return where this item was read from, if it was read from a file."""
        private = self.__pydantic_private__  # read directly: pydantic's own lookup is slow, and this is hot
        return private.get("_origin") if private is not None else None

    def problem(self, *sub: Any, message: str, key: bool = False, severity: str = "error",
                text_at: tuple[int, int] | None = None) -> Problem:
        """Return a problem located at a field of this item in its source file."""
        if self._origin is None:
            return Problem("", 0, 0, format_loc(tuple(sub)), message, severity)
        return self._origin.problem(tuple(sub), message, key, severity, text_at)

    def located(self: M, origin: Origin) -> M:
        """Record where this item was read from, and return it."""
        self._origin = origin
        return self

    @classmethod
    def restored(cls: type[M], fields: dict[str, Any], fields_set: set[str]) -> M:
        """Return an item that an earlier build validated, from its fields, as unpickling makes one.

        The fields are every field's value, as validated. `model_construct` would also fill in
        defaults and aliases, which they do not need, at twenty times the cost: a fresh build of a
        book with twenty thousand rows paid 0.4 s for it.
        """
        item = cls.__new__(cls)
        item.__setstate__({"__dict__": dict(fields), "__pydantic_extra__": None, "__pydantic_fields_set__": fields_set,
                           "__pydantic_private__": dict(_private_defaults(cls))})
        return item


@lru_cache(maxsize=None)
def _private_defaults(model: type[Model]) -> dict[str, Any]:
    return {name: attribute.get_default() for name, attribute in model.__private_attributes__.items()}


# --- reading roles ------------------------------------------------------------------------

Loc = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Value:
    """One value inside an item, where it is, and the roles its field declares."""

    loc: Loc
    value: Any
    roles: frozenset[Role]

    @property
    def field(self) -> str:
        """Return the name of the innermost field (`points_to_make` for points_to_make[2])."""
        return next((part for part in reversed(self.loc) if isinstance(part, str)), "")

    def has(self, role_type: type[R]) -> Optional[R]:
        return next((r for r in self.roles if isinstance(r, role_type)), None)


@cache
def _split(annotation: Any) -> tuple[Any, frozenset[Role]]:
    """Strip Annotated and Optional from a type; return the bare type and the roles found."""
    roles: set[Role] = set()
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            args = typing.get_args(annotation)
            roles.update(a for a in args[1:] if isinstance(a, Role))
            annotation = args[0]
        elif origin in (typing.Union, types.UnionType):
            present = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(present) != 1:
                return annotation, frozenset(roles)
            annotation = present[0]
        else:
            return annotation, frozenset(roles)


@cache
def _fields(model: type[BaseModel]) -> tuple[tuple[str, str, Any, frozenset[Role]], ...]:
    """Return (attribute, name in the file, type, roles) for each field of a model class."""
    out = []
    for name, info in model.model_fields.items():
        annotation, roles = _split(cast(Any, info.annotation))
        roles |= {m for m in info.metadata if isinstance(m, Role)}
        out.append((name, info.alias or name, annotation, frozenset(roles)))
    return tuple(out)


def fields_of(model: type[BaseModel]) -> tuple[tuple[str, str, Any, frozenset[Role]], ...]:
    """Return (attribute, name in the file, type, roles) for each field of a model class."""
    return _fields(model)


def bare_type(annotation: Any) -> tuple[Any, frozenset[Role]]:
    """Return a field's type without Annotated and Optional, and the roles they declared."""
    return _split(annotation)


def values(item: BaseModel, loc: Loc = ()) -> list[Value]:
    """Return every value inside an item (however deeply nested), with its location and roles."""
    out: list[Value] = []
    _collect(item, loc, out)
    return out


def values_with(item: BaseModel, role_type: type[R]) -> list[tuple[Value, R]]:
    """Return the values inside an item whose field declares a role of role_type, each with that role."""
    flat: Optional[tuple[tuple[str, str, frozenset[Role], R], ...]] = _flat_with(type(item), cast(Any, role_type))
    if flat is None:
        return [(v, role) for v in values(item) if (role := v.has(role_type)) is not None]
    # a model without lists or nested models (a CSV row, say): only the fields that declare the role
    return [(Value((name,), getattr(item, attribute), roles), role) for attribute, name, roles, role in flat]


@cache
def _flat_with(model: type[BaseModel], role_type: type[Role]) -> Optional[tuple[tuple[str, str, frozenset[Role], Any], ...]]:
    """Return (attribute, name, roles, the role) of a flat model's fields that declare a role of role_type."""
    if _flat(model) is None:
        return None
    found = []
    for attribute, name, annotation, roles in _fields(model):
        roles = roles | _split(annotation)[1]
        role = next((r for r in roles if isinstance(r, role_type)), None)
        if role is not None:
            found.append((attribute, name, roles, role))
    return tuple(found)


def strings(item: BaseModel) -> list[Value]:
    """Return the text values inside an item: what reference and text checks read."""
    flat = _flat(type(item))
    if flat is None:
        return [v for v in values(item) if isinstance(v.value, str) and v.value]
    out = []
    for attribute, name, roles in flat:
        value = getattr(item, attribute)
        if isinstance(value, str) and value:
            out.append(Value((name,), value, roles))
    return out


@cache
def _flat(model: type[BaseModel]) -> Optional[tuple[tuple[str, str, frozenset[Role]], ...]]:
    """Return (attribute, name, roles) of a model's text fields if it holds no lists or nested models."""
    found = []
    for attribute, name, annotation, roles in _fields(model):
        if typing.get_origin(annotation) in (list, tuple, dict, set, frozenset) or (
                isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        if annotation is str:
            found.append((attribute, name, roles))
    return tuple(found)


def _collect(item: BaseModel, loc: Loc, out: list[Value]) -> None:
    for attribute, name, annotation, roles in _fields(type(item)):
        _add(getattr(item, attribute), annotation, loc + (name,), roles, out)


def _add(value: Any, annotation: Any, loc: Loc, roles: frozenset[Role], out: list[Value]) -> None:
    if isinstance(value, (str, int, float, bool)) or value is None:
        out.append(Value(loc, value, roles | _split(annotation)[1] if annotation is not Any else roles))
        return
    annotation, more = _split(annotation)
    if more:
        roles = roles | more
    if isinstance(value, BaseModel):
        _collect(value, loc, out)
    elif isinstance(value, (list, tuple)):
        args = typing.get_args(annotation)
        inner = args[0] if args else Any
        for i, entry in enumerate(value):
            _add(entry, inner, loc + (i,), roles, out)
    else:
        out.append(Value(loc, value, roles))


def fields_with(model: type[BaseModel], role_type: type[Role]) -> list[str]:
    """Return the names (as written in files) of a model's fields that declare a role of a type."""
    out = []
    for _, name, annotation, roles in _fields(model):
        inner = typing.get_args(annotation)
        element_roles = _split(inner[0])[1] if inner else frozenset()
        if any(isinstance(r, role_type) for r in roles | element_roles):
            out.append(name)
    return out
