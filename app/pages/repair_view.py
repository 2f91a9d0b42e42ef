"""A repaired plan as its review page shows it: the changes stage by stage, and the ranked
alternatives with who each one releases instead of the repaired plan.

Nothing is decided here: the changes and the options are the solver's (`plan.changes`,
`plan.options`); this only arranges them by stage, as the manifest does, for reading.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from solver.schema import OptionLevel, RepairedPlan, RepairedStage, RepairOption, RepairSettings

SIDES: tuple[str, str] = ("side_a", "side_b")


@dataclass(frozen=True)
class ChangeRow:
    """Someone whose stage changed, as one stage sees it: `added` or `moved_in` (from
    `other`) enter it; `removed` or `moved_out` (to `other`) no longer cross in it."""

    side: str
    id: str
    kind: str
    other: int | None = None


@dataclass(frozen=True)
class StageView:
    """One stage of the repaired plan: executed or to come, who crosses, what changed."""

    number: int
    executed: bool
    released: dict[str, int]
    entering: list[ChangeRow]
    leaving: list[ChangeRow]


def stage_views(plan: RepairedPlan) -> list[StageView]:
    """Every stage, with the people entering it and leaving it against the agreed plan."""
    entering: dict[int, list[ChangeRow]] = defaultdict(list)
    leaving: dict[int, list[ChangeRow]] = defaultdict(list)
    for added in plan.changes.added:
        entering[added.stage].append(ChangeRow(added.side.value, added.id, "added"))
    for moved in plan.changes.moved:
        side = moved.side.value
        entering[moved.to].append(ChangeRow(side, moved.id, "moved_in", moved.from_))
        leaving[moved.from_].append(ChangeRow(side, moved.id, "moved_out", moved.to))
    for removed in plan.changes.removed:
        leaving[removed.stage].append(ChangeRow(removed.side.value, removed.id, "removed"))
    order = {side: k for k, side in enumerate(SIDES)}

    def ordered(rows: list[ChangeRow]) -> list[ChangeRow]:
        return sorted(rows, key=lambda row: (order[row.side], row.id))

    return [
        StageView(
            number=stage.number,
            executed=stage.executed,
            released={"side_a": len(stage.side_a), "side_b": len(stage.side_b)},
            entering=ordered(entering[stage.number]),
            leaving=ordered(leaving[stage.number]),
        )
        for stage in plan.stages
    ]


@dataclass(frozen=True)
class OptionView:
    """One ranked alternative: the solver's summary, and who it releases that the best
    repaired plan does not (`instead`) and the other way round (`left_out`)."""

    option: RepairOption
    instead: list[tuple[str, str]]
    left_out: list[tuple[str, str]]

    @property
    def rank(self) -> int:
        return self.option.rank

    @property
    def falls_behind(self) -> OptionLevel | None:
        """The first level where this option is worse than the best (what the solver's
        `comparison` says in English), or None for an option as good on every level."""
        return next((level for level in self.option.levels if level.value != level.best), None)


def _released(stages: list[RepairedStage]) -> set[tuple[str, str]]:
    return {(side, pid) for s in stages for side in SIDES for pid in getattr(s, side)}


def option_views(plan: RepairedPlan) -> list[OptionView]:
    if not plan.options:
        return []
    best = _released(plan.options[0].stages)
    views = []
    for option in plan.options:
        mine = _released(option.stages)
        views.append(OptionView(option, sorted(mine - best), sorted(best - mine)))
    return views


def chosen_rank(plan: RepairedPlan) -> int:
    """Which ranked alternative the plan is (1 unless the mediator chose another), read
    from the plan itself: its stages are that option's."""
    return next((o.rank for o in plan.options if o.stages == plan.stages), 1)


def repair_settings(request_json: str) -> RepairSettings:
    """How a stored repair was asked for (its request's `repair` object)."""
    document = json.loads(request_json)
    return RepairSettings.model_validate(document.get("repair") or {})
