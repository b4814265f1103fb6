"""Select: the part of the book one edition shows.

Every stage after this one reads only the book it returns, so content an edition leaves
out cannot reach its pages, charts, data or files in any form. Selection fails closed: an
item is kept only when its marking (its own, else its container's, else the scheme's
default) is at or below the edition's ceiling and releasable where the edition goes.

What is left out is listed (`briefing check --edition`) and fingerprinted, so that the
build can prove afterwards that none of it reached the output (`audit`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence, TypeVar

from .errors import BriefingError, Problem, did_you_mean
from .model.base import MarkedText, Model, Translated, values
from .model.book import Book
from .model.config import Edition
from .model.content import Issue, Page, Person
from .model.markings import Marking, Scheme
from .validate.references import every_item

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class LeftOut:
    """Something an edition leaves out, where it is written, and why."""

    what: str  # "issue nippon-steel", "red_lines[1] of issue tariffs"
    at: Problem  # its place in the book (the message says why)
    texts: tuple[str, ...]  # what it says, for the leak audit


@dataclass(frozen=True)
class Selection:
    """An edition's book, and what it left out."""

    book: Book
    edition: Optional[Edition]
    left_out: tuple[LeftOut, ...] = ()


def find_edition(book: Book, name: str) -> Edition:
    """Return the edition of this name, or raise BriefingError listing the known ones."""
    known = [e.name for e in book.config.editions]
    for edition in book.config.editions:
        if edition.name == name:
            return edition
    listed = ", ".join(known) if known else "none (declare them under `editions:` in site.yaml)"
    raise BriefingError(f"unknown edition '{name}': this book's editions are {listed}{did_you_mean(name, known)}")


def select(book: Book, edition: Optional[str] = None) -> Book:
    """Return the book as the named edition shows it (the whole book when no edition is named)."""
    return choose(book, edition).book


def choose(book: Book, name: Optional[str] = None) -> Selection:
    """Return the book one edition shows, with what it leaves out and why."""
    if name is None:
        return Selection(book, None)
    edition = find_edition(book, name)
    scheme = book.config.scheme
    assert scheme is not None  # site.yaml cannot declare editions without markings
    return _Selector(book, edition, scheme).run()


class _Selector:
    def __init__(self, book: Book, edition: Edition, scheme: Scheme):
        self.book, self.edition, self.scheme = book, edition, scheme
        self.ceiling = scheme.parse(edition.ceiling)
        self.sections = set(edition.sections) if edition.sections else set(book.config.nav)
        self.left_out: list[LeftOut] = []

    # --- the rule ------------------------------------------------------------------------------
    def marking(self, text: str, inherited: Optional[Marking] = None) -> Marking:
        return self.scheme.parse(text) if text else (inherited or self.scheme.lowest)

    def refusal(self, marking: Marking) -> str:
        """Return why content with this marking is left out of the edition, or '' if it is kept."""
        if marking.level > self.ceiling.level:
            return f"marked {marking.banner}, above the edition's ceiling {self.ceiling.banner}"
        if not marking.releasable_to(self.edition.release_to):
            return f"marked {marking.banner}, not releasable to {', '.join(self.edition.release_to)}"
        return ""

    def leave(self, what: str, item: Model, loc: tuple[Any, ...], why: str, texts: Iterable[str]) -> None:
        self.left_out.append(LeftOut(what, item.problem(*loc, message=f"{what}: {why}", severity="warning"),
                                     tuple(t for t in texts if t)))

    def keep(self, item: M, what: str, inherited: Optional[Marking] = None, section: str = "") -> Optional[M]:
        """Return the item as the edition shows it (its entries filtered), or None if it is left out."""
        own = self.marking(getattr(item, "marking", ""), inherited)
        why = self.refusal(own)
        if not why and section and section not in self.sections:
            why = f"its section, {section}, is not in the edition"
        if not why and isinstance(item, Issue) and self.edition.statuses and item.status not in self.edition.statuses:
            why = f"its status is {item.status}; the edition takes {', '.join(self.edition.statuses)}"
        if why:
            self.leave(what, item, ("marking",) if getattr(item, "marking", "") else (), why, _texts(item))
            return None
        return self.entries(item, what, own)

    def entries(self, item: M, what: str, own: Marking) -> M:
        """Return an item with the entries of its lists the edition may not show taken out."""
        changes: dict[str, Any] = {}
        for name, field in type(item).model_fields.items():
            value = getattr(item, name)
            if not isinstance(value, list) or not value:
                continue
            kept = []
            for i, entry in enumerate(value):
                text = getattr(entry, "marking", "") if isinstance(entry, (MarkedText, Model)) else ""
                why = self.refusal(self.marking(text, own)) if text else ""
                if why:
                    key = field.alias or name
                    self.leave(f"{key}[{i}] of {what}", item, (key, i), why,
                               _texts(entry) if isinstance(entry, Model) else _languages(entry))
                else:
                    kept.append(entry)
            if len(kept) != len(value):
                changes[name] = kept
        return _copy(item, changes) if changes else item

    # --- the book ------------------------------------------------------------------------------
    def run(self) -> Selection:
        book = self.book
        issues = self._all(book.issues, lambda i: self.keep(i, f"issue {i.id}", section="issues"))
        people = self._all(book.people, lambda p: self.keep(p, f"person {p.id}", section="people")
                           if p.id not in (book.config.principal, book.config.counterpart)
                           else self.keep(p, f"person {p.id}"))
        facts = self._all(book.facts, lambda f: self.keep(f, f"fact {f.id}", section="facts"))
        investments = self._all(book.investments, lambda r: self.keep(r, f"investment record {r.id}",
                                                                      section="investment"))
        figures = self._all(book.state_figures, lambda r: self.keep(r, f"state figure {r.state} {r.label}",
                                                                     section="investment"))
        schedule = book.schedule
        if schedule is not None:
            if "programme" not in self.sections:
                self.leave("the programme", schedule, (), "its section, programme, is not in the edition",
                           _texts(schedule))
                schedule = None
            else:
                schedule = self.entries(schedule, "the programme", self.scheme.lowest)
        pages = []
        for page in book.pages:
            kept = self._page(page)
            if kept is not None:
                pages.append(kept)
        ids = {"person": {p.id for p in people}, "issue": {i.id for i in issues}, "fact": {f.id for f in facts}}
        issues = [_copy(i, {"related_people": [p for p in i.related_people if p in ids["person"]],
                            "related_facts": [f for f in i.related_facts if f in ids["fact"]],
                            "related_issues": [r for r in i.related_issues if r in ids["issue"]]}) for i in issues]
        if schedule is not None:
            schedule = _copy(schedule, {"items": [
                _copy(item, {"participants": [p for p in item.participants if p in ids["person"]],
                             "briefs": [b for b in item.briefs if b in ids["issue"]]}) for item in schedule.items]})
        page_ids = {p.id for p in pages}
        nav = [key for key in book.config.nav if key in self.sections
               and (not key.startswith("pages/") or key[6:] in page_ids)]
        config = book.config
        cover = self.marking(config.marking)
        why = self.refusal(cover)
        if why:
            self.leave("the cover's summary and objectives", config, ("marking",), why,
                       [text for value in (config.summary, *config.objectives) for text in _languages(value)])
            config = _copy(config, {"summary": "", "objectives": []})
        else:
            config = self.entries(config, "the cover", cover)
        config = _copy(config, {"nav": nav})
        used_specs = {b.spec for i in issues for b in i.charts} | {b.spec for p in pages for b in p.charts if b}
        chosen = Book(config, tuple(issues), tuple(people), schedule, tuple(facts), tuple(pages),
                      tuple(investments), tuple(figures),
                      {k: v for k, v in book.specs.items() if k in used_specs})
        return Selection(chosen, self.edition, tuple(self.left_out))

    def _all(self, items: Sequence[M], keep: Callable[[M], Optional[M]]) -> list[M]:
        return [kept for kept in map(keep, items) if kept is not None]

    def _page(self, page: Page) -> Optional[Page]:
        own = self.marking(page.marking)
        why = self.refusal(own)
        if not why and f"pages/{page.id}" in self.book.config.nav and f"pages/{page.id}" not in self.sections:
            why = f"its section, pages/{page.id}, is not in the edition"
        where = page.meta if page.meta is not None else None
        if why:
            if where is not None:
                translated = page.translations.values()
                self.leave(f"page {page.id}", where, (), why, [*_languages(page.title), *_languages(page.summary),
                                                                page.body, *(t.body for t in translated),
                                                                *(t.title for t in translated)])
            return None
        charts: list[Any] = []
        for i, block in enumerate(page.charts):
            why = self.refusal(self.marking(block.marking, own)) if block is not None and block.marking else ""
            if why and block is not None:
                self.leave(f"chart {i + 1} of page {page.id}", block, (), why, _texts(block))
                charts.append(None)
            else:
                charts.append(block)
        return replace(page, charts=tuple(charts))


def _copy(item: M, changes: dict[str, Any]) -> M:
    """Return a copy of an item with some fields changed, keeping where it was read from."""
    if all(getattr(item, k) == v for k, v in changes.items()):
        return item
    copy = item.model_copy(update=changes)
    copy._fingerprint = None  # what it holds changed: so does its hash
    return copy


def _texts(item: Model) -> list[str]:
    """Return every text of an item, in every language it is written in."""
    return [text for v in values(item) if isinstance(v.value, str) and v.value for text in _languages(v.value)]


def _languages(value: str) -> list[str]:
    return list(value.texts.values()) if isinstance(value, Translated) else [str(value)]


# --- the leak audit -------------------------------------------------------------------------------

_MARKUP = re.compile(r"[*_`#\[\]{}()|<>\n]+|\{[a-z]+:[^}]*\}")
_SPACE = re.compile(r"\s+")
_JSON_ESCAPE = re.compile(r'\\(["\\/nrt])')
_JSON_CHARS = {"n": " ", "r": " ", "t": " "}
NEEDLE_CHARS = 24  # a fragment of left-out text this long is distinctive enough to look for


@lru_cache(maxsize=1)
def _own_words() -> str:
    """Return the text briefing itself writes on pages (its code and its default theme)."""
    base = Path(__file__).resolve().parent
    parts = [p.read_text(encoding="utf-8") for folder in (base, base.parent / "templates") if folder.is_dir()
             for p in sorted(folder.rglob("*")) if p.suffix in (".py", ".html", ".js")]
    return _SPACE.sub(" ", "\n".join(parts))


def needles(selection: Selection) -> dict[str, LeftOut]:
    """Return distinctive fragments of what an edition left out, each with the item it comes from.

    A fragment that the edition's own content also contains (a shared phrase), or that briefing
    itself writes (a chart's title), is not one.
    """
    candidates: dict[str, LeftOut] = {}
    for left in selection.left_out:
        for text in left.texts:
            for piece in _MARKUP.split(text):
                piece = _SPACE.sub(" ", piece).strip(" .,;:-–—'\"")
                if len(piece) >= NEEDLE_CHARS:
                    candidates.setdefault(piece, left)
    if not candidates:
        return {}
    automaton = _automaton(candidates)
    shared = {word for text in _shown(selection.book) for _, word in automaton.iter(text)}
    return {k: v for k, v in candidates.items() if k not in shared}


def _shown(book: Book) -> Iterable[str]:
    """Yield the text an edition shows of its own accord: its content, and briefing's own words."""
    yield _own_words()
    for item in every_item(book):
        for value in values(item):
            if isinstance(value.value, str):
                yield from (_SPACE.sub(" ", text) for text in _languages(value.value))
    for page in book.pages:
        yield _SPACE.sub(" ", page.body)
        yield from (_SPACE.sub(" ", t.body) for t in page.translations.values())


def _automaton(words: Iterable[str]) -> Any:
    """Return an Aho–Corasick automaton that finds any of the words in one pass over a text."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


def audit(selection: Selection, files: dict[str, bytes],
          readable: Callable[[str, bytes], bytes] = lambda path, data: data) -> list[Problem]:
    """Scan every byte of every output file for what the edition left out; return each hit, located.

    readable gives the text of a file that holds it packed (the search index)."""
    found = needles(selection)
    if not found:
        return []
    automaton = _automaton(found)
    problems = []
    for path, data in sorted(files.items()):
        text = readable(path, data).decode("utf-8", errors="replace")
        text = text.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
        text = _JSON_ESCAPE.sub(lambda m: _JSON_CHARS.get(m.group(1), m.group(1)), text)  # text in scripts and data
        text = _SPACE.sub(" ", html.unescape(text))
        for _, needle in automaton.iter(text):
            left = found[needle]
            problems.append(replace(left.at, severity="error", message=(
                f"{left.at.message}, yet its text \"{needle[:60]}\" is in {path}: the edition is not written")))
            break
    return problems


def report(selection: Selection) -> list[Problem]:
    """Return what an edition leaves out, each where it is written and why (`briefing check --edition`)."""
    return [left.at for left in selection.left_out]
