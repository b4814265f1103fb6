"""Benchmark briefing on a G20-sized book, against MkDocs and Hugo on the same texts.

    .venv/bin/python -m bench [--quick] [--json results.json] [--keep DIR] [--no-browser] [--no-peers] [--no-pdf]

Writes a synthetic book (default: 500 issue papers, 120 people, 20,000 investment rows, 200
chart blocks; --quick: a small one, under a minute), then measures:

- each build in a fresh process, with no resident build process: cold build (no cache), warm
  build (nothing changed), build after editing one paper, build after editing one data row, and
  page rendering alone (charts already drawn);
- the same two edits built by `briefing build` as a writer runs it, made by the book's resident
  build process, which kept the last build in memory; and that process's memory;
- `briefing build --watch`: from saving an edited talking point, or data row, to the output written;
- `briefing serve`: from saving an edited talking point to the new text in Chromium;
- search (bench/search.py): the index's size, raw and gzipped; in Chromium from file://, the time
  from typing a query to its results and to their quotes; sections a substring search finds and
  the search misses;
- `briefing pdf`: the whole book printed, its time, peak memory and number of sheets (not with --quick);
- peak memory (of the largest process, and of all a build's processes together: a first build
  draws its charts in worker processes), output size, the largest page (with what it loads
  besides the vendor scripts), pages per second;
- MkDocs (pip) and Hugo (Debian's package) building the same paper texts with a navigation of
  all pages, and the ratio of our time per page to theirs: for our whole build, for our render
  stage over all pages, and for rendering the paper pages alone (bench/render.py).

Needs: `pip install -e '.[bench]'` (MkDocs, Playwright) and `apt-get install hugo chromium poppler-utils`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Optional

from bench.book import DEFAULT, QUICK, Scale, edit_point, edit_row, write_book
from bench.peers import hugo_build, mkdocs_build, write_peer_sites
from bench.search import figures as search_figures

REPO = Path(__file__).resolve().parent.parent
TIME = "/usr/bin/time"


def run_build(book: Path, out: Path, cache: Path, *extra: str, what: str = "build",
              resident: bool = False) -> dict[str, float]:
    """Run `briefing build` (or `briefing pdf`) in a fresh process; return its wall time and peak memory.

    With resident, the build is the book's resident build process's to make, if it has one (as a
    writer's is), and leaves one behind if not; without, it is made in the fresh process alone."""
    env = _env(cache, resident)
    timings = ["--timings"] if what == "build" else []
    command = [sys.executable, "-m", "builder", what, "--quiet", *timings, "--out", str(out), *extra]
    if os.path.exists(TIME):
        command = [TIME, "-f", "BENCH-MAXRSS %M", *command]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=book, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_tree = [0]
    sampler = threading.Thread(target=_sample_tree, args=(process, peak_tree), daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"build failed:\n{stdout}\n{stderr}")
    rss = re.search(r"BENCH-MAXRSS (\d+)", stderr)
    stages = {m.group(1): float(m.group(2)) for m in re.finditer(r"(\w+) (\d+\.\d+) s", stderr)}
    return {"seconds": round(seconds, 3), "peak_mb": round(int(rss.group(1)) / 1024, 1) if rss else -1.0,
            "peak_all_processes_mb": round(peak_tree[0] / 1024, 1), "stages": stages}


def _env(cache: Path, resident: bool = False) -> dict[str, str]:
    return {**os.environ, "BRIEFING_CACHE": str(cache), "PYTHONPATH": str(REPO),
            "BRIEFING_RESIDENT": "on" if resident else "off"}


def resident_command(book: Path, cache: Path, what: str) -> str:
    """Run `briefing resident status|stop` for the book, as its builds are run; return what it said."""
    return subprocess.run([sys.executable, "-m", "builder", "resident", what], cwd=book, env=_env(cache, True),
                          capture_output=True, text=True, check=True).stdout


def resident_ready(book: Path, cache: Path) -> int:
    """Wait until the book's resident has read back the last build (or kept the one it made); return its pid."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        said = resident_command(book, cache, "status")
        found = re.match(r"Resident build process (\d+)", said)
        if found:
            return int(found.group(1))
        time.sleep(0.2)
    raise SystemExit("no resident build process answered")


def resident_edits(book: Path, out: Path, cache: Path, edits: int) -> dict[str, Any]:
    """Time `briefing build` after editing one talking point, and after editing one data row, each made by
    the book's resident build process; return the medians, and the memory it and its workers hold."""
    run_build(book, out, cache, resident=True)  # nothing changed: it leaves a resident behind
    pid = resident_ready(book, cache)
    timings: dict[str, list[float]] = {"paper": [], "row": []}
    for n in range(edits):
        for kind, edit in (("paper", edit_point), ("row", edit_row)):
            edit(book, 3000 + n)
            timings[kind].append(run_build(book, out, cache, resident=True)["seconds"])
            resident_ready(book, cache)  # and has kept its cache on disk: the next build starts from rest
    memory = _resident_memory(pid)
    resident_command(book, cache, "stop")
    return {f"{kind}_median_s": round(statistics.median(found), 3) for kind, found in timings.items()} | {
            f"{kind}_max_s": round(max(found), 3) for kind, found in timings.items()} | memory


def _resident_memory(pid: int) -> dict[str, float]:
    """Return the resident's peak memory, and what it and its chart workers hold now, in MB."""
    return {"peak_mb": round(_status_kb(pid, "VmHWM") / 1024, 1), "with_workers_mb": round(_tree_rss_kb(pid) / 1024, 1)}


def _sample_tree(process: subprocess.Popen[str], peak: list[int]) -> None:
    """Record the largest resident memory, in KiB, of a process and all its descendants together
    (a build draws its charts in worker processes), sampled every 0.1 s until it ends."""
    while process.poll() is None:
        peak[0] = max(peak[0], _tree_rss_kb(process.pid))
        time.sleep(0.1)


def _tree_rss_kb(root: int) -> int:
    """Return the resident memory, in KiB, of a process and all its descendants together."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        total += _status_kb(pid, "VmRSS")
    return total


def _status_kb(pid: int, field: str) -> int:
    """Return one memory figure of /proc/PID/status, in KiB (0 once the process has gone)."""
    try:
        found = re.search(rf"{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return 0
    return int(found.group(1)) if found else 0


def output_figures(out: Path) -> dict[str, Any]:
    """Return the output's size, page count, and the largest page with what it loads."""
    from selectolax.lexbor import LexborHTMLParser

    files = [p for p in out.rglob("*") if p.is_file()]
    pages = [p for p in files if p.suffix == ".html"]
    largest, largest_bytes = "", 0
    for page in pages:
        total = page.stat().st_size
        tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
        for node in tree.css("[src], link[href]"):
            ref = node.attributes.get("src") or node.attributes.get("href") or ""
            target = (page.parent / ref.split("#")[0]).resolve()
            if "assets/vendor/" not in target.as_posix() and target.is_file() and target != page:
                total += target.stat().st_size
        if total > largest_bytes:
            largest, largest_bytes = page.relative_to(out).as_posix(), total
    return {"pages": len(pages), "files": len(files),
            "output_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1),
            "largest_page": largest, "largest_page_mb": round(largest_bytes / 1e6, 2)}


def start_briefing(args: list[str], book: Path, cache: Path,
                   ready_line: str) -> tuple[subprocess.Popen[str], threading.Event, list[str]]:
    """Start a long-running `briefing` command; return it, an event set once it prints a line starting
    with ready_line, and the lines it printed."""
    env = {**_env(cache), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "builder", *args], cwd=book, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ready, log = threading.Event(), []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line.rstrip())
            if line.startswith(ready_line):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    return process, ready, log


def serve_latency(book: Path, cache: Path, edits: int) -> Optional[dict[str, float]]:
    """Time save-to-screen for edits of one talking point, with the paper open in Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    port = 8765
    server, ready, log = start_briefing(["serve", "--port", str(port)], book, cache, "Serving")
    try:
        if not ready.wait(600):
            raise SystemExit("the server did not start:\n" + "\n".join(log))
        timings = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/issues/issue-0000.html")
            for n in range(edits):
                started = time.perf_counter()
                edit_point(book, 1000 + n)
                page.wait_for_function(f"() => document.body.innerText.includes('version {1000 + n}.')",
                                       polling=5, timeout=60_000)
                timings.append((time.perf_counter() - started) * 1000)
                time.sleep(0.3)
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    rebuilds = [float(m.group(1)) for line in log if (m := re.search(r"in (\d+) ms \(", line))]
    return {"median_ms": round(statistics.median(timings)), "max_ms": round(max(timings)),
            "rebuild_median_ms": round(statistics.median(rebuilds)) if rebuilds else -1}


def watch_latency(book: Path, out: Path, cache: Path, edits: int) -> dict[str, Any]:
    """Time `briefing build --watch` from saving an edit (one talking point, one data row) to the new
    output in place (its manifest rewritten: the write stage swaps the whole folder in at once)."""
    process, ready, log = start_briefing(["build", "--watch", "--out", str(out)], book, cache, "Watching")
    timings: dict[str, list[float]] = {"paper": [], "row": []}
    try:
        if not ready.wait(600):
            raise SystemExit("the watching build did not start:\n" + "\n".join(log))
        manifest = out / "manifest.json"
        for n in range(edits):
            for kind, edit in (("paper", edit_point), ("row", edit_row)):
                before = manifest.read_bytes()
                started = time.perf_counter()
                edit(book, 2000 + n)
                while _read(manifest) in (before, None):
                    if time.perf_counter() - started > 120:
                        raise SystemExit("the watching build wrote nothing:\n" + "\n".join(log))
                    time.sleep(0.005)
                timings[kind].append((time.perf_counter() - started) * 1000)
                time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    return {f"{kind}_save_to_output_median_ms": round(statistics.median(found)) for kind, found in timings.items()} | {
            f"{kind}_save_to_output_max_ms": round(max(found)) for kind, found in timings.items()}


def _read(path: Path) -> Optional[bytes]:
    try:
        return path.read_bytes()
    except OSError:  # the output folder being swapped in
        return None


def papers_render(book: Path) -> dict[str, float]:
    """Render the paper pages alone in a fresh process (bench/render.py); return their count and time."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "bench.render", str(book)], cwd=book, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def pdf_sheets(pdf: Path) -> int:
    """Return the number of sheets of a PDF (poppler's pdfinfo), or -1 without it."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return -1
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(found.group(1)) if found else -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small book, for a run under a minute")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--keep", type=Path, help="write the book and outputs here and keep them")
    parser.add_argument("--no-browser", action="store_true", help="skip the measurements in Chromium (serve, search)")
    parser.add_argument("--no-peers", action="store_true", help="skip MkDocs and Hugo")
    parser.add_argument("--no-pdf", action="store_true", help="skip `briefing pdf` (at the default scale: "
                        "minutes, and several GB of memory; --quick always skips it)")
    parser.add_argument("--edits", type=int, default=8)
    args = parser.parse_args()
    scale: Scale = QUICK if args.quick else DEFAULT

    work = args.keep or Path(tempfile.mkdtemp(prefix="briefing-bench-"))
    if work.exists() and args.keep:
        shutil.rmtree(work)
    book, out, cache = work / "book", work / "out", work / "cache"
    started = time.perf_counter()
    write_book(book, scale)
    results: dict[str, Any] = {"scale": scale.__dict__, "book_written_s": round(time.perf_counter() - started, 1)}

    results["cold_build"] = run_build(book, out, cache)
    results.update(output_figures(out))
    results["pages_per_second"] = round(results["pages"] / results["cold_build"]["seconds"], 1)
    results["search"] = search_figures(out, browser=not args.no_browser)
    results["warm_build"] = run_build(book, out, cache)
    edit_point(book, 1)
    results["edit_one_paper"] = run_build(book, out, cache)
    edit_row(book, 1)
    results["edit_one_row"] = run_build(book, out, cache)
    results["resident"] = resident_edits(book, out, cache, max(3, args.edits // 2))
    # page rendering alone: the charts' SVGs are kept, but no page or text is
    shutil.rmtree(cache / "build", ignore_errors=True)
    results["pages_only"] = run_build(book, out, cache)
    results["build_watch"] = watch_latency(book, out, cache, max(3, args.edits // 2))
    if not args.no_browser:
        results["serve_save_to_screen"] = serve_latency(book, cache, args.edits)
    if not args.no_pdf and not args.quick:  # (a quick run is a minute; printing even its book takes one)
        pdf = work / "book.pdf"
        results["pdf"] = {**run_build(book, pdf, cache, what="pdf"), "sheets": pdf_sheets(pdf),
                          "mb": round(pdf.stat().st_size / 1e6, 1)}

    if not args.no_peers:
        peers = write_peer_sites(book, work / "peers")
        # ours: the whole process for every page (Markdown, checks, charts' specs, Jinja, writing), with the
        # charts already drawn; the render stage alone (placing converted text into templates), for all
        # pages, and for the paper pages alone: the pages whose texts the peers build
        ours = results["pages_only"]["seconds"] / results["pages"]
        render = results["pages_only"]["stages"].get("render", 0.0) / results["pages"]
        results["papers_render"] = papers_render(book)
        papers = results["papers_render"]["seconds"] / results["papers_render"]["pages"]
        for name, build in (("mkdocs", mkdocs_build), ("hugo", hugo_build)):
            measured = build(peers[name])
            if measured is None:
                results[name] = "not installed"
                continue
            per_page = measured["seconds"] / measured["pages"]
            results[name] = {**measured, "ms_per_page": round(per_page * 1000, 2),
                             "our_ms_per_page": round(ours * 1000, 2), "ratio_ours_to_theirs": round(ours / per_page, 2),
                             "our_render_stage_ms_per_page": round(render * 1000, 2),
                             "ratio_render_stage_to_theirs": round(render / per_page, 2),
                             "our_paper_pages_render_ms_per_page": round(papers * 1000, 2),
                             "ratio_paper_pages_render_to_theirs": round(papers / per_page, 2)}

    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
