"""Search at scale: the size of a built book's index, how fast results come from file://, and misses.

    .venv/bin/python -m bench.search OUT   (OUT: a built site; `python -m bench` runs it on its book)

Reports the index (search/index.js) and the sections' text files, raw and gzipped; in Chromium,
from file://, the time to load the index once the box is focused, the time from typing each
query to its results on the screen and to their quotes (index loaded; and for the first query typed at once on a
fresh page, load included), and the sections a plain substring search of the same text finds
that the search does not (should be none).
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

from bench.book import WORDS

QUERIES = ["semiconductor", "tariff", "deterrence", "joint leaders", "maritime corridor", "Company 17",
           "Town 42", "Person 7", "steel quota", "resilience", "BENCH(25) 123", "Alabama", "freight",
           "Reading note 3", "supply chain", "xylophone"]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def sizes(out: Path) -> dict[str, Any]:
    index = (out / "search/index.js").read_bytes()
    texts = sorted((out / "search").glob("text-*.js"))
    raw = [p.read_bytes() for p in texts]
    return {"index_kb": round(len(index) / 1024), "index_gzip_kb": round(len(gzip.compress(index, 9)) / 1024),
            "text_files": len(texts), "text_kb": round(sum(map(len, raw)) / 1024),
            "text_gzip_kb": round(sum(len(gzip.compress(r, 9)) for r in raw) / 1024),
            "largest_text_file_kb": round(max(map(len, raw)) / 1024)}


def in_browser(out: Path, page_rel: str = "issues/issue-0000.html") -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    url = (out / page_rel).resolve().as_uri()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        # typed at once: the first query on a fresh page, the index loaded on the way
        page = browser.new_page()
        page.goto(url)
        started = time.perf_counter()
        page.click("#search-box")
        page.keyboard.type("semiconductor")
        page.wait_for_function("() => document.querySelector('.search-status').textContent.includes('semiconductor')")
        first_typed = (time.perf_counter() - started) * 1000
        page.close()

        page = browser.new_page()
        page.goto(url)
        load_ms = page.evaluate("async () => { const t = performance.now(); await briefingSearch.ready(); "
                                "return performance.now() - t; }")
        page.click("#search-box")
        per_query = {}
        for query in QUERIES:
            page.fill("#search-box", "")
            page.fill("#search-box", query)
            page.wait_for_function("q => document.querySelector('.search-status').textContent.includes(q) && "
                                   "document.querySelector('form.site-search').hasAttribute('data-quoted-ms')",
                                   arg=query)
            per_query[query] = [int(page.get_attribute("form.site-search", name) or -1)
                                for name in ("data-search-ms", "data-quoted-ms")]
        sections = page.evaluate("briefingSearch.sections()")
        misses = {}
        for query in QUERIES + [w for w in WORDS[:20]]:
            wanted = unicodedata.normalize("NFKC", query).lower()
            brute = {s["at"] for s in sections if wanted in s["text"]}
            found = set(page.evaluate("q => briefingSearch.all(q)", query))
            if brute - found:
                misses[query] = len(brute - found)
        browser.close()
    first = [shown for shown, _ in per_query.values()]
    quoted = [done for _, done in per_query.values()]
    return {"index_load_ms": round(load_ms), "first_query_typed_at_once_ms": round(first_typed),
            "results_median_ms": statistics.median(first), "results_max_ms": max(first),
            "quoted_median_ms": statistics.median(quoted), "quoted_max_ms": max(quoted),
            "results_and_quoted_ms": per_query, "sections": len(sections),
            "queries_checked": len(QUERIES) + 20, "misses_against_substring_search": misses}


def figures(out: Path, browser: bool = True) -> dict[str, Any]:
    found = sizes(out)
    if browser:
        found.update(in_browser(out))
    return found


if __name__ == "__main__":
    print(json.dumps(figures(Path(sys.argv[1])), indent=2, ensure_ascii=False))
