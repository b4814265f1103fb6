"""The printed book: one PDF in reading order, made by WeasyPrint from the site's own pages.

Each web page's main text is taken from the rendered site, its ids and links made unique
within the one document, and placed on sheets of its own under a cover and a table of
contents. The banner of each sheet is that page's computed banner (CSS `string-set` in the
page margins), the running header its section, and the PDF outline mirrors the sections and
papers. Images (the charts' static SVGs) are read from the rendered files, never from the
network: the book prints as it reads, offline.

WeasyPrint is used because it is the engine that gives margin-box banners, contents with page
numbers and an outline in one pass, and keeps Japanese text extractable as written.
"""

from __future__ import annotations

import html
import mimetypes
import posixpath
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from datetime import date
from typing import Any, Callable, Iterable, Optional
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from ..charts.vega import DRAWN_FONT, drawn_font_file
from ..errors import BriefingError
from ..model.book import Book
from ..text.locale import Figures, Words
from .site import urls
from .site.plan import SECTION_TITLES, PagePlan, SitePlan

# How the PDF's HTML names the site's files: under a host that cannot exist (`.invalid`, RFC 2606), so
# that relative links inside them (the stylesheet's fonts) resolve as they do on the web. Nothing is
# fetched from anywhere: `fetcher` serves the site's own files under it and refuses every other URL.
SCHEME = "https://briefing.invalid/"

PAGE_SIZES = {"A4": "A4", "letter": "letter"}

CHART_FONT = "assets/fonts/charts.ttf"
"""Where the printed book finds the face the static charts are set in (the site needs no copy: each
SVG carries the subset it uses, which WeasyPrint does not read); served by `fetcher` alone."""

SECTION_ORDER = ("programme", "issues", "people", "facts", "investment", "sources")

PRINTED_PROJECTS = 25
"""The most rows of a project table printed: a state with thousands of projects would otherwise
fill a binder (and WeasyPrint's memory) with a listing no one reads on paper. The web book and
its CSV files have every row; the sheet says how many were left out and where they are."""


@dataclass(frozen=True)
class Part:
    """One web page placed in the printed book."""

    plan: PagePlan
    anchor: str  # the id of its first element in the one document
    tab: str  # the section it belongs to, for the running header
    level: int  # 1 for a section's first page, 2 for a paper or bio inside it


def reading_order(site: SitePlan, say: Callable[[str], str] = str) -> list[Part]:
    """Return the pages of the printed book: each section's list, then its items; free pages last.

    say translates the interface's words (the tabs) into the book's language."""
    by_section: dict[str, list[PagePlan]] = {}
    for plan in site.pages:
        by_section.setdefault(plan.section, []).append(plan)
    parts: list[Part] = []
    nav = list(site.book.config.nav)
    order = ["home"] + [k for k in SECTION_ORDER if k in nav] + [k for k in nav if k not in SECTION_ORDER + ("home",)]
    for section in order:
        plans = by_section.get(section, [])
        tab = say("Summary") if section == "home" else say(SECTION_TITLES.get(section) or next(
            (p.title for p in plans), section))
        for i, plan in enumerate(plans):
            parts.append(Part(plan, _anchor(plan.url), tab, 1 if i == 0 else 2))
    return parts


def _anchor(url: str) -> str:
    return "p-" + url.removesuffix(".html").replace("/", "-").replace("#", "-")


def print_html(site: SitePlan, files: dict[str, bytes], edition_title: str = "", banner: str = "",
               say: Callable[[str], str] = str) -> str:
    """Return the whole book as one HTML document for print."""
    book = site.book
    parts = reading_order(site, say)
    anchors = {p.plan.url: p.anchor for p in parts}
    body = [_cover(book, site, edition_title, banner, say), _contents(parts, say)]
    for part in parts:
        main = _main_of(files[part.plan.url].decode("utf-8"), part, anchors)
        heading_level = "h1" if part.level == 1 else "div"
        body.append(
            f'<section class="print-page level-{part.level}" id="{part.anchor}" '
            f'data-banner="{html.escape(part.plan.banner, quote=True)}" data-tab="{html.escape(part.tab, quote=True)}">'
            f'<div class="print-banner" aria-hidden="true">{html.escape(part.plan.banner)}</div>'
            f'<{heading_level} class="print-tab">{html.escape(part.tab)}</{heading_level}>{main}</section>')
    return _document(site, "\n".join(body), edition_title, banner)


def _document(site: SitePlan, body: str, edition_title: str, banner: str) -> str:
    config = site.book.config
    version = f"Version {site.stamp.brief()}"  # every sheet's footer: which version this copy is
    keywords = ", ".join(k for k in (banner, edition_title, config.event.name, version) if k)
    return f"""<!doctype html><html lang="{html.escape(site.lang or config.lang)}"><head><meta charset="utf-8">
<title>{html.escape(config.title)}</title>
<meta name="author" content="{html.escape(config.organisation, quote=True)}">
<meta name="description" content="{html.escape(config.event.name, quote=True)}">
<meta name="keywords" content="{html.escape(keywords, quote=True)}">
<meta name="generator" content="briefing">
<meta name="dcterms.created" content="{config.as_of.isoformat()}">
<link rel="stylesheet" href="{SCHEME}assets/style.css">
<link rel="stylesheet" href="{SCHEME}assets/print-book.css">
<style>@page {{ size: {PAGE_SIZES.get(config.print.page_size, 'A4')}; }}
@font-face {{ font-family: '{DRAWN_FONT}'; src: url({SCHEME}{CHART_FONT}); }}</style>
</head><body class="print-book" data-version="{html.escape(version, quote=True)}">{body}</body></html>"""


def _cover(book: Book, site: SitePlan, edition_title: str, banner: str, say: Callable[[str], str] = str) -> str:
    config = book.config
    lang = site.lang or config.lang

    def day(value: date) -> str:
        return value.strftime("%-d %B %Y") if lang == "en" else Figures(lang).date(value)

    rows = [(say("Event"), config.event.name), (say("Place"), config.event.place),
            (say("Date"), day(config.event.start) + (
                "" if config.event.end == config.event.start else " – " + day(config.event.end))),
            (say("Principal"), book.person_by_id[config.principal].name if config.principal in book.person_by_id else ""),
            (say("As of"), day(config.as_of)), (say("Edition"), edition_title),
            (say("Document"), config.doc_number), (say("Version"), site.stamp.describe().removeprefix("Version "))]
    table = "".join(f"<tr><th scope='row'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows if v)
    return (f'<section class="print-cover" data-banner="{html.escape(banner, quote=True)}">'
            f'<div class="print-banner">{html.escape(banner)}</div>'
            f'<p class="print-org">{html.escape(config.organisation)}</p>'
            f'<h1 class="print-title">{html.escape(config.title)}</h1>'
            f'{"<p class=print-subtitle>" + html.escape(config.subtitle) + "</p>" if config.subtitle else ""}'
            f'<table class="print-cover-facts">{table}</table></section>')


def _contents(parts: Iterable[Part], say: Callable[[str], str] = str) -> str:
    items = "".join(
        f'<li class="toc-{p.level}"><a href="#{p.anchor}">{html.escape(p.tab if p.level == 1 else say(p.plan.title))}'
        f'</a></li>' + (f'<li class="toc-2"><a href="#{p.anchor}-h">{html.escape(say(p.plan.title))}</a></li>'
                        if p.level == 1 and say(p.plan.title) != p.tab else "")
        for p in parts)
    heading = say("Contents")
    return f'<nav class="print-contents"><h1 class="print-contents-title">{html.escape(heading)}</h1><ol>{items}</ol></nav>'


def _main_of(page: str, part: Part, anchors: dict[str, str]) -> str:
    """Return a page's main text with ids prefixed and links pointing inside the one document."""
    tree = LexborHTMLParser(page)
    main = tree.css_first("main")
    if main is None:
        raise AssertionError(f"{part.plan.url} has no <main>")
    # what paper does not show is left out, not hidden: WeasyPrint styles every element it is given
    for node in main.css("script, .chart-view, .skip-link, .page-contents, details.chart-data"):
        node.decompose()
    for table in main.css("table.investments"):
        _cap_rows(table, part.plan.title)
    prefix = part.anchor
    first = main.css_first("h1")
    if first is not None:
        first.attrs["id"] = f"{prefix}-h"
    for node in main.css("[id]"):
        if node is not first:
            node.attrs["id"] = f"{prefix}-{node.attrs['id']}"
    for node in main.css("[href]"):
        node.attrs["href"] = _link(node.attrs["href"] or "", part.plan.url, prefix, anchors)
    for node in main.css("img[src]"):
        node.attrs["src"] = SCHEME + _resolve(node.attrs["src"] or "", part.plan.url)
    return main.inner_html or ""


def _cap_rows(table: Any, page_title: str) -> None:
    """Print the first PRINTED_PROJECTS rows of a project table, and say how many more the web book has."""
    rows = table.css("tbody > tr")
    if len(rows) <= PRINTED_PROJECTS:
        return
    for row in rows[PRINTED_PROJECTS:]:
        row.decompose()
    note = (f'<p class="note print-capped">Printed: the first {PRINTED_PROJECTS} of {len(rows):,} projects, '
            f'in the order of the table; the web book’s page “{html.escape(page_title)}” lists them all.</p>')
    wrap = table.parent if table.parent is not None and "table-wrap" in (table.parent.attrs.get("class") or "") \
        else table
    wrap.insert_after(LexborHTMLParser(note).css_first("p"))


def _resolve(link: str, page_url: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(page_url), unquote(link)))


def _link(href: str, page_url: str, prefix: str, anchors: dict[str, str]) -> str:
    parts = urlsplit(href)
    if parts.scheme or href.startswith("//"):
        return href  # outside the book: printed with its address
    if not parts.path:
        return f"#{prefix}-{parts.fragment}" if parts.fragment else f"#{prefix}"
    target = _resolve(parts.path, page_url)
    anchor = anchors.get(target)
    if anchor is None:
        return "#"  # a page the printed book does not hold (the changes page)
    return f"#{anchor}-{parts.fragment}" if parts.fragment else f"#{anchor}"


def fetcher(files: dict[str, bytes]) -> Any:
    """Return a WeasyPrint URL fetcher that serves the site's files and refuses everything else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SiteFiles(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(SCHEME):
                raise ValueError(f"the printed book asked for {url}, outside the book")
            path = url[len(SCHEME):].split("#")[0].lstrip("/")
            if path not in files:
                raise ValueError(f"the printed book asked for {path}, which the site does not hold")
            mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, files[path], {"Content-Type": mime})

    return SiteFiles()


SCRIPTS = {"Japanese": ("ja", re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")),
           "Korean": ("ko", re.compile(r"[\uac00-\ud7af]")),
           "Chinese": ("zh", re.compile(r"[\u4e00-\u9fff]"))}


@lru_cache(maxsize=None)
def _has_font(language: str) -> bool:
    """Return whether fontconfig knows a font for a language (ja, ko)."""
    fc_list = shutil.which("fc-list")
    found = subprocess.run([fc_list, f":lang={language}", "family"], capture_output=True, text=True).stdout \
        if fc_list else ""
    return bool(found.strip())


def check_fonts(document: str) -> None:
    """Refuse to print text no installed font can show, naming the language and how to get a font."""
    for language, (code, pattern) in SCRIPTS.items():
        if language != "Chinese" and pattern.search(document) and not _has_font(code):
            raise BriefingError(f"the book has {language} text but no {language} font is installed, so the PDF "
                                f"would show empty boxes: install one (on Debian: apt-get install fonts-noto-cjk)")


def _laid_out(document: str, files: dict[str, bytes]) -> Any:
    import weasyprint

    check_fonts(document)
    served = {**files, CHART_FONT: drawn_font_file()}
    return weasyprint.HTML(string=document, base_url=SCHEME, url_fetcher=fetcher(served)).render()


def page_count(document: str, files: dict[str, bytes]) -> int:
    """Return how many sheets a print document takes (laid out, not written)."""
    return len(_laid_out(document, files).pages)


def write_pdf(document: str, files: dict[str, bytes]) -> tuple[bytes, int]:
    """Return the PDF of a print document and its number of pages."""
    rendered = _laid_out(document, files)
    return rendered.write_pdf(), len(rendered.pages)


def card_html(site: SitePlan, points: int, facts: int, banner: str, words: Words) -> str:
    """Return the one-page card: the objectives, the first points of each paper, the key figures."""
    book = site.book
    config = book.config
    text = _text_renderer(site, words)
    figures_of = words.figures
    objectives = "".join(f"<li>{text(o)}</li>" for o in config.objectives)
    papers = "".join(
        f"<section><h2>{html.escape(issue.title)}</h2><ol>"
        + "".join(f"<li>{text(p)}</li>" for p in issue.points_to_make[:points]) + "</ol></section>"
        for issue in book.issues)
    figures = "".join(f"<li><strong>{html.escape(f.label)}</strong>{words.say(': ')}"
                      f"{html.escape(figures_of.value(f.value, f.unit) + (figures_of.aside(f.period) if f.period else ''))}</li>"
                      for f in book.facts[:facts])
    body = (f'<section class="print-card" data-banner="{html.escape(banner, quote=True)}">'
            f'<div class="print-banner">{html.escape(banner)}</div>'
            f'<h1>{html.escape(config.title)}</h1><p class="card-meta">{html.escape(config.event.name)}'
            f'{words.say(", ")}{figures_of.date(config.event.start)} · '
            f'{html.escape(words.say("as of %(date)s", date=figures_of.date(config.as_of)))}</p>'
            + (f"<h2>{words.say('Objectives')}</h2><ol>{objectives}</ol>" if objectives else "")
            + f'<div class="card-papers">{papers}</div>'
            + (f"<h2>{words.say('Key figures')}</h2><ul class='card-figures'>{figures}</ul>" if figures else "")
            + "</section>")
    return _document(site, body, "Card", banner)


def _text_renderer(site: SitePlan, words: Words) -> Any:
    from ..text.markdown import Citations, TextRenderer

    renderer = TextRenderer(site.book, urls, words=words)
    citations = Citations()
    return lambda text: str(renderer.inline(text, urls.HOME, citations))
