"""Check: what the rendered files would do in a reader's browser, before anything is written."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional

from ..cache import BuildCache
from ..errors import ContentError, Problem
from ..source import CONFIG_FILE
from ..text.safety import normalise_url
from .offline import Scan, scan
from ..source import TEMPLATES_DIR


def scan_ahead(files: Mapping[str, bytes], cache: BuildCache) -> None:
    """Scan files now, for check_output to find in the cache (a build scans its pages while charts are drawn)."""
    for rel, data in files.items():
        cache.scans.get_or_make((rel, cache.checksum(data)), lambda: scan(rel, data))


def check_output(files: Mapping[str, bytes], root: Path, cache: BuildCache) -> int:
    """Fail when a page would load from outside the site, run inline code, or lack the book's policy.

    Each problem is named once, where it was written (a content file or a template), with the
    pages it affects. Return how many files were checked."""
    loads: dict[tuple[str, int, int, str], list[str]] = {}
    inline: dict[tuple[str, int, int], list[str]] = {}
    unprotected: dict[str, list[str]] = {}
    for rel, data in sorted(files.items()):
        key = (rel, cache.checksum(data))
        found: Scan = cache.scans.get_or_make(key, lambda: scan(rel, data))
        for line, url in found.requests:
            path, line, column = find_in_sources(root, url) or (rel, line, 1)
            loads.setdefault((path, line, column, url), []).append(rel)
        for snippet in found.inline:
            inline.setdefault(_find_text(root, snippet) or (rel, 0, 0), []).append(rel)
        if found.policy:
            unprotected.setdefault(found.policy, []).append(rel)
    template = f"{TEMPLATES_DIR}/base.html" if (root / TEMPLATES_DIR / "base.html").is_file() else TEMPLATES_DIR
    problems = [Problem(template, 0, 0, "", (
        f"{_pages(pages)} {reason}; keep <meta http-equiv=\"Content-Security-Policy\" "
        'content="{{ content_security_policy }}"> right after <meta charset> in the head of base.html: it '
        "is how the browser itself keeps the book offline")) for reason, pages in sorted(unprotected.items())]
    problems += [Problem(path, line, column, "", (
        f"{_pages(pages)} has a script written in the page, which the book's Content-Security-Policy does "
        "not let run; put it in a file under templates/assets/ and load it with <script src>"))
        for (path, line, column), pages in sorted(inline.items())]
    problems += [Problem(path, line, column, "", (
        f"{_pages(pages)} would load '{url}' from outside the site; the book must work offline "
        "(copy the file into the book and link it relatively)"))
        for (path, line, column, url), pages in sorted(loads.items())]
    if problems:
        raise ContentError(problems)
    return len(files)


def _pages(pages: list[str]) -> str:
    return pages[0] + (f" (and {len(pages) - 1} more)" if len(pages) > 1 else "")


def find_in_sources(root: Path, url: str) -> Optional[tuple[str, int, int]]:
    """Return (path, line, column) of the first place an address is written in the book's sources.

    The address may be written differently from how the browser reads it (with entities or
    backslashes), so its host and path are looked for too.
    """
    tail = normalise_url(url).split("//", 1)[-1]
    for needle in dict.fromkeys([url, tail, tail.replace("/", "\\")]):
        if needle:
            found = _find_text(root, needle)
            if found:
                return found
    return None


def _find_text(root: Path, text: str) -> Optional[tuple[str, int, int]]:
    candidates = [root / CONFIG_FILE, *sorted((root / "content").rglob("*")),
                  *sorted((root / TEMPLATES_DIR).rglob("*"))]
    for path in candidates:
        if not path.is_file():
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(lines, 1):
            if text in line:
                return path.relative_to(root).as_posix(), number, line.index(text) + 1
    return None
