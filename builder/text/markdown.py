"""Markdown in the book's text: converted once per distinct text, checked, sanitised, then placed.

A text is converted to a page-independent `Fragment`: sanitised HTML in which each
reference (`{fact:id}`, `{person:id}`, `{issue:id}`, `{state:TX}`) and each ```chart
fence is a numbered mark. `place` then turns the marks into links, cited figures and
charts for the page the text appears on. So a text shown on ten pages is converted once,
and what the validate stage checked is exactly what every page shows.

What Markdown may contain is decided here (`safety.py` holds the rules): no raw HTML
unless site.yaml allows a tag, no attributes that run or load anything, links only to
http(s), mailto or paths inside the book, images only from inside the book.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Iterable, Optional, Protocol, Sequence

import markdown
import nh3
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString
from markupsafe import Markup, escape

from ..cache import Store, digest
from ..geo import STATES
from ..model.base import REFERENCE
from ..model.book import Book
from ..model.content import Fact
from ..source.pages import chart_fences
from . import safety
from .locale import Words

_MARK = re.compile("\ue000(\\d+)\ue001")
_MARK_CHARS = re.compile("[\ue000\ue001]")
_FIGURE_PARAGRAPH = re.compile("<p>\ue000(\\d+)\ue001</p>")


@dataclass(frozen=True)
class TextProblem:
    """Something a text may not contain: the words to find it by in the text, and why."""

    needle: str
    message: str


@dataclass(frozen=True)
class Fragment:
    """A text converted to sanitised HTML; marks[n] is what `\\ue000n\\ue001` stands for."""

    html: str
    marks: tuple[tuple[str, str], ...] = ()  # (kind, id): fact, person, issue, state, or chart
    problems: tuple[TextProblem, ...] = ()


class _References(InlineProcessor):
    def __init__(self, converter: "Converter"):
        super().__init__(REFERENCE.pattern)
        self.converter = converter

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[Any, int, int]:  # type: ignore[override]  # noqa: N802
        return AtomicString(self.converter.mark(m.group(1), m.group(2) + m.group(3))), m.start(0), m.end(0)


class _ChartFences(Preprocessor):
    """Leave a mark, in a paragraph of its own, where each ```chart fence stands."""

    def __init__(self, md: markdown.Markdown, converter: "Converter"):
        super().__init__(md)
        self.converter = converter

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        fences = chart_fences(text)
        if not fences:
            return lines
        out, at = [], 0
        for index, fence in enumerate(fences):
            out += [text[at:fence.start], "\n\n", self.converter.mark("chart", str(index)), "\n\n"]
            at = fence.end
        out.append(text[at:])
        return "".join(out).split("\n")


class _Inspect(Treeprocessor):
    """Check every element Markdown made against the rules, removing what breaks them."""

    def __init__(self, md: markdown.Markdown, converter: "Converter"):
        super().__init__(md)
        self.converter = converter

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for name, value in list(element.attrib.items()):
                problem = safety.attribute_problem(element.tag, name, value)
                if problem:
                    self.converter.problems.append(TextProblem(_needle(name, value), problem))
                    del element.attrib[name]


def _needle(name: str, value: str) -> str:
    """Return what to look for in the source to find an attribute: the URL, or the name."""
    return value if name in ("href", "src") else name


class _Markdown(markdown.Extension):
    def __init__(self, converter: "Converter"):
        super().__init__()
        self.converter = converter

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.inlinePatterns.register(_References(self.converter), "briefing-reference", 175)
        # after normalize_whitespace (30), so that fences are found in text with normal line ends
        md.preprocessors.register(_ChartFences(md, self.converter), "briefing-chart-fences", 29)
        md.treeprocessors.register(_Inspect(md, self.converter), "briefing-inspect", 5)


class Converter:
    """Convert Markdown text to sanitised, page-independent fragments."""

    def __init__(self, allow_html: Iterable[str] = ()):
        self.allow_html = frozenset(allow_html)
        self.marks: list[tuple[str, str]] = []
        self.problems: list[TextProblem] = []
        self._md = markdown.Markdown(
            extensions=["tables", "sane_lists", "attr_list", "smarty", _Markdown(self)],
            output_format="html")

    def mark(self, kind: str, ref: str) -> str:
        self.marks.append((kind, ref))
        return f"\ue000{len(self.marks) - 1}\ue001"

    def convert(self, text: str, plain_fast: bool = True) -> Fragment:
        """Convert one text.

        Most texts of a book are one plain paragraph (a talking point, a line of background):
        with plain_fast, such a text is wrapped in <p> without running Markdown, which would give
        the same bytes (a test compares the two on every text of the sample and benchmark books).
        """
        if plain_fast and _plain_paragraph(text):
            return Fragment(f"<p>{text.strip()}</p>", (), ())
        self.marks, self.problems = [], []
        self._md.reset()
        converted = self._md.convert(_MARK_CHARS.sub("", text or ""))
        self.problems.extend(self._raw_html_problems(self._md.htmlStash.rawHtmlBlocks))
        clean = nh3.clean(converted, tags=set(safety.MARKDOWN_TAGS | self.allow_html),
                          attributes={k: set(v) for k, v in safety.ATTRIBUTES.items()},
                          url_schemes=set(safety.LINK_SCHEMES), link_rel=None, strip_comments=True,
                          filter_style_properties={"text-align"})
        return Fragment(clean, tuple(self.marks), tuple(self.problems))

    def _raw_html_problems(self, blocks: Iterable[Any]) -> list[TextProblem]:
        found = []
        for block in blocks:
            raw = str(block)
            if not raw.lstrip().startswith("<") or raw.lstrip().startswith("<!--"):
                continue  # entities, and comments (which are dropped from the page)
            for tag, attrs in _tags(raw):
                if tag not in self.allow_html:
                    found.append(TextProblem(f"<{tag}", safety.raw_html_message(tag)))
                    continue
                for name, value in attrs:
                    problem = safety.attribute_problem(tag, name, value or "")
                    if problem:
                        found.append(TextProblem(name, problem))
        return found


# Text with nothing Markdown, SmartyPants or HTML would change: letters (Latin, Japanese), digits,
# spaces, single line ends and plain punctuation; no quotes, dashes or dots SmartyPants turns into
# typography, no <, & or \, no braces (references), and nothing that starts a list, a heading, a
# quote, code or a line break.
_PLAIN = re.compile(r"[A-Za-z0-9 ,.;:?%$()/\n\u00a0-\u00ff\u0100-\u024f\u3001-\u30ff\u4e00-\u9fff-]*")
_NOT_PLAIN = re.compile(r"--|\.\.\.|\n\n|  \n|(^|\n)\s*(\d+[.)]|[-+*>#]|$)|^\s")


def _plain_paragraph(text: str) -> bool:
    """Return whether Markdown would make text one paragraph, each character as written."""
    return bool(text.strip()) and _PLAIN.fullmatch(text) is not None and _NOT_PLAIN.search(text.rstrip()) is None


def _tags(raw: str) -> list[tuple[str, list[tuple[str, Optional[str]]]]]:
    """Return the start tags (name, attributes) written in a piece of raw HTML."""
    found: list[tuple[str, list[tuple[str, Optional[str]]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
            found.append((tag, attrs))

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
            found.append((tag, attrs))

    parser = Collect(convert_charrefs=True)
    parser.feed(raw)
    parser.close()
    return found


def convert_cached(text: str, converter: Converter, store: Store[Any]) -> Fragment:
    """Return the fragment of a text, converting it only if no earlier build did."""
    key = ("markdown", digest(text, *sorted(converter.allow_html)))
    found = store.get(key)
    if found is None:
        found = store.put(key, converter.convert(text))
    return found


# --- placing a fragment on a page -----------------------------------------------------------

class Links(Protocol):
    """Where the pages that references link to live, in the output being made."""

    def person_url(self, person_id: str) -> str: ...

    def issue_url(self, issue_id: str) -> str: ...

    def state_url(self, code: str) -> str: ...

    def relative(self, target: str, from_url: str) -> str: ...

    def root_of(self, url: str) -> str: ...


@dataclass
class Citations:
    """The facts cited on one page, numbered in order of first use."""

    facts: list[Fact] = field(default_factory=list)
    uses: int = 0  # citations placed so far, each with its own anchor

    def number(self, fact: Fact) -> int:
        if fact not in self.facts:
            self.facts.append(fact)
        self.uses += 1
        return self.facts.index(fact) + 1


_RELATIVE_URL = re.compile(r'(href|src)="(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^"]*)"')


class TextRenderer:
    """Render the book's Markdown on the pages of one output."""

    def __init__(self, book: Book, links: Links, store: Optional[Store[Any]] = None, words: Words = Words()):
        self.book = book
        self.words = words
        self.figures = words.figures
        # what a mark on a text not in the page's language says, by status
        self.notes = {"missing": words.say("Not yet translated"), "stale": words.say("Translation out of date")}
        self.links = links
        self.store = store if store is not None else Store("Markdown")
        self.converter = Converter(book.config.markdown.allow_html)
        self.used: list[Any] = []  # the fragments the page being rendered used
        self.placed: set[tuple[str, str]] = set()  # the references it shows

    def shown(self, kind: str, ref: str) -> str:
        """Return a hash of what a `{kind:ref}` reference shows, so a page knows when to redraw it."""
        book = self.book
        ref = ref.split("|")[0]
        if kind == "fact" and ref in book.fact_by_id:
            return book.fact_by_id[ref].fingerprint
        if kind == "person" and ref in book.person_by_id:
            return digest(book.person_by_id[ref].name)
        if kind == "issue" and ref in book.issue_by_id:
            return digest(book.issue_by_id[ref].title)
        if kind == "state":
            return digest(ref, str(ref in STATES and STATES[ref] in book.states_with_data))
        return ""

    def fragment(self, text: str) -> Fragment:
        fragment = convert_cached(text, self.converter, self.store)
        self.used.append(("markdown", digest(text, *sorted(self.converter.allow_html))))
        return fragment

    def block(self, text: str, page_url: str, citations: Citations, figures: Sequence[str] = ()) -> Markup:
        """Render Markdown paragraphs, lists and tables (and chart fences, as the figures given).

        A text shown in another language than the page's, or translated from an older source
        text, is marked (`Shown.status`: missing, stale)."""
        placed = self.place(self.fragment(text), page_url, citations, figures)
        status = getattr(text, "status", "")
        if status:
            placed = (f'<div class="translation-{status}" lang="{_attr(getattr(text, "lang", ""))}" '
                      f'title="{_attr(self.notes.get(status, status))}">{placed}</div>')
        return Markup(placed)

    def inline(self, text: str, page_url: str, citations: Citations) -> Markup:
        """Render one line of Markdown without the surrounding paragraph."""
        html_text = str(self.place(self.fragment(text), page_url, citations, ()))
        if html_text.startswith("<p>") and html_text.endswith("</p>") and html_text.count("<p>") == 1:
            html_text = html_text[3:-4]
        status = getattr(text, "status", "")
        if status:
            html_text = (f'<span class="translation-{status}" lang="{_attr(getattr(text, "lang", ""))}" '
                         f'title="{_attr(self.notes.get(status, status))}">{html_text}</span>')
        return Markup(html_text)

    def place(self, fragment: Fragment, page_url: str, citations: Citations, figures: Sequence[str]) -> str:
        """Return a fragment's HTML for one page: links relative to it, figures numbered on it."""
        root = self.links.root_of(page_url)
        text = _RELATIVE_URL.sub(lambda m: f'{m.group(1)}="{root}{m.group(2)}"', fragment.html) if root \
            else fragment.html

        def chart(m: re.Match[str]) -> str:
            kind, ref = fragment.marks[int(m.group(1))]
            index = int(ref)
            return (figures[index] + "\n") if kind == "chart" and index < len(figures) else ""

        text = _FIGURE_PARAGRAPH.sub(chart, text)
        return _MARK.sub(lambda m: self._mark(fragment.marks[int(m.group(1))], page_url, citations), text)

    def _mark(self, mark: tuple[str, str], page_url: str, citations: Citations) -> str:
        kind, ref = mark
        self.placed.add(mark)
        book = self.book
        if kind == "person" and ref in book.person_by_id:
            return self._link(self.links.person_url(ref), book.person_by_id[ref].name, "ref-person", page_url)
        if kind == "issue" and ref in book.issue_by_id:
            return self._link(self.links.issue_url(ref), book.issue_by_id[ref].title, "ref-issue", page_url)
        if kind == "state" and ref in STATES:
            name = self.words.states[ref].name
            if STATES[ref] in book.states_with_data:
                return self._link(self.links.state_url(ref), name, "ref-state", page_url)
            return f"<span>{escape(name)}</span>"
        if kind == "fact":
            fact_id, *options = ref.split("|")
            if fact_id in book.fact_by_id:
                return self._figure(book.fact_by_id[fact_id], citations, tuple(options))
        if kind == "chart":
            return ""  # a chart fence in a text that shows no charts
        if kind in ("person", "issue", "fact"):
            # validation found the item, so the edition left it out: say so, show nothing of it
            return '<span class="withheld">[not in this edition]</span>'
        raise ValueError(f"unknown reference {{{kind}:{ref}}}")  # validation catches these first

    def _link(self, target: str, text: str, css: str, page_url: str) -> str:
        href = self.links.relative(target, page_url)
        return f'<a href="{_attr(href)}" class="{css}">{_text(text)}</a>'

    def _figure(self, fact: Fact, citations: Citations, options: tuple[str, ...] = ()) -> str:
        """Return a cited figure: its value (as the reference asks), its dollar value if in yen, a note number."""
        number = citations.number(fact)
        dollars = self.figures.in_dollars(fact.value, fact.unit, self.book.config.currency)
        shown = self.figures.written(fact.value, fact.unit, options)
        return (f'<span class="figure" title="{_attr(fact.label)}">{_text(shown)}'
                f'<sup class="cite"><a href="#cite-{number}" id="citeref-{citations.uses}">{number}</a>'
                f'</sup>{_text(self.figures.aside(dollars)) if dollars else ""}</span>')


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def _attr(value: str) -> str:
    return html.escape(value, quote=False).replace('"', "&quot;")
