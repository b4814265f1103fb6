"""Build a large synthetic book and time it: many issue papers, many investment rows.

    .venv/bin/python benchmarks/scale.py [--issues 300] [--rows 20000]

Starts from tests/sites/minimal, adds generated issue papers and investment
records (spread over the states' real coordinates), then times a cold build,
a warm rebuild in the same process, and a rebuild after editing one point.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

from builder.build import build
from builder.cache import BuildCache
from builder.geo import STATES, state_shapes

REPO = Path(__file__).resolve().parent.parent


def make_book(root: Path, issues: int, rows: int) -> None:
    shutil.copytree(REPO / "tests/sites/minimal", root)
    rng = random.Random(7)
    for i in range(issues):
        (root / f"content/issues/gen-{i:04d}.yaml").write_text(
            f"id: gen-{i:04d}\ntitle: Generated issue {i}\npriority: low\nstatus: draft\n"
            f"drafted_by: Desk {i % 7}\nobjective: Objective {i}, citing {{fact:cars-exported}}.\n"
            f"background: |\n  Background paragraph {i}.\n\n  - a point\n  - another point\n"
            f"our_position: Position {i}.\ntheir_position: Theirs {i}.\n"
            f"points_to_make:\n" + "".join(f"  - Point {j} of issue {i}.\n" for j in range(6)) +
            f"investments: {{state: [{rng.choice(sorted(STATES))}]}}\n", encoding="utf-8")
    shapes = state_shapes()
    codes = sorted(STATES)
    lines = [(root / "content/data/investments.csv").read_text(encoding="utf-8").rstrip("\n")]
    for i in range(rows):
        code = codes[i % len(codes)]
        lon, lat = shapes[code][0][i % len(shapes[code][0])]  # a point on the state's border
        lines.append(f"gen-{i},Company {i % 500},Project {i},Town,{code},{lat:.4f},{lon:.4f},"
                     f"{'automotive' if i % 2 else 'steel'},{rng.randint(5, 5000)},USD,announced,"
                     f"{rng.randint(10, 3000)},planned_new,{2000 + i % 25},announced,2024-12,N,"
                     f"https://example.org/p/{i},,")
    (root / "content/data/investments.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, default=300)
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "book"
        make_book(root, args.issues, args.rows)
        cache = BuildCache(Path(tmp) / "cache")
        timings = []
        for label in ("cold build", "warm rebuild, nothing changed"):
            started = time.perf_counter()
            result = build(root, Path(tmp) / "out", cache=cache)
            timings.append((label, time.perf_counter() - started))
        paper = root / "content/issues/gen-0001.yaml"
        paper.write_text(paper.read_text().replace("Point 3 of issue 1.", "Point 3, edited."))
        started = time.perf_counter()
        build(root, write=False, static_charts=True, cache=cache)
        timings.append(("rebuild after editing one point (in memory, as serve does)", time.perf_counter() - started))
        size = sum(len(b) for b in result.files.values()) / 1e6
        print(f"{len(result.book.issues)} issues, {len(result.book.investments)} investment rows: "
              f"{result.pages} pages, {len(result.files)} files, {size:.1f} MB")
        for label, seconds in timings:
            print(f"  {label}: {seconds:.2f} s")


if __name__ == "__main__":
    main()
