"""The Book: every validated part of a briefing, cross-checked and ready to plan and render.

Everything after the validate stage reads the book, and only the book: an edition is
made by handing the later stages a smaller book (`editions.select`).
"""

from __future__ import annotations

import hashlib
import operator
from collections import Counter
from datetime import date, timedelta
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Hashable, Iterable, Optional, Sequence, TypeVar

from ..geo import STATES, State
from .charts import InvestmentFilter
from .config import Config
from .content import Fact, Issue, Page, Person, Schedule
from .data import Investment, StateFigure
from .fields import latest_day


T = TypeVar("T")
L = TypeVar("L", list[Investment], tuple[Investment, ...])

SUMMED_BASIS = "announced"
"""The basis on which amounts are added up unless a chart asks for another; amounts on other bases
are counted apart, never added in."""


@dataclass(frozen=True)
class Totals:
    """Investment records added up: how many, their announced amounts in US$ m, and the jobs."""

    records: tuple[Investment, ...]
    amount: Optional[float]  # amounts on one basis only; None when no record has one
    jobs: Optional[int]  # None when no record gives jobs
    other_bases: tuple[tuple[str, int], ...] = ()  # (basis, records) whose amounts are not added in

    @property
    def apart(self) -> int:
        """Return how many records have an amount on another basis than the summed one."""
        return sum(count for _, count in self.other_bases)

    @property
    def projects(self) -> int:
        return len(self.records)

    @cached_property
    def sources(self) -> list[str]:
        return sorted({r.source_name for r in self.records})


def _money_of(index: "InvestmentIndex", record: Investment) -> tuple[Optional[float], str, Optional[int]]:
    return index.usd(record), record.basis, record.jobs


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

    def totals(self, records: Iterable[Investment], basis: str = SUMMED_BASIS) -> Totals:
        """Add up some records: their amounts on one basis (others counted apart), their jobs."""
        records = tuple(records)
        amounts, apart, jobs = [], Counter[str](), []
        money = self._money
        for record in records:
            amount, kind, worked = money.get(id(record)) or _money_of(self, record)
            if worked is not None:
                jobs.append(worked)
            if amount is None:
                continue
            if kind == basis:
                amounts.append(amount)
            else:
                apart[kind] += 1
        return Totals(records, round(sum(amounts), 2) if amounts else None, sum(jobs) if jobs else None,
                      tuple(sorted(apart.items())))

    def group(self, records: Sequence[Investment], by: Hashable, key: Callable[[Investment], str],
              basis: str = SUMMED_BASIS) -> dict[str, Totals]:
        """Add up records by a key, in the order of the keys; by names the key (`"state"`), so that the
        same list grouped the same way is added up once, however many charts show it."""
        def make() -> dict[str, Totals]:
            groups: dict[str, list[Investment]] = {}
            for record in records:
                groups.setdefault(key(record), []).append(record)
            return {name: self.summed(self.same_list(tuple(mine)), basis) for name, mine in sorted(groups.items())}

        return self.kept(records, ("group", by, basis), make)

    def summed(self, records: Sequence[Investment], basis: str = SUMMED_BASIS) -> Totals:
        """Return the totals of a list of records, added up once per list."""
        return self.kept(records, ("totals", basis), lambda: self.totals(records, basis))

    def kept(self, records: Sequence[Investment], what: Hashable, make: Callable[[], T]) -> T:
        """Return what make() works out from these very records (a list a filter selected, a state's),
        once per list and what: a dozen charts of one book read the same twenty thousand records."""
        known = self._kept.get((id(records), what))
        if known is None or known[0] is not records:
            before = self._earlier.__dict__.get("_kept", {}).get((id(records), what)) if self._earlier else None
            known = before if before is not None and before[0] is records else (records, make())
            self._kept[(id(records), what)] = known
        return known[1]

    @cached_property
    def _kept(self) -> dict[tuple[int, Hashable], tuple[Sequence[Investment], Any]]:
        return {}

    def after(self, earlier: Optional["InvestmentIndex"]) -> "InvestmentIndex":
        """Take over what the index this one replaces (after an edit of some rows) worked out from what the
        two share, and return this one.

        They share the records of unchanged rows (the same objects), and lists of them: a state's, or
        a filter's, that the edit did not touch are made the very lists the earlier index made
        (`same_list`), so that what `kept` worked out from them (totals, digests, a map's areas) and
        what later stages keep by a list's identity are taken over too. Only the one before is kept.
        """
        if earlier is not None and earlier.jpy_per_usd == self.jpy_per_usd:
            earlier.__dict__.pop("_earlier", None)  # indexes do not chain
            self.__dict__["_earlier"] = earlier
        return self

    @cached_property
    def _earlier(self) -> Optional["InvestmentIndex"]:
        return None  # (set by `after`)

    def same_list(self, found: L) -> L:
        """Return the list the earlier index made of the very same records, if it made one, else found."""
        if found:
            key = (type(found), len(found), id(found[0]), id(found[-1]))
            same = self._earlier.__dict__.get("_lists", {}).get(key) if self._earlier else None
            if same is not None and all(map(operator.is_, same, found)):
                found = same
            self._lists[key] = found
        return found

    @cached_property
    def _lists(self) -> dict[tuple[Any, ...], Any]:
        return {}

    @cached_property
    def _money(self) -> dict[int, tuple[Optional[float], str, Optional[int]]]:
        """Return each record's amount in US$ m, its basis and its jobs, worked out once: totals read them
        often (those of records the earlier index shares are taken over)."""
        kept = self._earlier.__dict__.get("_money", {}) if self._earlier else {}
        return {id(record): kept.get(id(record)) or _money_of(self, record) for record in self.records}

    @cached_property
    def by_state(self) -> dict[str, Totals]:
        return self.group(self.records, "state", lambda r: r.state)

    def in_state(self, code: str) -> tuple[Investment, ...]:
        totals = self.by_state.get(code)
        return totals.records if totals else ()

    @cached_property
    def _at(self) -> dict[int, int]:
        return {id(record): at for at, record in enumerate(self.records)}

    @cached_property
    def _fingerprints(self) -> tuple[str, ...]:
        return tuple(record.fingerprint for record in self.records)

    def digest(self, records: Sequence[Investment]) -> str:
        """Return a hash of some of the book's records, quickly enough to key every chart by it.

        The same list (one a filter selected, a state's) is hashed once."""
        def make() -> str:
            at, prints = self._at, self._fingerprints
            joined = "".join(prints[at[id(r)]] if id(r) in at else r.fingerprint for r in records)
            return hashlib.sha256(joined.encode("ascii")).hexdigest()

        return self.kept(records, "digest", make)

    def largest(self, records: Sequence[Investment], count: int) -> list[Investment]:
        """Return up to count records with the largest amounts, in book order (kept per list)."""
        def make() -> list[Investment]:
            order = sorted(range(len(records)), key=lambda at: (-(self.usd(records[at]) or 0), records[at].id))
            return [records[at] for at in sorted(order[:count])]

        return self.kept(records, ("largest", count), make)

    def states_of(self, records: Sequence[Investment]) -> list[str]:
        """Return the states (not `US`) some records are in, sorted (kept per list)."""
        return self.kept(records, "states", lambda: sorted({r.state for r in records if r.state in STATES}))

    @cached_property
    def _selected(self) -> dict[str, list[Investment]]:
        return {}

    @cached_property
    def companies(self) -> list[str]:
        """Return the companies named in the records, once each."""
        return sorted(self._positions["company"])

    @cached_property
    def _positions(self) -> dict[str, dict[str, set[int]]]:
        """Return, for each field a filter can name, the positions of the records with each value."""
        table: dict[str, dict[str, set[int]]] = {"sector": {}, "state": {}, "status": {}, "company": {}}
        for at, record in enumerate(self.records):
            for name in table:
                table[name].setdefault(getattr(record, name), set()).add(at)
        return table

    def select(self, flt: InvestmentFilter) -> list[Investment]:
        """Return the records a filter selects, in book order, looking values up rather than scanning.

        The same filter gives the same list, so what is worked out from it is worked out once."""
        known = self._selected.get(flt.fingerprint)
        if known is None:
            known = self._selected[flt.fingerprint] = self.same_list(self._select(flt))
        return known

    def _select(self, flt: InvestmentFilter) -> list[Investment]:
        chosen: Optional[set[int]] = None
        for name in ("sector", "state", "status"):
            values = getattr(flt, name)
            if values:
                found = set().union(*(self._positions[name].get(v, set()) for v in values))
                chosen = found if chosen is None else chosen & found
        if flt.company:
            wanted = [c.lower() for c in flt.company]
            found = set().union(*(at for company, at in self._positions["company"].items()
                                  if any(w in company.lower() for w in wanted)))
            chosen = found if chosen is None else chosen & found
        if chosen is None:
            return list(self.records)
        return [self.records[at] for at in sorted(chosen)]


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
    def dated_before(self) -> date:
        """Return the day before which a fact is too old to show without a 'dated' mark."""
        years = self.config.figures.stale_after_years
        return self.config.as_of - timedelta(days=round(365.25 * years))

    def dated(self, fact: Fact) -> bool:
        """Return whether a fact is older than the book's limit (its period's last day counts)."""
        return not fact.proposal and latest_day(fact.as_of) < self.dated_before

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
        return self.index.select(flt)

    @cached_property
    def states_with_data(self) -> list[State]:
        """Return the states that have any project or state-level figure, by name."""
        codes = set(self.index.by_state) | {f.state for f in self.state_figures}  # the index is kept between builds
        return sorted((STATES[c] for c in codes if c in STATES), key=lambda s: s.name)

    @cached_property
    def jobs_basis(self) -> str:
        """Return the basis most states' jobs figures share: the one a map shades by."""
        counts = Counter(f.basis for f in self.state_figures if f.measure == "jobs" and f.state in STATES)
        return min(counts, key=lambda basis: (-counts[basis], basis)) if counts else ""

    @cached_property
    def jobs_figures(self) -> dict[str, StateFigure]:
        """Return each state's jobs figure: the latest on the shared basis, or else its latest on another."""
        chosen: dict[str, StateFigure] = {}
        for figure in self.state_figures:
            if figure.measure != "jobs" or figure.state not in STATES:
                continue
            rank = (figure.basis == self.jobs_basis, figure.as_of)
            held = chosen.get(figure.state)
            if held is None or rank > (held.basis == self.jobs_basis, held.as_of):
                chosen[figure.state] = figure
        return chosen

    def figures_for(self, code: str, measure: Optional[str] = None) -> list[StateFigure]:
        """Return a state's (or the nation's, `US`) figures, of one measure if given."""
        return [f for f in self.state_figures if f.state == code and (measure is None or f.measure == measure)]

    def issues_citing_person(self, person_id: str) -> list[Issue]:
        return [i for i in self.issues if person_id in i.related_people]
