"""Pools of interchangeable release units: the reason the model stays small.

A *unit* is what is released as one: a single person, or the releasable members of a
group (a family travels together). Two units are interchangeable for every rule and
for every lexicographic level but captivity days when their members have the same
*member classes* (status, counted or not, the priority categories, the obligations
that bind them). Such units form a *pool*. The model only decides how many units of
each pool go in each stage; within a pool the units held longest are the ones
released, which is exactly what the captivity-days level would choose.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from solver.roster import CATEGORY_BIT, IntArray, Roster, Rosters, category_mask
from solver.schema import Category, Side, Terms

# Bits of a member class code, after the five category bits (see CATEGORY_BIT).
_CIVILIAN = 1 << 5
_COUNTED = 1 << 6
_RELEASE_ALL = 1 << 7
_OUTSIDE_PARITY = 1 << 8
_MUST_INCLUDE = 1 << 9
_MUST_EXCLUDE = 1 << 10
# A repair also tells people apart by their agreed assignment (see `AgreedStages`),
# written in the bits from here on; 0 in a plain solve.
_AGREED_SHIFT = 11

OBLIGATION_BITS: dict[str, int] = {
    "release_all": _RELEASE_ALL,
    "outside_parity": _OUTSIDE_PARITY,
    "must_include": _MUST_INCLUDE,
}


@dataclass(frozen=True)
class MemberClass:
    """What the model needs to know about one releasable person."""

    code: int

    @property
    def civilian(self) -> bool:
        return bool(self.code & _CIVILIAN)

    @property
    def counted(self) -> bool:
        return bool(self.code & _COUNTED)

    @property
    def excluded(self) -> bool:
        return bool(self.code & _MUST_EXCLUDE)

    @property
    def required_by(self) -> tuple[str, ...]:
        """The obligations (rule names) that require this person's release."""
        return tuple(rule for rule, bit in OBLIGATION_BITS.items() if self.code & bit)

    def in_category(self, category: Category) -> bool:
        return bool(self.code & CATEGORY_BIT[category])

    @property
    def agreed(self) -> int:
        """Repair: the model stage the agreed plan has this person in; 0 for not
        released, and one past the last stage for an executed stage they missed."""
        return self.code >> _AGREED_SHIFT


@dataclass(frozen=True)
class Pool:
    """Interchangeable units of one side, best (longest held) first."""

    side: Side
    members: tuple[tuple[MemberClass, int], ...]  # member class -> people per unit
    people: IntArray  # roster indices, unit after unit, in preference order
    unit_days: IntArray  # captivity days per unit, non-increasing

    @property
    def n_units(self) -> int:
        return len(self.unit_days)

    @property
    def unit_size(self) -> int:
        return sum(count for _, count in self.members)

    @property
    def is_group(self) -> bool:
        return self.unit_size > 1

    @cached_property
    def required(self) -> bool:
        """Some member must be released; with the group rule, so must the whole unit."""
        return any(m.required_by for m, _ in self.members)

    @cached_property
    def blocked(self) -> bool:
        """Some member is excluded; with the group rule, so is the whole unit."""
        return any(m.excluded for m, _ in self.members)

    @cached_property
    def days_prefix(self) -> IntArray:
        """days_prefix[k]: captivity days of the best k units."""
        return np.concatenate(([0], np.cumsum(self.unit_days))).astype(np.int64)

    def unit_people(self, unit: int) -> IntArray:
        size = self.unit_size
        return self.people[unit * size : (unit + 1) * size]

    def count(self, *, civilian: bool | None = None, counted: bool | None = None) -> int:
        """People per unit with the given status and counting."""
        return sum(
            n
            for m, n in self.members
            if (civilian is None or m.civilian == civilian)
            and (counted is None or m.counted == counted)
        )

    def count_in(self, category: Category) -> int:
        return sum(n for m, n in self.members if m.in_category(category))


def member_codes(roster: Roster, terms: Terms) -> IntArray:
    """The member class code of every person on the roster (meaningful if releasable)."""
    priority_mask = category_mask(terms.priorities)
    outside_mask = category_mask(terms.outside_parity)
    release_all_mask = category_mask(terms.release_all)
    cats = roster.categories
    codes = (cats & priority_mask).astype(np.int64)
    codes |= np.where(roster.civilian, _CIVILIAN, 0)
    codes |= np.where((cats & outside_mask) == 0, _COUNTED, 0)
    codes |= np.where((cats & release_all_mask) != 0, _RELEASE_ALL, 0)
    codes |= np.where((cats & outside_mask) != 0, _OUTSIDE_PARITY, 0)
    codes |= np.where(roster.must_include, _MUST_INCLUDE, 0)
    codes |= np.where(roster.must_exclude, _MUST_EXCLUDE, 0)
    return codes


def by_code_then_longest_held(codes: IntArray, days: IntArray) -> IntArray:
    """The order of people (given in list order) by member code, then days held, the
    longest first, then list order: `np.lexsort((positions, -days, codes))`.

    Codes and days nearly always fit in 16 bits (days up to 179 years), and then two
    stable sorts do it, which numpy runs as radix sorts: about 1 ms for 100,000
    people, where `np.lexsort` takes 7.
    """
    if days.size == 0 or int(days.max()) >= 1 << 16 or int(codes.max()) >= 1 << 16:
        return np.lexsort((np.arange(days.size), -days, codes))
    by_days = np.argsort((int(days.max()) - days).astype(np.uint16), kind="stable")
    order: IntArray = by_days[np.argsort(codes[by_days].astype(np.uint16), kind="stable")]
    return order


AgreedStages = dict[Side, IntArray]
"""Repair: per side, each listed person's agreed assignment as `MemberClass.agreed`."""


def build_pools(rosters: Rosters, agreed: AgreedStages | None = None) -> list[Pool]:
    """All pools of both sides, in a deterministic order.

    With `agreed` (a repair), people are also told apart by their agreed assignment: a
    pool's units then differ from the agreed plan in the same way, whatever stage they
    are given, so the changes a plan makes are a sum over the pools' counts.
    """
    pools: list[Pool] = []
    for roster in rosters:
        codes = member_codes(roster, rosters.terms)
        if agreed is not None:
            codes |= agreed[roster.side] << _AGREED_SHIFT
        pools.extend(_side_pools(roster, codes))
    return pools


def _side_pools(roster: Roster, codes: IntArray) -> list[Pool]:
    releasable = roster.releasable
    in_group = roster.group >= 0

    # A group's releasable members form one unit; a group with one such member is a single.
    # Members are listed group by group, each group's by member code, then list order.
    grouped = np.flatnonzero(releasable & in_group)
    grouped = grouped[np.lexsort((grouped, codes[grouped], roster.group[grouped]))]
    bounds = [0, *(np.flatnonzero(np.diff(roster.group[grouped])) + 1).tolist(), grouped.size]
    singles = releasable & ~in_group
    units_by_signature: dict[tuple[int, ...], list[list[int]]] = defaultdict(list)
    # Thousands of groups: sliced as Python lists, which costs a fraction of an array each.
    members, member_code = grouped.tolist(), codes[grouped].tolist()
    for start, end in itertools.pairwise(bounds):
        if end - start == 1:
            singles[members[start]] = True
        elif end - start > 1:
            units_by_signature[tuple(member_code[start:end])].append(members[start:end])

    pools: list[Pool] = []
    # Singles by member code; within a code the longest held first, list order breaking
    # ties, so the same input gives the same plan.
    single_idx = np.flatnonzero(singles)
    single_codes = codes[single_idx]
    order = by_code_then_longest_held(single_codes, roster.days[single_idx])
    single_idx, single_codes = single_idx[order], single_codes[order]
    for people in np.split(single_idx, np.flatnonzero(np.diff(single_codes)) + 1):
        if len(people) == 0:
            continue
        pools.append(
            Pool(
                side=roster.side,
                members=((MemberClass(int(codes[people[0]])), 1),),
                people=people.astype(np.int64),
                unit_days=roster.days[people].astype(np.int64),
            )
        )
    for signature in sorted(units_by_signature):
        units = np.array(units_by_signature[signature], dtype=np.int64)  # one row per unit
        days = roster.days[units].sum(axis=1).astype(np.int64)
        order = np.lexsort((units.min(axis=1), -days))
        counts: dict[int, int] = defaultdict(int)
        for code in signature:
            counts[code] += 1
        pools.append(
            Pool(
                side=roster.side,
                members=tuple((MemberClass(c), n) for c, n in sorted(counts.items())),
                people=units[order].ravel(),
                unit_days=days[order],
            )
        )
    return pools
