"""Render planned pages through Jinja templates.

Templates come from the briefing folder's `templates/` first, then the default
theme, so a book can override any one of them. Undefined variables fail the
build (StrictUndefined) and every value is escaped unless marked safe.
"""

from __future__ import annotations

import importlib.util
import traceback
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Optional
from zoneinfo import ZoneInfo

import jinja2
from jinja2 import pass_context
from markupsafe import Markup

from . import urls
from .book import Book
from .content import chart_marker
from .errors import Problem
from .figures import (
    format_date,
    format_millions,
    format_number,
    format_value,
    in_dollars,
)
from .geo import STATES
from .history import Stamp
from .markup import Citations, TextRenderer
from .pages import PagePlan, change_url, plan_nav

TEMPLATES_DIR = "templates"


def theme_dir() -> Path:
    """Return the folder holding the default templates and assets."""
    try:
        spec = importlib.util.find_spec("builder.theme")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:  # an installed wheel
        return Path(list(spec.submodule_search_locations)[0])
    return Path(__file__).resolve().parent.parent / TEMPLATES_DIR  # a source checkout


def template_dirs(root: Path) -> list[Path]:
    """Return the template folders in lookup order: the book's own, then the theme."""
    dirs = []
    own = (root / TEMPLATES_DIR).resolve()
    if own.is_dir():
        dirs.append(own)
    theme = theme_dir().resolve()
    if theme not in dirs:
        dirs.append(theme)
    return dirs


class RenderError(Exception):
    """A template mistake, located in the template file."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.format())


_environments: dict[tuple[str, ...], jinja2.Environment] = {}


def make_environment(root: Path) -> jinja2.Environment:
    """Return the Jinja environment for a briefing folder (reused: Jinja reloads edited templates)."""
    dirs = tuple(str(d) for d in template_dirs(root))
    if dirs not in _environments:
        _environments[dirs] = _new_environment(dirs)
    return _environments[dirs]


def _new_environment(dirs: tuple[str, ...]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(dirs)),
        auto_reload=True,
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        date=_format_any_date,
        number=format_number,
        millions=format_millions,
        value=format_value,
        markdown=_markdown,
        inline=_inline,
        link=_link,
        place_charts=_place_charts,
    )
    env.globals.update(link=_link, STATES=STATES, urls=urls)
    return env


def _format_any_date(value: Any) -> str:
    return format_date(value) if isinstance(value, date) else str(value)


@pass_context
def _link(context: Any, target: str) -> str:
    """Return a site path relative to the page being rendered."""
    return urls.relative(target, context["page_url"])


@pass_context
def _markdown(context: Any, text: str) -> Any:
    return context["text"].block(text, context["page_url"], context["citations"])


@pass_context
def _inline(context: Any, text: str) -> Any:
    return context["text"].inline(text, context["page_url"], context["citations"])


def _place_charts(html: Any, charts: list, figure: Any) -> Markup:
    """Put each chart's figure where its ```chart block stood in a page's Markdown."""
    html = str(html)
    for index, chart in enumerate(charts):
        html = html.replace(chart_marker(index), str(figure(chart, index + 1)))
    return Markup(html)


class Renderer:
    """Render the pages of one book."""

    def __init__(self, book: Book, root: Path, extra: Optional[dict[str, Any]] = None):
        self.book = book
        self.env = make_environment(root)
        self.text = TextRenderer(book)
        self.nav = plan_nav(book, (extra or {}).get("changes"))
        self.root = root
        self.extra = extra or {}
        cur = book.config.currency
        self.common = {
            "book": book, "config": book.config, "nav": self.nav, "currency": cur,
            "in_dollars": lambda value, unit: in_dollars(value, unit, cur),
            "programme_times": self.programme_times,
            "charts": [],
            "change_url": change_url,
            "stamp": Stamp(book.config.version),
            "changes": None,
        }

    def programme_times(self, item: Any) -> dict[str, str]:
        """Return a programme item's local time and the principal's home time."""
        local_zone = ZoneInfo(item.timezone or self.book.schedule.timezone)
        start = datetime.combine(item.date, item.start, local_zone)
        local = start.strftime("%H:%M")
        if item.end:
            local += "–" + item.end.strftime("%H:%M")
        local += " " + start.strftime("%Z")
        home = start.astimezone(ZoneInfo(self.book.config.home_timezone))
        day = "" if home.date() == start.date() else home.strftime(" (%a %-d %b)")
        return {"local": local, "home": home.strftime("%H:%M %Z") + day}

    def render(self, plan: PagePlan) -> bytes:
        """Render one page to bytes, raising RenderError on a template mistake."""
        context = dict(self.common)
        context.update(self.extra)
        context.update(plan.context)
        context.update(page_url=plan.url, root=urls.root_of(plan.url), title=plan.title,
                       section=plan.section, text=self.text, citations=Citations())
        try:
            template = self.env.get_template(plan.template)
            html = template.render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(Problem(self._template_path(exc.filename), exc.lineno or 0, 1, "",
                                      f"template syntax error: {exc.message}")) from None
        except jinja2.TemplateNotFound as exc:
            raise RenderError(Problem(TEMPLATES_DIR, 0, 0, "", f"template not found: {exc.name}")) from None
        except (jinja2.UndefinedError, jinja2.TemplateError, TypeError, ValueError,
                AttributeError, KeyError) as exc:
            path, line = self._template_frame(exc)
            if path is None:
                raise
            raise RenderError(Problem(path, line, 1, "", f"template error while rendering {plan.url}: "
                                      f"{exc}")) from None
        return html.encode("utf-8")

    def render_all(self, plans: Iterable[PagePlan], progress=None) -> dict[str, bytes]:
        """Render every planned page; return {url: bytes}."""
        out = {}
        for plan in plans:
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

    def _template_frame(self, exc: BaseException) -> tuple[Optional[str], int]:
        """Return the innermost template file and line in an exception's traceback."""
        found: tuple[Optional[str], int] = (None, 0)
        dirs = [str(d) for d in template_dirs(self.root)]
        for frame in traceback.extract_tb(exc.__traceback__):
            if any(frame.filename.startswith(d) for d in dirs):
                found = (self._template_path(frame.filename), frame.lineno or 0)
        return found


def asset_files(root: Path) -> dict[str, Path]:
    """Return {output path: source file} for static assets, the book's own winning."""
    found: dict[str, Path] = {}
    for base in reversed(template_dirs(root)):
        assets = base / "assets"
        if assets.is_dir():
            for path in sorted(assets.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    found["assets/" + path.relative_to(assets).as_posix()] = path
    return dict(sorted(found.items()))

