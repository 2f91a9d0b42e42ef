"""civilians_separately: no stage holds both civilians and military people."""

from __future__ import annotations

from solver.exchange_model import ExchangeModel, RuleLiteral
from solver.schema import Side

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


def add_to_merged_stages(exchange: ExchangeModel, capacities: list[int] | None) -> None:
    """What the rule still says once the stages are merged into one (the relaxation).

    Every stage carries one status, so each side's civilians fit in the places of the
    stages chosen for civilians, and its military people in the rest (without
    capacities, the one stage is all civilian or all military). Every stage also
    balances on its own, so counted people balance status by status, even under total
    parity. Both hold in every staged plan, so the relaxation stays a relaxation;
    without them its optimum mixes statuses in ways no staged plan can, and the staged
    search has to start over (seconds instead of a second at 100,000 people a side).
    """
    model = exchange.model
    for civilian in (True, False):
        a = exchange.people(side=Side.A, civilian=civilian, counted=True)
        b = exchange.people(side=Side.B, civilian=civilian, counted=True)
        model.add(a == b)
    everybody = sum(pool.n_units * pool.unit_size for pool in exchange.pools)
    places = capacities or [everybody]
    for_civilians = [model.new_bool_var(f"stage_{s}_for_civilians") for s in range(len(places))]
    civilian_places = sum(c * chosen for c, chosen in zip(places, for_civilians, strict=True))
    for side in Side:
        model.add(exchange.people(side=side, civilian=True) <= civilian_places)
        model.add(exchange.people(side=side, civilian=False) <= sum(places) - civilian_places)
