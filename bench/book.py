"""Write a synthetic briefing book of a chosen size: the kind of book a G20 or APEC delegation keeps.

Texts have realistic lengths (papers of 600 to 900 words, bios of 200), references between
items, facts cited in text, investment rows placed inside their states, and chart blocks in
a share of the papers. The same seed always writes the same book.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

from builder.geo import STATES, in_state, state_shapes

WORDS = """allies agreement alliance bilateral budget capacity ceiling commitment conference cooperation
corridor council deficit defence delegation deterrence dialogue economy energy engagement export
framework freight growth guarantee industry infrastructure initiative investment joint leaders
maritime market ministers network objective partnership pipeline plant port position priority
production proposal quota reform region resilience review security semiconductor session shipping
standard steel strategy summit supply tariff technology trade transition treaty workforce""".split()
SECTORS = ["automotive", "auto-parts", "batteries", "steel", "chemicals", "machinery", "energy",
           "semiconductors", "finance", "food", "pharma", "logistics"]
STATUSES = ["operating", "under_construction", "announced", "pledged", "pending"]


@dataclass(frozen=True)
class Scale:
    """How big a book to write."""

    issues: int = 500
    rows: int = 20_000
    people: int = 120
    charts: int = 200  # chart blocks placed in papers (the book's own maps come on top)
    facts: int = 300
    pages: int = 10


DEFAULT = Scale()
QUICK = Scale(issues=40, rows=1_500, people=20, charts=12, facts=40, pages=3)


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, sentences: int, refs: list[str] = ()) -> str:
    parts = [sentence(rng, rng.randint(9, 22)) for _ in range(sentences)]
    for ref in refs:
        parts.insert(rng.randrange(len(parts) + 1), f"See {ref}.")
    return " ".join(parts)


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def block(text: str, indent: int = 2) -> str:
    pad = " " * indent
    return "|\n" + "\n".join(pad + line if line else "" for line in text.splitlines()) + "\n"


def point_in(code: str, rng: random.Random) -> tuple[float, float]:
    """Return (latitude, longitude) inside a state, found by sampling its bounding box."""
    rings = state_shapes()[code]
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    for _ in range(2000):
        lon, lat = rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys))
        if in_state(code, lat, lon, tolerance=0.0):
            return round(lat, 4), round(lon, 4)
    return round(rings[0][0][1], 4), round(rings[0][0][0], 4)


def write_book(root: Path, scale: Scale, seed: int = 7) -> None:
    """Write a complete briefing folder at root."""
    rng = random.Random(seed)
    codes = sorted(STATES)
    people = [f"person-{i:03d}" for i in range(scale.people)]
    facts = [f"fact-{i:03d}" for i in range(scale.facts)]
    issues = [f"issue-{i:04d}" for i in range(scale.issues)]
    (root / "content/issues").mkdir(parents=True)
    (root / "content/people").mkdir(parents=True)
    (root / "content/pages").mkdir(parents=True)
    (root / "content/data").mkdir(parents=True)

    pages = [f"page-{i:02d}" for i in range(scale.pages)]
    (root / "site.yaml").write_text(
        "title: G20 leaders' summit briefing\nsubtitle: Synthetic book for the benchmark\n"
        "organisation: Benchmark desk\ndoc_number: BENCH(25) 01\n"
        "event: {name: G20 leaders' summit, start: 2025-11-22, end: 2025-11-23, place: Johannesburg}\n"
        f"principal: {people[0]}\ncounterpart: {people[1]}\nas_of: 2025-11-15\n"
        "classification: UNCLASSIFIED — BENCHMARK\nhome_timezone: Asia/Tokyo\n"
        f"summary: {quoted(paragraph(rng, 3, ['{fact:' + facts[0] + '}']))}\n"
        "objectives:\n" + "".join(f"  - {quoted(sentence(rng, 14))}\n" for _ in range(6)) +
        "nav: [home, programme, issues, people, facts, investment, sources"
        + "".join(f", pages/{p}" for p in pages) + "]\n"
        "currency: {jpy_per_usd: 150, as_of: 2025-11-14, approximate: true, "
        "source: {label: Bench rate, url: 'https://example.org/fx'}}\n"
        "sectors:\n" + "".join(f"  - {{id: {s}, label: {s.replace('-', ' ').title()}}}\n" for s in SECTORS),
        encoding="utf-8")

    for i, person in enumerate(people):
        (root / f"content/people/{person}.yaml").write_text(
            f"id: {person}\nname: Person {i} {rng.choice(WORDS).title()}\nrole: {sentence(rng, 4)[:-1]}\n"
            f"organisation: Ministry of {rng.choice(WORDS).title()}\ncountry: Country {i % 20}\n"
            f"side: {'ours' if i % 3 == 0 else 'theirs'}\nin_official_party: {str(i % 4 == 0).lower()}\n"
            f"born: {1950 + i % 30}\nsummary: {block(paragraph(rng, 6))}"
            "career:\n" + "".join(f"  - {{from: {1990 + j * 5}, to: {1994 + j * 5}, post: {quoted(sentence(rng, 6))}}}\n"
                                  for j in range(4)) +
            "interests:\n" + "".join(f"  - {quoted(sentence(rng, 10))}\n" for _ in range(3)) +
            f"relationship: {quoted(paragraph(rng, 2))}\nhandling_notes: {quoted(paragraph(rng, 2))}\n"
            "sources:\n  - {label: Official biography, url: 'https://example.org/bio'}\n", encoding="utf-8")

    lines = ["facts:"]
    for i, fact in enumerate(facts):
        unit = rng.choice(["USD bn", "JPY tn", "%", "jobs", "USD m"])
        lines += [f"  - id: {fact}", f"    label: Figure {i} on {rng.choice(WORDS)}",
                  f"    value: {round(rng.uniform(1, 900), 1)}", f"    unit: '{unit}'",
                  f"    period: '{2020 + i % 5}'", f"    as_of: 2025-{1 + i % 9:02d}",
                  f"    topic: {rng.choice(['Trade', 'Investment', 'Energy', 'Security'])}",
                  f"    source: {{label: Source {i}, url: 'https://example.org/f/{i}'}}"]
    (root / "content/facts.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    lines = ["timezone: Africa/Johannesburg", "items:"]
    for i in range(60):
        lines += [f"  - id: item-{i:02d}", f"    date: 2025-11-{21 + i // 20}", f"    start: \"{7 + (i % 20) // 2:02d}:{30 * (i % 2):02d}\"",
                  f"    title: {quoted(sentence(rng, 5)[:-1])}", "    kind: meeting", f"    place: Room {i}",
                  f"    participants: [{people[0]}, {people[2 + i % (len(people) - 2)]}]", "    press: closed",
                  f"    briefs: [{issues[i % len(issues)]}]"]
    (root / "content/schedule.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    charted = set(rng.sample(range(len(issues)), min(scale.charts, len(issues))))
    for i, issue in enumerate(issues):
        f1, f2 = rng.sample(facts, 2)
        p1, p2 = rng.sample(people, 2)
        other = issues[(i + 1) % len(issues)]
        background = "\n\n".join(paragraph(rng, rng.randint(4, 6), [f"{{fact:{f1}}}"] if j == 0 else
                                           [f"{{person:{p1}}}"] if j == 1 else [])
                                 for j in range(5))
        text = [f"id: {issue}", f"title: {quoted(sentence(rng, 5)[:-1])}",
                f"priority: {['high', 'medium', 'low'][i % 3]}", f"status: {['draft', 'cleared', 'final'][i % 3]}",
                f"doc_number: BENCH(25) {100 + i}", f"drafted_by: Desk {i % 12}",
                f"objective: {quoted(sentence(rng, 18))}", f"background: {block(background)}".rstrip(),
                f"our_position: {block(paragraph(rng, 4, ['{fact:' + f2 + '}']))}".rstrip(),
                f"their_position: {block(paragraph(rng, 3))}".rstrip(), "points_to_make:"]
        text += [f"  - {quoted(sentence(rng, rng.randint(14, 30)))}" for _ in range(rng.randint(6, 8))]
        text += ["defensive_qa:"] + [f"  - {{q: {quoted(sentence(rng, 10))}, a: {quoted(sentence(rng, 20))}}}"
                                     for _ in range(3)]
        text += ["asks:"] + [f"  - {quoted(sentence(rng, 12))}" for _ in range(2)]
        text += ["offers:", f"  - {{item: {quoted(sentence(rng, 12))}, conditional_on: {quoted(sentence(rng, 8))}}}"]
        text += ["red_lines:", f"  - {quoted(sentence(rng, 12))}"]
        text += ["risks:", f"  - {{risk: {quoted(sentence(rng, 10))}, likelihood: medium, mitigation: {quoted(sentence(rng, 10))}}}"]
        text += [f"press_line: {quoted(sentence(rng, 25))}", f"related_people: [{p1}, {p2}]",
                 f"related_facts: [{f1}, {f2}]", f"related_issues: [{other}]"]
        if i % 5 in (0, 1):
            text.append(f"investments: {{state: [{rng.choice(codes)}]}}")
        if i in charted:
            kind = rng.choice(["map", "sectors", "years", "states"])
            text += ["charts:", f"  - {{kind: {kind}, metric: {rng.choice(['amount', 'jobs', 'projects'])}, "
                     f"filter: {{sector: [{rng.choice(SECTORS)}]}}, title: {quoted(sentence(rng, 6)[:-1])}}}"]
        text += ["sources:", f"  - {{label: Source for {issue}, url: 'https://example.org/i/{i}'}}"]
        (root / f"content/issues/{issue}.yaml").write_text("\n".join(text) + "\n", encoding="utf-8")

    for i, page in enumerate(pages):
        body = "\n\n".join(f"## {sentence(rng, 4)[:-1]}\n\n{paragraph(rng, 5, ['{fact:' + facts[i] + '}'])}"
                           for _ in range(6))
        (root / f"content/pages/{page}.md").write_text(
            f"---\ntitle: Reading note {i}\nsummary: {quoted(sentence(rng, 12))}\n---\n\n{body}\n\n"
            "```chart\nkind: years\nmetric: amount\n```\n", encoding="utf-8")

    header = ("id,company,project,city,state,latitude,longitude,sector,amount,currency,amount_basis,jobs,"
              "jobs_basis,year,status,status_as_of,approximate,source_url,source_label,notes")
    rows = [header]
    points = {code: [point_in(code, rng) for _ in range(8)] for code in codes}
    weights = [math.sqrt(1 + (i * 37) % 51) for i in range(len(codes))]
    for i in range(scale.rows):
        code = rng.choices(codes, weights)[0]
        lat, lon = rng.choice(points[code])
        amount = "" if i % 9 == 0 else str(rng.randint(5, 5000))
        jobs = "" if i % 7 == 0 else str(rng.randint(10, 3000))
        rows.append(f"row-{i:05d},Company {i % 800},Project {i},Town {i % 300},{code},{lat},{lon},"
                    f"{SECTORS[i % len(SECTORS)]},{amount},USD,announced,{jobs},planned_new,{2000 + i % 25},"
                    f"{STATUSES[i % len(STATUSES)]},2025-{1 + i % 10:02d},{'Y' if i % 4 == 0 else 'N'},"
                    f"https://example.org/p/{i % 400},Source {i % 400},")
    (root / "content/data/investments.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    rows = ["state,measure,label,value,unit,as_of,approximate,source_org,source_url,notes"]
    rows += [f"{code},jobs,Employment by Japanese-owned affiliates,{rng.randint(500, 90000)},jobs,2022,N,"
             f"Bench statistics office,https://example.org/s/{code},"
             for code in codes]
    (root / "content/data/states.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def edit_point(root: Path, n: int = 0) -> None:
    """Reword one talking point of the first paper (a writer's typical save)."""
    path = root / "content/issues/issue-0000.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("points_to_make:\n  - ") + len("points_to_make:\n  - ")
    end = text.index("\n", start)
    path.write_text(text[:start] + f'"Edited point, version {n}."' + text[end:], encoding="utf-8")


def edit_row(root: Path, n: int = 0) -> None:
    """Change the amount of one investment row."""
    path = root / "content/data/investments.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[8] = str(1000 + n)
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
