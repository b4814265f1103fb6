"""`briefing serve`: build in memory, serve the last good build, rebuild on every save.

The server only ever answers from the built files held in memory, so nothing
else on disk is reachable. Open pages listen on a server-sent event stream:
after a rebuild they reload, and while the content has mistakes they show
the located errors over the last good page.
"""

from __future__ import annotations

import json
import mimetypes
import signal
import threading
import time
import traceback
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import unquote, urlsplit

import watchfiles

from .build import build
from .errors import ContentError, Problem
from .render import theme_dir
from .vega import CACHE_DIR, ChartRenderer

EVENTS = "/__briefing/events"
IGNORED_DIRS = {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", CACHE_DIR,
                "_site", ".pytest_cache", ".mypy_cache"}
TEMP_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".part", ".crdownload")
TEMP_PREFIXES = (".#", "#", ".~lock.", ".goutputstream-")


def is_editor_temp(name: str) -> bool:
    """Return whether a file name is an editor's swap, backup or lock file."""
    return (name.endswith(TEMP_SUFFIXES) or name.startswith(TEMP_PREFIXES) or name == "4913"
            or (name.startswith(".") and name.endswith(".swp")))


class ContentFilter(watchfiles.DefaultFilter):
    """Watch the book's files; ignore build output, caches and editors' temporary files."""

    def __init__(self, ignore_paths: tuple[Path, ...] = ()):
        super().__init__(ignore_dirs=tuple(IGNORED_DIRS), ignore_paths=[str(p) for p in ignore_paths])

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return super().__call__(change, path) and not is_editor_temp(Path(path).name)


@dataclass
class State:
    """What the server shows: the last good build, and the problems of the latest attempt."""

    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    build: int = 0
    changed: Optional[list[str]] = None  # files that differ from the previous build; None: unknown

    def message(self) -> str:
        """Return the event sent to open pages about this state."""
        return json.dumps({"build": self.build, "changed": self.changed,
                           "problems": [p.format() for p in self.problems]})


class LiveBook:
    """Rebuild a book on demand and tell waiting browsers about each attempt."""

    def __init__(self, root: Path, log: Callable[[str], None], report: Callable[[list[Problem]], None]):
        self.root = root
        self.log = log
        self.report = report
        self.state = State()
        self.charts = ChartRenderer(root)
        self.changed = threading.Condition()  # notified when the state changes
        self.stopping = False
        self.built = threading.Event()  # set once the first build has been attempted
        self.watching = threading.Event()  # set once file watching has started

    def rebuild(self, reason: str = "") -> None:
        """Build the book; keep the last good files if the content has mistakes."""
        started = time.perf_counter()
        try:
            result = build(self.root, write=False, charts=self.charts)
        except ContentError as exc:
            self.report(exc.problems)
            self.log(f"{len(exc.problems)} error(s); still serving the last good build")
            self._publish(State(self.state.files, exc.problems, self.state.build))
            return
        except Exception as exc:  # a bug in briefing: show it, keep serving
            traceback.print_exc()
            problem = Problem("(briefing)", 0, 0, "", f"internal error while building: {exc!r}")
            self._publish(State(self.state.files, [problem], self.state.build))
            return
        self.report(result.warnings)
        elapsed = (time.perf_counter() - started) * 1000
        self.log(f"Built {result.pages} pages in {elapsed:.0f} ms{f' ({reason})' if reason else ''}")
        old = self.state.files
        changed = sorted(k for k in old.keys() | result.files.keys() if old.get(k) != result.files.get(k))
        self._publish(State(result.files, [], self.state.build + 1, changed if old else None))

    def _publish(self, state: State) -> None:
        with self.changed:
            self.state = state
            self.changed.notify_all()
        self.built.set()

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()

    def watch(self, stop: threading.Event) -> None:
        """Rebuild whenever the book's files change, until stop is set."""
        while not stop.is_set():
            paths = watched_paths(self.root)
            for changes in watchfiles.watch(*paths, watch_filter=ContentFilter(), debounce=400, step=30,
                                            stop_event=stop, raise_interrupt=False, rust_timeout=250,
                                            yield_on_timeout=True):
                self.watching.set()  # the first (empty) yield comes once the watcher is running
                if changes:
                    names = sorted({Path(p).name for _, p in changes if Path(p).exists()}
                                   or {Path(p).name for _, p in changes})
                    self.rebuild(", ".join(names[:3]) + (" …" if len(names) > 3 else "") + " changed")
                elif watched_paths(self.root) != paths:
                    # a folder such as templates/ was created or removed: watch again from the top
                    self.rebuild("folders changed")
                    break


def watched_paths(root: Path) -> list[Path]:
    """Return the folders and files to watch: the book's own, and the default theme."""
    paths = [p for p in sorted(root.iterdir())
             if p.name not in IGNORED_DIRS and not (p.is_dir() and p.name.startswith("."))]
    theme = theme_dir().resolve()
    if not any(theme == p.resolve() or p.resolve() in theme.parents for p in paths):
        paths.append(theme)
    return paths


def resolve_path(raw: str, files: dict[str, bytes]) -> Optional[str]:
    """Map a request path to a built file, or None: no '..', no escapes, no directory listings."""
    path = unquote(urlsplit(raw).path)
    if "\x00" in path or "\\" in path:
        return None
    parts = path.split("/")
    if any(part in ("..", ".") for part in parts):
        return None
    rel = "/".join(part for part in parts if part)
    for candidate in (rel, f"{rel}/index.html".lstrip("/")):
        if candidate in files:
            return candidate
    return None


def live_script(state: State, page: str) -> bytes:
    """Return the script added to every served page: update after a rebuild, show errors."""
    return (LIVE_SCRIPT.replace("__BUILD__", str(state.build))
            .replace("__PAGE__", json.dumps(page)).encode("utf-8"))


LIVE_SCRIPT = """<script>
/* added by `briefing serve` only; never part of a built site */
(function () {
  "use strict";
  var build = __BUILD__;
  var page = __PAGE__;
  var overlay = null;
  function show(problems) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "briefing-errors";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(20,20,24,.93);color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;" +
        "padding:2rem 2.5rem";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("h2");
    title.style.cssText = "font:600 18px system-ui,sans-serif;color:#ff8a80;margin:0 0 1rem";
    title.textContent = problems.length + (problems.length === 1 ? " problem" : " problems") +
      " in the book. The page below is the last good build; fix the file and save.";
    overlay.appendChild(title);
    problems.forEach(function (text) {
      var line = document.createElement("pre");
      line.style.cssText = "margin:.3rem 0;white-space:pre-wrap";
      line.textContent = text;
      overlay.appendChild(line);
    });
  }
  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }
  function scripts(doc) {
    return Array.prototype.map.call(doc.querySelectorAll("script[src], link[rel=stylesheet]"),
      function (el) { return el.getAttribute("src") || el.getAttribute("href"); }).join(" ");
  }
  /* Swap in the new page without reloading its scripts, so an edit shows at once;
     reload instead when a stylesheet or script changed. */
  function update(state) {
    var next = state.build;
    var changed = state.changed;
    if (next !== build + 1 || !changed) { location.reload(); return; }
    build = next;
    if (changed.some(function (path) { return path.indexOf("assets/") === 0; })) { location.reload(); return; }
    if (changed.indexOf(page) < 0) { return; }
    fetch("/" + page, { cache: "no-store" }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      if (scripts(doc) !== scripts(document)) { location.reload(); return; }
      var drawn = {};
      Array.prototype.forEach.call(document.querySelectorAll("figure.chart-live"), function (figure) {
        drawn[figure.querySelector("script.chart-spec").textContent] = figure;
      });
      document.title = doc.title;
      document.body.innerHTML = doc.body.innerHTML;
      /* keep charts whose spec did not change, already drawn */
      Array.prototype.forEach.call(document.querySelectorAll("figure.chart"), function (figure) {
        var old = drawn[figure.querySelector("script.chart-spec").textContent];
        if (old) { old.id = figure.id; figure.replaceWith(old); }
      });
      if (window.briefingDrawCharts) { window.briefingDrawCharts(); }
    }).catch(function () { location.reload(); });
  }
  var events = new EventSource("/__briefing/events");
  events.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.problems.length) { show(state.problems); return; }
    hide();
    if (state.build !== build) { update(state); }
  });
})();
</script>
"""

ERROR_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Build failed</title></head>
<body><h1>The book does not build yet</h1><p>Fix the problems listed and save; this page reloads by itself.</p>
</body></html>"""


class Handler(BaseHTTPRequestHandler):
    """Serve the last good build from memory, plus the event stream."""

    book: LiveBook  # set on the subclass made for each server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass  # the terminal is for build results, not for every request

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(body=False)

    def do_GET(self) -> None:  # noqa: N802
        if urlsplit(self.path).path == EVENTS:
            self._events()
        else:
            self._serve(body=True)

    def _serve(self, body: bool) -> None:
        self.book.built.wait(timeout=120)
        state = self.book.state
        rel = resolve_path(self.path, state.files)
        if rel is None and not state.files and state.problems:
            data, rel = ERROR_PAGE.encode(), "index.html"
        elif rel is None:
            self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain; charset=utf-8", body)
            return
        else:
            data = state.files[rel]
        kind = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        if kind == "text/html":
            at = data.rfind(b"</body>")
            at = at if at >= 0 else len(data)
            data = data[:at] + live_script(state, rel) + data[at:]
        if kind.startswith("text/") or kind in ("application/javascript", "application/json", "image/svg+xml"):
            kind += "; charset=utf-8"
        self._send(HTTPStatus.OK, data, kind, body)

    def _send(self, status: HTTPStatus, data: bytes, kind: str, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        book = self.book
        seen: Optional[State] = None
        try:
            while True:
                with book.changed:
                    if book.state is seen and not book.stopping:
                        book.changed.wait(timeout=15)
                    if book.stopping:
                        return
                    state = book.state
                if state is seen:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    self.wfile.write(f"event: state\ndata: {state.message()}\n\n".encode("utf-8"))
                    seen = state
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(book: LiveBook, host: str, port: int) -> Server:
    """Create the HTTP server for a live book (not yet serving)."""
    handler = type("BookHandler", (Handler,), {"book": book})
    return Server((host, port), handler)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(root: Path, host: str, port: int, log: Callable[[str], None],
          report: Callable[[list[Problem]], None], ready: Optional[Callable[[str], None]] = None) -> None:
    """Build, serve and rebuild on change until interrupted (Ctrl-C)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    signal.signal(signal.SIGTERM, _interrupt)
    book = LiveBook(root, log, report)
    server = make_server(book, host, port)  # bind first: a busy port fails before the build
    stop = threading.Event()
    watcher = threading.Thread(target=book.watch, args=(stop,), name="briefing-watch", daemon=True)
    try:
        watcher.start()
        book.watching.wait(timeout=10)  # so that no save made after the first build is missed
        book.rebuild()
        url = f"http://{host if ':' not in host else f'[{host}]'}:{server.server_address[1]}/"
        if ready:
            ready(url)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        book.stop()
        server.server_close()
        watcher.join(timeout=5)
