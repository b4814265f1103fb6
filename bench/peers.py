"""The same paper texts as plain Markdown sites for MkDocs and Hugo, and timed builds of both."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

import yaml

SECTIONS = [("objective", "Objective"), ("points_to_make", "Points to make"), ("our_position", "Our position"),
            ("their_position", "Their likely position"), ("asks", "Asks"), ("red_lines", "Red lines"),
            ("press_line", "Press line"), ("background", "Background")]


def paper_markdown(paper: dict[str, Any]) -> str:
    """Return an issue paper as one Markdown page, references written out."""
    parts = []
    for key, heading in SECTIONS:
        value = paper.get(key)
        if not value:
            continue
        body = "\n".join(f"- {v}" for v in value) if isinstance(value, list) else str(value)
        parts.append(f"## {heading}\n\n{body}")
    text = "\n\n".join(parts)
    return re.sub(r"\{(fact|person|issue|state):([A-Za-z0-9-]+)\}", r"\2", text) + "\n"


def write_peer_sites(book: Path, dest: Path) -> dict[str, Path]:
    """Write an MkDocs project and a Hugo site holding every paper of the book; return their folders."""
    papers = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((book / "content/issues").glob("*.yaml"))]
    mkdocs, hugo = dest / "mkdocs", dest / "hugo"
    (mkdocs / "docs/papers").mkdir(parents=True)
    (hugo / "content/papers").mkdir(parents=True)
    (hugo / "layouts/_default").mkdir(parents=True)
    nav = [{"Home": "index.md"}]
    (mkdocs / "docs/index.md").write_text("# Papers\n", encoding="utf-8")
    for paper in papers:
        body = paper_markdown(paper)
        (mkdocs / f"docs/papers/{paper['id']}.md").write_text(f"# {paper['title']}\n\n{body}", encoding="utf-8")
        nav.append({paper["title"]: f"papers/{paper['id']}.md"})
        (hugo / f"content/papers/{paper['id']}.md").write_text(
            f"---\ntitle: {yaml.safe_dump(paper['title']).strip()}\n---\n\n{body}", encoding="utf-8")
    (mkdocs / "mkdocs.yml").write_text(yaml.safe_dump({"site_name": "Papers", "nav": nav}), encoding="utf-8")
    (hugo / "hugo.toml").write_text('baseURL = "/"\ntitle = "Papers"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n',
                                    encoding="utf-8")
    layout = ("<!doctype html><html><head><title>{{ .Title }}</title></head><body><nav><ul>"
              "{{ range .Site.RegularPages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}"
              "</ul></nav><main><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>\n")
    (hugo / "layouts/_default/single.html").write_text(layout, encoding="utf-8")
    (hugo / "layouts/_default/list.html").write_text(layout, encoding="utf-8")
    (hugo / "layouts/index.html").write_text(layout, encoding="utf-8")
    return {"mkdocs": mkdocs, "hugo": hugo}


def _timed(command: list[str], cwd: Path, out: Path) -> dict[str, Any]:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "pages": sum(1 for _ in out.rglob("*.html"))}


def mkdocs_build(site: Path) -> Optional[dict[str, Any]]:
    """Build the MkDocs project; None when MkDocs is not installed."""
    try:
        import mkdocs  # noqa: F401
    except ImportError:
        return None
    shutil.rmtree(site / "site", ignore_errors=True)
    return _timed([sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", "site"], site, site / "site")


def hugo_build(site: Path) -> Optional[dict[str, Any]]:
    """Build the Hugo site; None when Hugo is not installed."""
    binary = shutil.which("hugo")
    if binary is None:
        return None
    shutil.rmtree(site / "public", ignore_errors=True)
    return _timed([binary, "--quiet", "--destination", "public"], site, site / "public")
