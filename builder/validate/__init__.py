"""Validate: documents into typed items, then the checks between files, giving one Book.

All mistakes are collected before anything stops the build, so a writer sees every one
of them in a single run.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import Problem, Problems
from ..model.book import Book
from ..source import Sources
from .charts import check_charts
from .items import Items, validate_items
from .references import check_references, check_unique
from .texts import check_texts

PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def validate(sources: Sources) -> tuple[Book, list[Problem]]:
    """Return the book and its warnings; raise ContentError with every mistake found."""
    problems = Problems()
    problems.extend(sources.problems)
    found: list[Problem] = []
    items = validate_items(sources, found)
    problems.extend(found)
    if items.config is None:
        problems.raise_if_errors()
        raise AssertionError("site.yaml did not validate, yet no problem was recorded")
    problems.extend(check_unique(items))
    book = assemble(items)
    problems.extend(check_references(book, items.broken_ids))
    problems.extend(check_texts(book, dict.fromkeys(items.broken_ids), sources.cache.markdown))
    specs: dict[str, dict[str, Any]] = {}
    problems.extend(check_charts(book, sources, specs))
    problems.raise_if_errors()
    return replace(book, specs=dict(sorted(specs.items()))), problems.warnings


def assemble(items: Items) -> Book:
    """Put the validated items together as one Book, each kind in reading order."""
    assert items.config is not None
    return Book(
        config=items.config,
        issues=tuple(sorted(items.issues, key=lambda i: (PRIORITY_ORDER[i.priority], i.doc_number, i.id))),
        people=tuple(sorted(items.people, key=lambda p: (p.side != "ours", p.name))),
        schedule=items.schedule,
        facts=tuple(items.facts),
        pages=tuple(items.pages),
        investments=tuple(sorted(items.investments, key=lambda r: (r.state, r.company, r.id))),
        state_figures=tuple(items.state_figures),
    )

