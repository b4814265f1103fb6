"""Plan: the pages a book turns into, each with its template, address, and what it shows.

A page's context holds the items it shows, so the render stage can tell from them
(and from whether its template read the whole book) when a page must be drawn again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel

from ...cache import BuildCache, Store, digest
from ...charts import Chart, build_chart
from ...errors import Problem
from ...geo import NATIONWIDE, STATES, State
from ...languages import untranslated
from ...model.book import Book
from ...model.charts import ChartBlock
from ...model.content import Issue, Person
from ...model.data import Investment, StateFigure
from ...text.locale import N_, Words
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
    banner: str = ""  # the marking of what the page shows (the book's fixed banner without markings)
    banner_class: str = ""  # the banner's colours: `level-government-2` (CONFIDENTIAL)
    portions: tuple[str, ...] = ()  # the markings rolled up into the banner (for tests and audits)
    drawn: list[Sequence[Investment]] = field(default_factory=list)  # the records its charts draw: they mark it
    untranslated: tuple[int, int] = (0, 0)  # in a translated site: texts shown in the source language, and out of date

    @property
    def charts(self) -> list[Chart]:
        return [c for c in self.context.get("charts", []) if c is not None]


@dataclass(frozen=True)
class NavEntry:
    key: str
    title: str
    url: str


SECTION_TITLES = {"home": N_("Cover"), "programme": N_("Programme"), "issues": N_("Issue papers"),
                  "people": N_("People"), "facts": N_("Key facts"), "investment": N_("Investment"),
                  "sources": N_("Sources")}


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
    if side_by_side(book):
        entries.append(NavEntry("parallel", N_("Side by side"), urls.PARALLEL))
    if changes is not None:
        entries.append(NavEntry("changes", N_("Changes"), urls.CHANGES))
    return entries


def side_by_side(book: Book) -> bool:
    """Return whether the book has a side-by-side page: papers, in more than one language."""
    return len(book.config.languages) > 1 and bool(book.issues)


@dataclass
class SitePlan:
    """Every page of the site, and what all pages share."""

    book: Book
    pages: list[PagePlan]
    nav: list[NavEntry]
    stamp: Stamp
    changes: Optional[BookChanges] = None
    lang: str = ""  # a book in several languages: this site's language (and the folder it is written to)

    @property
    def charts(self) -> list[Chart]:
        """Return each distinct chart of the site once, in a fixed order."""
        unique = {c.key: c for plan in self.pages for c in plan.charts}
        return [unique[key] for key in sorted(unique)]


def plan_site(book: Book, stamp: Stamp, changes: Optional[BookChanges] = None,
              cache: Optional[BuildCache] = None, lang: str = "", words: Words = Words(),
              made: Optional[Callable[[Chart], None]] = None) -> SitePlan:
    """Return the plan of the whole site (of the site in lang, for a book in several languages);
    words are what its language says in charts and tables. made, if given, is called with each
    chart as soon as it is made (the build starts drawing it)."""
    pages = plan_pages(book, changes, cache.charts if cache else None, cache.items if cache else None,
                       cache.skeletons if cache else None, words, made)
    for page in pages:
        # what the charts draw counts for the banner, not for the page's text: the charts are in its context
        page.drawn = page.context.pop("drawn", [])
        page.banner, page.portions, page.banner_class = banner_of(book, page)
        if lang and lang != book.config.lang and page.url != urls.PARALLEL:  # that one shows both, by design
            page.untranslated = untranslated(page.context)
    return SitePlan(book, pages, plan_nav(book, changes), stamp, changes, lang)


def banner_of(book: Book, page: PagePlan) -> tuple[str, tuple[str, ...], str]:
    """Return a page's banner: the roll-up of the markings of everything it shows.

    A book without markings has one fixed banner (`classification`)."""
    scheme = book.config.scheme
    if scheme is None:
        return book.config.classification, (), ""
    found: list[str] = []
    _markings(page.context, "", found, set())
    for records in page.drawn:
        found += [r.marking for r in records if r.marking]
    parsed = [scheme.parse(m) for m in found if m]
    banner = scheme.rollup(parsed)
    return banner.banner, tuple(sorted({m.banner for m in parsed})), f"level-{scheme.name}-{banner.level.rank}"


def _markings(value: Any, inherited: str, found: list[str], seen: set[int]) -> None:
    """Collect the markings of every item (and every entry inside it) a page's context holds."""
    if id(value) in seen or value is None or isinstance(value, (int, float, bool)):
        return
    seen.add(id(value))
    if isinstance(value, str):
        own = getattr(value, "marking", "")
        found.append(own or inherited)
        return
    if isinstance(value, dict):
        for inner in value.values():
            _markings(inner, inherited, found, seen)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            _markings(inner, inherited, found, seen)
    elif isinstance(value, Chart):
        return  # a chart is marked by its block and by the records it draws (`drawn`)
    elif isinstance(value, BaseModel) or hasattr(value, "__dataclass_fields__"):
        own = getattr(value, "marking", "") or inherited
        found.append(own)
        names = type(value).model_fields if isinstance(value, BaseModel) else value.__dataclass_fields__
        for name in names:
            if name != "marking":
                _markings(getattr(value, name), own, found, seen)


@dataclass(frozen=True)
class IssueSummary:
    """What a list of papers shows of each paper."""

    id: str
    title: str
    doc_number: str
    summary: str
    objective: str
    priority: str
    status: str
    marking: str = ""


@dataclass(frozen=True)
class PersonSummary:
    """What a list of people, or a link to someone, shows of each person."""

    id: str
    name: str
    name_native: str
    role: str
    organisation: str
    side: str
    in_official_party: bool
    marking: str = ""


@dataclass(frozen=True)
class StateRow:
    """One line of the investment page's table of states."""

    state: State
    projects: int
    amount: str
    jobs: str
    figure: Optional[StateFigure]


def summarise_issue(issue: Issue) -> IssueSummary:
    return IssueSummary(issue.id, issue.title, issue.doc_number, issue.summary, issue.objective,
                        issue.priority, issue.status, issue.marking)


def summarise_person(person: Person) -> PersonSummary:
    return PersonSummary(person.id, person.name, person.name_native, person.role, person.organisation,
                         person.side, person.in_official_party, person.marking)


S = TypeVar("S")


def _summary(kept: Optional[Store[Any]], item: Any, make: Callable[[Any], S]) -> S:
    """Return an item's summary, the same object while the item is the same (so its hash is kept too)."""
    if kept is None:
        return make(item)
    key = ("summary", id(item))
    known = kept.get(key)
    if known is None or known[0] is not item:
        known = kept.put(key, (item, make(item)))
    return known[1]


def plan_pages(book: Book, changes: Optional[BookChanges] = None,
               store: Optional[Store[Any]] = None, kept: Optional[Store[Any]] = None,
               skeletons: Optional[Store[str]] = None, words: Words = Words(),
               made: Optional[Callable[[Chart], None]] = None) -> list[PagePlan]:
    """Return every page of the site, with its charts, in a fixed order.

    Each page's context holds exactly what its default template shows (summaries where a page
    lists many items), so a page is drawn again only when something it shows changed.
    """
    def chart(kind: str, records: Sequence[Investment], metric: str = "jobs", colour: str = "sector",
              highlight: Optional[State] = None) -> Chart:
        block = ChartBlock(kind=kind, metric=metric, colour=colour)
        return _made(build_chart(book, block, highlight=highlight, records=records, store=store,
                                 skeletons=skeletons, words=words))

    def block_chart(block: Optional[ChartBlock], written_at: Problem) -> Optional[Chart]:
        if block is None:
            return None  # a chart the edition leaves out: its fence shows nothing
        return _made(build_chart(book, block, store=store, written_at=written_at, skeletons=skeletons, words=words))

    def _made(found: Chart) -> Chart:
        if made is not None:
            made(found)
        return found

    def drawn(*blocks: Optional[ChartBlock]) -> list[list[Investment]]:
        """Return the records each of the book's own charts among blocks draws (their markings count)."""
        return [book.investments_for(b.filter) for b in blocks if b is not None and b.kind != "vega-lite"]

    def someone(person_id: str) -> Optional[PersonSummary]:
        person = book.person_by_id.get(person_id)
        return person_summary(person) if person is not None else None

    def issue_summary(issue: Issue) -> IssueSummary:
        return _summary(kept, issue, summarise_issue)

    def person_summary(person: Person) -> PersonSummary:
        return _summary(kept, person, summarise_person)

    everything = book.investments
    issues = [issue_summary(i) for i in book.issues]
    shade = "employment" if book.jobs_figures else "jobs"  # states on one basis, where the book has figures
    home_map = [chart("map", everything, metric=shade)] if everything else []
    plans = [PagePlan(urls.HOME, "home.html", book.config.title, "home", {
        "charts": home_map, "issues": issues, "schedule": book.schedule, "drawn": [everything] if home_map else [],
        "principal": someone(book.config.principal), "counterpart": someone(book.config.counterpart)})]
    if book.schedule is not None:
        plans.append(PagePlan(urls.PROGRAMME, "programme.html", N_("Programme"), "programme", {
            "schedule": book.schedule,
            "names": {p: book.person_by_id[p].name for item in book.schedule.items for p in item.participants},
            "titles": {i: book.issue_by_id[i].title for item in book.schedule.items for i in item.briefs}}))
    if issues or "issues" in book.config.nav:  # an edition without papers has no list of them
        plans.append(PagePlan(urls.ISSUES, "issues.html", N_("Issue papers"), "issues", {"issues": issues}))
    for issue in book.issues:
        selected = book.investments_for(issue.investments)
        charts: list[Optional[Chart]] = [chart("map", selected, colour="status")] if selected else []
        charts += [block_chart(block, issue.problem("charts", i, message="")) for i, block in enumerate(issue.charts)]
        plans.append(PagePlan(urls.issue_url(issue.id), "issue.html", issue.title, "issues", {
            "issue": issue, "investments": largest(book, selected), "investments_total": len(selected),
            "drawn": [selected, *drawn(*issue.charts)],
            "investment_states": book.index.states_of(selected), "charts": charts,
            "related_facts": [book.fact_by_id[f] for f in issue.related_facts],
            "related_people": [person_summary(book.person_by_id[p]) for p in issue.related_people],
            "related_issues": [issue_summary(book.issue_by_id[i]) for i in issue.related_issues]}))
    if book.people or "people" in book.config.nav:
        plans.append(PagePlan(urls.PEOPLE, "people.html", N_("People"), "people",
                              {"people": [person_summary(p) for p in book.people]}))
    for person in book.people:
        plans.append(PagePlan(urls.person_url(person.id), "person.html", person.name, "people", {
            "person": person, "issues": [issue_summary(i) for i in book.issues_citing_person(person.id)]}))
    plans.append(PagePlan(urls.FACTS, "facts.html", N_("Key facts"), "facts", {"facts": list(book.facts)}))
    charts = [chart(kind, everything, metric=shade if kind == "map" else "amount") for kind in ("map", "sectors", "years")] \
        if everything else []
    plans.append(PagePlan(urls.INVESTMENT, "investment.html", N_("Investment by state and by project"),
                          "investment", {"charts": charts, "states": state_rows(book, words),
                                         "national": book.figures_for(NATIONWIDE), "drawn": [everything],
                                         "nationwide": list(book.index.in_state(NATIONWIDE))}))
    for state in map(words.state, book.states_with_data):  # each named in the site's language
        projects = book.index.in_state(state.code)
        plans.append(PagePlan(urls.state_url(state.code), "state.html", state.name, "investment", {
            "state": state, "projects": projects, "figures": book.figures_for(state.code),
            "charts": [chart("map", projects, colour="status", highlight=state)] if projects else []}))
    plans.append(PagePlan(urls.SOURCES, "sources.html", N_("Sources"), "sources",
                          {"sources": _sources(book, kept)}))
    for page in book.pages:
        plans.append(PagePlan(urls.page_url(page.id), "page.html", page.title, f"pages/{page.id}",
                              {"page": page, "drawn": drawn(*page.charts),
                               "charts": [block_chart(b, b.problem(message="")) if b is not None else None
                                          for b in page.charts]}))
    if side_by_side(book):
        plans.append(PagePlan(urls.PARALLEL, "parallel.html", N_("Side by side"), "parallel",
                              {"issues": list(book.issues)}))
    if changes is not None:
        plans.append(PagePlan(urls.CHANGES, "changes.html", f"Changes since {changes.old_name}", "changes"))
    return plans


PAPER_PROJECTS = 25  # a paper lists its largest projects; the state pages list them all


def largest(book: Book, records: list[Investment]) -> list[Investment]:
    """Return the projects a paper lists: all of them, or the largest by amount when there are many."""
    if len(records) <= PAPER_PROJECTS:
        return records
    return book.index.largest(records, PAPER_PROJECTS)


def state_rows(book: Book, words: Words) -> list[StateRow]:
    """Return the investment page's table: each state with records or figures, added up once."""
    rows = []
    for state in book.states_with_data:
        totals = book.index.by_state.get(state.code)
        figures = book.figures_for(state.code, "jobs")
        rows.append(StateRow(words.state(state), totals.projects if totals else 0,
                             words.amount_total(totals.amount if totals else None, bool(totals), totals.apart if totals else 0),
                             words.jobs_total(totals.jobs if totals else None, bool(totals)),
                             figures[0] if figures else None))
    return rows


def change_url(book: Book, item: ItemChange) -> Optional[str]:
    """Return the page where a changed item is shown, or None if it was removed."""
    if item.status == "removed":
        return None
    if item.kind == "investment":
        state = next((r.state for r in book.investments if r.id == item.id), NATIONWIDE)
        page = urls.state_url(state) if state in STATES else urls.INVESTMENT
        return f"{page}#project-{item.id}"
    if item.kind == "state figure":
        state = item.id.split("/")[0]
        return urls.state_url(state) if state in STATES else urls.INVESTMENT
    return {"book": urls.HOME, "issue": urls.issue_url(item.id), "person": urls.person_url(item.id),
            "programme item": f"{urls.PROGRAMME}#{item.id}", "fact": urls.fact_url(item.id),
            "page": urls.page_url(item.id)}[item.kind]


SOURCE_PLACES = 8  # pages named under each source on the Sources page


@dataclass
class SourceEntry:
    """A source and the places in the book that rely on it."""

    url: str
    labels: list[str] = field(default_factory=list)
    places: dict[str, dict[str, None]] = field(default_factory=dict)  # site url -> titles citing it there

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or self.url

    @property
    def cited_by(self) -> list[tuple[str, str, int]]:
        """Return (the first title, site url, how many more) for the first places that cite the source."""
        return [(next(iter(titles)), where, len(titles) - 1)
                for where, titles in list(self.places.items())[:SOURCE_PLACES]]

    @property
    def more_places(self) -> int:
        return max(0, len(self.places) - SOURCE_PLACES)

    def add(self, label: str, title: str, where: str) -> None:
        if label and label not in self.labels:
            self.labels.append(label)
        self.places.setdefault(where, {})[title] = None


def _sources(book: Book, kept: Optional[Store[Any]]) -> tuple[SourceEntry, ...]:
    """Return the book's sources, the same tuple while nothing that cites a source changed."""
    if kept is None:
        return tuple(collect_sources(book))
    config = book.config
    cited = [(i.id, i.title, [(s.url, s.label) for s in i.sources]) for i in book.issues] + \
        [(p.id, p.name, [(s.url, s.label) for s in p.sources]) for p in book.people]
    key = ("sources", digest(config.currency.model_dump_json(), *(f.fingerprint for f in book.facts), repr(cited),
                             *(f.fingerprint for f in book.state_figures)))
    # with the rows: the same tuple while their file is unchanged
    return kept.made_from(book.investments, key, lambda: tuple(collect_sources(book)))


def collect_sources(book: Book) -> list[SourceEntry]:
    """Gather every source the book cites, each with the pages that cite it, sorted by label."""
    entries: dict[str, SourceEntry] = {}

    def add(url: str, label: str, title: str, where: str) -> None:
        entry = entries.get(url)
        if entry is None:
            entry = entries[url] = SourceEntry(url)
        entry.add(label, title, where)

    currency = book.config.currency
    add(currency.source.url, currency.source.label, N_("Exchange rate"), urls.HOME)
    for fact in book.facts:
        if fact.source is not None:  # a proposal of the book's own has none
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
