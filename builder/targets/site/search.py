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
  query time alike, so a word is found whatever it is compounded with; a query of three
  characters or more is then confirmed against the stored text, so pairs that sit in
  different places are no match.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Hashable, Iterable, Iterator, Mapping

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ...cache import BuildCache, digest

INDEX = "search/index.js"
TEXT_FILE = "search/text-{}.js"
PARTS = 32  # parts of the index, each made again only when one of its pages changed
SHARD_CHARS = 400_000  # text per file loaded for results (packed, about a fifth of that)

# Kept in step with assets/search.js.
_CJK = "\u3005-\u3007\u3040-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(f"([{_CJK}]+)|([0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+)")
_SPACE = re.compile(r"\s+")
_UNIT, _RECORD = "\x1f", "\x1e"  # separators in packed text (cleaned text holds no control characters)

# What is not read as text: code, drawings, navigation, and a chart's data (the page says it otherwise).
_SKIP = ", ".join(["script", "style", "svg", "nav", "template", "noscript", "img", "button", "input", "select",
                   "textarea", ".chart-data", ".chart-view", ".skip-link", ".change-note"])
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
    for token in _TOKEN.findall(normalise(text)):
        yield from _terms_of(token)


def term_counts(text: str) -> Counter[str]:
    """Return each term of a text with how often it occurs."""
    counts: Counter[str] = Counter()
    for token, times in Counter(_TOKEN.findall(normalise(text))).items():
        for term in _terms_of(token):
            counts[term] += times
    return counts


@lru_cache(maxsize=65536)
def _terms_of(token: tuple[str, str]) -> tuple[str, ...]:
    """Return the terms of one token: a run of Japanese or Chinese, or a word."""
    run, word = token
    if run:
        if len(run) == 1:
            return (run,)
        return (*(run[i:i + 2] for i in range(len(run) - 1)), run[-1])
    if len(word) == 1 and not word.isdigit():
        return ()
    stemmed = stem(word)
    return (word,) if stemmed == word else (word, stemmed)


@dataclass(frozen=True)
class Section:
    """A part of a page under one heading: where it starts, and its text block by block."""

    anchor: str  # the heading's id ('' for the top of the page)
    title: str
    packed_blocks: str  # the portion mark and text of each paragraph, item or row (see `blocks`)
    packed_counts: str  # each term, and after _UNIT how often it occurs when more than once

    # Kept packed in two strings: a large book's texts are read back by every build, and a few
    # strings are much quicker to read back than a tuple per block and per term.
    @staticmethod
    def pack(anchor: str, title: str, blocks: Iterable[tuple[str, str]], counts: Mapping[str, int]) -> Section:
        return Section(anchor, title, _RECORD.join(f"{mark}{_UNIT}{text}" for mark, text in blocks),
                       _RECORD.join(term if count == 1 else f"{term}{_UNIT}{count}"
                                    for term, count in sorted(counts.items())))

    @property
    def blocks(self) -> list[tuple[str, str]]:
        """Return (portion mark, text) of each block."""
        return [(mark, text) for mark, _, text in (b.partition(_UNIT) for b in self.packed_blocks.split(_RECORD))
                if text]



@dataclass(frozen=True)
class PageText:
    title: str
    sections: tuple[Section, ...]
    digest: str  # of all of it: a page drawn again with the same text leaves its part of the index as it was

    @staticmethod
    def of(title: str, sections: tuple[Section, ...]) -> PageText:
        return PageText(title, sections, digest(title, *(part for s in sections for part in
                                                         (s.anchor, s.title, s.packed_blocks, s.packed_counts))))


def read_page(html: bytes) -> PageText:
    """Return the text a reader sees in a page's main part, by section."""
    tree = LexborHTMLParser(html.decode("utf-8", errors="replace"))
    main = tree.css_first("main")
    title_node = tree.css_first("title")
    reader = _Reader()
    if main is not None and main.attributes.get("data-search") == "skip":  # a page that copies others
        main = None
    if main is not None:
        for node in main.css(_SKIP):
            node.decompose()
        reader.walk(main)
    reader.flush()
    reader.close_section()
    title = reader.page_title or (title_node.text(strip=True) if title_node is not None else "")
    return PageText.of(title, tuple(reader.sections))


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
            counts = term_counts("\n".join([self.title, *(text for _, text in self.blocks)]))
            self.sections.append(Section.pack(self.anchor, self.title or self.page_title, self.blocks, counts))
        self.blocks = []


def _classes(node: LexborNode) -> set[str]:
    value = node.attributes.get("class") if node.attributes else None
    return set(value.split()) if value else set()


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _parts(pages: Mapping[str, bytes], cache: BuildCache) -> dict[Hashable, tuple[int, list[tuple[str, PageText]]]]:
    """Return the parts of the index the pages ({site path: HTML}) make: {key: (number, its pages' texts)}.

    A part is keyed by its pages' texts, not their bytes: a page drawn again because a chart or a
    link changed, with the same text, leaves its part as it was."""
    members: dict[int, list[tuple[str, PageText]]] = {}
    for rel, data in sorted(pages.items()):
        if rel.endswith(".html"):
            members.setdefault(part_of(rel), []).append((rel, _text(rel, data, cache)))
    return {("part", number, digest(*(f"{rel}\x1f{text.digest}" for rel, text in found))): (number, found)
            for number, found in sorted(members.items())}


def _text(rel: str, data: bytes, cache: BuildCache) -> PageText:
    return cache.texts.get_or_make((rel, cache.checksum(data)), lambda: read_page(data))


def read_ahead(pages: Mapping[str, bytes], cache: BuildCache) -> None:
    """Read the text of the pages no earlier build read (done while charts are drawn)."""
    for rel, data in pages.items():
        if rel.endswith(".html"):
            _text(rel, data, cache)


def search_files(pages: Mapping[str, bytes], cache: BuildCache) -> dict[str, bytes]:
    """Return the search index and the text files of the pages given ({site path: HTML}).

    The index is made in PARTS parts, each of the pages whose path falls in it: after an edit only
    the parts holding a page whose text changed are made again (`serve` and a command-line build alike).
    """
    made, files = [], {}
    for key, (number, found) in _parts(pages, cache).items():
        fragment, texts = cache.search.get_or_make(key, lambda: index_part(number, found))
        made.append(fragment)
        files.update(texts)
    files[INDEX] = f'self.briefingSearchIndex={{"version":3,"parts":[{",".join(made)}]}};\n'.encode("ascii")
    return files


def part_of(rel: str) -> int:
    """Return which part of the index holds a page (by its path, so that adding a page moves no other)."""
    return hashlib.blake2b(rel.encode("utf-8"), digest_size=2).digest()[0] % PARTS


def index_part(number: int, read: Iterable[tuple[str, PageText]]) -> tuple[str, dict[str, bytes]]:
    """Return one part of the index (JSON) for the pages given, in order, and its text files.

    Each term's posting lists the sections (numbered from the part's first) that hold it, with how
    often after a dot when more than once: '3,13.2,14' is sections 3, 13 (twice) and 14.
    """
    page_rows: list[list[str]] = []
    section_rows: list[list[object]] = []
    postings: dict[str, list[str]] = {}
    shards: list[list[object]] = [[]]
    shard_chars = 0
    for rel, page in read:
        if not page.sections:
            continue
        page_number = len(page_rows)
        page_rows.append([rel, page.title])
        for section in page.sections:
            blocks = section.blocks
            size = sum(len(text) + 4 for _, text in blocks)
            if shard_chars and shard_chars + size > SHARD_CHARS:
                shards.append([])
                shard_chars = 0
            shards[-1].append([[mark, text] for mark, text in blocks])
            shard_chars += size
            here = str(len(section_rows))
            for entry in section.packed_counts.split(_RECORD) if section.packed_counts else ():
                term, _, count = entry.partition(_UNIT)
                token = f"{here}.{count}" if count else here
                found = postings.get(term)
                if found is None:
                    postings[term] = [token]
                else:
                    found.append(token)
            section_rows.append([page_number, section.anchor, section.title, len(shards) - 1])
    terms = sorted(postings)
    fragment = _packed({"part": number, "pages": page_rows, "sections": section_rows, "terms": terms,
                        "postings": [",".join(postings[term]) for term in terms]})
    texts = {TEXT_FILE.format(f"{number}-{n}"): (
        f'(self.briefingSearchText=self.briefingSearchText||{{}})["{number}-{n}"]={_packed(shard)};\n').encode("ascii")
        for n, shard in enumerate(shards) if shard}
    return fragment, texts


def _packed(value: object) -> str:
    """Return value as a JavaScript string: its JSON, gzipped, in base64 (the page unpacks it with the
    browser's own DecompressionStream). The book's text is in the index once more: packed, it adds a
    fifth of its size to the output instead of all of it. (Level 5 packs within 6% of level 9, four
    times as fast: a save that changes many pages remakes many parts.)"""
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return '"' + base64.b64encode(gzip.compress(data, compresslevel=5, mtime=0)).decode("ascii") + '"'


_PACKED = re.compile(rb'"([A-Za-z0-9+/=]{16,})"')


def readable(path: str, data: bytes) -> bytes:
    """Return a built file as text to search for leaks: a search file with its packed parts unpacked."""
    if not path.startswith("search/"):
        return data
    return _PACKED.sub(lambda m: gzip.decompress(base64.b64decode(m.group(1))), data)
