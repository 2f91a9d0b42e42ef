"""Shared shape of the three rules that oblige releases of whole classes of people."""

from __future__ import annotations

from solver.exchange_model import ExchangeModel, RuleLiteral


def release_everyone_required_by(
    exchange: ExchangeModel, rule: str, when: RuleLiteral | None
) -> None:
    """Every releasable person the rule names is released (in some stage)."""
    for _pool, people, released in exchange.member_totals(required_by=rule):
        exchange.enforce(exchange.model.add(released == people), when)


def applies_to_anyone(exchange: ExchangeModel, rule: str) -> bool:
    return any(True for _ in exchange.member_totals(required_by=rule))
