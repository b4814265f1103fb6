"""Free pages: Markdown with YAML front matter, and the ```chart fences in their bodies."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .yaml import Document, parse_yaml

_FRONT = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*\n?", re.S | re.M)
_CHART_FENCE = re.compile(r"^```chart[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def split_front_matter(text: str, rel: str) -> tuple[Document, str, int]:
    """Split a Markdown file into (front matter, body, line where the body starts)."""
    match = _FRONT.match(text)
    if not match:
        return Document(rel, {}), text, 1
    front = parse_yaml(match.group(1), rel, line_offset=1)
    if front.data is None:
        front.data = {}
    body_line = text[: match.end()].count("\n") + 1
    return front, text[match.end():], body_line


@dataclass(frozen=True)
class Fence:
    """A ```chart block in a page's Markdown: its YAML, where it stands, and its first YAML line."""

    start: int  # character offsets of the whole fence in the body
    end: int
    text: str
    line: int  # line of the body where the YAML starts (0-based)


def chart_fences(body: str) -> list[Fence]:
    """Return the ```chart blocks of a Markdown body, in order."""
    return [Fence(m.start(), m.end(), m.group(1), body[: m.start()].count("\n") + 1)
            for m in _CHART_FENCE.finditer(body)]
