"""The book's as-of date, held: nothing in it dated after that day, and old facts marked.

A book dated 5 February knows nothing published on the 6th. Every date a model declares
`Dated` (a fact's as-of, a source's publication date, a record's status date) is compared
with the book's `as_of`; only the book's own proposals (`basis: proposal`) may look ahead.
A fact older than `figures.stale_after_years` before the book is "dated": a warning here,
and a mark on every page that shows it, unless `dated_because` says why it is still the
figure to use.
"""

from __future__ import annotations

from datetime import date
from typing import Iterator

from ..errors import Problem
from ..model.base import Dated, Model, values_with
from ..model.book import Book
from ..model.content import Fact
from ..text.figures import format_date


def as_of_problems(book: Book, item: Model) -> Iterator[Problem]:
    """Report the dates in one item that the book's as-of date does not allow."""
    if getattr(item, "proposal", False):
        return
    as_of = book.config.as_of
    limit = as_of.isoformat()
    for value, role in values_with(item, Dated):
        if value.value is None:
            continue
        written = value.value.isoformat() if isinstance(value.value, date) else str(value.value)
        # an ISO date, or a year or month, compares as text: `2025-02` is not after 2025-02-05, `2025-03` is
        if written > limit:
            yield item.problem(*value.loc, message=(
                f"{role.what} {written} is after the book's as-of date ({format_date(as_of)}): the book "
                "cannot know it. Use what was known by then, change the book's as_of, or, for the book's own "
                "proposal, mark it basis: proposal"))
    if isinstance(item, Fact) and book.dated(item) and not item.dated_because:
        years = book.config.figures.stale_after_years
        yield item.problem("as_of", severity="warning", message=(
            f"as of {item.as_of} is more than {years:g} years before the book's as-of date "
            f"({format_date(as_of)}): find a newer figure, or say in dated_because why this one is still "
            "the one to use. Pages mark it 'dated'"))
