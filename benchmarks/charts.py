"""Measure chart render time per chart, cold (empty cache) and warm (cache filled).

    .venv/bin/python benchmarks/charts.py [--site DIR]

Cold renders go through vl-convert; warm renders read the SVG cached by the
previous build. Spec building (Altair) is timed separately.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from builder import vega
from builder.build import load_book, render_charts
from builder.pages import plan_pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", type=Path, default=Path("."))
    args = parser.parse_args()
    book, _ = load_book(args.site)

    started = time.perf_counter()
    plans = plan_pages(book, args.site)
    specs = time.perf_counter() - started
    charts = {c.key for p in plans for c in p.context.get("charts", [])}

    with tempfile.TemporaryDirectory() as cache:
        import os
        os.environ[vega.CACHE_ENV] = cache
        cold = vega.ChartRenderer(args.site)
        render_charts(plans, cold)
        warm = vega.ChartRenderer(args.site)  # a new build: nothing in memory, the cache on disk
        render_charts(plans, warm)

    def report(name: str, timings: list[tuple[str, float]]) -> None:
        ms = [t * 1000 for _, t in timings]
        print(f"{name:5} {len(ms):3} charts  total {sum(ms):8.1f} ms  per chart: median {statistics.median(ms):7.2f} ms"
              f"  min {min(ms):7.2f}  max {max(ms):7.2f}")

    print(f"{len(charts)} distinct charts on {len(plans)} pages; specs built with Altair in {specs * 1000:.0f} ms")
    report("cold", cold.stats.rendered)
    report("warm", warm.stats.cached)
    assert not warm.stats.rendered, "a warm build rendered a chart again"


if __name__ == "__main__":
    main()
