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
from ..errors import Problem, did_you_mean
from ..model.base import REFERENCE, Model, Text, Translated, strings
from ..model.book import Book
from ..model.content import Fact
from ..source.pages import chart_fences
from ..text.figures import fact_value, option_problem, prose_figures
from ..text.markdown import Converter, Fragment, convert_cached
from .references import reference_problem

_OPENED = re.compile(r"\{(fact|person|issue|state):")


def item_texts(book: Book, item: Model, converter: Converter, store: Store[Any],
               broken: Mapping[str, object]) -> Iterator[Problem]:
    """Report what is wrong in the texts of one item."""
    figures = not isinstance(item, Fact)  # a fact's note speaks of the fact, which has its source
    for value in strings(item):
        role = value.has(Text)
        markdown = role is not None and role.markdown
        texts = [(value.loc, value.value)]
        if isinstance(value.value, Translated):
            yield from _language_problems(book, item, value.loc, value.value)
            texts = [(value.loc + (lang,), text) for lang, text in value.value.texts.items()]
        for loc, text in texts:
            if not markdown and "{" not in text:
                continue  # plain text with no reference in it: nothing to check
            fragment = convert_cached(text, converter, store) if markdown else None
            for offset, column, message, severity in _text_problems(book, text, value.field, fragment,
                                                                    broken, figures):
                yield item.problem(*loc, message=message, text_at=(offset, column), severity=severity)


def _language_problems(book: Book, item: Model, loc: tuple[Any, ...], value: Translated) -> Iterator[Problem]:
    """Report a text given per language in languages the book does not have, or without its own."""
    languages = book.config.languages
    if not languages:
        yield item.problem(*loc, message=(f"text given per language ({', '.join(value.texts)}), but site.yaml "
                                          "lists no `languages:`; add `languages: [en, ja]` (the book's own first)"))
        return
    for lang in value.texts:
        if lang not in languages:
            yield item.problem(*loc, lang, key=True, message=(
                f"'{lang}' is not one of the book's languages ({', '.join(languages)}){did_you_mean(lang, languages)}"))
    if languages[0] not in value.texts:
        yield item.problem(*loc, message=(f"no `{languages[0]}:` text: the book is written in {languages[0]}, and "
                                          "every other language is translated from it"))


def check_page_bodies(book: Book, converter: Converter, store: Store[Any],
                      broken: Mapping[str, object]) -> Iterator[Problem]:
    """Report what is wrong in the Markdown bodies of the free pages."""
    for page in book.pages:
        body = _without_fences(page.body)
        fragment = convert_cached(page.body, converter, store)
        for offset, column, message, severity in _text_problems(book, body, "", fragment, broken):
            yield Problem(page.path, page.body_line + offset, column + 1, "", message, severity)


def _text_problems(book: Book, text: str, field: str, fragment: Optional[Fragment],
                   broken: Mapping[str, object], figures: bool = True) -> Iterator[tuple[int, int, str, str]]:
    """Yield (line offset, column, message, severity) for each problem of one text (fragment: as Markdown)."""
    lines = text.splitlines()
    for line_no, line in enumerate(lines):
        closed = {m.start() for m in REFERENCE.finditer(line)}
        for match in _OPENED.finditer(line):
            if match.start() not in closed:
                yield line_no, match.start(), (f"'{line[match.start():match.start() + 40]}' is not a complete "
                                               f"reference: write {{{match.group(1)}:id}}, with the closing brace"), "error"
        for match in REFERENCE.finditer(line):
            if fragment is None:
                yield line_no, match.start(), (
                    f"{match.group(0)} is not shown as a reference in '{field}', which is plain "
                    "text; write it out, or move it to a field such as background"), "error"
                continue
            if match.group(2) in broken or f"{match.group(1)}:*" in broken:
                continue
            unknown = reference_problem(book, match.group(1), match.group(2))
            if unknown:
                yield line_no, match.start(), unknown, "error"
            elif match.group(3):
                options = tuple(match.group(3).split("|")[1:])
                wrong = (option_problem(book.fact_by_id[match.group(2)].unit, options) if match.group(1) == "fact"
                         else f"only a fact reference takes options such as |bn: {match.group(0)}")
                if wrong:
                    yield line_no, match.start(), wrong, "error"
    if fragment is not None:
        for problem in fragment.problems:
            line_no, column = _find(lines, problem.needle)
            yield line_no, column, problem.message, "error"
        if figures:
            for figure in prose_figures(text):
                yield figure.line, figure.column, _unsourced(book, figure.written, figure.value, figure.kind), "warning"


def _unsourced(book: Book, written: str, value: float, kind: str) -> str:
    """Return the warning for a figure typed into prose, naming a fact that holds it if one does."""
    near = [f.id for f in book.facts if _close(fact_value(f.value, f.unit), value, kind)]
    hint = (f"; fact '{near[0]}' has this value: if it is the same figure, write {{fact:{near[0]}}} "
            "(|bn, |tn or |0 to |3 round it as written)"
            if near else "; add it to content/facts.yaml with its source and date, and write {fact:id} here")
    return f"figure '{written}' is written into the text without a source{hint}"


def _close(fact: tuple[float, str], value: float, kind: str) -> bool:
    amount, fact_kind = fact
    money_or_share = ("USD", "JPY", "EUR", "GBP", "%")
    same = fact_kind == kind or (fact_kind not in money_or_share and kind not in money_or_share)
    return same and amount != 0 and abs(amount - value) <= 0.05 * abs(amount)


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



