"""The live book behind `briefing serve` (and `briefing build --watch`): rebuilt on every save, with one build
cache kept in memory, and served from memory (or written to the output folder)."""

from __future__ import annotations

import gc
import json
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional, Callable, Optional

import watchfiles

from ..build import build, code_version
from ..cache import BuildCache, cache_folder
from ..charts.vega import start_workers
from ..errors import ContentError, Problem
from ..targets.site.search import INDEX
from ..targets.site.write import MANIFEST

LATER = (INDEX.split("/")[0] + "/", MANIFEST)  # what the index stage makes, after the pages are shown
from .watch import ContentFilter, watched_paths


@dataclass
class State:
    """What the server shows: the last good build, and the problems of the latest attempt."""

    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    build: int = 0
    changed: Optional[list[str]] = None  # files that differ from the previous build; None: unknown
    warnings: list[Problem] = field(default_factory=list)  # of the last good build

    def message(self) -> str:
        """Return the event sent to open pages about this state."""
        return json.dumps({"build": self.build, "changed": self.changed,
                           "problems": [p.format() for p in self.problems],
                           "warnings": [p.format() for p in self.warnings]})


class LiveBook:
    """Rebuild a book on demand and tell waiting browsers about each attempt."""

    def __init__(self, root: Path, log: Callable[[str], None], report: Callable[[list[Problem]], None],
                 strict: bool = False, edition: Optional[str] = None, out: Optional[Path] = None):
        self.root = root
        self.strict = strict
        self.edition = edition
        self.out = out  # `briefing build --watch`: each good build is written here (serve keeps it in memory)
        self.log = log
        self.report = report
        self.state = State()
        self.cache = BuildCache(cache_folder(root))  # kept across rebuilds: only what changed is redone
        self.cache.keep_workers = True  # and the processes drawing charts, started once
        if out is not None:  # start from what the last command-line build kept, and keep it for the next
            self.cache.restore(code_version())
        self.changed = threading.Condition()  # notified when the state changes
        self.stopping = False
        self.building = threading.Lock()  # held by a build, and while the cache is kept on disk at the end
        self.built = threading.Event()  # set once the first build has been attempted
        self.watching = threading.Event()  # set once file watching has started

    def rebuild(self, reason: str = "") -> None:
        """Build the book; keep the last good files if the content has mistakes."""
        with self.building:
            self._rebuild(reason)

    def _rebuild(self, reason: str) -> None:
        started = time.perf_counter()
        try:
            result = build(self.root, self.out, write=self.out is not None, static_charts=True, cache=self.cache,
                           strict=self.strict, edition=self.edition, index_later=self.out is None)
        except ContentError as exc:
            self.report(exc.problems)
            self.log(f"{len(exc.problems)} error(s); " + (f"{self.out} keeps the last good build" if self.out
                                                          else "still serving the last good build"))
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
        files = result.files
        if result.index_later is not None:  # the pages first, beside the last index until the new one is made
            files = {**{k: v for k, v in old.items() if k not in files and k.startswith(LATER)}, **files}
        changed = sorted(k for k in old.keys() | files.keys() if old.get(k) != files.get(k))
        self._publish(State(files, [], self.state.build + 1, changed if old else None, result.warnings))
        if result.index_later is not None:
            self._index(result.index_later, files)
        if not old:
            # the first build made the cache that every rebuild reuses: leave it out of garbage
            # collection, which would otherwise walk all of it now and then, in the middle of a rebuild
            gc.collect()
            gc.freeze()
            # and from now on collect each rebuild's garbage at Python's usual pace (the command line
            # collects rarely, for one build): a server runs for hours
            gc.set_threshold(700, 10, 10)
            if self.cache.rendered_svgs or self.cache.reused_svgs:  # ready to draw the charts a save changes
                start_workers(self.cache)

    def _index(self, make: Callable[[], dict[str, bytes]], files: dict[str, bytes]) -> None:
        """Make the search index of the pages just published, and publish it with them."""
        try:
            found = make()
        except ContentError as exc:  # an edition's index holding what the edition leaves out
            self.report(exc.problems)
            self._publish(State(self.state.files, exc.problems, self.state.build))
            return
        kept = {k: v for k, v in files.items() if not k.startswith(LATER)}
        with self.changed:  # the same build, now whole: open pages have nothing to update
            self.state = replace(self.state, files={**kept, **found})
            self.changed.notify_all()

    def _publish(self, state: State) -> None:
        with self.changed:
            self.state = state
            self.changed.notify_all()
        self.built.set()

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()
        if self.cache.workers is not None:
            self.cache.workers.shutdown(cancel_futures=True)
            self.cache.workers = None
        if self.out is not None and self.state.build:
            with self.building:
                self.cache.persist(code_version())

    def watch(self, stop: threading.Event) -> None:
        """Rebuild whenever the book's files change, until stop is set."""
        while not stop.is_set():
            paths = watched_paths(self.root)
            ignore = (self.out.resolve(),) if self.out is not None else ()
            for changes in watchfiles.watch(*paths, watch_filter=ContentFilter(ignore), debounce=400, step=30,
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
