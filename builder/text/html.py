"""Small edits to finished HTML pages, made after they are rendered."""

from __future__ import annotations


def insert_before_body_end(page: bytes, snippet: bytes) -> bytes:
    """Return page with snippet placed just before `</body>` (or at the end, if it has none)."""
    at = page.rfind(b"</body>")
    at = at if at >= 0 else len(page)
    return page[:at] + snippet + page[at:]
