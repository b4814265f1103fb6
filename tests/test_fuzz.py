"""Mutate the sample book at random: every run ends in a good build or in located messages.

Byte flips, truncation, values swapped for values of another type, deep nesting, hostile
strings and broken CSV rows, a bounded number of cases from fixed seeds, so a failure
names the seed that reproduces it. Never a traceback, never a hang.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
from pathlib import Path

import pytest
import yaml

from builder.build import build
from builder.cache import BuildCache
from builder.errors import ContentError
from conftest import REPO

CASES = int(os.environ.get("BRIEFING_FUZZ_CASES", "300"))  # more: BRIEFING_FUZZ_CASES=5000
HOSTILE = ["<script>alert(1)</script>", "{fact:", "{person:nobody}", "[x](javascript:alert(1))", ":smile:",
           "\x00", "\ue000 0\ue001", "![i](http://198.51.100.1/x.png)", "{: onclick=x}", "&#0;", "*" * 5000,
           "\u202e", "<!--", "]]>", "%s%n", "\\", "\ud7ff"]
SWAPS = [None, [], {}, 0, -1, 1e308, "9" * 400, True, "text", [[[]]], {"a": {"b": None}}, ".nan", "2025-02-30"]


def mutate(text: str, rel: str, rng: random.Random) -> str | bytes:
    """Return a damaged version of one file."""
    kind = rng.choice(["flip", "truncate", "swap", "nest", "hostile", "lines"] +
                      (["csv"] * 3 if rel.endswith(".csv") else []))
    data = text.encode("utf-8")
    if kind == "flip":
        raw = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        return bytes(raw)
    if kind == "truncate":
        return data[: rng.randrange(len(data))]
    if kind == "lines":
        lines = text.splitlines(keepends=True)
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        if rng.random() < 0.5:
            del lines[rng.randrange(len(lines))]
        return "".join(lines)
    if kind == "hostile":
        at = rng.randrange(len(text))
        return text[:at] + rng.choice(HOSTILE) + text[at:]
    if kind == "csv":
        rows = text.splitlines()
        row = rng.randrange(len(rows))
        cells = rows[row].split(",")
        cells[rng.randrange(len(cells))] = rng.choice(["", "inf", "-5", "1e400", '"', "US", "ZZ", "999",
                                                       "2025-13-01", "Y,N", "nan", "é"])
        rows[row] = ",".join(cells)
        return "\n".join(rows) + "\n"
    if not rel.endswith(".yaml"):  # swap and nest are for YAML; elsewhere, break the text in the middle
        at = rng.randrange(len(text))
        return text[:at] + "\n" + "[" * rng.randint(1, 3000) + text[at:]
    doc = yaml.safe_load(text)
    node, key = _random_slot(doc, rng)
    if node is None:
        return text
    node[key] = rng.choice(SWAPS) if kind == "swap" else "NESTED-HERE"  # type: ignore[index]
    depth = rng.randint(50, 3000)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).replace(
        "NESTED-HERE", "[" * depth + "deep" + "]" * depth)


def _random_slot(doc: object, rng: random.Random) -> tuple[object, object]:
    slots: list[tuple[object, object]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                slots.append((node, key))
                walk(value)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                slots.append((node, i))
                walk(value)

    walk(doc)
    return rng.choice(slots) if slots else (None, None)


class Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hang()


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "book"
    root.mkdir()
    shutil.copy(REPO / "site.yaml", root)
    shutil.copytree(REPO / "content", root / "content")
    return root


@pytest.fixture(scope="module")
def cache() -> BuildCache:
    """One cache for every case, as `serve` keeps one across a writer's saves."""
    return BuildCache(None)


@pytest.mark.parametrize("seed", range(CASES))
def test_damaged_content_ends_in_located_messages_or_a_good_build(book: Path, cache: BuildCache, seed: int):
    rng = random.Random(seed)
    files = sorted(p for p in [book / "site.yaml", *book.rglob("*")] if p.is_file())
    target = rng.choice(files)
    rel = target.relative_to(book).as_posix()
    original = target.read_bytes()
    damaged = mutate(original.decode("utf-8"), rel, rng)
    target.write_bytes(damaged if isinstance(damaged, bytes) else damaged.encode("utf-8", "surrogatepass"))
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(60)
    try:
        build(book, write=False, cache=cache)
    except ContentError as exc:
        for problem in exc.problems:
            assert problem.path and problem.message, f"seed {seed} ({rel}): unlocated {problem!r}"
            assert (book / problem.path.split(" ")[0]).exists() or problem.path.startswith("("), \
                f"seed {seed} ({rel}): {problem.format()} names no file of the book"
    except Hang:
        pytest.fail(f"seed {seed} ({rel}): the build did not finish within 60 s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        target.write_bytes(original)
