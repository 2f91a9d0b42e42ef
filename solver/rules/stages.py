"""stages: in each stage each side releases at most the stage's capacity.

Everyone counts against capacity, people outside parity too: a convoy has seats,
not a ledger.
"""

from __future__ import annotations

from solver.exchange_model import ExchangeModel, RuleLiteral
from solver.schema import Side

NAME = "stages"


def add(exchange: ExchangeModel, when: RuleLiteral | None) -> None:
    for stage, capacity in zip(exchange.stages, exchange.capacities, strict=True):
        if capacity is None:
            continue
        for side in Side:
            # A side's releases in a stage fit the stage's capacity.
            released = exchange.people(side=side, stage=stage)
            exchange.enforce(exchange.model.add(released <= capacity), when)


def applies(exchange: ExchangeModel) -> bool:
    return any(capacity is not None for capacity in exchange.capacities)
