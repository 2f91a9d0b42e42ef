"""Short builders for handmade requests and plans, so each test shows only what matters.

Defaults are the opposite of the wire defaults where those would distract: no floor,
no release_all, one stage. Every test states the terms it relies on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from solver.schema import (
    Detainee,
    ExchangeRequest,
    IdsBySide,
    Plan,
    Released,
    SideList,
    Stage,
    Terms,
)

DAY = date(2025, 5, 23)


def person(pid: str, **fields: Any) -> Detainee:
    """A synthetic detainee; only the fields a test cares about are given."""
    return Detainee(id=pid, **fields)


def exchange(
    side_a: Sequence[Detainee],
    side_b: Sequence[Detainee],
    **terms: Any,
) -> ExchangeRequest:
    """A request dated DAY with min_per_side 0 and release_all empty unless given.

    `must_include` / `must_exclude` may be given as (side_a ids, side_b ids) tuples.
    """
    for key in ("must_include", "must_exclude"):
        if isinstance(terms.get(key), tuple):
            a, b = terms[key]
            terms[key] = IdsBySide(side_a=list(a), side_b=list(b))
    fields: dict[str, Any] = {
        "reference_date": DAY,
        "min_per_side": 0,
        "release_all": [],
        **terms,
    }
    return ExchangeRequest(
        terms=Terms(**fields),
        side_a=SideList(name="Side A", detainees=list(side_a)),
        side_b=SideList(name="Side B", detainees=list(side_b)),
    )


def staged_plan(*stages: tuple[Sequence[str], Sequence[str]], on: date = DAY) -> Plan:
    """A consistent plan: stage k releases the k-th (side_a ids, side_b ids)."""
    return Plan(
        status="optimal",
        reference_date=on,
        released=Released(
            side_a=[pid for a, _ in stages for pid in a],
            side_b=[pid for _, b in stages for pid in b],
        ),
        stages=[
            Stage(number=k, side_a=list(a), side_b=list(b))
            for k, (a, b) in enumerate(stages, start=1)
        ],
    )
