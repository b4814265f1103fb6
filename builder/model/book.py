"""The Book: every validated part of a briefing, cross-checked and ready to plan and render.

Everything after the validate stage reads the book, and only the book: an edition is
made by handing the later stages a smaller book (`editions.select`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterable, Optional

from ..geo import STATES, State
from .charts import InvestmentFilter
from .config import Config
from .content import Fact, Issue, Page, Person, Schedule
from .data import Investment, StateFigure


@dataclass(frozen=True)
class Totals:
    """Investment records added up: how many, the disclosed amounts in US$ m, and the jobs."""

    records: tuple[Investment, ...]
    amount: Optional[float]  # None when no record discloses an amount
    jobs: Optional[int]  # None when no record gives jobs

    @property
    def projects(self) -> int:
        return len(self.records)

    @property
    def sources(self) -> list[str]:
        return sorted({r.source_name for r in self.records})


@dataclass(frozen=True)
class InvestmentIndex:
    """The investment records, added up once by state, sector and year for charts and tables alike."""

    records: tuple[Investment, ...]
    jpy_per_usd: float

    def usd(self, record: Investment) -> Optional[float]:
        """Return a record's amount in millions of US dollars, converting yen at the book's rate."""
        if record.amount is None:
            return None
        if record.currency == "JPY":
            return record.amount / self.jpy_per_usd
        return record.amount

    def totals(self, records: Iterable[Investment]) -> Totals:
        """Add up some records."""
        records = tuple(records)
        amounts = [a for a in (self.usd(r) for r in records) if a is not None]
        jobs = [r.jobs for r in records if r.jobs is not None]
        return Totals(records, round(sum(amounts), 2) if amounts else None, sum(jobs) if jobs else None)

    def group(self, records: Iterable[Investment], key: Callable[[Investment], str]) -> dict[str, Totals]:
        """Add up records by a key, in the order of the keys."""
        groups: dict[str, list[Investment]] = {}
        for record in records:
            groups.setdefault(key(record), []).append(record)
        return {name: self.totals(mine) for name, mine in sorted(groups.items())}

    @cached_property
    def by_state(self) -> dict[str, Totals]:
        return self.group(self.records, lambda r: r.state)

    def in_state(self, code: str) -> tuple[Investment, ...]:
        totals = self.by_state.get(code)
        return totals.records if totals else ()


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
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)  # authors' Vega-Lite specs, by path

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

    @property
    def principal(self) -> Person:
        return self.person_by_id[self.config.principal]

    @property
    def counterpart(self) -> Person:
        return self.person_by_id[self.config.counterpart]

    @cached_property
    def index(self) -> InvestmentIndex:
        return InvestmentIndex(self.investments, self.config.currency.jpy_per_usd)

    def investments_for(self, flt: Optional[InvestmentFilter]) -> list[Investment]:
        """Return the investment records an issue's or chart's filter selects."""
        if flt is None:
            return []
        return [r for r in self.investments if flt.matches(r)]

    @cached_property
    def states_with_data(self) -> list[State]:
        """Return the states that have any project or state-level figure, by name."""
        codes = {r.state for r in self.investments} | {f.state for f in self.state_figures}
        return sorted((STATES[c] for c in codes if c in STATES), key=lambda s: s.name)

    def figures_for(self, code: str, measure: Optional[str] = None) -> list[StateFigure]:
        """Return a state's (or the nation's, `US`) figures, of one measure if given."""
        return [f for f in self.state_figures if f.state == code and (measure is None or f.measure == measure)]

    def issues_citing_person(self, person_id: str) -> list[Issue]:
        return [i for i in self.issues if person_id in i.related_people]
