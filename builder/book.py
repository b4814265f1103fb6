"""The Book: every validated part of a briefing, cross-checked and ready to render.

`assemble_book` is the single place between validation and rendering; a
filter over the whole book (an edition, a marking ceiling) belongs here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterable, Iterator, Optional

from .config import SECTIONS, Config
from .content import Content, Fact, Issue, Page, Person, Schedule
from .data import Data, Investment, StateFigure
from .errors import Problem, did_you_mean
from .geo import NATIONWIDE, STATES, State
from .markup import MARKUP_FIELDS, REFERENCE
from .schema import Model

PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Book:
    """A whole briefing book."""

    config: Config
    issues: tuple[Issue, ...]
    people: tuple[Person, ...]
    schedule: Optional[Schedule]
    facts: tuple[Fact, ...]
    pages: tuple[Page, ...]
    investments: tuple[Investment, ...]
    state_figures: tuple[StateFigure, ...]

    @cached_property
    def issue_by_id(self) -> dict[str, Issue]:
        return {i.id: i for i in self.issues}

    @cached_property
    def person_by_id(self) -> dict[str, Person]:
        return {p.id: p for p in self.people}

    @cached_property
    def fact_by_id(self) -> dict[str, Fact]:
        return {f.id: f for f in self.facts}

    @cached_property
    def page_by_id(self) -> dict[str, Page]:
        return {p.id: p for p in self.pages}

    @cached_property
    def reference_key(self) -> str:
        """Return a hash of everything a `{kind:id}` reference can show."""
        parts = [self.config.currency.model_dump(mode="json"),
                 [f.model_dump(mode="json") for f in self.facts],
                 [(p.id, p.name) for p in self.people], [(i.id, i.title) for i in self.issues],
                 [s.code for s in self.states_with_data]]
        body = json.dumps(parts, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    @property
    def principal(self) -> Person:
        return self.person_by_id[self.config.principal]

    @property
    def counterpart(self) -> Person:
        return self.person_by_id[self.config.counterpart]

    def investments_for(self, flt) -> list[Investment]:
        """Return the investment records an issue's or chart's filter selects."""
        if flt is None:
            return []
        return [r for r in self.investments if flt.matches(r)]

    @cached_property
    def states_with_data(self) -> list[State]:
        """Return the states that have any project or state-level figure, by name."""
        codes = {r.state for r in self.investments} | {f.state for f in self.state_figures}
        return sorted((STATES[c] for c in codes if c in STATES), key=lambda s: s.name)

    def issues_citing_person(self, person_id: str) -> list[Issue]:
        return [i for i in self.issues if person_id in i.related_people]


def assemble_book(config: Config, content: Content, data: Data) -> tuple[Book, list[Problem]]:
    """Cross-check the loaded parts and put them together as one Book.

    Items whose own files had mistakes are missing here; references to their
    ids (content.broken_ids) are not reported again as unknown.
    """
    problems = list(check_unique(content, data))
    issues = sorted(content.issues, key=lambda i: (PRIORITY_ORDER[i.priority], i.doc_number, i.id))
    book = Book(
        config=config,
        issues=tuple(issues),
        people=tuple(sorted(content.people, key=lambda p: (p.side != "ours", p.name))),
        schedule=content.schedule,
        facts=tuple(content.facts),
        pages=tuple(content.pages),
        investments=tuple(sorted(data.investments, key=lambda r: (r.state, r.company, r.id))),
        state_figures=tuple(data.state_figures),
    )
    problems.extend(p for p in check_references(book, content.broken_ids))
    return book, problems


def check_unique(content: Content, data: Data) -> Iterator[Problem]:
    """Report ids used twice within one kind of item."""
    for kind, items in (("issue", content.issues), ("person", content.people),
                        ("fact", content.facts), ("investment", data.investments),
                        ("programme item", content.schedule.items if content.schedule else [])):
        seen: dict[str, Model] = {}
        for item in items:
            if item.id in seen:
                first = seen[item.id].problem("id", message="")
                yield item.problem("id", message=f"duplicate {kind} id '{item.id}' "
                                   f"(first used at {first.path}:{first.line})")
            else:
                seen[item.id] = item


def _unknown(item: Model, loc: tuple, kind: str, value: str, known: Iterable[str]) -> Problem:
    return item.problem(*loc, message=f"unknown {kind} '{value}'{did_you_mean(value, known)}")


def check_references(book: Book, broken_ids: Iterable[str] = ()) -> Iterator[Problem]:
    """Report every reference to a person, fact, issue, sector or state that does not exist."""
    broken = dict.fromkeys(broken_ids)
    people = {**book.person_by_id, **broken}
    facts = {**book.fact_by_id, **broken}
    issues = {**book.issue_by_id, **broken}
    config = book.config
    sectors = [s.id for s in config.sectors]

    for field in ("principal", "counterpart"):
        value = getattr(config, field)
        if value not in people:
            yield _unknown(config, (field,), "person", value, people)
    for i, entry in enumerate(config.nav):
        if entry not in SECTIONS and not (entry.startswith("pages/") and entry[6:] in book.page_by_id):
            choices = list(SECTIONS) + [f"pages/{p}" for p in book.page_by_id]
            yield config.problem("nav", i, message=f"unknown section '{entry}'{did_you_mean(entry, choices)}")

    for issue in book.issues:
        for field, table, kind in (("related_people", people, "person"),
                                   ("related_facts", facts, "fact"),
                                   ("related_issues", issues, "issue")):
            for i, value in enumerate(getattr(issue, field)):
                if value not in table:
                    yield _unknown(issue, (field, i), kind, value, table)
        filters = [(("investments",), issue.investments)] if issue.investments else []
        filters += [(("charts", i, "filter"), c.filter) for i, c in enumerate(issue.charts)]
        for loc, flt in filters:
            yield from check_filter(book, issue, loc, flt, sectors)

    for item in (config, *book.issues, *book.people, *book.facts,
                 *(book.schedule.items if book.schedule else ())):
        yield from check_text_references(book, item, iter_texts(item), broken)
    if book.schedule:
        yield from check_text_references(book, book.schedule, [(("notes",), book.schedule.notes)], broken)

    if book.schedule:
        for item in book.schedule.items:
            for i, value in enumerate(item.participants):
                if value not in people:
                    yield _unknown(item, ("participants", i), "person", value, people)
            for i, value in enumerate(item.briefs):
                if value not in issues:
                    yield _unknown(item, ("briefs", i), "issue", value, issues)

    for record in book.investments:
        if record.sector not in sectors:
            yield record.problem("sector", message=f"unknown sector '{record.sector}'; "
                                 f"site.yaml lists {', '.join(sectors)}{did_you_mean(record.sector, sectors)}")

    for page in book.pages:
        yield from _check_page_references(book, page, broken)


def check_filter(book: Book, item: Model, loc: tuple, flt, sectors: list[str]) -> Iterator[Problem]:
    for i, value in enumerate(flt.sector):
        if value not in sectors:
            yield _unknown(item, loc + ("sector", i), "sector", value, sectors)
    for i, value in enumerate(flt.state):
        if value not in STATES and value != NATIONWIDE:
            yield _unknown(item, loc + ("state", i), "state code", value, STATES)
    from .data import STATUSES
    for i, value in enumerate(flt.status):
        if value not in STATUSES:
            yield _unknown(item, loc + ("status", i), "status", value, STATUSES)
    companies = {r.company for r in book.investments}
    for i, value in enumerate(flt.company):
        if not any(value.lower() in c.lower() for c in companies):
            yield _unknown(item, loc + ("company", i), "company", value, companies)


def iter_texts(value: Any, loc: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Yield (path, text) for every piece of text inside a model, however deeply nested."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from iter_texts(item, loc + (i,))
    elif isinstance(value, Model):
        for name, info in type(value).model_fields.items():
            yield from iter_texts(getattr(value, name), loc + (info.alias or name,))


def check_text_references(book: Book, item: Model, texts, broken=()) -> Iterator[Problem]:
    """Report `{fact:…}`, `{person:…}` and `{issue:…}` references to unknown ids."""
    for loc, text in texts:
        field = next((part for part in reversed(loc) if isinstance(part, str)), "")
        for line_no, line in enumerate(text.splitlines()):
            for match in REFERENCE.finditer(line):
                if field not in MARKUP_FIELDS:
                    yield item.problem(*loc, text_at=(line_no, match.start()), message=(
                        f"{match.group(0)} is not shown as a reference in '{field}', which is plain "
                        "text; write it out, or move it to a field such as background"))
                    continue
                if match.group(2) in broken:
                    continue
                problem = _reference_problem(book, match.group(1), match.group(2))
                if problem:
                    yield item.problem(*loc, message=problem, text_at=(line_no, match.start()))


def _reference_problem(book: Book, kind: str, ref: str) -> Optional[str]:
    tables = {"fact": book.fact_by_id, "person": book.person_by_id, "issue": book.issue_by_id,
              "state": STATES}
    table = tables[kind]
    if ref not in table:
        return f"unknown {kind} '{ref}' in {{{kind}:{ref}}}{did_you_mean(ref, table)}"
    return None


def _check_page_references(book: Book, page: Page, broken=()) -> Iterator[Problem]:
    if page.meta is not None:
        yield from check_text_references(book, page.meta, [(("summary",), page.summary)], broken)
    for offset, line in enumerate(page.body.splitlines()):
        for match in REFERENCE.finditer(line):
            if match.group(2) in broken:
                continue
            problem = _reference_problem(book, match.group(1), match.group(2))
            if problem:
                yield Problem(page.path, page.body_line + offset, match.start() + 1, "", problem)
