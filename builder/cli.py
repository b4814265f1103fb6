"""The `briefing` command line."""

from __future__ import annotations

import gc
from collections import Counter
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, NoReturn, Optional

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from . import build as pipeline
from . import resident
from .cache import BuildCache
from .languages import Translation, stale_warnings, stamp_translations, translations
from .errors import BriefingError, ContentError, Problem

# emoji=False: a message quotes the user's own text, in which ":smile:" must stay as written
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
out = Console(highlight=False, soft_wrap=True, emoji=False)

site_option = click.option("--site", "site", type=click.Path(file_okay=False, path_type=Path),
                           default=".", show_default=True, help="The briefing folder.")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="Print only errors and warnings.")
strict_option = click.option("--strict", is_flag=True,
                             help="Treat warnings (dated facts, figures typed into text) as errors.")

edition_option = click.option("--edition", default=None, metavar="NAME",
                              help="Build one of the editions site.yaml declares (what it may not show is left out).")


def _prefix(root: Path) -> str:
    """Return how to show the briefing folder before a path, relative to where we run."""
    rel = os.path.relpath(root.resolve(), Path.cwd())
    return "" if rel == "." else rel.rstrip("/") + "/"


def report(problems: list[Problem], root: Path) -> None:
    """Print problems as `path:line:column: field: message`, one per line."""
    prefix = _prefix(root)
    for problem in problems:
        style = "yellow" if problem.severity == "warning" else "red"
        err.print(problem.format(prefix), style=style, markup=False)


@contextmanager
def progress_bar(quiet: bool) -> Iterator[Optional[pipeline.Progress]]:
    """Yield a progress callback for the build, or None when quiet or not on a terminal."""
    if quiet or not err.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=err, transient=True) as bar:
        def start(name: str, total: int) -> Callable[[], None]:
            task = bar.add_task(name, total=total)
            return lambda: bar.advance(task)
        yield start


def fail(problems: list[Problem], root: Path, what: str) -> NoReturn:
    report(problems, root)
    count = sum(1 for p in problems if p.severity == "error")
    err.print(f"{count} error{'s' if count != 1 else ''}; {what}", style="bold red", markup=False)
    sys.exit(1)


@contextmanager
def user_errors(site: Path, outcome: Callable[[], str], cannot: str = "", after: str = "") -> Iterator[None]:
    """Turn the user's mistakes into messages and exit status 1; let bugs show their traceback.

    outcome says what became of the output (`nothing was written`); cannot prefixes an OSError
    (`cannot write _site`); after ends a refusal (`; nothing was published`).
    """
    try:
        yield
    except ContentError as exc:
        fail(exc.problems, site, outcome())
    except BriefingError as exc:
        error(f"{exc}{after}")
    except OSError as exc:
        if not cannot:
            raise
        error(f"{cannot}: {exc.strerror or exc}{after}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="briefing")
def main() -> None:
    """Build briefing books as static, offline HTML sites."""


def run() -> None:
    """The `briefing` program.

    A build makes a great many objects that live until it ends, and few that form cycles, so the
    cycle collector runs rarely: at its default pace it walked every page and layout box again
    and again, a sixth of the time of `briefing pdf`. When the command is done the process ends,
    and its objects are left to the operating system instead of being collected one by one.
    """
    gc.set_threshold(100_000, 50, 50)
    try:
        main(prog_name="briefing")
    finally:
        gc.freeze()


def error(message: str) -> NoReturn:
    """Print one error that is not about a content file, and exit with status 1."""
    err.print(f"error: {message}", style="bold red", markup=False)
    sys.exit(1)


def editions_asked(site: Path, rev: Optional[str], edition: Optional[str], all_editions: bool) -> list[Optional[str]]:
    """Return the editions a command is to make: the one named (None: the whole book), or every one."""
    if not all_editions:
        return [edition]
    if edition:
        error("give --edition NAME or --all-editions, not both")
    with user_errors(site, lambda: "nothing was written"):
        book, _ = pipeline.load_book(site, rev)
    names: list[Optional[str]] = [e.name for e in book.config.editions]
    if not names:
        error("site.yaml declares no editions (see `editions:` in the README); nothing was written")
    return names


@main.command()
@site_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder.  [default: SITE/_site]")
@click.option("--rev", default=None, metavar="REV",
              help="Build the book as it was at this git revision (the working tree is not touched).")
@click.option("--since", default=None, metavar="OLD",
              help="Add a 'Changes since OLD' page and mark what changed since that revision.")
@click.option("--timings", is_flag=True, help="Also print how long each stage took.")
@edition_option
@click.option("--all-editions", is_flag=True, help="Build every edition site.yaml declares, each into OUT/NAME.")
@click.option("--watch", is_flag=True, help="Stay running and build again on every save, into the same folder.")
@strict_option
@quiet_option
@click.pass_context
def build(ctx: click.Context, site: Path, out_dir: Optional[Path], rev: Optional[str], since: Optional[str],
          quiet: bool, timings: bool, strict: bool, edition: Optional[str], all_editions: bool, watch: bool) -> None:
    """Validate the book and write the site (or one edition of it, or each)."""
    target = out_dir if out_dir is not None else site / "_site"
    if watch:
        if rev or since or all_editions:
            error("--watch builds the working tree into one folder: it does not go with --rev, --since or "
                  "--all-editions")
        watch_and_build(site, target, strict, edition)
        return
    kept: Optional[BuildCache] = ctx.obj  # the resident's, when it runs this build
    if kept is None and (site / "site.yaml").is_file():  # the next build of this book is answered by a
        ctx.call_on_close(lambda: resident.start(site.resolve()))  # process that keeps this one in memory
    build_each(site, target, rev, since, quiet, timings, strict, edition, all_editions, kept)


def build_each(site: Path, target: Path, rev: Optional[str], since: Optional[str], quiet: bool, timings: bool,
               strict: bool, edition: Optional[str], all_editions: bool, cache: Optional[BuildCache]) -> None:
    names = editions_asked(site, rev, edition, all_editions)
    for name in names:
        folder = target / name if all_editions and name else target
        kept = lambda: ("the previous build is unchanged" if folder.exists() else "nothing was written") + f" ({folder})"  # noqa: E731
        with user_errors(site, kept, cannot=f"cannot write {folder}"):
            with progress_bar(quiet) as progress:
                result = pipeline.build(site, folder, progress=progress, rev=rev, since=since, strict=strict,
                                        edition=name, cache=cache)
        report(result.warnings, site)
        if timings:
            err.print("Stages: " + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in result.timings.items()),
                      markup=False)
        if not quiet:
            which = f" edition '{name}'," if name else ""
            out.print(f"Built{which} {result.pages} pages ({result.file_count} files) in {result.seconds:.2f} s "
                      f"→ {os.path.relpath(folder)} ({result.stamp.brief() if result.stamp else ''})", markup=False)


def watch_and_build(site: Path, target: Path, strict: bool, edition: Optional[str]) -> None:
    """`briefing build --watch`: build now, and again on every save, until Ctrl-C."""
    from .serve import watch

    with user_errors(site, lambda: "nothing was written", cannot=f"cannot write {target}"):
        pipeline.check_output_location(site, target)
    watch(site, target, log=lambda text: out.print(text, markup=False),
          report=lambda problems: report(problems, site), strict=strict, edition=edition)
    out.print("Stopped.", markup=False)


@main.command()
@site_option
@edition_option
@strict_option
@quiet_option
def check(site: Path, quiet: bool, strict: bool, edition: Optional[str]) -> None:
    """Validate the book without writing anything; with --edition, list what that edition leaves out."""
    with user_errors(site, lambda: "nothing was written"):
        with progress_bar(quiet) as progress:
            result = pipeline.build(site, progress=progress, write=False, strict=strict, edition=edition)
    report(result.warnings, site)
    if edition and result.selection is not None and not quiet:
        left = result.selection.left_out
        out.print(f"Edition '{edition}' leaves out {len(left)} item{'s' if len(left) != 1 else ''}:", markup=False)
        for item in left:
            out.print("  " + item.at.format().replace("warning: ", ""), markup=False)
    if not quiet:
        book = result.book
        assert book is not None  # only a writing build can skip the work
        out.print(f"OK: {len(book.issues)} issues, {len(book.people)} people, {len(book.facts)} facts, "
                  f"{len(book.investments)} investment records, {result.pages} pages "
                  f"({result.seconds:.2f} s)", markup=False)


@main.command("translations")
@site_option
@click.option("--stamp", is_flag=True, help="Record that the translations are done: stamp each one with a "
              "hash of its source text as it is now, so that a later change to the source marks it out of date.")
@click.option("--verbose", "-v", is_flag=True, help="Also list each text that has no translation yet.")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def translations_command(site: Path, stamp: bool, verbose: bool, files: tuple[Path, ...]) -> None:
    """List the texts each language lacks or has out of date, by file; with --stamp, stamp them.

    FILES limits either to those files."""
    with user_errors(site, lambda: "nothing was written"):
        book, _ = pipeline.load_book(site)
    if len(book.config.languages) < 2:
        error("site.yaml lists one language; list the book's languages, its own first: `languages: [en, ja]`")
    only = [_book_path(site, f) for f in files]
    if stamp:
        with user_errors(site, lambda: "nothing was stamped"):
            counts = stamp_translations(site, book, only)
        for path, count in sorted(counts.items()):
            out.print(f"{path}: stamped {count} translation{'s' if count != 1 else ''}", markup=False)
        if not counts:
            out.print("Every translation is stamped and up to date.", markup=False)
        return
    by_file: dict[str, list[Translation]] = {}
    for each in translations(book):
        if each.status and (not only or each.path in only):
            by_file.setdefault(each.path, []).append(each)
    changed = {(p.path, p.line, p.column): p for p in stale_warnings(book, site)}  # with what changed
    for path, found in sorted(by_file.items()):
        counts = Counter(f"{t.status} {t.lang}" for t in found)
        out.print(f"{path}: " + ", ".join(f"{n} {what}" for what, n in sorted(counts.items())), markup=False)
        for each in found:
            if each.status != "missing" or verbose:
                shown = changed.get((each.at.path, each.at.line, each.at.column), each.at)
                out.print("  " + shown.format(), markup=False)
    if not by_file:
        out.print("Every text is translated, stamped and up to date.", markup=False)


def _book_path(site: Path, path: Path) -> str:
    """Return a path given on the command line as the book names its files (content/issues/lng.yaml)."""
    try:
        return path.resolve().relative_to(site.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@main.command("pdf")
@site_option
@click.option("--out", "out_path", type=click.Path(dir_okay=True, path_type=Path), default=None,
              help="The PDF to write (with --all-editions, a folder).  [default: SITE/_print/book.pdf]")
@edition_option
@click.option("--all-editions", is_flag=True, help="Print every edition, each as OUT/NAME.pdf.")
@click.option("--card", is_flag=True, help="Print the one-page card: objectives, first points, key figures.")
@click.option("--rev", default=None, metavar="REV", help="Print the book as it was at this git revision.")
@click.option("--lang", default=None, metavar="CODE",
              help="Print the book in one of its languages (site.yaml `languages:`; default: its own).")
@strict_option
@quiet_option
def print_pdf(site: Path, out_path: Optional[Path], edition: Optional[str], all_editions: bool, card: bool,
              rev: Optional[str], lang: Optional[str], strict: bool, quiet: bool) -> None:
    """Print the book as one PDF, in reading order, ready for the binder."""
    name = "card" if card else "book"
    names = editions_asked(site, rev, edition, all_editions)
    for each in names:
        if all_editions:
            target = (out_path or site / "_print") / f"{each}{'-card' if card else ''}.pdf"
        else:
            target = out_path or site / "_print" / (f"{name}-{each}.pdf" if each else f"{name}.pdf")
        if lang and out_path is None:
            target = target.with_name(f"{target.stem}.{lang}.pdf")  # book.ja.pdf beside book.pdf
        with user_errors(site, lambda: f"nothing was written ({target})", cannot=f"cannot write {target}"):
            result = pipeline.print_book(site, target, edition=each, card=card, rev=rev, strict=strict, lang=lang)
        report(result.warnings, site)
        if not quiet:
            out.print(f"Printed {result.pages} page{'s' if result.pages != 1 else ''} in {result.seconds:.1f} s "
                      f"→ {os.path.relpath(target)}", markup=False)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@quiet_option
def init(directory: Path, quiet: bool) -> None:
    """Start a new, minimal briefing book in DIRECTORY."""
    from .scaffold import create_book
    with user_errors(directory, lambda: "nothing was written"):
        written = create_book(directory)
    if not quiet:
        out.print(f"Created a new briefing book in {directory} ({len(written)} files).", markup=False)
        out.print(f"Next: cd {directory} && briefing build", markup=False)


@main.command()
@site_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@edition_option
@strict_option
def serve(site: Path, host: str, port: int, strict: bool, edition: Optional[str]) -> None:
    """Preview the book: serve it, rebuild on every save, refresh open pages."""
    from .serve import serve as run

    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"warning: serving on {host} lets other machines on the network read this book; "
                  "use the default 127.0.0.1 unless you mean to share it", style="yellow", markup=False)

    def ready(url: str) -> None:
        out.print(f"Serving {os.path.relpath(site.resolve())} at {url}  (Ctrl-C to stop)", markup=False)

    try:
        run(site, host, port, log=lambda text: out.print(text, markup=False),
            report=lambda problems: report(problems, site), ready=ready, strict=strict, edition=edition)
    except OSError as exc:
        err.print(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", style="bold red",
                  markup=False)
        sys.exit(1)
    out.print("Stopped.", markup=False)


@main.command()
@site_option
@click.argument("old")
@click.argument("new", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@edition_option
def diff(site: Path, old: str, new: Optional[str], fmt: str, edition: Optional[str]) -> None:
    """Report what changed in the book from revision OLD to NEW (default: the working tree).

    With --edition, only what that edition shows is compared."""
    from .editions import select
    from .versions import git
    from .versions.changes import compare, format_text

    with user_errors(site, lambda: "cannot compare"):
        before, _ = pipeline.load_book(site, old)
        after, _ = pipeline.load_book(site, new)
        if edition:
            before, after = select(before, edition), select(after, edition)
        changes = compare(before, after, git.label(site, old), git.label(site, new))
    if fmt == "json":
        click.echo(changes.to_json(), nl=False)
    else:
        click.echo(format_text(changes), nl=False)


@main.command()
@site_option
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--version", "name", required=True, help="Name of the version, e.g. v3 (a folder name).")
@click.option("--latest", is_flag=True, help="Make this version the one DEST/latest leads to.")
@click.option("--rev", default=None, metavar="REV", help="Publish the book as it was at this revision.")
@quiet_option
@edition_option
def publish(site: Path, dest: Path, name: str, latest: bool, rev: Optional[str], quiet: bool,
            edition: Optional[str]) -> None:
    """Build the book and publish it as DEST/VERSION, beside earlier versions."""
    from .versions.publish import check_version_name
    from .versions.publish import publish as run

    with user_errors(site, lambda: f"nothing was published ({dest})", cannot=f"cannot publish to {dest}",
                     after="; nothing was published"):
        check_version_name(name)
        with progress_bar(quiet) as progress:
            result = pipeline.build(site, progress=progress, write=False, static_charts=True, rev=rev,
                                    edition=edition)
        assert result.stamp is not None and result.book is not None
        if result.stamp.dirty:
            err.print("warning: publishing uncommitted changes; commit first so that this version "
                      "can be found again in git", style="yellow", markup=False)
        title = result.book.config.title
        target = run(result.files, dest, name, latest, title,
                     result.stamp.describe(), result.book.config.as_of.isoformat())
    report(result.warnings, site)
    if not quiet:
        out.print(f"Published {title!r} as {name} in {os.path.relpath(target)}"
                  f"{' (latest)' if latest else ''}", markup=False)


@main.group("resident")
def resident_group() -> None:
    """The process that answers `briefing build` with the last build kept in memory.

    After a build, `briefing build` leaves one for the book; the next build of the book is made
    there, in a fraction of the time. It stops after 20 minutes without a build, when briefing is
    updated, or when told to. BRIEFING_RESIDENT=off turns it off (so does CI=true).
    """


@resident_group.command("status")
@site_option
def resident_status(site: Path) -> None:
    """Say whether a resident build process answers this book's builds."""
    found = resident.ask(site.resolve(), "status")
    if found is None:
        out.print(f"No resident build process for {site.resolve()}"
                  f"{'' if resident.enabled() else f' (turned off: {resident.SWITCH}=off or CI)'}.", markup=False)
        return
    out.print(f"Resident build process {found['pid']} answers builds of {found['site']}: {found['builds']} "
              f"build{'s' if found['builds'] != 1 else ''} since it started.", markup=False)


@resident_group.command("stop")
@site_option
def resident_stop(site: Path) -> None:
    """Stop this book's resident build process, if it has one."""
    found = resident.ask(site.resolve(), "stop")
    out.print(f"Stopped resident build process {found['pid']}." if found else "No resident build process to stop.",
              markup=False)


@resident_group.command("run", hidden=True)
@site_option
def resident_run(site: Path) -> None:
    """Be the book's resident build process (`briefing build` starts it)."""
    from .serve.kept import be_resident

    be_resident(site.resolve(), lambda argv, cache: main.main(args=argv, prog_name="briefing", obj=cache))
