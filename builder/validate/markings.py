"""Checks on markings: every marking known to the scheme, none above the book's ceiling, no item
marked lower than an entry inside it, every item marked where the site requires it, and editions
that name known markings, statuses and sections."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Optional

from ..cache import BuildCache
from ..errors import Problem, did_you_mean
from ..model.base import Model, values
from ..model.book import Book
from ..model.data import Investment, StateFigure
from ..model.markings import Marking, Scheme
from .items import origin_key
from .references import every_item


def _marked_entries(item: Model) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Yield (where, marking text) for each entry inside an item that carries its own marking."""
    if isinstance(item, (Investment, StateFigure)):
        return  # a row is marked as a whole
    for value in values(item):
        if value.loc and value.loc[-1] == "marking":
            if len(value.loc) > 1 and value.value:
                yield value.loc, str(value.value)
        elif getattr(value.value, "marking", ""):
            yield value.loc + ("marking",), value.value.marking


NO_SCHEME = ("the book declares no marking scheme: add `markings: {scheme: government}` (or tlp, or your "
             "own levels) to site.yaml")


def marking_problems(book: Book, cache: Optional[BuildCache] = None) -> Iterator[Problem]:
    """Report every marking mistake, located.

    cache keeps each item's verdict by its content, its place and the book's marking settings, and
    the rows' verdicts while their file is unchanged: a rebuild after one edit walks only the edited item.
    """
    def marked_entries(item: Model) -> Iterable[tuple[tuple[Any, ...], str]]:
        if cache is None or isinstance(item, (Investment, StateFigure)):
            return _marked_entries(item)
        return cache.checks.get_or_make(("marked", item.fingerprint), lambda: tuple(_marked_entries(item)))

    config = book.config
    scheme = config.scheme
    settings = config.markings
    ceiling = None
    if scheme is not None:
        assert settings is not None
        ceiling = _parse(scheme, settings.ceiling, config, ("markings", "ceiling"), []) if settings.ceiling else None

    def problems_of(item: Model) -> list[Problem]:
        found: list[Problem] = []
        own_text = getattr(item, "marking", None)
        if scheme is None:  # any marking at all is a mistake
            if own_text:
                found.append(item.problem("marking", message=NO_SCHEME))
            return found + [item.problem(*loc, message=NO_SCHEME) for loc, _ in marked_entries(item)]
        assert settings is not None
        own = _parse(scheme, own_text, item, ("marking",), found) if own_text else None
        if own_text is not None and not own_text and settings.require:
            found.append(item.problem("marking", message="needs a marking: the site requires every item to "
                                      "carry its own (markings: require: true)"))
        if own is not None and ceiling is not None and own.level > ceiling.level:
            found.append(item.problem("marking", message=f"{own.banner} is above the book's ceiling, "
                                      f"{ceiling.banner}"))
        for loc, text in marked_entries(item):
            entry = _parse(scheme, text, item, loc, found)
            if entry is None:
                continue
            if ceiling is not None and entry.level > ceiling.level:
                found.append(item.problem(*loc, message=f"{entry.banner} is above the book's ceiling, "
                                          f"{ceiling.banner}"))
            if own is not None and entry.level > own.level:
                found.append(item.problem(*loc, message=(
                    f"{entry.banner} is above the {own.banner} of the item that holds it: mark the item "
                    f"{entry.level.name} too, or this entry lower")))
        return found

    for item in every_item(book, rows=False):
        where = origin_key(item)
        if cache is None or where is None:
            yield from problems_of(item)
        else:
            yield from cache.checks.get_or_make(("marking problems", item.fingerprint, where, repr(settings)),
                                                lambda: problems_of(item))
    for rows in (book.investments, book.state_figures):
        if cache is None:
            yield from (p for row in rows for p in problems_of(row))
            continue
        # the same tuple while its file is unchanged
        yield from cache.items.made_from(rows, ("marked rows", repr(settings)),
                                         lambda: [p for row in rows for p in problems_of(row)])
    if scheme is not None:
        yield from edition_problems(book, scheme)


def edition_problems(book: Book, scheme: Scheme) -> Iterator[Problem]:
    config = book.config
    names: set[str] = set()
    sections = set(config.nav)
    for i, edition in enumerate(config.editions):
        if edition.name in names:
            yield config.problem("editions", i, "name", message=f"a second edition named '{edition.name}'")
        names.add(edition.name)
        problems: list[Problem] = []
        _parse(scheme, edition.ceiling, config, ("editions", i, "ceiling"), problems)
        yield from problems
        for j, country in enumerate(edition.release_to):
            if not (len(country) == 3 and country.isalpha() and country.isupper()):
                yield config.problem("editions", i, "release_to", j, message=(
                    f"'{country}' is not a country code: write three capital letters, as in USA or JPN"))
        for j, section in enumerate(edition.sections):
            if section not in sections:
                yield config.problem("editions", i, "sections", j, message=(
                    f"'{section}' is not a section of this book's nav ({', '.join(config.nav)})"
                    f"{did_you_mean(section, sections)}"))


def _parse(scheme: Scheme, text: str, item: Model, loc: tuple[Any, ...], found: list[Problem]) -> Optional[Marking]:
    try:
        return scheme.parse(text)
    except ValueError as exc:
        found.append(item.problem(*loc, message=str(exc)))
        return None
