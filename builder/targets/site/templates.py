"""The templates: where they are read from, and the Jinja environment each language renders them with.

Templates come from the briefing folder's `templates/` first, then the default theme, so a book
can override any one of them; a template may not reach outside those folders. Each language's
environment translates the interface's messages (its catalogs, `text/locale.py`), writes figures
its own way, and gives templates their filters: `markdown`, `inline`, `link`, `date`, `number`,
`millions`, `value`. Undefined variables fail the build (StrictUndefined) and every value is
escaped unless marked safe.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

import jinja2
from jinja2 import pass_context
from markupsafe import Markup

from ...cache import digest
from ...charts.base import Chart
from ...errors import ContentError
from ...source import TEMPLATES_DIR
from ...source.files import SourceError, inside, read_bytes
from ...text import locale
from ...text.locale import CATALOG, FixedMessages, Words, words_for
from ...text.safety import CONTENT_SECURITY_POLICY
from . import urls


def theme_dir() -> Path:
    """Return the folder holding the default templates and assets."""
    try:
        spec = importlib.util.find_spec("builder.theme")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:  # an installed wheel
        return Path(list(spec.submodule_search_locations)[0])
    return Path(__file__).resolve().parents[3] / TEMPLATES_DIR  # a source checkout


def template_dirs(root: Path) -> list[Path]:
    """Return the template folders in lookup order: the book's own, then the theme."""
    dirs = []
    own = root.resolve() / TEMPLATES_DIR
    if own.is_dir():
        dirs.append(own)
    theme = theme_dir().resolve()
    if theme not in dirs:
        dirs.append(theme)
    return dirs


def catalog_names(root: Path, dirs: list[Path], lang: str) -> list[str]:
    """Return how problems name each template folder's catalog for lang: as a path in the book, or the theme's."""
    names = []
    for base in dirs:
        path = (base / CATALOG.format(lang=lang)).resolve()
        try:
            names.append(path.relative_to(root.resolve()).as_posix())
        except ValueError:
            names.append(f"(theme) {path.name}")
    return names


def language_words(root: Path, lang: str) -> Words:
    """Return what lang says outside the templates (charts, tables, totals), from the book's catalogs."""
    dirs = template_dirs(root)
    return words_for(dirs, lang, catalog_names(root, dirs, lang))


def read_assets(root: Path) -> dict[str, bytes]:
    """Return {output path: bytes} of the static assets, the book's own winning over the theme's.

    Only regular files inside their template folder are read: a link to a file elsewhere on the
    machine is an error that names it, and nothing of it reaches the site.
    """
    found: dict[str, tuple[Path, str]] = {}
    for base in reversed(template_dirs(root)):
        assets = base / "assets"
        if assets.is_dir() and not assets.is_symlink():
            for path in sorted(assets.rglob("*")):
                if not path.is_dir() and not path.name.startswith("."):
                    found["assets/" + path.relative_to(assets).as_posix()] = (base, path.relative_to(base).as_posix())
    files, problems = {}, []
    for out, (base, rel) in sorted(found.items()):
        try:
            files[out] = read_bytes(base, rel)
        except SourceError as exc:
            where = f"{TEMPLATES_DIR}/{rel}" if base == root.resolve() / TEMPLATES_DIR else f"(theme) {rel}"
            problems.append(replace(exc.problem, path=where))
    if problems:
        raise ContentError(problems)
    return files


class TemplateOutsideBook(jinja2.TemplateError):
    """A template that cannot be read: a link to a file outside its folder, a pipe, not UTF-8."""

    def __init__(self, template: str, target: Path, reason: str = ""):
        self.template = template
        super().__init__(reason or f"is a link to {target}, outside the book; only files inside the book's "
                         "folder are read (copy the template in instead)")


class ConfinedLoader(jinja2.FileSystemLoader):
    """Load templates only from regular files inside the template folders, never through a link out."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        for base in self.searchpath:
            path = Path(base, *pieces)
            if not (path.exists() or path.is_symlink()):
                continue
            if not inside(Path(base), path):
                raise TemplateOutsideBook(template, path.resolve())
            try:
                source = read_bytes(Path(base), "/".join(pieces)).decode("utf-8")
            except (SourceError, UnicodeDecodeError) as exc:
                raise TemplateOutsideBook(template, path, str(getattr(exc, "problem", exc))) from None
            mtime = path.stat().st_mtime
            return source, str(path), lambda: path.is_file() and path.stat().st_mtime == mtime
        raise jinja2.TemplateNotFound(template)


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates as an earlier build compiled them, so that a build in a fresh process does not
    compile them again.

    They are kept in Jinja's own folder for this user (made private to them), never in the book's
    folder: compiled code found in a folder that came from elsewhere would run. Jinja checks each
    template's text; the key adds the language's messages, which FixedMessages writes into the
    compiled code, and the code that sets up the environment.
    """

    def __init__(self, words: Words):
        super().__init__()
        self.salt = digest(jinja2.__version__, words.key, *(Path(m.__file__ or "").read_bytes()
                                                             for m in (sys.modules[__name__], locale)))

    def get_cache_key(self, name: str, filename: Optional[str] = None) -> str:
        return super().get_cache_key(f"{self.salt}\0{name}", filename)


def compiled_templates(words: Words) -> Optional[CompiledTemplates]:
    """Return where compiled templates are kept, or None where Jinja finds no safe folder for them."""
    try:
        return CompiledTemplates(words)
    except (RuntimeError, OSError):  # a shared temporary folder that is not this user's alone
        return None


def make_environment(dirs: list[Path], lang: str = "en", names: Optional[list[str]] = None) -> jinja2.Environment:
    """Return a Jinja environment reading templates from dirs, first match winning, speaking lang."""
    words = words_for(dirs, lang, names)  # (its key tells the catalogs apart: compiled templates hold their messages)
    messages = words.messages
    env = jinja2.Environment(
        extensions=["jinja2.ext.i18n", FixedMessages],
        loader=ConfinedLoader([str(d) for d in dirs]),
        bytecode_cache=compiled_templates(words),
        auto_reload=True,
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(messages, newstyle=True)  # type: ignore[attr-defined]
    env.fixed_messages = messages.gettext  # type: ignore[attr-defined]
    figures = words.figures  # the filters of this language's environment write its figures
    env.filters.update(
        date=lambda value: figures.date(value) if isinstance(value, date) else str(value),
        number=figures.number,
        millions=words.millions,
        value=figures.value,
        markdown=_markdown,
        inline=_inline,
        link=_link,
        sections=_sections,
        enumerate_as=lambda labels, prefix: [(f"{prefix}{i}", label) for i, label in enumerate(labels, 1)],
        css_string=_css_string,
    )
    env.globals.update(link=_link, STATES=words.states, urls=urls, content_security_policy=Markup(CONTENT_SECURITY_POLICY))
    return env


def _css_string(text: Any) -> Markup:
    """Return text as the inside of a CSS string (for the marking in the print style's margin boxes)."""
    quoted = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", " ")
    return Markup(quoted)


_HEADING = re.compile(r"<h2>(.*?)</h2>", re.S)


def _sections(html: Any) -> tuple[Markup, list[tuple[str, str]]]:
    """Give a text's second-level headings ids; return the text and (id, heading) for its contents."""
    entries: list[tuple[str, str]] = []

    def number(match: re.Match[str]) -> str:
        anchor = f"section-{len(entries) + 1}"
        entries.append((anchor, Markup(re.sub(r"<[^>]+>", "", match.group(1)))))
        return f'<h2 id="{anchor}">{match.group(1)}</h2>'

    return Markup(_HEADING.sub(number, str(html))), entries


@pass_context
def _link(context: Any, target: str) -> str:
    """Return a site path relative to the page being rendered."""
    return urls.relative(target, context["page_url"])


@pass_context
def _markdown(context: Any, text: str, charts: Iterable[Chart] = (), figure: Optional[Callable[..., Any]] = None) -> Any:
    """Render Markdown; a page's ```chart fences become its charts, drawn by the figure macro."""
    figures = [str(figure(chart, i + 1)) if chart is not None else "" for i, chart in enumerate(charts)] if figure else []
    return context["text"].block(text, context["page_url"], context["citations"], figures)


@pass_context
def _inline(context: Any, text: str) -> Any:
    return context["text"].inline(text, context["page_url"], context["citations"])
