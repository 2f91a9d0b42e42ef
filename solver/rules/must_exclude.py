"""must_exclude: the people named by the negotiators are not released."""

from __future__ import annotations

from solver.exchange_model import ExchangeModel, RuleLiteral

NAME = "must_exclude"


def add(exchange: ExchangeModel, when: RuleLiteral | None) -> None:
    # Nobody excluded is released.
    for _pool, _people, released in exchange.member_totals(excluded=True):
        exchange.enforce(exchange.model.add(released == 0), when)


def applies(exchange: ExchangeModel) -> bool:
    return any(True for _ in exchange.member_totals(excluded=True))
