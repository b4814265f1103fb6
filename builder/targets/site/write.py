"""Write: the finished site swapped into its folder at once; the old output stays until then."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Mapping

from ...errors import BriefingError
from ...files import place_folder

MANIFEST = "manifest.json"


class OutputError(BriefingError):
    """The output folder cannot be written or replaced safely."""


def check_output_location(root: Path, out: Path) -> None:
    """Refuse an output folder that would overwrite the book's own sources."""
    root, out = root.resolve(), out.resolve()
    if out == root or out in root.parents:
        raise OutputError(f"refusing to write the site into {out}: it holds the briefing folder itself")
    for protected in ("content", "templates"):
        if out == root / protected or (root / protected) in out.parents:
            raise OutputError(f"refusing to write the site into {out}: it is inside {protected}/")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise OutputError(f"refusing to replace {out}: it is not empty and holds no {MANIFEST}, "
                          "so it is not a previous build; choose another --out or empty it")


def manifest(files: Mapping[str, bytes], info: Mapping[str, object]) -> bytes:
    """Return the manifest: build information and a checksum of every file."""
    body = dict(info)
    body["files"] = {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())}
    return (json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def write_site(out: Path, files: Mapping[str, bytes]) -> None:
    """Write the site into a fresh folder beside out, then swap it into place."""
    place_folder(out, files, replace=True)
