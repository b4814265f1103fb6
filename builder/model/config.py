"""The briefing folder's `site.yaml`: what the book is about and how it is laid out."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PositiveFloat, PositiveInt, PrivateAttr, field_validator, model_validator

from .base import LANGUAGE, Dated, Label, Markdown, Model, Points
from .fields import Published, Ref, Slug, Url, one_of
from .markings import SCHEMES, Scheme, custom_scheme

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
    name: Label
    start: date
    end: date
    place: Label


class Currency(Model):
    """The rate used to show yen figures in dollars."""

    jpy_per_usd: PositiveFloat
    as_of: Annotated[date, Dated("as of")]
    source: SourceRef
    approximate: bool = False


class Sector(Model):
    id: Slug
    label: Label


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


class LevelSpec(Model):
    """One level of a book's own marking scheme: its name and its short portion form."""

    name: str = Field(min_length=1)
    portion: str = Field(min_length=1)


class MarkingSettings(Model):
    """The marking scheme: one that ships with briefing, or the book's own ordered levels."""

    scheme: Optional[one_of("marking scheme", tuple(SCHEMES))] = None  # type: ignore[valid-type]
    levels: list[LevelSpec] = Field(default_factory=list)  # lowest first
    caveats: list[str] = Field(default_factory=list)
    default: str = ""  # the marking of unmarked content (default: the lowest level)
    portion_marks: bool = False  # show (C) before each marked paragraph and list entry
    require: bool = False  # every item must carry its own marking
    ceiling: str = ""  # nothing in the book may be marked above this

    @model_validator(mode="after")
    def _one_scheme(self) -> "MarkingSettings":
        if (self.scheme is None) == (not self.levels):
            raise ValueError("name a scheme (scheme: government or tlp) or list your own levels, not both")
        if self.levels:
            try:
                custom_scheme([(lv.name, lv.portion) for lv in self.levels], self.caveats, self.default)
            except ValueError as exc:
                raise ValueError(str(exc)) from None
        return self

    @property
    def built(self) -> Scheme:
        """Return the scheme these settings describe."""
        if self.scheme is not None:
            base = SCHEMES[self.scheme]
            default = base.level(self.default) if self.default else None
            return Scheme(base.name, base.levels, base.caveats, default or base.default, base.translated)
        return custom_scheme([(lv.name, lv.portion) for lv in self.levels], self.caveats, self.default)


class Edition(Model):
    """One book made from the content: for whom, and what of it they may see."""

    name: Slug
    title: Label
    ceiling: str  # the highest marking this edition may show
    release_to: list[str] = Field(default_factory=list)  # only content releasable to these countries
    statuses: list[one_of("status", ("draft", "cleared", "final"))] = Field(  # type: ignore[valid-type]
        default_factory=list)  # only papers with these statuses (default: all)
    sections: list[str] = Field(default_factory=list)  # only these sections (default: the book's nav)


class PrintSettings(Model):
    """How `briefing pdf` lays out the printed book."""

    page_size: one_of("page size", ("A4", "letter")) = "A4"  # type: ignore[valid-type]


class Config(Model):
    """Everything in site.yaml."""

    title: Label
    subtitle: Label = ""
    language: str = "en"
    languages: list[str] = Field(default_factory=list)  # a book in several: the one it is written in first
    organisation: Label = ""
    doc_number: str = ""
    version: str = ""
    event: Event
    principal: Ref.person
    counterpart: Ref.person
    as_of: date
    classification: str = ""  # a fixed banner, for a book without markings
    markings: Optional[MarkingSettings] = None  # with markings, each page's banner is computed
    editions: list[Edition] = Field(default_factory=list)
    home_timezone: str = "UTC"
    summary: Markdown = ""
    objectives: Points = Field(default_factory=list)
    marking: str = ""  # of the cover's summary and objectives (each objective may carry its own)
    nav: list[str] = Field(default_factory=lambda: list(SECTIONS))
    currency: Currency
    sectors: list[Sector] = Field(min_length=1)
    markdown: MarkdownSettings = Field(default_factory=MarkdownSettings)
    limits: Limits = Field(default_factory=Limits)
    figures: FigureChecks = Field(default_factory=FigureChecks)
    print: PrintSettings = Field(default_factory=PrintSettings)
    _labels: Optional[dict[str, str]] = PrivateAttr(default=None)

    _tz = field_validator("home_timezone")(check_timezone)

    @model_validator(mode="after")
    def _banner(self) -> "Config":
        if self.markings is None and not self.classification:
            raise ValueError("give the book's banner: `classification: UNCLASSIFIED`, or a marking scheme "
                             "under `markings:` so that each page's banner is computed from what it shows")
        if self.markings is not None and self.classification:
            raise ValueError("with `markings:`, each page's banner is computed from what it shows: "
                             "remove `classification:`")
        if self.editions and self.markings is None:
            raise ValueError("editions choose content by marking: declare `markings:` first")
        for code in self.languages:
            if not LANGUAGE.match(code):
                raise ValueError(f"'{code}' in `languages:` is not a language code: use two or three "
                                 "lowercase letters, such as en or ja")
        if len(set(self.languages)) != len(self.languages):
            raise ValueError("`languages:` names a language twice")
        if self.languages and "language" in self.model_fields_set and self.language != self.languages[0]:
            raise ValueError("`language:` and `languages:` disagree: the book's own language is the first of "
                             "`languages:`; remove `language:`")
        return self

    @property
    def lang(self) -> str:
        """Return the language the book is written in (the first of `languages:`)."""
        return self.languages[0] if self.languages else self.language

    @property
    def scheme(self) -> Optional[Scheme]:
        return self.markings.built if self.markings is not None else None

    def sector_label(self, sector_id: str) -> str:
        """Return a sector's label (its id when site.yaml does not list it)."""
        private = self.__pydantic_private__ or {}
        labels = private.get("_labels")
        if labels is None:
            labels = {s.id: s.label for s in self.sectors}
            self._labels = labels
        return labels.get(sector_id, sector_id)
