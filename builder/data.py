"""Tabular data: investment projects and state-level figures, read from CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, Field, ValidationError

from .errors import Problem, did_you_mean
from .geo import NATIONWIDE, STATES, in_state, locate
from .schema import Model, Origin, PartialDate, Slug, Url, optional, problems_from
from .source import SourceError, read_text

INVESTMENTS_FILE = "content/data/investments.csv"
STATES_FILE = "content/data/states.csv"

STATUSES = ("operating", "under_construction", "announced", "pledged", "pending", "blocked")


def _check_state(value: str) -> str:
    if value not in STATES and value != NATIONWIDE:
        raise ValueError(f"unknown state code '{value}': use a two-letter USPS code such as TX, "
                         f"or {NATIONWIDE} for nationwide{did_you_mean(value.upper(), STATES)}")
    return value


StateCode = Annotated[str, AfterValidator(_check_state)]


class Investment(Model):
    """One Japanese investment project in the United States."""

    id: Slug
    company: str
    project: str
    city: str = ""
    state: StateCode
    latitude: optional(Annotated[float, Field(ge=-90, le=90)]) = None
    longitude: optional(Annotated[float, Field(ge=-180, le=180)]) = None
    sector: str
    amount: optional(Annotated[float, Field(ge=0)]) = None  # millions of `currency`
    currency: Literal["USD", "JPY"] = "USD"
    amount_basis: str = ""
    jobs: optional(Annotated[int, Field(ge=0)]) = None
    jobs_basis: str = ""
    year: int
    status: Literal[STATUSES]  # type: ignore[valid-type]
    status_as_of: PartialDate
    approximate: bool
    source_url: Url
    source_label: str = ""
    notes: str = ""


class StateFigure(Model):
    """A state-level figure, such as jobs at Japanese-owned companies, with its source."""

    state: StateCode
    measure: Literal["jobs", "companies", "facilities", "investment", "fdi_position"]
    label: str
    value: float
    unit: str
    as_of: PartialDate
    approximate: bool
    source_org: str
    source_url: Url
    notes: str = ""


@dataclass(frozen=True)
class RowLocation:
    """Locates cells of one CSV record for error messages."""

    path: str
    line: int
    raw: str
    header: tuple[str, ...]

    def where(self, loc: tuple, key: bool = False) -> tuple[int, int]:
        if loc and loc[0] in self.header:
            starts = _cell_starts(self.raw)
            index = self.header.index(loc[0])
            if index < len(starts):
                return self.line, starts[index] + 1
        return self.line, 1

    def text_line(self, loc: tuple, offset: int, column: int = 0) -> tuple[int, int]:
        return self.where(loc)


def _cell_starts(line: str) -> list[int]:
    """Return the character offset at which each cell of a CSV line starts."""
    starts, quoted = [0], False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            starts.append(i + 1)
    return starts


class RowOrigin(Origin):
    """The origin of a model read from a CSV row: fields are the row's columns."""

    def problem(self, sub: tuple, message: str, key: bool = False, severity: str = "error",
                text_at: tuple[int, int] | None = None) -> Problem:
        line, column = self.doc.where(tuple(sub))
        name = str(sub[0]) if sub else ""
        return Problem(self.doc.path, line, column, name, message, severity)


@dataclass
class Data:
    investments: list[Investment] = field(default_factory=list)
    state_figures: list[StateFigure] = field(default_factory=list)


def load_data(root: Path) -> tuple[Data, list[Problem]]:
    """Read the CSV files under content/data/."""
    problems: list[Problem] = []
    data = Data()
    if (root / INVESTMENTS_FILE).is_file():
        data.investments = load_table(root, INVESTMENTS_FILE, Investment, problems)
    if (root / STATES_FILE).is_file():
        data.state_figures = load_table(root, STATES_FILE, StateFigure, problems)
    return data, problems


# Validated tables by (path, model, text): unchanged data files are not validated again.
_tables: dict[tuple[str, str, str], tuple[list, list[Problem]]] = {}


def load_table(root: Path, rel: str, model: type[Model], problems: list[Problem]) -> list:
    """Validate every row of a CSV file against model, locating each mistake."""
    try:
        text = read_text(root, rel)
    except SourceError as exc:
        problems.append(exc.problem)
        return []
    key = (rel, model.__name__, text)
    if key not in _tables:
        if len(_tables) > 64:
            _tables.clear()
        found: list[Problem] = []
        _tables[key] = (_validate_table(text, rel, model, found), found)
    rows, found = _tables[key]
    problems.extend(found)
    return list(rows)


def _validate_table(text: str, rel: str, model: type[Model], problems: list[Problem]) -> list:
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = tuple(h.strip() for h in next(reader))
    except StopIteration:
        problems.append(Problem(rel, 1, 1, "", "the file is empty; it needs a header row"))
        return []
    if not _check_header(rel, header, model, problems):
        return []

    rows, last_line = [], reader.line_num
    try:
        for cells in reader:
            line = last_line + 1
            last_line = reader.line_num
            if not cells or all(not c.strip() for c in cells):
                continue
            where = RowLocation(rel, line, lines[line - 1] if line <= len(lines) else "", header)
            if len(cells) != len(header):
                hint = "; is there an unquoted comma in a cell?" if len(cells) > len(header) else ""
                problems.append(Problem(rel, line, 1, "", f"row has {len(cells)} columns, "
                                        f"the header has {len(header)}{hint}"))
                continue
            values = {name: cell.strip() for name, cell in zip(header, cells) if cell.strip() != ""}
            try:
                item = model.model_validate(values)
            except ValidationError as exc:
                problems.extend(_located(exc, model, where))
                continue
            item._origin = RowOrigin(where)
            if isinstance(item, Investment):
                problem = check_coordinates(item)
                if problem:
                    problems.append(problem)
                    continue
            rows.append(item)
    except csv.Error as exc:
        problems.append(Problem(rel, reader.line_num, 1, "", f"CSV syntax error: {exc}"))
    return rows


def check_coordinates(record: Investment) -> Optional[Problem]:
    """Return a problem if a project's coordinates are half given or lie outside its state."""
    lat, lon = record.latitude, record.longitude
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        missing = "latitude" if lat is None else "longitude"
        return record.problem(missing, message="give both latitude and longitude, or neither")
    found = locate(lat, lon)
    if record.state == NATIONWIDE:
        if found is None:
            return record.problem("latitude", message=f"({lat}, {lon}) lies outside the United States")
        return None
    if in_state(record.state, lat, lon):
        return None
    where = f"it is in {STATES[found].name}" if found else "it is outside the United States"
    return record.problem("latitude", message=(
        f"({lat}, {lon}) lies outside {STATES[record.state].name}, the row's state; {where}. "
        "Check the sign of the longitude and the order of latitude and longitude"))


def _located(exc: ValidationError, model: type[Model], where: RowLocation) -> list[Problem]:
    out = []
    for problem in problems_from(exc, model, where):  # type: ignore[arg-type]
        name = problem.field.split(".")[0].split("[")[0]
        line, column = where.where((name,))
        out.append(Problem(where.path, line, column, name, problem.message))
    return out


def _check_header(rel: str, header: tuple[str, ...], model: type[Model],
                  problems: list[Problem]) -> bool:
    known = list(model.model_fields)
    required = [n for n, f in model.model_fields.items() if f.is_required()]
    ok = True
    starts = _cell_starts(",".join(header))
    for i, name in enumerate(header):
        if name not in known:
            problems.append(Problem(rel, 1, starts[i] + 1, name,
                                    f"unknown column{did_you_mean(name, known)}"))
            ok = False
        elif header.index(name) != i:
            problems.append(Problem(rel, 1, starts[i] + 1, name, "column appears twice"))
            ok = False
    missing = [n for n in required if n not in header]
    if missing:
        problems.append(Problem(rel, 1, 1, "", "missing required column(s): " + ", ".join(missing)))
        ok = False
    return ok
