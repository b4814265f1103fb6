"""Documents into typed items: site.yaml, papers, people, the programme, facts, pages and tables."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any, Hashable, Optional, TypeVar

from pydantic import ValidationError

from ..cache import Store, digest
from ..errors import Problem, did_you_mean
from ..geo import NATIONWIDE, STATES, in_state, locate
from ..model.base import Model, Origin
from ..model.charts import ChartBlock
from ..model.config import Config
from ..model.content import FactsFile, Issue, Page, PageMeta, PageTranslation, Person, Schedule, TranslationMeta
from ..model.data import Investment, RowOrigin, StateFigure
from ..model.fields import SLUG_PATTERN
from ..model.validate import problems_from, validate
from ..source import (
    CONFIG_FILE,
    FACTS_FILE,
    INVESTMENTS_FILE,
    ISSUES_DIR,
    PEOPLE_DIR,
    STATES_FILE,
    PageSource,
    Sources,
)
from ..source.files import SourceError
from ..source.pages import chart_fences
from ..source.table import Row, RowLocation, Table, cell_starts
from ..source.yaml import Document

M = TypeVar("M", bound=Model)


@dataclass
class Items:
    """Every item that validated on its own, before the checks between files."""

    config: Optional[Config] = None
    issues: list[Issue] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    schedule: Optional[Schedule] = None
    facts: list[Any] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    investments: list[Investment] = field(default_factory=list)
    state_figures: list[StateFigure] = field(default_factory=list)
    # ids of items whose files have mistakes: references to them are not reported as unknown;
    # `fact:*` when a whole file of them could not be read
    broken_ids: set[str] = field(default_factory=set)


def validate_items(sources: Sources, problems: list[Problem]) -> Items:
    """Validate each file on its own; add what is wrong to problems."""
    items = Items()
    items.broken_ids = {PurePosixPath(rel).stem for rel in sources.unreadable
                        if rel.startswith((ISSUES_DIR + "/", PEOPLE_DIR + "/"))}
    if sources.config is not None:
        items.config = _config(sources.config, problems)
    items.issues = _each(sources, sources.issues, Issue, problems, items.broken_ids)
    items.people = _each(sources, sources.people, Person, problems, items.broken_ids)
    if sources.schedule is not None:
        schedule, found = validate(Schedule, sources.schedule.data, sources.schedule)
        problems.extend(found)
        if schedule is not None:
            for i, entry in enumerate(schedule.items):
                entry.located(Origin(sources.schedule, ("items", i)))
            items.schedule = schedule
    if FACTS_FILE in sources.unreadable:
        items.broken_ids.add("fact:*")
    if INVESTMENTS_FILE in sources.unreadable:
        items.broken_ids.add("company:*")
    if sources.facts is not None:
        facts_file, found = validate(FactsFile, sources.facts.data, sources.facts)
        problems.extend(found)
        if facts_file is None:
            items.broken_ids.update(_raw_ids(sources.facts.data, "facts"))
        else:
            for i, fact in enumerate(facts_file.facts):
                fact.located(Origin(sources.facts, ("facts", i)))
            items.facts = list(facts_file.facts)
    written = [p for p in sources.pages if not _TRANSLATED_PAGE.match(PurePosixPath(p.path).name)]
    items.pages = [page for page in (_page(sources, p, problems) for p in written) if page]
    items.pages = _page_translations(sources, items.pages, items.config, problems)
    if INVESTMENTS_FILE in sources.tables:
        before = len(problems)
        items.investments = validate_table(sources, sources.tables[INVESTMENTS_FILE], Investment, problems)
        if any(p.severity == "error" for p in problems[before:]):
            items.broken_ids.add("company:*")  # a row left out may be what a filter or chart selects
    if STATES_FILE in sources.tables:
        items.state_figures = validate_table(sources, sources.tables[STATES_FILE], StateFigure, problems)
    return items


def _config(doc: Document, problems: list[Problem]) -> Optional[Config]:
    if doc.data is None:
        problems.append(Problem(CONFIG_FILE, 1, 1, "", "the file is empty; it needs at least title, "
                                "event, principal, counterpart, as_of, classification, currency "
                                "and sectors"))
        return None
    config, found = validate(Config, doc.data, doc)
    problems.extend(found)
    return config


def _each(sources: Sources, docs: list[Document], model: type[M], problems: list[Problem],
          broken_ids: set[str]) -> list[M]:
    """Validate one item per document, reusing the item of a document read unchanged."""
    items = []
    for doc in docs:
        item, found = sources.cache.items.made_from(doc, ("item", model.__name__),
                                                    lambda: validate(model, doc.data, doc))
        problems.extend(found)
        if item is not None:
            items.append(item)
        else:
            broken_ids.add(PurePosixPath(doc.path).stem)
            if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
                broken_ids.add(doc.data["id"])
    return items


def _raw_ids(data: Any, key: str) -> set[str]:
    """Return the ids written in a list of items that failed validation."""
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return set()
    return {i["id"] for i in entries if isinstance(i, dict) and isinstance(i.get("id"), str)}


def _page(sources: Sources, page: PageSource, problems: list[Problem]) -> Optional[Page]:
    meta, found = validate(PageMeta, page.front.data, page.front)
    problems.extend(found)
    if meta is None:
        return None
    name = PurePosixPath(page.path)
    if not SLUG_PATTERN.match(name.stem):
        problems.append(Problem(page.path, 0, 0, "", f"page file name '{name.name}' must be "
                                "lowercase letters, digits and hyphens"))
        return None
    charts = []
    for fence in chart_fences(page.body):
        try:
            doc = sources.parse(fence.text, page.path, line_offset=page.body_line - 1 + fence.line)
        except SourceError as exc:
            problems.append(exc.problem)
            continue
        problems.extend(doc.problems)
        block, found = validate(ChartBlock, doc.data, doc)
        problems.extend(found)
        if block is not None:
            charts.append(block)
    return Page(name.stem, meta.title, meta.summary, page.body, page.body_line, page.path, meta, tuple(charts))


_TRANSLATED_PAGE = re.compile(r"^(?P<id>[^.]+)\.(?P<lang>[a-z]{2,3})\.md$")


def _page_translations(sources: Sources, pages: list[Page], config: Optional[Config],
                       problems: list[Problem]) -> list[Page]:
    """Give each page its translations, the files `<page>.<lang>.md` beside it."""
    by_id = {page.id: page for page in pages}
    found: dict[str, dict[str, PageTranslation]] = {}
    languages = config.languages if config is not None else []
    for source in sources.pages:
        match = _TRANSLATED_PAGE.match(PurePosixPath(source.path).name)
        if match is None:
            continue
        page_id, lang = match.group("id"), match.group("lang")
        if page_id not in by_id:
            if f"{PurePosixPath(source.path).parent}/{page_id}.md" not in {p.path for p in sources.pages}:
                problems.append(Problem(source.path, 1, 1, "", f"a translation of page '{page_id}', but there is "
                                        f"no {page_id}.md to translate{did_you_mean(page_id, list(by_id))}"))
            continue
        if lang not in languages[1:]:
            listed = ", ".join(languages[1:]) or "none (list them under `languages:` in site.yaml)"
            problems.append(Problem(source.path, 1, 1, "", f"a translation into '{lang}', but the book is "
                                    f"translated into {listed}"))
            continue
        meta, found_problems = validate(TranslationMeta, source.front.data, source.front)
        problems.extend(found_problems)
        if meta is None:
            continue
        page = by_id[page_id]
        if len(chart_fences(source.body)) != len(page.charts):
            problems.append(Problem(source.path, source.body_line, 1, "", (
                f"the translation has {len(chart_fences(source.body))} ```chart fences and {page.path} has "
                f"{len(page.charts)}: a translation shows the same charts, in the same order")))
            continue
        found.setdefault(page_id, {})[lang] = PageTranslation(lang, meta.title, meta.summary, source.body,
                                                              source.body_line, source.path,
                                                              meta.translated_from or None)
    return [replace(page, translations=found[page.id]) if page.id in found else page for page in pages]


def origin_key(item: Model) -> Optional[tuple[Any, ...]]:
    """Return what locates an item's problems: its file's text and its place in it, or its CSV row."""
    origin = item.origin
    if origin is None:
        return None
    doc = origin.doc
    if isinstance(doc, RowLocation):
        return (doc.path, doc.line, doc.raw)
    return (doc.path, getattr(doc, "digest", ""), origin.loc) if getattr(doc, "digest", "") else None


# --- tables ---------------------------------------------------------------------------------

ROWS_PER_BLOCK = 500  # rows validated and kept together: an edited row costs its block


def validate_table(sources: Sources, table: Table, model: type[M], problems: list[Problem]) -> list[M]:
    """Validate every row of a CSV table against model, reusing what was validated from the same text.

    The items of an unchanged file are kept while it lives (`briefing serve`). Between command-line
    builds, each block of rows is kept by its text and place, as its items' fields, so that after
    editing one row only that row's block is validated again.
    """
    def validated() -> tuple[list[M], list[Problem], list[Hashable]]:
        found: list[Problem] = []
        blocks: list[Hashable] = []
        return _validate_rows(table, model, found, sources.cache.rows, sources.cache.row_items, blocks), found, blocks

    rows, found, blocks = sources.cache.items.made_from(table, ("rows", model.__name__), validated)
    for store in (sources.cache.rows, sources.cache.row_items):  # still needed when a later save changes a row
        store.keep_alive(blocks)
    problems.extend(found)
    return rows


Checked = tuple[Optional[dict[str, Any]], Any]
"""One row as validated: (its item's fields, the fields it set), or (None, its problems)."""


def _validate_rows(table: Table, model: type[M], problems: list[Problem], kept: Store[Any],
                   built: Store[Any], blocks: list[Hashable]) -> list[M]:
    """Validate a table's rows block by block. A block is taken from `built` (its items, in memory while
    a server runs) or else from `kept` (its items' fields, kept between command-line builds)."""
    if not _check_header(table, model, problems):
        return []
    problems.extend(table.row_problems)
    # the item of each row the last build of this table made, by the row: a row the parse took over
    # (see parse_csv) keeps its item, so an edit of one row makes one item, not a block of them
    mapped = ("items by row", table.path, model.__name__)
    before: dict[int, tuple[Row, M]] = built.get(mapped) or {}
    by_row: dict[int, tuple[Row, M]] = {}
    rows: list[M] = []
    for start in range(0, len(table.rows), ROWS_PER_BLOCK):
        block = table.rows[start:start + ROWS_PER_BLOCK]
        key = (model.__name__, digest(table.path, *table.header, *(row.text for row in block)))
        blocks.append(key)
        ready: Optional[tuple[list[M], list[Problem], dict[int, tuple[Row, M]]]] = built.get(key)
        if ready is not None:
            rows.extend(ready[0])
            problems.extend(ready[1])
            by_row.update(ready[2])
            continue
        first_row, first_problem = len(rows), len(problems)
        checked: Optional[tuple[Checked, ...]] = kept.get(key)
        taken = [was[1] if (was := before.get(id(row))) is not None and was[0] is row else None for row in block]
        validated: list[Any] = list(taken)  # the items taken over or just validated, or their problems
        if checked is None:
            validated = [item if item is not None else _validate_row(row, model) for row, item in zip(block, taken)]
            checked = kept.put(key, tuple((dict(item.__dict__), set(item.model_fields_set)) if isinstance(item, Model)
                                          else (None, item) for item in validated))
        mine: dict[int, tuple[Row, M]] = {}
        for row, (fields, made), item, same in zip(block, checked, validated, taken):
            if fields is None:
                problems.extend(made)
                continue
            if same is None:
                if item is None:
                    item = model.restored(fields, made)  # validated when the block was kept
                item.located(RowOrigin(row.location))
                # what a row holds follows from its cells: hashing them is cheaper than writing the item out
                item._fingerprint = hashlib.sha256("\x1f".join(
                    [model.__name__, *(f"{name}\x1e{text}" for name, text in row.values.items())]).encode("utf-8")).hexdigest()
            rows.append(item)
            mine[id(row)] = (row, item)
        built.put(key, (rows[first_row:], problems[first_problem:], mine))
        by_row.update(mine)
    built.put(mapped, by_row)
    blocks.append(mapped)
    return rows


def _validate_row(row: Row, model: type[M]) -> Any:
    """Return the row's item, or the list of its problems."""
    try:
        item = model.model_validate(row.values)
    except ValidationError as exc:
        return _located(exc, model, row.location)
    item.located(RowOrigin(row.location))
    if isinstance(item, Investment):
        problem = check_coordinates(item)
        if problem:
            return [problem]
    return item


def _located(exc: ValidationError, model: type[Model], where: Any) -> list[Problem]:
    out = []
    for problem in problems_from(exc, model, where):
        name = problem.field.split(".")[0].split("[")[0]
        line, column = where.where((name,))
        out.append(Problem(where.path, line, column, name, problem.message))
    return out


def _check_header(table: Table, model: type[Model], problems: list[Problem]) -> bool:
    known = list(model.model_fields)
    required = [n for n, f in model.model_fields.items() if f.is_required()]
    ok = True
    header = table.header
    starts = cell_starts(",".join(header))
    for i, name in enumerate(header):
        if name not in known:
            problems.append(Problem(table.path, 1, starts[i] + 1, name,
                                    f"unknown column{did_you_mean(name, known)}"))
            ok = False
        elif header.index(name) != i:
            problems.append(Problem(table.path, 1, starts[i] + 1, name, "column appears twice"))
            ok = False
    missing = [n for n in required if n not in header]
    if missing:
        problems.append(Problem(table.path, 1, 1, "", "missing required column(s): " + ", ".join(missing)))
        ok = False
    return ok


def check_coordinates(record: Investment) -> Optional[Problem]:
    """Return a problem if a project's coordinates are half given or lie outside its state."""
    lat, lon = record.latitude, record.longitude
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        missing = "latitude" if lat is None else "longitude"
        return record.problem(missing, message="give both latitude and longitude, or neither")
    found = locate(lat, lon)
    if record.state == NATIONWIDE:
        if found is None:
            return record.problem("latitude", message=f"({lat}, {lon}) lies outside the United States")
        return None
    if in_state(record.state, lat, lon):
        return None
    where = f"it is in {STATES[found].name}" if found else "it is outside the United States"
    return record.problem("latitude", message=(
        f"({lat}, {lon}) lies outside {STATES[record.state].name}, the row's state; {where}. "
        "Check the sign of the longitude and the order of latitude and longitude"))
