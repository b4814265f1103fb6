"""Write: the finished site swapped into its folder at once; the old output stays until then."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable, Mapping, Optional

from ...errors import BriefingError
from ...files import place_folder, stat_key

MANIFEST = "manifest.json"


class OutputError(BriefingError):
    """The output folder cannot be written or replaced safely."""


Written = dict[str, tuple[int, int, int, int]]
"""Each file of a folder this process wrote, and what stat said of it just after (see `written_stats`)."""


def written_stats(out: Path) -> Written:
    """Return the size, times and inode of every file under out, as a build leaves them."""
    found: Written = {}
    for path in out.rglob("*"):
        if path.is_file() and not path.is_symlink():
            found[path.relative_to(out).as_posix()] = stat_key(path)
    return found


def check_output_location(root: Path, out: Path, written: Optional[Written] = None) -> None:
    """Refuse an output folder that would overwrite the book's own sources.

    written is what this process's last build into out left there (`serve`, `--watch`, the resident):
    a file `stat_key` still describes the same way is not read and hashed again to prove it unchanged."""
    root, out = root.resolve(), out.resolve()
    if out == root or out in root.parents:
        raise OutputError(f"refusing to write the site into {out}: it holds the briefing folder itself")
    for protected in ("content", "templates"):
        if out == root / protected or (root / protected) in out.parents:
            raise OutputError(f"refusing to write the site into {out}: it is inside {protected}/")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        _check_previous_build(out, written or {})


def _check_previous_build(out: Path, written: Written) -> None:
    """Refuse to replace a folder unless everything in it is a file briefing wrote, unchanged."""
    refuse = f"refusing to replace {out}"
    advice = "choose another --out, or move what you want to keep"
    try:
        listed = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise OutputError(f"{refuse}: it is not empty and holds no {MANIFEST} written by briefing, so it is "
                          f"not a previous build; {advice}") from None
    files = listed.get("files") if isinstance(listed, dict) else None
    if not isinstance(listed, dict) or listed.get("generator") != "briefing" or not isinstance(files, dict):
        raise OutputError(f"{refuse}: its {MANIFEST} was not written by briefing; {advice}")
    extra, changed = [], []
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.is_dir() and not path.is_symlink() or rel == MANIFEST:
            continue
        if rel not in files or path.is_symlink():
            extra.append(rel)
        elif rel in written and written[rel] == stat_key(path):
            continue
        elif hashlib.sha256(path.read_bytes()).hexdigest() != files[rel]:
            changed.append(rel)
    if extra or changed:
        named = [f"{p} (not written by briefing)" for p in extra[:3]] + [f"{p} (changed since)" for p in changed[:3]]
        more = len(extra) + len(changed) - len(named)
        raise OutputError(f"{refuse}: it holds files the last build did not write as they are: "
                          f"{', '.join(named)}{f' and {more} more' if more else ''}; {advice}")


def manifest(files: Mapping[str, bytes], info: Mapping[str, object],
             checksum: Callable[[bytes], str] = lambda data: hashlib.sha256(data).hexdigest()) -> bytes:
    """Return the manifest: build information and a checksum of every file."""
    body = dict(info)
    body["files"] = {path: checksum(data) for path, data in sorted(files.items())}
    return (json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def write_site(out: Path, files: Mapping[str, bytes]) -> Path:
    """Write the site into a fresh folder beside out, then swap it into place; return out."""
    place_folder(out, files, replace=True)
    return out
