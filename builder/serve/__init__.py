"""`briefing serve`: build in memory, serve the last good build, rebuild on every save
(and `briefing build --watch`: the same, written to the output folder).

Open pages listen on a server-sent event stream: after a rebuild they swap in
their new text, and while the content has mistakes they show the located errors
over the last good page.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Callable, Iterator, Optional

from ..errors import Problem
from .http import make_server
from .live import LiveBook


def _interrupt(signum: int, frame: Optional[FrameType]) -> None:
    raise KeyboardInterrupt


@contextmanager
def _watching(book: LiveBook) -> Iterator[threading.Thread]:
    """Watch the book's files in a thread (yielded) and build it once, for the body of the block; stop at
    its end. Ctrl-C (or SIGTERM) ends the block quietly."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    signal.signal(signal.SIGTERM, _interrupt)
    stop = threading.Event()
    watcher = threading.Thread(target=book.watch, args=(stop,), name="briefing-watch", daemon=True)
    try:
        watcher.start()
        book.watching.wait(timeout=10)  # so that no save made after the first build is missed
        book.rebuild()
        yield watcher
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        book.stop()
        watcher.join(timeout=5)


def serve(root: Path, host: str, port: int, log: Callable[[str], None],
          report: Callable[[list[Problem]], None], ready: Optional[Callable[[str], None]] = None,
          strict: bool = False, edition: Optional[str] = None) -> None:
    """Build, serve and rebuild on change until interrupted (Ctrl-C)."""
    book = LiveBook(root, log, report, strict, edition)
    server = make_server(book, host, port)  # bind first: a busy port fails before the build
    try:
        with _watching(book):
            url = f"http://{host if ':' not in host else f'[{host}]'}:{server.server_address[1]}/"
            if ready:
                ready(url)
            server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


def watch(root: Path, out: Path, log: Callable[[str], None], report: Callable[[list[Problem]], None],
          strict: bool = False, edition: Optional[str] = None) -> None:
    """Build into out, then again on every save, until interrupted (Ctrl-C): `briefing build --watch`.

    Like `serve`, it keeps the build cache in memory, so a save costs what it changed; a build with
    mistakes reports them and leaves the last good one in out.
    """
    book = LiveBook(root, log, report, strict, edition, out=out)
    with _watching(book) as watcher:
        log(f"Watching {root}: every save rebuilds {out} (Ctrl-C to stop)")
        while watcher.is_alive():
            watcher.join(timeout=0.5)
