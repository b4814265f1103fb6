"""Publish builds side by side: DEST/<version>/, a list of versions, `latest`, and a switcher.

Each version is written into a hidden folder beside its final place and
renamed into place only when complete, so a reader never sees half a version,
and nothing already published is touched. The list of versions lives in
DEST/versions.js (a script, so the switcher works from file:// as well as
over http) and DEST/versions.json; DEST/switcher.js draws the switcher;
DEST/index.html lists the versions.
"""

from __future__ import annotations

import fcntl
import html
import json
import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..errors import BriefingError
from ..files import place_folder, write_atomic
from ..text.html import insert_before_body_end
from ..text.safety import CONTENT_SECURITY_POLICY

VERSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
RESERVED = {"latest", "index.html", "versions.js", "versions.json", "switcher.js"}
LATEST = "latest"


class PublishError(BriefingError):
    """The version cannot be published; nothing already published was changed."""


def check_version_name(name: str) -> None:
    """Refuse names that are not a plain, safe folder name."""
    if not VERSION_NAME.match(name) or name in RESERVED or name.strip(".") == "":
        raise PublishError(f"'{name}' is not a safe version name: use letters, digits, '.', '_' and "
                           f"'-', starting with a letter or digit, and not '{LATEST}'")


def read_versions(dest: Path) -> list[dict[str, Any]]:
    """Return the published versions listed in DEST/versions.json, oldest first."""
    path = dest / "versions.json"
    if not path.is_file():
        return []
    try:
        return json.loads(path.read_text(encoding="utf-8"))["versions"]
    except (ValueError, KeyError, TypeError):
        raise PublishError(f"{path} is damaged; refusing to change {dest}") from None


SWITCHER_SCRIPT = Path(__file__).with_name("switcher.js")


def switcher(version: str, page: str) -> bytes:
    """Return the version switcher added to a published page (scripts from DEST, none inline)."""
    dest = "../" * (page.count("/") + 1)  # from the page up to DEST
    return (f'<div class="version-switcher" hidden>\n'
            f'<label>Version <select aria-label="Version of this book"></select></label>\n</div>\n'
            f'<script src="{dest}versions.js"></script>\n'
            f'<script src="{dest}switcher.js" data-version="{html.escape(version)}" '
            f'data-page="{html.escape(page)}" data-dest="{dest}"></script>\n').encode("utf-8")


INDEX = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: published versions</title>
<style>body{{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
li{{margin:.4rem 0}} .meta{{color:#5b6470;font-size:.9rem}}</style></head>
<body><h1>{title}</h1><p>Published versions, newest first.</p><ul>
{items}
</ul></body></html>
"""


def publish(files: Mapping[str, bytes], dest: Path, name: str, latest: bool, title: str,
            stamp: str, as_of: str) -> Path:
    """Publish a built site (as {path: bytes}) as DEST/name; return the version's folder."""
    check_version_name(name)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(f"cannot create {dest}: {exc.strerror or exc}") from None
    if not os.access(dest, os.W_OK | os.X_OK):
        raise PublishError(f"{dest} is not writable")
    with _locked(dest):
        return _publish(files, dest, name, latest, title, stamp, as_of)


@contextmanager
def _locked(dest: Path) -> Iterator[None]:
    """Let one publisher at a time change DEST."""
    with open(dest / ".publish.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _publish(files: Mapping[str, bytes], dest: Path, name: str, latest: bool, title: str,
             stamp: str, as_of: str) -> Path:
    target = dest / name
    if target.exists() or target.is_symlink():
        raise PublishError(f"version '{name}' is already published in {dest}; versions are never "
                           "overwritten, so choose a new name")
    versions = read_versions(dest)

    pages = tuple(sorted(p for p in files if p.endswith(".html")))
    published = {path: insert_before_body_end(data, switcher(name, path)) if path.endswith(".html") else data
                 for path, data in files.items()}
    place_folder(target, published, replace=False)  # the version appears all at once

    versions = [v for v in versions if v.get("name") != name]
    versions.append({"name": name, "title": title, "stamp": stamp, "as_of": as_of, "pages": list(pages)})
    latest_name = name if latest or not (dest / LATEST).is_symlink() else os.readlink(dest / LATEST)
    for v in versions:
        v["latest"] = v["name"] == latest_name
    write_index(dest, versions, title)
    if latest or not (dest / LATEST).exists():
        point_latest(dest, latest_name)
    return target


def write_index(dest: Path, versions: list[dict[str, Any]], title: str) -> None:
    """Write versions.json, versions.js and index.html, each replaced atomically."""
    body = json.dumps({"versions": versions}, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    write_atomic(dest / "versions.json", body.encode("utf-8"))
    script = f"window.BRIEFING_VERSIONS = {json.dumps(versions, ensure_ascii=False, sort_keys=True)};\n"
    write_atomic(dest / "versions.js", script.encode("utf-8"))
    write_atomic(dest / "switcher.js", SWITCHER_SCRIPT.read_bytes())
    items = "\n".join(
        f'<li><a href="{html.escape(v["name"])}/index.html">{html.escape(v["name"])}</a>'
        f'{" (latest)" if v.get("latest") else ""} <span class="meta">as of {html.escape(v["as_of"])}; '
        f'{html.escape(v["stamp"])}</span></li>' for v in reversed(versions))
    write_atomic(dest / "index.html", INDEX.format(title=html.escape(title), items=items, policy=CONTENT_SECURITY_POLICY).encode("utf-8"))


def point_latest(dest: Path, name: str) -> None:
    """Make DEST/latest lead to DEST/name, switching the link atomically."""
    link = dest / f".{LATEST}.{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(name, link, target_is_directory=True)
    os.replace(link, dest / LATEST)

