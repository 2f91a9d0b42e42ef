"""When no plan meets the terms: the smallest set of terms that cannot hold together.

A set of rules "holds together" when a model with just those rules has a plan; the
other rules are dropped (without the group rule, family members are counted one by
one). Starting from all the rules that have something to say, rules are dropped one
at a time while the rest still cannot hold: what stays is irreducible. Then every
smaller set is tried, so that the answer is a smallest one. Each check builds a fresh
model with its rules stated outright: CP-SAT proves such models infeasible at once,
where the same question asked through assumption literals can take minutes.
Each rule of the answer is explained with the numbers a negotiator can act on.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np

from solver.cpsat import cp_model
from solver.exchange_model import ExchangeModel, Executed
from solver.pools import Pool
from solver.roster import Roster, Rosters, category_mask
from solver.rules import RULES
from solver.schema import Conflict, Side
from solver.wording import people

_MAX_SUBSETS = 400  # smaller sets tried at most, after an irreducible one is found


@dataclass
class _Judge:
    """Answers "can these rules hold together?", remembering its answers."""

    rosters: Rosters
    pools: list[Pool]
    unreleasable_included: int
    deadline: float
    # A repair: the remaining stages' capacities, and what the executed ones fixed.
    capacities: list[int | None] | None = None
    executed: Executed | None = None
    answers: dict[frozenset[str], bool | None] = field(default_factory=dict)

    def model(self, rules: frozenset[str]) -> ExchangeModel:
        exchange = ExchangeModel(
            self.pools,
            self.rosters.terms,
            groups_relaxable="group" not in rules,
            unreleasable_included=self.unreleasable_included,
            capacities=self.capacities,
            executed=self.executed,
        )
        for rule in RULES:
            if rule.name in rules:
                rule.add(exchange, None)
        return exchange

    def infeasible(self, rules: tuple[str, ...]) -> bool | None:
        """True: these rules alone cannot hold; False: they can; None: not decided in time.

        Each rule only ever takes plans away, so fewer rules than a set that holds also
        hold, and more rules than a set that cannot hold cannot either: such sets are
        answered from the answers so far, without a model (at 100,000 people a side, a
        model and its search cost about 0.1 s).
        """
        key = frozenset(rules)
        if key not in self.answers:
            for known, infeasible in self.answers.items():
                if (infeasible is False and key <= known) or (infeasible is True and key >= known):
                    return infeasible
            solver = cp_model.CpSolver()
            solver.parameters.max_time_in_seconds = max(0.05, self.deadline - time.monotonic())
            solver.parameters.num_workers = 1
            status = solver.solve(self.model(key).model)
            self.answers[key] = (
                True
                if status == cp_model.INFEASIBLE
                else False
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
                else None
            )
        return self.answers[key]


def smallest_conflict(
    rosters: Rosters,
    pools: list[Pool],
    unreleasable_included: int,
    seconds: float,
    *,
    capacities: list[int | None] | None = None,
    executed: Executed | None = None,
) -> list[str]:
    """Rule names of a smallest infeasible set of terms (irreducible if time runs short).

    A repair passes the remaining stages' `capacities` and the `executed` stages' counts.
    """
    judge = _Judge(
        rosters, pools, unreleasable_included, time.monotonic() + seconds, capacities, executed
    )
    everything = judge.model(frozenset())
    names = tuple(rule.name for rule in RULES if rule.applies(everything))
    if judge.infeasible(names) is not True:
        return list(names)  # not shown infeasible in time: the honest answer is "all of them"
    core = list(names)
    # Drop every rule whose absence still leaves the rest infeasible: what stays is irreducible.
    for name in names:
        rest = tuple(r for r in core if r != name)
        if rest and judge.infeasible(rest) is True:
            core = list(rest)
    # An irreducible set need not be a smallest one: try every smaller set.
    tried = 0
    for size in range(1, len(core)):
        for subset in itertools.combinations(names, size):
            tried += 1
            if tried > _MAX_SUBSETS or time.monotonic() > judge.deadline:
                return core
            if judge.infeasible(subset) is True:
                return list(subset)
    return core


# ------------------------------------------------------------------ the sentences


@dataclass(frozen=True)
class _SideFacts:
    """Counts about one side's list that the conflict sentences quote."""

    side: Side
    listed: int
    ineligible: int
    refuse: int
    excluded: int
    outside_parity: int
    countable: int
    countable_civilians: int
    required: dict[str, int]
    required_counted: int
    groups: int
    largest_group: int

    @property
    def countable_military(self) -> int:
        return self.countable - self.countable_civilians


def _facts(roster: Roster, rosters: Rosters, rules: list[str]) -> _SideFacts:
    """Counts under the rules of the conflict only: others are not held against the side."""
    terms = rosters.terms
    releasable = roster.releasable
    excluded = releasable & roster.must_exclude if "must_exclude" in rules else releasable & False
    available = releasable & ~excluded
    outside = (roster.categories & category_mask(terms.outside_parity)) != 0
    countable = available & ~outside
    required = {
        "release_all": releasable & ((roster.categories & category_mask(terms.release_all)) != 0),
        "outside_parity": releasable & outside,
        "must_include": roster.must_include,
    }
    any_required = np.zeros(roster.size, dtype=bool)
    for rule, mask in required.items():
        if rule in rules:
            any_required |= mask
    group_sizes = np.bincount(roster.group[releasable & (roster.group >= 0)])
    return _SideFacts(
        side=roster.side,
        listed=roster.size,
        ineligible=int((~roster.eligible).sum()),
        refuse=int((roster.eligible & ~roster.consents).sum()),
        excluded=int(excluded.sum()),
        outside_parity=int((available & outside).sum()),
        countable=int(countable.sum()),
        countable_civilians=int((countable & roster.civilian).sum()),
        required={rule: int(mask.sum()) for rule, mask in required.items()},
        required_counted=int((any_required & ~outside).sum()),
        groups=int((group_sizes > 1).sum()),
        largest_group=int(group_sizes.max()) if group_sizes.size else 0,
    )


def explain(rule_names: list[str], rosters: Rosters) -> list[Conflict]:
    """One sentence per rule of the conflict, with the numbers behind it."""
    facts = [_facts(roster, rosters, rule_names) for roster in rosters]
    return [
        Conflict(rule=name, message=_sentence(name, rule_names, facts, rosters))
        for name in rule_names
    ]


_OBLIGATIONS = ("release_all", "outside_parity", "must_include")


def _sentence(rule: str, rules: list[str], facts: list[_SideFacts], rosters: Rosters) -> str:
    terms = rosters.terms
    a, b = facts
    if rule == "min_per_side":
        tight = min(facts, key=lambda f: f.countable)
        parts = [f"{tight.listed:,} listed", f"{tight.ineligible:,} ineligible"]
        parts.append(f"{tight.refuse:,} refuse")
        if tight.excluded:
            parts.append(f"{tight.excluded:,} excluded by must_exclude")
        if tight.outside_parity:
            parts.append(f"{tight.outside_parity:,} outside parity, not counted")
        return (
            f"{tight.side.value} can release at most {people(tight.countable)} counted: "
            f"{', '.join(parts)}; min_per_side is {terms.min_per_side:,}."
        )
    if rule == "max_per_side":
        most = max(facts, key=lambda f: f.required_counted)
        return (
            f"{most.side.value} must release at least {people(most.required_counted)} counted "
            f"({', '.join(r for r in rules if r in _OBLIGATIONS)}); max_per_side is "
            f"{terms.max_per_side:,}."
        )
    if rule == "parity":
        if terms.parity == "per_status":
            return (
                "Counted releases must balance stage by stage, military for military and "
                f"civilian for civilian: side_a can release at most {a.countable_military:,} "
                f"military and {a.countable_civilians:,} civilians, side_b at most "
                f"{b.countable_military:,} military and {b.countable_civilians:,} civilians; "
                f"side_a must release {people(a.required_counted)} counted and side_b "
                f"{b.required_counted:,}."
            )
        return (
            "Counted releases must balance stage by stage: side_a can release at most "
            f"{people(a.countable)} counted and must release {a.required_counted:,}; side_b can "
            f"release at most {b.countable:,} and must release {b.required_counted:,}."
        )
    if rule in ("release_all", "outside_parity"):
        listed = ", ".join(getattr(terms, rule))
        tail = " (not counted for parity)" if rule == "outside_parity" else ""
        return (
            f"{rule} ({listed}) requires every releasable member to go{tail}: "
            f"{a.required[rule]:,} on side_a, {b.required[rule]:,} on side_b."
        )
    if rule == "stages":
        capacities = terms.stages or []
        return (
            f"Stage capacities are {', '.join(f'{c:,}' for c in capacities)} people per side "
            f"({sum(capacities):,} in all)."
        )
    if rule == "civilians_separately":
        stages = len(terms.stages or [0])
        return (
            f"Each of the {stages} stage(s) may hold only civilians or only military people; "
            f"side_a has {a.countable_civilians:,} civilians and {a.countable_military:,} "
            f"military people to place, side_b {b.countable_civilians:,} and "
            f"{b.countable_military:,}."
        )
    if rule == "must_include":
        return _must_include_sentence(rosters)
    if rule == "must_exclude":
        named = [len(terms.must_exclude.of(side)) for side in Side]
        return (
            f"must_exclude keeps {people(named[0])} of side_a and {people(named[1])} of side_b "
            "from release, including people other terms require to go."
        )
    return (
        f"Groups travel together in one stage: {a.groups:,} groups on side_a and {b.groups:,} on "
        f"side_b, the largest of {people(max(a.largest_group, b.largest_group))}."
    )


def _must_include_sentence(rosters: Rosters) -> str:
    terms = rosters.terms
    problems: list[str] = []
    for roster in rosters:
        index = roster.index_of()
        for pid in terms.must_include.of(roster.side):
            i = index[pid]
            if not roster.eligible[i]:
                reason = roster.ineligible_reasons.get(i)
                reason = f" ({reason})" if reason else ""
                problems.append(f"{roster.side.value} {pid} is ineligible{reason}")
            elif not roster.consents[i]:
                problems.append(f"{roster.side.value} {pid} refuses repatriation")
    named = [len(terms.must_include.of(side)) for side in Side]
    head = f"must_include names {people(named[0])} of side_a and {people(named[1])} of side_b"
    if problems:
        return f"{head}; {'; '.join(problems[:10])}."
    return f"{head}, who must all be released."
