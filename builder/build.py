"""The build, read top to bottom: load, validate, assemble, render, check, write.

`check` is the same pipeline without the final write. A build can also read
the book as it was at a git revision (`rev`), and compare it with an earlier
revision (`since`).
"""

from __future__ import annotations

import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator, Optional

from . import history
from .book import Book, assemble_book
from .changes import BookChanges, compare
from .chartblocks import check_blocks
from .config import CONFIG_FILE, load_config
from .content import load_content
from .data import load_data
from .errors import ContentError, Problem, Problems
from .offline import external_requests
from .output import MANIFEST, check_output_location, manifest, replace_folder
from .pages import PagePlan, plan_pages
from .render import TEMPLATES_DIR, Renderer, RenderError, asset_files
from .vega import LICENSES, ChartRenderer, geo_script, javascript_bundle

Progress = Callable[[str, int], Callable[[], None]]
"""Called with a step name and its size; returns a function to call per item done."""


@dataclass
class BuildResult:
    book: Book
    files: dict[str, bytes]
    pages: int
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    stamp: Optional[history.Stamp] = None
    changes: Optional[BookChanges] = None


@contextmanager
def book_folder(root: Path, rev: Optional[str]) -> Iterator[Path]:
    """Yield the briefing folder itself, or a temporary copy of it as it was at rev."""
    if rev is None:
        yield root
        return
    with tempfile.TemporaryDirectory(prefix="briefing-rev-") as tmp:
        yield history.export(root, rev, Path(tmp) / "book")


def load_book_from(folder: Path, rev: Optional[str] = None) -> tuple[Book, list[Problem]]:
    """Load a book; when it was exported from rev, name rev in its problems (`v2:content/…`)."""
    try:
        return load_book(folder)
    except ContentError as exc:
        if rev is None:
            raise
        raise ContentError([replace(p, path=f"{rev}:{p.path}") for p in exc.problems]) from None


def load_book_at(root: Path, rev: Optional[str]) -> tuple[Book, list[Problem]]:
    """Load the book from the working tree, or as it was at rev."""
    with book_folder(root, rev) as folder:
        return load_book_from(folder, rev)


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
                charts: Optional[ChartRenderer] = None, stamp: Optional[history.Stamp] = None,
                changes: Optional[BookChanges] = None) -> dict[str, bytes]:
    """Render every page, chart and asset; return {output path: bytes}."""
    stamp = stamp or history.Stamp(book.config.version)
    plans = plan_pages(book, root, changes)
    files = render_charts(plans, charts or ChartRenderer(root), progress)
    if files:
        files.update(chart_assets(root))
    tick = progress("Rendering pages", len(plans)) if progress else None
    try:
        files.update(Renderer(book, root, {"stamp": stamp, "changes": changes}).render_all(plans, tick))
    except RenderError as exc:
        raise ContentError([exc.problem]) from None
    for rel, source in asset_files(root).items():
        files[rel] = source.read_bytes()
    check_offline(files, root)
    files[MANIFEST] = manifest(files, {"generator": "briefing", "title": book.config.title,
                                        "as_of": book.config.as_of.isoformat(), **stamp.as_dict()})
    return files


def render_charts(plans: list[PagePlan], renderer: ChartRenderer,
                  progress: Optional[Progress] = None) -> dict[str, bytes]:
    """Render each distinct chart of the site to SVG once; return {charts/<key>.svg: bytes}."""
    unique = {c.key: c for plan in plans for c in plan.context.get("charts", [])}
    tick = progress("Rendering charts", len(unique)) if progress and unique else None
    files = {}
    for _, chart in sorted(unique.items()):
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
          write: bool = True, charts: Optional[ChartRenderer] = None, rev: Optional[str] = None,
          since: Optional[str] = None) -> BuildResult:
    """Build the book in root (or as it was at rev) into out, replacing out only on success."""
    started = time.perf_counter()
    out = out if out is not None else root / "_site"
    if write:
        check_output_location(root, out)
    with book_folder(root, rev) as folder:
        book, warnings = load_book_from(folder, rev)
        inside = [Path(os.path.relpath(out.resolve(), root.resolve())).as_posix()] if write else []
        stamp = history.stamp(root, book.config.version, rev, tuple(p for p in inside if not p.startswith("..")))
        changes = None
        if since is not None:
            old, _ = load_book_at(root, since)
            changes = compare(old, book, history.label(root, since), history.label(root, rev), since)
        files = render_book(book, folder, progress, charts or ChartRenderer(root), stamp, changes)
    if write:
        replace_folder(out, files)
    pages = sum(1 for rel in files if rel.endswith(".html"))
    return BuildResult(book, files, pages, warnings, time.perf_counter() - started, stamp, changes)
