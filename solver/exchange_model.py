"""The CP-SAT variables of an exchange and intent-named ways to add them up.

One integer per pool and stage: how many of the pool's units go in that stage. The
rules (solver/rules/) and the objective (solver/objective.py) only ever see sums of
people built here, so they read like the terms they enforce.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

from solver.cpsat import cp_model
from solver.pools import MemberClass, Pool
from solver.schema import Category, Side, Terms

RuleLiteral = cp_model.IntVar
Term = tuple[cp_model.IntVar, int]


@dataclass(frozen=True)
class Executed:
    """Repair: counted people already handed over in the executed stages, per side and
    status. The floor and cap count them; the first remaining stage carries their
    imbalance, so that parity holds once it is over (see `solver.repair_planner`)."""

    counted: dict[tuple[Side, bool], int]  # (side, civilian) -> people

    def of(self, side: Side, civilian: bool | None = None) -> int:
        return sum(n for (s, c), n in self.counted.items() if s is side and civilian in (None, c))


@dataclass(frozen=True)
class MemberSlot:
    """People of one member class of one pool, released in one stage."""

    pool: Pool
    member: MemberClass
    stage: int
    terms: list[Term]  # coefficient * variable pieces that add up to the count
    p: int  # the pool's index


class ExchangeModel:
    """Variables and sums of released people, per pool, member class and stage.

    With `groups_relaxable`, each member class of a group pool gets its own count,
    tied to the unit count only while the group rule is enforced; that is how the
    conflict search can ask "would it work if families could be split?".

    A repair models only the stages still to come (`capacities`, which may be none)
    and gives what the executed ones fixed (`executed`).
    """

    def __init__(
        self,
        pools: list[Pool],
        terms: Terms,
        *,
        groups_relaxable: bool = False,
        unreleasable_included: int = 0,
        capacities: list[int | None] | None = None,
        executed: Executed | None = None,
    ):
        self.model = cp_model.CpModel()
        self.unreleasable_included = unreleasable_included
        self.pools = pools
        self.terms = terms
        if capacities is None:
            capacities = list(terms.stages) if terms.stages else [None]
        self.capacities: list[int | None] = capacities
        self.executed = executed
        self.groups_relaxable = groups_relaxable
        self.units: list[list[cp_model.IntVar]] = []  # per pool, per stage
        self.released_units: list[cp_model.IntVar] = []  # per pool, all stages
        self.slots: list[MemberSlot] = []
        self.group_links: list[tuple[cp_model.IntVar, cp_model.IntVar, int]] = []
        self.fixed_totals: dict[int, int] = {}  # pool -> units released, held by `fix_total`
        # Sums over the stages already built, by what they count (see `_over_stages`).
        self._sums: dict[tuple[object, ...], cp_model.LinearExprT] = {}
        for p, pool in enumerate(pools):
            per_stage = [
                self.model.new_int_var(0, pool.n_units, f"units_p{p}_s{s}") for s in self.stages
            ]
            self.units.append(per_stage)
            if len(per_stage) == 1:
                self.released_units.append(per_stage[0])
            else:
                total = self.model.new_int_var(0, pool.n_units, f"units_p{p}")
                # A unit is released at most once, in one stage.
                self.model.add(total == sum(per_stage))
                self.released_units.append(total)
            for m, (member, count) in enumerate(pool.members):
                if not (groups_relaxable and pool.is_group):
                    for s, unit_var in zip(self.stages, per_stage, strict=True):
                        self.slots.append(MemberSlot(pool, member, s, [(unit_var, count)], p))
                    continue
                # Members counted one by one (the group rule may be off): still, each
                # person is released at most once.
                members = [
                    self.model.new_int_var(0, pool.n_units * count, f"people_p{p}_m{m}_s{s}")
                    for s in self.stages
                ]
                self.model.add(sum(members) <= pool.n_units * count)
                for s, people, unit_var in zip(self.stages, members, per_stage, strict=True):
                    self.group_links.append((people, unit_var, count))
                    self.slots.append(MemberSlot(pool, member, s, [(people, 1)], p))

    def copy(self) -> ExchangeModel:
        """The same model, to be added to and searched apart from this one.

        CP-SAT's model is copied whole; the copy keeps every variable's index, so the
        variables held here (and sums already built of them) stand for the same
        quantities in both. Building a model and its rules costs 40 ms or more at
        100,000 people a side, copying it about one; the pools, slots and variable
        lists are never changed after `__init__` and are shared.
        """
        twin = copy.copy(self)
        twin.model = self.model.clone()
        twin.fixed_totals = dict(self.fixed_totals)
        twin._sums = dict(self._sums)
        return twin

    @property
    def stages(self) -> range:
        """Stage numbers, 1-based as in the plan."""
        return range(1, len(self.capacities) + 1)

    def pool_units(self, p: int) -> cp_model.IntVar:
        """Units of pool p released, all stages together."""
        return self.released_units[p]

    def fix_total(self, p: int, units: int) -> None:
        """Hold the units of pool p released, all stages together, at `units`."""
        if self.fixed_totals.get(p) == units:
            return  # held there already
        self.model.add(self.released_units[p] == units)
        self.fixed_totals[p] = units
        self._sums.clear()  # they are written differently now (see `_over_stages`)

    def select(
        self,
        *,
        side: Side | None = None,
        stage: int | None = None,
        civilian: bool | None = None,
        counted: bool | None = None,
        category: Category | None = None,
        required_by: str | None = None,
        excluded: bool | None = None,
    ) -> Iterator[MemberSlot]:
        for slot in self.slots:
            m = slot.member
            if (
                (side is None or slot.pool.side is side)
                and (stage is None or slot.stage == stage)
                and (civilian is None or m.civilian == civilian)
                and (counted is None or m.counted == counted)
                and (category is None or m.in_category(category))
                and (required_by is None or required_by in m.required_by)
                and (excluded is None or m.excluded == excluded)
            ):
                yield slot

    def people(
        self,
        *,
        side: Side | None = None,
        stage: int | None = None,
        civilian: bool | None = None,
        counted: bool | None = None,
        category: Category | None = None,
    ) -> cp_model.LinearExprT:
        """Number of released people matching every given condition."""
        if stage is not None:
            return self.sum_of(
                self.select(
                    side=side, stage=stage, civilian=civilian, counted=counted, category=category
                )
            )
        key = ("people", side, civilian, counted, category)
        if key not in self._sums:
            slots = self.select(side=side, civilian=civilian, counted=counted, category=category)
            self._sums[key] = self._over_stages(slots, 0)
        return self._sums[key]

    def stage_weighted(self, *, category: Category | None = None) -> cp_model.LinearExprT:
        """Sum of stage numbers of the released people (of one category, if given)."""
        key = ("stage_weighted", category)
        if key not in self._sums:
            self._sums[key] = self._over_stages(self.select(category=category), 1)
        return self._sums[key]

    def handed_over(self, side: Side, civilian: bool | None = None) -> int:
        """Repair: counted people of `side` (and status) handed over already; else 0."""
        return 0 if self.executed is None else self.executed.of(side, civilian)

    def changes(self) -> cp_model.LinearExprT:
        """Repair: the people of the pools whose assignment differs from the agreed plan.

        Each member class knows its agreed assignment (`MemberClass.agreed`), so a unit
        of a pool costs the same number of changes in a given stage, and another number
        when it is not released: the sum is linear in the unit counts.
        """
        variables: list[cp_model.IntVar] = []
        coefficients: list[int] = []
        constant = 0
        for p, pool in enumerate(self.pools):
            if_left = sum(n for m, n in pool.members if m.agreed != 0)
            constant += pool.n_units * if_left
            for stage, var in zip(self.stages, self.units[p], strict=True):
                if_in_stage = sum(n for m, n in pool.members if m.agreed != stage)
                if if_in_stage != if_left:
                    variables.append(var)
                    coefficients.append(if_in_stage - if_left)
        return cp_model.LinearExpr.weighted_sum(variables, coefficients) + constant

    def _over_stages(self, slots: Iterator[MemberSlot], per_stage: int) -> cp_model.LinearExprT:
        """Sum over every stage of the people in `slots`, each counted 1 + `per_stage`
        times the number of stages before theirs.

        Where a pool's total is fixed (`fix_total`), its people add up to a number, and
        only the stages after the first remain: the same value, without the first
        stage's count. CP-SAT's presolve would otherwise find each unit's "exactly one
        stage" inside every such sum (a frozen level, a stage order) and rewrite the sum
        once per unit: 70-100 ms of a staged search at 100,000 a side, where the search
        itself took 20-60 ms.
        """
        variables: list[cp_model.IntVar] = []
        coefficients: list[int] = []
        constant = 0
        for slot in slots:
            fixed = self.fixed_totals.get(slot.p)
            if fixed is not None and not (self.groups_relaxable and slot.pool.is_group):
                ((var, coef),) = slot.terms  # units of the pool in this stage
                if slot.stage == 1:
                    constant += coef * fixed
                elif per_stage:
                    variables.append(var)
                    coefficients.append(coef * per_stage * (slot.stage - 1))
                continue
            for var, coef in slot.terms:
                variables.append(var)
                coefficients.append(coef * (1 + per_stage * (slot.stage - 1)))
        expression = cp_model.LinearExpr.weighted_sum(variables, coefficients)
        return expression + constant if constant else expression

    def member_totals(
        self, *, required_by: str | None = None, excluded: bool | None = None
    ) -> Iterator[tuple[Pool, int, cp_model.LinearExprT]]:
        """Per pool and member class: the pool, its people of that class, and how many go.

        A repair with no stage left has no slots: its classes still count, none going.
        """
        totals: dict[tuple[int, int], list[MemberSlot]] = {}
        for slot in self.select(required_by=required_by, excluded=excluded):
            key = (slot.p, slot.member.code)
            totals.setdefault(key, []).append(slot)
        if not self.capacities:
            for p, pool in enumerate(self.pools):
                for member, _ in pool.members:
                    if (required_by is None or required_by in member.required_by) and (
                        excluded is None or member.excluded == excluded
                    ):
                        totals[p, member.code] = []
        for (p, code), slots in totals.items():
            pool = self.pools[p]
            per_unit = dict((m.code, n) for m, n in pool.members)[code]
            yield pool, pool.n_units * per_unit, self.sum_of(iter(slots))

    @staticmethod
    def sum_of(slots: Iterator[MemberSlot]) -> cp_model.LinearExprT:
        variables: list[cp_model.IntVar] = []
        coefficients: list[int] = []
        for slot in slots:
            for var, coef in slot.terms:
                variables.append(var)
                coefficients.append(coef)
        return cp_model.LinearExpr.weighted_sum(variables, coefficients)

    def enforce(self, constraint: cp_model.Constraint, when: RuleLiteral | None) -> None:
        """Make a constraint conditional on a rule's assumption literal, if there is one."""
        if when is not None:
            constraint.only_enforce_if(when)
