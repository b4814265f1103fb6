"""Vega-Lite itself, as briefing uses it: the version, the schema, and drawing a spec with vl-convert.

The validate stage checks authors' specs with these, and the charts stage draws every chart.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import vl_convert as vlc


def _altair_schema_version() -> str:
    """Return the Vega-Lite schema version Altair writes, read from its package without importing it.

    Importing Altair takes half a second, and a build whose charts are all kept needs only this.
    """
    spec = importlib.util.find_spec("altair")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("briefing needs Altair: pip install altair")
    module = Path(list(spec.submodule_search_locations)[0]) / "vegalite" / "v6" / "schema" / "__init__.py"
    found = re.search(r'^SCHEMA_VERSION = "(v[0-9.]+)"', module.read_text(encoding="utf-8"), re.M)
    if found is None:
        raise ImportError(f"cannot read the Vega-Lite schema version from {module}")
    return found.group(1)


SCHEMA_VERSION = _altair_schema_version()  # e.g. "v6.4.1", as altair.SCHEMA_VERSION
ALTAIR_VERSION = importlib.metadata.version("altair")
VL_VERSION = ".".join(SCHEMA_VERSION.lstrip("v").split(".")[:2])  # e.g. "6.4"
VERSIONS = f"vl-convert {getattr(vlc, '__version__')}; vega-lite {VL_VERSION}; vega {vlc.get_vega_version()}"


class DrawingError(Exception):
    """vl-convert could not draw a spec; the message is its first line, for the writer."""


def draw(spec: dict[str, Any]) -> str:
    """Return a spec drawn as SVG, or raise DrawingError with the reason Vega gives."""
    try:
        return vlc.vegalite_to_svg(spec, vl_version=VL_VERSION)
    except ValueError as exc:
        raise DrawingError(_first_reason(str(exc))) from None


def _first_reason(message: str) -> str:
    """Return the reason vl-convert gives, without its JavaScript stack."""
    lines = [line.strip() for line in message.splitlines() if line.strip() and not line.strip().startswith("at ")]
    reason = lines[1] if len(lines) > 1 and lines[0].endswith("failed:") else (lines[0] if lines else message)
    return reason.removeprefix("Error: ")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """Return the Vega-Lite JSON schema that Altair ships."""
    from altair.vegalite.v6.schema import core

    return core.load_schema()


def schema_error(spec: dict[str, Any]) -> tuple[tuple[Any, ...], str] | None:
    """Return (path, message) of the most relevant way a spec breaks the schema, or None if it fits."""
    from altair.utils.schemapi import validate_jsonschema

    error = validate_jsonschema(spec, schema(), rootschema=schema(), raise_error=False)
    if error is None:
        return None
    message = error.message if len(error.message) < 300 else error.message[:297] + "…"
    return tuple(error.absolute_path), message
