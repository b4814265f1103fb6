"""Checks between files: ids used twice, and every reference to an id that does not exist.

References written inside texts (`{fact:id}`) are checked with the texts (`texts.py`).

Which values are references, and which texts are Markdown, is read from the roles the
models declare on their fields (`model.base`): nothing here lists field names.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping, Optional

from ..errors import Problem, did_you_mean
from ..geo import NATIONWIDE, STATES
from ..model.base import Model, Reference, strings
from ..model.book import Book
from ..model.charts import InvestmentFilter
from ..model.config import SECTIONS
from ..model.data import STATUSES
from .items import Items

def check_unique(items: Items) -> Iterator[Problem]:
    """Report ids used twice within one kind of item."""
    for kind, entries in (("issue", items.issues), ("person", items.people),
                          ("fact", items.facts), ("investment", items.investments),
                          ("programme item", items.schedule.items if items.schedule else [])):
        seen: dict[str, Model] = {}
        for item in entries:
            if item.id in seen:
                first = seen[item.id].problem("id", message="")
                yield item.problem("id", message=f"duplicate {kind} id '{item.id}' "
                                   f"(first used at {first.path}:{first.line})")
            else:
                seen[item.id] = item


def every_item(book: Book, rows: bool = True) -> Iterator[Model]:
    """Yield every validated item of the book that came from a file (rows: with the CSV rows)."""
    yield book.config
    yield from book.issues
    yield from book.people
    if book.schedule:
        yield book.schedule
    yield from book.facts
    for page in book.pages:
        if page.meta is not None:
            yield page.meta
        yield from (c for c in page.charts if c is not None)
    if rows:
        yield from book.investments
        yield from book.state_figures


def id_tables(book: Book, broken: Mapping[str, object]) -> dict[str, Mapping[str, object]]:
    """Return, for each kind of reference, the ids it may name (those of broken items included)."""
    return {"person": {**book.person_by_id, **broken}, "fact": {**book.fact_by_id, **broken},
            "issue": {**book.issue_by_id, **broken}, "sector": {s.id: s for s in book.config.sectors}}


def item_references(item: Model, tables: Mapping[str, Mapping[str, object]],
                    broken: Mapping[str, object]) -> Iterator[Problem]:
    """Report the references in one item's fields to ids that do not exist."""
    for value in strings(item):
        reference = value.has(Reference)
        if (isinstance(reference, Reference) and value.value not in tables[reference.kind]
                and f"{reference.kind}:*" not in broken):
            yield _unknown(item, value.loc, reference.kind, value.value, tables[reference.kind])


def check_references(book: Book, broken_ids: Iterable[str] = ()) -> Iterator[Problem]:
    """Report the navigation's unknown entries and filters that could never match (items: see item_references)."""
    broken = dict.fromkeys(broken_ids)
    yield from _check_nav(book)
    for issue in book.issues:
        filters: list[tuple[tuple[Any, ...], InvestmentFilter]] = []
        if issue.investments:
            filters.append((("investments",), issue.investments))
        filters += [(("charts", i, "filter"), c.filter) for i, c in enumerate(issue.charts)]
        for loc, flt in filters:
            yield from check_filter(book, issue, loc, flt, broken)


def _unknown(item: Model, loc: tuple, kind: str, value: str, known: Iterable[str]) -> Problem:
    if kind == "sector":
        return item.problem(*loc, message=f"unknown sector '{value}'; site.yaml lists "
                            f"{', '.join(known)}{did_you_mean(value, known)}")
    return item.problem(*loc, message=f"unknown {kind} '{value}'{did_you_mean(value, known)}")


def _check_nav(book: Book) -> Iterator[Problem]:
    for i, entry in enumerate(book.config.nav):
        if entry not in SECTIONS and not (entry.startswith("pages/") and entry[6:] in book.page_by_id):
            choices = list(SECTIONS) + [f"pages/{p}" for p in book.page_by_id]
            yield book.config.problem("nav", i, message=f"unknown section '{entry}'{did_you_mean(entry, choices)}")


def check_filter(book: Book, item: Model, loc: tuple, flt: InvestmentFilter,
                 broken: Iterable[str] = ()) -> Iterator[Problem]:
    """Report filter values that could never match: unknown states, statuses and companies."""
    for i, value in enumerate(flt.state):
        if value not in STATES and value != NATIONWIDE:
            yield _unknown(item, loc + ("state", i), "state code", value, STATES)
    for i, value in enumerate(flt.status):
        if value not in STATUSES:
            yield _unknown(item, loc + ("status", i), "status", value, STATUSES)
    companies = book.index.companies
    for i, value in enumerate(flt.company if "company:*" not in broken else []):
        if not any(value.lower() in c.lower() for c in companies):
            yield _unknown(item, loc + ("company", i), "company", value, companies)


def reference_problem(book: Book, kind: str, ref: str) -> Optional[str]:
    """Return why `{kind:ref}` names nothing in the book, or None."""
    tables: dict[str, Mapping[str, object]] = {
        "fact": book.fact_by_id, "person": book.person_by_id, "issue": book.issue_by_id, "state": STATES}
    table = tables[kind]
    if ref not in table:
        return f"unknown {kind} '{ref}' in {{{kind}:{ref}}}{did_you_mean(ref, table)}"
    return None
