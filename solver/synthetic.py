"""Synthetic exchange requests that look like real lists, for examples, tests and benchmarks.

Real lists are personal data and never leave a negotiation, so scale tests and teaching
material need made-up ones with the same texture: registry numbers, mostly men of fighting
age, some civilians in families, a few seriously ill, refusals, people held back, named
requests, and two lists of unequal length. No real names: none at all, or obviously fake
ones. The same seed gives the same request, byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal

import numpy as np

Shape = Literal["thousand", "teaching"]
SHAPES: tuple[Shape, ...] = ("thousand", "teaching")

REFERENCE_DATE = date(2025, 5, 23)
"""Fixed by default so that a seed alone decides the request, whatever day it is run."""

SIDE_B_RATIO = 0.9
"""Side B lists fewer people than side A: real lists are rarely the same length."""

# "1,000 for 1,000": three stages of 390, 307 and 303 people per side, out of lists of
# about 1,400; other sizes scale these numbers.
THOUSAND_STAGES = (390, 307, 303)
THOUSAND_LIST_SIZE = 1400

INELIGIBLE_REASONS = (
    "pending criminal proceedings",
    "identity not verified",
    "already exchanged",
    "listed twice under different numbers",
)


@dataclass(frozen=True)
class Mix:
    """How often each feature occurs in a side's list (fractions of the list)."""

    civilian_low: float = 0.15
    civilian_high: float = 0.25
    seriously_ill: float = 0.03
    refuses: float = 0.02
    ineligible: float = 0.05
    requested: float = 0.05
    civilians_in_families: float = 0.25
    military_in_families: float = 0.02
    birth_date_known: float = 0.6
    age_unknown: float = 0.03
    capture_date_unknown: float = 0.01
    captivity_days_max: int = 3 * 365


TEACHING_MIX = Mix(
    seriously_ill=0.1,
    refuses=0.06,
    ineligible=0.08,
    requested=0.15,
    civilians_in_families=0.5,
    military_in_families=0.1,
    age_unknown=0.08,
)
"""Small teaching lists show every feature, so rare things are made common."""


def generate_request(
    per_side: int,
    seed: int = 0,
    *,
    shape: Shape = "thousand",
    side_b: int | None = None,
    reference_date: date = REFERENCE_DATE,
    fake_names: bool = False,
    mix: Mix | None = None,
) -> dict[str, Any]:
    """A JSON-ready request with `per_side` people on side A and about 90% of that on B.

    Args:
        per_side: length of side A's list.
        seed: the only source of randomness.
        shape: "thousand" for terms like the 1,000-for-1,000 exchange scaled to the lists;
            "teaching" for small terms that exercise every rule.
        side_b: length of side B's list; default `round(0.9 * per_side)`.
        reference_date: the exchange date written into the terms.
        fake_names: add names like "Synthetic A-000123" (to exercise the privacy paths).
        mix: feature frequencies; by default `Mix()`, or `TEACHING_MIX` for "teaching".

    Returns:
        A plain dict ready for `json.dumps` or `ExchangeRequest.model_validate`.
    """
    if per_side < 0 or (side_b is not None and side_b < 0):
        raise ValueError("list sizes must be >= 0")
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; use one of {', '.join(SHAPES)}")
    mix = mix or (TEACHING_MIX if shape == "teaching" else Mix())
    rng = np.random.default_rng(seed)
    sizes = {
        "side_a": per_side,
        "side_b": round(SIDE_B_RATIO * per_side) if side_b is None else side_b,
    }
    sides = {
        side: _side_list(side, size, rng, mix, reference_date, fake_names)
        for side, size in sizes.items()
    }
    terms = _terms(shape, per_side, sides, rng, reference_date)
    return {
        "terms": terms,
        "side_a": {"name": "Side A", "detainees": sides["side_a"]},
        "side_b": {"name": "Side B", "detainees": sides["side_b"]},
    }


def request_json(request: dict[str, Any]) -> str:
    """The request as JSON with one term and one detainee per line: readable and diffable."""
    return _render(request, indent=0, depth=0) + "\n"


def _render(value: object, indent: int, depth: int) -> str:
    """Objects near the top are opened key by key, lists of objects item by item."""
    inner = " " * (indent + 2)
    if isinstance(value, dict) and value and depth < 2:
        items = [
            f"{inner}{json.dumps(key)}: {_render(item, indent + 2, depth + 1)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        items = [f"{inner}{json.dumps(item, ensure_ascii=False)}" for item in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    return json.dumps(value, ensure_ascii=False)


# --------------------------------------------------------------------------- lists


@lru_cache(maxsize=65536)
def _iso(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


def _side_list(
    side: str,
    size: int,
    rng: np.random.Generator,
    mix: Mix,
    reference_date: date,
    fake_names: bool,
) -> list[dict[str, Any]]:
    """One side's list; arrays are drawn first, then turned into dicts in one pass."""
    prefix = side[-1].upper()
    # Registry numbers: increasing, with the gaps real registries have.
    numbers = np.sort(rng.choice(max(10 * size, 1000), size=size, replace=False)) + 1
    civilian = rng.random(size) < rng.uniform(mix.civilian_low, mix.civilian_high)
    # Military people are mostly 20-45; civilians are spread wider.
    ages = np.where(
        civilian,
        np.clip(np.rint(rng.normal(40, 14, size)), 16, 85),
        np.clip(np.rint(rng.normal(33, 8, size)), 18, 62),
    ).astype(int)
    age_kind = rng.random(size)  # < birth_date_known: birth date; last few %: unknown
    birth_offsets = rng.integers(0, 365, size)
    captivity = rng.integers(20, mix.captivity_days_max + 1, size)
    capture_unknown = rng.random(size) < mix.capture_date_unknown
    ill = rng.random(size) < mix.seriously_ill
    refuses = rng.random(size) < mix.refuses
    ineligible = rng.random(size) < mix.ineligible
    reasons = rng.integers(0, len(INELIGIBLE_REASONS), size)
    requested = rng.random(size) < mix.requested
    groups = _families(prefix, civilian, rng, mix)

    # Families were usually taken together: one capture date per family.
    first_of_group: dict[str, int] = {}
    for index, group in enumerate(groups):
        if group is not None:
            first = first_of_group.setdefault(group, index)
            captivity[index] = captivity[first]
            capture_unknown[index] = capture_unknown[first]

    today = reference_date.toordinal()
    people: list[dict[str, Any]] = []
    for i, (number, is_civilian, age, kind, offset, days, group) in enumerate(
        zip(
            numbers.tolist(),
            civilian.tolist(),
            ages.tolist(),
            age_kind.tolist(),
            birth_offsets.tolist(),
            captivity.tolist(),
            groups,
            strict=True,
        )
    ):
        detainee_id = f"{prefix}-{number:06d}"
        person: dict[str, Any] = {"id": detainee_id}
        if fake_names:
            person["name"] = f"Synthetic {detainee_id}"
        person["status"] = "civilian" if is_civilian else "military"
        if kind < mix.birth_date_known:
            # A birthday `offset` days after the reference day's date, `age + 1` years back,
            # keeps the age in full years equal to `age`.
            birth = _years_before(reference_date, age + 1).toordinal() + int(offset) + 1
            person["birth_date"] = _iso(min(birth, _years_before(reference_date, age).toordinal()))
        elif kind < 1 - mix.age_unknown:
            person["age"] = age
        if ill[i]:
            person["seriously_ill"] = True
        if not capture_unknown[i]:
            person["captured_on"] = _iso(today - days)
        if refuses[i]:
            person["consents"] = False
        if ineligible[i]:
            person["eligible"] = False
            person["ineligible_reason"] = INELIGIBLE_REASONS[reasons[i]]
        if group is not None:
            person["group"] = group
        if requested[i]:
            person["requested"] = True
        people.append(person)
    return people


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _families(
    prefix: str, civilian: np.ndarray[Any, Any], rng: np.random.Generator, mix: Mix
) -> list[str | None]:
    """Groups of 2-4 people released together; mostly civilians, a few military relatives."""
    groups: list[str | None] = [None] * len(civilian)
    count = 0
    for status_mask, share in (
        (civilian, mix.civilians_in_families),
        (~civilian, mix.military_in_families),
    ):
        members = rng.permutation(np.flatnonzero(status_mask))
        members = members[: int(len(members) * share)]
        start = 0
        while len(members) - start >= 2:
            size = min(int(rng.integers(2, 5)), len(members) - start)
            count += 1
            for index in members[start : start + size].tolist():
                groups[index] = f"{prefix}-F{count:05d}"
            start += size
    return groups


# --------------------------------------------------------------------------- terms


def _terms(
    shape: Shape,
    per_side: int,
    sides: dict[str, list[dict[str, Any]]],
    rng: np.random.Generator,
    reference_date: date,
) -> dict[str, Any]:
    """The agreement: "1,000 for 1,000" scaled to the lists, or a small teaching case."""
    if shape == "thousand":
        floor = round(per_side * sum(THOUSAND_STAGES) / THOUSAND_LIST_SIZE)
        named = max(1, per_side // 500)
        return {
            "reference_date": reference_date.isoformat(),
            "min_per_side": floor,
            "parity": "per_status",
            "stages": _proportional(floor, THOUSAND_STAGES),
            "civilians_separately": False,
            "must_include": _pick(sides, rng, named, _negotiable_include),
            "must_exclude": _pick(sides, rng, named, _negotiable_exclude),
        }
    # The mediated-swap pattern: the seriously ill go on top of a balanced core (GC III
    # art. 109), civilians travel in their own stages, and a cap keeps the core small.
    cap = max(1, round(per_side * 0.5))
    return {
        "reference_date": reference_date.isoformat(),
        "min_per_side": min(cap, round(per_side * 0.3)),
        "max_per_side": cap,
        "parity": "total",
        "release_all": ["seriously_ill"],
        "outside_parity": ["seriously_ill"],
        "stages": [max(1, -(-per_side // 3))] * 3,
        "civilians_separately": True,
        "must_include": _pick(sides, rng, 1, _negotiable_include),
        "must_exclude": _pick(sides, rng, 1, _negotiable_exclude),
    }


def _proportional(total: int, weights: tuple[int, ...]) -> list[int]:
    """Split `total` in proportion to `weights`, largest remainders first, summing exactly.

    Stages of capacity 0 are dropped: a stage must release at least one person.
    """
    exact = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return [p for p in parts if p > 0] or [1]


def _releasable(person: dict[str, Any]) -> bool:
    return bool(person.get("eligible", True) and person.get("consents", True))


def _negotiable_include(person: dict[str, Any]) -> bool:
    """Asked for by name and free to go: what a side would insist on."""
    return _releasable(person) and bool(person.get("requested")) and "group" not in person


def _negotiable_exclude(person: dict[str, Any]) -> bool:
    """Someone a side keeps without breaking a hard term: clearly adult, not ill, no family."""
    adult = "age" in person and person["age"] >= 30
    return (
        _releasable(person)
        and adult
        and not person.get("seriously_ill")
        and not person.get("requested")
        and "group" not in person
    )


def _pick(
    sides: dict[str, list[dict[str, Any]]],
    rng: np.random.Generator,
    count: int,
    fits: Callable[[dict[str, Any]], bool],
) -> dict[str, list[str]]:
    """Up to `count` ids per side among those that `fits` accepts, sorted."""
    chosen: dict[str, list[str]] = {}
    for side, people in sides.items():
        candidates = [p["id"] for p in people if fits(p)]
        take = min(count, len(candidates))
        picked = rng.choice(len(candidates), size=take, replace=False).tolist() if take else []
        chosen[side] = sorted(candidates[i] for i in picked)
    return chosen
