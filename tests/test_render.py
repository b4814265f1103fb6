"""Templates: overriding, autoescaping, and template mistakes reported at their line."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.build import build
from builder.errors import ContentError
from conftest import write_files


def test_a_book_can_override_any_template(minimal_site: Path, tmp_path: Path):
    write_files(minimal_site, {"templates/person.html": (
        '{% extends "base.html" %}{% block content %}<h1 class="custom">{{ person.name }}</h1>'
        '{% endblock %}')})
    build(minimal_site, tmp_path / "out")
    soup = BeautifulSoup((tmp_path / "out/people/bob.html").read_text(), "html.parser")
    assert soup.select_one("h1.custom").get_text() == "Bob Example"
    # pages that were not overridden still come from the default theme
    assert (tmp_path / "out/issues/trade.html").read_text().count('class="points-to-make"') == 1


def test_a_book_can_override_an_asset(minimal_site: Path, tmp_path: Path):
    write_files(minimal_site, {"templates/assets/style.css": "body { color: navy; }\n"})
    build(minimal_site, tmp_path / "out")
    assert (tmp_path / "out/assets/style.css").read_text() == "body { color: navy; }\n"


def test_content_is_escaped(minimal_site: Path, tmp_path: Path):
    path = minimal_site / "content/people/carol.yaml"
    path.write_text(path.read_text().replace("name: Carol Example", 'name: "Carol <script>alert(1)</script>"'))
    build(minimal_site, tmp_path / "out")
    html = (tmp_path / "out/people/carol.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "Carol &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_undefined_template_variable_fails_the_build_at_its_line(minimal_site: Path, tmp_path: Path):
    write_files(minimal_site, {"templates/person.html": (
        '{% extends "base.html" %}\n{% block content %}\n<p>{{ person.nickname }}</p>\n{% endblock %}\n')})
    with pytest.raises(ContentError) as exc:
        build(minimal_site, tmp_path / "out")
    problem = exc.value.problems[0]
    assert (problem.path, problem.line) == ("templates/person.html", 3)
    assert "nickname" in problem.message
    assert not (tmp_path / "out").exists()


def test_template_syntax_error_is_located(minimal_site: Path, tmp_path: Path):
    write_files(minimal_site, {"templates/person.html": '{% extends "base.html" %}\n\n{% block content %}\n'})
    with pytest.raises(ContentError) as exc:
        build(minimal_site, tmp_path / "out")
    assert exc.value.problems[0].format().startswith("templates/person.html:3:1: template syntax error")


def test_a_page_that_loads_from_outside_fails_the_build(minimal_site: Path, tmp_path: Path):
    write_files(minimal_site, {"content/pages/notes.md": (
        "---\ntitle: Notes\n---\n\n![map](https://tiles.example.org/map.png)\n")})
    with pytest.raises(ContentError) as exc:
        build(minimal_site, tmp_path / "out")
    assert [p.format() for p in exc.value.problems] == [
        "content/pages/notes.md:5:8: image 'https://tiles.example.org/map.png' would be loaded from outside "
        "the book, which must work offline: copy the file into the book's templates/assets/ folder and write "
        "assets/NAME"]


def test_a_template_that_loads_from_outside_fails_the_build_at_its_line(minimal_site: Path, tmp_path: Path):
    write_files(minimal_site, {"templates/person.html": (
        '{% extends "base.html" %}\n{% block content %}\n<img src="https://tiles.example.org/map.png">\n'
        '{% endblock %}\n')})
    with pytest.raises(ContentError) as exc:
        build(minimal_site, tmp_path / "out")
    assert [p.format() for p in exc.value.problems] == [
        "templates/person.html:3:11: people/alice.html (and 2 more) would load "
        "'https://tiles.example.org/map.png' from outside the site; the book must work offline (copy the "
        "file into the book and link it relatively)"]


def test_citations_are_numbered_in_order_of_first_use(minimal_site: Path, tmp_path: Path):
    build(minimal_site, tmp_path / "out")
    soup = BeautifulSoup((tmp_path / "out/issues/trade.html").read_text(), "html.parser")
    notes = [li.select_one(".fact-label").get_text() for li in soup.select(".citations li")]
    assert notes == ["Jobs supported", "Cars exported"]
    assert [a.get_text() for a in soup.select("sup.cite a")] == ["1", "2"]


TRICKY = ["Japan is the largest investor.", "Tokyo 東京、2025年", "a -- b", 'He said "no".', "It's", "1. first",
          "x\n- y", "text  \nbreak", "para\n\npara", "Title\n---", "Title\n===", "    code", "a < b", "AT&T",
          "*bold*", "{fact:x}", "x...", "Line one\nline two", "trailing\n", "e.g. 5% (approx.)", "#1 priority",
          "> quote", "+ item", "a_b_c", "http://example.com", "x\n2) y", "\tindented", "line\n-", "naïve café"]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_a_plain_paragraph_is_converted_to_the_bytes_markdown_would_give():
    """Plain one-paragraph texts skip Markdown (most of a book's texts): a reader must not see a difference."""
    import yaml

    from builder.text.markdown import Converter, _plain_paragraph
    from conftest import REPO

    texts = TRICKY + [s for path in sorted((REPO / "content").rglob("*.yaml"))
                      for s in _strings(yaml.safe_load(path.read_text(encoding="utf-8")))]
    converter = Converter()
    for text in texts:
        assert converter.convert(text) == converter.convert(text, plain_fast=False), text
    assert sum(map(_plain_paragraph, texts)) > 200  # the sample's talking points and lines take the short way
    assert not any(_plain_paragraph(t) for t in TRICKY[2:17])  # typography, lists, breaks, headings, HTML
