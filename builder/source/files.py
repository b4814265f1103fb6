"""Read the book's files as text: UTF-8, with or without a byte-order mark."""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem


class SourceError(Exception):
    """A file that cannot be read or parsed at all."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.format())


def read_text(root: Path, rel: str) -> str:
    """Return a file's text, or raise SourceError naming the first bad byte."""
    raw = (root / rel).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        bad = raw[exc.start: exc.start + 1].hex().upper()
        raise SourceError(Problem(
            rel, line, column, "",
            f"file is not UTF-8 (byte 0x{bad}); save it with UTF-8 encoding")) from None
    return text.removeprefix("\ufeff")
