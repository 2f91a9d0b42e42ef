"""The independently written generator: its requests pass the input checks, depend only
on the seed, and the pooled solver agrees with the per-person model on them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from benchmarks import independent_lists, variants
from solver import solve
from solver.input_errors import parse_request
from solver.per_person import solve_per_person

NAMES = list(independent_lists.VARIANTS)


def _compare(request: dict[str, Any]) -> None:
    parsed = parse_request(json.dumps(request))
    plan = solve(parsed)
    reference = solve_per_person(parsed, time_limit_s=60)
    assert reference.status == "optimal"
    assert plan.status == "optimal"
    assert tuple(level.value for level in plan.levels) == reference.levels


@pytest.mark.parametrize("name", NAMES)
def test_independent_list_passes_the_input_checks_and_solves_optimal(name: str) -> None:
    request = independent_lists.generate(300, 5, name)
    plan = solve(parse_request(json.dumps(request)))
    assert plan.status == "optimal"
    assert len(request["side_a"]["detainees"]) == 300


@pytest.mark.parametrize("name", NAMES)
def test_independent_list_same_seed_same_request(name: str) -> None:
    request = independent_lists.generate(300, 5, name)
    assert independent_lists.generate(300, 5, name) == request
    assert independent_lists.generate(300, 6, name) != request


def test_independent_list_variants_differ_from_base() -> None:
    base = independent_lists.generate(300, 5)
    for name in NAMES[1:]:
        request = independent_lists.generate(300, 5, name)
        assert (request["terms"], request["side_a"]) != (base["terms"], base["side_a"]), name


def test_independent_list_has_its_texture() -> None:
    """What the module promises: several id formats on side B, mass-capture days,
    families with children, reasons for ineligibility, made-up names."""
    request = independent_lists.generate(2000, 5)
    side_a, side_b = request["side_a"]["detainees"], request["side_b"]["detainees"]
    ids = [p["id"] for p in side_b]
    assert {i.split("/")[0].split(".")[0].split(" ")[0] for i in ids} == {"POW", "CIV", "reg"}
    captured = [p["captured_on"] for p in side_a if p.get("captured_on")]
    assert len(set(captured)) < len(captured) / 2
    assert any("group" in p and p.get("age", 99) < 18 for p in side_a)
    assert any("ineligible_reason" in p for p in side_a + side_b)
    assert any(p.get("name", "").startswith("Person ") for p in side_a)


def test_independent_list_side_b_half() -> None:
    request = independent_lists.generate(300, 5, "side b half")
    assert len(request["side_b"]["detainees"]) == 150


def test_independent_list_unknown_variant_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown variant"):
        independent_lists.generate(300, 5, "no such variant")


@pytest.mark.parametrize("name", NAMES)
def test_independent_list_pooled_matches_per_person_small(name: str) -> None:
    _compare(independent_lists.generate(60, 5, name))


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [1, 5])
def test_independent_list_pooled_matches_per_person(name: str, seed: int) -> None:
    _compare(independent_lists.generate(300, seed, name))


def test_independent_lists_are_benchmark_variants() -> None:
    chosen = [v for v in variants.VARIANTS if v.name.startswith("independent lists: ")]
    assert 4 <= len(chosen) <= 6
    for variant in chosen:
        name = variant.name.removeprefix("independent lists: ")
        assert variant.make(300, 5) == independent_lists.generate(300, 5, name)
