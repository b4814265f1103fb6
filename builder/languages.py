"""Localize: the book in one of its languages.

site.yaml lists the book's languages, the one it is written in first (`languages: [en, ja]`).
Any text a reader sees may be given per language (`title: {en: ..., ja: ...}`), and a free
page per language (`reading-notes.ja.md`); ids, figures, dates, data and markings are written
once and shared, so a number cannot drift between languages.

This stage runs after select and before plan: it hands the later stages a book whose every
text is in one language. A text with no translation falls back to the first language, and a
translation made from an older version of its source text is out of date; each is a `Shown`
string that says so, and the page that shows it is marked.

A translation records the source text it was made from as `ja_from: <hash>`, written by
`briefing translations --stamp` (`stamp_translations`).
"""

from __future__ import annotations

import difflib
import hashlib
import re
import typing
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, TypeVar

import yaml
from pydantic import BaseModel

from .errors import Problem
from .files import write_atomic
from .source.yaml import set_in_mapping
from .validate.references import every_item
from .versions import git
from .model.base import Model, Shown, Text, Translated, bare_type, fields_of, strings
from .charts.base import Chart
from .model.book import Book
from .model.data import Investment, StateFigure
from .model.content import Page

M = TypeVar("M", bound=BaseModel)

NAMES = {"en": "English", "ja": "日本語", "fr": "Français", "de": "Deutsch", "es": "Español",
         "ko": "한국어", "zh": "中文", "it": "Italiano", "pt": "Português"}
"""Each language's name, written in that language: what the switcher shows."""


def text_hash(text: str) -> str:
    """Return the stamp of a source text: a hash of its words, so re-wrapping its lines changes nothing."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:8]


def status_of(value: Translated, lang: str, source: str) -> str:
    """Return `missing`, `stale`, `unstamped` or '' for a text's translation into lang."""
    if lang == source:
        return ""
    if lang not in value.texts:
        return "missing"
    stamp = value.stamps.get(lang)
    if stamp is None:
        return "unstamped"
    return "" if stamp == text_hash(value.texts.get(source, "")) else "stale"


def localize(book: Book, lang: str) -> Book:
    """Return the book as the site in lang shows it (the book itself when it has one language)."""
    languages = book.config.languages
    if not languages:
        return book
    source = languages[0]
    local = _Localizer(lang, source)
    changed = replace(book, config=local.model(book.config), issues=local.all(book.issues),
                      people=local.all(book.people),
                      schedule=local.model(book.schedule) if book.schedule is not None else None,
                      facts=local.all(book.facts), pages=tuple(local.page(p) for p in book.pages))
    changed.__dict__["index"] = book.index  # the records are shared: keep their index
    return changed


class _Localizer:
    def __init__(self, lang: str, source: str):
        self.lang, self.source = lang, source

    def text(self, value: str) -> str:
        """Return one text in the site's language, or in the source language and marked as missing."""
        marking = getattr(value, "marking", "")
        if isinstance(value, Translated):
            if self.lang in value.texts:
                stale = status_of(value, self.lang, self.source) == "stale"
                return Shown(value.texts[self.lang], self.lang, "stale" if stale else "", marking, value.texts)
            fallback = value.texts.get(self.source, str(value))
            return Shown(fallback, self.source, "missing" if fallback else "", marking, value.texts)
        if not value:
            return value
        return Shown(value, self.source, "" if self.lang == self.source else "missing", marking)

    def all(self, items: Iterable[Model]) -> tuple[Any, ...]:
        return tuple(self.model(item) for item in items)

    def model(self, item: M) -> M:
        changes: dict[str, Any] = {}
        for attribute, _, annotation, roles in fields_of(type(item)):
            value = getattr(item, attribute)
            new = self.value(value, annotation, roles)
            if new is not value:
                changes[attribute] = new
        if not changes:
            return item
        copy = item.model_copy(update=changes)
        if isinstance(copy, Model):
            copy._fingerprint = None  # what it holds changed: so does its hash
        return copy

    def value(self, value: Any, annotation: Any, roles: frozenset[Any]) -> Any:
        annotation, more = bare_type(annotation)
        roles = roles | more
        if isinstance(value, str):
            return self.text(value) if any(isinstance(r, Text) for r in roles) else value
        if isinstance(value, BaseModel):
            return self.model(value)
        if isinstance(value, list):
            args = typing.get_args(annotation)
            inner = args[0] if args else Any
            new = [self.value(v, inner, roles) for v in value]
            return new if any(a is not b for a, b in zip(new, value)) else value
        return value

    def page(self, page: Page) -> Page:
        """Return a free page in the site's language: its translation (`notes.ja.md`), else the original."""
        translation = page.translations.get(self.lang)
        if translation is None:
            return replace(page, title=self.text(page.title), summary=self.text(page.summary), charts=self.charts(page),
                           shown_as=Shown("", self.source, "" if self.lang == self.source else "missing"))
        stale = translation.stamp is not None and translation.stamp != text_hash(page.body)
        status = "stale" if stale else ""
        title = Shown(translation.title, self.lang, status) if translation.title else self.text(page.title)
        summary = Shown(translation.summary, self.lang, status) if translation.summary else self.text(page.summary)
        return replace(page, title=title, summary=summary,
                       body=translation.body, body_line=translation.body_line, path=translation.path,
                       charts=self.charts(page), shown_as=Shown("", self.lang, status))

    def charts(self, page: Page) -> tuple[Any, ...]:
        """Return a page's chart blocks with their titles and captions in the site's language."""
        return tuple(self.model(block) if block is not None else None for block in page.charts)


# --- what each translation lacks ------------------------------------------------------------------

@dataclass(frozen=True)
class Translation:
    """One text's translation into one language, where it is written, and how it stands."""

    path: str  # the file the translation is (to be) written in
    loc: tuple[Any, ...]  # the text's place in it: ("points_to_make", 2); () for a page's body
    at: Problem  # located at the translation (or at the source text, when the translation is missing)
    lang: str
    status: str  # missing, stale, unstamped, or '' when up to date
    source_text: str
    stamp: Optional[str]


STATUS_MESSAGES = {"missing": "no {lang} translation", "stale": "the {lang} translation is out of date",
                   "unstamped": "the {lang} translation is not stamped (briefing translations --stamp)",
                   "": "up to date"}


def translations(book: Book) -> Iterator[Translation]:
    """Yield every text of the book the other languages need, with the state of each translation."""
    languages = book.config.languages
    if len(languages) < 2:
        return
    source = languages[0]
    for item in every_item(book, rows=False):
        origin = item._origin
        if origin is None:
            continue
        for value in strings(item):
            if value.has(Text) is None or not value.value.strip():
                continue
            translated = value.value if isinstance(value.value, Translated) else None
            for lang in languages[1:]:
                status = status_of(translated, lang, source) if translated is not None else "missing"
                loc = value.loc + ((lang,) if translated is not None and lang in translated.texts else ())
                at = item.problem(*loc, message=STATUS_MESSAGES[status].format(lang=lang), severity="warning")
                yield Translation(origin.doc.path, origin.loc + value.loc, at, lang, status,
                                  translated.texts.get(source, "") if translated is not None else value.value,
                                  translated.stamps.get(lang) if translated is not None else None)
    for page in book.pages:
        for lang in languages[1:]:
            written = page.translations.get(lang)
            if written is None:
                name = page.path[:-3] + f".{lang}.md"
                yield Translation(name, (), Problem(page.path, 1, 1, "", f"no {lang} translation ({name})", "warning"),
                                  lang, "missing", page.body, None)
                continue
            status = ("unstamped" if written.stamp is None
                      else "" if written.stamp == text_hash(page.body) else "stale")
            at = Problem(written.path, 1, 1, "translated_from", STATUS_MESSAGES[status].format(lang=lang), "warning")
            yield Translation(written.path, (), at, lang, status, page.body, written.stamp)


def stale_warnings(book: Book, root: Path) -> list[Problem]:
    """Return a warning for each translation whose source text changed since it was translated, with
    the change word by word when the book's git history still holds the text it was made from."""
    found = []
    for each in translations(book):
        if each.status != "stale":
            continue
        source_path = each.at.path if each.loc else _source_page(each.path)
        old = _source_before(root, source_path, each.loc, book.config.languages[0], each.stamp or "")
        change = (f"; its source changed: {word_diff(old, each.source_text)}" if old is not None
                  else "; the text it was made from is not in the book's git history")
        found.append(replace(each.at, message=(f"{each.at.message}{change}. Bring the translation up to date, "
                                                "then run `briefing translations --stamp`")))
    return found


def _source_page(translated_path: str) -> str:
    stem, _, _ = translated_path[:-3].rpartition(".")
    return stem + ".md"


@lru_cache(maxsize=256)
def _source_before(root: Path, path: str, loc: tuple[Any, ...], source: str, stamp: str) -> Optional[str]:
    """Return the source text at loc in a committed version of path whose hash is stamp, if any."""
    for text in git.file_versions(root, path):
        try:
            if not loc:  # a page: its Markdown body
                found: Any = _FRONT.sub("", text, count=1)
            else:
                found = yaml.safe_load(text)
                for part in loc:
                    found = found[part]
        except (yaml.YAMLError, KeyError, IndexError, TypeError):
            continue
        if isinstance(found, dict):
            found = found.get(source, found.get("text"))
            if isinstance(found, dict):
                found = found.get(source)
        if isinstance(found, str) and text_hash(found) == stamp:
            return found
    return None


def stamp_translations(root: Path, book: Book, only: Iterable[str] = ()) -> dict[str, int]:
    """Record, beside each translation whose stamp is missing or old, the hash of its source text as it
    is now (`ja_from:`; a page's `translated_from:`). Return how many were stamped, by file."""
    wanted = set(only)
    edits: dict[str, list[tuple[tuple[Any, ...], str, str]]] = {}
    pages: dict[str, str] = {}
    for each in translations(book):
        if each.status not in ("stale", "unstamped") or (wanted and each.path not in wanted):
            continue
        stamp = text_hash(each.source_text)
        if each.loc:
            quoted = f'"{stamp}"'  # in quotes: eight digits alone would read as a number
            edits.setdefault(each.path, []).append((each.loc, f"{each.lang}_from", quoted))
        else:
            pages[each.path] = stamp
    counts: dict[str, int] = {}
    for path, changes in edits.items():
        target = root / path
        write_atomic(target, set_in_mapping(target.read_text(encoding="utf-8"), changes).encode("utf-8"))
        counts[path] = len(changes)
    for path, stamp in pages.items():
        target = root / path
        text = target.read_text(encoding="utf-8")
        match = _FRONT.match(text)
        if match is None:
            text = f"---\ntranslated_from: {stamp}\n---\n" + text
        elif re.search(r"^translated_from:.*$", match.group(0), re.M):
            text = re.sub(r"^translated_from:.*$", f"translated_from: {stamp}", text, count=1, flags=re.M)
        else:
            text = text[:match.start(1)] + f"translated_from: {stamp}\n" + text[match.start(1):]
        write_atomic(target, text.encode("utf-8"))
        counts[path] = 1
    return counts


_FRONT = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*\n?", re.S | re.M)


def word_diff(old: str, new: str) -> str:
    """Return the change from old to new word by word: `[-removed-]{+added+}`, as `git diff --word-diff`."""
    a, b = old.split(), new.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            words = a[i1:i2]
            out.append(" ".join(words) if len(words) <= 8 else " ".join(words[:3] + ["…"] + words[-3:]))
        else:
            if i2 > i1:
                out.append("[-" + " ".join(a[i1:i2]) + "-]")
            if j2 > j1:
                out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


# --- what a page shows untranslated ----------------------------------------------------------

def untranslated(context: Any) -> tuple[int, int]:
    """Return how many texts a page's context shows in the source language for want of a translation,
    and how many translations it shows that were made from an older source text."""
    found: list[str] = []
    _statuses(context, found, set())
    return found.count("missing"), found.count("stale")


def _statuses(value: Any, found: list[str], seen: set[int]) -> None:
    if id(value) in seen or value is None or isinstance(value, (int, float, bool, Chart)):
        return
    seen.add(id(value))
    if isinstance(value, str):
        status = getattr(value, "status", "")
        if status:
            found.append(status)
    elif isinstance(value, dict):
        for inner in value.values():
            _statuses(inner, found, seen)
    elif isinstance(value, (list, tuple)):
        if value and isinstance(value[0], (Investment, StateFigure)):
            return  # records: data, not text
        for inner in value:
            _statuses(inner, found, seen)
    elif isinstance(value, BaseModel):
        for shown in strings(value):
            _statuses(shown.value, found, seen)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            _statuses(getattr(value, name), found, seen)
