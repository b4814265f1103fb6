"""The printed book: `briefing pdf`, read back with poppler as a reader's PDF viewer would."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, copy_site, run_briefing
from servers import require
from test_editions import PLANTED, marked_book

KANGXI = re.compile(r"[\u2f00-\u2fdf\u2e80-\u2eff]")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_pages(pdf: Path, raw: bool = False) -> list[str]:
    """Return each sheet's text (raw: in the order it was written, a table cell's words together)."""
    text = subprocess.run([require("pdftotext"), "-enc", "UTF-8", *(["-raw"] if raw else []), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> tuple[Path, list[str], Path]:
    tmp = tmp_path_factory.mktemp("pdf")
    pdf = tmp / "book.pdf"
    result = run_briefing("pdf", "--out", str(pdf), cwd=REPO)
    assert result.returncode == 0, result.stderr
    site = tmp / "site"
    assert run_briefing("build", "--out", str(site), cwd=REPO).returncode == 0
    return pdf, pdf_pages(pdf), site / "en"  # the book's own language, which `pdf` prints by default


def contents(pages: list[str]) -> dict[str, int]:
    """Return the contents' entries: title -> page number."""
    found = {}
    for page in pages[1:6]:
        for line in page.splitlines():
            match = re.match(r"^(.*?)\s*\.{3,}\s*(\d+)$", line.strip())
            if match:
                found[match.group(1).strip()] = int(match.group(2))
    return found


def test_the_contents_page_numbers_are_where_each_section_and_paper_starts(sample_pdf):
    _, pages, _ = sample_pdf
    toc = contents(pages)
    assert {"Programme", "Issue papers", "Tariffs and autos", "People", "Key facts", "Sources"} <= set(toc)
    for title, number in toc.items():
        assert title in squash(pages[number - 1]), (title, number)


def test_every_paper_title_and_talking_point_is_in_the_pdf(sample_pdf):
    _, pages, site = sample_pdf
    text = squash(" ".join(pages))
    checked = 0
    for paper in sorted((site / "issues").glob("*.html")):
        if paper.name == "index.html":
            continue
        soup = BeautifulSoup(paper.read_text(encoding="utf-8"), "html.parser")
        assert squash(soup.h1.get_text(" ")) in text
        for point in soup.select("ol.points-to-make > li"):
            for extra in point.select(".change, .point-mark"):
                extra.decompose()
            words = squash(point.get_text(" "))
            assert words.split(" ", 1)[1][:60] in text, (paper.name, words)
            checked += 1
    assert checked > 40


def test_every_sheet_carries_its_pages_banner_top_and_bottom(sample_pdf):
    _, pages, _ = sample_pdf
    banners = ("CONFIDENTIAL//NOFORN", "CONFIDENTIAL", "FOR OFFICIAL USE ONLY", "UNCLASSIFIED")
    for number, page in enumerate(pages, 1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        shown = [line for line in lines if line in banners]
        assert len(shown) == 2 and shown[0] == shown[1], (number, shown)  # top and bottom margins
    toc = contents(pages)
    tariffs = pages[toc["Tariffs and autos"] - 1]
    assert tariffs.count("CONFIDENTIAL//NOFORN") == 2  # its NOFORN red line
    assert pages[toc["Sources"] - 1].strip().startswith("UNCLASSIFIED")
    assert re.search(r"\b\d+ / " + str(len(pages)) + r"\b", pages[10])  # n / N in the footer


def test_every_sheet_says_which_version_it_is(sample_pdf):
    _, pages, _ = sample_pdf
    head = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=REPO, capture_output=True, text=True,
                          check=True).stdout.strip()
    for number, page in enumerate(pages, 1):
        assert f"Version 1, commit {head}" in page, number  # a loose sheet can be matched to its copy


def test_japanese_text_is_extracted_as_written(sample_pdf):
    _, pages, _ = sample_pdf
    text = " ".join(pages)
    assert "石破" in text and "茂" in text
    assert KANGXI.findall(text) == []


def test_the_text_is_set_in_the_books_own_font(sample_pdf):
    pdf, _, _ = sample_pdf
    fonts = subprocess.run([require("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    names = {line.split()[0].split("+", 1)[-1] for line in fonts.splitlines()[2:]}
    # the site's IBM Plex Sans for the text, and Liberation Sans for the charts' labels, which were
    # measured in it; a system sans (DejaVu Sans) here would mean a font did not load, and legends
    # run off the chart
    assert {"IBM-Plex-Sans", "IBM-Plex-Sans-Bold", "Liberation-Sans"} <= names, names
    assert "DejaVu-Sans" not in names, names
    assert any(name.startswith("Noto-Sans-CJK-JP") for name in names), names  # Japanese: a Japanese font


def test_a_table_repeats_its_header_row_on_every_sheet_it_spans(sample_pdf):
    pdf, pages, _ = sample_pdf
    toc = contents(pages)
    start, end = toc["Key facts"], min(n for n in toc.values() if n > toc["Key facts"])
    layout = subprocess.run([require("pdftotext"), "-layout", "-f", str(start), "-l", str(end - 1), str(pdf), "-"],
                            capture_output=True, text=True, check=True).stdout.split("\f")
    spanned = [page for page in layout if re.search(r"\(U\)|\(C\)", page)]  # sheets with rows of facts
    assert len(spanned) >= 3
    for page in spanned:
        assert re.search(r"Figure\s+Value\s+Period\s+As of\s+Source", page), page[:300]


def coloured_share(pdf: Path, number: int, folder: Path) -> float:
    """Return the share of a sheet's pixels in colour (the maps' shading; text and rules are grey)."""
    image = folder / f"sheet{number}"
    subprocess.run([require("pdftoppm"), "-f", str(number), "-l", str(number), "-r", "30", str(pdf), str(image)],
                   check=True)
    ppm = next(folder.glob(f"sheet{number}*.ppm")).read_bytes()
    pixels = ppm.split(maxsplit=4)[4]
    coloured = sum(1 for i in range(0, len(pixels), 3) if max(pixels[i:i + 3]) - min(pixels[i:i + 3]) > 40)
    return coloured / (len(pixels) // 3)


def test_the_map_pages_are_not_blank(sample_pdf, tmp_path: Path):
    pdf, pages, _ = sample_pdf
    maps = [n for n, page in enumerate(pages, 1) if "by employment" in page]  # the map's own title
    assert len(maps) >= 2  # the summary's and the investment section's
    for number in maps:
        assert coloured_share(pdf, number, tmp_path) > 0.01, number
    assert coloured_share(pdf, contents(pages)["Sources"], tmp_path) < 0.005  # the measure can tell


def test_the_pdf_says_what_it_is(sample_pdf):
    pdf, _, _ = sample_pdf
    info = subprocess.run([require("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Title:           Prime Minister's visit to Washington" in info
    assert "Keywords:        CONFIDENTIAL//NOFORN" in info
    assert re.search(r"^Keywords: .*, Version 1, commit [0-9a-f]{10}", info, re.M)  # which copy this is
    assert "CreationDate:    Wed Feb  5" in info  # the book's as-of date, not the day it was printed
    assert "Page size:       595.276 x 841.89 pts (A4)" in info
    outline = subprocess.run([require("pdftotext"), "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                             text=True, check=True).stdout
    assert "PMV(25) 01" in outline and "5 February 2025" in outline


def test_a_long_project_table_prints_its_first_rows_and_says_where_the_rest_are(tmp_path: Path):
    site = copy_site(REPO, tmp_path / "book")
    table = site / "content/data/investments.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    ohio = sum(1 for line in lines if ",OH," in line)
    lines += [f"zz-maker-{n:02d},Zz Maker {n:02d},Plant {n},Columbus,OH,,,hvac,{n},USD,announced,,,2024,announced,"
              f"2024-06,N,https://example.com/zz/{n},Example source {n}," for n in range(1, 41)]
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pdf = tmp_path / "book.pdf"
    result = run_briefing("pdf", "--out", str(pdf), cwd=site)
    assert result.returncode == 0, result.stderr
    text = squash(" ".join(pdf_pages(pdf)))
    assert f"Printed: the first 25 of {ohio + 40} projects" in text
    assert "the web book’s page “Ohio” lists them all" in text
    table = text[:text.index("Printed: the first 25")]  # (the Sources page, later, names every project)
    assert f"Zz Maker {25 - ohio:02d}" in table and f"Zz Maker {26 - ohio:02d}" not in table


def test_the_card_is_one_sheet(tmp_path: Path):
    card = tmp_path / "card.pdf"
    result = run_briefing("pdf", "--card", "--out", str(card), cwd=REPO)
    assert result.returncode == 0, result.stderr
    pages = pdf_pages(card)
    assert len(pages) == 1
    text = squash(pages[0])
    assert "Objectives" in text and "Tariffs and autos" in text and "Key figures" in text


def test_the_lower_editions_pdf_holds_nothing_above_its_ceiling(tmp_path: Path):
    site = marked_book(tmp_path)
    for edition in ("open", "full"):
        result = run_briefing("pdf", "--edition", edition, "--out", str(tmp_path / f"{edition}.pdf"), cwd=site)
        assert result.returncode == 0, result.stderr
    lower = squash(" ".join(pdf_pages(tmp_path / "open.pdf", raw=True)))
    full = squash(" ".join(pdf_pages(tmp_path / "full.pdf", raw=True)))
    assert [kind for kind, text in PLANTED.items() if text in lower] == []
    assert [kind for kind, text in PLANTED.items() if text not in full and kind != "chart block"] == []


def test_pdf_mistakes_are_refused_and_nothing_is_left_behind(tmp_path: Path):
    out = tmp_path / "book.pdf"
    result = run_briefing("pdf", "--edition", "nope", "--out", str(out), cwd=REPO)
    assert result.returncode == 1 and "unknown edition 'nope'" in result.stderr and not out.exists()
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be")
    result = run_briefing("pdf", "--out", str(blocked / "book.pdf"), cwd=REPO)
    assert result.returncode == 1 and "cannot write" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == [blocked]
