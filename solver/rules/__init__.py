"""Every feasibility rule of an exchange, by name, in the order the terms list them.

Each rule module has `NAME`, `add(exchange, when)` (its constraints, enforced only
while the literal `when` is true, if one is given) and `applies(exchange)` (whether
these terms and lists give the rule anything to say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from solver.exchange_model import ExchangeModel, RuleLiteral
from solver.rules import (
    civilians_separately,
    group,
    max_per_side,
    min_per_side,
    must_exclude,
    must_include,
    outside_parity,
    parity,
    release_all,
    stages,
)


@dataclass(frozen=True)
class Rule:
    name: str
    add: Callable[[ExchangeModel, RuleLiteral | None], None]
    applies: Callable[[ExchangeModel], bool]


def _rule(module: ModuleType) -> Rule:
    return Rule(name=module.NAME, add=module.add, applies=module.applies)


RULES: tuple[Rule, ...] = tuple(
    _rule(module)
    for module in (
        must_include,
        must_exclude,
        release_all,
        outside_parity,
        group,
        parity,
        min_per_side,
        max_per_side,
        stages,
        civilians_separately,
    )
)


def add_all_rules(exchange: ExchangeModel) -> None:
    """Enforce every rule unconditionally: the model of a plan that meets all terms."""
    for rule in RULES:
        rule.add(exchange, None)
