"""Time the render stage for the issue papers' pages alone: the pages whose texts MkDocs and Hugo build.

    python -m bench.render BOOK    prints {"pages": n, "seconds": s} as JSON

Run in a fresh process by `python -m bench`, after a build has drawn the charts: the book is
loaded, checked and planned first (not timed), then its paper pages are rendered with nothing
kept from an earlier build, templates compiled on first use as MkDocs and Hugo compile theirs.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path

from builder.cache import BuildCache
from builder.source import load
from builder.targets.site.plan import plan_site
from builder.targets.site import templates
from builder.targets.site.render import render_pages
from builder.validate import validate
from builder.versions import git


def main(root: Path) -> None:
    # compiled here, as MkDocs and Hugo compile theirs: not read back from what an earlier build kept
    templates.compiled_templates = lambda words: None
    cache = BuildCache(None)
    book, _ = validate(load(root, cache))
    site = plan_site(book, git.stamp(root, book.config.version, None, ()), None, cache)
    papers = dataclasses.replace(site, pages=[p for p in site.pages if p.template == "issue.html"])
    started = time.perf_counter()
    pages = render_pages(papers, root, cache)
    seconds = time.perf_counter() - started
    print(json.dumps({"pages": len(pages), "seconds": round(seconds, 3)}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
