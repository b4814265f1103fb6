"""Start a new briefing book from the starter folder shipped with briefing."""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import BriefingError

STARTER = Path(__file__).resolve().parent / "starter"
GITIGNORE = "_site/\n.briefing-cache/\n"


class ScaffoldError(BriefingError):
    """The new book cannot be created where asked."""


def create_book(target: Path) -> list[str]:
    """Copy the starter book into target (which must be new or empty); return the files written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target} already exists and is not empty; choose a new folder")
    files = sorted(p for p in STARTER.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    try:
        for source in files:
            dest = target / source.relative_to(STARTER)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
        (target / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    except OSError as exc:
        raise ScaffoldError(f"cannot create {target}: {exc.strerror or exc}") from None
    return [p.relative_to(STARTER).as_posix() for p in files] + [".gitignore"]
