"""Checks on the book's texts: references inside Markdown, references in plain text, and safety.

Every Markdown value (a field whose type is `Markdown`, and every page body) is converted
once here, as every page will show it, and what it may not contain (raw HTML, attributes
that run or load something, links and images outside the rules) is reported where it
was written.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping, Optional

from ..cache import Store
from ..errors import Problem
from ..model.base import REFERENCE, Model, Text, strings
from ..model.book import Book
from ..source.pages import chart_fences
from ..text.markdown import Converter, Fragment, convert_cached
from .references import reference_problem

_OPENED = re.compile(r"\{(fact|person|issue|state):")


def item_texts(book: Book, item: Model, converter: Converter, store: Store[Any],
               broken: Mapping[str, object]) -> Iterator[Problem]:
    """Report what is wrong in the texts of one item."""
    for value in strings(item):
        role = value.has(Text)
        markdown = isinstance(role, Text) and role.markdown
        if not markdown and "{" not in value.value:
            continue  # plain text with no reference in it: nothing to check
        fragment = convert_cached(value.value, converter, store) if markdown else None
        for offset, column, message in _text_problems(book, value.value, value.field, fragment, broken):
            yield item.problem(*value.loc, message=message, text_at=(offset, column))


def check_page_bodies(book: Book, converter: Converter, store: Store[Any],
                      broken: Mapping[str, object]) -> Iterator[Problem]:
    """Report what is wrong in the Markdown bodies of the free pages."""
    for page in book.pages:
        body = _without_fences(page.body)
        fragment = convert_cached(page.body, converter, store)
        for offset, column, message in _text_problems(book, body, "", fragment, broken):
            yield Problem(page.path, page.body_line + offset, column + 1, "", message)


def _text_problems(book: Book, text: str, field: str, fragment: Optional[Fragment],
                   broken: Mapping[str, object]) -> Iterator[tuple[int, int, str]]:
    """Yield (line offset, column, message) for each problem of one text (fragment: as Markdown)."""
    lines = text.splitlines()
    for line_no, line in enumerate(lines):
        closed = {m.start() for m in REFERENCE.finditer(line)}
        for match in _OPENED.finditer(line):
            if match.start() not in closed:
                yield line_no, match.start(), (f"'{line[match.start():match.start() + 40]}' is not a complete "
                                               f"reference: write {{{match.group(1)}:id}}, with the closing brace")
        for match in REFERENCE.finditer(line):
            if fragment is None:
                yield line_no, match.start(), (
                    f"{match.group(0)} is not shown as a reference in '{field}', which is plain "
                    "text; write it out, or move it to a field such as background")
                continue
            if match.group(2) in broken or f"{match.group(1)}:*" in broken:
                continue
            unknown = reference_problem(book, match.group(1), match.group(2))
            if unknown:
                yield line_no, match.start(), unknown
    if fragment is not None:
        for problem in fragment.problems:
            line_no, column = _find(lines, problem.needle)
            yield line_no, column, problem.message


def _find(lines: list[str], needle: str) -> tuple[int, int]:
    """Return where needle is first written in a text's lines, or its start."""
    for line_no, line in enumerate(lines):
        at = line.find(needle) if needle else -1
        if at >= 0:
            return line_no, at
    for line_no, line in enumerate(lines):  # written with entities or escapes: find it case-blind
        at = line.lower().find(needle.lower()[:12]) if needle else -1
        if at >= 0:
            return line_no, at
    return 0, 0


def _without_fences(body: str) -> str:
    """Blank out a page's ```chart fences (they are items of their own), keeping line numbers."""
    for fence in chart_fences(body):
        body = body[:fence.start] + re.sub(r"[^\n]", " ", body[fence.start:fence.end]) + body[fence.end:]
    return body



