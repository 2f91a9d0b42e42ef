"""Each side's list as flat arrays: the per-person facts the model and the plan need.

The request is read once, person by person, into columns; everything after that works
on whole columns (numpy), which keeps a 100,000-person list cheap to plan.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import numpy.typing as npt

from solver.categories import reference_date_of
from solver.schema import Category, DetaineeRecord, RequestRecord, Side, Terms

CATEGORY_BIT: dict[Category, int] = {
    Category.SERIOUSLY_ILL: 1,
    Category.YOUNG: 2,
    Category.CIVILIAN: 4,
    Category.MILITARY: 8,
    Category.REQUESTED: 16,
}

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def category_mask(categories: list[Category]) -> int:
    """The bitmask of a list of categories (duplicates are harmless)."""
    mask = 0
    for category in categories:
        mask |= CATEGORY_BIT[category]
    return mask


@dataclass(frozen=True)
class Roster:
    """One side's people, column by column, in list order."""

    side: Side
    ids: list[str]
    civilian: BoolArray
    categories: IntArray  # CATEGORY_BIT mask per person
    days: IntArray  # days in captivity at the reference date
    eligible: BoolArray
    consents: BoolArray
    group: IntArray  # index into `group_names`, -1 for nobody's group
    group_names: list[str]
    must_include: BoolArray
    must_exclude: BoolArray
    ineligible_reasons: dict[int, str]  # roster index -> the reason given, when given
    unknown_age: BoolArray
    age_mismatch: BoolArray
    future_capture: BoolArray

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def releasable(self) -> BoolArray:
        return self.eligible & self.consents

    def index_of(self) -> dict[str, int]:
        return {pid: i for i, pid in enumerate(self.ids)}

    @cached_property
    def by_id(self) -> IntArray:
        """Positions in the order of the ids: every list of ids in a plan is sorted."""
        order = sorted(range(len(self.ids)), key=self.ids.__getitem__)
        return np.array(order, dtype=np.int64)

    def ids_where(self, chosen: BoolArray) -> list[str]:
        """The ids of the chosen people, sorted."""
        ids, order = self.ids, self.by_id
        return [ids[i] for i in order[chosen[order]].tolist()]


def build_roster(request: RequestRecord, side: Side) -> Roster:
    """Read one side's list into columns, computing categories at the reference date."""
    terms = request.terms
    on = reference_date_of(terms)
    people = request.side(side).detainees
    ids = [p.id for p in people]

    civilian = np.fromiter((p.status == "civilian" for p in people), bool, len(people))
    ill = np.fromiter((p.seriously_ill for p in people), bool, len(people))
    requested = np.fromiter((p.requested for p in people), bool, len(people))
    ages, unknown_age, age_mismatch = _ages(people, on)
    young = ~unknown_age & (ages < terms.young_age_limit)
    categories = (
        ill * CATEGORY_BIT[Category.SERIOUSLY_ILL]
        + young * CATEGORY_BIT[Category.YOUNG]
        + np.where(civilian, CATEGORY_BIT[Category.CIVILIAN], CATEGORY_BIT[Category.MILITARY])
        + requested * CATEGORY_BIT[Category.REQUESTED]
    ).astype(np.int64)

    reference_ordinal = on.toordinal()
    captured = np.fromiter(
        (reference_ordinal if p.captured_on is None else p.captured_on.toordinal() for p in people),
        np.int64,
        len(people),
    )
    raw_days = reference_ordinal - captured
    days = np.maximum(raw_days, 0)

    group_index: dict[str, int] = {}
    group = np.full(len(people), -1, dtype=np.int64)
    for i, p in enumerate(people):
        if p.group is not None:
            group[i] = group_index.setdefault(p.group, len(group_index))

    return Roster(
        side=side,
        ids=ids,
        civilian=civilian,
        categories=categories,
        days=days.astype(np.int64),
        eligible=np.fromiter((p.eligible for p in people), bool, len(people)),
        consents=np.fromiter((p.consents for p in people), bool, len(people)),
        group=group,
        group_names=list(group_index),
        must_include=_flags(ids, terms.must_include.of(side)),
        must_exclude=_flags(ids, terms.must_exclude.of(side)),
        ineligible_reasons={
            i: p.ineligible_reason for i, p in enumerate(people) if p.ineligible_reason
        },
        unknown_age=unknown_age,
        age_mismatch=age_mismatch,
        future_capture=raw_days < 0,
    )


def _ages(people: Sequence[DetaineeRecord], on: date) -> tuple[IntArray, BoolArray, BoolArray]:
    """Age in full years per person; birth dates win over stated ages.

    Each birth date is written as the number YYYYMMDD, so that the whole column is aged
    at once, exactly as `age_on` ages one person: the difference in years, less one
    when the birthday (month and day) comes after `on`'s in the year.
    """
    births = [p.birth_date for p in people]
    stated = [p.age for p in people]
    born = np.fromiter(
        (-1 if b is None else b.year * 10_000 + b.month * 100 + b.day for b in births),
        np.int64,
        len(births),
    )
    known_birth = born >= 0
    before_birthday = born % 10_000 > on.month * 100 + on.day
    from_birth = on.year - born // 10_000 - before_birthday
    said = np.fromiter((-1 if a is None else a for a in stated), np.int64, len(stated))
    known_age = said >= 0
    ages = np.where(known_birth, from_birth, np.where(known_age, said, 0)).astype(np.int64)
    unknown = ~known_birth & ~known_age
    mismatch = known_birth & known_age & (said != from_birth)
    return ages, unknown, mismatch


def _flags(ids: list[str], named: list[str]) -> BoolArray:
    wanted = set(named)
    return np.fromiter((pid in wanted for pid in ids), bool, len(ids))


@dataclass(frozen=True)
class Rosters:
    """Both sides' rosters and the date they were computed at."""

    side_a: Roster
    side_b: Roster
    reference_date: date
    terms: Terms

    def of(self, side: Side) -> Roster:
        return self.side_a if side is Side.A else self.side_b

    def __iter__(self) -> Iterator[Roster]:
        return iter((self.side_a, self.side_b))


def build_rosters(request: RequestRecord) -> Rosters:
    return Rosters(
        side_a=build_roster(request, Side.A),
        side_b=build_roster(request, Side.B),
        reference_date=reference_date_of(request.terms),
        terms=request.terms,
    )
