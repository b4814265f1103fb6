"""Load: read the briefing folder into located documents, before anything is validated.

Every file is read once per build, parsed with the line and column of each value, and
kept in the build cache by its text, so a rebuild parses only the files that changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..cache import BuildCache, digest
from ..errors import ContentError, Problem
from .files import DEFAULT_MAX_BYTES, SourceError, check_file, check_folder, read_text
from .pages import split_front_matter
from .table import Table, parse_csv
from .yaml import DEFAULT_MAX_VALUES, Document, parse_yaml

CONFIG_FILE = "site.yaml"
ISSUES_DIR = "content/issues"
PEOPLE_DIR = "content/people"
PAGES_DIR = "content/pages"
SCHEDULE_FILE = "content/schedule.yaml"
FACTS_FILE = "content/facts.yaml"
INVESTMENTS_FILE = "content/data/investments.csv"
STATES_FILE = "content/data/states.csv"
TEMPLATES_DIR = "templates"


@dataclass(frozen=True)
class PageSource:
    """A free page as written: its front matter and its Markdown body."""

    path: str
    front: Document
    body: str
    body_line: int  # line of the file where the body starts


@dataclass
class Sources:
    """Everything read from a briefing folder, parsed but not yet validated."""

    root: Path
    cache: BuildCache
    config: Optional[Document] = None
    issues: list[Document] = field(default_factory=list)
    people: list[Document] = field(default_factory=list)
    schedule: Optional[Document] = None
    facts: Optional[Document] = None
    pages: list[PageSource] = field(default_factory=list)
    tables: dict[str, Table] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # files that could not be parsed at all
    max_bytes: int = DEFAULT_MAX_BYTES  # the largest file the book may hold (limits in site.yaml)
    max_values: int = DEFAULT_MAX_VALUES  # the most values one YAML file may expand to

    def read(self, rel: str) -> str:
        """Return the text of a file of the book, or raise SourceError.

        A file whose size, time and inode are as the last build saw them is not read again
        (a long-running `briefing serve` rereads only what was saved).
        """
        path, info = check_file(self.root, rel, self.max_bytes)
        key = ("text", str(path), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        text = self.cache.files.get(key)
        if text is None:
            text = self.cache.files.put(key, read_text(self.root, rel, self.max_bytes))
        return str(text)

    def parse(self, text: str, rel: str, line_offset: int = 0) -> Document:
        """Parse YAML, reusing the document parsed from the same text by an earlier build."""
        key = ("yaml", rel, line_offset, self.max_values, digest(text))
        doc = self.cache.documents.get(key)
        if doc is None:
            doc = self.cache.documents.put(key, parse_yaml(text, rel, line_offset, self.max_values))
            doc.digest = key[-1]
        return doc

    def limit(self, config: Optional[Document]) -> None:
        """Take the limits site.yaml sets (checked properly by the validate stage) for the files after it."""
        limits = config.data.get("limits") if config is not None and isinstance(config.data, dict) else None
        if not isinstance(limits, dict):
            return
        size, values = limits.get("file_size_mb"), limits.get("yaml_values")
        if isinstance(size, (int, float)) and not isinstance(size, bool) and 0 < size < 1e6:
            self.max_bytes = int(size * 1024 * 1024)
        if isinstance(values, int) and not isinstance(values, bool) and 0 < values < 1e9:
            self.max_values = values


def load(root: Path, cache: BuildCache) -> Sources:
    """Read site.yaml and everything under content/; raise ContentError if this is no briefing folder."""
    sources = Sources(root, cache)
    if not (root / CONFIG_FILE).is_file():
        raise ContentError([Problem(CONFIG_FILE, 0, 0, "", f"not found in {root.resolve()}: is --site "
                                    "pointing at a briefing folder? `briefing init DIR` starts a new one")])
    sources.config = _document(sources, CONFIG_FILE)
    sources.limit(sources.config)
    for folder in (ISSUES_DIR, PEOPLE_DIR, PAGES_DIR, "content/data", "content", TEMPLATES_DIR):
        try:
            check_folder(root, folder)
        except SourceError as exc:
            raise ContentError([exc.problem]) from None
    sources.issues = _documents(sources, ISSUES_DIR)
    sources.people = _documents(sources, PEOPLE_DIR)
    if not _yaml_files(root, ISSUES_DIR):
        sources.problems.append(Problem(ISSUES_DIR, 0, 0, "", "no issue papers found (*.yaml)"))
    if (root / SCHEDULE_FILE).is_file():
        sources.schedule = _document(sources, SCHEDULE_FILE)
    if (root / FACTS_FILE).is_file():
        sources.facts = _document(sources, FACTS_FILE)
    sources.pages = _pages(sources)
    for rel in (INVESTMENTS_FILE, STATES_FILE):
        if (root / rel).is_file():
            table = _table(sources, rel)
            if table is not None:
                sources.tables[rel] = table
    return sources


def _yaml_files(root: Path, folder: str) -> list[str]:
    base = root / folder
    if not base.is_dir():
        return []
    files = sorted(p for p in base.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))
    return [f"{folder}/{p.name}" for p in files]


def _document(sources: Sources, rel: str) -> Optional[Document]:
    try:
        doc = sources.parse(sources.read(rel), rel)
    except SourceError as exc:
        sources.problems.append(exc.problem)
        sources.unreadable.add(rel)
        return None
    sources.problems.extend(doc.problems)
    return doc


def _documents(sources: Sources, folder: str) -> list[Document]:
    docs = [_document(sources, rel) for rel in _yaml_files(sources.root, folder)]
    return [doc for doc in docs if doc is not None]


def _pages(sources: Sources) -> list[PageSource]:
    base = sources.root / PAGES_DIR
    if not base.is_dir():
        return []
    pages = []
    for path in sorted(base.glob("*.md")):
        rel = f"{PAGES_DIR}/{path.name}"
        try:
            text = sources.read(rel)
            key = ("page", rel, digest(text))
            front, body, body_line = sources.cache.documents.get_or_make(
                key, lambda: split_front_matter(text, rel))
            front.digest = key[-1]
        except SourceError as exc:
            sources.problems.append(exc.problem)
            sources.unreadable.add(rel)
            continue
        sources.problems.extend(front.problems)
        pages.append(PageSource(rel, front, body, body_line))
    return pages


def _table(sources: Sources, rel: str) -> Optional[Table]:
    try:
        text = sources.read(rel)
    except SourceError as exc:
        sources.problems.append(exc.problem)
        sources.unreadable.add(rel)
        return None
    # the file as last parsed: after an edit, its unchanged rows are taken over
    found: Optional[tuple[str, Optional[Table], list[Problem]]] = sources.cache.files.get(("csv", rel))
    version = digest(text)
    if found is None or found[0] != version:
        found = sources.cache.files.put(("csv", rel), (version, *parse_csv(text, rel, found[1] if found else None)))
    sources.problems.extend(found[2])
    return found[1]
