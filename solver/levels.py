"""The lexicographic objective, level by level, in the order the agreement ranks them.

Each level is optimised with every level above it held at its optimum. The list is
built here once so that the fast model, the per-person reference model and the
validation module all name and order the levels the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from solver.schema import Category, Objective, Terms

LevelKind = Literal["priority", "released", "captivity_days", "stage_order", "stage_order_all"]


@dataclass(frozen=True)
class Level:
    """One lexicographic level: what it measures and which way is better."""

    name: str
    kind: LevelKind
    sense: Literal["max", "min"]
    category: Category | None = None


def levels_for(terms: Terms) -> list[Level]:
    """All levels for these terms: priority counts, released, captivity days, stage order."""
    priorities = list(dict.fromkeys(terms.priorities))
    return [
        *(Level(f"priority:{c.value}", "priority", "max", c) for c in priorities),
        Level("released", "released", "max"),
        Level("captivity_days", "captivity_days", "max"),
        *(Level(f"stage_order:{c.value}", "stage_order", "min", c) for c in priorities),
        Level("stage_order:all", "stage_order_all", "min"),
    ]


def value_of(objective: Objective, level: Level) -> int:
    """A level's value, read off a plan's objective."""
    if level.kind == "released":
        return objective.released
    if level.kind == "captivity_days":
        return objective.captivity_days
    if level.kind == "stage_order_all":
        return objective.stage_order["all"]
    assert level.category is not None
    counts = objective.priorities if level.kind == "priority" else objective.stage_order
    return counts[level.category.value]


def values_of(objective: Objective, levels: list[Level]) -> tuple[int, ...]:
    """Every level's value, in lexicographic order."""
    return tuple(value_of(objective, level) for level in levels)
