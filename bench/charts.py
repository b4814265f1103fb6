"""Benchmark authors' own charts: a large data file, and a book of many charts.

    .venv/bin/python -m bench.charts [--rows 3201] [--charts 90] [--json results.json]

Writes two books from the chart corpus in tests/sites/charts, each built in a fresh process
as a writer runs `briefing build`:

- one chart of --rows rows (a CSV, like the 3,201-row gallery data sets);
- --charts charts (the corpus specs, each several times with its own title).

For each: `briefing check`, a cold build (no cache), a rebuild after editing a sentence of
prose (every chart already checked and drawn), and the page that holds the large chart.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "sites" / "charts"
BRIEFING = [sys.executable, "-m", "builder"]


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(BRIEFING + args, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"briefing {' '.join(args)} failed:\n{result.stderr}")
    return round(time.perf_counter() - start, 2)


def write_large(book: Path, rows: int) -> None:
    lines = ["day,value,group"] + [f"{2000 + i // 365}-{1 + (i // 28) % 12:02d}-{1 + i % 28:02d},"
                                   f"{50 + 30 * math.sin(i / 9):.2f},{'abc'[i % 3]}" for i in range(rows)]
    (book / "charts" / "large.csv").write_text("\n".join(lines) + "\n")
    (book / "charts" / "large.json").write_text(json.dumps({
        "description": f"Daily values, {rows:,} rows", "data": {"url": "large.csv"},
        "mark": "line", "encoding": {"x": {"field": "day", "type": "temporal"},
                                     "y": {"field": "value", "type": "quantitative"},
                                     "color": {"field": "group", "type": "nominal"}}}))
    (book / "content" / "pages" / "gallery.md").write_text(
        "---\ntitle: Chart gallery\n---\nA large chart.\n\n```chart\nkind: vega-lite\nspec: charts/large.json\n```\n")


def write_many(book: Path, count: int) -> None:
    specs = sorted((book / "charts" / "corpus").glob("*.json"))
    body = ["---\ntitle: Chart gallery\n---\nMany charts.\n"]
    for n in range(count):
        source = specs[n % len(specs)]
        spec = json.loads(source.read_text())
        spec["title"] = f"Chart {n + 1}"
        target = source.with_name(f"{source.stem}-{n}.json")
        target.write_text(json.dumps(spec))
        body.append(f"\n## Chart {n + 1}\n\n```chart\nkind: vega-lite\nspec: charts/corpus/{target.name}\n```\n")
    (book / "content" / "pages" / "gallery.md").write_text("".join(body))


def measure(book: Path, work: Path) -> dict[str, Any]:
    env = {**os.environ, "BRIEFING_CACHE": str(work / "cache")}
    out = work / "site"
    results: dict[str, Any] = {"check_cold_s": timed(["check"], book, env)}
    results["build_cold_s"] = timed(["build", "--out", str(out)], book, env)
    page = book / "content" / "pages" / "gallery.md"
    page.write_text(page.read_text().replace("charts.\n", "charts, edited.\n", 1).replace("chart.\n", "chart, edited.\n", 1))
    results["build_after_prose_edit_s"] = timed(["build", "--out", str(out)], book, env)
    results["check_warm_s"] = timed(["check"], book, env)
    results["gallery_page_kb"] = round((out / "pages" / "gallery.html").stat().st_size / 1024)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3201)
    parser.add_argument("--charts", type=int, default=90)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="briefing-bench-charts-") as tmp:
        for name, write, size in (("large", write_large, args.rows), ("many", write_many, args.charts)):
            work = Path(tmp) / name
            book = work / "book"
            shutil.copytree(CORPUS, book)
            write(book, size)
            results[f"{name} ({size})"] = measure(book, work)
            print(name, size, results[f"{name} ({size})"], flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
