"""Authors' own Vega-Lite spec files: read once, local data inlined as a browser reads it, checked.

A spec's data is read the way a browser reads it: UTF-8 with or without a byte-order
mark (Excel's "CSV UTF-8"), CSV and TSV by extension, everything else as JSON, and
TopoJSON recognised by its content. Every mistake is located in the file that holds it:
the spec by the JSON path of the value, a data file by its own line and column.

The schema and the expressions are checked on the spec without its data, so a check
costs what the spec costs, not what its data weighs; the verdict is kept in the build
cache by a hash of that spec, so an unchanged chart is not checked again.
"""

from __future__ import annotations

import copy
import csv
import json
import math
import re
from pathlib import Path, PurePosixPath
from typing import Any, Iterator, Optional

from ..cache import BuildCache, digest
from ..errors import Problem
from ..source import Sources
from ..source.files import SourceError
from ..source.yaml import Document, Loc, format_loc, parse_yaml
from ..vegalite import SCHEMA_VERSION, DrawingError, draw, schema_error

VIEW_KEYS = ("mark", "layer", "concat", "hconcat", "vconcat", "facet", "repeat")
FORMATS = ("csv", "tsv", "dsv", "json", "topojson")
# where a Vega-Lite spec holds Vega expressions (a string `filter` is one too)
EXPRESSION_KEYS = ("calculate", "filter", "expr", "test", "update", "signal")
# vega-expression's messages for an expression it cannot parse or does not know
_EXPRESSION_ERROR = re.compile(r"^(Unexpected |Unrecognized |Illegal |Unterminated |Invalid regular expression)")


class SpecError(Exception):
    """A spec file, or one of its data files, that cannot be used; carries where and why."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.format())


class SpecText:
    """A spec file's text, which finds the line and column of a value by its path when asked."""

    def __init__(self, rel: str, text: str):
        self.rel, self.text = rel, text
        self._positions: Optional[Document] = None
        self._unparsed = False  # the text cannot be read as YAML: positions are not known

    def problem(self, loc: Loc, message: str, severity: str = "error") -> Problem:
        line, column = 1, 1
        if self._positions is None and not self._unparsed:
            try:  # JSON is YAML, and the YAML reader keeps every value's position
                self._positions = parse_yaml(self.text, self.rel)
            except SourceError:
                self._unparsed = True
        if self._positions is not None:
            line, column = self._positions.where(tuple(loc))
        return Problem(self.rel, line, column, format_loc(tuple(loc)), message, severity)


def load_spec(sources: Sources, rel: str) -> dict[str, Any]:
    """Read a Vega-Lite spec file, inline its local data files, and check it; raise SpecError."""
    root = sources.root.resolve()
    path = (root / rel).resolve()
    if root not in path.parents or not path.is_file():
        raise SpecError(Problem(rel, 0, 0, "", "not found in the briefing folder"))
    rel = path.relative_to(root).as_posix()
    try:
        text = sources.read(rel)
    except SourceError as exc:
        raise SpecError(exc.problem) from None
    spec = parse_json(text, rel)
    where = SpecText(rel, text)
    if not isinstance(spec, dict) or not any(k in spec for k in VIEW_KEYS):
        raise SpecError(Problem(rel, 1, 1, "", "is not a Vega-Lite spec: it has no mark, layer, facet, "
                                "repeat or concat"))
    spec.pop("usermeta", None)  # vega-embed takes options from it, some of which load from a URL
    for loc, data in list(data_nodes(spec)):
        _inline(data, loc, path.parent, root, where, sources)
    _refuse_urls(spec, (), where)
    check_spec(spec, where, sources.cache)
    return spec


def parse_json(text: str, rel: str) -> Any:
    """Parse JSON, or raise SpecError at the line and column of the mistake."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except _Constant as exc:
        found = re.search(r"-?\b" + exc.args[0] + r"\b" if exc.args[0] != "-Infinity" else "-Infinity", text)
        at = found.start() if found else 0
        line = text.count("\n", 0, at) + 1
        raise SpecError(Problem(rel, line, at - (text.rfind("\n", 0, at) + 1) + 1, "", (
            f"is not valid JSON: {exc.args[0]} is not a JSON value; write null for a missing number"))) from None
    except json.JSONDecodeError as exc:
        hint = ""
        if exc.msg.startswith("Expecting property name") or exc.msg.startswith("Expecting value"):
            before = exc.doc[:exc.pos].rstrip()
            if before.endswith(","):
                hint = " (JSON allows no comma after the last item of a list or object)"
        raise SpecError(Problem(rel, exc.lineno, exc.colno, "", f"is not valid JSON: {exc.msg}{hint}")) from None
    except RecursionError:
        raise SpecError(Problem(rel, 1, 1, "", "is nested too deeply to read as JSON")) from None


class _Constant(Exception):
    """NaN or Infinity in a JSON file: Python reads them, a browser does not."""


def _refuse_constant(name: str) -> Any:
    raise _Constant(name)


def data_nodes(node: Any, loc: Loc = ()) -> Iterator[tuple[Loc, dict[str, Any]]]:
    """Yield every `data` object in a spec (top level, layers, concats, facets, lookups) with its path."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from data_nodes(item, loc + (i,))
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "data" and isinstance(value, dict):
                yield loc + (key,), value
            if key != "datasets":
                yield from data_nodes(value, loc + (key,))


def _inline(data: dict[str, Any], loc: Loc, base: Path, root: Path, where: SpecText, sources: Sources) -> None:
    """Replace `url: a local file` with the file's contents, read as a browser would, so it works offline."""
    url = data.get("url")
    fmt = data.get("format")
    if isinstance(data.get("values"), str) and isinstance(fmt, dict) and fmt.get("type") in ("csv", "tsv", "dsv"):
        delimiter = {"csv": ",", "tsv": "\t"}.get(fmt["type"]) or str(fmt.get("delimiter") or ",")
        data["values"] = typed_rows(data["values"], delimiter)  # see below: parsed here, not in the page
        data["format"] = {k: v for k, v in fmt.items() if k not in ("type", "delimiter")}
    if not isinstance(url, str):
        return
    if "://" in url or url.startswith("//"):
        raise SpecError(where.problem(loc + ("url",), f"loads data from '{url}', outside the book; copy the "
                                      "data into the book and give its path relative to this spec file"))
    source = (base / url).resolve()
    spec_folder = PurePosixPath(where.rel).parent.as_posix()
    if root not in source.parents or not source.is_file():
        looked = source.relative_to(root).as_posix() if root in source.parents else str(source)
        hint = ""
        if (root / url).is_file():
            hint = (f"; the book has '{url}' at its top, which from this spec's folder is "
                    f"'{_relative(url, spec_folder)}'")
        raise SpecError(where.problem(loc + ("url",), (
            f"data file '{url}' not found: data paths are relative to the spec file's folder "
            f"('{spec_folder}/'), so this looks for '{looked}'{hint}")))
    data_rel = source.relative_to(root).as_posix()
    try:
        text = sources.read(data_rel)
    except SourceError as exc:
        raise SpecError(exc.problem) from None
    fmt = data.get("format", {})
    if not isinstance(fmt, dict):
        raise SpecError(where.problem(loc + ("format",), 'must be an object such as {"type": "csv"}, not '
                                      + json.dumps(fmt)))
    fmt = dict(fmt)
    kind = fmt.get("type")
    if kind is None:
        kind = {".csv": "csv", ".tsv": "tsv"}.get(PurePosixPath(url).suffix.lower(), "json")
    if kind not in FORMATS:
        raise SpecError(where.problem(loc + ("format", "type"), f"'{kind}' is not a data format briefing "
                                      f"reads: use one of {', '.join(FORMATS)}"))
    values: Any
    if kind in ("csv", "tsv", "dsv"):
        found = {"csv": ",", "tsv": "\t"}.get(kind) or fmt.get("delimiter")
        if not isinstance(found, str) or len(found) != 1:
            raise SpecError(where.problem(loc + ("format",), 'a dsv file needs its one-character '
                                          '"delimiter", such as ";"'))
        check_delimited(text, found, data_rel)
        values = typed_rows(text, found)
        fmt.pop("delimiter", None)
        kind = "json"  # parsed here: the browser's CSV parser compiles code, which the pages' policy forbids
    else:
        parsed = parse_json(text, data_rel)
        if isinstance(parsed, dict) and parsed.get("type") == "Topology":
            kind = "topojson"
        if kind == "topojson":
            _check_topology(parsed, fmt, loc, data_rel, where)
            values = text  # Vega reads a TopoJSON text with its format
        else:
            values = _property(parsed, fmt, loc, data_rel, where)
    fmt["type"] = kind
    del data["url"]
    data["values"] = values
    data["format"] = fmt


def _relative(target: str, folder: str) -> str:
    ups = [] if folder in ("", ".") else [".."] * len(PurePosixPath(folder).parts)
    return "/".join([*ups, target])


def check_delimited(text: str, delimiter: str, rel: str) -> None:
    """Raise SpecError at the first row of a CSV or TSV that a reader would misread."""
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter, strict=True)
    header: Optional[list[str]] = None
    start = 1
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                start = reader.line_num + 1
                continue
            if header is None:
                header = row
                blank = [i + 1 for i, name in enumerate(row) if not name.strip()]
                if blank:
                    raise SpecError(Problem(rel, start, 1, "", f"column {blank[0]} of the header row has no "
                                            "name; every column needs one for the chart to use it"))
            elif len(row) != len(header):
                raise SpecError(Problem(rel, start, 1, "", (
                    f"this row has {len(row)} fields but the header has {len(header)}: a value with a "
                    f"'{delimiter}' in it needs double quotes around it")))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SpecError(Problem(rel, start, 1, "", f"cannot be read as {'TSV' if delimiter == chr(9) else 'CSV'}: "
                                f"{exc} (a quote opened in this row is never closed)")) from None
    if header is None:
        raise SpecError(Problem(rel, 1, 1, "", "has no header row and no data"))


_JS_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|Infinity)$|^0[xX][0-9a-fA-F]+$")


def typed_rows(text: str, delimiter: str) -> list[dict[str, Any]]:
    """Return the rows of a CSV or TSV as records, each column typed as Vega's `parse: auto` types it.

    A column whose every value is true/false becomes booleans, one whose every value is a number
    becomes numbers (an empty cell is null); anything else, dates included, stays text.
    """
    rows = [row for row in csv.reader(text.splitlines(), delimiter=delimiter) if any(c.strip() for c in row)]
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    columns: list[Any] = []
    for i in range(len(header)):
        cells = [row[i] if i < len(row) else "" for row in body]
        if all(c in ("true", "false") for c in cells):
            columns.append([None if c == "" else c == "true" for c in cells])
        elif all(_JS_NUMBER.match(c.strip()) or not c.strip() for c in cells):
            columns.append([None if not c.strip() else _number(c.strip()) for c in cells])
        else:
            columns.append(cells)
    return [{name: columns[i][r] for i, name in enumerate(header)} for r in range(len(body))]


def _number(text: str) -> int | float | None:
    if text.lower().startswith(("0x", "+0x", "-0x")):
        return int(text, 16)
    value = float(text.replace("Infinity", "inf"))
    if not math.isfinite(value):
        return None  # JSON cannot carry it; a chart cannot place it
    return int(value) if value.is_integer() and abs(value) < 2 ** 53 else value


def _check_topology(parsed: Any, fmt: dict[str, Any], loc: Loc, rel: str, where: SpecText) -> None:
    objects = parsed.get("objects") if isinstance(parsed, dict) else None
    if not isinstance(objects, dict):
        raise SpecError(Problem(rel, 1, 1, "", "is not TopoJSON: it has no \"objects\""))
    names = ", ".join(sorted(map(str, objects))) or "none"
    chosen = fmt.get("feature", fmt.get("mesh"))
    if chosen is None:
        raise SpecError(where.problem(loc + ("format",), (
            f"'{rel}' is TopoJSON: name the object to draw, as \"format\": {{\"type\": \"topojson\", "
            f"\"feature\": \"{sorted(objects)[0] if objects else 'name'}\"}} (its objects: {names})")))
    if chosen not in objects:
        field = "feature" if "feature" in fmt else "mesh"
        raise SpecError(where.problem(loc + ("format", field), f"'{chosen}' is not an object of '{rel}' "
                                      f"(its objects: {names})"))


def _property(parsed: Any, fmt: dict[str, Any], loc: Loc, rel: str, where: SpecText) -> Any:
    """Return the JSON values a chart reads: the file's `format.property`, taken out here."""
    prop = fmt.pop("property", None)
    if prop is None:
        return parsed
    value = parsed
    for part in str(prop).split("."):
        if not isinstance(value, dict) or part not in value:
            raise SpecError(where.problem(loc + ("format", "property"), f"'{rel}' has no '{prop}'"))
        value = value[part]
    return value


def _refuse_urls(node: Any, loc: Loc, where: SpecText) -> None:
    """Refuse any `url` left in a spec that would load from outside the book (an image mark's, say)."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            _refuse_urls(item, loc + (i,), where)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "url" and isinstance(value, str) and ("://" in value or value.startswith("//")):
                raise SpecError(where.problem(loc + (key,), f"loads '{value}', outside the book; the book "
                                              "must work offline, so copy the file into it"))
            _refuse_urls(value, loc + (key,), where)


def without_data(spec: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a spec with every inline data set emptied: what the schema and expressions see."""

    def empty(node: Any) -> Any:
        if isinstance(node, list):
            return [empty(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "data" and isinstance(value, dict) and "values" in value:
                out[key] = {"values": [], **({"name": value["name"]} if "name" in value else {})}
            elif key == "datasets" and isinstance(value, dict):
                out[key] = {name: [] for name in value}
            else:
                out[key] = empty(value)
        return out

    bare: dict[str, Any] = empty(spec)
    return bare


def check_spec(spec: dict[str, Any], where: SpecText, cache: BuildCache) -> None:
    """Check a spec against the Vega-Lite schema and its expressions; raise SpecError where it is wrong.

    Both are checked on the spec without its data; the verdict is kept by a hash of that spec.
    """
    bare = without_data(spec)
    body = json.dumps(bare, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    key = ("spec checked", digest(SCHEMA_VERSION, body))
    verdict = cache.checks.get(key)
    if verdict is None:
        verdict = cache.checks.put(key, _verdict(bare))
    if verdict:
        loc, message = verdict
        raise SpecError(where.problem(loc, message))


def _verdict(bare: dict[str, Any]) -> tuple[Loc, str] | tuple[()]:
    """Return (path, message) of the first mistake in a spec without data, or () if there is none."""
    error = schema_error(bare)
    if error is not None:
        return error[0], f"is not valid Vega-Lite {SCHEMA_VERSION}: {error[1]}"
    expressions = list(_expressions(bare))
    if not expressions:
        return ()
    reason = _draw_error(bare)
    if reason is None or not _EXPRESSION_ERROR.match(reason):
        return ()  # anything else is reported when the chart is drawn, with its data
    for loc, text in expressions:
        alone = {"data": {"values": [{}]}, "transform": [{"calculate": text, "as": "_"}], "mark": "point"}
        if _draw_error(alone) == reason:
            return loc, f"the expression '{text}' cannot be read: {reason}"
    return (), f"an expression in this spec cannot be read: {reason}"


def _expressions(node: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _expressions(item, loc + (i,))
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in EXPRESSION_KEYS and isinstance(value, str):
                yield loc + (key,), value
            else:
                yield from _expressions(value, loc + (key,))


def _draw_error(spec: dict[str, Any]) -> Optional[str]:
    """Return why vl-convert cannot draw a spec (its first line), or None if it can."""
    try:
        draw(spec)
    except DrawingError as exc:
        return str(exc)
    return None


def spec_names_itself(spec: dict[str, Any]) -> bool:
    """Return whether a spec has a description or a title a reader can be told."""
    return bool(spec_description(spec) or spec_title(spec))


def spec_description(spec: dict[str, Any]) -> str:
    found = spec.get("description")
    return found.strip() if isinstance(found, str) else ""


def spec_title(spec: dict[str, Any]) -> str:
    """Return a spec's title as text (a title may be a string, lines, or an object with text)."""
    found = spec.get("title")
    if isinstance(found, dict):
        found = found.get("text")
    if isinstance(found, list):
        found = " ".join(str(line) for line in found)
    return found.strip() if isinstance(found, str) else ""
