"""Write files so that a reader never sees half of one (the one place briefing writes to disk), and tell
a file unchanged since without reading it."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Mapping, Optional


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def stat_key(path: Path) -> tuple[int, int, int, int]:
    """Return what stat says of a file that changes whenever its bytes do: size, times and inode (the
    change time cannot be set back), for telling a file unchanged without reading it."""
    info = path.stat()
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to path through a temporary file renamed into place, readable as the umask allows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a web server must read it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_tree(target: Path, files: Mapping[str, bytes], previous: Optional[Path] = None) -> None:
    """Write {relative path: bytes} under target.

    A file whose bytes are those of the same file under previous (the folder being replaced) is
    hard-linked to it rather than written again: after an edit, most of a large site is unchanged,
    and an unchanged file keeps its time, so a copy to the intranet sends only what changed.
    """
    made: set[Path] = set()
    for rel, data in sorted(files.items()):
        path = target / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        if previous is None or not _link_same(previous / rel, path, data):
            path.write_bytes(data)


def _link_same(old: Path, path: Path, data: bytes) -> bool:
    """Hard-link path to old if old is a regular file holding exactly data; return whether it did."""
    try:
        info = os.lstat(old)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data) or old.read_bytes() != data:
            return False
        os.link(old, path, follow_symlinks=False)
        return True
    except OSError:  # no such file, or a file system without hard links: write it
        return False


def place_folder(target: Path, files: Mapping[str, bytes], replace: bool) -> None:
    """Write files into a fresh folder beside target, then rename it into place all at once.

    With replace, an existing target is swapped out only once the new folder is complete;
    without it, an existing target is an error (FileExistsError) and is left alone.
    """
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    previous = target if replace and target.is_dir() and not target.is_symlink() else None
    try:
        write_tree(fresh, files, previous)
        os.chmod(fresh, 0o777 & ~_umask())  # mkdtemp makes it private; a web server must read it
        if not replace:
            if target.exists() or target.is_symlink():
                raise FileExistsError(str(target))
            os.rename(fresh, target)
        else:
            _swap(fresh, target)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise


def _swap(fresh: Path, out: Path) -> None:
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
