"""Markings: the handling levels content carries, and the banner a page's content adds up to.

A book names a scheme in site.yaml (`markings: {scheme: government}` or `tlp`) or spells out
its own ordered levels. Any item, and any entry of an item's lists, can carry `marking:`,
written as a level (its name or its portion form) and caveats after `//`:

    C                       CONFIDENTIAL
    C//NOFORN               a restrictive caveat: not to be released to any foreign party
    FOUO//REL TO USA, JPN   a release list: may be released to these countries only

A page's banner is never typed: it is the roll-up of what the page shows: the highest level,
restrictive caveats by union, release lists by intersection, and no release list at all once a
NOFORN portion is on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from ..errors import did_you_mean

NOFORN = "NOFORN"  # the caveat that forbids release abroad, and so removes REL TO from a banner
REL_TO = re.compile(r"^REL TO\s+(?P<list>[A-Z]{3}(?:\s*,\s*[A-Z]{3})*)$")


@dataclass(frozen=True, order=True)
class Level:
    rank: int
    name: str
    portion: str


@dataclass(frozen=True)
class Marking:
    """One marking: a level with its caveats."""

    level: Level
    caveats: frozenset[str] = frozenset()  # restrictive handling caveats: NOFORN, ORCON
    release: Optional[frozenset[str]] = None  # REL TO these countries; None when no list is given

    def _tail(self) -> str:
        parts = sorted(self.caveats)
        if self.release is not None:
            parts.append("REL TO " + ", ".join(sorted(self.release)))
        return "".join(f"//{p}" for p in parts)

    @property
    def banner(self) -> str:
        return self.level.name + self._tail()

    @property
    def portion(self) -> str:
        return f"({self.level.portion}{self._tail()})"

    def releasable_to(self, countries: Iterable[str]) -> bool:
        """Return whether content with this marking may go to every one of these countries."""
        wanted = set(countries)
        if not wanted:
            return True
        if NOFORN in self.caveats:
            return False
        return self.release is None or wanted <= self.release


@dataclass(frozen=True)
class Scheme:
    """An ordered set of levels, the caveats it knows, and the level of unmarked content."""

    name: str
    levels: tuple[Level, ...]
    caveats: tuple[str, ...]
    default: Level
    translated: bool = True  # TLP's labels are never translated

    def level(self, text: str) -> Optional[Level]:
        for level in self.levels:
            if text in (level.name, level.portion):
                return level
        folded = text.casefold()
        return next((lv for lv in self.levels if folded in (lv.name.casefold(), lv.portion.casefold())), None)

    def parse(self, text: str) -> Marking:
        """Return the marking written as text, or raise ValueError saying what is wrong with it."""
        head, *tail = [part.strip() for part in str(text).split("//")]
        level = self.level(head)
        if level is None:
            names = [lv.name for lv in self.levels] + [lv.portion for lv in self.levels]
            raise ValueError(f"unknown marking '{head[:60]}' in the {self.name} scheme: use one of "
                             f"{', '.join(lv.name for lv in self.levels)} (or "
                             f"{', '.join(lv.portion for lv in self.levels)}){did_you_mean(head, names)}")
        caveats, release = set(), None
        for part in tail:
            match = REL_TO.match(part)
            if match:
                release = frozenset(c.strip() for c in match.group("list").split(","))
            elif part in self.caveats:
                caveats.add(part)
            else:
                known = ", ".join(self.caveats) if self.caveats else "none"
                raise ValueError(f"unknown caveat '{part[:40]}' in the {self.name} scheme (its caveats: {known}; "
                                 f"a release list is written 'REL TO USA, JPN'){did_you_mean(part, self.caveats)}")
        return Marking(level, frozenset(caveats), release)

    @property
    def lowest(self) -> Marking:
        return Marking(self.default)

    def rollup(self, markings: Iterable[Marking]) -> Marking:
        """Return the banner of content holding these portions (the default level if there are none)."""
        found = list(markings)
        if not found:
            return Marking(self.default)
        level = max(m.level for m in found)
        caveats = frozenset().union(*(m.caveats for m in found))
        lists = [m.release for m in found if m.release is not None]
        release = frozenset.intersection(*lists) if lists and NOFORN not in caveats else None
        return Marking(level, caveats, release)


def _scheme(name: str, levels: list[tuple[str, str]], caveats: tuple[str, ...], translated: bool = True) -> Scheme:
    built = tuple(Level(rank, label, portion) for rank, (label, portion) in enumerate(levels))
    return Scheme(name, built, caveats, built[0], translated)


SCHEMES = {
    "government": _scheme("government", [("UNCLASSIFIED", "U"), ("FOR OFFICIAL USE ONLY", "FOUO"),
                                         ("CONFIDENTIAL", "C"), ("SECRET", "S"), ("TOP SECRET", "TS")],
                          (NOFORN, "ORCON", "PROPIN")),
    # FIRST Traffic Light Protocol 2.0: its labels are the same in every language
    "tlp": _scheme("tlp", [("TLP:CLEAR", "CLEAR"), ("TLP:GREEN", "GREEN"), ("TLP:AMBER", "AMBER"),
                           ("TLP:AMBER+STRICT", "AMBER+STRICT"), ("TLP:RED", "RED")], (), translated=False),
}
"""The schemes that ship with briefing, which a book names instead of spelling out its own."""


def custom_scheme(levels: list[tuple[str, str]], caveats: Iterable[str], default: str = "") -> Scheme:
    scheme = _scheme("book's", levels, tuple(caveats))
    if default:
        level = scheme.level(default)
        if level is None:
            raise ValueError(f"default marking '{default}' is not one of the levels")
        scheme = Scheme(scheme.name, scheme.levels, scheme.caveats, level)
    return scheme
