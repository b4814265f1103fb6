"""What changed between two versions of a book: a structured report, not a text diff of files.

`compare` pairs items by id (issues, people, facts, investment records,
programme items, pages) and reports, for each changed item, the fields that
changed. Lists of points are compared point by point, so a reworded point
shows as a word-level change rather than one removal and one addition.
"""

from __future__ import annotations

import difflib
import json
import re
import dataclasses
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterable, Optional

from ..model.base import PointList, fields_with
from ..model.book import Book
from ..model.config import Config
from ..model.content import Issue, Person
from ..text.figures import format_millions, format_number, format_value
from ..text.locale import N_

REWORD_RATIO = 0.5  # how alike two points must be to count as one point reworded


@dataclass
class Words:
    """A word-level diff: runs of text kept, removed (-) or added (+)."""

    runs: list[tuple[str, str]]  # (" " | "-" | "+", text)

    def plain(self) -> str:
        """Return the diff as text with [-removed-] and {+added+} marks."""
        marks = {" ": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
        return "".join(marks[op].format(text) for op, text in self.runs)


@dataclass
class FieldChange:
    """One field of an item that differs."""

    field: str
    old: Any = None
    new: Any = None
    words: Optional[Words] = None  # for text, a word-level diff
    added: list[str] = dataclasses.field(default_factory=list)  # for point lists
    removed: list[str] = dataclasses.field(default_factory=list)
    reworded: list[Words] = dataclasses.field(default_factory=list)


@dataclass
class ItemChange:
    """An item added, removed or changed."""

    kind: str  # issue, person, fact, investment, state figure, programme item, page, book
    id: str
    title: str
    status: str  # added, removed, changed
    fields: list[FieldChange] = dataclasses.field(default_factory=list)

    def field(self, name: str) -> Optional[FieldChange]:
        return next((f for f in self.fields if f.field == name), None)


KIND_TITLES = {"book": N_("Book settings"), "issue": N_("Issue papers"), "person": N_("People"),
               "programme item": N_("Programme"), "fact": N_("Key facts"), "investment": N_("Investment records"),
               "state figure": N_("State figures"), "page": N_("Pages")}
"""Each kind of item, as the report heads its changes (a message of the catalogs: pages translate it)."""


@dataclass
class BookChanges:
    """Every change between two versions of a book."""

    old: str  # how to name the old version in full: `v1 (4b2af40553)`
    new: str
    items: list[ItemChange] = dataclasses.field(default_factory=list)
    old_name: str = ""  # as the user named it: `v1`

    def __post_init__(self) -> None:
        self.old_name = self.old_name or self.old

    def find(self, kind: str, item_id: str) -> Optional[ItemChange]:
        return next((i for i in self.items if i.kind == kind and i.id == item_id), None)

    def point_status(self, kind: str, item_id: str, list_field: str, text: str) -> str:
        """Return 'added', 'reworded' or '' for one point of an item in the new version."""
        item = self.find(kind, item_id)
        change = item.field(list_field) if item else None
        if item and item.status == "added":
            return "added"
        if not change:
            return ""
        if text in change.added:
            return "added"
        if any("".join(t for op, t in w.runs if op != "-") == text for w in change.reworded):
            return "reworded"
        return ""

    def by_kind(self) -> list[tuple[str, list[ItemChange]]]:
        return [(title, [i for i in self.items if i.kind == kind]) for kind, title in KIND_TITLES.items()
                if any(i.kind == kind for i in self.items)]

    def summary(self) -> str:
        """Return one line such as `Issue papers: 1 added, 2 changed. Key facts: 1 changed.`"""
        if not self.items:
            return "No changes."
        parts = []
        for title, items in self.by_kind():
            counts = [f"{sum(1 for i in items if i.status == s)} {s}" for s in ("added", "removed", "changed")
                      if any(i.status == s for i in items)]
            parts.append(f"{title}: {', '.join(counts)}.")
        return " ".join(parts)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False, default=str) + "\n"


_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def word_diff(old: str, new: str) -> Words:
    """Return a word-level diff of two texts."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append((" ", "".join(a[i1:i2])))
        if op in ("delete", "replace"):
            runs.append(("-", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            runs.append(("+", "".join(b[j1:j2])))
    return Words(runs)


def _point(value: Any) -> str:
    """Return a point as diff shows it: its text, after its marking when it carries one."""
    if isinstance(value, dict):
        return f"({value.get('marking', '')}) {value.get('text', '')}" if value.get("marking") else str(value.get("text", ""))
    return str(value)


def compare_points(name: str, old: list[Any], new: list[Any]) -> Optional[FieldChange]:
    """Compare two lists of points: added, removed and reworded ones."""
    old, new = [_point(p) for p in old], [_point(p) for p in new]
    if old == new:
        return None
    change = FieldChange(name)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        gone, came = list(old[i1:i2]), list(new[j1:j2])
        # pair each removed point with the most alike added point, if alike enough
        for before in list(gone):
            scored = [(difflib.SequenceMatcher(None, before, after).ratio(), after) for after in came]
            best = max(scored, default=(0.0, ""))
            if best[0] >= REWORD_RATIO:
                change.reworded.append(word_diff(before, best[1]))
                gone.remove(before)
                came.remove(best[1])
        change.removed.extend(gone)
        change.added.extend(came)
    if not (change.added or change.removed or change.reworded):
        return None  # the same points in a new order
    return change


def _display(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and re.fullmatch(r"\d\d:\d\d:00", value):
        return value[:5]  # a time of day, as the programme shows it
    return value


def compare_fields(old: dict[str, Any], new: dict[str, Any], points: Iterable[str] = ()) -> list[FieldChange]:
    """Compare two items' fields (as plain data), in the order of the new item; points: point lists."""
    changes = []
    point_lists = set(points)
    for name in list(new) + [k for k in old if k not in new]:
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if name in point_lists and isinstance(before or [], list) and isinstance(after or [], list):
            listed = compare_points(name, before or [], after or [])
            if listed:
                changes.append(listed)
        elif isinstance(before, str) and isinstance(after, str) and (" " in before or " " in after):
            changes.append(FieldChange(name, before, after, word_diff(before, after)))
        else:
            changes.append(FieldChange(name, _display(before), _display(after)))
    return changes


def _pair(kind: str, old: dict[str, Any], new: dict[str, Any], title_of: Callable[[Any], str],
          points: Iterable[str] = ()) -> list[ItemChange]:
    """Compare two {id: plain data} tables of one kind of item."""
    out = []
    for item_id in sorted(new.keys() - old.keys()):
        out.append(ItemChange(kind, item_id, title_of(new[item_id]), "added"))
    for item_id in sorted(old.keys() - new.keys()):
        out.append(ItemChange(kind, item_id, title_of(old[item_id]), "removed"))
    for item_id in sorted(old.keys() & new.keys()):
        fields = compare_fields(old[item_id], new[item_id], points)
        if fields:
            out.append(ItemChange(kind, item_id, title_of(new[item_id]), "changed", fields))
    return out


def _dump(items: Iterable[Any], key: str = "id") -> dict[str, dict[str, Any]]:
    return {getattr(i, key): i.model_dump(mode="json", by_alias=True) for i in items}


def compare(old: Book, new: Book, old_label: str, new_label: str, old_name: str = "") -> BookChanges:
    """Return every change from the old book to the new one."""
    changes = BookChanges(old_label, new_label, old_name=old_name)
    config_fields = compare_fields(old.config.model_dump(mode="json"), new.config.model_dump(mode="json"),
                                   fields_with(Config, PointList))
    if config_fields:
        changes.items.append(ItemChange("book", "site", "site.yaml", "changed", config_fields))
    changes.items += _pair("issue", _dump(old.issues), _dump(new.issues), lambda d: d["title"],
                           fields_with(Issue, PointList))
    changes.items += _pair("person", _dump(old.people), _dump(new.people), lambda d: d["name"],
                           fields_with(Person, PointList))
    changes.items += _pair("programme item", _dump(old.schedule.items if old.schedule else []),
                           _dump(new.schedule.items if new.schedule else []), lambda d: d["title"])
    facts = _pair("fact", _dump(old.facts), _dump(new.facts), lambda d: d["label"])
    for item in facts:  # show values as the book does: ¥7.95 tn → ¥8.7 tn
        value = item.field("value")
        if value:
            value.old = format_value(old.fact_by_id[item.id].value, old.fact_by_id[item.id].unit)
            value.new = format_value(new.fact_by_id[item.id].value, new.fact_by_id[item.id].unit)
    changes.items += facts
    records = _pair("investment", _dump(old.investments), _dump(new.investments),
                    lambda d: f"{d['company']}: {d['project']}")
    before, after = ({r.id: r for r in old.investments}, {r.id: r for r in new.investments})
    for item in records:  # amounts and jobs as the book shows them
        for change in item.fields:
            if change.field == "amount":
                change.old = format_millions(before[item.id].amount, before[item.id].currency)
                change.new = format_millions(after[item.id].amount, after[item.id].currency)
            elif change.field == "jobs":
                change.old = format_number(change.old) if change.old is not None else "not disclosed"
                change.new = format_number(change.new) if change.new is not None else "not disclosed"
    changes.items += records

    def figure_key(figure: Any) -> str:
        return f"{figure.state}/{figure.measure}/{figure.label}"

    changes.items += _pair("state figure",
                           {figure_key(f): f.model_dump(mode="json") for f in old.state_figures},
                           {figure_key(f): f.model_dump(mode="json") for f in new.state_figures},
                           lambda d: f"{d['state']}: {d['label']}")
    pages_old = {p.id: p.key for p in old.pages}
    pages_new = {p.id: p.key for p in new.pages}
    changes.items += _pair("page", pages_old, pages_new, lambda d: d["title"])
    return changes


def format_text(changes: BookChanges, colour: bool = False) -> str:
    """Return the change report for a terminal."""
    lines = [f"Changes from {changes.old} to {changes.new}", ""]
    signs = {"added": "+", "removed": "-", "changed": "~"}
    for title, items in changes.by_kind():
        lines.append(title)
        for item in items:
            lines.append(f"  {signs[item.status]} {item.status}: {item.id} \"{item.title}\"")
            for change in item.fields:
                lines.extend("      " + line for line in _field_lines(change))
        lines.append("")
    lines.append(changes.summary())
    return "\n".join(lines) + "\n"


def _field_lines(change: FieldChange) -> list[str]:
    if change.added or change.removed or change.reworded:
        out = [f"{change.field}:"]
        out += [f"  + added: {text}" for text in change.added]
        out += [f"  - removed: {text}" for text in change.removed]
        out += [f"  ~ reworded: {words.plain()}" for words in change.reworded]
        return out
    if change.words is not None:
        old, new = str(change.old), str(change.new)
        if "\n" not in old.strip() and "\n" not in new.strip() and len(old) + len(new) < 240:
            return [f"{change.field}: {change.words.plain()}"]
        out = [f"{change.field}:"]
        for words in _changed_lines(old, new):
            out.append(f"  ~ {words.plain()}")
        return out
    return [f"{change.field}: {change.old} → {change.new}"]


def _changed_lines(old: str, new: str) -> list[Words]:
    """Return word diffs of only the lines of a long text that changed."""
    a, b = old.splitlines(), new.splitlines()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            out.append(word_diff("\n".join(a[i1:i2]), "\n".join(b[j1:j2])))
    return out
