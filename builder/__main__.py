"""Run the command line as `python -m builder`, and as `briefing`.

A `briefing build` is first offered to the book's resident build process (resident.py), before the
libraries a build needs are imported: the resident has them, and the last build, in memory.
"""

import sys

from .resident import forward


def run() -> None:
    status = forward(sys.argv[1:])
    if status is not None:
        sys.exit(status)
    from .cli import run as command_line

    command_line()


if __name__ == "__main__":  # not when a worker process that draws charts imports it
    run()
