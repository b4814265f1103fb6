"""The briefing folder's `site.yaml`: what the book is about and how it is laid out."""

from __future__ import annotations

from datetime import date
from typing import Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PositiveFloat, field_validator

from .base import Markdown, Model, Points
from .fields import Ref, Slug, Url

# Sections a book can list in `nav`; free pages are added as `pages/<id>`.
SECTIONS = ("home", "programme", "issues", "people", "facts", "investment", "sources")


def check_timezone(value: str) -> str:
    """Accept an IANA time zone name such as America/New_York."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{value}': use an IANA name such as America/New_York") from None
    return value


class SourceRef(Model):
    """Where a figure or statement comes from."""

    label: str
    url: Url
    accessed: Optional[date] = None


class Event(Model):
    name: str
    start: date
    end: date
    place: str


class Currency(Model):
    """The rate used to show yen figures in dollars."""

    jpy_per_usd: PositiveFloat
    as_of: date
    source: SourceRef
    approximate: bool = False


class Sector(Model):
    id: Slug
    label: str


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

    _tz = field_validator("home_timezone")(check_timezone)

    def sector_label(self, sector_id: str) -> str:
        return next((s.label for s in self.sectors if s.id == sector_id), sector_id)
