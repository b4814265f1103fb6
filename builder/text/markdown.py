"""Markdown in the book's text, with references to facts, people, issues and states.

Writers cite a figure as `{fact:defense-fy2025}`: the page shows its value and
a numbered note giving the source and as-of date. `{person:trump}`,
`{issue:lng}` and `{state:TX}` become links. A ```chart fence in a page's
Markdown becomes the chart's figure, where it stands.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Optional, Protocol, Sequence

import markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markupsafe import Markup

from ..cache import Store
from ..geo import STATES
from ..model.base import REFERENCE
from ..model.book import Book
from ..model.content import Fact
from ..source.pages import chart_fences
from .figures import format_value, in_dollars

class Links(Protocol):
    """Where the pages that references link to live, in the output being made."""

    def person_url(self, person_id: str) -> str: ...

    def issue_url(self, issue_id: str) -> str: ...

    def state_url(self, code: str) -> str: ...

    def relative(self, target: str, from_url: str) -> str: ...


@dataclass
class Citations:
    """The facts cited on one page, numbered in order of first use."""

    facts: list[Fact] = field(default_factory=list)

    def number(self, fact: Fact) -> int:
        if fact not in self.facts:
            self.facts.append(fact)
        return self.facts.index(fact) + 1


class _ReferenceProcessor(InlineProcessor):
    def __init__(self, renderer: "TextRenderer"):
        super().__init__(REFERENCE.pattern)
        self.renderer = renderer

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[Any, int, int]:  # type: ignore[override]  # noqa: N802
        return self.renderer.reference(m.group(1), m.group(2)), m.start(0), m.end(0)


class _ChartFences(Preprocessor):
    """Put each ```chart fence's figure where the fence stands."""

    def __init__(self, md: markdown.Markdown, renderer: "TextRenderer"):
        super().__init__(md)
        self.renderer = renderer

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        fences = chart_fences(text)
        if not fences:
            return lines
        figures = self.renderer.figures
        out, at = [], 0
        for index, fence in enumerate(fences):
            html = figures[index] if index < len(figures) else ""
            out += [text[at:fence.start], "\n", self.md.htmlStash.store(html + "\n"), "\n"]
            at = fence.end
        out.append(text[at:])
        return "".join(out).split("\n")


class _BriefingText(markdown.Extension):
    def __init__(self, renderer: "TextRenderer"):
        super().__init__()
        self.renderer = renderer

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.inlinePatterns.register(_ReferenceProcessor(self.renderer), "briefing-reference", 175)
        md.preprocessors.register(_ChartFences(md, self.renderer), "briefing-chart-fences", 29)


class TextRenderer:
    """Render the book's Markdown for one page at a time, reusing earlier conversions."""

    def __init__(self, book: Book, links: Links, store: Optional[Store[Any]] = None):
        self.book = book
        self.links = links
        self.store = store if store is not None else Store("Markdown")
        self.page_url = ""
        self.citations = Citations()
        self.figures: Sequence[str] = ()
        self.used: list[Any] = []  # the conversions the page being rendered used
        self._md = markdown.Markdown(
            extensions=["tables", "sane_lists", "attr_list", "smarty", _BriefingText(self)],
            output_format="html")

    @cached_property
    def references_key(self) -> str:
        """Return a hash of everything a `{kind:id}` reference can show."""
        book = self.book
        parts = [book.config.currency.model_dump(mode="json"),
                 [f.model_dump(mode="json") for f in book.facts],
                 [(p.id, p.name) for p in book.people], [(i.id, i.title) for i in book.issues],
                 [s.code for s in book.states_with_data]]
        body = json.dumps(parts, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def block(self, text: str, page_url: str, citations: Citations, figures: Sequence[str] = ()) -> Markup:
        """Render Markdown paragraphs, lists and tables (and chart fences, as the figures given)."""
        key = (text, page_url, tuple(f.id for f in citations.facts), self.references_key, tuple(figures))
        self.used.append(key)
        found = self.store.get(key)
        if found is not None:
            html, cited = found
            for fact in cited:
                citations.number(fact)
            return Markup(html)
        self.page_url, self.citations, self.figures = page_url, citations, figures
        self._md.reset()
        html = self._md.convert(text or "")
        self.store.put(key, (html, list(citations.facts)))
        return Markup(html)

    def inline(self, text: str, page_url: str, citations: Citations) -> Markup:
        """Render one line of Markdown without the surrounding paragraph."""
        html = str(self.block(text, page_url, citations))
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Markup(html)

    def _link(self, target: str, text: str, css: str) -> etree.Element:
        element = etree.Element("a")
        element.set("href", self.links.relative(target, self.page_url))
        element.set("class", css)
        element.text = text
        return element

    def reference(self, kind: str, ref: str) -> etree.Element:
        """Return the element for one `{kind:ref}` reference."""
        book = self.book
        if kind == "person" and ref in book.person_by_id:
            return self._link(self.links.person_url(ref), book.person_by_id[ref].name, "ref-person")
        if kind == "issue" and ref in book.issue_by_id:
            return self._link(self.links.issue_url(ref), book.issue_by_id[ref].title, "ref-issue")
        if kind == "state" and ref in STATES:
            name = STATES[ref].name
            if STATES[ref] in book.states_with_data:
                return self._link(self.links.state_url(ref), name, "ref-state")
            element = etree.Element("span")
            element.text = name
            return element
        if kind == "fact" and ref in book.fact_by_id:
            return self.fact_element(book.fact_by_id[ref])
        raise ValueError(f"unknown reference {{{kind}:{ref}}}")  # validation catches these first

    def fact_element(self, fact: Fact) -> etree.Element:
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
