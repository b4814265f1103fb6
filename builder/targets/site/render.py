"""Render: the planned pages through Jinja templates, each reused when nothing it shows changed.

Where templates come from, and the environment each language renders them with, is
`templates.py`.

A rendered page is kept in the build cache with what it read: its own context,
what every page shares (navigation, settings, stamp, the templates), and the
whole book if its template touched `book`. It is reused while all of those match.
"""

from __future__ import annotations

import hashlib
from html import escape
import json
import traceback
from dataclasses import dataclass, is_dataclass, replace
from functools import cached_property
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Optional
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup
from pydantic import BaseModel

from ...cache import BuildCache, Store
from ...charts.base import Chart
from ...errors import ContentError, Problem
from ...geo import State
from ...model.base import Model, Shown, Translated
from ...model.book import Book
from ...source import TEMPLATES_DIR
from ...languages import NAMES
from ...text.locale import words_for
from ...text.markdown import Citations, TextRenderer
from ...text.safety import CONTENT_SECURITY_POLICY
from . import urls
from .plan import PagePlan, SitePlan, change_url
from .templates import TemplateOutsideBook, catalog_names, make_environment, template_dirs

class BookView:
    """The book as templates see it: notes that the page read it, so the page depends on all of it."""

    def __init__(self, book: Book, on_read: Callable[[], None]):
        self._book = book
        self._on_read = on_read

    def __getattr__(self, name: str) -> Any:
        self._on_read()
        return getattr(self._book, name)


def fingerprint(value: Any, kept: Optional[Store[Any]] = None) -> str:
    """Return a hash of what a page could show of a value of its context.

    kept remembers the hashes of long tuples by identity: the records of a state or of a filter are
    the same tuple from one build to the next while their file is unchanged.
    """
    return hashlib.sha256(_plain(value, kept).encode("utf-8")).hexdigest()


def _dataclass_plain(value: Any, kept: Optional[Store[Any]]) -> str:
    return type(value).__name__ + "(" + ",".join(_plain(getattr(value, f), kept)
                                                 for f in value.__dataclass_fields__) + ")"


def _plain(value: Any, kept: Optional[Store[Any]] = None) -> str:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return repr(value)
    if isinstance(value, Model):
        return value.fingerprint
    if kept is not None and isinstance(value, tuple) and len(value) > 32:
        known = kept.get(id(value))
        if known is None or known[0] is not value:
            known = kept.put(id(value), (value, fingerprint(value)))
        return str(known[1])
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    if isinstance(value, Chart):
        return value.fingerprint
    if isinstance(value, State):
        return value.code
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_plain(v, kept) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{str(k)!r}:{_plain(v, kept)}" for k, v in sorted(value.items())) + "}"
    if is_dataclass(value) and not isinstance(value, type):
        if kept is not None and type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]
            known = kept.get(("dataclass", id(value)))
            if known is None or known[0] is not value:
                known = kept.put(("dataclass", id(value)), (value, _dataclass_plain(value, kept)))
            return str(known[1])
        return _dataclass_plain(value, kept)
    return json.dumps(value, sort_keys=True, default=str)


@dataclass(frozen=True)
class KeptPage:
    """A rendered page in the build cache, with what it was rendered from."""

    inputs: tuple[str, str]  # its own context, and what all pages share
    read_book: bool  # its template read the book, so any change to the book redraws it
    book_key: str
    html: bytes
    markdown: tuple[Any, ...]  # the Markdown conversions it used, kept while the page is
    references: tuple[tuple[str, str, str], ...]  # (kind, id, what it showed) of each reference on it


class Renderer:
    """Render the pages of one site plan."""

    def __init__(self, site: SitePlan, root: Path, cache: BuildCache):
        self.site = site
        self.book = site.book
        self.root = root
        self.cache = cache
        self.dirs = template_dirs(root)
        self.lang = site.lang or self.book.config.lang
        names = catalog_names(root, self.dirs, self.lang)
        self.env = cache.templates.get_or_make((tuple(self.dirs), self.lang),
                                               lambda: make_environment(self.dirs, self.lang, names))
        words = words_for(self.dirs, self.lang, names)
        self.figures = words.figures
        self.text = TextRenderer(self.book, urls, cache.markdown, words)
        self._read_book = False
        view = BookView(self.book, self._note_book_read)
        cur = self.book.config.currency
        self.common = {
            "book": view, "config": self.book.config, "nav": site.nav, "currency": cur,
            "in_dollars": lambda value, unit: self.figures.in_dollars(value, unit, cur),
            "lang": self.lang, "languages": self.languages(),
            "dated": self.book.dated,  # reads only settings (the as-of date and the limit), which every page shares
            "programme_times": self.programme_times,
            "charts": [], "change_url": lambda item: change_url(self.book, item), "stamp": site.stamp, "changes": site.changes,
            "related_facts": [], "related_people": [], "related_issues": [], "portion": self.portion,
        }
        self.view = view
        self.shared_key = self._shared_key()


    @cached_property
    def book_key(self) -> str:
        """Return a hash of the whole book, for the pages whose templates read `book` itself."""
        book = self.book
        return fingerprint([book.config, book.issues, book.people, book.schedule, book.facts,
                            [p.key for p in book.pages], book.investments, book.state_figures], self.cache.fingerprints)

    def _note_book_read(self) -> None:
        self._read_book = True

    def _shared_key(self) -> str:
        """Return a hash of what every page shows: navigation, settings, stamp, changes, templates."""
        templates = hashlib.sha256()
        for base in self.dirs:
            for path in sorted(base.rglob("*.html")):
                templates.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        changes = self.site.changes.to_json() if self.site.changes else ""
        return fingerprint([self.book.config, self.site.nav, self.site.stamp, changes, templates.hexdigest()])

    def languages(self) -> list[tuple[str, str]]:
        """Return (code, name) of each language the book is in, for the switcher (none with one)."""
        return [(code, NAMES.get(code, code)) for code in self.book.config.languages]

    def portion(self, value: Any, container: Any = None) -> Markup:
        """Return the portion mark, `(C)`, of an item or entry (its own marking, else its container's),
        when the site asks for portion marks."""
        settings, scheme = self.book.config.markings, self.book.config.scheme
        if settings is None or scheme is None or not settings.portion_marks:
            return Markup("")
        text = getattr(value, "marking", "") or getattr(container, "marking", "")
        marking = scheme.parse(text) if text else scheme.lowest
        return Markup('<span class="portion" title="{}">{}</span> ').format(marking.banner, marking.portion)

    def programme_times(self, item: Any) -> dict[str, str]:
        """Return a programme item's local time and the principal's home time."""
        local_zone = ZoneInfo(item.timezone or self.view.schedule.timezone)
        start = datetime.combine(item.date, item.start, local_zone)
        local = start.strftime("%H:%M")
        if item.end:
            local += "–" + item.end.strftime("%H:%M")
        local += " " + start.strftime("%Z")
        home = start.astimezone(ZoneInfo(self.book.config.home_timezone))
        day = "" if home.date() == start.date() else home.strftime(" (%a %-d %b)")
        return {"local": local, "home": home.strftime("%H:%M %Z") + day}

    def render(self, plan: PagePlan) -> bytes:
        """Render one page to bytes, reusing the last rendering when nothing it read changed."""
        inputs = (fingerprint([plan.url, plan.template, plan.title, plan.section, plan.banner, plan.banner_class, plan.context],
                              self.cache.fingerprints), self.shared_key)
        kept = self.cache.pages.get(self.site.lang + "/" + plan.url)
        if (kept is not None and kept.inputs == inputs
                and (not kept.read_book or kept.book_key == self.book_key)
                and all(self.text.shown(kind, ref) == shown for kind, ref, shown in kept.references)):
            self.cache.markdown.keep_alive(kept.markdown)
            return kept.html
        self._read_book = False
        self.text.used, self.text.placed = [], set()
        html = self._render(plan)
        references = tuple((kind, ref, self.text.shown(kind, ref)) for kind, ref in sorted(self.text.placed))
        book_key = self.book_key if self._read_book else ""  # (a hash of the whole book: made only when needed)
        self.cache.pages.put(self.site.lang + "/" + plan.url, KeptPage(inputs, self._read_book, book_key, html,
                                                tuple(self.text.used), references))
        return html

    def _render(self, plan: PagePlan) -> bytes:
        context = dict(self.common)
        context.update(plan.context)
        context.update(page_url=plan.url, root=urls.root_of(plan.url), title=plan.title,
                       section=plan.section, text=self.text, citations=Citations(), banner=plan.banner,
                       banner_class=plan.banner_class, untranslated=plan.untranslated)
        try:
            template = self.env.get_template(plan.template)
            html = template.render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise ContentError([Problem(self._template_path(exc.filename), exc.lineno or 0, 1, "",
                                        f"template syntax error: {exc.message}")]) from None
        except TemplateOutsideBook as exc:
            raise ContentError([Problem(f"{TEMPLATES_DIR}/{exc.template}", 0, 0, "", str(exc))]) from None
        except jinja2.TemplateNotFound as exc:
            raise ContentError([Problem(TEMPLATES_DIR, 0, 0, "", f"template not found: {exc.name}")]) from None
        except Exception as exc:
            where = self._raised_in_template(exc)
            if where is None:
                raise  # a bug in briefing, not a mistake in a template: show its traceback
            path, line = where
            raise ContentError([Problem(path, line, 1, "", f"template error while rendering {plan.url}: "
                                        f"{exc}")]) from None
        return html.encode("utf-8")

    def render_all(self, pages: Iterable[PagePlan], progress: Optional[Callable[[], None]] = None) -> dict[str, bytes]:
        """Render every planned page; return {url: bytes}."""
        out = {}
        for plan in pages:
            out[plan.url] = self.render(plan)
            if progress:
                progress()
        return out

    def _template_path(self, filename: Optional[str]) -> str:
        if not filename:
            return TEMPLATES_DIR
        path = Path(filename).resolve()
        try:
            return path.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return f"(theme) {path.name}"

    def _raised_in_template(self, exc: BaseException) -> Optional[tuple[str, int]]:
        """Return the template file and line where exc was raised, if it was raised by a template.

        Jinja's own errors (an undefined name) are template mistakes wherever Jinja raised them;
        any other exception is the template's only if the innermost frame is in a template.
        """
        dirs = [str(d) for d in self.dirs]
        frames = traceback.extract_tb(exc.__traceback__)
        in_templates = [f for f in frames if any(f.filename.startswith(d) for d in dirs)]
        if not in_templates:
            return None
        innermost = frames[-1]
        jinja_error = isinstance(exc, (jinja2.UndefinedError, jinja2.TemplateError))
        if not jinja_error and innermost not in in_templates and not _jinja_runtime(innermost.filename):
            return None
        frame = in_templates[-1]
        return self._template_path(frame.filename), frame.lineno or 0


def _jinja_runtime(filename: str) -> bool:
    """Return whether a frame is Jinja's own code evaluating an expression for a template."""
    return "/jinja2/" in filename.replace("\\", "/")


def render_pages(site: SitePlan, root: Path, cache: BuildCache,
                 progress: Optional[Callable[[], None]] = None) -> dict[str, bytes]:
    """Render every page of a site plan; return {url: bytes}."""
    return Renderer(site, root, cache).render_all(site.pages, progress)



def render_language_choice(site: SitePlan, languages: list[str]) -> bytes:
    """Return the page at the root of a book in several languages: the book's title in each, each a
    link to the book in that language."""
    title = site.book.config.title
    texts = title.texts if isinstance(title, (Translated, Shown)) else {}  # the title in each language
    first = languages[0]
    links = "\n".join(f'<li lang="{code}"><a href="{code}/index.html" hreflang="{code}">'
                      f'<strong>{escape(texts.get(code, str(title)))}</strong></a><br>{escape(NAMES.get(code, code))}</li>'
                      for code in languages)
    return (f'<!doctype html>\n<html lang="{first}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{escape(CONTENT_SECURITY_POLICY)}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="briefing">\n<title>{escape(texts.get(first, str(title)))}</title>\n'
            f'<link rel="stylesheet" href="{first}/assets/style.css">\n</head>\n<body>\n'
            f'<main id="content" class="language-choice">\n<h1>{escape(texts.get(first, str(title)))}</h1>\n'
            f'<ul>\n{links}\n</ul>\n</main>\n</body>\n</html>\n').encode("utf-8")
