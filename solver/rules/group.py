"""group: the releasable members of a group go together, in one stage, or not at all.

Without relaxation the model only counts whole units, so the rule holds by
construction; in the conflict search each member class gets its own count, tied to
the unit count while the rule is enforced.
"""

from __future__ import annotations

from solver.exchange_model import ExchangeModel, RuleLiteral

NAME = "group"


def add(exchange: ExchangeModel, when: RuleLiteral | None) -> None:
    # Members of a group travel as one unit.
    for people, units, per_unit in exchange.group_links:
        exchange.enforce(exchange.model.add(people == per_unit * units), when)


def applies(exchange: ExchangeModel) -> bool:
    return any(pool.is_group for pool in exchange.pools)
