"""The lexicographic objective, level by level, in the order the agreement ranks them.

Each level is optimised with every level above it held at its optimum. The list is
built here once so that the fast model, the per-person reference model and the
validation module all name and order the levels the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from solver.schema import Category, Objective, RepairObjective, RepairPolicy, Terms

LevelKind = Literal[
    "priority", "released", "captivity_days", "stage_order", "stage_order_all", "changes"
]


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


# The selection levels a repair puts before its changes under `priorities_first`.
_BEFORE_CHANGES = ("priority", "released")


def repair_levels_for(terms: Terms, policy: RepairPolicy) -> list[Level]:
    """The levels of a repair: the plan's levels with `changes` (people whose assignment
    differs from the agreed plan, minimised) placed as the policy says.

    `priorities_first`: the priorities and the number released, then changes, then
    captivity days and stage orders. `fewest_changes_first`: changes, then every level.
    """
    changes = Level("changes", "changes", "min")
    levels = levels_for(terms)
    if policy == "fewest_changes_first":
        return [changes, *levels]
    first = [level for level in levels if level.kind in _BEFORE_CHANGES]
    rest = [level for level in levels if level.kind not in _BEFORE_CHANGES]
    return [*first, changes, *rest]


def value_of(objective: Objective, level: Level) -> int:
    """A level's value, read off a plan's objective."""
    if level.kind == "changes":
        assert isinstance(objective, RepairObjective), "only a repaired plan counts changes"
        return objective.changes
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
