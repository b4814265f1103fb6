"""What the charts of the investment data share: their size and font, the metrics, the statuses,
and the caption of sources and dates under each chart.

The charts themselves are the maps (`maps`) and the bar charts (`bars`): Vega-Lite specs built
with Altair, each drawn live in the browser from a spec embedded in its page, and also rendered
to SVG at build time (`vega`) for print and for readers without JavaScript. The totals come from
the book's one investment index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from ..model import charts as model
from ..model.book import Book, Totals
from ..model.data import AMOUNT_BASES, Investment
from ..text.locale import N_, NP_, Words

WIDTH, HEIGHT = 760, 440
CHART_FONT = "IBM Plex Sans, sans-serif"  # the page's own typeface (static charts: see vega.in_drawn_font)
NO_DATA = "#e4e6e9"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str  # as a legend or axis title (a message of the catalogs: words.say(label))
    noun: str  # as in "by {noun}"


METRICS = {
    "amount": Metric("amount", N_("Announced amount (US$ m)"), N_("announced amount")),
    "jobs": Metric("jobs", N_("Jobs at the projects (planned or current)"), N_("jobs at the projects")),
    "projects": Metric("projects", N_("Number of projects"), N_("number of projects")),
    "employment": Metric("employment", N_("Employment at Japanese-owned companies (one basis)"),
                         N_("employment at Japanese-owned companies")),
}
assert tuple(METRICS) == model.METRICS

STATUS_LABELS = {"operating": N_("Operating"), "under_construction": N_("Under construction"),
                 "announced": N_("Announced"), "pledged": N_("Pledged"), "pending": N_("Pending"),
                 "blocked": N_("Blocked")}


# --- shared pieces --------------------------------------------------------------------------

def _latest(records: Iterable[Investment]) -> str:
    return max((r.status_as_of for r in records), default="")


def caption_for(book: Book, records: Sequence[Investment], words: Words, left_out: int = 0, shading: str = "",
                basis: str = "announced") -> str:
    """Return the source and as-of line printed under a chart; left_out: nationwide records not drawn."""
    as_of = words.figures.date(book.config.as_of)
    apart = (words.then + words.ngettext(
        "%(n)s nationwide pledge or programme total is not added in: it is listed on the Investment page.",
        "%(n)s nationwide pledges or programme totals are not added in: they are listed on the Investment page.",
        left_out) if left_out else "")
    if not records:
        return (words.say("No project records in this book are drawn here.") + apart + words.then
                + words.say("The book as of %(date)s.", date=as_of))
    totals = book.index.summed(records, basis)
    sources = totals.sources
    latest = book.index.kept(records, "latest", lambda: _latest(records))
    named = words.say("; ").join(sources[:4]) + (
        words.say("; and %(n)s more", n=words.figures.number(len(sources) - 4)) if len(sources) > 4 else "")
    return (words.ngettext("Source: %(n)s project record in this book (%(sources)s);",
                           "Source: %(n)s project records in this book (%(sources)s);", len(records), sources=named)
            + words.then + words.say("each record's source is listed on its state's page and on the Sources page.")
            + words.then + amount_basis(totals, words, basis) + apart + shading + words.then
            + words.say("Status as of %(status)s at the latest; book as of %(date)s.", status=latest, date=as_of))


BASES = {"announced": NP_("amount basis", "announced"), "cumulative": NP_("amount basis", "cumulative"),
         "pledge": NP_("amount basis", "pledge"), "venture total": NP_("amount basis", "venture total"),
         "deal value": NP_("amount basis", "deal value"), "proposal": NP_("amount basis", "proposal")}
"""Each basis an amount may have, as a message of the catalogs (`basis_word`)."""
assert tuple(BASES) == AMOUNT_BASES


def basis_word(basis: str, words: Words) -> str:
    """Return the word for an amount's basis in words' language: `announced`, 発表."""
    return words.pgettext("amount basis", BASES[basis]) if basis in BASES else basis


def amount_basis(totals: Totals, words: Words, basis: str = "announced") -> str:
    """Return what the amounts added up are, and which amounts are left out because their basis differs."""
    text = words.say("Amounts added up are %(basis)s amounts only (US$, yen converted at the book's rate); jobs are "
                     "planned or current, each on its own basis.", basis=basis_word(basis, words))
    if totals.apart:
        kinds = words.say(", ").join(f"{basis_word(kind, words)} {words.figures.number(count)}"
                                      for kind, count in totals.other_bases)
        text += words.then + words.ngettext("%(n)s amount on another basis (%(kinds)s) is shown per project, never added in.",
                                     "%(n)s amounts on other bases (%(kinds)s) are shown per project, never added in.",
                                     totals.apart, kinds=kinds)
    return text
