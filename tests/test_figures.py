"""How figures, links and outside requests are shown and checked."""

from datetime import date

import pytest

from builder.model.config import Currency, SourceRef
from builder.text.figures import format_millions, format_money, format_number, format_value, in_dollars
from builder.targets.offline import external_requests, is_external
from builder.targets.site.urls import relative, root_of

RATE = Currency(jpy_per_usd=155, as_of=date(2025, 2, 3),
                source=SourceRef(label="FX", url="https://example.org/fx"))


@pytest.mark.parametrize("value, unit, shown", [
    (8.7, "JPY tn", "¥8.7 tn"), (7.95, "JPY tn", "¥7.95 tn"), (68.98, "USD bn", "$68.98 bn"), (819.2, "USD bn", "$819.2 bn"), (65.9, "Mt", "65.9 Mt"),
    (2.5, "%", "2.5%"), (973800, "jobs", "973,800 jobs"), (100, "USD m", "$100 m"),
    (0.5, "USD tn", "$500 bn"),
])
def test_values_are_shown_with_their_units(value, unit, shown):
    assert format_value(value, unit) == shown


def test_amounts_in_millions():
    assert format_millions(14100) == "$14.1 bn"
    assert format_millions(500000) == "$500 bn"
    assert format_millions(18.25) == "$18.25 m"
    assert format_millions(None) == "not disclosed"
    assert format_money(1_500_000_000_000, "JPY") == "¥1.5 tn"
    assert format_number(1234567) == "1,234,567"


def test_yen_is_converted_to_dollars_with_rate_and_date():
    assert in_dollars(78, "JPY tn", RATE) == "≈ $503.2 bn at ¥155/$ on 3 Feb 2025"
    assert in_dollars(5, "USD bn", RATE) is None


@pytest.mark.parametrize("target, page, link", [
    ("issues/lng.html", "index.html", "issues/lng.html"),
    ("index.html", "issues/lng.html", "../index.html"),
    ("facts.html#fact-x", "investment/tx.html", "../facts.html#fact-x"),
    ("issues/tariffs.html", "issues/lng.html", "tariffs.html"),
    ("#cite-1", "issues/lng.html", "lng.html#cite-1"),
])
def test_links_are_relative(target, page, link):
    assert relative(target, page) == link


def test_root_prefix():
    assert root_of("index.html") == "" and root_of("investment/tx.html") == "../"


@pytest.mark.parametrize("url, outside", [
    ("https://cdn.example/x.js", True), ("//fonts.example/x.css", True), ("HTTP://x", True),
    ("assets/x.js", False), ("../assets/x.css", False), ("data:image/png;base64,AA", False),
    ("#top", False),
])
def test_what_counts_as_outside_the_site(url, outside):
    assert is_external(url) is outside


def test_outside_requests_are_found_in_html_and_css():
    html = (b'<html><head><link rel="stylesheet" href="https://cdn.example/s.css">'
            b'<script src="../assets/ok.js"></script></head>\n<body>'
            b'<a href="https://example.org/source">a source link is fine</a>\n'
            b'<img src="//tiles.example/1.png" srcset="a.png 1x, https://x.example/b.png 2x">'
            b'<div style="background: url(\'https://x.example/bg.png\')"></div>'
            b'<style>@import "https://fonts.example/f.css";</style></body></html>')
    found = [url for _, url in external_requests("page.html", html)]
    assert found == ["https://cdn.example/s.css", "//tiles.example/1.png", "https://x.example/b.png",
                     "https://x.example/bg.png", "https://fonts.example/f.css"]
    css = b"body { font-family: x; }\n@font-face { src: url(https://fonts.example/f.woff2); }"
    assert list(external_requests("assets/style.css", css)) == [(2, "https://fonts.example/f.woff2")]
