"""parity: in every stage both sides release as many counted people.

With `per_status` the balance holds separately for military and for civilian people.
In a repair the first remaining stage also makes up for the executed stages, so that
counted releases balance once it is over; with no stage left they must balance already.
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
            if stage == 1 and exchange.executed is not None:
                # The first remaining stage carries what the executed ones left unbalanced.
                a += exchange.handed_over(Side.A, civilian)
                b += exchange.handed_over(Side.B, civilian)
            exchange.enforce(exchange.model.add(a == b), when)
    if not exchange.stages and exchange.executed is not None:
        for civilian in statuses:
            # No stage is left to carry an imbalance: the executed stages balance already.
            if exchange.handed_over(Side.A, civilian) != exchange.handed_over(Side.B, civilian):
                exchange.enforce(exchange.model.add_bool_or([]), when)


def applies(exchange: ExchangeModel) -> bool:
    return True
