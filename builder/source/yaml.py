"""YAML documents that keep the line and column of every value.

YAML is read with the YAML 1.2 core rules rather than PyYAML's 1.1 defaults,
so that `NO` stays a string, `12:30` stays a time and `2025-02-07` reaches the
schema as text (which then reports a malformed date at its own line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

import yaml

from ..errors import Problem
from .files import SourceError

Loc = tuple[Any, ...]  # a path into a document: ("offers", 1, "item")


@dataclass
class Document:
    """A parsed YAML document with the position of each value and key."""

    path: str
    data: Any
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    line_offset: int = 0  # for front matter, the lines above the YAML
    styles: dict[Loc, str] = field(default_factory=dict)  # scalar styles: | > ' "
    lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # duplicate keys, bad tags
    unreadable: set[Loc] = field(default_factory=set)  # values that could not be read (already a problem)
    digest: str = ""  # a hash of the text it was parsed from, set by whoever read it

    def where(self, loc: Loc, key: bool = False) -> tuple[int, int]:
        """Return (line, column) of the value at loc, or of its nearest parent."""
        table = self.keys if key else self.values
        loc = tuple(loc)
        while loc:
            if loc in table:
                return table[loc]
            if loc in self.values:
                return self.values[loc]
            loc = loc[:-1]
        return self.values.get((), (1, 1))

    def text_line(self, loc: Loc, offset: int, column: int = 0) -> tuple[int, int]:
        """Return the file position of a column on the `offset`-th line of a text value."""
        line, start = self.where(loc)
        style = self.styles.get(tuple(loc))
        if style in ("|", ">"):
            line += 1 + offset
            raw = self.lines[line - 1 - self.line_offset] if line - 1 - self.line_offset < len(self.lines) else ""
            return line, len(raw) - len(raw.lstrip(" ")) + column + 1
        if offset:  # a plain scalar folded over several lines
            return line + offset, column + 1
        return line, start + column + (1 if style in ("'", '"') else 0)


class _Loader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema's implicit types; its error messages are the clearer."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same rules with libyaml's parser: many times faster; on a mistake, _Loader explains it."""


_RESOLVERS = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
     "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    value = str(loader.construct_scalar(node))
    if value.startswith(("0o", "0x")):
        return int(value, 0)
    return int(value)


for _class in (_Loader, _FastLoader):
    _class.yaml_implicit_resolvers = {}
    for _tag, _regex, _first in _RESOLVERS:
        _class.add_implicit_resolver(_tag, re.compile(_regex), list(_first))
    _class.add_constructor("tag:yaml.org,2002:int", _construct_int)


DEFAULT_MAX_VALUES = 200_000
MAX_DEPTH = 100


class _TooLarge(Exception):
    """A document that expands to more values, or nests deeper, than the limits allow."""


def parse_yaml(text: str, rel: str, line_offset: int = 0, max_values: int = DEFAULT_MAX_VALUES) -> Document:
    """Parse one YAML document, raising SourceError on a syntax error or a document too large to read."""
    fast = _FastLoader(text)
    try:
        node = fast.get_single_node()
    except (yaml.YAMLError, RecursionError):
        fast.dispose()
        return _parse_slowly(text, rel, line_offset, max_values)
    try:
        return _document(fast, node, text, rel, line_offset, max_values)
    finally:
        fast.dispose()


def _parse_slowly(text: str, rel: str, line_offset: int, max_values: int) -> Document:
    """Parse with PyYAML's own parser, whose messages say what was expected and what was found."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, found before parsing
        before = text[: exc.position]
        line, column = before.count("\n") + 1 + line_offset, exc.position - (before.rfind("\n") + 1) + 1
        raise SourceError(Problem(rel, line, column, "", f"YAML cannot hold the character U+{exc.character:04X} "
                                  "(a control character); delete it")) from None
    try:
        node = loader.get_single_node()
    except RecursionError:
        raise SourceError(Problem(rel, 1 + line_offset, 1, "", "YAML nested too deeply to read; "
                                  "no briefing needs more than a few levels")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else 0
        column = (mark.column + 1) if mark else 0
        reason = exc.problem or exc.context or "invalid YAML"
        raise SourceError(Problem(rel, line, column, "", f"YAML syntax error: {reason}")) from None
    except yaml.YAMLError as exc:
        raise SourceError(Problem(rel, 1, 1, "", f"YAML syntax error: {exc}")) from None
    finally:
        loader.dispose()
    return _document(loader, node, text, rel, line_offset, max_values)


def _document(loader: yaml.SafeLoader, node: Optional[yaml.Node], text: str, rel: str, line_offset: int,
              max_values: int) -> Document:
    doc = Document(rel, None, line_offset=line_offset, lines=text.splitlines())
    if node is not None:
        budget = [max_values]
        try:
            doc.data = _walk(loader, node, (), doc, budget)
        except _TooLarge as exc:
            line, column = _mark(node, doc)
            raise SourceError(Problem(rel, line, column, "", str(exc))) from None
    return doc


def _mark(node: yaml.Node, doc: Document) -> tuple[int, int]:
    return node.start_mark.line + 1 + doc.line_offset, node.start_mark.column + 1


def _walk(loader: yaml.SafeLoader, node: yaml.Node, loc: Loc, doc: Document, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge("YAML expands to more values than a book file may hold (aliases repeat what they "
                        "point to); limits.yaml_values in site.yaml sets the bound")
    if len(loc) > MAX_DEPTH:
        raise _TooLarge(f"YAML nested more than {MAX_DEPTH} levels deep; no briefing needs more than a few")
    doc.values[loc] = _mark(node, doc)
    if isinstance(node, yaml.MappingNode):
        try:
            loader.flatten_mapping(node)
        except yaml.constructor.ConstructorError as exc:
            doc.problems.append(Problem(doc.path, *_mark(node, doc), format_loc(loc),
                                        exc.problem or "cannot merge this mapping"))
            return None
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value  # keys are names: read as written, whatever they look like
            else:
                key = str(key_node.value)[:40]
                doc.problems.append(Problem(doc.path, *_mark(key_node, doc), format_loc(loc),
                                            "a key must be a plain name, not a list or a mapping"))
            if key in out:
                doc.problems.append(Problem(
                    doc.path, *_mark(key_node, doc), format_loc(loc + (key,)),
                    "duplicate key; the later value would silently win"))
            doc.keys[loc + (key,)] = _mark(key_node, doc)
            out[key] = _walk(loader, value_node, loc + (key,), doc, budget)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(loader, item, loc + (i,), doc, budget) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.ScalarNode) and node.style:
        doc.styles[loc] = node.style
    try:
        return loader.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        doc.problems.append(Problem(doc.path, *_mark(node, doc), format_loc(loc),
                                      exc.problem or "cannot read this value"))
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. !!timestamp 2025-02-30, !!int abc
        tag = node.tag.rsplit(":", 1)[-1]
        reason = (f"a number of {len(str(node.value))} digits is longer than any figure needs"
                  if "digits" in str(exc) else str(exc))
        doc.problems.append(Problem(doc.path, *_mark(node, doc), format_loc(loc),
                                    f"cannot read '{str(node.value)[:40]}' as {tag}: {reason}"))
    doc.unreadable.add(loc)
    return None


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def set_in_mapping(text: str, edits: list[tuple[Loc, str, str]]) -> str:
    """Return YAML text with `key: value` set in the mappings at each loc, keeping everything else as written.

    An existing key gets the new value in place; a new key goes after the mapping's last entry, at
    its indentation (or before the closing brace of a flow mapping). Only for short plain values.
    """
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is None:
        raise ValueError("the file is empty")
    changes: list[tuple[int, int, str]] = []  # (start, end, replacement) in characters
    for loc, key, value in edits:
        node = root
        for part in loc:
            node = _child(node, part)
        if isinstance(node, yaml.MappingNode) and any(k.value == "text" for k, _ in node.value):
            node = _child(node, "text")  # a marked point, `{text: {en: ..., ja: ...}, marking: C}`
        if not isinstance(node, yaml.MappingNode) or not node.value:
            raise ValueError(f"no mapping at {format_loc(loc)}")
        existing = next((v for k, v in node.value if k.value == key), None)
        if existing is not None:
            changes.append((existing.start_mark.index, existing.end_mark.index, value))
        elif node.flow_style:
            close = text.rindex("}", 0, node.end_mark.index)
            changes.append((close, close, f", {key}: {value}"))
        else:
            indent = " " * node.value[0][0].start_mark.column
            end = node.value[-1][1].end_mark
            if end.column == 0 or text[end.index - 1:end.index] == "\n":  # a block scalar ends at the next line
                changes.append((end.index, end.index, f"{indent}{key}: {value}\n"))
            else:
                changes.append((end.index, end.index, f"\n{indent}{key}: {value}"))
    for start, end, replacement in sorted(changes, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _child(node: yaml.Node, part: Any) -> yaml.Node:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == part:
                return v
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    raise ValueError(f"no value at {part!r}")
