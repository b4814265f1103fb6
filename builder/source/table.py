"""CSV tables that keep the line and column of every cell."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Optional

from ..errors import Problem


def cell_starts(line: str) -> list[int]:
    """Return the character offset at which each cell of a CSV line starts."""
    starts, quoted = [0], False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            starts.append(i + 1)
    return starts


@dataclass(frozen=True)
class RowLocation:
    """Locates cells of one CSV record for error messages (a Document for one row)."""

    path: str
    line: int
    raw: str
    header: tuple[str, ...]

    def where(self, loc: tuple[Any, ...], key: bool = False) -> tuple[int, int]:
        if loc and loc[0] in self.header:
            starts = cell_starts(self.raw)
            index = self.header.index(loc[0])
            if index < len(starts):
                return self.line, starts[index] + 1
        return self.line, 1

    def text_line(self, loc: tuple[Any, ...], offset: int, column: int = 0) -> tuple[int, int]:
        return self.where(loc)


@dataclass(frozen=True)
class Row:
    """One record: its non-empty cells by column name, and where it was written."""

    location: RowLocation
    values: dict[str, str]

    @cached_property
    def text(self) -> str:
        """Return everything the row says, and where: what keys a block of rows validated together."""
        return f"{self.location.line}\x1e{self.location.raw}\x1e{self.values!r}"


@dataclass
class Table:
    """A parsed CSV file. Row problems are kept apart: they matter only once the header is right."""

    path: str
    header: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    row_problems: list[Problem] = field(default_factory=list)


def parse_csv(text: str, rel: str, earlier: Optional[Table] = None) -> tuple[Optional[Table], list[Problem]]:
    """Parse CSV text; return the table (None when it has no header) and file-level problems.

    earlier is the same file as parsed before an edit: its rows that are written on the same line
    as before, in the same words, are taken over rather than made again (with what was worked out
    from them), so that editing one row of twenty thousand costs a row."""
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = tuple(h.strip() for h in next(reader))
    except StopIteration:
        return None, [Problem(rel, 1, 1, "", "the file is empty; it needs a header row")]
    except csv.Error as exc:
        return None, [Problem(rel, 1, 1, "", f"CSV syntax error: {exc}")]
    table = Table(rel, header)
    before = {row.location.line: row for row in earlier.rows} if earlier is not None and earlier.header == header else {}
    last_line = reader.line_num
    try:
        for cells in reader:
            line = last_line + 1
            last_line = reader.line_num
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                hint = "; is there an unquoted comma in a cell?" if len(cells) > len(header) else ""
                table.row_problems.append(Problem(rel, line, 1, "", f"row has {len(cells)} columns, "
                                                  f"the header has {len(header)}{hint}"))
                continue
            raw = lines[line - 1] if line <= len(lines) else ""
            same = before.get(line)
            if same is not None and same.location.raw == raw and last_line == line:  # one line, as before
                table.rows.append(same)
                continue
            where = RowLocation(rel, line, raw, header)
            values = {name: cell for name, cell in zip(header, map(str.strip, cells)) if cell}
            table.rows.append(Row(where, values))
    except csv.Error as exc:
        table.row_problems.append(Problem(rel, reader.line_num, 1, "", f"CSV syntax error: {exc}"))
    return table, []
