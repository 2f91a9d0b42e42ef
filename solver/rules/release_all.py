"""release_all: every releasable member of the listed categories is released."""

from __future__ import annotations

from solver.exchange_model import ExchangeModel, RuleLiteral
from solver.rules.obligation import applies_to_anyone, release_everyone_required_by

NAME = "release_all"


def add(exchange: ExchangeModel, when: RuleLiteral | None) -> None:
    release_everyone_required_by(exchange, NAME, when)


def applies(exchange: ExchangeModel) -> bool:
    return applies_to_anyone(exchange, NAME)
