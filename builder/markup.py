"""Markdown in the book's text, with references to facts, people, issues and states.

Writers cite a figure as `{fact:defense-fy2025}`: the page shows its value and
a numbered note giving the source and as-of date. `{person:trump}`,
`{issue:lng}` and `{state:TX}` become links.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import markdown
from markdown.inlinepatterns import InlineProcessor
from markupsafe import Markup

from . import urls
from .figures import format_value, in_dollars
from .geo import STATES

if TYPE_CHECKING:
    from .book import Book
    from .content import Fact

REFERENCE = re.compile(r"\{(fact|person|issue|state):([A-Za-z0-9-]+)\}")

# Fields written in Markdown, where references work; every other text field is shown as written.
MARKUP_FIELDS = frozenset({
    "summary", "objectives", "objective", "background", "our_position", "their_position",
    "points_to_make", "asks", "red_lines", "press_line", "item", "conditional_on", "q", "a",
    "risk", "mitigation", "relationship", "handling_notes", "interests", "note", "notes",
})


@dataclass
class Citations:
    """The facts cited on one page, numbered in order of first use."""

    facts: list["Fact"] = field(default_factory=list)

    def number(self, fact: "Fact") -> int:
        if fact not in self.facts:
            self.facts.append(fact)
        return self.facts.index(fact) + 1


class _ReferenceProcessor(InlineProcessor):
    def __init__(self, renderer: "TextRenderer"):
        super().__init__(REFERENCE.pattern)
        self.renderer = renderer

    def handleMatch(self, m: re.Match, data: str) -> tuple[Any, int, int]:  # noqa: N802
        return self.renderer.reference(m.group(1), m.group(2)), m.start(0), m.end(0)


class _References(markdown.Extension):
    def __init__(self, renderer: "TextRenderer"):
        super().__init__()
        self.renderer = renderer

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.inlinePatterns.register(_ReferenceProcessor(self.renderer), "briefing-reference", 175)


# Converted Markdown by (text, page, citations so far, everything references show): a
# long-running `briefing serve` converts only the text that changed.
_converted: dict[tuple, tuple[str, list]] = {}


class TextRenderer:
    """Render the book's Markdown for one page at a time."""

    def __init__(self, book: "Book"):
        self.book = book
        self.page_url = urls.HOME
        self.citations = Citations()
        self._md = markdown.Markdown(
            extensions=["tables", "sane_lists", "attr_list", "smarty", _References(self)],
            output_format="html")

    def block(self, text: str, page_url: str, citations: Citations) -> Markup:
        """Render Markdown paragraphs, lists and tables."""
        key = (text, page_url, tuple(f.id for f in citations.facts), self.book.reference_key)
        if key in _converted:
            html, cited = _converted[key]
            for fact in cited:
                citations.number(fact)
            return Markup(html)
        self.page_url, self.citations = page_url, citations
        self._md.reset()
        html = self._md.convert(text or "")
        if len(_converted) > 20000:
            _converted.clear()
        _converted[key] = (html, list(citations.facts))
        return Markup(html)

    def inline(self, text: str, page_url: str, citations: Citations) -> Markup:
        """Render one line of Markdown without the surrounding paragraph."""
        html = str(self.block(text, page_url, citations))
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Markup(html)

    def _link(self, target: str, text: str, css: str) -> etree.Element:
        element = etree.Element("a")
        element.set("href", urls.relative(target, self.page_url))
        element.set("class", css)
        element.text = text
        return element

    def reference(self, kind: str, ref: str) -> etree.Element:
        """Return the element for one `{kind:ref}` reference."""
        book = self.book
        if kind == "person" and ref in book.person_by_id:
            return self._link(urls.person_url(ref), book.person_by_id[ref].name, "ref-person")
        if kind == "issue" and ref in book.issue_by_id:
            return self._link(urls.issue_url(ref), book.issue_by_id[ref].title, "ref-issue")
        if kind == "state" and ref in STATES:
            name = STATES[ref].name
            if STATES[ref] in book.states_with_data:
                return self._link(urls.state_url(ref), name, "ref-state")
            element = etree.Element("span")
            element.text = name
            return element
        if kind == "fact" and ref in book.fact_by_id:
            return self.fact_element(book.fact_by_id[ref])
        raise ValueError(f"unknown reference {{{kind}:{ref}}}")  # validation catches these first

    def fact_element(self, fact: "Fact") -> etree.Element:
        """Return a cited figure: its value, its dollar value if in yen, and a note number."""
        number = self.citations.number(fact)
        span = etree.Element("span", {"class": "figure", "title": fact.label})
        span.text = format_value(fact.value, fact.unit)
        dollars = in_dollars(fact.value, fact.unit, self.book.config.currency)
        sup = etree.SubElement(span, "sup", {"class": "cite"})
        note = etree.SubElement(sup, "a", {"href": f"#cite-{number}", "id": f"citeref-{fact.id}-{number}"})
        note.text = str(number)
        if dollars:
            sup.tail = f" ({dollars})"
        return span
