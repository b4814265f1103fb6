"""Write a built site to disk, all at once: the old output stays until the new one is complete."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Mapping

MANIFEST = "manifest.json"


class OutputError(Exception):
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


def write_tree(target: Path, files: Mapping[str, bytes]) -> None:
    """Write {relative path: bytes} under target."""
    for rel, data in sorted(files.items()):
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def replace_folder(out: Path, files: Mapping[str, bytes]) -> None:
    """Write files into a fresh folder beside out, then swap it into place."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        write_tree(fresh, files)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(fresh, 0o777 & ~umask)  # mkdtemp makes it private; a web server must read it
        swap(fresh, out)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise


def swap(fresh: Path, out: Path) -> None:
    """Put fresh where out is, keeping out untouched until fresh is complete."""
    if not out.exists():
        os.rename(fresh, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(fresh, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
