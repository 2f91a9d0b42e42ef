"""The entry point: an exchange request in, a re-checked plan out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from solver.schema import ExchangeRequest, LevelReport, Plan


class StopSignal(Protocol):
    """Anything with `is_set()`: a threading or multiprocessing Event, for instance."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Progress:
    """What a long solve has achieved so far, reported after every proven level."""

    levels: list[LevelReport]
    best_plan: Plan | None
    elapsed_s: float


ProgressCallback = Callable[[Progress], None]


def solve(
    request: ExchangeRequest,
    *,
    on_progress: ProgressCallback | None = None,
    stop: StopSignal | None = None,
) -> Plan:
    """Plan the exchange: optimal when every level is proven, explained when infeasible.

    `stop` ends the search early; the best plan found so far is returned (`feasible`), or
    `timeout` when there is none. Every returned plan has passed `solver.validation`.
    """
    raise NotImplementedError
