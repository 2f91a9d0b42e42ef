"""outside_parity: every releasable member of these categories goes, uncounted.

Not counting them is part of how people are classed (see solver/pools.py); the rule
itself is the obligation to release them, as with the seriously ill under art. 109.
"""

from __future__ import annotations

from solver.exchange_model import ExchangeModel, RuleLiteral
from solver.rules.obligation import applies_to_anyone, release_everyone_required_by

NAME = "outside_parity"


def add(exchange: ExchangeModel, when: RuleLiteral | None) -> None:
    release_everyone_required_by(exchange, NAME, when)


def applies(exchange: ExchangeModel) -> bool:
    return applies_to_anyone(exchange, NAME)
