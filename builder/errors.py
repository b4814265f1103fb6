"""The errors briefing reports to its user: mistakes located in the book, and refusals.

Everything here is the user's to fix and is printed without a traceback. Any
other exception is a bug in briefing and shows its traceback.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in the user's content, pointing at where it is."""

    path: str  # relative to the briefing folder, with forward slashes
    line: int = 0  # 1-based; 0 when the problem concerns the whole file
    column: int = 0
    field: str = ""
    message: str = ""
    severity: str = dataclasses.field(default="error", compare=False)

    def format(self, prefix: str = "") -> str:
        """Return the problem as `path:line:column: field: message`."""
        where = f"{prefix}{self.path}"
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        what = f"{self.field}: {self.message}" if self.field else self.message
        label = "warning: " if self.severity == "warning" else ""
        return f"{where}: {label}{what}"

    def __str__(self) -> str:
        return self.format()


class BriefingError(Exception):
    """A refusal the user can act on (an unsafe output folder, an unknown revision, …)."""


class ContentError(BriefingError):
    """Raised when the content has mistakes; carries every one found."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


class Problems:
    """Collect problems across a whole run, so all are reported at once."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def add(self, path: str, line: int = 0, column: int = 0, field: str = "",
            message: str = "", severity: str = "error") -> None:
        """Record one problem."""
        self._items.append(Problem(path, line, column, field, message, severity))

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record several problems."""
        self._items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return sorted(p for p in self._items if p.severity == "error")

    @property
    def warnings(self) -> list[Problem]:
        return sorted(p for p in self._items if p.severity == "warning")

    def raise_if_errors(self) -> None:
        """Stop the run when any error has been recorded."""
        if self.errors:
            raise ContentError(self.errors)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ` (did you mean 'x'?)` for the closest choice, or ''."""
    match = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""
