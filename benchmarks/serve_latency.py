"""Measure how long an edited talking point takes to appear in an open browser tab.

    .venv/bin/python benchmarks/serve_latency.py [--edits 20]

Copies the sample book to a temporary folder, starts `briefing serve` on it,
opens the tariffs paper in Debian's Chromium, then rewrites one talking point
again and again. Each figure runs from just before the file is written to the
moment the new text is in the page the browser shows (after its automatic
reload), so it includes the watcher's debounce, the rebuild and the reload.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "book"
        site.mkdir()
        shutil.copy(REPO / "site.yaml", site)
        shutil.copytree(REPO / "content", site / "content")
        paper = site / "content/issues/tariffs.yaml"
        original = paper.read_text(encoding="utf-8")
        marker = "Let our ministers work through any concern, quickly."
        assert marker in original

        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        server = subprocess.Popen([sys.executable, "-m", "builder", "serve", "--port", str(args.port)],
                                  cwd=site, env={**env, "PYTHONPATH": str(REPO)},
                                  stdout=subprocess.PIPE, text=True)
        log: list[str] = []
        ready = threading.Event()

        def read() -> None:
            for line in server.stdout:
                log.append(line.rstrip())
                if line.startswith("Serving"):
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(120):
            raise SystemExit("server did not start")

        timings = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{args.port}/issues/tariffs.html")
            page.wait_for_selector("figure.chart-live")
            for i in range(args.edits):
                text = f"Let our ministers work through any concern, quickly (edit {i})."
                started = time.perf_counter()
                paper.write_text(original.replace(marker, text), encoding="utf-8")
                page.wait_for_function(f"() => document.body && document.body.innerText.includes({text!r})",
                                       polling=5, timeout=20_000)
                timings.append((time.perf_counter() - started) * 1000)
                time.sleep(0.3)
            browser.close()
        server.send_signal(signal.SIGINT)
        server.wait(timeout=10)

    builds = [line for line in log if line.startswith("Built") and "changed" in line]
    build_ms = [float(line.split(" in ")[1].split(" ms")[0]) for line in builds]
    timings.sort()
    print(f"{len(timings)} edits of one talking point in the sample book (tariffs paper open in Chromium)")
    print(f"save → new text on screen: median {statistics.median(timings):.0f} ms, "
          f"p90 {timings[int(len(timings) * 0.9) - 1]:.0f} ms, max {timings[-1]:.0f} ms")
    if build_ms:
        print(f"of which the rebuild: median {statistics.median(build_ms):.0f} ms, max {max(build_ms):.0f} ms")


if __name__ == "__main__":
    main()
