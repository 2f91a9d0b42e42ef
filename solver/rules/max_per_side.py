"""max_per_side: the cap, counted releases per side."""

from __future__ import annotations

from solver.exchange_model import ExchangeModel, RuleLiteral
from solver.schema import Side

NAME = "max_per_side"


def add(exchange: ExchangeModel, when: RuleLiteral | None) -> None:
    cap = exchange.terms.max_per_side
    if cap is None:
        return
    for side in Side:
        # Each side releases at most the cap, counted people only.
        counted = exchange.people(side=side, counted=True)
        if exchange.executed is not None:
            counted += exchange.handed_over(side)  # a repair: those handed over count too
        exchange.enforce(exchange.model.add(counted <= cap), when)


def applies(exchange: ExchangeModel) -> bool:
    return exchange.terms.max_per_side is not None
