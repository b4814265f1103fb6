"""Authors' own Vega-Lite spec files: read once, local data inlined, checked against the schema."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

import altair as alt

from ..source import Sources
from ..source.files import SourceError


class SpecError(Exception):
    """A spec file that cannot be used; the message is for the writer."""


def load_spec(sources: Sources, rel: str) -> dict[str, Any]:
    """Read a Vega-Lite spec file, inline its local data files, and check it against the schema."""
    root = sources.root.resolve()
    path = (root / rel).resolve()
    if root not in path.parents or not path.is_file():
        raise SpecError(f"spec file '{rel}' not found in the briefing folder")
    try:
        spec = _json(sources.read(path.relative_to(root).as_posix()), f"spec file '{rel}'")
    except SourceError as exc:
        raise SpecError(f"spec file '{rel}': {exc.problem.message}") from None
    if not isinstance(spec, dict) or not any(k in spec for k in ("mark", "layer", "concat", "hconcat",
                                                                  "vconcat", "facet", "repeat")):
        raise SpecError(f"spec file '{rel}' is not a Vega-Lite spec (no mark, layer or concat)")
    spec.pop("usermeta", None)  # vega-embed takes options from it, some of which load from a URL
    _inline_data(spec, path.parent, root, rel, sources)
    _refuse_urls(spec, rel)
    try:
        alt.Chart.from_dict(spec, validate=True)
    except Exception as exc:  # Altair raises several types for a spec that does not fit the schema
        reason = str(exc).strip().splitlines()
        raise SpecError(f"spec file '{rel}' is not a valid Vega-Lite {alt.SCHEMA_VERSION} spec: "
                        f"{reason[0] if reason else exc}") from None
    return spec


def _json(text: str, what: str) -> Any:
    """Parse JSON, or raise SpecError naming the line and column of the mistake."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(f"{what} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise SpecError(f"{what} is nested too deeply to read") from None


def _refuse_urls(node: Any, rel: str) -> None:
    """Refuse any `url` left in a spec that would load from outside the book (an image mark's, say)."""
    if isinstance(node, list):
        for item in node:
            _refuse_urls(item, rel)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "url" and isinstance(value, str) and ("://" in value or value.startswith("//")):
                raise SpecError(f"spec file '{rel}' loads '{value}', outside the book; the book must work "
                                "offline, so copy the file into it")
            _refuse_urls(value, rel)


def _inline_data(node: Any, base: Path, root: Path, rel: str, sources: Sources) -> None:
    """Replace `data: {url: local file}` with the file's contents, so the chart works from file://."""
    if isinstance(node, list):
        for item in node:
            _inline_data(item, base, root, rel, sources)
        return
    if not isinstance(node, dict):
        return
    data = node.get("data")
    if isinstance(data, dict) and isinstance(data.get("url"), str):
        url = data.pop("url")
        if "://" in url or url.startswith("//"):
            raise SpecError(f"spec file '{rel}' loads data from '{url}', outside the book; "
                            "copy the data into the book and give a relative path")
        source = (base / url).resolve()
        if root not in source.parents or not source.is_file():
            raise SpecError(f"spec file '{rel}' refers to data '{url}', which is not in the book")
        try:
            text = sources.read(source.relative_to(root).as_posix())
        except SourceError as exc:
            raise SpecError(f"data file '{url}' of spec file '{rel}': {exc.problem.message}") from None
        fmt = data.setdefault("format", {})
        if not isinstance(fmt, dict):
            raise SpecError(f"spec file '{rel}': the data's format must be an object such as "
                            '{"type": "csv"}, not ' + json.dumps(fmt))
        suffix = PurePosixPath(url).suffix
        if suffix == ".json" and fmt.get("type", "json") == "json":
            data["values"] = _json(text, f"data file '{url}' of spec file '{rel}'")
        else:
            fmt.setdefault("type", suffix.lstrip(".") or "csv")
            data["values"] = text
    for value in node.values():
        _inline_data(value, base, root, rel, sources)
