"""The build, read top to bottom: load → validate → select → localize → plan → render → index → check → write.

    sources = load(folder, cache)           files → located documents          (source/)
    book = validate(sources)                documents → one cross-checked Book (validate/)
    book = select(book, edition)            the part of the book one edition shows (editions.py)
    book = localize(book, lang)             the book in one of its languages   (languages.py)
    site = plan_site(book, stamp, changes)  pages, and what each shows          (targets/site/plan.py)
    files = render(site, …)                 HTML, SVG and assets                (targets/site/render.py)
    files |= index(site, files, …)          their search index, and the manifest (targets/site/search.py)
    check_output(files, …)                  nothing would load from outside    (targets/check.py)
    write_site(out, files)                  swapped into place at once          (targets/site/write.py)

A book in several languages is a site per language, each in its own folder (`en/`, `ja/`):
localize, plan and render run once for each.

`briefing check` runs the same stages without drawing SVGs and without writing;
`briefing serve` runs them in memory with one long-lived build cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, TypeVar

from .cache import CACHE_DIR, BuildCache, cache_folder, digest
from .charts.vega import (LICENSES, DrawingError, draw_soon, geo_script, interpreter_script, javascript_bundle,
                          render_svgs)
from .editions import Selection, audit, choose
from .languages import localize, stale_warnings
from .text.locale import Words
from .errors import BriefingError, ContentError, Problem, did_you_mean
from .files import stat_key, write_atomic
from .targets import pdf
from .model.book import Book
from .source import Sources, load
from .targets.check import check_output, scan_ahead
from .targets.site.plan import SitePlan, plan_site
from .targets.site.render import render_language_choice, render_pages
from .targets.site.templates import language_words, read_assets, theme_dir
from .targets.site import urls
from .targets.site import search
from .targets.site.write import MANIFEST, check_output_location, manifest, write_site, written_stats
from .validate import validate
from .versions import git
from .versions.changes import BookChanges, compare

T = TypeVar("T")

Progress = Callable[[str, int], Callable[[], None]]
"""Called with a step name and its size; returns a function to call per item done."""


@dataclass
class BuildResult:
    book: Optional[Book]  # None when nothing had changed since the last build into the same folder
    files: dict[str, bytes]
    pages: int
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    stamp: Optional[git.Stamp] = None
    changes: Optional[BookChanges] = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    file_count: int = 0
    selection: Optional[Selection] = None  # the edition built, and what it left out
    index_later: Optional[Callable[[], dict[str, bytes]]] = None  # see build(index_later=True)


def build(root: Path, out: Optional[Path] = None, *, write: bool = True, static_charts: Optional[bool] = None,
          rev: Optional[str] = None, since: Optional[str] = None, cache: Optional[BuildCache] = None,
          progress: Optional[Progress] = None, strict: bool = False, edition: Optional[str] = None,
          index_later: bool = False) -> BuildResult:
    """Build the book in root (or as it was at rev) and, when write, swap it into out on success.

    edition builds one of the editions site.yaml declares: what it leaves out never reaches a
    stage after select, and an audit of every output file proves it.

    strict makes every warning an error: the build stops, and nothing is written.

    static_charts (default: write) draws each chart's SVG and adds the chart scripts; without
    it the pages are rendered and checked but no chart is drawn, as `briefing check` does.

    index_later (`serve`, which writes nothing) returns before the index stage: the result's
    `index_later()` makes the search index and the manifest, audits them, and ends the build. The
    edited page reaches the browser first.
    """
    assert not (write and index_later), "a build that writes its output writes all of it"
    started = time.perf_counter()
    out = out if out is not None else root / "_site"
    static_charts = write if static_charts is None else static_charts
    if write:
        check_output_location(root, out, cache.written.get(str(out.resolve())) if cache is not None else None)
    inputs = ""
    fresh = cache is None
    if cache is None:
        cache = BuildCache(cache_folder(root) if static_charts else None)
    # a command-line build (or the resident's): skip it if nothing changed, else reuse what the last one kept
    if (fresh or cache.resident) and write and rev is None and since is None:
        inputs = input_digest(root, out, git.stamp(root, "", None, _inside(root, out)), cache.inputs) + f"|{edition}"
        done = last_build(cache, out, inputs)
        if done is not None:
            if strict:
                refuse_warnings(done.warnings)
            done.seconds = time.perf_counter() - started
            return done
        if fresh:
            cache.restore(code_version())
    cache.start_build()
    clock = Stopwatch()
    with book_folder(root, rev) as folder:
        sources = clock("load", load(folder, cache))
        book, warnings = clock("validate", validate_at(sources, rev))
        warnings += stale_warnings(book, root)
        if strict:
            refuse_warnings(warnings)
        selection = clock("select", choose(book, edition))
        book = selection.book
        stamp = git.stamp(root, book.config.version, rev, _inside(root, out) if write else ())
        old = None
        if since is not None:
            old, _ = load_book(root, since)
            old = choose(old, edition).book  # the old version as this edition showed it: nothing else
        sites: list[tuple[SitePlan, dict[str, bytes]]] = []
        for lang in book.config.languages or [""]:  # a book in several languages: a site for each
            local = clock("localize", localize(book, lang))
            changes = None if old is None or since is None else compare(
                localize(old, lang), local, git.label(root, since), git.label(root, rev), since)
            words = language_words(folder, lang or book.config.lang)
            # charts are drawn as soon as they are made, on workers a long-lived build keeps
            soon = (lambda chart: draw_soon(chart.spec, chart.needs_geo, chart.key, cache)) if static_charts else None
            site = clock("plan", plan_site(local, stamp, changes, cache, lang, words, soon))
            sites.append((site, clock("render", render(site, folder, cache, static_charts, progress))))
        files = merged(sites)
        if not index_later:
            files.update(clock("index", index(sites, files, cache)))
        clock("check", check_output(files, folder, cache))
        if selection.edition is not None:
            leaks = clock("audit", audit(selection, files, search.readable))
            if leaks:
                raise ContentError(leaks)
    if write:
        clock("write", write_site(out, files))
        if not fresh:  # for the next build's check_output_location, in this process
            cache.written[str(out.resolve())] = written_stats(out)

    def index_stage() -> dict[str, bytes]:
        found = index(sites, files, cache)
        leaks = audit(selection, found, search.readable) if selection.edition is not None else []
        if leaks:
            raise ContentError(leaks)
        cache.finish_build()
        return found

    if not index_later:
        cache.finish_build()
    pages = sum(1 for rel in files if rel.endswith(".html"))
    changes = sites[0][0].changes
    result = BuildResult(book, files, pages, warnings, time.perf_counter() - started, stamp, changes, clock.laps,
                         len(files), selection, index_stage if index_later else None)
    if inputs:
        if not cache.resident:  # the resident keeps its cache on disk once its client has the answer
            cache.persist(code_version())
        remember_build(cache, out, inputs, result)
    return result


@dataclass
class PrintResult:
    path: Path
    pages: int
    seconds: float
    warnings: list[Problem] = field(default_factory=list)


def print_book(root: Path, out: Path, *, edition: Optional[str] = None, card: bool = False,
               rev: Optional[str] = None, strict: bool = False, lang: Optional[str] = None) -> PrintResult:
    """Print the book (or one edition, or its one-page card) to a PDF at out, written only when whole.

    lang prints it in one of the book's languages (default: the one it is written in).

    The same stages as a build make the pages; their main text is set on sheets by WeasyPrint.
    The leak audit reads the document the PDF is made from, as it reads a site's files.
    """
    started = time.perf_counter()
    cache = BuildCache(cache_folder(root))
    cache.restore(code_version())
    cache.start_build()
    with book_folder(root, rev) as folder:
        book, warnings = validate_at(load(folder, cache), rev)
        warnings += stale_warnings(book, root)
        if strict:
            refuse_warnings(warnings)
        selection = choose(book, edition)
        book = selection.book
        lang = lang or book.config.lang
        if book.config.languages and lang not in book.config.languages:
            raise BriefingError(f"the book is in {', '.join(book.config.languages)}, not '{lang}'"
                                f"{did_you_mean(lang, book.config.languages)}")
        stamp = git.stamp(root, book.config.version, rev, ())
        words = language_words(folder, lang)
        site = plan_site(localize(book, lang), stamp, None, cache, lang if book.config.languages else "", words)
        files = render(site, folder, cache, True, scripts=False)
        scheme = book.config.scheme
        banner = (scheme.rollup(scheme.parse(p.banner) for p in site.pages).banner if scheme is not None
                  else book.config.classification)
        title = selection.edition.title if selection.edition is not None else ""
        document = (fit_card(site, files, banner, words) if card
                    else pdf.print_html(site, files, title, banner, words.say))
        if selection.edition is not None:
            leaks = audit(selection, {**files, out.name: document.encode("utf-8")})
            if leaks:
                raise ContentError(leaks)
        data, pages = pdf.write_pdf(document, files)
    write_atomic(out, data)
    cache.finish_build()
    cache.persist(code_version())
    return PrintResult(out, pages, time.perf_counter() - started, warnings)


def fit_card(site: SitePlan, files: dict[str, bytes], banner: str, words: Words) -> str:
    """Return the card with as many points and figures as fit on one sheet."""
    for points, facts in ((3, 8), (2, 6), (2, 4), (1, 4), (1, 2), (1, 0)):
        document = pdf.card_html(site, points, facts, banner, words)
        if pdf.page_count(document, files) == 1:
            return document
    raise BriefingError("the card does not fit on one sheet even with one point per paper: "
                        "shorten the objectives or the first points")


def refuse_warnings(warnings: list[Problem]) -> None:
    """Raise every warning as an error (`--strict`)."""
    if warnings:
        raise ContentError([dataclasses.replace(w, severity="error") for w in warnings])


def input_digest(root: Path, out: Path, stamp: git.Stamp, seen: Optional[dict[str, tuple[Any, str]]] = None) -> str:
    """Return a hash of everything a build of root reads: its files, briefing itself, and the stamp.

    seen (the resident's) remembers each file's hash with its `stat_key`, so that a file whose key is
    unchanged is not read again."""
    skip = {".git", "__pycache__", ".venv", "node_modules", CACHE_DIR}
    parts = [code_version(), json.dumps(stamp.as_dict(), sort_keys=True)]
    out_path = out.resolve()
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if d not in skip and (here / d).resolve() != out_path)
        for name in sorted(names):
            path = here / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                parts += [rel, "->", os.readlink(path)]
            elif path.is_file():
                parts += [rel, _file_digest(path, seen)]
    return digest(*parts)


def _file_digest(path: Path, seen: Optional[dict[str, tuple[Any, str]]]) -> str:
    now = stat_key(path)
    known = seen.get(str(path)) if seen is not None else None
    if known is not None and known[0] == now:
        return known[1]
    data = path.read_bytes()
    found = data.hex() if len(data) < 64 else digest(data)
    if seen is not None:
        seen[str(path)] = (now, found)
    return found


def last_build(cache: BuildCache, out: Path, inputs: str) -> Optional[BuildResult]:
    """Return the last build's result if it was of exactly these inputs into out, and out is as it left it."""
    kept = cache.read("build", "last.json")
    manifest_path = out / MANIFEST
    if kept is None or not manifest_path.is_file():
        return None
    try:
        record = json.loads(kept)
        if (record["inputs"], record["out"]) != (inputs, str(out.resolve())):
            return None
        listed = manifest_path.read_bytes()
        if record["manifest"] != hashlib.sha256(listed).hexdigest():
            return None
        for rel, checksum in json.loads(listed)["files"].items():  # every file still there, as written
            path = out / rel
            if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != checksum:
                return None
        warnings = [Problem(**p) for p in record["warnings"]]
        stamp = git.Stamp(**record["stamp"])
        return BuildResult(None, {}, record["pages"], warnings, 0.0, stamp, file_count=record["files"])
    except (ValueError, KeyError, TypeError, OSError):
        return None


def remember_build(cache: BuildCache, out: Path, inputs: str, result: BuildResult) -> None:
    """Note what the build read and wrote, so that the next one can tell whether anything changed."""
    assert result.stamp is not None
    record = {"inputs": inputs, "out": str(out.resolve()), "pages": result.pages, "files": result.file_count,
              "manifest": hashlib.sha256(result.files[MANIFEST]).hexdigest(), "stamp": result.stamp.as_dict(),
              "warnings": [dataclasses.asdict(p) for p in result.warnings]}
    cache.keep("build", "last.json", json.dumps(record, sort_keys=True).encode("utf-8"))


@lru_cache(maxsize=1)
def code_version() -> str:
    """Return a hash of briefing's own code and default theme: what was kept by other code is not reused."""
    parts = []
    for base in (Path(__file__).resolve().parent, theme_dir()):
        for path in sorted(base.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                parts += [path.relative_to(base).as_posix(), digest(path.read_bytes())]
    return digest(*parts)


class Stopwatch:
    """Time each stage: `clock("load", load(...))` notes how long since the last lap, and passes the value on."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def __call__(self, stage: str, value: T) -> T:
        now = time.perf_counter()
        self.laps[stage] = round(self.laps.get(stage, 0.0) + now - self._last, 3)
        self._last = now
        return value


def render(site: SitePlan, root: Path, cache: BuildCache, static_charts: bool,
           progress: Optional[Progress] = None, scripts: bool = True) -> dict[str, bytes]:
    """Render every page, chart and asset of a site plan; return {output path: bytes}.

    Without scripts the charts' JavaScript is left out (paper runs none, and making Vega's bundle
    the first time takes a second).
    """
    files: dict[str, bytes] = {}
    pages: dict[str, bytes] = {}
    charts = site.charts

    def render_the_pages() -> None:
        tick = progress("Rendering pages", len(site.pages)) if progress else None
        pages.update(render_pages(site, root, cache, tick))

    if static_charts and charts:
        tick = progress("Rendering charts", len(charts)) if progress else None
        # while worker processes draw the charts: render the pages, and read them for the check stage
        drawn = render_svgs([(chart.spec, chart.needs_geo, chart.key) for chart in charts], cache, tick,
                            meanwhile=render_the_pages, spare=lambda: read_ahead(pages, cache) if scripts else None)
        for chart, svg in zip(charts, drawn):
            if isinstance(svg, DrawingError):
                if chart.written_at is None:
                    raise svg  # one of the book's own charts: a bug in briefing
                raise ContentError([replace(chart.written_at, message=f"the chart cannot be drawn: {svg}")])
            files[chart.svg_path] = svg
        if scripts:
            files.update({"assets/vendor/vega.js": javascript_bundle(cache),
                          "assets/vendor/vega-interpreter.js": interpreter_script(),
                          "assets/vendor/LICENSES.md": LICENSES.encode("utf-8"),
                          "assets/geo/us-states.js": geo_script()})
    else:
        render_the_pages()
    for chart in charts:
        files.update(chart.data_files())
    files.update(pages)
    files.update(read_assets(root))
    return files


def merged(sites: list[tuple[SitePlan, dict[str, bytes]]]) -> dict[str, bytes]:
    """Return the files of the whole output: one site, or each language's under its own folder."""
    if len(sites) == 1 and not sites[0][0].lang:
        return sites[0][1]
    files = {f"{site.lang}/{rel}": data for site, found in sites for rel, data in found.items()}
    files[urls.HOME] = render_language_choice(sites[0][0], [site.lang for site, _ in sites])
    return files


def index(sites: list[tuple[SitePlan, dict[str, bytes]]], files: dict[str, bytes],
          cache: BuildCache) -> dict[str, bytes]:
    """Return the search index of each site's pages, and the manifest listing every file of the output."""
    found: dict[str, bytes] = {}
    for site, own in sites:
        prefix = f"{site.lang}/" if site.lang else ""
        found.update({prefix + rel: data for rel, data in search.search_files(own, cache).items()})
    config = sites[0][0].book.config
    found[MANIFEST] = manifest({**files, **found}, {"generator": "briefing", "title": config.title,
                                                    "as_of": config.as_of.isoformat(), **site.stamp.as_dict()},
                               cache.checksum)
    return found


def read_ahead(pages: dict[str, bytes], cache: BuildCache) -> None:
    """Do now what the check stage and the search index will do with the rendered pages."""
    scan_ahead(pages, cache)
    search.read_ahead(pages, cache)


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
