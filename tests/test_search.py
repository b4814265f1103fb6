"""Search, as a reader uses it: from the box on every page, from disk and over nginx, offline.

The index is made from the built pages, so what it finds is what the pages show; the browser
cuts the query into terms as the build cut the text, so a search never misses what a plain
substring search of the same text finds (checked here for a list of queries in both scripts).
"""

from __future__ import annotations

import html
import unicodedata
from pathlib import Path

import pytest

from builder.build import build
from builder.editions import audit, choose
from builder.targets.site.search import INDEX, read_page, stem, terms
from conftest import MINIMAL, REPO, copy_site, write_files
from servers import Watch, nginx

SECURITY = "issues/security-commitment.html"
QUERIES = ["Senkaku", "senkaku islands", "Senkakus", "LNG", "Alaska", "tariff", "tariffs", "Nippon Steel", "Ishiba",
           "Trump", "defence", "extended deterrence", "2017", "65.9", "Article", "Hegseth", "Toyota", "Kentucky",
           "Japan–US", "semiconductor", "investment", "尖閣", "尖閣諸島", "石破", "茂", "加藤", "諸島", "勝信"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("search") / "site"
    build(REPO, site)
    return site / "en"  # the English site; the Japanese one is beside it, with its own index


def open_box(page, url: str) -> None:
    page.goto(url)
    page.click("#search-box")


def search(page, query: str) -> list[str]:
    """Type a query; return each result's link as listed, once the status line answers."""
    page.fill("#search-box", query)
    page.wait_for_function("q => document.querySelector('.search-status').textContent.includes(q) && "
                           "document.querySelector('form.site-search').hasAttribute('data-quoted-ms')", arg=query)
    return page.eval_on_selector_all(".search-results a", "as => as.map(a => a.getAttribute('href'))")


# --- the terms, cut the same way on both sides ----------------------------------------------------

def test_japanese_is_cut_into_pairs_so_a_compound_is_found_by_any_part_of_it():
    text = list(terms("東海道新幹線で移動"))
    assert "新幹" in text and "幹線" in text and "動" in text
    # the query's pairs are among the text's, wherever the word sits in the compound
    assert set(terms("新幹線")) - {"線"} <= set(text)


def test_words_are_matched_with_their_plural_taken_off():
    assert [stem(w) for w in ("tariffs", "policies", "islands", "gas", "us", "business", "shoes")] == [
        "tariff", "policy", "island", "gas", "us", "business", "shoe"]
    assert list(terms("Japan’s LNG")) == ["japan", "lng"]  # a lone letter is no term


def test_a_page_is_read_by_section_with_each_block_s_portion_mark(sample: Path):
    page = read_page((sample / SECURITY).read_bytes())
    assert page.title == "Senkaku Islands, Article V and extended deterrence"
    sections = {s.anchor: s for s in page.sections}
    points = sections["points-h"]
    assert points.title == "Points to make"
    assert points.blocks[0] == ("(C)", "The Senkakus are under Japan’s administration. Article V applies, as you "
                                       "and Prime Minister Abe stated in 2017.")
    assert ("(C//NOFORN)", "No language that weakens the 2017 formulation.") in sections["red-h"].blocks
    every = " ".join(text for s in page.sections for _, text in s.blocks)
    assert "On this page" not in every  # navigation is not text to find
    investment = read_page((sample / "investment/index.html").read_bytes())
    assert not any("Data behind the chart" in text for s in investment.sections for _, text in s.blocks)


# --- in the browser -------------------------------------------------------------------------------

def test_from_disk_senkaku_and_its_japanese_name_list_the_security_paper_first(browser, sample: Path):
    page = browser.new_page()
    watch = Watch(page, sample.resolve().as_uri())
    open_box(page, (sample / "issues/tariffs.html").as_uri())
    for query in ("Senkaku", "尖閣"):
        found = search(page, query)
        assert found and found[0].startswith("../issues/security-commitment.html"), (query, found)
    first = page.locator(".search-results li").first
    assert first.locator("mark").first.inner_text() == "尖閣"
    assert first.locator(".portion").inner_text() == "(C)"
    assert first.locator(".search-where").inner_text().startswith("Senkaku Islands, Article V")
    assert search(page, "xylophone quartet") == []
    assert page.inner_text(".search-status") == "No matches for “xylophone quartet”."
    assert watch.errors == [] and watch.outside == []
    page.close()


def test_the_japanese_site_has_its_own_index_where_both_names_find_the_security_paper(browser, sample: Path):
    japanese = sample.parent / "ja"
    page = browser.new_page()
    watch = Watch(page, japanese.resolve().as_uri())
    open_box(page, (japanese / "issues/tariffs.html").as_uri())
    for query in ("尖閣", "Senkaku"):
        found = search(page, query)
        assert found and found[0].startswith("../issues/security-commitment.html"), (query, found)
    first = page.locator(".search-results li").first
    assert first.locator(".search-where").inner_text().startswith("尖閣諸島")  # the paper's Japanese title
    assert search(page, "xylophone quartet") == []
    assert page.inner_text(".search-status") == "「xylophone quartet」に一致する箇所はありません。"
    assert watch.errors == [] and watch.outside == []
    page.close()


def test_over_nginx_under_a_sub_path_the_same_searches_work(browser, sample: Path, tmp_path: Path):
    with nginx(sample.parent, "/intranet/summit/", tmp_path / "nginx") as base:
        page = browser.new_page()
        watch = Watch(page, base)
        for lang in ("en", "ja"):  # each language's site, with its own index
            open_box(page, base + f"{lang}/people/trump.html")
            for query in ("senkaku", "尖閣諸島"):
                found = search(page, query)
                assert found and found[0].startswith("../issues/security-commitment.html"), (lang, query, found)
            page.click(".search-results a >> nth=0")
            page.wait_for_url(base + f"{lang}/issues/security-commitment.html*")
        assert watch.errors == [] and watch.outside == []
        page.close()


def test_the_keyboard_alone_finds_and_opens_a_result(browser, sample: Path):
    page = browser.new_page()
    page.goto((sample / "programme.html").as_uri())
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-box"
    page.keyboard.type("Hegseth")
    page.wait_for_function("() => document.querySelectorAll('.search-results a').length > 0")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = page.evaluate("document.activeElement.getAttribute('href')")
    assert second == page.eval_on_selector_all(".search-results a", "as => as[1].getAttribute('href')")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "search-box"
    page.keyboard.press("Enter")
    page.wait_for_url("**/people/hegseth.html*")
    page.close()


def test_no_section_holding_a_query_is_missed_against_a_plain_substring_search(browser, sample: Path):
    page = browser.new_page()
    page.goto((sample / "index.html").as_uri())
    sections = page.evaluate("briefingSearch.sections()")
    assert len(sections) > 300
    misses = {}
    for query in QUERIES:
        wanted = unicodedata.normalize("NFKC", query).lower()
        brute = {s["at"] for s in sections if wanted in s["text"]}
        assert brute, f"{query} is in no section: the list should test something"
        found = set(page.evaluate("q => briefingSearch.all(q)", query))
        if brute - found:
            misses[query] = sorted(brute - found)
        if any("\u3040" <= c <= "\u9fff" for c in query):  # Japanese is confirmed against the text: no false hit
            assert found == brute, query
    assert misses == {}
    page.close()


def test_hostile_text_in_a_result_is_shown_as_text(browser, tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "book")
    planted = '<img src=x onerror="document.title=1"> Zanzibar marmalade'
    write_files(site, {"content/pages/notes.md": f"---\ntitle: Notes\n---\n\nThe `{planted}` clause.\n"})
    out = tmp_path / "out"
    build(site, out)
    page = browser.new_page()
    watch = Watch(page, out.resolve().as_uri())
    open_box(page, (out / "index.html").as_uri())
    assert search(page, "marmalade") == ["pages/notes.html"]
    snippet = page.inner_text(".search-snippet")
    assert planted in snippet and page.locator(".search-results img").count() == 0
    assert page.title() != "1" and watch.errors == []
    page.close()


# --- per edition ----------------------------------------------------------------------------------

def test_an_edition_s_index_holds_only_what_its_pages_show(tmp_path: Path):
    from builder.targets.site.search import readable

    out = tmp_path / "share"
    build(REPO, out, edition="shareable")
    files = {p.relative_to(out / "en").as_posix(): p.read_bytes() for p in (out / "en/search").iterdir()}
    index = readable(INDEX, files[INDEX]).decode("utf-8")
    assert "issues/" not in index and "people/" not in index
    text = "".join(readable(rel, data).decode("utf-8") for rel, data in files.items() if rel != INDEX)
    assert "Senkaku" not in text and "Article V is not conditional" not in text
    assert "Alabama" in text  # the investment pages it does show are searchable


def test_the_leak_audit_reads_the_packed_index(tmp_path: Path):
    """A left-out sentence that reached the index is caught there, although the index is packed."""
    from builder.build import load_book
    from builder.cache import BuildCache
    from builder.targets.site.search import readable, search_files

    book, _ = load_book(REPO)
    selection = choose(book, "shareable")
    left = next(t for item in selection.left_out for t in item.texts if len(t) > 40)
    page = f"<html><body><main><h1>Notes</h1><p>{html.escape(left)}</p></main></body></html>".encode("utf-8")
    files = search_files({"pages/notes.html": page}, BuildCache())
    assert audit(selection, files) == []  # packed, the text is not there to be read as it is
    problems = audit(selection, files, readable)
    assert problems and "is in search/" in problems[0].message


@pytest.mark.parametrize("width", [1280, 390])
def test_open_results_pass_axe_and_fit_a_phone(browser, sample: Path, width: int):
    from test_readers import AXE, RUN_AXE, tool

    tool(AXE)
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)  # for the checker
    page = context.new_page()
    open_box(page, (sample / "issues/lng.html").as_uri())
    assert search(page, "Senkaku")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(RUN_AXE) == []
    context.close()
