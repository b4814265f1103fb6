"""The Vega toolchain, without a browser: SVG rendering and the JavaScript bundle, both cached.

vl-convert renders Vega-Lite specs to SVG at build time and provides the Vega,
Vega-Lite and Vega-Embed JavaScript that the site ships once in its assets.
Rendered charts are cached on disk by a hash of their spec and the library
versions, so an unchanged chart is never rendered twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import altair as alt
import vl_convert as vlc

from .geo import topology_text

CACHE_DIR = ".briefing-cache"
CACHE_ENV = "BRIEFING_CACHE"  # set to share one cache folder between books (the tests do)


def cache_dir(root: Optional[Path]) -> Optional[Path]:
    """Return the folder for rendered charts and the JavaScript bundle."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return root / CACHE_DIR if root is not None else None
VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])  # e.g. "6.4"
VERSIONS = f"vl-convert {vlc.__version__}; vega-lite {VL_VERSION}; vega {vlc.get_vega_version()}"


GEO_DATASET = "us-states"


def with_geometry(spec: dict[str, Any]) -> dict[str, Any]:
    """Return spec with the US states geometry added to its datasets."""
    full = dict(spec)
    full["datasets"] = {**(spec.get("datasets") or {}), GEO_DATASET: topology_text()}
    return full


@dataclass
class RenderStats:
    """What the last render did: per chart, whether it was cached and how long it took."""

    rendered: list[tuple[str, float]] = field(default_factory=list)
    cached: list[tuple[str, float]] = field(default_factory=list)


class ChartRenderer:
    """Render charts to SVG, reusing earlier renders from memory and from the cache folder."""

    def __init__(self, cache_root: Optional[Path]):
        folder = cache_dir(cache_root)
        self.cache = folder / "charts" if folder else None
        self.memory: dict[str, bytes] = {}
        self.stats = RenderStats()
        self._lock = threading.Lock()

    def cache_key(self, spec: dict[str, Any], needs_geo: bool) -> str:
        body = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        geo = _topology_hash() if needs_geo else "-"
        return hashlib.sha256(f"{VERSIONS}\n{geo}\n{body}".encode("utf-8")).hexdigest()

    def svg(self, spec: dict[str, Any], needs_geo: bool = False) -> bytes:
        """Return the SVG for a spec, rendering it only if no earlier render is cached."""
        started = time.perf_counter()
        key = self.cache_key(spec, needs_geo)
        if key in self.memory:
            self._note(self.stats.cached, key, started)
            return self.memory[key]
        path = self.cache / f"{key}.svg" if self.cache else None
        if path is not None and path.is_file():
            data = path.read_bytes()
            self._note(self.stats.cached, key, started)
        else:
            full = with_geometry(spec) if needs_geo else spec
            data = vlc.vegalite_to_svg(full, vl_version=VL_VERSION).encode("utf-8")
            if path is not None:
                _write_atomically(path, data)
            self._note(self.stats.rendered, key, started)
        self.memory[key] = data
        return data

    def _note(self, where: list, key: str, started: float) -> None:
        with self._lock:
            where.append((key, time.perf_counter() - started))


@lru_cache(maxsize=1)
def _topology_hash() -> str:
    return hashlib.sha256(topology_text().encode("utf-8")).hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only book still builds; it just renders again next time


_bundle_lock = threading.Lock()
_bundle: Optional[bytes] = None


def javascript_bundle(cache_root: Optional[Path]) -> bytes:
    """Return the Vega, Vega-Lite and Vega-Embed bundle that the site serves from its assets."""
    global _bundle
    with _bundle_lock:
        if _bundle is None:
            name = hashlib.sha256(VERSIONS.encode()).hexdigest()[:16]
            folder = cache_dir(cache_root)
            path = folder / "vendor" / f"vega-{name}.js" if folder else None
            if path is not None and path.is_file():
                _bundle = path.read_bytes()
            else:
                header = (f"/* Vega, Vega-Lite and Vega-Embed for offline use ({VERSIONS}). "
                          "BSD-3-Clause licences; see LICENSES.md beside this file. */\n")
                _bundle = (header + vlc.javascript_bundle(vl_version=VL_VERSION)).encode("utf-8")
                if path is not None:
                    _write_atomically(path, _bundle)
        return _bundle


LICENSES = f"""# Third-party software in this folder and in ../geo

vega.js bundles Vega {vlc.get_vega_version()}, Vega-Lite {VL_VERSION} and Vega-Embed
{vlc.get_vega_embed_version()} (with their dependencies, among them d3 modules under the ISC
licence), as packaged by vl-convert {vlc.__version__}.

Vega, Vega-Lite and Vega-Embed: Copyright (c) 2015-2023, University of Washington Interactive
Data Lab. All rights reserved. Redistribution and use in source and binary forms, with or without
modification, are permitted under the BSD 3-Clause License:
https://github.com/vega/vega/blob/main/LICENSE

../geo/us-states.js holds the us-atlas states TopoJSON (states-10m.json, U.S. Census Bureau
cartographic boundaries). Copyright 2013-2019 Michael Bostock. ISC License: permission to use,
copy, modify, and/or distribute this software for any purpose with or without fee is hereby
granted, provided that the above copyright notice and this permission notice appear in all copies.
THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
"""


def geo_script() -> bytes:
    """Return the states TopoJSON as a script, so maps work from file:// where fetch does not."""
    return (f"/* us-atlas states-10m.json; ISC licence, see ../vendor/LICENSES.md */\n"
            f"window.BRIEFING_GEO = {{{json.dumps(GEO_DATASET)}: {json.dumps(topology_text())}}};\n"
            ).encode("utf-8")
