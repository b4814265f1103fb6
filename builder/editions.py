"""Select: the part of the book one edition shows.

Every stage after this one reads only the book it returns, so content an edition leaves
out cannot reach its pages, charts, data or files in any form.
"""

from __future__ import annotations

from typing import Optional

from .model.book import Book


def select(book: Book, edition: Optional[str] = None) -> Book:
    """Return the book as the named edition shows it (the whole book: editions are not declared yet)."""
    return book
