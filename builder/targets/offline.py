"""Keep the book offline: find anything in the output that the browser would fetch from outside the site."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Iterator

# Attributes that make the browser fetch something, per element ("*" = any element).
_FETCHING = {
    "src": "*", "srcset": "*", "poster": "video", "data": "object", "background": "*",
    "href": ("link", "image", "use"), "xlink:href": ("image", "use"), "action": (),
}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.I)


def is_external(url: str) -> bool:
    """Return whether a URL leaves the site (any scheme or a protocol-relative address)."""
    url = url.strip()
    if url.startswith("//"):
        return True
    scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return scheme is not None and scheme.group(1).lower() not in ("data", "blob", "about", "javascript")


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            where = _FETCHING.get(name)
            if name == "style":
                self._css(value)
            elif where == "*" or (where and tag in where):
                urls = [u.strip().split(" ")[0] for u in value.split(",")] if name == "srcset" else [value]
                self.found.extend((self.getpos()[0], u) for u in urls if is_external(u))
            elif tag == "meta" and name == "content" and "url=" in value.lower():
                url = value.lower().split("url=", 1)[1]
                if is_external(url):
                    self.found.append((self.getpos()[0], url))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css(data)

    def _css(self, text: str) -> None:
        for match in _CSS_URL.finditer(text):
            url = match.group(1) or match.group(2)
            if is_external(url):
                self.found.append((self.getpos()[0], url))


def external_requests(path: str, data: bytes) -> list[tuple[int, str]]:
    """Return (line, url) for every outside request a built file would make."""
    return list(_scan(path, data))


def _scan(path: str, data: bytes) -> Iterator[tuple[int, str]]:
    text = data.decode("utf-8", errors="replace")
    if path.endswith(".css"):
        for match in _CSS_URL.finditer(text):
            url = match.group(1) or match.group(2)
            if is_external(url):
                yield text[: match.start()].count("\n") + 1, url
    elif path.endswith((".html", ".svg")):
        scanner = _Scanner()
        scanner.feed(text)
        scanner.close()
        yield from scanner.found
