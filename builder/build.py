"""The build, read top to bottom: load, validate, assemble, render, check, write.

`check` is the same pipeline without the final write.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from .book import Book, assemble_book
from .config import CONFIG_FILE, load_config
from .content import load_content
from .data import load_data
from .errors import ContentError, Problem, Problems
from .offline import external_requests
from .output import MANIFEST, check_output_location, manifest, replace_folder
from .charts import check_blocks
from .pages import PagePlan, plan_pages
from .vega import LICENSES, ChartRenderer, geo_script, javascript_bundle
from .render import TEMPLATES_DIR, RenderError, Renderer, asset_files

Progress = Callable[[str, int], Callable[[], None]]
"""Called with a step name and its size; returns a function to call per item done."""


@dataclass
class BuildResult:
    book: Book
    files: dict[str, bytes]
    pages: int
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


def load_book(root: Path) -> tuple[Book, list[Problem]]:
    """Load and validate everything in the briefing folder; raise ContentError on mistakes."""
    problems = Problems()
    config, found = load_config(root)
    problems.extend(found)
    if config is None and not (root / CONFIG_FILE).is_file():
        problems.raise_if_errors()  # not a briefing folder: say only that
    content, found = load_content(root)
    problems.extend(found)
    data, found = load_data(root)
    problems.extend(found)
    if config is not None:
        book, found = assemble_book(config, content, data)
        problems.extend(found)
        problems.extend(check_blocks(book, root))
    problems.raise_if_errors()
    return book, problems.warnings


def render_book(book: Book, root: Path, progress: Optional[Progress] = None,
                charts: Optional[ChartRenderer] = None) -> dict[str, bytes]:
    """Render every page, chart and asset; return {output path: bytes}."""
    plans = plan_pages(book, root)
    files = render_charts(plans, charts or ChartRenderer(root), progress)
    if files:
        files.update(chart_assets(root))
    tick = progress("Rendering pages", len(plans)) if progress else None
    try:
        files.update(Renderer(book, root).render_all(plans, tick))
    except RenderError as exc:
        raise ContentError([exc.problem]) from None
    for rel, source in asset_files(root).items():
        files[rel] = source.read_bytes()
    check_offline(files, root)
    files[MANIFEST] = manifest(files, {"generator": "briefing", "title": book.config.title,
                                        "as_of": book.config.as_of.isoformat()})
    return files


def render_charts(plans: list[PagePlan], renderer: ChartRenderer,
                  progress: Optional[Progress] = None) -> dict[str, bytes]:
    """Render each distinct chart of the site to SVG once; return {charts/<key>.svg: bytes}."""
    unique = {c.key: c for plan in plans for c in plan.context.get("charts", [])}
    tick = progress("Rendering charts", len(unique)) if progress and unique else None
    files = {}
    for key, chart in sorted(unique.items()):
        files[chart.svg_path] = renderer.svg(chart.spec, chart.needs_geo)
        if tick:
            tick()
    return files


def chart_assets(root: Path) -> dict[str, bytes]:
    """Return the JavaScript and notices that live charts need, written once per site."""
    return {"assets/vendor/vega.js": javascript_bundle(root),
            "assets/vendor/LICENSES.md": LICENSES.encode("utf-8"),
            "assets/geo/us-states.js": geo_script()}


def check_offline(files: dict[str, bytes], root: Path) -> None:
    """Fail when any page would fetch something from outside the site, naming where it was written."""
    problems = []
    for rel, data in sorted(files.items()):
        for line, url in external_requests(rel, data):
            message = (f"{rel} would load '{url}' from outside the site; the book must work offline "
                       "(copy the file into the book and link it relatively)")
            where = find_in_sources(root, url) or (rel, line, 1)
            problems.append(Problem(*where, "", message))
    if problems:
        raise ContentError(sorted(set(problems)))


def find_in_sources(root: Path, text: str) -> Optional[tuple[str, int, int]]:
    """Return (path, line, column) of the first place text is written in the book's sources."""
    candidates = [root / CONFIG_FILE, *sorted((root / "content").rglob("*")),
                  *sorted((root / TEMPLATES_DIR).rglob("*"))]
    for path in candidates:
        if not path.is_file():
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(lines, 1):
            if text in line:
                return path.relative_to(root).as_posix(), number, line.index(text) + 1
    return None


def build(root: Path, out: Optional[Path] = None, progress: Optional[Progress] = None,
          write: bool = True, charts: Optional[ChartRenderer] = None) -> BuildResult:
    """Build the book in root into out, replacing out only if everything succeeded."""
    started = time.perf_counter()
    out = out if out is not None else root / "_site"
    if write:
        check_output_location(root, out)
    book, warnings = load_book(root)
    files = render_book(book, root, progress, charts)
    if write:
        replace_folder(out, files)
    pages = sum(1 for rel in files if rel.endswith(".html"))
    return BuildResult(book, files, pages, warnings, time.perf_counter() - started)
