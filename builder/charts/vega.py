"""The Vega toolchain, without a browser: SVG rendering and the JavaScript bundle, both cached.

vl-convert renders Vega-Lite specs to SVG at build time and provides the Vega,
Vega-Lite and Vega-Embed JavaScript that the site ships once in its assets.
Rendered charts are kept in the build cache by a hash of their spec and the
library versions, so an unchanged chart is never rendered twice.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc

from ..cache import BuildCache
from ..geo import simplified_topology_text, topology_text
from ..vegalite import VERSIONS, VL_VERSION, DrawingError, draw
from .base import GEO_DATASET



SVG_FORMAT = "compact-4"  # how SVGs are tidied after drawing (compact_svg): a change redraws them all
NATIONAL_DETAIL = 0.05  # degrees: well under a pixel on a country-wide map, even printed


def with_geometry(spec: dict[str, Any]) -> dict[str, Any]:
    """Return spec with the US states geometry added: simplified for the whole country, full for one state."""
    zoomed = "fit" in (spec.get("projection") or {})
    full = dict(spec)
    full["datasets"] = {**(spec.get("datasets") or {}),
                        GEO_DATASET: topology_text() if zoomed else simplified_topology_text(NATIONAL_DETAIL)}
    return full


_DECIMALS = re.compile(r"(-?\d+)\.(\d)\d+")
_GEOMETRY = re.compile(r'( d="[^"]*"| transform="translate\([^)]*\)")')
_ID = re.compile(r'\bid="([^"]+)"')
_MARK_ARIA = re.compile(r' (aria-label|aria-roledescription|role)="[^"]*"(?=[^>]*\bd=")')


FONTS = Path(__file__).with_name("fonts")
# what an embedded font covers: the Latin a chart is written in; other scripts use the reader's fonts
FONT_TEXT = "".join(chr(c) for c in range(0x20, 0x7F)) + "".join(chr(c) for c in range(0xA0, 0x180)) + \
    "‐‑‒–—―‘’‚“”„†‡•…‰′″‹›€™−≈≤≥→←↑↓·×÷"


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Give vl-convert the typeface the pages use (IBM Plex Sans, OFL), so charts measure text as pages do."""
    vlc.register_font_directory(str(FONTS))


@lru_cache(maxsize=1)
def embedded_font() -> str:
    """Return a small IBM Plex Sans (Latin, regular) as an SVG style, for charts shown as images.

    An SVG shown with <img> cannot use the page's fonts, so the static charts carry their own.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONTS / "IBMPlexSans_400Regular.ttf"), recalcTimestamp=False)  # same bytes every build
    options = subset.Options()
    options.flavor, options.layout_features, options.hinting, options.name_IDs = "woff2", ["kern"], False, []
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=FONT_TEXT)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    data = base64.b64encode(out.getvalue()).decode("ascii")
    return (f"<defs><style>@font-face{{font-family:'IBM Plex Sans';font-style:normal;"
            f"src:url(data:font/woff2;base64,{data}) format('woff2')}}</style></defs>")


def compact_svg(svg: str) -> str:
    """Return an SVG with coordinates to a tenth of a pixel, ids numbered from the start of the file,
    and no labels on the shapes (the page gives the image its description).

    A tenth of a pixel is finer than print shows; ids otherwise depend on what the renderer drew
    before, and the same chart must give the same bytes whatever was built first.
    """
    svg = _GEOMETRY.sub(lambda m: _DECIMALS.sub(r"\1.\2", m.group(0)), svg)
    # an SVG shown as an image is read out by its alt text, not by the labels of its shapes
    svg = _MARK_ARIA.sub("", svg)
    if "IBM Plex Sans" in svg:
        opening = svg.index(">", svg.index("<svg")) + 1
        svg = svg[:opening] + embedded_font() + svg[opening:]
    names = {old: f"i{n}" for n, old in enumerate(dict.fromkeys(_ID.findall(svg)))}
    if names:
        pattern = re.compile(r'(id="|#)(' + "|".join(re.escape(k) for k in sorted(names, key=len, reverse=True)) + r')(?=["\)])')
        svg = pattern.sub(lambda m: m.group(1) + names[m.group(2)], svg)
    return svg


@lru_cache(maxsize=1)
def _topology_hash() -> str:
    return hashlib.sha256(topology_text().encode("utf-8")).hexdigest()


def svg_key(spec: dict[str, Any], needs_geo: bool, spec_key: str = "") -> str:
    """Return the cache key of a chart's SVG: its spec, the geometry and the library versions.

    spec_key, when the caller has one (a chart's own hash of its spec), saves writing the spec out again.
    """
    body = spec_key or json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    geo = f"{_topology_hash()} at {NATIONAL_DETAIL}" if needs_geo else "-"
    return hashlib.sha256(f"{VERSIONS}; {SVG_FORMAT}\n{geo}\n{body}".encode("utf-8")).hexdigest()


def render_svg(spec: dict[str, Any], needs_geo: bool, cache: BuildCache, spec_key: str = "") -> bytes:
    """Return the SVG for a spec, drawing it only if no earlier build kept one."""
    key = svg_key(spec, needs_geo, spec_key)
    data = cache.svgs.get(key)
    if data is None:
        data = cache.read("charts", f"{key}.svg")
        if data is None:
            full = with_geometry(spec) if needs_geo else spec
            register_fonts()
            data = compact_svg(draw(full)).encode("utf-8")
            cache.keep("charts", f"{key}.svg", data)
            cache.rendered_svgs.append(key)
        else:
            cache.reused_svgs.append(key)
        cache.svgs.put(key, data)
    else:
        cache.reused_svgs.append(key)
    return data


def javascript_bundle(cache: BuildCache) -> bytes:
    """Return the Vega, Vega-Lite and Vega-Embed bundle that the site serves from its assets."""
    name = f"vega-{hashlib.sha256(VERSIONS.encode()).hexdigest()[:16]}.js"

    def make() -> bytes:
        kept = cache.read("vendor", name)
        if kept is not None:
            return kept
        header = (f"/* Vega, Vega-Lite and Vega-Embed for offline use ({VERSIONS}). "
                  "BSD-3-Clause licences; see LICENSES.md beside this file. */\n")
        bundle = (header + vlc.javascript_bundle(vl_version=VL_VERSION)).encode("utf-8")  # type: ignore[call-arg]
        cache.keep("vendor", name, bundle)
        return bundle

    return cache.svgs.get_or_make(("bundle", name), make)


INTERPRETER = Path(__file__).with_name("vendor") / "vega-interpreter.js"


def interpreter_script() -> bytes:
    """Return vega-interpreter, which evaluates Vega expressions without eval (no 'unsafe-eval' needed)."""
    return INTERPRETER.read_bytes()


LICENSES = f"""# Third-party software in this folder and in ../geo

vega-interpreter.js bundles vega-interpreter 2.3.2 and vega-util 2.1.3 (BSD 3-Clause, same
copyright as below), so that charts draw under a Content-Security-Policy without 'unsafe-eval'.

vega.js bundles Vega {vlc.get_vega_version()}, Vega-Lite {VL_VERSION} and Vega-Embed
{vlc.get_vega_embed_version()} (with their dependencies, among them d3 modules under the ISC
licence), as packaged by vl-convert {getattr(vlc, '__version__')}.

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
