"""The resident build process's builds (the process itself: builder/resident.py): the book's build cache
kept in memory, as `serve` keeps it, warmed by a build of the book in memory when it starts."""

from __future__ import annotations

import gc
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import IO, Callable

from .. import resident
from ..build import build, code_version
from ..cache import BuildCache, cache_folder
from ..charts.vega import start_workers
from ..errors import BriefingError

Command = Callable[[list[str], BuildCache], None]
"""Runs one `briefing` command line (exiting as the command exits) with builds made on this cache."""


def be_resident(root: Path, command: Command) -> None:
    """Be the resident build process of the book in root until it is idle, stale or stopped."""
    cache = BuildCache(cache_folder(root))
    cache.keep_workers = True  # the processes drawing charts, started once
    cache.resident = True

    def warm() -> None:
        """Read back what the last build kept, and build the book in memory, as the next build starts from."""
        cache.restore(code_version())
        try:
            build(root, write=False, static_charts=True, cache=cache)
        except BriefingError:
            pass  # the next build reports the mistakes
        if cache.rendered_svgs or cache.reused_svgs:  # a book with charts: ready to draw them again
            start_workers(cache)
        gc.collect()
        gc.freeze()  # what every build reuses is left out of the collector's walks
        gc.set_threshold(700, 10, 10)  # and each build's garbage collected at the usual pace, as `serve` does

    def answer(argv: list[str], stdout: IO[str], stderr: IO[str]) -> int:
        with redirect_stdout(stdout), redirect_stderr(stderr):
            try:
                command(argv, cache)
            except SystemExit as exc:
                return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return 0

    def finish() -> None:
        if cache.workers is not None:
            cache.workers.shutdown(cancel_futures=True)

    resident.serve(root, answer, lambda: code_version.__wrapped__(), warm, lambda: cache.persist(code_version()),
                   finish)
