"""The synthetic generator: deterministic, valid, realistic in its mix, and fast at scale."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from solver.categories import age_on
from solver.input_errors import parse_request
from solver.planner import solve
from solver.synthetic import (
    INELIGIBLE_REASONS,
    REFERENCE_DATE,
    SHAPES,
    Shape,
    generate_request,
    request_json,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ID_PATTERN = re.compile(r"^[AB]-\d{6,}$")


@cache
def large() -> dict[str, Any]:
    """One 20,000-person list per side, big enough for the shares to be stable."""
    return generate_request(20_000, seed=11)


def people(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [*doc["side_a"]["detainees"], *doc["side_b"]["detainees"]]


def share(doc: dict[str, Any], condition: Any) -> float:
    everyone = people(doc)
    return sum(1 for p in everyone if condition(p)) / len(everyone)


# --------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("shape", SHAPES)
def test_generate_request_same_seed_same_request(shape: Shape) -> None:
    first = request_json(generate_request(300, seed=5, shape=shape))
    assert request_json(generate_request(300, seed=5, shape=shape)) == first
    assert request_json(generate_request(300, seed=6, shape=shape)) != first


def test_generate_request_does_not_depend_on_today() -> None:
    assert generate_request(50, seed=1)["terms"]["reference_date"] == REFERENCE_DATE.isoformat()


# --------------------------------------------------------------------------- validity


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("per_side", [0, 1, 7, 40, 1400])
def test_generate_request_passes_the_input_checks(shape: Shape, per_side: int) -> None:
    parsed = parse_request(request_json(generate_request(per_side, seed=3, shape=shape)))
    assert len(parsed.side_a.detainees) == per_side


def test_generate_request_sizes_unequal_by_default() -> None:
    doc = generate_request(1000, seed=0)
    assert len(doc["side_a"]["detainees"]) == 1000
    assert len(doc["side_b"]["detainees"]) == 900
    assert len(generate_request(10, seed=0, side_b=25)["side_b"]["detainees"]) == 25


def test_generate_request_rejects_negative_sizes() -> None:
    with pytest.raises(ValueError, match="sizes"):
        generate_request(-1)


def test_generate_request_ids_are_unique_registry_numbers() -> None:
    doc = large()
    for side in ("side_a", "side_b"):
        ids = [p["id"] for p in doc[side]["detainees"]]
        assert len(set(ids)) == len(ids)
        assert all(ID_PATTERN.match(i) and i[0] == side[-1].upper() for i in ids)
        assert ids == sorted(ids)


def test_generate_request_has_no_names_unless_fake_ones_asked_for() -> None:
    assert not any("name" in p for p in people(generate_request(200, seed=2)))
    named = people(generate_request(200, seed=2, fake_names=True))
    assert all(p["name"] == f"Synthetic {p['id']}" for p in named)


# --------------------------------------------------------------------------- realism


def test_generate_request_mix_of_statuses_and_conditions() -> None:
    doc = large()
    assert 0.15 <= share(doc, lambda p: p["status"] == "civilian") <= 0.25
    assert 0.02 <= share(doc, lambda p: p.get("seriously_ill", False)) <= 0.04
    assert 0.01 <= share(doc, lambda p: p.get("consents") is False) <= 0.03
    assert 0.04 <= share(doc, lambda p: p.get("eligible") is False) <= 0.06
    assert 0.03 <= share(doc, lambda p: p.get("requested", False)) <= 0.07
    held_back = [p for p in people(doc) if p.get("eligible") is False]
    assert {p["ineligible_reason"] for p in held_back} == set(INELIGIBLE_REASONS)


def test_generate_request_ages_mostly_fighting_age_with_some_young_and_unknown() -> None:
    doc = large()
    ages = [
        age_on(date.fromisoformat(p["birth_date"]), REFERENCE_DATE)
        if "birth_date" in p
        else p.get("age")
        for p in people(doc)
    ]
    known = [a for a in ages if a is not None]
    assert 0.5 <= share(doc, lambda p: "birth_date" in p) <= 0.7
    assert 0.25 <= share(doc, lambda p: "age" in p) <= 0.45
    assert 0.01 <= 1 - len(known) / len(ages) <= 0.05
    assert sum(1 for a in known if 20 <= a <= 50) / len(known) >= 0.75
    assert 0.05 <= sum(1 for a in known if a < 25) / len(known) <= 0.3
    assert all(16 <= a <= 85 for a in known)


def test_generate_request_families_of_two_to_four_mostly_civilians() -> None:
    doc = large()
    for side in ("side_a", "side_b"):
        families: dict[str, list[dict[str, Any]]] = {}
        for p in doc[side]["detainees"]:
            if "group" in p:
                families.setdefault(p["group"], []).append(p)
        assert len(families) > 100
        assert all(2 <= len(members) <= 4 for members in families.values())
        statuses = Counter(p["status"] for members in families.values() for p in members)
        assert statuses["civilian"] > 2 * statuses["military"]
        # Taken together: one capture date per family.
        assert all(len({p.get("captured_on") for p in m}) == 1 for m in families.values())


def test_generate_request_captivity_over_about_three_years() -> None:
    doc = large()
    days = [
        (REFERENCE_DATE - date.fromisoformat(p["captured_on"])).days
        for p in people(doc)
        if "captured_on" in p
    ]
    assert min(days) > 0
    assert max(days) <= 3 * 365
    assert len(days) < len(people(doc))  # a few capture dates are unknown


# --------------------------------------------------------------------------- terms


def test_generate_request_thousand_terms_at_the_original_scale() -> None:
    terms = generate_request(1400, seed=0)["terms"]
    assert terms["min_per_side"] == 1000
    assert terms["stages"] == [390, 307, 303]
    assert terms["parity"] == "per_status"
    assert terms["civilians_separately"] is False


@pytest.mark.parametrize("per_side", [5, 333, 14_000])
def test_generate_request_thousand_terms_scale_with_the_lists(per_side: int) -> None:
    terms = generate_request(per_side, seed=0)["terms"]
    assert sum(terms["stages"]) == terms["min_per_side"] == round(per_side * 1000 / 1400)
    assert all(capacity >= 1 for capacity in terms["stages"])


@pytest.mark.parametrize("shape", SHAPES)
def test_generate_request_negotiated_ids_are_releasable_and_disjoint(shape: Shape) -> None:
    doc = generate_request(2000, seed=4, shape=shape)
    for side in ("side_a", "side_b"):
        by_id = {p["id"]: p for p in doc[side]["detainees"]}
        included = doc["terms"]["must_include"][side]
        excluded = doc["terms"]["must_exclude"][side]
        assert included
        assert excluded
        assert not set(included) & set(excluded)
        for pid in [*included, *excluded]:
            assert by_id[pid].get("eligible", True)
            assert by_id[pid].get("consents", True)
        assert all(by_id[pid].get("requested") for pid in included)


def test_generate_request_thousand_shape_is_feasible() -> None:
    plan = solve(parse_request(generate_request(1400, seed=0, side_b=1250)))
    assert plan.status == "optimal"
    assert len(plan.released.side_a) == len(plan.released.side_b) == 1000


# --------------------------------------------------------------------------- json


def test_request_json_round_trips_one_detainee_per_line() -> None:
    doc = generate_request(25, seed=9, fake_names=True)
    text = request_json(doc)
    assert json.loads(text) == doc
    lines = text.splitlines()
    for person in people(doc):
        assert sum(1 for line in lines if f'"id": "{person["id"]}"' in line) == 1


# --------------------------------------------------------------------------- examples


def test_thousand_example_matches_its_generator() -> None:
    """`scripts/examples` writes this file; a generator change must regenerate it."""
    expected = request_json(generate_request(1400, seed=1000, shape="thousand", side_b=1250))
    assert (EXAMPLES / "thousand_for_thousand.json").read_text(encoding="utf-8") == expected


def test_teaching_example_shows_every_feature() -> None:
    request = parse_request((EXAMPLES / "teaching.json").read_bytes())
    everyone = [*request.side_a.detainees, *request.side_b.detainees]
    assert 15 <= len(everyone) <= 30
    assert any(p.birth_date is not None for p in everyone)
    assert any(p.birth_date is None and p.age is not None for p in everyone)
    assert any(p.birth_date is None and p.age is None for p in everyone)
    assert {p.status for p in everyone} == {"military", "civilian"}
    for flag in ("seriously_ill", "requested"):
        assert any(getattr(p, flag) for p in everyone)
    assert any(not p.consents for p in everyone)
    assert any(not p.eligible and p.ineligible_reason for p in everyone)
    assert any(p.group for p in everyone)
    terms = request.terms
    assert terms.stages
    assert len(terms.stages) > 1
    assert terms.outside_parity
    assert terms.must_include.side_a
    assert terms.must_exclude.side_b


def test_teaching_example_solves_with_every_kind_of_outcome() -> None:
    plan = solve(parse_request((EXAMPLES / "teaching.json").read_bytes()))
    assert plan.status == "optimal"
    reasons = {entry.reason for entry in plan.not_released}
    assert reasons == {"ineligible", "no_consent", "must_exclude", "not_selected"}


# --------------------------------------------------------------------------- speed


@pytest.mark.slow
def test_generate_request_hundred_thousand_per_side_in_seconds() -> None:
    started = time.perf_counter()
    doc = generate_request(100_000, seed=1)
    text = request_json(doc)
    elapsed = time.perf_counter() - started
    assert len(doc["side_a"]["detainees"]) == 100_000
    assert elapsed < 5.0, f"{elapsed:.1f} s"
    started = time.perf_counter()
    parse_request(text)
    assert time.perf_counter() - started < 10.0
