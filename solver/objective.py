"""What each lexicographic level adds up, on the pooled model.

Counts and stage sums are linear in the unit counts. Captivity days are not: a pool
releasing k units releases its k longest-held ones, a concave function of k. Each pool
gets a variable bounded by tangent lines of that function, added lazily (only the
lines near the values the solver actually visits), which is exact because the
function is concave and the lines are added until the bound is tight at the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np

from solver.cpsat import cp_model
from solver.exchange_model import ExchangeModel
from solver.levels import Level

# Tangent lines per pool before the first search. Measured at 100,000 people per side:
# 8 cut the captivity level's time about 4x (19 CP-SAT calls in all became 15); 32 gained
# nothing more.
_FIRST_LINES = 8

# Pools of at most this many units get every tangent line from the start: the bound is
# then the curve itself, and no round of the search has to add lines there (families,
# mostly: 169 pools and about 1,200 lines at 100,000 people a side).
_EXACT_UNITS = 32


class CaptivityDays:
    """The captivity-days level: one bounded variable per pool, tangent lines on demand."""

    def __init__(self, exchange: ExchangeModel, fixed: Mapping[int, int] | None = None):
        """`fixed` (pool -> units released) are pools whose total is already decided:
        their days are a constant, and they need no variable and no lines."""
        self.exchange = exchange
        self.days: dict[int, cp_model.IntVar] = {}
        self._slopes: dict[int, set[int]] = {}
        fixed = fixed or {}
        self.fixed_days = sum(self.exact(p, units) for p, units in fixed.items())
        for p, pool in enumerate(exchange.pools):
            total = int(pool.days_prefix[-1])
            if total == 0 or p in fixed:
                continue
            self.days[p] = exchange.model.new_int_var(0, total, f"days_p{p}")
            self._slopes[p] = set()
            # A few lines spread over the range start the bound close to the curve, so
            # that few searches are spent adding the lines where the answer lies.
            if pool.n_units <= _EXACT_UNITS:
                spread: Iterable[int] = range(pool.n_units + 1)
            else:
                spread = np.unique(np.linspace(0, pool.n_units, _FIRST_LINES).astype(np.int64))
            for at in spread:
                self.add_line(p, int(at))

    def expression(self) -> cp_model.LinearExprT:
        return sum(self.days.values()) + self.fixed_days

    def true_total(self, units: Callable[[int], int]) -> int:
        """The days a plan really reaches, given the units it releases per pool."""
        return self.fixed_days + sum(self.exact(p, units(p)) for p in self.days)

    def exact(self, p: int, units: int) -> int:
        """Days of pool p's best `units` units: the true value the variable stands for."""
        return int(self.exchange.pools[p].days_prefix[units])

    def add_line(self, p: int, at: int) -> None:
        """Add the tangent line through (at, f(at)) and (at + 1, f(at + 1))."""
        pool = self.exchange.pools[p]
        slope = int(pool.unit_days[at]) if at < pool.n_units else 0
        if slope in self._slopes[p]:
            return  # lines are determined by their slope: this one is there already
        self._slopes[p].add(slope)
        # Captivity days of the released units lie under this tangent line.
        intercept = self.exact(p, at) - slope * at
        self.exchange.model.add(self.days[p] <= intercept + slope * self.exchange.pool_units(p))

    def tighten(self, units: dict[int, int], claimed: dict[int, int]) -> bool:
        """Add the lines that cut off claims above the true days; True if any were made."""
        added = False
        for p, value in claimed.items():
            k = units[p]
            if value > self.exact(p, k):
                # The lines at k and k - 1 cut this claim off; lines at doubling distances
                # around k keep the next search from overclaiming just beside it.
                n = self.exchange.pools[p].n_units
                step = 1
                self.add_line(p, k)
                while step <= n:
                    for at in (k - step, k + step - 1):
                        if 0 <= at <= n:
                            self.add_line(p, at)
                    step *= 2
                added = True
        return added


def level_expression(
    exchange: ExchangeModel, level: Level, days: CaptivityDays
) -> cp_model.LinearExprT:
    """The quantity a level optimises, over both sides together."""
    if level.kind == "captivity_days":
        return days.expression()
    return people_sum(exchange, level)


def people_sum(exchange: ExchangeModel, level: Level) -> cp_model.LinearExprT:
    """The quantity of a level that counts people or their stages: every level but
    captivity days, which needs the lines of a `CaptivityDays`."""
    if level.kind == "priority":
        return exchange.people(category=level.category)
    if level.kind == "released":
        return exchange.people()
    if level.kind == "stage_order":
        return exchange.stage_weighted(category=level.category)
    if level.kind == "stage_order_all":
        return exchange.stage_weighted()
    if level.kind == "changes":
        return exchange.changes()
    raise ValueError(f"{level.name} is not a sum of people")
