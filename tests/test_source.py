"""Reading YAML and text files: YAML 1.2 rules, positions, encodings, front matter."""

from pathlib import Path

import pytest

from builder.source.files import SourceError, read_text
from builder.source.pages import split_front_matter
from builder.source.table import parse_csv
from builder.source.yaml import parse_yaml


def test_yaml_keeps_country_codes_times_and_dates_as_text():
    doc = parse_yaml("country: NO\nanswer: yes\nstart: 12:30\nday: 2025-02-07\n"
                     "n: 12\nx: 1.5\nflag: true\nnothing: null\n", "f.yaml")
    assert doc.data == {"country": "NO", "answer": "yes", "start": "12:30", "day": "2025-02-07",
                        "n": 12, "x": 1.5, "flag": True, "nothing": None}


def test_yaml_records_the_line_and_column_of_values_and_keys():
    doc = parse_yaml("title: T\npoints:\n  - one\n  - two\n", "f.yaml")
    assert doc.where(("points", 1)) == (4, 5)
    assert doc.where(("points",), key=True) == (2, 1)
    assert doc.where(("missing", 3)) == (1, 1)  # falls back to the nearest known parent


def test_yaml_duplicate_key_is_a_problem_at_the_second_key():
    doc = parse_yaml("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert [p.format() for p in doc.problems] == [
        "f.yaml:3:1: a: duplicate key; the later value would silently win"]


def test_yaml_syntax_error_is_located():
    with pytest.raises(SourceError) as exc:
        parse_yaml("a: [1, 2\nb: 3\n", "f.yaml")
    assert exc.value.problem.path == "f.yaml"
    assert exc.value.problem.line == 2
    assert "YAML syntax error" in exc.value.problem.message


def test_text_positions_inside_block_scalars_point_at_the_character(tmp_path: Path):
    doc = parse_yaml("background: |\n  first line\n    second {x}\n", "f.yaml")
    assert doc.text_line(("background",), 1, 7) == (3, 12)


def test_non_utf8_file_names_the_byte_and_its_position(tmp_path: Path):
    (tmp_path / "f.yaml").write_bytes(b"a: 1\nname: Caf\xe9\n")
    with pytest.raises(SourceError) as exc:
        read_text(tmp_path, "f.yaml")
    assert exc.value.problem.format() == (
        "f.yaml:2:10: file is not UTF-8 (byte 0xE9); it looks like a single-byte encoding such as "
        "Windows-1252 or Latin-1; save it with UTF-8 encoding")


def test_utf8_byte_order_mark_is_ignored(tmp_path: Path):
    (tmp_path / "f.yaml").write_bytes("\ufeffname: 石破 茂\n".encode("utf-8"))
    assert parse_yaml(read_text(tmp_path, "f.yaml"), "f.yaml").data == {"name": "石破 茂"}


def test_front_matter_positions_count_from_the_top_of_the_file():
    with pytest.raises(SourceError) as exc:
        split_front_matter("---\ntitle: T\nsummary: [x\nmore: 1\n---\nBody\n", "p.md")
    assert (exc.value.problem.line, exc.value.problem.column) == (4, 5)
    front, body, body_line = split_front_matter("---\ntitle: T\n---\nHello\n", "p.md")
    assert front.data == {"title": "T"} and body == "Hello\n" and body_line == 4
    assert front.where(("title",)) == (2, 8)


CSV = "id,company,amount\n" + "".join(f"r{n},Company {n},{n}\n" for n in range(1, 9))


@pytest.mark.parametrize("edit", [
    lambda t: t.replace("r3,Company 3,3", "r3,Company 3,33"),  # one cell
    lambda t: t.replace("r3,Company 3,3\n", "r3,Company 3,3\nr3b,Inserted,1\n"),  # a row inserted: lines move
    lambda t: t.replace("r2,Company 2,2\n", ""),  # a row deleted
    lambda t: t.replace("r4,Company 4,4", 'r4,"Company\n4",4'),  # a cell across two lines
    lambda t: t.replace("r5,Company 5,5", "r5,Company 5"),  # a row one cell short
    lambda t: t.replace("id,company,amount", "id,amount,company"),  # the header
])
def test_a_table_parsed_after_an_edit_is_the_table_parsed_afresh(edit):
    """After an edit, rows on the same line in the same words are taken over from the last parse: the
    rows, and the lines and columns their mistakes are reported at, are those of a fresh parse."""
    before, _ = parse_csv(CSV, "content/data/investments.csv")
    assert before is not None
    edited = edit(CSV)
    again, problems = parse_csv(edited, "content/data/investments.csv", before)
    fresh, fresh_problems = parse_csv(edited, "content/data/investments.csv")
    assert again is not None and fresh is not None
    assert again.rows == fresh.rows
    assert [r.location for r in again.rows] == [r.location for r in fresh.rows]
    assert (again.row_problems, problems) == (fresh.row_problems, fresh_problems)
    kept = sum(1 for row in again.rows if any(row is old for old in before.rows))
    assert kept == (0 if edited.startswith("id,amount") else sum(1 for r in fresh.rows if r in before.rows))
