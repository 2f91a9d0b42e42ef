"""Numbers in sentences a negotiator reads: thousands separated, person or people."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def people(count: int, kind: str = "") -> str:
    """'1 person', '1,034 people'; with a kind, '1 releasable person', '2 counted people'."""
    noun = "person" if count == 1 else "people"
    return f"{count:,} {kind} {noun}" if kind else f"{count:,} {noun}"


def civilians(count: int) -> str:
    """'1 civilian', '3 civilians'."""
    return f"{count:,} civilian{'' if count == 1 else 's'}"


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """'; did you mean min_per_side?' for a misspelt name close to a known one, else ''."""
    close = difflib.get_close_matches(name.lower(), list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""
