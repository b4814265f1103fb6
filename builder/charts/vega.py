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
import multiprocessing
import os
import re
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence, Union

import vl_convert as vlc

from ..cache import BuildCache
from ..geo import simplified_topology_text, topology_text
from ..vegalite import VERSIONS, VL_VERSION, DrawingError, draw
from .base import GEO_DATASET



SVG_FORMAT = "compact-7"  # how SVGs are tidied after drawing (compact_svg): a change redraws them all
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
PUNCTUATION = "‐‑‒–—―‘’‚“”„†‡•…‰′″‹›€™−≈≤≥→←↑↓·×÷"
FONT_TEXT = "".join(chr(c) for c in range(0x20, 0x7F)) + "".join(chr(c) for c in range(0xA0, 0x180)) + PUNCTUATION
# most charts are written in these alone, and carry a font half the size
BASIC_TEXT = frozenset("".join(chr(c) for c in range(0x20, 0x7F)) + "£¥°" + PUNCTUATION)
_TEXT_NODE = re.compile(r">([^<]+)<")

PAGE_FONT = "IBM Plex Sans"  # what the pages set, and the live charts with them
DRAWN_FONT = "Liberation Sans"  # what static charts are set in
_DRAWN_FAMILIES = f"{DRAWN_FONT}, sans-serif"


def in_drawn_font(spec: dict[str, Any]) -> dict[str, Any]:
    """Return spec set in Liberation Sans if it is set in the pages' typeface.

    vl-convert measures every label it lays out, and reads a font it was given as a file again
    for each glyph (an open, a map and an unmap each time): with the pages' IBM Plex Sans, half
    of a chart's drawing went to that. Liberation Sans is the typeface vl-convert carries in
    memory. The static chart embeds the same face (`embedded_font`), so it shows as measured.
    """
    config = spec.get("config") or {}
    font = config.get("font")
    if not isinstance(font, str) or not font.startswith(PAGE_FONT):
        return spec
    return {**spec, "config": {**config, "font": _DRAWN_FAMILIES}}


EMBEDDED_FONTS = {True: "embedded-basic.woff2", False: "embedded-latin.woff2"}  # in FONTS, by `basic`


@lru_cache(maxsize=1)
def drawn_font_file() -> bytes:
    """Return the whole face static charts are set in, for a document that sets them in it (the PDF)."""
    return (FONTS / "LiberationSans-Regular.ttf").read_bytes()


@lru_cache(maxsize=2)
def embedded_font(basic: bool = False) -> str:
    """Return a small Liberation Sans (regular) as an SVG style, for charts shown as images.

    An SVG shown with <img> cannot use the page's fonts, so the static charts carry their own:
    the characters of BASIC_TEXT if basic, else all of FONT_TEXT. The two subsets are cut once,
    by `subset_font` (`python -m builder.charts.vega` writes them), not by every build: a test
    checks that the files are what it cuts today.
    """
    data = base64.b64encode((FONTS / EMBEDDED_FONTS[basic]).read_bytes()).decode("ascii")
    return (f"<defs><style>@font-face{{font-family:'{DRAWN_FONT}';font-style:normal;"
            f"src:url(data:font/woff2;base64,{data}) format('woff2')}}</style></defs>")


def subset_font(basic: bool) -> bytes:
    """Return the regular face cut to BASIC_TEXT (if basic) or FONT_TEXT, as WOFF2 (the same bytes every time)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONTS / "LiberationSans-Regular.ttf"), recalcTimestamp=False)
    options = subset.Options()
    options.flavor, options.layout_features, options.hinting, options.name_IDs = "woff2", ["kern"], False, []
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(BASIC_TEXT)) if basic else FONT_TEXT)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def compact_svg(svg: str) -> str:
    """Return an SVG with coordinates to a tenth of a pixel, ids numbered from the start of the file,
    and no labels on the shapes (the page gives the image its description).

    A tenth of a pixel is finer than print shows; ids otherwise depend on what the renderer drew
    before, and the same chart must give the same bytes whatever was built first.
    """
    svg = _GEOMETRY.sub(lambda m: _DECIMALS.sub(r"\1.\2", m.group(0)), svg)
    # an SVG shown as an image is read out by its alt text, not by the labels of its shapes
    svg = _MARK_ARIA.sub("", svg)
    if DRAWN_FONT in svg:
        opening = svg.index(">", svg.index("<svg")) + 1
        basic = "&#" not in svg and all(set(text) <= BASIC_TEXT for text in _TEXT_NODE.findall(svg))
        svg = svg[:opening] + embedded_font(basic) + svg[opening:]
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


def draw_soon(spec: dict[str, Any], needs_geo: bool, spec_key: str, cache: BuildCache) -> None:
    """Start drawing a chart on the workers a long-lived build keeps (`serve`, `build --watch`), if no
    build drew it yet: they draw while this process plans the other pages, rather than after.

    After an edit to the data, most of a rebuild's time is its changed charts; the plan stage
    makes them one by one, with a core to spare. `render_svgs` takes what was started here.
    """
    pool = cache.workers
    if pool is None:
        return
    key = svg_key(spec, needs_geo, spec_key)
    if key in cache.drawing or key in cache.svgs.entries or (
            cache.folder is not None and (cache.folder / "charts" / f"{key}.svg").is_file()):
        return
    try:
        cache.drawing[key] = pool.submit(_draw_job, (spec, needs_geo))
    except (OSError, BrokenProcessPool, RuntimeError):  # the workers are gone: render_svgs draws it
        cache.workers = None


def render_svgs(charts: Sequence[tuple[dict[str, Any], bool, str]], cache: BuildCache,
                tick: Optional[Callable[[], None]] = None,
                meanwhile: Callable[[], None] = lambda: None,
                spare: Callable[[], None] = lambda: None) -> list[Union[bytes, DrawingError]]:
    """Return the SVG of each (spec, needs_geo, spec key), or the reason it cannot be drawn.

    tick, if given, is called once per chart as it is found or drawn.

    The charts no earlier build kept are drawn on every core: vl-convert draws one chart at a time
    per process, and a book's first build draws hundreds. meanwhile is called once, in this
    process, while the worker processes draw (a page needs only its charts' paths, not their SVG);
    spare is called after it only if workers are still drawing (work a later stage would do anyway).
    """
    keys = [svg_key(spec, needs_geo, spec_key) for spec, needs_geo, spec_key in charts]
    results: list[Union[bytes, DrawingError, None]] = [_kept_svg(key, cache) for key in keys]
    missing = [n for n, data in enumerate(results) if data is None]
    for _ in range(len(keys) - len(missing)):
        if tick:
            tick()
    started = {n: cache.drawing.pop(keys[n]) for n in missing if keys[n] in cache.drawing}  # see draw_soon
    rest = [n for n in missing if n not in started]

    def done(n: int, drawn: tuple[bool, str]) -> None:
        ok, text = drawn
        if ok:
            results[n] = text.encode("utf-8")
            _keep_svg(keys[n], text.encode("utf-8"), cache)
        else:
            results[n] = DrawingError(text)
        if tick:
            tick()

    drawing = _draw_all([(charts[n][0], charts[n][1]) for n in rest], meanwhile, spare, cache, bool(started))
    for n, drawn in zip(rest, drawing):
        done(n, drawn)
    next(drawing, None)  # to its end: the workers stop, and with nothing to draw, meanwhile runs now
    for n, future in started.items():
        try:
            drawn = future.result()
        except (OSError, BrokenProcessPool, CancelledError):  # the workers died: draw it here
            cache.workers = None
            drawn = _draw_job((charts[n][0], charts[n][1]))
        done(n, drawn)
    return [r for r in results if r is not None]


def drawn_svg(spec: dict[str, Any], needs_geo: bool) -> str:
    """Draw a spec (with the states geometry if it needs it) as a compact SVG."""
    spec = in_drawn_font(spec)
    return compact_svg(draw(with_geometry(spec) if needs_geo else spec))


def _draw_job(job: tuple[dict[str, Any], bool]) -> tuple[bool, str]:
    """Draw one chart in a worker: (True, svg) or (False, the reason it cannot be drawn)."""
    try:
        return True, drawn_svg(*job)
    except DrawingError as exc:
        return False, str(exc)


CHARTS_PER_WORKER = 6  # a worker is ready to draw in 0.7 s, this process in 0.4 s; a chart takes 0.1 s


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _spawn_workers(count: int) -> ProcessPoolExecutor:
    # spawned, not forked: vl-convert runs threads of its own, which a fork would not carry over
    return ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"))


def start_workers(cache: BuildCache) -> None:
    """Start the workers a long-lived build keeps (the resident, `serve`, `--watch`) before a save needs
    them, and have each draw a chart of nothing (which starts vl-convert's engine): the first edit of
    a row then costs its charts, not starting processes. Nothing happens on one core."""
    if not cache.keep_workers or cache.workers is not None or _cores() < 2:
        return
    try:
        cache.workers = _spawn_workers(_cores())
        for _ in range(_cores()):
            cache.workers.submit(_draw_job, (WARM_UP, False))
    except (OSError, BrokenProcessPool, RuntimeError):
        cache.workers = None


WARM_UP = {"data": {"values": [{"x": 1}]}, "mark": "point", "encoding": {"x": {"field": "x", "type": "quantitative"}}}


def _draw_all(jobs: list[tuple[dict[str, Any], bool]], meanwhile: Callable[[], None],
              spare: Callable[[], None] = lambda: None, cache: Optional[BuildCache] = None,
              drawing: bool = False) -> Iterator[tuple[bool, str]]:
    """Draw the jobs in order, in worker processes when there are enough of them and more than one core;
    call meanwhile once, while they draw (or before drawing here), then spare if they draw or
    drawing says that they are drawing other charts already. What meanwhile and spare raise is
    their own.

    A cache that keeps its workers (`serve`, `build --watch`) starts them once and draws every later
    build's charts with them, ready at once."""
    cores = _cores()
    kept = cache is not None and cache.keep_workers
    pool: Optional[ProcessPoolExecutor] = cache.workers if kept and cache is not None else None
    results: Iterator[tuple[bool, str]] = iter(())
    if pool is None and min(cores, len(jobs) // CHARTS_PER_WORKER) >= 2:
        try:
            pool = _spawn_workers(cores if kept else min(cores, len(jobs) // CHARTS_PER_WORKER))
        except (OSError, BrokenProcessPool):  # no worker processes on this machine: draw here instead
            pool = None
    if kept and cache is not None:
        cache.workers = pool
    if pool is not None and len(jobs) > 1:
        try:
            results = pool.map(_draw_job, jobs, chunksize=2)  # every job is handed out now
        except (OSError, BrokenProcessPool, RuntimeError):  # the workers are gone: draw here instead
            pool = None
            if cache is not None:
                cache.workers = None
    else:
        pool = None
    try:
        meanwhile()
        if pool is not None or drawing:
            spare()
    except BaseException:
        if pool is not None and not kept:  # (kept workers finish what they were given, and wait for more)
            pool.shutdown(cancel_futures=True)
        raise
    if pool is None:
        yield from map(_draw_job, jobs)
        return
    done = 0
    try:
        for result in results:
            yield result
            done += 1
    except (OSError, BrokenProcessPool):  # the workers died: draw the rest here
        if kept and cache is not None:
            cache.workers = None
        yield from map(_draw_job, jobs[done:])
    finally:
        if not kept:
            pool.shutdown()


def _kept_svg(key: str, cache: BuildCache) -> Optional[bytes]:
    data = cache.svgs.get(key)
    if data is None:
        data = cache.read("charts", f"{key}.svg")
        if data is not None:
            cache.svgs.put(key, data)
    if data is not None:
        cache.reused_svgs.append(key)
    return data


def _keep_svg(key: str, data: bytes, cache: BuildCache) -> None:
    cache.keep("charts", f"{key}.svg", data)
    cache.rendered_svgs.append(key)
    cache.svgs.put(key, data)


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


if __name__ == "__main__":  # cut the embedded subsets again, after changing the font or the texts
    for basic, name in EMBEDDED_FONTS.items():
        (FONTS / name).write_bytes(subset_font(basic))
