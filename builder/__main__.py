"""Run the command line as `python -m builder`."""

from .cli import run

if __name__ == "__main__":  # not when a worker process that draws charts imports it
    run()
