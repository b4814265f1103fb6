"""The briefing folder's `site.yaml`: what the book is about and how it is laid out."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PositiveFloat, field_validator

from .errors import Problem
from .schema import Model, Slug, Url, validate
from .source import SourceError, parse_yaml, read_text

CONFIG_FILE = "site.yaml"

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
    principal: Slug
    counterpart: Slug
    as_of: date
    classification: str = Field(min_length=1)
    home_timezone: str = "UTC"
    summary: str = ""
    objectives: list[str] = Field(default_factory=list)
    nav: list[str] = Field(default_factory=lambda: list(SECTIONS))
    currency: Currency
    sectors: list[Sector] = Field(min_length=1)

    _tz = field_validator("home_timezone")(check_timezone)

    def sector_label(self, sector_id: str) -> str:
        return next((s.label for s in self.sectors if s.id == sector_id), sector_id)


def load_config(root: Path) -> tuple[Optional[Config], list[Problem]]:
    """Read site.yaml; return the config (None if it has mistakes) and the problems found."""
    if not (root / CONFIG_FILE).is_file():
        where = root.resolve()
        return None, [Problem(CONFIG_FILE, 0, 0, "", f"not found in {where}: is --site pointing at a "
                              "briefing folder? `briefing init DIR` starts a new one")]
    try:
        doc = parse_yaml(read_text(root, CONFIG_FILE), CONFIG_FILE)
    except SourceError as exc:
        return None, [exc.problem]
    if doc.data is None:
        return None, [Problem(CONFIG_FILE, 1, 1, "", "the file is empty; it needs at least title, "
                              "event, principal, counterpart, as_of, classification, currency "
                              "and sectors")]
    config, problems = validate(Config, doc.data, doc)
    return config, doc.problems + problems
