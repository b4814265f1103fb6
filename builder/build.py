"""The build, read top to bottom: load → validate → select → plan → render → check → write.

    sources = load(folder, cache)           files → located documents          (source/)
    book = validate(sources)                documents → one cross-checked Book (validate/)
    book = select(book, edition)            the part of the book one edition shows (editions.py)
    site = plan_site(book, stamp, changes)  pages, and what each shows          (targets/site/plan.py)
    files = render(site, …)                 HTML, SVG and assets                (targets/site/render.py)
    check_output(files, …)                  nothing would load from outside    (targets/check.py)
    write_site(out, files)                  swapped into place at once          (targets/site/write.py)

`briefing check` runs the same stages without drawing SVGs and without writing;
`briefing serve` runs them in memory with one long-lived build cache.
"""

from __future__ import annotations

import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator, Optional

from .cache import BuildCache, cache_folder
from .charts.vega import LICENSES, DrawingError, geo_script, interpreter_script, javascript_bundle, render_svg
from .editions import select
from .errors import ContentError, Problem
from .model.book import Book
from .source import Sources, load
from .targets.check import check_output
from .targets.site.plan import SitePlan, plan_site
from .targets.site.render import read_assets, render_pages
from .targets.site.write import MANIFEST, check_output_location, manifest, write_site
from .validate import validate
from .versions import git
from .versions.changes import BookChanges, compare

Progress = Callable[[str, int], Callable[[], None]]
"""Called with a step name and its size; returns a function to call per item done."""


@dataclass
class BuildResult:
    book: Book
    files: dict[str, bytes]
    pages: int
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    stamp: Optional[git.Stamp] = None
    changes: Optional[BookChanges] = None


def build(root: Path, out: Optional[Path] = None, *, write: bool = True, static_charts: Optional[bool] = None,
          rev: Optional[str] = None, since: Optional[str] = None, cache: Optional[BuildCache] = None,
          progress: Optional[Progress] = None) -> BuildResult:
    """Build the book in root (or as it was at rev) and, when write, swap it into out on success.

    static_charts (default: write) draws each chart's SVG and adds the chart scripts; without
    it the pages are rendered and checked but no chart is drawn, as `briefing check` does.
    """
    started = time.perf_counter()
    out = out if out is not None else root / "_site"
    static_charts = write if static_charts is None else static_charts
    if write:
        check_output_location(root, out)
    if cache is None:
        cache = BuildCache(cache_folder(root) if static_charts else None)
    cache.start_build()
    with book_folder(root, rev) as folder:
        sources = load(folder, cache)
        book, warnings = validate_at(sources, rev)
        book = select(book, edition=None)
        stamp = git.stamp(root, book.config.version, rev, _inside(root, out) if write else ())
        changes = None
        if since is not None:
            old, _ = load_book(root, since)
            changes = compare(old, book, git.label(root, since), git.label(root, rev), since)
        site = plan_site(book, stamp, changes, cache)
        files = render(site, folder, cache, static_charts, progress)
        check_output(files, folder, cache)
    if write:
        write_site(out, files)
    cache.finish_build()
    pages = sum(1 for rel in files if rel.endswith(".html"))
    return BuildResult(book, files, pages, warnings, time.perf_counter() - started, stamp, changes)


def render(site: SitePlan, root: Path, cache: BuildCache, static_charts: bool,
           progress: Optional[Progress] = None) -> dict[str, bytes]:
    """Render every page, chart and asset of a site plan; return {output path: bytes}."""
    files: dict[str, bytes] = {}
    charts = site.charts
    if static_charts and charts:
        tick = progress("Rendering charts", len(charts)) if progress else None
        for chart in charts:
            try:
                files[chart.svg_path] = render_svg(chart.spec, chart.needs_geo, cache)
            except DrawingError as exc:
                if chart.written_at is None:
                    raise  # one of the book's own charts: a bug in briefing
                raise ContentError([replace(chart.written_at, message=f"the chart cannot be drawn: {exc}")]) from None
            if tick:
                tick()
        files.update({"assets/vendor/vega.js": javascript_bundle(cache),
                      "assets/vendor/vega-interpreter.js": interpreter_script(),
                      "assets/vendor/LICENSES.md": LICENSES.encode("utf-8"),
                      "assets/geo/us-states.js": geo_script()})
    tick = progress("Rendering pages", len(site.pages)) if progress else None
    files.update(render_pages(site, root, cache, tick))
    files.update(read_assets(root))
    config = site.book.config
    files[MANIFEST] = manifest(files, {"generator": "briefing", "title": config.title,
                                       "as_of": config.as_of.isoformat(), **site.stamp.as_dict()})
    return files


@contextmanager
def book_folder(root: Path, rev: Optional[str]) -> Iterator[Path]:
    """Yield the briefing folder itself, or a temporary copy of it as it was at rev."""
    if rev is None:
        yield root
        return
    with tempfile.TemporaryDirectory(prefix="briefing-rev-") as tmp:
        yield git.export(root, rev, Path(tmp) / "book")


def validate_at(sources: Sources, rev: Optional[str]) -> tuple[Book, list[Problem]]:
    """Validate; when the sources were exported from rev, name rev in the problems (`v2:content/…`)."""
    try:
        return validate(sources)
    except ContentError as exc:
        if rev is None:
            raise
        raise ContentError([replace(p, path=f"{rev}:{p.path}") for p in exc.problems]) from None


def load_book(root: Path, rev: Optional[str] = None, cache: Optional[BuildCache] = None) -> tuple[Book, list[Problem]]:
    """Load and validate the book from the working tree, or as it was at rev; raise ContentError."""
    with book_folder(root, rev) as folder:
        return validate_at(load(folder, cache or BuildCache()), rev)


def _inside(root: Path, out: Path) -> tuple[str, ...]:
    """Return the output folder relative to the book when it lies inside it (it is not content)."""
    rel = Path(os.path.relpath(out.resolve(), root.resolve())).as_posix()
    return () if rel.startswith("..") else (rel,)
