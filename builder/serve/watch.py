"""Which files `briefing serve` watches: the book's own and the theme's, not output or editors' temp files."""

from __future__ import annotations

from pathlib import Path

import watchfiles

from ..cache import CACHE_DIR
from ..targets.site.templates import theme_dir

IGNORED_DIRS = {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", CACHE_DIR,
                "_site", ".pytest_cache", ".mypy_cache"}
TEMP_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".part", ".crdownload")
TEMP_PREFIXES = (".#", "#", ".~lock.", ".goutputstream-")


def is_editor_temp(name: str) -> bool:
    """Return whether a file name is an editor's swap, backup or lock file."""
    return (name.endswith(TEMP_SUFFIXES) or name.startswith(TEMP_PREFIXES) or name == "4913"
            or (name.startswith(".") and name.endswith(".swp")))


class ContentFilter(watchfiles.DefaultFilter):
    """Watch the book's files; ignore build output, caches and editors' temporary files."""

    def __init__(self, ignore_paths: tuple[Path, ...] = ()):
        super().__init__(ignore_dirs=tuple(IGNORED_DIRS), ignore_paths=[str(p) for p in ignore_paths])

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return super().__call__(change, path) and not is_editor_temp(Path(path).name)


def watched_paths(root: Path) -> list[Path]:
    """Return the folders and files to watch: the book's own, and the default theme."""
    paths = [p for p in sorted(root.iterdir())
             if p.name not in IGNORED_DIRS and not (p.is_dir() and p.name.startswith("."))]
    theme = theme_dir().resolve()
    if not any(theme == p.resolve() or p.resolve() in theme.parents for p in paths):
        paths.append(theme)
    return paths
