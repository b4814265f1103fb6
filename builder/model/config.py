"""The briefing folder's `site.yaml`: what the book is about and how it is laid out."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PositiveFloat, PositiveInt, PrivateAttr, field_validator

from .base import Dated, Markdown, Model, Points
from .fields import Published, Ref, Slug, Url, one_of

# Sections a book can list in `nav`; free pages are added as `pages/<id>`.
SECTIONS = ("home", "programme", "issues", "people", "facts", "investment", "sources")


def check_timezone(value: str) -> str:
    """Accept an IANA time zone name such as America/New_York."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long to be a file
        raise ValueError(f"unknown time zone '{value[:60]}': use an IANA name such as America/New_York") from None
    return value


class SourceRef(Model):
    """Where a figure or statement comes from."""

    label: str
    url: Url
    published: Optional[Published] = None
    accessed: Optional[date] = None


class Event(Model):
    name: str
    start: date
    end: date
    place: str


class Currency(Model):
    """The rate used to show yen figures in dollars."""

    jpy_per_usd: PositiveFloat
    as_of: Annotated[date, Dated("as of")]
    source: SourceRef
    approximate: bool = False


class Sector(Model):
    id: Slug
    label: str


ALLOWABLE_HTML = ("abbr", "b", "i", "u", "s", "sup", "sub", "small", "mark", "kbd", "q", "cite", "dfn",
                  "br", "wbr", "span", "del", "ins")
"""The raw-HTML tags a book may allow in its Markdown: inline tags that neither run nor load anything."""


class MarkdownSettings(Model):
    """What the book's Markdown may contain beyond Markdown itself."""

    allow_html: list[one_of("tag", ALLOWABLE_HTML)] = Field(default_factory=list)  # type: ignore[valid-type]


class Limits(Model):
    """Bounds on what the build reads, so that no file can exhaust the machine."""

    file_size_mb: PositiveFloat = 25
    yaml_values: PositiveInt = 200_000  # values in one YAML file, counting what aliases repeat


class FigureChecks(Model):
    """How the build holds the book's figures to its as-of date."""

    stale_after_years: PositiveFloat = 2  # a fact older than this before the book's as-of is "dated"


class Config(Model):
    """Everything in site.yaml."""

    title: str
    subtitle: str = ""
    language: str = "en"
    organisation: str = ""
    doc_number: str = ""
    version: str = ""
    event: Event
    principal: Ref.person
    counterpart: Ref.person
    as_of: date
    classification: str = Field(min_length=1)
    home_timezone: str = "UTC"
    summary: Markdown = ""
    objectives: Points = Field(default_factory=list)
    nav: list[str] = Field(default_factory=lambda: list(SECTIONS))
    currency: Currency
    sectors: list[Sector] = Field(min_length=1)
    markdown: MarkdownSettings = Field(default_factory=MarkdownSettings)
    limits: Limits = Field(default_factory=Limits)
    figures: FigureChecks = Field(default_factory=FigureChecks)
    _labels: Optional[dict[str, str]] = PrivateAttr(default=None)

    _tz = field_validator("home_timezone")(check_timezone)

    def sector_label(self, sector_id: str) -> str:
        """Return a sector's label (its id when site.yaml does not list it)."""
        private = self.__pydantic_private__ or {}
        labels = private.get("_labels")
        if labels is None:
            labels = {s.id: s.label for s in self.sectors}
            self._labels = labels
        return labels.get(sector_id, sector_id)
