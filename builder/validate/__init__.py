"""Validate: documents into typed items, then the checks between files, giving one Book.

All mistakes are collected before anything stops the build, so a writer sees every one
of them in a single run.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Hashable, Iterable, Optional

from ..cache import BuildCache, digest
from ..errors import Problem, Problems
from ..model.base import Model
from ..model.book import Book, InvestmentIndex
from ..model.data import Investment
from ..source import Sources
from ..text.markdown import Converter
from .asof import as_of_problems
from .charts import check_charts
from .markings import marking_problems
from .items import ROWS_PER_BLOCK, Items, origin_key, validate_items
from .references import check_references, check_unique, every_item, id_tables, item_references
from .texts import check_page_bodies, item_texts

PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}
ROWS_PER_CHECK = ROWS_PER_BLOCK  # rows whose checks are kept together, as they are validated together


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
    book = assemble(items, sources.cache)
    problems.extend(check_references(book, items.broken_ids))
    problems.extend(check_items(book, items.broken_ids, sources.cache))
    specs: dict[str, dict[str, Any]] = {}
    problems.extend(check_charts(book, sources, specs, "company:*" in items.broken_ids))
    problems.extend(marking_problems(book, sources.cache))
    problems.raise_if_errors()
    specs = {rel: spec for rel, spec in specs.items() if spec}
    if specs:
        index = book.index
        book = replace(book, specs=dict(sorted(specs.items())))
        book.__dict__["index"] = index
    return book, problems.warnings


def check_items(book: Book, broken_ids: Iterable[str], cache: BuildCache) -> list[Problem]:
    """Check every item's references and texts, reusing the verdict on an item that did not change.

    A verdict is kept by the item's content, where it was read from, and the ids every reference
    may name, so a rebuild after one edit checks only the edited items.
    """
    broken = dict.fromkeys(broken_ids)
    tables = id_tables(book, broken)
    converter = Converter(book.config.markdown.allow_html)
    names = digest(*(f"{kind}:{','.join(sorted(table))}" for kind, table in sorted(tables.items())),
                   *sorted(converter.allow_html), *(s.code for s in book.states_with_data),
                   book.config.as_of.isoformat(), str(book.config.figures.stale_after_years),
                   *book.config.languages,
                   *(f"{f.id}={f.value} {f.unit}" for f in book.facts))  # facts: named by figure warnings
    problems: list[Problem] = []

    def verdict(item: Model) -> list[Problem]:
        return [*item_references(item, tables, broken), *item_texts(book, item, converter, cache.markdown, broken),
                *as_of_problems(book, item)]

    for item in every_item(book, rows=False):
        where = origin_key(item)
        if where is None:
            problems += verdict(item)
            continue
        key = ("checked", item.fingerprint, where, names)
        found = cache.checks.get(key)
        problems += found if found is not None else cache.checks.put(key, verdict(item))

    def checked_rows(rows: tuple[Model, ...]) -> tuple[list[Problem], list[Hashable]]:
        # across command-line builds: by the text and place of each block of rows, in the store kept
        # on disk, so that after editing one row only its block is checked again
        found: list[Problem] = []
        blocks: list[Hashable] = []
        for start in range(0, len(rows), ROWS_PER_CHECK):
            block = rows[start:start + ROWS_PER_CHECK]
            # in memory (`serve`, `--watch`): the block the last build checked here, if it holds the very
            # items (most of them) or items from the same places, is known without hashing it again
            place = ("checked block", type(block[0]).__name__, start, names)
            same: Optional[tuple[tuple[Model, ...], Hashable]] = cache.items.get(place)
            if same is not None and len(same[0]) == len(block) and all(
                    a is b or origin_key(a) == origin_key(b) for a, b in zip(same[0], block)):
                written = same[1]
            else:
                written = ("checked rows", digest(*(repr(origin_key(row)) for row in block)), names)
            cache.items.put(place, (block, written))
            blocks.append(written)
            verdicts = cache.checks.get(written)
            if verdicts is None:
                verdicts = cache.checks.put(written, [p for row in block for p in verdict(row)])
            found += verdicts
        return found, blocks

    for rows in (book.investments, book.state_figures):  # the same tuple while the file is unchanged
        found, blocks = cache.items.made_from(rows, ("checked rows", names), lambda: checked_rows(rows))
        cache.checks.keep_alive(blocks)  # still needed when a later save changes a row
        problems += found
    problems += check_page_bodies(book, converter, cache.markdown, broken)
    return problems


def assemble(items: Items, cache: Optional[BuildCache] = None) -> Book:
    """Put the validated items together as one Book, each kind in reading order.

    The investment records, and the index that adds them up, are kept while their file is
    unchanged, so an edit elsewhere does not sort or index twenty thousand rows again.
    """
    assert items.config is not None
    rows = items.investments
    rate = items.config.currency.jpy_per_usd

    def ordered() -> tuple[tuple[Investment, ...], InvestmentIndex]:
        records = tuple(sorted(rows, key=lambda r: (r.state, r.company, r.id)))
        earlier = cache.items.get(("investment index",)) if cache is not None else None
        return records, InvestmentIndex(records, rate).after(earlier)

    investments, index = ordered() if cache is None else cache.items.made_from(rows, ("investments", rate), ordered)
    if cache is not None:
        cache.items.put(("investment index",), index)  # what the next index, after an edit, takes over from
    book = Book(
        config=items.config,
        issues=tuple(sorted(items.issues, key=lambda i: (PRIORITY_ORDER[i.priority], i.doc_number, i.id))),
        people=tuple(sorted(items.people, key=lambda p: (p.side != "ours", p.name))),
        schedule=items.schedule,
        facts=tuple(items.facts),
        pages=tuple(items.pages),
        investments=investments,
        state_figures=tuple(items.state_figures),
    )
    book.__dict__["index"] = index  # Book.index is a cached property: give it the kept index
    return book

