"""Keep the book offline: find anything in the output that a browser would fetch from outside the site.

Pages are read the way a browser reads them: HTML with an HTML5 parser (entities
decoded, `srcdoc` and `<template>` contents read too), and CSS with a CSS tokenizer
(escapes such as `u\\72l(` resolved), so no spelling of an address can hide it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Optional

import tinycss2
from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..text.safety import CONTENT_SECURITY_POLICY, normalise_url, scheme_of

# Attributes that make the browser fetch something, on any element.
FETCHING = frozenset({"src", "srcset", "imagesrcset", "poster", "data", "background", "action",
                      "formaction", "ping", "manifest", "codebase", "archive", "longdesc", "lowsrc",
                      "dynsrc", "xlink:href", "profile", "icon", "itemtype"})
# Elements whose href is followed only when the reader clicks it.
NAVIGATION = frozenset({"a", "area"})
# Schemes that load nothing from a network.
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})
_IMAGE_FUNCTIONS = frozenset({"image-set", "-webkit-image-set", "image", "cross-fade", "-webkit-cross-fade"})


def is_external(url: str) -> bool:
    """Return whether loading a URL would leave the site (any scheme but data:, blob:, about:)."""
    scheme = scheme_of(url)
    return scheme is not None and scheme not in LOCAL_SCHEMES


@dataclass(frozen=True)
class Scan:
    """What one built file would do in a browser: load addresses, run inline code, carry the policy."""

    requests: tuple[tuple[int, str], ...] = ()  # (line, address) of each load from outside the site
    inline: tuple[str, ...] = ()  # the start of each inline script, or `onclick=` for a handler
    policy: Optional[str] = None  # why an HTML page lacks the book's Content-Security-Policy


def scan(path: str, data: bytes) -> Scan:
    """Read one built file as a browser would, once."""
    text = data.decode("utf-8", errors="replace")
    if path.endswith(".css"):
        return Scan(tuple((line, url) for line, url in css_urls(text) if is_external(url)))
    if not path.endswith((".html", ".svg")):
        return Scan()
    tree = LexborHTMLParser(text)
    requests = tuple((_line_of(text, url), url) for url in _tree_urls(tree, 0) if is_external(url))
    if not path.endswith(".html"):
        return Scan(requests)
    return Scan(requests, tuple(_inline_code(tree)), _policy_problem(tree))


def external_requests(path: str, data: bytes) -> list[tuple[int, str]]:
    """Return (line, url) for every outside request a built file would make."""
    return list(scan(path, data).requests)


def _policy_problem(tree: LexborHTMLParser) -> Optional[str]:
    """Return why a page does not carry the book's Content-Security-Policy before anything it loads."""
    head = tree.head
    elements = [n for n in (head.iter() if head is not None else []) if n.tag and n.tag != "-text"]
    metas = [i for i, n in enumerate(elements)
             if (n.attributes.get("http-equiv") or "").lower() == "content-security-policy"]
    if not metas:
        return "has no Content-Security-Policy"
    if any(elements[i].attributes.get("content") != CONTENT_SECURITY_POLICY for i in metas):
        return "has a Content-Security-Policy other than the book's"
    if any(n.tag not in ("meta", "title") for n in elements[:metas[0]]):
        return "loads something before its Content-Security-Policy"
    return None


_DATA_SCRIPTS = frozenset({"application/json", "application/ld+json", "importmap", "text/plain"})


def _inline_code(tree: LexborHTMLParser) -> list[str]:
    """Return what a page would run inline (a script element's text, an on… attribute): under the
    book's policy none of it runs, so each is a mistake to report, not a script to trust."""
    found = []
    for node in (tree.root.traverse(include_text=False) if tree.root is not None else []):
        attributes = node.attributes
        kind = (attributes.get("type") or "").lower()
        if node.tag == "script" and "src" not in attributes and kind not in _DATA_SCRIPTS:
            found.append(node.text(deep=True).strip()[:40] or "<script>")
        found.extend(f"{name}=" for name in attributes if name.lower().startswith("on"))
    return found


def html_urls(text: str, depth: int = 0) -> Iterator[str]:
    """Yield every address an HTML (or SVG) document would load, without following navigation links."""
    yield from _tree_urls(LexborHTMLParser(text), depth)


def _tree_urls(tree: LexborHTMLParser, depth: int) -> Iterator[str]:
    if depth > 8:  # documents nested in srcdoc deeper than anyone writes by hand
        yield "about:too-deeply-nested"
        return
    if tree.root is not None:
        yield from _node_urls(tree.root, depth)


def _node_urls(root: LexborNode, depth: int) -> Iterator[str]:
    for node in root.traverse(include_text=False):
        tag = (node.tag or "").lower()
        attributes = node.attributes
        for name, value in attributes.items():
            if value is None:
                continue
            name = name.lower()
            if name in ("srcset", "imagesrcset"):
                yield from _srcset(value)
            elif name in FETCHING or (name == "href" and tag not in NAVIGATION):
                yield value
            elif name == "style":
                yield from (url for _, url in css_urls(value, declarations=True))
            elif name == "srcdoc":
                yield from html_urls(value, depth + 1)
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            url = _refresh_url(attributes.get("content") or "")
            if url is not None:
                yield url
        elif tag == "style":
            yield from (url for _, url in css_urls(node.text(deep=True)))
        elif tag == "template":  # its contents are a separate fragment: read them as a document
            outer = node.html or ""
            inner = outer[outer.find(">") + 1: outer.rfind("</template>")]
            yield from html_urls(inner, depth + 1)


def _srcset(value: str) -> Iterator[str]:
    for candidate in re.split(r",\s+|,(?=\S)", value.strip()):
        url = candidate.strip().split()[0] if candidate.strip() else ""
        if url:
            yield url


def _refresh_url(content: str) -> Optional[str]:
    match = re.search(r"url\s*=\s*['\"]?([^'\"]+)", content, re.I)
    return match.group(1).strip() if match else None


def css_urls(text: str, declarations: bool = False) -> list[tuple[int, str]]:
    """Return (line, url) for every address a stylesheet (or a style attribute) would load."""
    return list(_css_urls(text, declarations))


@lru_cache(maxsize=4096)
def _css_urls(text: str, declarations: bool) -> tuple[tuple[int, str], ...]:
    """css_urls, read once per distinct text: every static chart carries the same font style."""
    if declarations:
        nodes = tinycss2.parse_blocks_contents(text)
    else:
        nodes = tinycss2.parse_stylesheet(text)
    found: list[tuple[int, str]] = []
    _walk_css(nodes, found, in_image_function=False)
    return tuple(found)


def _walk_css(nodes: list[object], found: list[tuple[int, str]], in_image_function: bool) -> None:
    for node in nodes:
        kind = getattr(node, "type", "")
        if kind == "url":
            found.append((node.source_line, node.value))  # type: ignore[attr-defined]
        elif kind == "function":
            name = node.lower_name  # type: ignore[attr-defined]
            arguments = node.arguments  # type: ignore[attr-defined]
            if name in ("url", "src"):
                strings = [t.value for t in arguments if getattr(t, "type", "") == "string"]
                found.extend((node.source_line, s) for s in strings)  # type: ignore[attr-defined]
            _walk_css(arguments, found, in_image_function or name in _IMAGE_FUNCTIONS)
        elif kind == "string" and in_image_function:
            found.append((node.source_line, node.value))  # type: ignore[attr-defined]
        elif kind == "at-rule":
            prelude = node.prelude  # type: ignore[attr-defined]
            if node.lower_at_keyword == "import":  # type: ignore[attr-defined]
                found.extend((node.source_line, t.value) for t in prelude  # type: ignore[attr-defined]
                             if getattr(t, "type", "") == "string")
            _walk_css(prelude, found, in_image_function)
            if node.content is not None:  # type: ignore[attr-defined]
                _walk_css(tinycss2.parse_blocks_contents(node.content), found,  # type: ignore[attr-defined]
                          in_image_function)
        elif kind in ("qualified-rule", "declaration"):
            _walk_css(node.prelude if kind == "qualified-rule" else [], found, in_image_function)  # type: ignore[attr-defined]
            content = node.content if kind == "qualified-rule" else node.value  # type: ignore[attr-defined]
            if kind == "qualified-rule":
                content = tinycss2.parse_blocks_contents(content)
            _walk_css(content, found, in_image_function)
        elif kind in ("() block", "[] block", "{} block"):
            _walk_css(node.content, found, in_image_function)  # type: ignore[attr-defined]


def _line_of(text: str, url: str) -> int:
    """Return the line where url (or its start, as written) first appears in a file, else 1."""
    for needle in (url, url[:20], normalise_url(url)[:20]):
        at = text.find(needle) if needle else -1
        if at >= 0:
            return text.count("\n", 0, at) + 1
    return 1
