"""Measure chart render time per chart, cold (empty cache) and warm (cache filled).

    .venv/bin/python benchmarks/charts.py [--site DIR]

Cold renders go through vl-convert; warm renders read the SVG kept by the
previous build. Spec building (Altair) is timed separately.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from builder.build import load_book
from builder.cache import BuildCache
from builder.charts.vega import render_svg
from builder.targets.site.plan import plan_pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", type=Path, default=Path("."))
    args = parser.parse_args()
    book, _ = load_book(args.site)

    started = time.perf_counter()
    plans = plan_pages(book)
    specs = time.perf_counter() - started
    charts = {c.key: c for p in plans for c in p.charts}

    def draw(cache: BuildCache) -> list[float]:
        timings = []
        for chart in charts.values():
            begun = time.perf_counter()
            render_svg(chart.spec, chart.needs_geo, cache)
            timings.append((time.perf_counter() - begun) * 1000)
        return timings

    with tempfile.TemporaryDirectory() as folder:
        cold_cache = BuildCache(Path(folder))
        cold = draw(cold_cache)
        warm_cache = BuildCache(Path(folder))  # a new build: nothing in memory, the SVGs on disk
        warm = draw(warm_cache)

    def report(name: str, ms: list[float]) -> None:
        print(f"{name:5} {len(ms):3} charts  total {sum(ms):8.1f} ms  per chart: median {statistics.median(ms):7.2f} ms"
              f"  min {min(ms):7.2f}  max {max(ms):7.2f}")

    print(f"{len(charts)} distinct charts on {len(plans)} pages; specs built with Altair in {specs * 1000:.0f} ms")
    report("cold", cold)
    report("warm", warm)
    assert len(cold_cache.rendered_svgs) == len(charts) and not warm_cache.rendered_svgs, \
        "a warm build rendered a chart again"


if __name__ == "__main__":
    main()
