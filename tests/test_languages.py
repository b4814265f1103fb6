"""A book in two languages: a site for each, the same figures in each one's format, fallbacks and
out-of-date translations marked, and `briefing translations` to find and stamp them."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from builder.build import build
from builder.errors import ContentError
from builder.languages import text_hash, word_diff
from conftest import MINIMAL, copy_site, run_briefing, write_files

TRADE = """id: trade
title: {en: Trade, ja: 貿易}
priority: high
status: cleared
doc_number: TST(25) 02
drafted_by: Trade desk
objective:
  en: Keep tariffs off cars.
  ja: 自動車への関税を回避する。
background: |
  Cars exported: {fact:cars-exported}.
  See {issue:defence} and {person:bob}.
our_position: No new tariffs.
their_position: They want a smaller deficit.
points_to_make:
  - en: "Our investment supports {fact:jobs-supported} in {state:KY}."
    ja: "我が国の投資は{state:KY}で{fact:jobs-supported}を支えております。"
  - We buy your energy.
red_lines:
  - text: {en: No voluntary export restraints., ja: 輸出自主規制は受け入れない。}
    marking: CONFIDENTIAL
press_line: {en: Frank talks on trade., ja: 貿易について率直な議論を行った。}
related_people: [bob]
"""


@pytest.fixture
def bilingual(tmp_path: Path) -> Path:
    """The minimal book in English and Japanese, its trade paper translated (and stamped), the rest not."""
    site = copy_site(MINIMAL, tmp_path / "site")
    config = (site / "site.yaml").read_text(encoding="utf-8")
    config = config.replace("title: Test summit briefing", "title: {en: Test summit briefing, ja: テスト首脳会談資料}")
    config = config.replace("classification: TEST MARKING", "markings: {scheme: government}\nlanguages: [en, ja]")
    write_files(site, {"site.yaml": config, "content/issues/trade.yaml": TRADE})
    result = run_briefing("translations", "--stamp", cwd=site)
    assert result.returncode == 0, result.stderr
    return site


def git(site: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Desk", "-c", "user.email=desk@example.org", *args], cwd=site,
                   check=True, capture_output=True)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- a site per language --------------------------------------------------------------------------

def test_each_language_is_a_whole_site_and_the_switcher_keeps_the_reader_on_the_same_page(bilingual: Path):
    out = bilingual / "_site"
    build(bilingual, out)
    english = sorted(p.relative_to(out / "en").as_posix() for p in (out / "en").rglob("*.html"))
    japanese = sorted(p.relative_to(out / "ja").as_posix() for p in (out / "ja").rglob("*.html"))
    assert english == japanese and "issues/trade.html" in english
    paper = read(out / "ja/issues/trade.html")
    assert '<html lang="ja">' in paper and "<h1" in paper and "貿易" in paper
    assert 'href="../../en/issues/trade.html" hreflang="en"' in paper  # the same paper, in English
    assert 'href="../../ja/issues/trade.html" hreflang="ja" lang="ja" aria-current="true"' in paper
    assert "我が国の投資は" in paper and "Our investment supports" not in paper
    assert '<html lang="en">' in read(out / "en/issues/trade.html")
    chooser = read(out / "index.html")  # the folder's own page: the book in each language
    assert '<a href="en/index.html" hreflang="en"><strong>Test summit briefing</strong>' in chooser
    assert '<li lang="ja"><a href="ja/index.html" hreflang="ja"><strong>テスト首脳会談資料</strong>' in chooser


def test_the_same_fact_is_written_in_each_language_s_own_format(bilingual: Path):
    out = bilingual / "_site"
    build(bilingual, out)
    english, japanese = read(out / "en/issues/trade.html"), read(out / "ja/issues/trade.html")
    assert "¥8.7 tn" in english and "8.7兆円" in japanese  # one fact, {fact:jobs-supported}
    assert "約580億ドル" in japanese and "$58 bn" in english  # its dollar value, at the book's rate of 150
    assert "As of 20 Feb 2025" in english or "20 Feb 2025" in english
    assert "2025年2月20日" in japanese


def test_a_text_without_translation_is_shown_in_the_original_and_marked(bilingual: Path):
    out = bilingual / "_site"
    build(bilingual, out)
    paper = read(out / "ja/issues/trade.html")
    # the background has no Japanese: it is shown in English, marked, and the page says so
    assert re.search(r'<div class="translation-missing" lang="en" title="[^"]+">\s*<p>Cars exported', paper)
    assert 'class="translation-notice"' in paper
    english = read(out / "en/issues/trade.html")
    assert "translation-missing" not in english and "translation-notice" not in english
    # a page whose title has no Japanese is listed in the navigation in English, marked as English
    assert re.search(r'<a href="\.\./pages/notes\.html" lang="en">Reading notes</a>', paper)
    assert '<a href="../pages/notes.html">Reading notes</a>' in english


def test_the_side_by_side_view_pairs_each_point_with_its_translation(bilingual: Path):
    out = bilingual / "_site"
    build(bilingual, out)
    view = read(out / "ja/parallel.html")
    row = re.search(r"<tr>\s*<td lang=\"en\">(.*?)</td>\s*<td lang=\"ja\">(.*?)</td>\s*</tr>", view, re.S)
    assert row is not None and "Our investment supports" in row.group(1) and "我が国の投資は" in row.group(2)
    assert "Frank talks on trade." in view and "貿易について率直な議論を行った。" in view
    untranslated = re.search(r"<td lang=\"en\">We buy your energy.</td>\s*<td lang=\"ja\">(.*?)</td>", view, re.S)
    assert untranslated is not None and "translation-missing" in untranslated.group(1)


# --- mistakes, located ----------------------------------------------------------------------------

@pytest.mark.parametrize("written, message", [
    ("title: {en: Trade, fr: Commerce}\n", "'fr' is not one of the book's languages (en, ja)"),
    ("title: {ja: 貿易}\n", "no `en:` text: the book is written in en"),
    ("title: {en: Trade, jp: 貿易}\n", "'jp' is not one of the book's languages (en, ja)"),
    ("title: {en: Trade, ja: 貿易, ja_from: 1234}\n", "8 hexadecimal digits"),
    ("title: {en: Trade, english: Trade}\n", "'english' is not a language code"),
])
def test_a_mistake_in_a_translated_text_is_reported_where_it_is_written(bilingual: Path, written: str, message: str):
    paper = bilingual / "content/issues/trade.yaml"
    paper.write_text(re.sub(r"^title: .*\n", written, read(paper), count=1, flags=re.M), encoding="utf-8")
    result = run_briefing("check", cwd=bilingual)
    assert result.returncode != 0
    assert "content/issues/trade.yaml:2:" in result.stderr and "title" in result.stderr, result.stderr
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_text_given_per_language_needs_the_book_s_languages(minimal_site: Path):
    paper = minimal_site / "content/issues/defence.yaml"
    paper.write_text(read(paper).replace("title: Defence\n", "title: {en: Defence, ja: 防衛}\n", 1), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        build(minimal_site, minimal_site / "_site")
    problems = [p for p in caught.value.problems if "site.yaml lists no `languages:`" in p.message]
    assert [(p.path, p.line, p.field) for p in problems] == [("content/issues/defence.yaml", 2, "title")]
    assert not (minimal_site / "_site").exists()


# --- stale translations ---------------------------------------------------------------------------

def test_a_changed_source_text_makes_its_translation_stale_located_with_the_change(bilingual: Path):
    git(bilingual, "init", "-q")
    git(bilingual, "add", ".")
    git(bilingual, "commit", "-q", "-m", "Translated")
    paper = bilingual / "content/issues/trade.yaml"
    paper.write_text(read(paper).replace("Our investment supports", "Our investment now supports"), encoding="utf-8")

    result = run_briefing("check", cwd=bilingual)
    assert result.returncode == 0, result.stderr  # a warning: the book can still be built
    line = next(n for n, text in enumerate(read(paper).splitlines(), 1) if "我が国の投資は" in text)
    assert f"content/issues/trade.yaml:{line}:" in result.stderr, result.stderr
    assert "points_to_make[0].ja: the ja translation is out of date" in result.stderr
    assert "{+now+}" in result.stderr  # what changed in the source since it was translated
    assert run_briefing("check", "--strict", cwd=bilingual).returncode != 0

    out = bilingual / "_site"
    build(bilingual, out)
    page = read(out / "ja/issues/trade.html")
    assert re.search(r'class="translation-stale" lang="ja" title="[^"]+">我が国の投資は', page)
    assert "translation-stale-count" in page
    listed = run_briefing("translations", cwd=bilingual)
    assert "content/issues/trade.yaml: " in listed.stdout and "1 stale ja" in listed.stdout

    # the translator brings it up to date and stamps it: nothing is stale any more
    assert run_briefing("translations", "--stamp", "content/issues/trade.yaml", cwd=bilingual).returncode == 0
    again = run_briefing("check", cwd=bilingual)
    assert "out of date" not in again.stderr, again.stderr


def test_stamping_writes_the_hash_beside_each_translation_and_keeps_the_file_as_written(bilingual: Path):
    text = read(bilingual / "content/issues/trade.yaml")
    assert f'title: {{en: Trade, ja: 貿易, ja_from: "{text_hash("Trade")}"}}' in text  # a flow mapping
    assert f'  ja: 自動車への関税を回避する。\n  ja_from: "{text_hash("Keep tariffs off cars.")}"\n' in text  # a block mapping
    red_line = re.search(r"red_lines:\n  - text: \{(.*?)\}\n    marking: CONFIDENTIAL\n", text)
    assert red_line is not None and f'ja_from: "{text_hash("No voluntary export restraints.")}"' in red_line.group(1)
    assert "background: |\n  Cars exported" in text  # the rest as it was
    assert run_briefing("translations", "--stamp", cwd=bilingual).stdout.strip() == \
        "Every translation is stamped and up to date."


def test_a_page_is_translated_by_a_file_beside_it_and_its_chart_drawn_in_each_language(bilingual: Path):
    original = bilingual / "content/pages/notes.md"
    original.write_text(read(original).replace("title: Amount by year", "title: {en: Amount by year, ja: 年別の金額}"),
                        encoding="utf-8")
    write_files(bilingual, {"content/pages/notes.ja.md": (
        "---\ntitle: 読み方\n---\n## 数字\n\nすべての数字には出典がある（{fact:cars-exported}）。\n\n"
        "```chart\n```\n")})
    out = bilingual / "_site"
    build(bilingual, out)
    page = read(out / "ja/pages/notes.html")
    assert "読み方" in page and "すべての数字には出典がある" in page and "523億ドル" in page
    assert "Every figure has a source" in read(out / "en/pages/notes.html")
    svg = re.search(r'<img[^>]+src="\.\./(charts/[0-9a-f]+\.svg)"', page)
    assert svg is not None and "年別の金額" in read(out / "ja" / svg.group(1))  # the chart's own title, as text
    english = re.search(r'<img[^>]+src="\.\./(charts/[0-9a-f]+\.svg)"', read(out / "en/pages/notes.html"))
    assert english is not None and "Amount by year" in read(out / "en" / english.group(1))
    listed = run_briefing("translations", cwd=bilingual)
    assert "content/pages/notes.ja.md" in listed.stdout and "not stamped" in listed.stdout

    write_files(bilingual, {"content/pages/notes.ja.md": "---\ntitle: 読み方\n---\n本文のみ。\n"})
    result = run_briefing("check", cwd=bilingual)
    assert result.returncode != 0 and "content/pages/notes.ja.md" in result.stderr
    assert "a translation shows the same charts" in result.stderr


def test_word_diff_shows_what_was_taken_out_and_put_in():
    assert word_diff("keep tariffs off cars", "keep new tariffs off trucks") == \
        "keep {+new+} tariffs off [-cars-] {+trucks+}"


def test_the_japanese_catalog_translates_every_message_of_the_interface():
    from babel.messages.pofile import read_po

    from conftest import REPO

    with (REPO / "templates/locale/ja/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="ja")
    with (REPO / "templates/locale/messages.pot").open("rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    untranslated = [m.id for m in catalog if m.id and (m.fuzzy or not all(
        m.string if isinstance(m.string, tuple) else [m.string]))]
    assert untranslated == []
    assert wanted <= {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}  # `make messages` was run
    assert catalog.plural_forms == "nplurals=1; plural=0;"


def test_the_book_prints_in_japanese_with_its_fonts_embedded(bilingual: Path, tmp_path: Path):
    pdf = tmp_path / "book.ja.pdf"
    result = run_briefing("pdf", "--lang", "ja", "--out", str(pdf), cwd=bilingual)
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "目次" in text and "発言要領" in text and "自動車への関税を回避する。" in text  # no mojibake
    assert "2025年3月1日" in text  # the cover's date, as Japanese writes it
    assert "州の色分け" in text and "米国への日本の投資" in text  # the charts' own words, drawn as text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert any("CJK" in line and " yes " in line for line in fonts.splitlines()), fonts  # embedded
    wrong = run_briefing("pdf", "--lang", "fr", "--out", str(tmp_path / "fr.pdf"), cwd=bilingual)
    assert wrong.returncode != 0 and "the book is in en, ja, not 'fr'" in wrong.stderr


def test_messages_fixed_when_a_template_is_compiled_say_what_gettext_says():
    import jinja2

    from builder.targets.site.templates import make_environment, theme_dir
    from builder.text.locale import catalog

    source = ('{{ _("Points to make") }}|{{ _("as of %(date)s", date=when) }}|'
              '{{ _("as of %(date)s", date=(when ~ "!")) }}|{{ x._("Points to make") if x else "" }}')
    fixed = make_environment([theme_dir()], "ja").from_string(source)
    plain = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    plain.install_gettext_translations(catalog([theme_dir()], "ja"), newstyle=True)  # type: ignore[attr-defined]
    expected = plain.from_string(source).render(when="<b>5</b>", x=None)
    assert fixed.render(when="<b>5</b>", x=None) == expected
    assert expected.startswith("発言要領|") and "&lt;b&gt;5&lt;/b&gt;" in expected  # translated, its value escaped


def test_a_translated_book_s_charts_can_be_sent_to_the_worker_processes(bilingual: Path):
    """Charts are drawn in worker processes, which receive their specs pickled: a text as a language's
    site shows it must arrive whole, not raise in the worker."""
    import pickle

    from builder.build import load_book
    from builder.languages import localize
    from builder.model.base import Shown
    from builder.targets.site.plan import plan_site
    from builder.versions import git as versions

    original = bilingual / "content/pages/notes.md"
    original.write_text(read(original).replace("title: Amount by year", "title: {en: Amount by year, ja: 年別の金額}"),
                        encoding="utf-8")
    book, _ = load_book(bilingual)
    site = plan_site(localize(book, "ja"), versions.stamp(bilingual, "", None, ()), None, None, "ja")
    jobs = [(chart.spec, chart.needs_geo, chart.key) for chart in site.charts]
    assert jobs and pickle.loads(pickle.dumps(jobs)) == jobs
    title = site.book.page_by_id["notes"].charts[0].title
    sent = pickle.loads(pickle.dumps(title))
    assert isinstance(sent, Shown) and (sent, sent.lang, sent.texts) == ("年別の金額", "ja", title.texts)


# --- the charts' own words ---------------------------------------------------------------------

ENGLISH_CHART_WORDS = ("project record", "Shade states by", "Announced amount", "State shading", "not disclosed",
                       "Japanese investment", "sized by amount", "Amounts added up", "book as of", "Data behind")


def _charts_of(page: str) -> list[dict[str, Any]]:
    return [json.loads(spec) for spec in re.findall(r'class="chart-spec">(.*?)</script>', page, re.S)]


def _chart_words(page: str) -> str:
    """Return what a page's charts say: their specs, captions, descriptions and tables of data."""
    figures = re.findall(r'<figure class="chart".*?</figure>', page, re.S)
    return "\n".join(html.unescape(f) for f in figures)


def test_the_charts_speak_the_site_s_language_with_the_same_figures(bilingual: Path):
    out = bilingual / "_site"
    build(bilingual, out)
    english, japanese = read(out / "en/investment/index.html"), read(out / "ja/investment/index.html")
    country = _charts_of(japanese)[0]
    picker = next(p["bind"] for p in country["params"] if "bind" in p)
    assert picker["name"] == "州の色分け：" and picker["labels"][0] == "発表額（百万ドル）"
    shapes = country["layer"][0]["encoding"]
    assert shapes["color"]["title"] == "州の色分け"  # the legend
    assert [t["title"] for t in shapes["tooltip"]][:3] == ["州", "日系企業の雇用", "案件"]
    assert "米国への日本の投資" in country["title"]["text"]["expr"]
    kentucky = next(row for row in country["datasets"]["states"] if row["code"] == "KY")
    assert kentucky["state"] == "ケンタッキー州" and kentucky["amount_text"] == "100億ドル"  # $10 bn, its own way
    captions = [re.findall(r'class="chart-source">([^<]*)', page) for page in (english, japanese)]
    counts = [[re.search(pattern, c).group(1) for c in found]  # type: ignore[union-attr]
              for pattern, found in zip((r"Source: (\d+) project records", r"案件記録(\d+)件"), captions)]
    assert counts[0] == counts[1] == ["4", "3", "3"]  # the same figures, each in its language's words
    assert captions[1][0].endswith("状況は遅くとも2025-01時点。本資料は2025年2月20日現在。")
    assert '<th scope="col">州</th>' in japanese and "ケンタッキー州" in japanese
    said = _chart_words(japanese) + "".join(_chart_words(read(p)) for p in (out / "ja").rglob("*.html"))
    assert [w for w in ENGLISH_CHART_WORDS if w in said] == []
    assert [w for w in ENGLISH_CHART_WORDS[:4] if w in _chart_words(english)] == list(ENGLISH_CHART_WORDS[:4])
    svg = re.search(r'<img class="chart-static" src="\.\./(charts/[0-9a-f]+\.svg)"', japanese)
    assert svg is not None and "州の色分け" in read(out / "ja" / svg.group(1))  # the static chart, as text
    state = read(out / "ja/investment/ky.html")
    assert "<h1>ケンタッキー州 " in state and "ケンタッキー州への日本の投資" in state


def test_a_book_s_own_catalog_rewords_its_charts_and_pages_on_the_next_build(bilingual: Path):
    out = bilingual / "_site"
    build(bilingual, out)
    write_files(bilingual, {"templates/locale/ja/LC_MESSAGES/messages.po": (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: ja\\n"\n\n'
        'msgid "State shading"\nmsgstr "州の濃淡"\n\nmsgid "Company and project"\nmsgstr "企業名と案件名"\n')})
    build(bilingual, out)  # with what the first build kept: a chart drawn with the old words is not reused
    page = read(out / "ja/investment/index.html")
    country = _charts_of(page)[0]
    assert "州の濃淡" in json.dumps(country, ensure_ascii=False)
    # nor a template compiled with the old words (its messages are written into the compiled code)
    assert '<th scope="col">企業名と案件名</th>' in page
    picker = next(p["bind"] for p in country["params"] if "bind" in p)
    assert picker["name"] == "州の色分け："  # what the book's catalog leaves alone, the theme's still says


def test_the_catalogs_hold_every_message_the_code_and_templates_say(tmp_path: Path):
    """`make messages` was run: a message added to the code or a template without it would stay English."""
    from babel.messages.pofile import read_po

    from conftest import REPO

    fresh = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).with_name("pybabel")), "extract", "-F", "babel.cfg", "-k", "N_",
                    "-k", "NP_:1c,2", "-k", "say", "-k", "State:3", "--omit-header", "-o", str(fresh), "."],
                   cwd=REPO, check=True, capture_output=True)

    def ids(path: Path) -> set[Any]:
        with path.open("rb") as handle:
            return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(handle) if m.id}

    assert ids(fresh) == ids(REPO / "templates/locale/messages.pot")
    assert "-k N_ -k NP_:1c,2 -k say -k State:3 " in read(REPO / "Makefile")  # the same keywords as `make messages`
