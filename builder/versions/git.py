"""The book's history in git: the build stamp, and the book as it was at any revision."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

from ..errors import BriefingError


class GitError(BriefingError):
    """git refused, or the folder is not in a repository; the message is for the user."""


def _git(root: Path, *args: str, binary: bool = False) -> Any:
    if shutil.which("git") is None:
        raise GitError("git is not installed")
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=not binary)
    if result.returncode != 0:
        error = result.stderr if not binary else result.stderr.decode("utf-8", "replace")
        raise GitError(error.strip().splitlines()[-1] if error.strip() else f"git {args[0]} failed")
    return result.stdout


def in_repository(root: Path) -> bool:
    """Return whether the briefing folder is inside a git work tree."""
    try:
        return _git(root, "rev-parse", "--is-inside-work-tree").strip() == "true"
    except GitError:
        return False


def resolve(root: Path, rev: str) -> str:
    """Return the full commit hash of a revision, or raise GitError naming it."""
    if not in_repository(root):
        raise GitError(f"{root.resolve()} is not in a git repository, so it has no revision '{rev}'")
    if rev.startswith("-"):
        raise GitError(f"unknown revision '{rev}'")
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    except GitError:
        raise GitError(f"unknown revision '{rev}' (not a commit, tag or branch of this repository)") from None


@dataclass(frozen=True)
class Stamp:
    """Which version of the book a build shows."""

    version: str  # nearest tag (with commits since), else site.yaml's version, else ""
    commit: str = ""  # full hash; "" outside git
    dirty: bool = False  # the working tree had uncommitted changes in the book's folder
    date: str = ""  # commit date, ISO 8601
    in_git: bool = False

    @property
    def short(self) -> str:
        return self.commit[:10]

    def describe(self) -> str:
        """Return the stamp as one line for footers and terminals."""
        version = self.version or "unversioned"
        if not self.in_git:
            return f"Version {version}; not built from a git repository"
        dirty = " with uncommitted changes" if self.dirty else ""
        return f"Version {version}, commit {self.short}{dirty}, committed {self.date}"

    def brief(self) -> str:
        """Return the stamp in a few words, for the end of a terminal summary."""
        version = self.version or "unversioned"
        if not self.in_git:
            return f"{version}, not in git"
        return f"{version}, commit {self.short}{' + uncommitted changes' if self.dirty else ''}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


IGNORED = ("_site", ".briefing-cache")  # build output and caches are not changes to the book


def stamp(root: Path, fallback_version: str, rev: Optional[str] = None,
          ignore: tuple[str, ...] = ()) -> Stamp:
    """Return the stamp for the working tree (rev None) or for a revision of the book."""
    if not in_repository(root):
        return Stamp(fallback_version)
    try:
        commit = resolve(root, rev or "HEAD")
    except GitError:  # a repository with no commits yet
        return Stamp(fallback_version, in_git=True, dirty=True)
    date = _git(root, "log", "-1", "--format=%cI", commit).strip()
    version = nearest_tag(root, commit) or fallback_version
    dirty = False
    if rev is None:
        excluded = [f":(exclude){name}" for name in (*IGNORED, *ignore)]
        dirty = bool(_git(root, "status", "--porcelain", "--untracked-files=normal", "--", ".",
                          *excluded).strip())
    return Stamp(version, commit, dirty, date, True)


def nearest_tag(root: Path, commit: str) -> str:
    """Return `v3` when commit is tagged v3, `v3+2` two commits later, or '' without tags."""
    try:
        described = _git(root, "describe", "--tags", "--long", commit).strip()
    except GitError:
        return ""
    tag, distance, _ = described.rsplit("-", 2)
    return tag if distance == "0" else f"{tag}+{distance}"


def label(root: Path, rev: Optional[str]) -> str:
    """Return how to name a revision to a reader: `v2 (1a2b3c4d5e)`, or `the working tree`."""
    if rev is None:
        return "the working tree"
    commit = resolve(root, rev)
    return rev if rev.startswith(commit[:7]) else f"{rev} ({commit[:10]})"


def export(root: Path, rev: str, dest: Path) -> Path:
    """Write the briefing folder as it was at rev into dest; return dest."""
    commit = resolve(root, rev)
    prefix = _git(root, "rev-parse", "--show-prefix").strip()
    tree = f"{commit}:{prefix}" if prefix else commit
    try:
        data = _git(root, "archive", "--format=tar", tree, binary=True)
    except GitError:
        raise GitError(f"the briefing folder did not exist at revision '{rev}'") from None
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        # "tar", not "data": a link that points outside is extracted as a link, and the book's own
        # reading then refuses it with a message naming it, as it does in a working tree
        archive.extractall(dest, filter="tar")
    return dest


def file_versions(root: Path, rel: str, limit: int = 50) -> Iterator[str]:
    """Yield the committed texts of a file of the book, newest first (the last `limit` commits that changed it)."""
    try:
        commits = _git(root, "log", f"-{limit}", "--format=%H", "--", rel).split()
    except GitError:
        return
    for commit in commits:
        try:
            yield _git(root, "show", f"{commit}:./{rel}")  # ./: the book may be a folder inside the repository
        except GitError:
            continue
