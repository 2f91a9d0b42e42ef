"""civilians_separately: no stage holds both civilians and military people."""

from __future__ import annotations

from solver.exchange_model import ExchangeModel, RuleLiteral

NAME = "civilians_separately"


def add(exchange: ExchangeModel, when: RuleLiteral | None) -> None:
    if not exchange.terms.civilians_separately:
        return
    model = exchange.model
    for stage in exchange.stages:
        civilian_stage = model.new_bool_var(f"civilian_stage_{stage}")
        # A civilian stage carries no military people of either side, and vice versa.
        military = exchange.people(stage=stage, civilian=False)
        civilians = exchange.people(stage=stage, civilian=True)
        rule_on = [] if when is None else [when]
        model.add(military == 0).only_enforce_if([civilian_stage, *rule_on])
        model.add(civilians == 0).only_enforce_if([~civilian_stage, *rule_on])


def applies(exchange: ExchangeModel) -> bool:
    return exchange.terms.civilians_separately
