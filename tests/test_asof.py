"""Trust in every figure: the book knows nothing after its as-of date, marks what is old, and
asks for a source for every figure written into its texts.

Each test plants one mistake in the minimal book (as of 20 Feb 2025) and checks the message a
writer gets: file, line, column, field, and what to do.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.build import build, load_book
from builder.charts import build_chart
from builder.model.charts import ChartBlock
from conftest import run_briefing, tree

FACTS = "content/facts.yaml"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line and not line[0].isdigit()]


def test_a_fact_dated_after_the_book_is_a_located_error_and_the_last_build_stays(minimal_site: Path):
    assert run_briefing("build", cwd=minimal_site).returncode == 0
    before = tree(minimal_site / "_site")
    edit(minimal_site / FACTS, "as_of: 2024-12-27", "as_of: 2025-03-01")
    result = run_briefing("build", cwd=minimal_site)
    assert result.returncode == 1
    assert lines(result.stderr) == [
        "content/facts.yaml:17:12: facts[1].as_of: as of 2025-03-01 is after the book's as-of date (20 Feb 2025): "
        "the book cannot know it. Use what was known by then, change the book's as_of, or, for the book's own "
        "proposal, mark it basis: proposal"]
    assert tree(minimal_site / "_site") == before


def test_a_month_is_after_the_book_only_when_it_starts_after_it(minimal_site: Path):
    edit(minimal_site / FACTS, "as_of: 2024-12-27", "as_of: 2025-02")  # Feb 2025 began before 20 Feb
    assert run_briefing("check", cwd=minimal_site).returncode == 0
    edit(minimal_site / FACTS, "as_of: 2025-02", "as_of: 2026")
    result = run_briefing("check", cwd=minimal_site)
    assert "content/facts.yaml:17:12: facts[1].as_of: as of 2026 is after" in result.stderr


def test_a_source_published_after_the_book_and_a_record_from_the_future_are_errors(minimal_site: Path):
    edit(minimal_site / FACTS, 'source: {label: Cars source, url: "https://example.org/cars"}',
         'source: {label: Cars source, url: "https://example.org/cars", published: 2025-02-21}')
    csv = minimal_site / "content/data/investments.csv"
    edit(csv, ",operating,2024-02,", ",operating,2025-04,")
    result = run_briefing("check", cwd=minimal_site)
    assert result.returncode == 1
    found = lines(result.stderr)
    assert found[0].startswith("content/data/investments.csv:2:133: status_as_of: as of 2025-04 is after the "
                               "book's as-of date (20 Feb 2025)")
    assert found[1].startswith("content/facts.yaml:11:78: facts[0].source.published: published 2025-02-21 is "
                               "after the book's as-of date (20 Feb 2025)")


def test_the_books_own_proposal_may_look_ahead_without_a_source(minimal_site: Path, tmp_path: Path):
    with (minimal_site / FACTS).open("a", encoding="utf-8") as f:
        f.write("  - id: aim\n    label: Investment aim\n    value: 1\n    unit: USD tn\n    period: by 2029\n"
                "    as_of: 2025-02-20\n    basis: proposal\n    note: For the Prime Minister's decision.\n")
    edit(minimal_site / "content/issues/trade.yaml", "objective: Keep tariffs off cars.",
         "objective: Keep tariffs off cars, and announce {fact:aim}.")
    build(minimal_site, tmp_path / "out")
    soup = BeautifulSoup((tmp_path / "out/facts.html").read_text(encoding="utf-8"), "html.parser")
    row = soup.select_one("#fact-aim")
    assert "proposal" in row.select_one(".flag-proposal").get_text()
    assert "this book's own, for decision" in row.get_text()
    paper = BeautifulSoup((tmp_path / "out/issues/trade.html").read_text(encoding="utf-8"), "html.parser")
    assert "$1 tn" in paper.select_one(".objective").get_text()
    assert "This book's own proposal, for decision" in paper.get_text()


def test_a_fact_without_a_source_must_be_a_proposal(minimal_site: Path):
    edit(minimal_site / FACTS, '    source: {label: Jobs source, url: "https://example.org/jobs"}\n', "")
    result = run_briefing("check", cwd=minimal_site)
    assert result.returncode == 1
    assert lines(result.stderr) == ["content/facts.yaml:12:5: facts[1]: a fact needs its source (label and url), "
                                    "unless it is the book's own proposal: basis: proposal"]


def test_a_stale_fact_is_a_warning_and_its_pages_mark_it_dated(minimal_site: Path, tmp_path: Path):
    edit(minimal_site / FACTS, "as_of: 2024-12-27", "as_of: 2022-06")
    result = run_briefing("build", "--out", str(tmp_path / "out"), cwd=minimal_site)
    assert result.returncode == 0
    assert lines(result.stderr) == [
        "content/facts.yaml:17:12: warning: facts[1].as_of: as of 2022-06 is more than 2 years before the book's "
        "as-of date (20 Feb 2025): find a newer figure, or say in dated_because why this one is still the one "
        "to use. Pages mark it 'dated'"]
    facts = BeautifulSoup((tmp_path / "out/facts.html").read_text(encoding="utf-8"), "html.parser")
    assert facts.select_one("#fact-jobs-supported .flag-dated").get_text() == "dated"
    assert facts.select_one("#fact-cars-exported .flag-dated") is None
    paper = BeautifulSoup((tmp_path / "out/issues/trade.html").read_text(encoding="utf-8"), "html.parser")
    assert paper.select_one("#cite-1 .flag-dated").get_text() == "dated"  # the note under the paper

    # the limit is the book's to set, and a reason given keeps the mark but ends the warning
    edit(minimal_site / FACTS, "as_of: 2022-06", "as_of: 2022-06\n    dated_because: No later survey exists")
    result = run_briefing("build", "--out", str(tmp_path / "out"), cwd=minimal_site)
    assert lines(result.stderr) == []
    facts = BeautifulSoup((tmp_path / "out/facts.html").read_text(encoding="utf-8"), "html.parser")
    assert "No later survey exists" in facts.select_one("#fact-jobs-supported").get_text()
    edit(minimal_site / "site.yaml", "as_of: 2025-02-20\n", "as_of: 2025-02-20\nfigures: {stale_after_years: 5}\n")
    build(minimal_site, tmp_path / "out")
    facts = BeautifulSoup((tmp_path / "out/facts.html").read_text(encoding="utf-8"), "html.parser")
    assert facts.select_one("#fact-jobs-supported .flag-dated") is None


def test_a_figure_typed_into_prose_is_a_located_warning_naming_the_fact_that_holds_it(minimal_site: Path):
    edit(minimal_site / "content/issues/trade.yaml", "  - We buy your energy.",
         "  - We buy your energy, ¥8.7 trillion of it, up 12% on a base of 4,000 jobs and 800 miles of pipe.")
    result = run_briefing("check", cwd=minimal_site)
    assert result.returncode == 0
    assert lines(result.stderr) == [
        "content/issues/trade.yaml:17:25: warning: points_to_make[1]: figure '¥8.7 trillion' is written into the "
        "text without a source; fact 'jobs-supported' has this value: if it is the same figure, write "
        "{fact:jobs-supported} (|bn, |tn or |0 to |3 round it as written)",
        "content/issues/trade.yaml:17:49: warning: points_to_make[1]: figure '12%' is written into the text "
        "without a source; add it to content/facts.yaml with its source and date, and write {fact:id} here",
        "content/issues/trade.yaml:17:66: warning: points_to_make[1]: figure '4,000 jobs' is written into the text "
        "without a source; add it to content/facts.yaml with its source and date, and write {fact:id} here",
        "content/issues/trade.yaml:17:81: warning: points_to_make[1]: figure '800 miles' is written into the text "
        "without a source; add it to content/facts.yaml with its source and date, and write {fact:id} here"]


def test_years_dates_article_numbers_and_links_are_not_figures(minimal_site: Path):
    edit(minimal_site / "content/issues/trade.yaml", "  - We buy your energy.",
         "  - 'We buy your energy, as in 2019 and on 7 Feb 2025, under Section 232 and Article V "
         "([report](https://example.org/2024/123456)), `code 99999`.'")
    result = run_briefing("check", cwd=minimal_site)
    assert result.returncode == 0 and lines(result.stderr) == []


def test_strict_turns_warnings_into_errors_and_writes_nothing(minimal_site: Path):
    edit(minimal_site / "content/issues/trade.yaml", "  - We buy your energy.", "  - We buy $5 bn of your energy.")
    result = run_briefing("build", "--strict", cwd=minimal_site)
    assert result.returncode == 1
    assert lines(result.stderr)[0].startswith(
        "content/issues/trade.yaml:17:12: points_to_make[1]: figure '$5 bn' is written into the text without a source")
    assert "warning:" not in result.stderr
    assert not (minimal_site / "_site").exists()
    assert run_briefing("check", "--strict", cwd=minimal_site).returncode == 1
    assert run_briefing("build", cwd=minimal_site).returncode == 0  # without --strict, a warning does not stop it
    # nothing changed since that build, yet --strict still refuses it
    assert run_briefing("build", "--strict", cwd=minimal_site).returncode == 1


def test_a_fact_can_be_cited_rounded_or_in_another_scale(minimal_site: Path, tmp_path: Path):
    edit(minimal_site / "content/issues/trade.yaml", "  - We buy your energy.",
         "  - We buy {fact:cars-exported|tn|2} and {fact:jobs-supported|0} and {fact:cars-exported|m}.")
    build(minimal_site, tmp_path / "out")
    soup = BeautifulSoup((tmp_path / "out/issues/trade.html").read_text(encoding="utf-8"), "html.parser")
    figures = [f.contents[0] for f in soup.select("ol.points-to-make li")[1].select(".figure")]
    assert figures == ["$0.05 tn", "¥9 tn", "$52,300 m"]
    edit(minimal_site / "content/issues/trade.yaml", "{fact:jobs-supported|0}", "{fact:jobs-supported|bb}")
    edit(minimal_site / "content/issues/trade.yaml", "{fact:cars-exported|m}", "{person:bob|bn}")
    result = run_briefing("check", cwd=minimal_site)
    assert result.returncode == 1
    assert lines(result.stderr) == [
        "content/issues/trade.yaml:17:42: points_to_make[1]: unknown option '|bb' in a fact reference: use |m, |bn "
        "or |tn for the scale of money and |0 to |3 for the decimals, as in {fact:id|bn|1}",
        "content/issues/trade.yaml:17:71: points_to_make[1]: only a fact reference takes options such as |bn: "
        "{person:bob|bn}"]


def test_an_amount_needs_a_known_basis(minimal_site: Path):
    csv = minimal_site / "content/data/investments.csv"
    edit(csv, ",10000,USD,announced,", ",10000,USD,anounced,")
    edit(csv, ",3100,USD,cumulative,", ",3100,USD,,")
    result = run_briefing("check", cwd=minimal_site)
    assert result.returncode == 1
    assert lines(result.stderr) == [
        "content/data/investments.csv:2:88: amount_basis: unknown amount basis 'anounced': write one of announced, "
        "cumulative, pledge, venture total, deal value, proposal, with any detail in brackets, as in "
        "'announced (2022 expansion)' (did you mean 'announced'?)",
        "content/data/investments.csv:3:1: an amount needs its amount_basis: one of announced, cumulative, "
        "pledge, venture total, deal value, proposal"]


def test_employment_on_another_basis_is_drawn_apart_from_the_shared_scale(minimal_site: Path):
    states = minimal_site / "content/data/states.csv"
    rows = states.read_text(encoding="utf-8").splitlines()
    header = rows[0].replace(",as_of,", ",period,basis,as_of,")
    fixed = [header]
    for row in rows[1:]:
        cells = row.split(",")
        basis = "Consulate survey" if cells[0] == "OH" else "BEA"
        fixed.append(",".join(cells[:5] + ["2019", basis] + cells[5:]))
    fixed.append("TX,jobs,Employment at Japanese affiliates,75100,jobs,2019,BEA,2021-08,N,BEA,https://example.org/tx,")
    states.write_text("\n".join(fixed) + "\n", encoding="utf-8")
    book, warnings = load_book(minimal_site)
    assert book.jobs_basis == "BEA"
    chart = build_chart(book, ChartBlock(kind="map", metric="employment"))
    rows_by_code = {r["code"]: r for r in chart.spec["datasets"]["states"]}
    assert (rows_by_code["KY"]["employment"], rows_by_code["TX"]["employment"]) == (47000, 75100)
    assert rows_by_code["OH"].get("employment") is None and rows_by_code["OH"]["other_basis"] is True
    color = chart.spec["layer"][0]["encoding"]["color"]
    assert color["condition"]["test"] == "metric == 'employment' && datum.other_basis"
    assert "Employment shaded for 2 states on one basis (BEA); tan: 1 on another basis, not compared" in \
        chart.spec["title"]["subtitle"]
    assert chart.table.headers[1] == "Employment at Japanese-owned companies"
    assert ["Ohio", "73,434 jobs, 2019 (another basis: Consulate survey); Consulate survey"] == \
        [r[:2] for r in chart.table.rows if r[0] == "Ohio"][0]
