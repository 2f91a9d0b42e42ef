"""Numbers in sentences a negotiator reads: thousands separated, person or people."""

from __future__ import annotations


def people(count: int) -> str:
    """'1 person', '1,034 people'."""
    return f"{count:,} {'person' if count == 1 else 'people'}"
