"""Read the book's files: only regular files inside the book, of a bounded size, as UTF-8 text.

A book folder is shared, cloned and unpacked from archives, so a file in it may be a
link to somewhere else on the machine, a pipe that never ends, or very large. Each is
refused with a message naming the file before anything is read from it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import Problem

DEFAULT_MAX_BYTES = 25 * 1024 * 1024


class SourceError(Exception):
    """A file that cannot be read or parsed at all."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.format())


def _refuse(rel: str, message: str) -> SourceError:
    return SourceError(Problem(rel, 0, 0, "", message))


def inside(root: Path, path: Path) -> bool:
    """Return whether path, with every link followed, lies inside root."""
    base, real = os.path.realpath(root), os.path.realpath(path)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def check_folder(root: Path, rel: str) -> None:
    """Raise SourceError if a folder of the book is a link to a folder outside it."""
    path = root / rel
    if path.exists() and not inside(root, path):
        raise _refuse(rel, f"is a link to {path.resolve()}, outside the book; only files inside the "
                      "book's folder are read (copy them in instead)")


def read_bytes(root: Path, rel: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Return a file's bytes if it is a regular file inside root and not too large."""
    path = check_file(root, rel, max_bytes)[0]
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise _refuse(rel, f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise _refuse(rel, f"grew past the {_size(max_bytes)} a file of the book may be while it was read")
    return data


def check_file(root: Path, rel: str, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Path, os.stat_result]:
    """Return a file's path and status if it may be read: regular, inside root, not too large."""
    path = root / rel
    if not inside(root, path):
        raise _refuse(rel, f"is a link to {path.resolve()}, outside the book; only files inside the "
                      "book's folder are read (copy the file in instead)")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise _refuse(rel, "not found (is it a link to a file that does not exist?)") from None
    except OSError as exc:
        raise _refuse(rel, f"cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(rel, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(rel, "is not a regular file (a pipe, a device or a socket); only regular files are read")
    if info.st_size > max_bytes:
        raise _refuse(rel, f"is {_size(info.st_size)}, more than the {_size(max_bytes)} a file of the book "
                      "may be (limits.file_size_mb in site.yaml)")
    return path, info


def _size(count: int) -> str:
    return f"{count / 1048576:.1f} MB" if count >= 1048576 else f"{count / 1024:.1f} KB"


def guess_encoding(raw: bytes) -> str:
    """Return the name of the encoding a file that is not UTF-8 most likely has, or ''."""
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    if best is None:
        return ""
    name = best.encoding
    if name in ("latin_1", "ascii") or name.startswith(("cp125", "iso8859", "mac_")):
        # single-byte encodings cannot be told apart reliably from a few accented letters
        return "a single-byte encoding such as Windows-1252 or Latin-1"
    names = {"shift_jis": "Shift_JIS (Japanese)", "cp932": "Shift_JIS (Japanese, Windows)",
             "euc_jp": "EUC-JP (Japanese)", "utf_16": "UTF-16", "utf_16_le": "UTF-16", "utf_16_be": "UTF-16",
             "gb18030": "GB18030 (Chinese)", "big5": "Big5 (Chinese)", "euc_kr": "EUC-KR (Korean)"}
    return names.get(name, name.replace("_", "-"))


def read_text(root: Path, rel: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Return a file's text with Unix line ends, or raise SourceError naming the first bad byte."""
    raw = read_bytes(root, rel, max_bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        bad = raw[exc.start: exc.start + 1].hex().upper()
        found = guess_encoding(raw)
        looks = f"; it looks like {found}" if found else ""
        excel = (" (from Excel: Save As › 'CSV UTF-8 (Comma delimited)')"
                 if rel.lower().endswith((".csv", ".tsv", ".txt")) else "")
        raise SourceError(Problem(
            rel, line, column, "", f"file is not UTF-8 (byte 0x{bad}){looks}; save it with UTF-8 encoding{excel}")) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")
