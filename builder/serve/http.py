"""The preview's web server: the last good build from memory, the event stream, and the live script.

The server only ever answers from the built files held in memory, so nothing
else on disk is reachable.
"""

from __future__ import annotations

import html
import ipaddress
import mimetypes
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Optional
from urllib.parse import unquote, urlsplit

from ..text.html import insert_before_body_end

if TYPE_CHECKING:
    from .live import LiveBook, State

EVENTS = "/__briefing/events"
LIVE_SCRIPT_URL = "/__briefing/live.js"
LIVE_SCRIPT = Path(__file__).with_name("live.js")

ERROR_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Build failed</title></head>
<body><h1>The book does not build yet</h1><p>Fix the problems listed and save; this page reloads by itself.</p>
</body></html>"""


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


def live_tag(build: int, page: str) -> bytes:
    """Return the tag added to every served page: it loads the script that updates the page."""
    return (f'<script src="{LIVE_SCRIPT_URL}" data-events="{EVENTS}" data-build="{build}" '
            f'data-page="{html.escape(page)}"></script>\n').encode("utf-8")


LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD = frozenset({"0.0.0.0", "::", ""})


def host_allowed(header: Optional[str], host: str, port: int) -> bool:
    """Return whether a request's Host header names this server, so that another site's page
    cannot read the book through a name it points at this machine (DNS rebinding)."""
    if not header:
        return False
    name, _, given_port = header.strip().lower().rpartition(":")
    if not name or "]" in given_port:  # no port given: the header is the name alone
        name, given_port = header.strip().lower(), ""
    name = name.strip("[]")
    if given_port and given_port != str(port):
        return False
    if name in LOOPBACK or name == host.lower().strip("[]"):
        return True
    return host in WILDCARD and _is_address(name)


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Handler(BaseHTTPRequestHandler):
    """Serve the last good build from memory, plus the event stream and the live script."""

    book: "LiveBook"  # set on the subclass made for each server
    listening: tuple[str, int] = ("127.0.0.1", 0)  # the address and port the server listens on
    protocol_version = "HTTP/1.1"

    def _host_refused(self) -> bool:
        if host_allowed(self.headers.get("Host"), *self.listening):
            return False
        self._send(HTTPStatus.FORBIDDEN, b"Forbidden: this preview answers only to its own address\n",
                   "text/plain; charset=utf-8", True)
        return True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the terminal is for build results, not for every request

    def do_HEAD(self) -> None:  # noqa: N802
        if not self._host_refused():
            self._serve(body=False)

    def do_GET(self) -> None:  # noqa: N802
        if self._host_refused():
            return
        path = urlsplit(self.path).path
        if path == EVENTS:
            self._events()
        elif path == LIVE_SCRIPT_URL:
            self._send(HTTPStatus.OK, LIVE_SCRIPT.read_bytes(), "application/javascript; charset=utf-8", True)
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
            data = insert_before_body_end(data, live_tag(state.build, rel))
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
        seen: Optional["State"] = None
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
                elif seen is not None and (state.build, state.problems) == (seen.build, seen.problems):
                    seen = state  # the same build with its search index added: nothing for the page to do
                    continue
                else:
                    self.wfile.write(f"event: state\ndata: {state.message()}\n\n".encode("utf-8"))
                    seen = state
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(book: "LiveBook", host: str, port: int) -> Server:
    """Create the HTTP server for a live book (not yet serving)."""
    handler: type[Handler] = type("BookHandler", (Handler,), {"book": book})
    server = Server((host, port), handler)
    handler.listening = (host, int(server.server_address[1]))
    return server
