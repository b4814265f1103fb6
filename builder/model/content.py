"""The book's written content: issue papers, people, the programme, key facts and pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Literal, Optional

from pydantic import Field, field_validator, model_validator

from ..source.pages import chart_fences
from .base import Dated, Label, Markdown, Model, Points
from .charts import ChartBlock, InvestmentFilter
from .config import SourceRef, check_timezone
from .fields import AsOf, PartialDate, Ref, Slug, one_of


class Clearance(Model):
    name: str
    office: str = ""
    date: Optional[dt.date] = None


class QA(Model):
    q: Markdown
    a: Markdown
    marking: str = ""


class Offer(Model):
    item: Markdown
    conditional_on: Markdown = ""
    authority: str = ""
    marking: str = ""


class Risk(Model):
    risk: Markdown
    likelihood: Literal["low", "medium", "high"]
    mitigation: Markdown = ""
    marking: str = ""


class Issue(Model):
    """One issue paper."""

    id: Slug
    title: Label
    priority: Literal["high", "medium", "low"]
    status: Literal["draft", "cleared", "final"]
    marking: str = ""  # the paper's own marking; its entries may carry their own (markings.py)
    doc_number: str = ""
    drafted_by: str
    cleared_by: list[Clearance] = Field(default_factory=list)
    summary: Markdown = ""
    objective: Markdown
    background: Markdown
    our_position: Markdown
    their_position: Markdown
    points_to_make: Points = Field(min_length=1)
    defensive_qa: list[QA] = Field(default_factory=list)
    asks: Points = Field(default_factory=list)
    offers: list[Offer] = Field(default_factory=list)
    red_lines: Points = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    press_line: Markdown = ""
    related_people: list[Ref.person] = Field(default_factory=list)
    related_facts: list[Ref.fact] = Field(default_factory=list)
    related_issues: list[Ref.issue] = Field(default_factory=list)
    investments: Optional[InvestmentFilter] = None
    charts: list[ChartBlock] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)


class CareerStep(Model):
    start: int = Field(alias="from")
    end: Optional[int] = Field(default=None, alias="to")
    post: Label


class Meeting(Model):
    date: Annotated[PartialDate, Dated("met on")]
    venue: Label
    note: Markdown = ""


class Person(Model):
    """A bio: someone across the table, or in our own party."""

    id: Slug
    name: Label
    name_native: str = ""
    address_as: str = ""
    role: Label
    organisation: Label = ""
    country: str
    side: Literal["ours", "theirs", "other"]
    marking: str = ""
    in_official_party: bool = False
    born: Optional[int] = None
    summary: Markdown
    career: list[CareerStep] = Field(default_factory=list)
    relationship: Markdown = ""
    last_met_principal: Optional[Meeting] = None
    interests: Points = Field(default_factory=list)
    handling_notes: Markdown = ""
    pronunciation: str = ""
    sources: list[SourceRef] = Field(default_factory=list)


class ScheduleItem(Model):
    id: Slug
    date: dt.date
    start: dt.time
    end: Optional[dt.time] = None
    timezone: Optional[str] = None
    title: Label
    kind: Literal["arrival", "departure", "meeting", "meal", "ceremony", "press", "transit",
                  "briefing", "hold"]
    place: Label
    participants: list[Ref.person] = Field(default_factory=list)
    press: Literal["open", "pool", "photo-spray", "closed"]
    lead: Label = ""
    briefs: list[Ref.issue] = Field(default_factory=list)
    notes: Markdown = ""
    provisional: bool = False
    marking: str = ""

    _tz = field_validator("timezone")(lambda v: v if v is None else check_timezone(v))


class Schedule(Model):
    """The programme of the visit."""

    timezone: str
    notes: Markdown = ""
    items: list[ScheduleItem] = Field(min_length=1)

    _tz = field_validator("timezone")(check_timezone)


FACT_BASES = ("sourced", "proposal")


class Fact(Model):
    """A key figure with its source, or the book's own proposal."""

    id: Slug
    label: Label
    value: float
    unit: str
    period: str = ""  # what the figure measures (FY2025, 2023): apart from when it was true or said
    as_of: AsOf
    topic: Label = "General"
    approximate: bool = False
    basis: one_of("basis", FACT_BASES) = "sourced"  # type: ignore[valid-type]
    dated_because: str = ""  # why a figure older than the book's limit is still the one to use
    marking: str = ""
    note: Markdown = ""
    source: Optional[SourceRef] = None

    @model_validator(mode="after")
    def _sourced(self) -> "Fact":
        if self.basis == "sourced" and self.source is None:
            raise ValueError("a fact needs its source (label and url), unless it is the book's own "
                             "proposal: basis: proposal")
        return self

    @property
    def proposal(self) -> bool:
        return self.basis == "proposal"


class FactsFile(Model):
    facts: list[Fact] = Field(min_length=1)


class PageMeta(Model):
    """A free page's front matter."""

    title: Label
    summary: Markdown = ""
    marking: str = ""


@dataclass(frozen=True)
class PageTranslation:
    """A free page in another language (`reading-notes.ja.md`): its text, and the stamp of the
    source page body it was translated from (`translated_from:` in its front matter)."""

    lang: str
    title: str
    summary: str
    body: str
    body_line: int
    path: str
    stamp: Optional[str] = None


class TranslationMeta(Model):
    """A translated page's front matter: its own title and summary; the rest is the source page's."""

    title: str = ""
    summary: str = ""
    translated_from: str = Field(default="", pattern=r"^([0-9a-f]{8})?$")


@dataclass(frozen=True)
class Page:
    """A free Markdown page, its body as written (```chart fences included)."""

    id: str
    title: str
    summary: str
    body: str
    body_line: int  # line of the file where the Markdown body starts
    path: str
    meta: Optional[PageMeta] = None  # the front matter, which knows where it was read from
    charts: tuple[Optional[ChartBlock], ...] = ()  # the ```chart fences of the body, in order (None: left out)
    translations: dict[str, PageTranslation] = field(default_factory=dict)  # by language
    shown_as: str = ""  # a localized page: a `Shown` that says in what language its body is, and how it stands

    @property
    def key(self) -> dict[str, object]:
        """Return what `diff` compares: the text (each chart fence as `[chart N]`) and each chart block."""
        body, at = [], 0
        for number, fence in enumerate(chart_fences(self.body), 1):
            body += [self.body[at:fence.start], f"[chart {number}]"]
            at = fence.end
        body.append(self.body[at:])
        return {"title": self.title, "summary": self.summary, "body": "".join(body),
                "charts": [c.model_dump(mode="json") for c in self.charts if c is not None],
                **({"marking": self.marking} if self.marking else {})}

    @property
    def marking(self) -> str:
        return self.meta.marking if self.meta is not None else ""


__all__ = ["ChartBlock", "InvestmentFilter", "Issue", "Person", "Schedule", "ScheduleItem", "Fact",
           "FactsFile", "Page", "PageMeta", "PageTranslation", "TranslationMeta"]
