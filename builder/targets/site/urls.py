"""Where each page of the book lives in the output, and relative links between them.

Every link in the output is relative, so the site works opened from disk and
served from any sub-path; pages are `name.html` files, never directory URLs,
because file:// does not resolve `dir/` to `dir/index.html`.
"""

from __future__ import annotations

HOME = "index.html"
PROGRAMME = "programme.html"
ISSUES = "issues/index.html"
PEOPLE = "people/index.html"
FACTS = "facts.html"
INVESTMENT = "investment/index.html"
SOURCES = "sources.html"
CHANGES = "changes.html"
PARALLEL = "parallel.html"  # a book in several languages: what the principal speaks from, side by side

SECTION_URLS = {"home": HOME, "programme": PROGRAMME, "issues": ISSUES, "people": PEOPLE,
                "facts": FACTS, "investment": INVESTMENT, "sources": SOURCES}


def issue_url(issue_id: str) -> str:
    return f"issues/{issue_id}.html"


def person_url(person_id: str) -> str:
    return f"people/{person_id}.html"


def state_url(code: str) -> str:
    return f"investment/{code.lower()}.html"


def page_url(page_id: str) -> str:
    return f"pages/{page_id}.html"


def fact_url(fact_id: str) -> str:
    return f"{FACTS}#fact-{fact_id}"


def root_of(url: str) -> str:
    """Return the relative prefix from a page back to the site root: '', '../', …"""
    return "../" * url.count("/")


def relative(target: str, from_url: str) -> str:
    """Return target (a site path, maybe with #fragment) relative to the page at from_url."""
    path, _, fragment = target.partition("#")
    here = from_url.split("/")[:-1]
    there = (path or from_url).split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    rel = "/".join([".."] * (len(here) - common) + there[common:])
    return rel + (f"#{fragment}" if fragment else "")
