"""Run the command line as `python -m builder`."""

from .cli import main

main(prog_name="briefing")
