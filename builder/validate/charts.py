"""Checks on chart blocks: filters that select nothing, and authors' spec files (read once here)."""

from __future__ import annotations

from typing import Any, Callable, Iterator

from ..errors import Problem
from ..model.book import Book
from ..model.charts import ChartBlock
from ..source import Sources
from .references import check_filter
from .specs import SpecError, load_spec


def check_charts(book: Book, sources: Sources, specs: dict[str, dict[str, Any]]) -> Iterator[Problem]:
    """Check every chart block; load each spec file once into specs (by path)."""
    for issue in book.issues:
        for i, block in enumerate(issue.charts):
            def at(*sub: Any, _i: int = i, _issue: Any = issue, **kw: Any) -> Problem:
                return _issue.problem("charts", _i, *sub, **kw)
            yield from _check_block(book, sources, specs, block, at, filters_checked=True)
    for page in book.pages:
        for block in page.charts:
            yield from _check_block(book, sources, specs, block, block.problem, filters_checked=False)


def _check_block(book: Book, sources: Sources, specs: dict[str, dict[str, Any]], block: ChartBlock,
                 at: Callable[..., Problem], filters_checked: bool) -> Iterator[Problem]:
    if block.kind == "vega-lite":
        if block.spec not in specs:
            try:
                specs[block.spec] = load_spec(sources, block.spec)
            except SpecError as exc:
                yield at("spec", message=str(exc))
        return
    if not filters_checked:
        problems = list(check_filter(book, block, ("filter",), block.filter))
        if problems:
            yield from problems
            return
    if not any(block.filter.matches(r) for r in book.investments):
        yield at("filter", severity="warning",
                 message="matches no investment records; the chart will have no data")
