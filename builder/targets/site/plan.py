"""Plan: the pages a book turns into, each with its template, address, and what it shows.

A page's context holds the items it shows, so the render stage can tell from them
(and from whether its template read the whole book) when a page must be drawn again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import urlsplit

from ...cache import BuildCache, Store
from ...charts import Chart, build_chart
from ...errors import Problem
from ...geo import STATES, State
from ...model.book import Book
from ...model.charts import ChartBlock
from ...versions.changes import BookChanges, ItemChange
from ...versions.git import Stamp
from . import urls


@dataclass
class PagePlan:
    """One page to render."""

    url: str
    template: str
    title: str
    section: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def charts(self) -> list[Chart]:
        return list(self.context.get("charts", []))


@dataclass(frozen=True)
class NavEntry:
    key: str
    title: str
    url: str


SECTION_TITLES = {"home": "Cover", "programme": "Programme", "issues": "Issue papers",
                  "people": "People", "facts": "Key facts", "investment": "Investment",
                  "sources": "Sources"}


def plan_nav(book: Book, changes: Optional[BookChanges] = None) -> list[NavEntry]:
    """Return the navigation entries in the order site.yaml gives (and Changes, when asked for)."""
    entries = []
    for key in book.config.nav:
        if key.startswith("pages/"):
            page = book.page_by_id[key[6:]]
            entries.append(NavEntry(key, page.title, urls.page_url(page.id)))
        elif key == "programme" and book.schedule is None:
            continue
        else:
            entries.append(NavEntry(key, SECTION_TITLES[key], urls.SECTION_URLS[key]))
    if changes is not None:
        entries.append(NavEntry("changes", "Changes", urls.CHANGES))
    return entries


@dataclass
class SitePlan:
    """Every page of the site, and what all pages share."""

    book: Book
    pages: list[PagePlan]
    nav: list[NavEntry]
    stamp: Stamp
    changes: Optional[BookChanges] = None

    @property
    def charts(self) -> list[Chart]:
        """Return each distinct chart of the site once, in a fixed order."""
        unique = {c.key: c for plan in self.pages for c in plan.charts}
        return [unique[key] for key in sorted(unique)]


def plan_site(book: Book, stamp: Stamp, changes: Optional[BookChanges] = None,
              cache: Optional[BuildCache] = None) -> SitePlan:
    """Return the plan of the whole site."""
    pages = plan_pages(book, changes, cache.charts if cache else None)
    return SitePlan(book, pages, plan_nav(book, changes), stamp, changes)


def plan_pages(book: Book, changes: Optional[BookChanges] = None,
               store: Optional[Store[Any]] = None) -> list[PagePlan]:
    """Return every page of the site, with its charts, in a fixed order."""
    def chart(kind: str, records: list[Any], metric: str = "jobs", colour: str = "sector",
              highlight: Optional[State] = None) -> Chart:
        block = ChartBlock(kind=kind, metric=metric, colour=colour)
        return build_chart(book, block, highlight=highlight, records=records, store=store)

    def block_chart(block: ChartBlock, written_at: Problem) -> Chart:
        return build_chart(book, block, store=store, written_at=written_at)

    everything = list(book.investments)
    plans = [PagePlan(urls.HOME, "home.html", book.config.title, "home",
                      {"charts": [chart("map", everything)] if everything else []})]
    if book.schedule is not None:
        plans.append(PagePlan(urls.PROGRAMME, "programme.html", "Programme", "programme"))
    plans.append(PagePlan(urls.ISSUES, "issues.html", "Issue papers", "issues"))
    for issue in book.issues:
        selected = book.investments_for(issue.investments)
        charts = [chart("map", selected, colour="status")] if selected else []
        charts += [block_chart(block, issue.problem("charts", i, message="")) for i, block in enumerate(issue.charts)]
        plans.append(PagePlan(urls.issue_url(issue.id), "issue.html", issue.title, "issues", {
            "issue": issue, "investments": selected, "charts": charts,
            "related_facts": [book.fact_by_id[f] for f in issue.related_facts],
            "related_people": [book.person_by_id[p] for p in issue.related_people],
            "related_issues": [book.issue_by_id[i] for i in issue.related_issues]}))
    plans.append(PagePlan(urls.PEOPLE, "people.html", "People", "people"))
    for person in book.people:
        plans.append(PagePlan(urls.person_url(person.id), "person.html", person.name, "people", {
            "person": person, "issues": book.issues_citing_person(person.id)}))
    plans.append(PagePlan(urls.FACTS, "facts.html", "Key facts", "facts"))
    charts = [chart(kind, everything, metric="amount") for kind in ("map", "sectors", "years")] \
        if everything else []
    plans.append(PagePlan(urls.INVESTMENT, "investment.html", "Japanese investment in the United States",
                          "investment", {"charts": charts}))
    for state in book.states_with_data:
        projects = list(book.index.in_state(state.code))
        plans.append(PagePlan(urls.state_url(state.code), "state.html", state.name, "investment", {
            "state": state, "projects": projects, "figures": book.figures_for(state.code),
            "charts": [chart("map", projects, colour="status", highlight=state)]}))
    plans.append(PagePlan(urls.SOURCES, "sources.html", "Sources", "sources",
                          {"sources": collect_sources(book)}))
    for page in book.pages:
        plans.append(PagePlan(urls.page_url(page.id), "page.html", page.title, f"pages/{page.id}",
                              {"page": page, "charts": [block_chart(b, b.problem(message="")) for b in page.charts]}))
    if changes is not None:
        plans.append(PagePlan(urls.CHANGES, "changes.html", f"Changes since {changes.old_name}", "changes"))
    return plans


def change_url(item: ItemChange) -> Optional[str]:
    """Return the page where a changed item is shown, or None if it was removed."""
    if item.status == "removed":
        return None
    if item.kind == "investment":
        return None if item.id is None else f"{urls.INVESTMENT}#project-{item.id}"
    if item.kind == "state figure":
        state = item.id.split("/")[0]
        return urls.state_url(state) if state in STATES else urls.INVESTMENT
    return {"book": urls.HOME, "issue": urls.issue_url(item.id), "person": urls.person_url(item.id),
            "programme item": f"{urls.PROGRAMME}#{item.id}", "fact": urls.fact_url(item.id),
            "page": urls.page_url(item.id)}[item.kind]


@dataclass
class SourceEntry:
    """A source and the places in the book that rely on it."""

    url: str
    labels: list[str] = field(default_factory=list)
    cited_by: list[tuple[str, str]] = field(default_factory=list)  # (title, site url)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or self.url

    def add(self, label: str, title: str, where: str) -> None:
        if label and label not in self.labels:
            self.labels.append(label)
        if (title, where) not in self.cited_by:
            self.cited_by.append((title, where))


def collect_sources(book: Book) -> list[SourceEntry]:
    """Gather every source the book cites, each with what cites it, sorted by label."""
    entries: dict[str, SourceEntry] = {}

    def add(url: str, label: str, title: str, where: str) -> None:
        entries.setdefault(url, SourceEntry(url)).add(label, title, where)

    currency = book.config.currency
    add(currency.source.url, currency.source.label, "Exchange rate", urls.HOME)
    for fact in book.facts:
        add(fact.source.url, fact.source.label, fact.label, urls.fact_url(fact.id))
    for issue in book.issues:
        for src in issue.sources:
            add(src.url, src.label, issue.title, urls.issue_url(issue.id))
    for person in book.people:
        for src in person.sources:
            add(src.url, src.label, person.name, urls.person_url(person.id))
    for record in book.investments:
        where = urls.state_url(record.state) if record.state in STATES else urls.INVESTMENT
        add(record.source_url, record.source_label, f"{record.company}: {record.project}", where)
    for figure in book.state_figures:
        where = urls.state_url(figure.state) if figure.state in STATES else urls.INVESTMENT
        add(figure.source_url, figure.source_org, f"{figure.state}: {figure.label}", where)
    return sorted(entries.values(), key=lambda e: ((e.labels or [e.host])[0].lower(), e.url))
