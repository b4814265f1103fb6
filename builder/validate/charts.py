"""Checks on chart blocks: filters that select nothing, and authors' spec files (read once here)."""

from __future__ import annotations

from typing import Any, Callable, Iterator

from ..errors import Problem
from ..model.book import Book
from ..model.charts import ChartBlock
from ..source import Sources
from .references import check_filter
from .specs import SpecError, load_spec, spec_names_itself


def check_charts(book: Book, sources: Sources, specs: dict[str, dict[str, Any]],
                 rows_missing: bool = False) -> Iterator[Problem]:
    """Check every chart block; load each spec file once into specs (by path).

    rows_missing: some investment rows had mistakes, so what a block selects is not known yet."""
    for issue in book.issues:
        for i, block in enumerate(issue.charts):
            def at(*sub: Any, _i: int = i, _issue: Any = issue, **kw: Any) -> Problem:
                return _issue.problem("charts", _i, *sub, **kw)
            yield from _check_block(book, sources, specs, block, at, True, rows_missing)
    for page in book.pages:
        for fence in page.charts:
            if fence is not None:
                yield from _check_block(book, sources, specs, fence, fence.problem, False, rows_missing)


def _check_block(book: Book, sources: Sources, specs: dict[str, dict[str, Any]], block: ChartBlock,
                 at: Callable[..., Problem], filters_checked: bool, rows_missing: bool) -> Iterator[Problem]:
    if block.kind == "vega-lite":
        if block.spec not in specs:
            try:
                specs[block.spec] = load_spec(sources, block.spec)
            except SpecError as exc:
                problem = exc.problem
                # a file that is not there is the block's mistake; anything in the file, the file's
                yield at("spec", message=f"spec file '{block.spec}' {problem.message}") if problem.line == 0 \
                    and problem.path == block.spec else problem
                specs[block.spec] = {}
                return
        if specs[block.spec] and not block.title and not spec_names_itself(specs[block.spec]):
            yield at("spec", severity="warning", message=(
                f"the chart in '{block.spec}' has no description or title, so a reader who cannot see it is "
                "told only what kind of chart it is: add \"description\": \"what it shows\" to the spec"))
        return
    if not filters_checked:
        problems = list(check_filter(book, block, ("filter",), block.filter))
        if problems:
            yield from problems
            return
    if block.metric == "employment":
        if block.kind != "map":
            yield at("metric", message="employment is a figure per state, so only a map can show it: use "
                     "kind: map, or metric: jobs for the jobs of the projects drawn")
        elif not book.jobs_figures:
            yield at("metric", message="no state has a jobs figure in content/data/states.csv, so there is no "
                     "employment to shade states by: use metric: jobs, projects or amount")
    if rows_missing:
        return
    selected = book.index.select(block.filter)  # looked up in the index, not scanned
    if not selected:
        yield at("filter", severity="warning",
                 message="matches no investment records; the chart will have no data")
    elif block.metric == "amount" and block.kind != "map" and all(r.basis != block.basis for r in selected):
        kinds = sorted({r.basis for r in selected if r.basis and r.basis != "not disclosed"})
        yield at("metric", message=(
            f"the records this chart selects have no {block.basis} amount to add up (their amounts are "
            f"{', '.join(kinds) or 'not disclosed'}), and amounts on different bases are never added "
            "together: name the basis to add up (basis: " + (kinds[0] if kinds else "cumulative") +
            "), or use metric: jobs or projects"))
