"""parity: in every stage both sides release as many counted people.

With `per_status` the balance holds separately for military and for civilian people.
"""

from __future__ import annotations

from solver.exchange_model import ExchangeModel, RuleLiteral
from solver.schema import Side

NAME = "parity"


def add(exchange: ExchangeModel, when: RuleLiteral | None) -> None:
    statuses: list[bool | None] = [False, True] if exchange.terms.parity == "per_status" else [None]
    for stage in exchange.stages:
        for civilian in statuses:
            # Counted releases balance, stage by stage (and status by status).
            a = exchange.people(side=Side.A, stage=stage, civilian=civilian, counted=True)
            b = exchange.people(side=Side.B, stage=stage, civilian=civilian, counted=True)
            exchange.enforce(exchange.model.add(a == b), when)


def applies(exchange: ExchangeModel) -> bool:
    return True
