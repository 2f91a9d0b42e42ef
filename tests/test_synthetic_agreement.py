"""The pooled solver against the per-person model on synthetic lists of realistic shape.

Random tiny requests (test_solver_agrees) explore odd corners; these lists have the
shape of a real exchange (families, refusals, ineligible people, three stages) under
the variants of the terms negotiators ask about.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import solve
from solver.input_errors import parse_request
from solver.per_person import solve_per_person
from solver.synthetic import generate_request

VARIANTS: dict[str, dict[str, Any]] = {
    "as generated": {},
    "civilians separately": {"civilians_separately": True},
    "six small stages, civilians separately": {"civilians_separately": True, "stages": "six"},
    "art. 109 mode": {"outside_parity": ["seriously_ill"], "release_all": ["young"]},
    "total parity": {"parity": "total"},
    "cap 5% above the floor": {"max_per_side": "cap"},
    "one stage": {"stages": None},
    "floor out of reach": {"min_per_side": "high"},
}


def _variant(per_side: int, seed: int, name: str) -> str:
    document = generate_request(per_side, seed)
    terms = document["terms"]
    floor = terms["min_per_side"]
    for key, value in VARIANTS[name].items():
        if value == "six":
            terms[key] = [floor // 5 + 1] * 6
        elif value == "cap":
            terms[key] = int(floor * 1.05)
        elif value == "high":
            terms[key] = per_side + 1
        else:
            terms[key] = value
    document["options"] = {"time_limit_s": 60}
    return json.dumps(document)


def _compare(per_side: int, seed: int, name: str) -> None:
    request = parse_request(_variant(per_side, seed, name))
    plan = solve(request)
    reference = solve_per_person(request, time_limit_s=120)
    assert reference.status in ("optimal", "infeasible")
    if reference.status == "infeasible":
        assert plan.status == "infeasible"
        assert plan.conflicts
        return
    assert plan.status == "optimal"
    assert tuple(level.value for level in plan.levels) == reference.levels


@pytest.mark.parametrize("name", ["as generated", "civilians separately", "art. 109 mode"])
def test_pooled_matches_per_person_on_small_synthetic_lists(name: str) -> None:
    _compare(40, 11, name)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(VARIANTS))
@pytest.mark.parametrize("seed", [1, 2])
def test_pooled_matches_per_person_on_synthetic_lists(name: str, seed: int) -> None:
    _compare(150, seed, name)


CATEGORIES = ["seriously_ill", "young", "civilian", "military", "requested"]


@st.composite
def mutated_requests(draw: st.DrawFn) -> str:
    """A synthetic list of 30-120 per side under randomly negotiated terms."""
    per_side = draw(st.sampled_from([30, 60, 120]))
    document = generate_request(
        per_side,
        draw(st.integers(0, 10**6)),
        shape=draw(st.sampled_from(["thousand", "teaching"])),
    )
    terms = document["terms"]
    terms["civilians_separately"] = draw(st.booleans())
    terms["parity"] = draw(st.sampled_from(["total", "per_status"]))
    terms["outside_parity"] = draw(st.lists(st.sampled_from(CATEGORIES[:3]), max_size=2))
    terms["release_all"] = draw(st.lists(st.sampled_from(CATEGORIES[:3]), max_size=2))
    terms["priorities"] = draw(st.lists(st.sampled_from(CATEGORIES), max_size=4, unique=True))
    if draw(st.booleans()):
        count = draw(st.integers(1, 6))
        terms["stages"] = [draw(st.integers(1, max(2, per_side // count))) for _ in range(count)]
    terms["min_per_side"] = draw(st.integers(0, per_side))
    terms.pop("max_per_side", None)
    if draw(st.booleans()):
        terms["max_per_side"] = terms["min_per_side"] + draw(st.integers(0, 10))
    document["options"] = {"time_limit_s": 30}
    return json.dumps(document)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated_requests())
def test_pooled_matches_per_person_under_random_terms(document: str) -> None:
    request = parse_request(document)
    plan = solve(request)
    reference = solve_per_person(request, time_limit_s=60)
    if reference.status not in ("optimal", "infeasible"):
        return  # the slow twin ran out of time; nothing to compare
    assert plan.status == reference.status
    if plan.status == "optimal":
        assert tuple(level.value for level in plan.levels) == reference.levels
