"""Check: what the rendered files would do in a reader's browser, before anything is written."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Mapping, Optional

from ..cache import BuildCache
from ..errors import ContentError, Problem
from ..source import CONFIG_FILE
from ..text.safety import normalise_url
from .offline import external_requests, inline_code, policy_problem
from ..source import TEMPLATES_DIR


def check_output(files: Mapping[str, bytes], root: Path, cache: BuildCache) -> None:
    """Fail when any page would fetch something from outside the site, naming where it was written."""
    pages: dict[tuple[str, int, int, str], list[str]] = {}
    for rel, data in sorted(files.items()):
        key = (rel, hashlib.sha256(data).hexdigest())
        found = cache.scans.get_or_make(key, lambda: external_requests(rel, data))
        for line, url in found:
            path, line, column = find_in_sources(root, url) or (rel, line, 1)
            pages.setdefault((path, line, column, url), []).append(rel)
    problems = _policy_problems(files, root) + _inline_code_problems(files, root, cache)
    for (path, line, column, url), where in sorted(pages.items()):
        more = f" (and {len(where) - 1} more)" if len(where) > 1 else ""
        problems.append(Problem(path, line, column, "", (
            f"{where[0]}{more} would load '{url}' from outside the site; the book must work offline "
            "(copy the file into the book and link it relatively)")))
    if problems:
        raise ContentError(problems)


def _inline_code_problems(files: Mapping[str, bytes], root: Path, cache: BuildCache) -> list[Problem]:
    """Report inline scripts and on… attributes, which the policy stops from running."""
    pages: dict[tuple[str, int, int], list[str]] = {}
    for rel, data in sorted(files.items()):
        if not rel.endswith(".html"):
            continue
        key = ("inline", rel, hashlib.sha256(data).hexdigest())
        for snippet in cache.scans.get_or_make(key, lambda: inline_code(data.decode("utf-8", errors="replace"))):
            where = _find_text(root, snippet) or (rel, 0, 0)
            pages.setdefault(where, []).append(rel)
    return [Problem(path, line, column, "", (
        f"{where[0]}{f' (and {len(where) - 1} more)' if len(where) > 1 else ''} has a script written in the "
        "page, which the book's Content-Security-Policy does not let run; put it in a file under "
        "templates/assets/ and load it with <script src>"))
        for (path, line, column), where in sorted(pages.items())]


def _policy_problems(files: Mapping[str, bytes], root: Path) -> list[Problem]:
    """Report pages without the book's Content-Security-Policy, once, at the base template."""
    missing: dict[str, list[str]] = {}
    for rel, data in sorted(files.items()):
        if rel.endswith(".html"):
            reason = policy_problem(data.decode("utf-8", errors="replace"))
            if reason:
                missing.setdefault(reason, []).append(rel)
    template = f"{TEMPLATES_DIR}/base.html" if (root / TEMPLATES_DIR / "base.html").is_file() else TEMPLATES_DIR
    return [Problem(template, 0, 0, "", (
        f"{pages[0]}{f' (and {len(pages) - 1} more)' if len(pages) > 1 else ''} {reason}; keep "
        '<meta http-equiv="Content-Security-Policy" content="{{ content_security_policy }}"> right after '
        "<meta charset> in the head of base.html: it is how the browser itself keeps the book offline"))
        for reason, pages in sorted(missing.items())]


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
