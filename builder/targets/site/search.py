"""Search: an index of what the pages show, made at build time and shipped as scripts.

Readers search from file://, from any sub-path and with no network, where a page can fetch
nothing: so the index is JavaScript, loaded with a <script> element when the reader first
goes to the search box (`search/index.js`: the pages, their sections and every term with
the sections holding it, in parts). The sections' text, which results quote and which phrases are
confirmed against, is split into files loaded the same way when a result needs them
(`search/text-P-N.js`).

The index is made from the rendered pages, so it holds exactly what the readers of this
edition can read, and the leak audit scans it with every other output file.

Text is cut into terms here and in `assets/search.js` the same way (keep the two in step):

- text is compared in Unicode NFKC form, lower-cased;
- a word of Latin (or Greek, Cyrillic) letters and digits is a term, and so is its stem with
  a plural ending taken off (the S-stemmer: policies → policy, tariffs → tariff); a single
  letter is not a term;
- Japanese and Chinese text, which has no spaces, is cut into overlapping pairs of
  characters (尖閣諸島 → 尖閣 閣諸 諸島) plus the run's last character, at index and at
  query time alike, so a word is found whatever it is compounded with; a query of two
  characters or more is then confirmed against the stored text, so a pair of pairs from
  different places is no match.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ...cache import BuildCache, digest

INDEX = "search/index.js"
TEXT_FILE = "search/text-{}.js"
PARTS = 32  # parts of the index, each made again only when one of its pages changed
SHARD_CHARS = 48_000  # text per file loaded for results: a few pages' worth

# Kept in step with assets/search.js.
_CJK = "\u3005-\u3007\u3040-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(f"([{_CJK}]+)|([0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+)")
_SPACE = re.compile(r"\s+")

# What is not read as text: code, drawings, navigation, and a chart's data (the page says it otherwise).
_SKIP_TAGS = frozenset({"script", "style", "svg", "nav", "template", "noscript", "img", "button",
                        "input", "select", "textarea"})
_SKIP_CLASSES = frozenset({"chart-data", "chart-view", "skip-link", "change-note"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
_BLOCKS = frozenset({"p", "li", "dt", "dd", "tr", "figcaption", "caption", "blockquote", "pre",
                     "summary", "address"})
_CELLS = frozenset({"td", "th"})


def normalise(text: str) -> str:
    """Return text as search compares it: NFKC, lower-cased."""
    return unicodedata.normalize("NFKC", text).lower()


def stem(word: str) -> str:
    """Return a word with its plural ending taken off (Harman's S-stemmer)."""
    if len(word) <= 3 or not word.endswith("s"):
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith(("us", "ss")):
        return word
    return word[:-1]


def terms(text: str) -> Iterator[str]:
    """Yield the terms of a text, as the index holds them (repeats included)."""
    for run, word in _TOKEN.findall(normalise(text)):
        if run:
            if len(run) == 1:
                yield run
                continue
            for i in range(len(run) - 1):
                yield run[i:i + 2]
            yield run[-1]
        elif len(word) > 1 or word.isdigit():
            yield word
            stemmed = stem(word)
            if stemmed != word:
                yield stemmed


@dataclass(frozen=True)
class Section:
    """A part of a page under one heading: where it starts, and its text block by block."""

    anchor: str  # the heading's id ('' for the top of the page)
    title: str
    blocks: tuple[tuple[str, str], ...]  # (portion mark, text) of each paragraph, item or row
    counts: tuple[tuple[str, int], ...]  # each term of the section and how often it occurs


@dataclass(frozen=True)
class PageText:
    title: str
    sections: tuple[Section, ...]


def read_page(html: bytes) -> PageText:
    """Return the text a reader sees in a page's main part, by section."""
    tree = LexborHTMLParser(html.decode("utf-8", errors="replace"))
    main = tree.css_first("main")
    title_node = tree.css_first("title")
    reader = _Reader()
    if main is not None:
        reader.walk(main)
    reader.flush()
    reader.close_section()
    title = reader.page_title or (title_node.text(strip=True) if title_node is not None else "")
    return PageText(title, tuple(reader.sections))


class _Reader:
    """Walks a page's main part in document order, cutting its text into sections and blocks."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.page_title = ""
        self.page_mark = ""
        self.anchor, self.title = "", ""
        self.blocks: list[tuple[str, str]] = []
        self.words: list[str] = []
        self.mark = ""

    def walk(self, node: LexborNode) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self.words.append(child.text_content or "")
            elif tag in _SKIP_TAGS or _classes(child) & _SKIP_CLASSES:
                continue
            elif tag == "span" and "portion" in _classes(child):
                self.mark = _clean(child.text(deep=True))
            elif tag in _HEADINGS:
                self.heading(child)
            elif tag in _BLOCKS:
                self.flush()
                self.walk(child)
                self.flush()
            elif tag in _CELLS:
                self.walk(child)
                self.words.append(" · ")
            elif tag == "br":
                self.words.append(" ")
            else:
                self.walk(child)

    def heading(self, node: LexborNode) -> None:
        self.flush()
        saved, self.words = self.words, []
        self.walk(node)
        text, mark = _clean("".join(self.words)), self.mark
        self.words, self.mark = saved, ""
        if node.tag == "h1" and not self.page_title:
            self.page_title, self.page_mark = text, mark
            self.title = text
            return
        anchor = node.attributes.get("id") or ""
        if not anchor:  # a heading one cannot link to: its text stays in the section above
            self.blocks.append((mark, text))
            return
        self.close_section()
        self.anchor, self.title = anchor, text

    def flush(self) -> None:
        text = _clean("".join(self.words)).strip(" ·")
        if text:
            self.blocks.append((self.mark or self.page_mark, text))
        self.words, self.mark = [], ""

    def close_section(self) -> None:
        if self.blocks or (self.title and not self.sections):
            counts = Counter(t for text in (self.title, *(b for _, b in self.blocks)) for t in terms(text))
            self.sections.append(Section(self.anchor, self.title or self.page_title, tuple(self.blocks),
                                         tuple(sorted(counts.items()))))
        self.blocks = []


def _classes(node: LexborNode) -> set[str]:
    value = node.attributes.get("class") if node.attributes else None
    return set(value.split()) if value else set()


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def read_pages(pages: Mapping[str, bytes], cache: BuildCache) -> list[tuple[str, str, PageText]]:
    """Return (path, checksum, text) of each page ({site path: HTML}) in path order, each read once while
    its bytes stay the same (a build reads its pages while the charts are drawn)."""
    read = []
    for rel, data in sorted(pages.items()):
        if rel.endswith(".html"):
            checksum = cache.checksum(data)
            read.append((rel, checksum, cache.search.get_or_make((rel, checksum), lambda: read_page(data))))
    return read


def search_files(pages: Mapping[str, bytes], cache: BuildCache) -> dict[str, bytes]:
    """Return the search index and the text files of the pages given ({site path: HTML}).

    The index is made in PARTS parts, each of the pages whose path falls in it: after an edit only
    the part holding the changed page is made again (`serve` and a command-line build alike).
    """
    parts: dict[int, list[tuple[str, str, PageText]]] = {}
    for page in read_pages(pages, cache):
        parts.setdefault(part_of(page[0]), []).append(page)
    made, files = [], {}
    for number, members in sorted(parts.items()):
        key = ("part", number, digest(*(f"{rel}\x1f{checksum}" for rel, checksum, _ in members)))
        fragment, texts = cache.search.get_or_make(key, lambda: index_part(number, [(r, p) for r, _, p in members]))
        made.append(fragment)
        files.update(texts)
    files[INDEX] = f'self.briefingSearchIndex={{"version":2,"parts":[{",".join(made)}]}};\n'.encode("utf-8")
    return files


def part_of(rel: str) -> int:
    """Return which part of the index holds a page (by its path, so that adding a page moves no other)."""
    return hashlib.blake2b(rel.encode("utf-8"), digest_size=2).digest()[0] % PARTS


def index_part(number: int, read: Iterable[tuple[str, PageText]]) -> tuple[str, dict[str, bytes]]:
    """Return one part of the index (JSON) for the pages given, in order, and its text files."""
    page_rows: list[list[str]] = []
    section_rows: list[list[object]] = []
    postings: dict[str, list[int]] = {}
    shards: list[list[object]] = [[]]
    shard_chars = 0
    for rel, page in read:
        if not page.sections:
            continue
        page_number = len(page_rows)
        page_rows.append([rel, page.title])
        for section in page.sections:
            size = sum(len(text) + 4 for _, text in section.blocks)
            if shard_chars and shard_chars + size > SHARD_CHARS:
                shards.append([])
                shard_chars = 0
            shards[-1].append([[mark, text] for mark, text in section.blocks])
            shard_chars += size
            for term, count in section.counts:
                postings.setdefault(term, []).extend((len(section_rows), count))
            section_rows.append([page_number, section.anchor, section.title, len(shards) - 1])
    terms = sorted(postings)
    fragment = _json({"part": number, "pages": page_rows, "sections": section_rows, "terms": terms,
                      "postings": [_encode(postings[term]) for term in terms]})
    texts = {TEXT_FILE.format(f"{number}-{n}"): (
        f'(self.briefingSearchText=self.briefingSearchText||{{}})["{number}-{n}"]={_json(shard)};\n').encode("utf-8")
        for n, shard in enumerate(shards) if shard}
    return fragment, texts


def _encode(pairs: list[int]) -> str:
    """Return (section, count) pairs as one short string: each section as the gap from the last, in
    base 36, with its count after a dot when it is more than one ('3,a.2,1' = sections 3, 13 (twice), 14)."""
    out, last = [], 0
    for i in range(0, len(pairs), 2):
        section, count = pairs[i], pairs[i + 1]
        gap = _base36(section - last)
        out.append(gap if count == 1 else f"{gap}.{_base36(min(count, 1295))}")
        last = section
    return ",".join(out)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        n, r = divmod(n, 36)
        text = digits[r] + text
        if n == 0:
            return text


def _json(value: object) -> str:
    """Return value as JSON, with '<' escaped so that no text in it can end a script element."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
