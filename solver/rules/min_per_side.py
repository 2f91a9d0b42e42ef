"""min_per_side: the floor, counted releases per side."""

from __future__ import annotations

from solver.exchange_model import ExchangeModel, RuleLiteral
from solver.schema import Side

NAME = "min_per_side"


def add(exchange: ExchangeModel, when: RuleLiteral | None) -> None:
    floor = exchange.terms.min_per_side
    for side in Side:
        # Each side releases at least the floor, counted people only.
        counted = exchange.people(side=side, counted=True)
        if exchange.executed is not None:
            counted += exchange.handed_over(side)  # a repair: those handed over count too
        exchange.enforce(exchange.model.add(counted >= floor), when)


def applies(exchange: ExchangeModel) -> bool:
    return exchange.terms.min_per_side > 0
