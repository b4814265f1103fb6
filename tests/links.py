"""Check a built site the way a reader's browser would: every internal link and fragment resolves."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup


def page_ids(html: str) -> set[str]:
    soup = BeautifulSoup(html, "html.parser")
    return {el["id"] for el in soup.find_all(id=True)}


def internal_links(html: str) -> list[str]:
    """Return every href/src in a page that stays inside the site."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for tag in soup.find_all(True):
        for attr in ("href", "src"):
            value = tag.get(attr)
            if value and not urlsplit(value).scheme and not value.startswith("//"):
                found.append(value)
    return found


def broken_links(site: Path) -> list[str]:
    """Return 'page -> link' for every internal link whose file or #fragment is missing."""
    ids: dict[str, set[str]] = {}
    broken = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        for link in internal_links(page.read_text(encoding="utf-8")):
            path, _, fragment = link.partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(path))) if path else rel
            if target.startswith("../") or not (site / target).is_file():
                broken.append(f"{rel} -> {link}")
                continue
            if fragment and target.endswith(".html"):
                if target not in ids:
                    ids[target] = page_ids((site / target).read_text(encoding="utf-8"))
                if fragment not in ids[target]:
                    broken.append(f"{rel} -> {link} (no #{fragment})")
    return broken
