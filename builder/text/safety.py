"""What the book's Markdown may contain, and why: the rules the converter and the checks share.

A briefing book is read offline and must not run or fetch anything its authors did not
put there on purpose, so the rules are an allowlist:

- the tags Markdown itself makes, plus only those raw-HTML tags site.yaml allows
  (`markdown: {allow_html: [sup, sub]}`), chosen from a short list of inline tags;
- no attribute that runs or loads anything: only `id` and `class` (written with `{: }`),
  a link's `href` and `title`, an image's `src`, `alt` and `title`, and a table cell's
  alignment;
- links to `http:`, `https:` or `mailto:` addresses (followed only when clicked), to `#`
  anchors, or to paths inside the book written from its root (`issues/lng.html`);
- images only from inside the book (`assets/map.png`): a page never loads from outside.
"""

from __future__ import annotations

import html
import re
from typing import Optional

from ..model.config import ALLOWABLE_HTML

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; media-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-src 'none'; object-src 'none'; worker-src 'none'")
"""Every page carries this policy: the browser itself refuses to load anything from outside the site.

It works from file:// (where 'self' is the page's own folder tree) and over http. No inline
script runs (the chart data sits in JSON script elements, which are not run) and no `eval`
(Vega's expressions are interpreted), so nothing a text smuggles in can run either.
"""

MARKDOWN_TAGS = frozenset({
    "p", "br", "hr", "em", "strong", "a", "img", "ul", "ol", "li", "blockquote", "code", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"})
"""The tags Markdown makes."""


LINK_SCHEMES = ("http", "https", "mailto")

ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"id", "class", "title", "lang"}),
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt"}),
    "th": frozenset({"style"}),
    "td": frozenset({"style"}),
    "ol": frozenset({"start"}),
}
_ALIGN = re.compile(r"^text-align: (left|right|center);?$")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def raw_html_message(tag: str) -> str:
    """Explain why a raw-HTML tag was taken out of a text."""
    return (f"raw HTML <{tag}> is not allowed in Markdown text, so it was left out: pages must not run "
            f"or load anything their authors did not mean to. Write it as Markdown, or, for "
            f"{', '.join(ALLOWABLE_HTML[:6])} and similar inline tags, list it under markdown.allow_html "
            "in site.yaml")


def normalise_url(url: str) -> str:
    """Return a URL as a browser reads it: entities decoded, tabs and newlines dropped, \\ as /."""
    url = html.unescape(url)
    url = re.sub(r"[\t\n\r]", "", url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                 "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c"
                                                 "\x1d\x1e\x1f ")
    return url.replace("\\", "/")


def scheme_of(url: str) -> Optional[str]:
    """Return a URL's scheme in lower case, `//` for a network-path address, or None if relative."""
    url = normalise_url(url)
    if url.startswith("//"):
        return "//"
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else None


def link_problem(url: str) -> Optional[str]:
    """Return why a link may not be written in the book's text, or None."""
    scheme = scheme_of(url)
    if scheme in LINK_SCHEMES:
        return None
    if scheme == "//":
        return f"link '{url}' has no scheme: write it in full, with https://"
    if scheme is not None:
        return (f"link '{url}' uses '{scheme}:'; links may be http:, https: or mailto: addresses, "
                "or paths inside the book")
    return _path_problem(url, "link")


def image_problem(url: str) -> Optional[str]:
    """Return why an image may not be shown from this address, or None."""
    if scheme_of(url) is not None:
        return (f"image '{url}' would be loaded from outside the book, which must work offline: copy "
                "the file into the book's templates/assets/ folder and write assets/NAME")
    return _path_problem(url, "image")


def _path_problem(url: str, what: str) -> Optional[str]:
    path = normalise_url(url).split("#")[0].split("?")[0]
    if path.startswith("/"):
        return (f"{what} '{url}' starts at the server's root, which breaks from file:// and from a "
                "sub-path: write the path from the book's root, such as issues/lng.html")
    depth = 0
    for part in path.split("/"):
        depth += -1 if part == ".." else (0 if part in ("", ".") else 1)
        if depth < 0:
            return f"{what} '{url}' leads outside the book"
    return None


def attribute_problem(tag: str, name: str, value: str) -> Optional[str]:
    """Return why an element of the book's text may not carry an attribute, or None."""
    name = name.lower()
    allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(tag, frozenset())
    if name not in allowed:
        return (f"attribute '{name}' is not allowed on <{tag}> in Markdown text, so it was left out "
                "(only id, class, title and lang, and a link's address)")
    if name == "style" and not _ALIGN.match(value.strip()):
        return f"style '{value}' is not allowed in Markdown text, so it was left out"
    if tag == "a" and name == "href":
        return link_problem(value)
    if tag == "img" and name == "src":
        return image_problem(value)
    return None
