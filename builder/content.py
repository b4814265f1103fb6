"""The book's written content: issue papers, people, the programme, key facts and pages."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from pydantic import BeforeValidator, Field, field_validator

from .config import SourceRef, check_timezone
from .errors import Problem
from .schema import SLUG_PATTERN, Model, Origin, PartialDate, Slug, validate
from .source import Document, SourceError, parse_yaml, read_text, split_front_matter

ISSUES_DIR = "content/issues"
PEOPLE_DIR = "content/people"
PAGES_DIR = "content/pages"
SCHEDULE_FILE = "content/schedule.yaml"
FACTS_FILE = "content/facts.yaml"


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, (str, int, float)) else value


TextList = Annotated[list[str], BeforeValidator(_as_list)]
"""A list of text that may also be written as a single value."""


class InvestmentFilter(Model):
    """Selects investment records; every field given must match (any of its values)."""

    sector: TextList = Field(default_factory=list)
    state: TextList = Field(default_factory=list)
    company: TextList = Field(default_factory=list)
    status: TextList = Field(default_factory=list)

    def matches(self, record: Any) -> bool:
        """Return whether an investment record passes this filter."""
        company = record.company.lower()
        return ((not self.sector or record.sector in self.sector)
                and (not self.state or record.state in self.state)
                and (not self.status or record.status in self.status)
                and (not self.company or any(c.lower() in company for c in self.company)))


class ChartBlock(Model):
    """A chart placed by an author: what to draw, from which records, showing which figure."""

    kind: str
    metric: str = "amount"
    colour: str = "sector"
    filter: InvestmentFilter = Field(default_factory=InvestmentFilter)
    title: str = ""
    caption: str = ""
    spec: str = ""  # for kind: vega-lite, a spec file relative to the briefing folder


class Clearance(Model):
    name: str
    office: str = ""
    date: Optional[dt.date] = None


class QA(Model):
    q: str
    a: str


class Offer(Model):
    item: str
    conditional_on: str = ""
    authority: str = ""


class Risk(Model):
    risk: str
    likelihood: Literal["low", "medium", "high"]
    mitigation: str = ""


class Issue(Model):
    """One issue paper."""

    id: Slug
    title: str
    priority: Literal["high", "medium", "low"]
    status: Literal["draft", "cleared", "final"]
    doc_number: str = ""
    drafted_by: str
    cleared_by: list[Clearance] = Field(default_factory=list)
    summary: str = ""
    objective: str
    background: str
    our_position: str
    their_position: str
    points_to_make: list[str] = Field(min_length=1)
    defensive_qa: list[QA] = Field(default_factory=list)
    asks: list[str] = Field(default_factory=list)
    offers: list[Offer] = Field(default_factory=list)
    red_lines: list[str] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    press_line: str = ""
    related_people: list[Slug] = Field(default_factory=list)
    related_facts: list[Slug] = Field(default_factory=list)
    related_issues: list[Slug] = Field(default_factory=list)
    investments: Optional[InvestmentFilter] = None
    charts: list[ChartBlock] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)


class CareerStep(Model):
    start: int = Field(alias="from")
    end: Optional[int] = Field(default=None, alias="to")
    post: str


class Meeting(Model):
    date: PartialDate
    venue: str
    note: str = ""


class Person(Model):
    """A bio: someone across the table, or in our own party."""

    id: Slug
    name: str
    name_native: str = ""
    address_as: str = ""
    role: str
    organisation: str = ""
    country: str
    side: Literal["ours", "theirs", "other"]
    in_official_party: bool = False
    born: Optional[int] = None
    summary: str
    career: list[CareerStep] = Field(default_factory=list)
    relationship: str = ""
    last_met_principal: Optional[Meeting] = None
    interests: list[str] = Field(default_factory=list)
    handling_notes: str = ""
    pronunciation: str = ""
    sources: list[SourceRef] = Field(default_factory=list)


class ScheduleItem(Model):
    id: Slug
    date: dt.date
    start: dt.time
    end: Optional[dt.time] = None
    timezone: Optional[str] = None
    title: str
    kind: Literal["arrival", "departure", "meeting", "meal", "ceremony", "press", "transit",
                  "briefing", "hold"]
    place: str
    participants: list[Slug] = Field(default_factory=list)
    press: Literal["open", "pool", "photo-spray", "closed"]
    lead: str = ""
    briefs: list[Slug] = Field(default_factory=list)
    notes: str = ""
    provisional: bool = False

    _tz = field_validator("timezone")(lambda v: v if v is None else check_timezone(v))


class Schedule(Model):
    """The programme of the visit."""

    timezone: str
    notes: str = ""
    items: list[ScheduleItem] = Field(min_length=1)

    _tz = field_validator("timezone")(check_timezone)


class Fact(Model):
    """A key figure with its source."""

    id: Slug
    label: str
    value: float
    unit: str
    period: str = ""
    as_of: PartialDate
    topic: str = "General"
    approximate: bool = False
    note: str = ""
    source: SourceRef


class FactsFile(Model):
    facts: list[Fact] = Field(min_length=1)


class PageMeta(Model):
    title: str
    summary: str = ""


@dataclass(frozen=True)
class Page:
    """A free Markdown page."""

    id: str
    title: str
    summary: str
    body: str
    body_line: int  # line of the file where the Markdown body starts
    path: str
    meta: Optional[PageMeta] = None  # the front matter, which knows where it was read from
    charts: tuple[ChartBlock, ...] = ()  # from ```chart blocks in the body


@dataclass
class Content:
    """Everything loaded from content/, before cross-checks."""

    issues: list[Issue] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    schedule: Optional[Schedule] = None
    facts: list[Fact] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    # ids of items whose files have mistakes: references to them are not reported as unknown
    broken_ids: set[str] = field(default_factory=set)


def _yaml_files(root: Path, folder: str) -> list[str]:
    base = root / folder
    if not base.is_dir():
        return []
    files = sorted(p for p in base.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))
    return [f"{folder}/{p.name}" for p in files]


def _load_document(root: Path, rel: str, problems: list[Problem]) -> Optional[Document]:
    try:
        doc = parse_yaml(read_text(root, rel), rel)
    except SourceError as exc:
        problems.append(exc.problem)
        return None
    problems.extend(doc.problems)
    return doc


def _load_each(root: Path, folder: str, model: type, problems: list[Problem],
               broken_ids: set[str]) -> list:
    items = []
    for rel in _yaml_files(root, folder):
        doc = _load_document(root, rel, problems)
        if doc is None:
            broken_ids.add(Path(rel).stem)
            continue
        item, found = validate(model, doc.data, doc)
        problems.extend(found)
        if item is not None:
            items.append(item)
        else:
            broken_ids.add(Path(rel).stem)
            if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
                broken_ids.add(doc.data["id"])
    return items


def load_content(root: Path) -> tuple[Content, list[Problem]]:
    """Read every content file; return what validated and the problems found."""
    problems: list[Problem] = []
    content = Content()
    content.issues = _load_each(root, ISSUES_DIR, Issue, problems, content.broken_ids)
    content.people = _load_each(root, PEOPLE_DIR, Person, problems, content.broken_ids)
    if not _yaml_files(root, ISSUES_DIR):
        problems.append(Problem(ISSUES_DIR, 0, 0, "", "no issue papers found (*.yaml)"))

    if (root / SCHEDULE_FILE).is_file():
        doc = _load_document(root, SCHEDULE_FILE, problems)
        if doc is not None:
            content.schedule, found = validate(Schedule, doc.data, doc)
            problems.extend(found)
            if content.schedule is not None:
                for i, item in enumerate(content.schedule.items):
                    item._origin = Origin(doc, ("items", i))

    if (root / FACTS_FILE).is_file():
        doc = _load_document(root, FACTS_FILE, problems)
        if doc is not None:
            facts_file, found = validate(FactsFile, doc.data, doc)
            problems.extend(found)
            if facts_file is None:
                content.broken_ids.update(_raw_ids(doc.data, "facts"))
            if facts_file is not None:
                for i, fact in enumerate(facts_file.facts):
                    fact._origin = Origin(doc, ("facts", i))
                content.facts = list(facts_file.facts)

    content.pages = _load_pages(root, problems)
    return content, problems


def _raw_ids(data: Any, key: str) -> set[str]:
    """Return the ids written in a list of items that failed validation."""
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return set()
    return {i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)}


def _load_pages(root: Path, problems: list[Problem]) -> list[Page]:
    base = root / PAGES_DIR
    if not base.is_dir():
        return []
    pages = []
    for path in sorted(base.glob("*.md")):
        rel = f"{PAGES_DIR}/{path.name}"
        try:
            front, body, body_line = split_front_matter(read_text(root, rel), rel)
        except SourceError as exc:
            problems.append(exc.problem)
            continue
        problems.extend(front.problems)
        meta, found = validate(PageMeta, front.data, front)
        problems.extend(found)
        if meta is None:
            continue
        page_id = path.stem
        if not SLUG_PATTERN.match(page_id):
            problems.append(Problem(rel, 0, 0, "", f"page file name '{path.name}' must be "
                                    "lowercase letters, digits and hyphens"))
            continue
        body, charts = extract_chart_blocks(body, body_line, rel, problems)
        pages.append(Page(page_id, meta.title, meta.summary, body, body_line, rel, meta, charts))
    return pages


_CHART_FENCE = re.compile(r"^```chart[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def chart_marker(index: int) -> str:
    """Return the placeholder left in a page's Markdown where its chart block was."""
    return f"<!--briefing-chart-{index}-->"


def extract_chart_blocks(body: str, body_line: int, rel: str,
                         problems: list[Problem]) -> tuple[str, tuple[ChartBlock, ...]]:
    """Take ```chart blocks out of a page's Markdown; return the body with markers and the blocks."""
    charts: list[ChartBlock] = []

    def replace(match: re.Match) -> str:
        first_line = body_line + body[: match.start()].count("\n") + 1
        try:
            doc = parse_yaml(match.group(1), rel, line_offset=first_line - 1)
        except SourceError as exc:
            problems.append(exc.problem)
            return ""
        problems.extend(doc.problems)
        block, found = validate(ChartBlock, doc.data, doc)
        problems.extend(found)
        if block is None:
            return ""
        charts.append(block)
        return f"\n{chart_marker(len(charts) - 1)}\n"

    return _CHART_FENCE.sub(replace, body), tuple(charts)
