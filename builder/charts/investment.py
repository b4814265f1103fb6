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
from ..model.data import Investment
from ..text.figures import format_date

WIDTH, HEIGHT = 760, 440
CHART_FONT = "IBM Plex Sans, sans-serif"  # the page's own typeface; vl-convert has it registered (vega.py)
NO_DATA = "#e4e6e9"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str  # as a legend or axis title
    noun: str  # as in "by {noun}"


METRICS = {
    "amount": Metric("amount", "Announced amount (US$ m)", "announced amount"),
    "jobs": Metric("jobs", "Jobs at the projects (planned or current)", "jobs at the projects"),
    "projects": Metric("projects", "Number of projects", "number of projects"),
    "employment": Metric("employment", "Employment at Japanese-owned companies (one basis)",
                         "employment at Japanese-owned companies"),
}
assert tuple(METRICS) == model.METRICS

STATUS_LABELS = {"operating": "Operating", "under_construction": "Under construction",
                 "announced": "Announced", "pledged": "Pledged", "pending": "Pending",
                 "blocked": "Blocked"}


# --- shared pieces --------------------------------------------------------------------------

def _latest(records: Iterable[Investment]) -> str:
    return max((r.status_as_of for r in records), default="")


def caption_for(book: Book, records: Sequence[Investment], left_out: int = 0, shading: str = "",
                basis: str = "announced") -> str:
    """Return the source and as-of line printed under a chart; left_out: nationwide records not drawn."""
    as_of = f"book as of {format_date(book.config.as_of)}."
    plural = left_out != 1
    apart = (f" {left_out} nationwide pledge{'s' if plural else ''} or programme total{'s' if plural else ''} "
             f"{'are' if plural else 'is'} not added in: {'they are' if plural else 'it is'} listed on the "
             "Investment page." if left_out else "")
    if not records:
        return f"No project records in this book are drawn here.{apart} The {as_of}"
    totals = book.index.totals(records, basis)
    sources = totals.sources
    named = "; ".join(sources[:4]) + (f"; and {len(sources) - 4} more" if len(sources) > 4 else "")
    return (f"Source: {len(records)} project record{'s' if len(records) != 1 else ''} in this book "
            f"({named}); each record's source is listed on its state's page and on the Sources page. "
            f"{amount_basis(totals, basis)}{apart}{shading} Status as of {_latest(records)} at the latest; {as_of}")


def amount_basis(totals: Totals, basis: str = "announced") -> str:
    """Return what the amounts added up are, and which amounts are left out because their basis differs."""
    text = (f"Amounts added up are {basis} amounts only (US$, yen converted at the book's rate); jobs are "
            "planned or current, each on its own basis.")
    if totals.apart:
        kinds = ", ".join(f"{kind} {count:,}" for kind, count in totals.other_bases)
        text += (f" {totals.apart:,} amount{'s' if totals.apart != 1 else ''} on other bases ({kinds}) "
                 f"{'are' if totals.apart != 1 else 'is'} shown per project, never added in.")
    return text
