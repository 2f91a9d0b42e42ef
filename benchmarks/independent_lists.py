"""Exchange requests from a second generator, written independently of the planner.

`solver.synthetic` was written by the planner's authors. A benchmark that times the
planner only on those lists measures it on the texture its authors had in mind. This
generator was written separately, from the problem's contract alone, and imports nothing
from `solver`, so its lists can differ from the planner's in ways its authors did not
anticipate:

- side B's ids come in several registry formats ("POW/2023/004711-K", "CIV.2024.000815",
  "reg 000042 (B)"); side A's are zero-padded numbers out of a large range;
- about 40% of the people were taken on one of a few dozen mass-capture days (and
  families mostly on the same day), the rest spread over three years, a few with no date;
- families of 2-6 with children and grandparents, a few with a military head, so most
  families hold someone young and must all go;
- refusals, ineligible people with and without a reason, named requests, names like
  "Person 123" (to exercise the privacy paths), stale ages next to birth dates.

The terms: parity per status, three stages of 39/31/30% of 70% of side B's releasable
people, a floor that fills them, three negotiated names each way to include and to
exclude. `VARIANTS` lists the other terms and lists this generator makes; every one
of them has a feasible plan at the sizes the benchmarks use. The same seed and
variant give the same request.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

Detainee = dict[str, Any]

REFERENCE_DATE = date(2025, 5, 23)
YOUNG_AGE_LIMIT = 25  # the contract's default; the terms written here leave it unset

WAR_START = date(2022, 2, 24)
EARLIEST_CAPTURE = date(2014, 4, 6)
"""With capture dates spread out, they reach back to the start of the earlier fighting."""

# Days after WAR_START on which many people were taken at once (sieges, encirclements).
MASS_CAPTURE_DAYS = tuple(
    WAR_START + timedelta(days=offset)
    for offset in (
        *(0, 3, 17, 40, 81, 84, 110, 160, 200, 205, 260, 320, 390, 420, 470, 530, 600),
        *(650, 700, 760, 800, 850, 900, 905, 960, 1000, 1050, 1100, 1130, 1150),
    )
)

INELIGIBLE_REASONS = (
    "pending criminal proceedings (GC III art. 119)",
    "identity not verified",
    "already exchanged on 2024-12-30",
    "duplicate record under review",
    "under investigation",
)

CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"

# How many ids each side's formats can give: side A draws from 7 digits, side B from 6.
MAX_SIDE_A = 9_999_998
MAX_SIDE_B = 999_998

# "1,000 for 1,000": stages of 390, 307 and 303 per side, scaled to the lists.
STAGE_WEIGHTS = (390, 307, 303)
STAGE_SHARE_OF_SIDE_B = 0.70
"""The stages hold 70% of side B's releasable people: side B, the shorter list, limits."""

NEGOTIATED_NAMES = 3


@dataclass(frozen=True)
class ListTexture:
    """How one side's list looks: shares of the list with each feature."""

    military: float
    seriously_ill: float
    refuses: float
    ineligible: float
    requested: float
    named: float = 0.4
    birth_date: float = 0.6
    age_only: float = 0.3  # the rest: neither birth date nor age known
    in_families: float = 0.10
    family_sizes: tuple[int, ...] = (2, 3, 4, 5, 6)
    family_size_weights: tuple[int, ...] = (30, 27, 20, 13, 10)
    mixed_families: bool = True  # about one family in eight has a military head
    capture_dates_spread: bool = False  # over eleven years, each its own day, none unknown


@dataclass(frozen=True)
class Variant:
    """Lists and terms that differ from the base variant's."""

    what: str
    side_b_ratio: float = 0.9
    side_a_military: float = 0.78
    floor_share: float = 1.0  # of the stages' places
    exactly_n_for_n: bool = False
    civilians_separately: bool = False
    lists: dict[str, Any] = field(default_factory=dict)  # ListTexture fields, both sides


VARIANTS: dict[str, Variant] = {
    "base": Variant("per-status parity, floor fills three stages, 10% in families"),
    "floor below capacity": Variant("min_per_side 80% of the places", floor_share=0.8),
    "civilians separately": Variant(
        "civilians_separately, min_per_side 80%, families of one status",
        floor_share=0.8,
        civilians_separately=True,
        # A family with a military head could travel neither with civilians nor with
        # military people: with civilians separately its young members make it infeasible.
        lists={"mixed_families": False},
    ),
    "many small families": Variant(
        "30% of people in families of 2-3",
        lists={"in_families": 0.30, "family_sizes": (2, 3), "family_size_weights": (60, 40)},
    ),
    "dates spread": Variant(
        "capture dates over 11 years, ages from birth dates only",
        lists={"capture_dates_spread": True, "birth_date": 1.0, "age_only": 0.0},
    ),
    "side b half": Variant(
        "side B lists half as many as A, A 86% military",
        side_b_ratio=0.5,
        # With A at its usual 78% military, A's young and ill civilians (who must go)
        # outnumber the civilians side B can give back: no plan with parity per status.
        side_a_military=0.86,
    ),
    "exactly n for n": Variant("max_per_side = min_per_side", exactly_n_for_n=True),
}


def generate(per_side: int, seed: int, variant: str = "base") -> dict[str, Any]:
    """A JSON-ready request: `per_side` people on side A, about 90% of that on side B.

    Args:
        per_side: length of side A's list.
        seed: with `variant`, the only source of randomness.
        variant: a key of `VARIANTS`.

    Returns:
        A plain dict with `terms`, `side_a` and `side_b`, as `solver.synthetic` makes.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    # A string seed is hashed the same way in every process: the request depends on
    # nothing else.
    return _request(per_side, random.Random(f"{seed}/{variant}"), VARIANTS[variant])


def _request(per_side: int, rng: random.Random, variant: Variant) -> dict[str, Any]:
    people_b = round(per_side * variant.side_b_ratio)
    if not 0 <= per_side <= MAX_SIDE_A or people_b > MAX_SIDE_B:
        raise ValueError(f"per_side must be 0-{MAX_SIDE_A:,}, side B at most {MAX_SIDE_B:,}")
    texture_a = ListTexture(
        military=variant.side_a_military,
        seriously_ill=0.055,
        refuses=0.015,
        ineligible=0.035,
        requested=0.03,
        **variant.lists,
    )
    texture_b = ListTexture(
        military=0.82,
        seriously_ill=0.04,
        refuses=0.025,
        ineligible=0.045,
        requested=0.045,
        **variant.lists,
    )
    side_a = _SideList(rng, "A", texture_a).people(per_side)
    side_b = _SideList(rng, "B", texture_b).people(people_b)

    places = round(STAGE_SHARE_OF_SIDE_B * sum(_releasable(p) for p in side_b))
    first = round(places * STAGE_WEIGHTS[0] / sum(STAGE_WEIGHTS))
    second = round(places * STAGE_WEIGHTS[1] / sum(STAGE_WEIGHTS))
    # A stage must hold at least one person: empty ones (on tiny lists) are dropped.
    stages = [s for s in (first, second, places - first - second) if s > 0] or [1]
    floor = round(variant.floor_share * places)
    terms: dict[str, Any] = {
        "reference_date": REFERENCE_DATE.isoformat(),
        "min_per_side": floor,
        "parity": "per_status",
        "stages": stages,
    }
    if variant.exactly_n_for_n:
        terms["max_per_side"] = floor
    terms["civilians_separately"] = variant.civilians_separately
    forced_a, forced_b = _released_anyway(side_a), _released_anyway(side_b)
    include_a = _negotiable(rng, side_a, forced_a, set())
    include_b = _negotiable(rng, side_b, forced_b, set())
    terms["must_include"] = {"side_a": include_a, "side_b": include_b}
    terms["must_exclude"] = {
        "side_a": _negotiable(rng, side_a, forced_a, set(include_a)),
        "side_b": _negotiable(rng, side_b, forced_b, set(include_b)),
    }
    return {
        "terms": terms,
        "side_a": {"name": "Side A", "detainees": side_a},
        "side_b": {"name": "Side B", "detainees": side_b},
    }


# --------------------------------------------------------------------------- lists


class _SideList:
    """One side's list, drawn person by person from the shared random stream."""

    def __init__(self, rng: random.Random, side: str, texture: ListTexture) -> None:
        self.rng = rng
        self.side = side
        self.texture = texture

    def people(self, size: int) -> list[Detainee]:
        """Families first (up to the texture's share), then single people, shuffled."""
        rng, texture = self.rng, self.texture
        ids = iter(self._ids(size))
        people: list[Detainee] = []
        in_families = int(size * texture.in_families)
        families = 0
        while len(people) < in_families:
            drawn = rng.choices(texture.family_sizes, texture.family_size_weights)[0]
            family_size = min(drawn, in_families - len(people))
            if family_size < 2:
                break
            families += 1
            group = (
                f"fam-A-{families:05d}"
                if self.side == "A"
                else f"B:household:{rng.randint(0, 99)}:{families}"
            )
            ages = self._family_ages(family_size)
            military_head = texture.mixed_families and rng.random() < 0.12
            # Families are usually taken together, on one day.
            taken_on = self._captured_on()
            for k, age in enumerate(ages):
                status = "military" if military_head and k == 0 else "civilian"
                same_day = taken_on if rng.random() < 0.85 else None
                people.append(self._person(next(ids), status, age, group, same_day))
        # Single people make up the military share of the whole list.
        singles = size - len(people)
        military_needed = int(size * texture.military) - sum(
            p.get("status", "military") == "military" for p in people
        )
        military_odds = max(0.0, min(1.0, military_needed / singles)) if singles else 0.0
        for _ in range(singles):
            if rng.random() < military_odds:
                people.append(self._person(next(ids), "military", self._military_age()))
            else:
                people.append(self._person(next(ids), "civilian", self._civilian_age()))
        rng.shuffle(people)
        return people

    def _ids(self, size: int) -> list[str]:
        """Side A: 7-digit numbers; side B: registry numbers, mostly of one format."""
        rng = self.rng
        if self.side == "A":
            return [f"A-{n:07d}" for n in rng.sample(range(1, MAX_SIDE_A + 1), size)]
        ids = []
        for serial in rng.sample(range(1, MAX_SIDE_B + 1), size):
            year = rng.choice((2022, 2023, 2024, 2025))
            check = CHECK_LETTERS[serial % len(CHECK_LETTERS)]
            spelling = rng.random()
            if spelling < 0.9:
                ids.append(f"POW/{year}/{serial:06d}-{check}")
            elif spelling < 0.97:
                ids.append(f"CIV.{year}.{serial:06d}")
            else:
                ids.append(f"reg {serial:06d} ({check})")
        return ids

    def _military_age(self) -> int:
        """Mostly 20-45 with a tail to 62: some 15-20% are under 25."""
        return max(18, min(62, round(self.rng.gauss(33, 8))))

    def _civilian_age(self) -> int:
        draw = self.rng.random()
        if draw < 0.08:
            return self.rng.randint(16, 24)
        if draw < 0.80:
            return self.rng.randint(25, 64)
        return self.rng.randint(65, 89)

    def _family_ages(self, size: int) -> list[int]:
        """A head of 28-60, often a partner, then children (0-24) and some grandparents."""
        rng = self.rng
        ages = [rng.randint(28, 60)]
        if size >= 2 and rng.random() < 0.7:
            ages.append(max(20, ages[0] + rng.randint(-6, 6)))
        while len(ages) < size:
            ages.append(rng.randint(60, 88) if rng.random() < 0.15 else rng.randint(0, 24))
        return ages[:size]

    def _captured_on(self) -> str | None:
        rng = self.rng
        if self.texture.capture_dates_spread:
            span = (REFERENCE_DATE - EARLIEST_CAPTURE).days - 1
            return (EARLIEST_CAPTURE + timedelta(days=rng.randint(0, span))).isoformat()
        if rng.random() < 0.05:
            return None
        if rng.random() < 0.4:
            day = rng.choice(MASS_CAPTURE_DAYS) + timedelta(days=rng.randint(0, 4))
        else:
            day = WAR_START + timedelta(days=rng.randint(0, (REFERENCE_DATE - WAR_START).days - 8))
        return min(day, REFERENCE_DATE).isoformat()

    def _person(
        self,
        detainee_id: str,
        status: str,
        age: int,
        group: str | None = None,
        captured_on: str | None = None,
    ) -> Detainee:
        """One detainee; fields at their default are sometimes written, sometimes not."""
        rng, texture = self.rng, self.texture
        person: Detainee = {"id": detainee_id}
        if rng.random() < texture.named:
            person["name"] = f"Person {rng.randint(1, 10**6)}"
        known = rng.random()
        if known < texture.birth_date:
            person["birth_date"] = _birth_date(rng, age).isoformat()
            if rng.random() < 0.02:  # a list error: a stale age beside the birth date
                person["age"] = max(0, min(130, age + rng.choice((-2, -1, 1, 3))))
        elif known < texture.birth_date + texture.age_only:
            person["age"] = age
        if status == "civilian" or rng.random() < 0.5:
            person["status"] = status
        if rng.random() < texture.seriously_ill:
            person["seriously_ill"] = True
        # A family member not taken with the family gets a date of their own.
        taken_on = captured_on if captured_on is not None else self._captured_on()
        if taken_on is not None:
            person["captured_on"] = taken_on
        elif rng.random() < 0.5:
            person["captured_on"] = None
        if rng.random() < texture.refuses:
            person["consents"] = False
        elif rng.random() < 0.1:
            person["consents"] = True
        if rng.random() < texture.ineligible:
            person["eligible"] = False
            if rng.random() < 0.9:
                person["ineligible_reason"] = rng.choice(INELIGIBLE_REASONS)
        if group is not None:
            person["group"] = group
        if rng.random() < texture.requested:
            person["requested"] = True
        return person


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _birth_date(rng: random.Random, age: int) -> date:
    """A birthday that makes the person `age` in full years on the reference date."""
    latest = _years_before(REFERENCE_DATE, age)
    earliest = _years_before(REFERENCE_DATE, age + 1) + timedelta(days=1)
    return latest - timedelta(days=rng.randint(0, (latest - earliest).days))


# --------------------------------------------------------------------------- terms


def _age(person: Detainee) -> int | None:
    """Age in full years on the reference date; the birth date wins over `age`."""
    if person.get("birth_date"):
        born = date.fromisoformat(person["birth_date"])
        before_birthday = (REFERENCE_DATE.month, REFERENCE_DATE.day) < (born.month, born.day)
        return REFERENCE_DATE.year - born.year - before_birthday
    age: int | None = person.get("age")
    return age


def _releasable(person: Detainee) -> bool:
    return bool(person.get("eligible", True) and person.get("consents", True))


def _released_anyway(people: list[Detainee]) -> set[str]:
    """Releasable young or seriously ill people, and their families: the default
    `release_all` sends them, so naming them would add nothing (or, excluded, conflict)."""
    releasable = [p for p in people if _releasable(p)]
    ids = {
        p["id"]
        for p in releasable
        if p.get("seriously_ill") or ((age := _age(p)) is not None and age < YOUNG_AGE_LIMIT)
    }
    families: dict[str, list[str]] = {}
    for p in releasable:
        if p.get("group"):
            families.setdefault(p["group"], []).append(p["id"])
    for members in families.values():
        if ids.intersection(members):
            ids.update(members)
    return ids


def _negotiable(
    rng: random.Random, people: list[Detainee], released_anyway: set[str], taken: set[str]
) -> list[str]:
    """Up to three releasable military people without family whom nothing else forces
    out: names a side could insist on, or keep back, without breaking another term."""
    candidates = [
        p["id"]
        for p in people
        if _releasable(p)
        and not p.get("group")
        and p["id"] not in released_anyway
        and p["id"] not in taken
        and p.get("status", "military") == "military"
    ]
    return rng.sample(candidates, min(NEGOTIATED_NAMES, len(candidates)))
