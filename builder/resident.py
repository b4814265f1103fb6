"""The resident build process: the next `briefing build` of a book answered by a process that kept the last.

A command-line build spends about a second before it reads the first changed file: starting Python,
importing the libraries, reading back what the last build kept on disk. So after it has built a
book, `briefing build` leaves a resident process behind for that book. The resident keeps the build
cache in memory, as `briefing serve` does, and builds the book again whenever a `briefing build` of
the same book asks it to. It answers only its own user, and only a `briefing` started from the same
Python with the same settings. It stops after IDLE_MINUTES without a build, as soon as briefing's
own code changes, and on `briefing resident stop`.

This module is what `briefing build` runs before it imports anything else: it uses the standard
library only. The build itself is `builder.cli`'s, handed in as `answer`.

BRIEFING_RESIDENT=off, or CI=true, turns the resident off; BRIEFING_RESIDENT=on keeps it on in CI.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import IO, Any, Callable, Iterator, Optional

IDLE_MINUTES = 20
SWITCH = "BRIEFING_RESIDENT"  # off, or on (the default, except in CI)
IDLE = "BRIEFING_RESIDENT_IDLE"  # seconds without a build before the resident stops
# what else a build reads from its environment: a resident answers only builds started with the same
SETTINGS = ("HOME", "LANG", "LANGUAGE", "PATH", "PYTHONHASHSEED", "PYTHONPATH", "SOURCE_DATE_EPOCH", "TZ",
            "XDG_CONFIG_HOME", "XDG_CACHE_HOME")


def enabled() -> bool:
    """Return whether builds may use and leave a resident process (on by default, off in CI)."""
    switch = os.environ.get(SWITCH, "").strip().lower()
    if switch in ("off", "0", "no", "false"):
        return False
    if switch in ("on", "1", "yes", "true"):
        return True
    return not os.environ.get("CI") and hasattr(socket, "AF_UNIX") and hasattr(os, "getuid")


def answerable(argv: list[str]) -> bool:
    """Return whether a resident may answer this command line: a one-off `build`."""
    return bool(argv) and argv[0] == "build" and not {"--watch", "--help", "-h"} & set(argv)


def site_of(argv: list[str]) -> Path:
    """Return the book folder a command line names with --site (default: here), resolved."""
    site = "."
    for at, arg in enumerate(argv):
        if arg == "--site" and at + 1 < len(argv):
            site = argv[at + 1]
        elif arg.startswith("--site="):
            site = arg.split("=", 1)[1]
    return Path(site).resolve()


def _folder() -> Optional[Path]:
    """Return this user's private folder for residents' sockets, or None when it is not private."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) / "briefing" if runtime and Path(runtime).is_dir() else Path(f"/tmp/briefing-{os.getuid()}")
    try:
        base.mkdir(mode=0o700, exist_ok=True)
        found = base.lstat()
    except OSError:
        return None
    # a folder someone else made, or one others can enter, could hold their socket under our name
    if found.st_uid != os.getuid() or found.st_mode & 0o077 or not base.is_dir() or base.is_symlink():
        return None
    return base


def socket_path(site: Path) -> Optional[Path]:
    """Return where the resident for this book, this Python and these settings listens (None: nowhere safe)."""
    folder = _folder()
    if folder is None:
        return None
    settings = {k: v for k, v in os.environ.items() if k in SETTINGS or k.startswith(("BRIEFING_", "LC_"))
                and not k.startswith(SWITCH)}
    key = json.dumps([sys.executable, sys.version, str(site), sorted(settings.items())])
    return folder / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:24] + ".sock")


# --- the client: `briefing build`, and `briefing resident status|stop` ---------------------------------

def forward(argv: list[str]) -> Optional[int]:
    """Have the book's resident run this command line; return its exit status, or None when no resident
    answered (there is none, it is of other code, or it stopped before it began) and the caller builds."""
    if not (answerable(argv) and enabled()):
        return None
    reply = _ask(site_of(argv), {"argv": argv, "cwd": os.getcwd()})
    if reply is None:
        return None
    began = False
    try:
        for frame in reply:
            if "out" in frame or "err" in frame:
                began = True
                stream = sys.stdout if "out" in frame else sys.stderr
                stream.write(frame.get("out", frame.get("err", "")))
                stream.flush()
            elif "exit" in frame:
                return int(frame["exit"])
            elif "stale" in frame:
                return None
    except KeyboardInterrupt:
        return 130
    if began:  # the resident died half-way: whatever it printed, the build is done here afresh
        sys.stderr.write("briefing: the resident build process stopped; building again here\n")
    return None


def ask(site: Path, what: str) -> Optional[dict[str, Any]]:
    """Send a resident a request without a build (`status`, `stop`); return its reply, or None."""
    reply = _ask(site, {"request": what})
    return next(iter(reply), None) if reply is not None else None


def _ask(site: Path, request: dict[str, Any]) -> Optional[Iterator[dict[str, Any]]]:
    path = socket_path(site)
    if path is None or not path.exists():
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(path))
        connection.sendall(json.dumps(request).encode("utf-8") + b"\n")
    except OSError:
        connection.close()
        return None
    return _frames(connection)


def _frames(connection: socket.socket) -> Iterator[dict[str, Any]]:
    with connection, connection.makefile("r", encoding="utf-8") as lines:
        for line in lines:
            try:
                yield json.loads(line)
            except ValueError:
                return


def start(site: Path) -> None:
    """Start the book's resident in the background, unless one is running (it then stops at once)."""
    path = socket_path(site) if enabled() else None
    if path is None:
        return
    try:
        with open(path.with_suffix(".log"), "w") as log:  # what it says if it fails: a bug in briefing
            subprocess.Popen([sys.executable, "-m", "builder", "resident", "run", "--site", str(site)],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, close_fds=True)
    except OSError:
        pass  # only speed is lost


def wait_ready(site: Path, seconds: float = 120.0) -> bool:
    """Wait until the book's resident answers (it has read the last build back); return whether it did."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        reply = ask(site, "status")
        if reply is not None and reply.get("ready"):
            return True
        time.sleep(0.1)
    return False


# --- the resident itself -------------------------------------------------------------------------

Answer = Callable[[list[str], IO[str], IO[str]], int]
"""Runs one command line with its output to the two streams; returns its exit status."""


class _Stream:
    """A text stream that sends what is written to the client as frames; silent once the client has gone."""

    def __init__(self, connection: socket.socket, name: str):
        self.connection, self.name, self.gone = connection, name, False

    def write(self, text: str) -> int:
        if text and not self.gone:
            try:
                self.connection.sendall(json.dumps({self.name: text}).encode("utf-8") + b"\n")
            except OSError:
                self.gone = True  # Ctrl-C in the client: the build goes on to its end, unseen
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def serve(site: Path, answer: Answer, version: Callable[[], str], warm: Callable[[], None],
          after: Callable[[], None], finish: Callable[[], None]) -> None:
    """Be the book's resident until idle, stale or stopped: warm() first, answer() each build, then after()
    once its client has the answer (keeping the cache on disk), and finish() last.

    version() gives a fingerprint of briefing's code; when it changes, the resident declines and stops.
    """
    import fcntl

    path = socket_path(site)
    if path is None:
        return
    lock = open(path.with_suffix(".lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        return  # another resident serves this book
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        path.unlink(missing_ok=True)  # left by a resident that was killed
        listener.bind(str(path))
        os.chmod(path, 0o600)
        listener.listen(8)
        since, builds, code = time.time(), 0, version()
        warm()
        listener.settimeout(float(os.environ.get(IDLE) or IDLE_MINUTES * 60))
        while True:
            try:
                connection, _ = listener.accept()
            except socket.timeout:
                return
            with connection:
                connection.settimeout(5.0)  # to send its one line
                request = _request(connection)
                if request is None:
                    continue
                connection.settimeout(None)
                if request.get("request") in ("status", "stop"):
                    _send(connection, {"ready": True, "pid": os.getpid(), "since": since, "builds": builds,
                                       "site": str(site)})
                    if request["request"] == "stop":
                        return
                    continue
                if version() != code or not answerable(request.get("argv") or []):
                    _send(connection, {"stale": True})
                    return
                status, healthy = _answer(answer, connection, request)
                builds += 1
                _send(connection, {"exit": status})
            if healthy:
                after()
            else:
                return  # a bug in briefing: its state may be wrong, so the next build starts afresh
    finally:
        listener.close()
        path.unlink(missing_ok=True)
        lock.close()  # the next build may start the next resident now
        finish()


def _request(connection: socket.socket) -> Optional[dict[str, Any]]:
    """Read a request from our own user (the folder is private; the peer's id is checked as well)."""
    if hasattr(socket, "SO_PEERCRED"):
        _, uid, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                              struct.calcsize("3i")))
        if uid != os.getuid():
            return None
    try:
        line = connection.makefile("r", encoding="utf-8").readline()
        request = json.loads(line)
    except (OSError, ValueError):
        return None
    return request if isinstance(request, dict) else None


def _answer(answer: Answer, connection: socket.socket, request: dict[str, Any]) -> tuple[int, bool]:
    """Run one build for the client, in its folder; return its status and whether the resident is still sound."""
    out, err = _Stream(connection, "out"), _Stream(connection, "err")
    try:
        os.chdir(request["cwd"])
    except OSError as exc:
        err.write(f"error: cannot enter {request['cwd']}: {exc.strerror}\n")
        return 1, True
    try:
        return answer(list(request["argv"]), out, err), True  # type: ignore[arg-type]
    except Exception:  # a bug in briefing: its traceback, as a build in the client would show it
        err.write(traceback.format_exc())
        return 1, False


def _send(connection: socket.socket, frame: dict[str, Any]) -> None:
    try:
        connection.sendall(json.dumps(frame).encode("utf-8") + b"\n")
    except OSError:
        pass
