"""must_include: the people named by the negotiators are released.

Naming someone who cannot be released (ineligible, refusing) can never hold; the
model states that as a constraint that is false whenever the rule is enforced.
"""

from __future__ import annotations

from solver.exchange_model import ExchangeModel, RuleLiteral
from solver.rules.obligation import applies_to_anyone, release_everyone_required_by

NAME = "must_include"


def add(exchange: ExchangeModel, when: RuleLiteral | None) -> None:
    release_everyone_required_by(exchange, NAME, when)
    # Someone named is not releasable: the rule cannot hold.
    if exchange.unreleasable_included:
        exchange.enforce(exchange.model.add_bool_or([]), when)


def applies(exchange: ExchangeModel) -> bool:
    return exchange.unreleasable_included > 0 or applies_to_anyone(exchange, NAME)
