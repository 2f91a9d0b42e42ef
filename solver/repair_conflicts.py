"""When a repair cannot meet the terms: the conflict said with the day's numbers.

The smallest set of conflicting terms is found as for a plan (`solver.conflicts`), on
what is left to decide. The sentences differ: a repair's terms hold for the whole
exchange, so a negotiator needs what the executed stages already did. People handed
over count toward the floor and the cap and are told apart from those still to place;
people who dropped out are counted as such, never as ineligible; the places left are
those of the stages still to come, none when every stage is executed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solver.roster import BoolArray, IntArray, Roster, Rosters, category_mask
from solver.schema import Conflict, Side
from solver.wording import people

SIDES: tuple[Side, Side] = (Side.A, Side.B)
_OBLIGATIONS = ("release_all", "outside_parity", "must_include")


@dataclass(frozen=True)
class DaySoFar:
    """What the day has settled, as the sentences need it.

    `rosters` are the lists after the events (people who dropped out made ineligible);
    `handed` holds each person's executed stage (0: not handed over); `capacities` are
    the remaining stages' capacities (none when every stage is executed), the first of
    them stage `first_remaining`.
    """

    rosters: Rosters
    handed: dict[Side, IntArray]
    dropped: dict[Side, BoolArray]
    capacities: list[int | None]
    first_remaining: int

    @property
    def executed(self) -> list[int]:
        return list(range(1, self.first_remaining))

    @property
    def remaining(self) -> list[int]:
        return list(range(self.first_remaining, self.first_remaining + len(self.capacities)))


@dataclass(frozen=True)
class _SideToday:
    """Counts about one side's list on the day, under the rules of the conflict only."""

    side: Side
    listed: int
    handed: int  # handed over in executed stages, counted or not
    handed_counted: int
    handed_counted_civilians: int
    handed_required: dict[str, int]  # members of an obligation already handed over
    dropped: int  # dropped out (and not handed over)
    ineligible: int  # of the others, still listed
    refuse: int
    excluded: int
    outside_parity: int  # releasable, still to place, not counted
    countable: int  # releasable, still to place, counted
    countable_civilians: int
    required: dict[str, int]  # still to place, per obligation
    # Still to place under the obligations of the conflict (with their groups, when the
    # group rule is part of it), counted and not.
    required_counted: int
    required_uncounted: int
    groups: int
    largest_group: int

    @property
    def handed_counted_military(self) -> int:
        return self.handed_counted - self.handed_counted_civilians

    @property
    def countable_military(self) -> int:
        return self.countable - self.countable_civilians


def _side_today(
    roster: Roster, rosters: Rosters, handed: IntArray, dropped: BoolArray, rules: list[str]
) -> _SideToday:
    terms = rosters.terms
    crossed = handed > 0
    still = ~crossed & ~dropped
    releasable = roster.releasable & still
    excluded = releasable & roster.must_exclude if "must_exclude" in rules else releasable & False
    available = releasable & ~excluded
    outside = (roster.categories & category_mask(terms.outside_parity)) != 0
    in_release_all = (roster.categories & category_mask(terms.release_all)) != 0
    countable = available & ~outside
    members = {
        "release_all": in_release_all,
        "outside_parity": outside,
        "must_include": roster.must_include,
    }
    # Still to place: releasable members (anyone named, for must_include: naming someone
    # who cannot go is a conflict of its own).
    required = {
        rule: (mask & releasable if rule != "must_include" else mask & still)
        for rule, mask in members.items()
    }
    any_required = np.zeros(roster.size, dtype=bool)
    for rule, mask in required.items():
        if rule in rules:
            any_required |= mask
    if "group" in rules:
        # Whoever must go takes the rest of their group along.
        grouped = releasable & (roster.group >= 0)
        families = roster.group[any_required & grouped]
        any_required |= grouped & np.isin(roster.group, families)
    handed_counted = crossed & ~outside
    group_sizes = np.bincount(roster.group[releasable & (roster.group >= 0)])
    return _SideToday(
        side=roster.side,
        listed=roster.size,
        handed=int(crossed.sum()),
        handed_counted=int(handed_counted.sum()),
        handed_counted_civilians=int((handed_counted & roster.civilian).sum()),
        handed_required={rule: int((mask & crossed).sum()) for rule, mask in members.items()},
        dropped=int((dropped & ~crossed).sum()),
        ineligible=int((still & ~roster.eligible).sum()),
        refuse=int((still & roster.eligible & ~roster.consents).sum()),
        excluded=int(excluded.sum()),
        outside_parity=int((available & outside).sum()),
        countable=int(countable.sum()),
        countable_civilians=int((countable & roster.civilian).sum()),
        required={rule: int(mask.sum()) for rule, mask in required.items()},
        required_counted=int((any_required & ~outside).sum()),
        required_uncounted=int((any_required & outside).sum()),
        groups=int((group_sizes > 1).sum()),
        largest_group=int(group_sizes.max()) if group_sizes.size else 0,
    )


def explain_repair(rule_names: list[str], day: DaySoFar) -> list[Conflict]:
    """One sentence per rule of the conflict, with the day's numbers behind it."""
    facts = [
        _side_today(roster, day.rosters, day.handed[side], day.dropped[side], rule_names)
        for side, roster in zip(SIDES, day.rosters, strict=True)
    ]
    return [
        Conflict(rule=name, message=_Sentences(rule_names, facts, day).of(name))
        for name in rule_names
    ]


@dataclass(frozen=True)
class _Sentences:
    rules: list[str]
    facts: list[_SideToday]
    day: DaySoFar

    def of(self, rule: str) -> str:
        """The sentence of one rule of the conflict (a rule name of `solver.rules`)."""
        if rule in ("release_all", "outside_parity"):
            return self.obligation(rule)
        sentences: dict[str, Callable[[], str]] = {
            "min_per_side": self.min_per_side,
            "max_per_side": self.max_per_side,
            "parity": self.parity,
            "stages": self.stages,
            "civilians_separately": self.civilians_separately,
            "must_include": self.must_include,
            "must_exclude": self.must_exclude,
            "group": self.group,
        }
        return sentences[rule]()

    # ------------------------------------------------------------------ pieces

    @property
    def executed(self) -> str:
        """'executed stage 1', 'executed stages 1, 2'."""
        return _stages_text("executed stage", self.day.executed)

    @property
    def remaining(self) -> str:
        return _stages_text("stage", self.day.remaining)

    @property
    def no_stage_left(self) -> bool:
        return not self.day.capacities

    def places(self) -> int | None:
        """Places per side in the remaining stages, as far as the conflict's rules
        count them: none left when every stage is executed; None when unlimited."""
        if self.no_stage_left:
            return 0
        if "stages" not in self.rules or None in self.day.capacities:
            return None
        return sum(c for c in self.day.capacities if c is not None)

    def more_at_most(self, f: _SideToday) -> int:
        """Counted people this side can still release in the remaining stages: as many
        as it has, as far as the places left for them go (people outside parity who
        must go take their places first)."""
        places = self.places()
        if places is None:
            return f.countable
        return min(f.countable, max(0, places - f.required_uncounted))

    def still_listed(self, f: _SideToday) -> str:
        """Where the side's list stands: who crossed, dropped out, cannot go, is left."""
        parts = [f"{f.listed:,} listed"]
        if self.day.executed:
            parts.append(f"{f.handed:,} handed over")
        parts += [
            f"{f.dropped:,} dropped out",
            f"{f.ineligible:,} ineligible",
            f"{f.refuse:,} refuse",
        ]
        if f.excluded:
            parts.append(f"{f.excluded:,} excluded by must_exclude")
        if f.outside_parity:
            parts.append(f"{f.outside_parity:,} outside parity, not counted")
        return ", ".join(parts)

    # ------------------------------------------------------------------ the rules

    def min_per_side(self) -> str:
        terms = self.day.rosters.terms
        tight = min(self.facts, key=lambda f: f.handed_counted + self.more_at_most(f))
        more = self.more_at_most(tight)
        total = tight.handed_counted + more
        head = f"{tight.side.value} can release at most {_counted(total)}"
        floor = f"min_per_side is {terms.min_per_side:,}"
        if self.no_stage_left:
            done = f"{tight.handed_counted:,} handed over in {self.executed}"
            return f"{head}: {done}, and no stage is left; {floor}."
        places = self.places()
        room = ""
        if places is not None and more < tight.countable:
            room = f", with room for {people(places)} per side"
            if tight.required_uncounted:
                room += (
                    f", {tight.required_uncounted:,} of them for people outside parity who must go"
                )
        if not self.day.executed:
            if room:
                have = "has" if len(self.day.capacities) == 1 else "have"
                room = f"; {self.remaining} {have}{room[len(', with') :]}"
            return f"{head}: {self.still_listed(tight)}{room}; {floor}."
        done = f"{tight.handed_counted:,} handed over in {self.executed}"
        return (
            f"{head}: {done}, and at most {more:,} more in {self.remaining}{room} "
            f"({self.still_listed(tight)}); {floor}."
        )

    def max_per_side(self) -> str:
        terms = self.day.rosters.terms
        most = max(self.facts, key=lambda f: f.handed_counted + f.required_counted)
        total = most.handed_counted + most.required_counted
        parts = []
        if self.day.executed:
            parts.append(f"{most.handed_counted:,} handed over in {self.executed}")
        obligations = [r for r in self.rules if r in _OBLIGATIONS]
        if obligations:
            parts.append(f"{most.required_counted:,} still required by {', '.join(obligations)}")
        because = f" ({'; '.join(parts)})" if parts else ""
        return (
            f"{most.side.value} must release at least {_counted(total)}{because}; "
            f"max_per_side is {terms.max_per_side:,}."
        )

    def parity(self) -> str:
        a, b = self.facts
        per_status = self.day.rosters.terms.parity == "per_status"
        if per_status:
            handed = (
                f"side_a handed over {a.handed_counted_military:,} counted military and "
                f"{_civilians(a.handed_counted_civilians)}, side_b "
                f"{b.handed_counted_military:,} and {b.handed_counted_civilians:,}"
            )
        else:
            handed = f"side_a handed over {_counted(a.handed_counted)}, side_b {b.handed_counted:,}"
        if self.no_stage_left:
            return (
                f"Counted releases must balance{' by status' if per_status else ''}: in "
                f"{self.executed} {handed}, and no stage is left to make up the difference."
            )
        rule = (
            "Counted releases must balance stage by stage, military for military and "
            "civilian for civilian"
            if per_status
            else "Counted releases must balance stage by stage"
        )
        carried = (
            f"; stage {self.day.first_remaining} also makes up {self.executed}, where {handed}"
            if self.day.executed
            else ""
        )
        if per_status:
            can = (
                f"side_a can release at most {a.countable_military:,} more military and "
                f"{_civilians(a.countable_civilians)}, side_b at most "
                f"{b.countable_military:,} and {b.countable_civilians:,}"
            )
        else:
            can = (
                f"side_a can release at most {a.countable:,} more counted, side_b at most "
                f"{b.countable:,}"
            )
        must = (
            f"; side_a must release {_counted(a.required_counted)} and side_b "
            f"{b.required_counted:,} ({', '.join(r for r in self.rules if r in _OBLIGATIONS)})"
            if a.required_counted or b.required_counted
            else ""
        )
        return f"{rule}{carried}. In {self.remaining} {can}{must}."

    def stages(self) -> str:
        capacities = [c for c in self.day.capacities if c is not None]
        where = self.remaining.capitalize()
        if len(capacities) == 1:
            text = f"{where} remains, with room for {people(capacities[0])} per side"
        else:
            room = ", ".join(f"{c:,}" for c in capacities[:-1]) + f" and {capacities[-1]:,}"
            text = (
                f"{where} remain, with room for {room} per side ({people(sum(capacities))} in all)"
            )
        if self.day.executed:
            text += f" ({self.executed} {'is' if len(self.day.executed) == 1 else 'are'} over)"
        needs = [(f.side.value, n) for f in self.facts if (n := self.needs(f)) > 0]
        if needs:
            (side, n), *others = needs
            text += f"; {side} needs at least {_places(n)} there"
            text += "".join(f" and {other} {m:,}" for other, m in others)
        return f"{text}."

    def needs(self, f: _SideToday) -> int:
        """Places a side needs in the remaining stages under the conflict's other terms."""
        terms = self.day.rosters.terms
        counted = f.required_counted
        if "min_per_side" in self.rules:
            counted = max(counted, terms.min_per_side - f.handed_counted)
        if "parity" in self.rules:
            other = max(o.handed_counted for o in self.facts)
            counted = max(counted, other - f.handed_counted)
        return counted + f.required_uncounted

    def obligation(self, rule: str) -> str:
        terms = self.day.rosters.terms
        a, b = self.facts
        listed = ", ".join(getattr(terms, rule))
        tail = " (not counted for parity)" if rule == "outside_parity" else ""
        text = (
            f"{rule} ({listed}) requires every releasable member to go{tail}: "
            f"{a.required[rule]:,} on side_a and {b.required[rule]:,} on side_b still to go"
        )
        if self.day.executed:
            text += (
                f" ({a.handed_required[rule]:,} and {b.handed_required[rule]:,} handed over "
                f"in {self.executed})"
            )
        if self.no_stage_left:
            text += ", and no stage is left"
        return f"{text}."

    def civilians_separately(self) -> str:
        a, b = self.facts
        return (
            f"Each of {self.remaining} may hold only civilians or only military people; "
            f"side_a has {a.countable_civilians:,} civilians and {a.countable_military:,} "
            f"military people still to place, side_b {b.countable_civilians:,} and "
            f"{b.countable_military:,}."
        )

    def must_include(self) -> str:
        terms = self.day.rosters.terms
        counts: list[str] = []
        problems: list[str] = []
        settled: list[str] = []
        for side, roster, f in zip(SIDES, self.day.rosters, self.facts, strict=True):
            counts.append(f"{people(f.required['must_include'])} of {side.value}")
            named = len(terms.must_include.of(side))
            handed = f.handed_required["must_include"]
            lifted = named - handed - f.required["must_include"]
            done = [f"{handed:,} handed over"] if handed else []
            if lifted:
                done.append(f"{lifted:,} dropped out, which lifts the requirement")
            if done:
                settled.append(f"{side.value}: {', '.join(done)}")
            problems += _unreleasable(roster, self.day.handed[side], self.day.dropped[side])
        text = f"must_include names {' and '.join(counts)} still to release"
        if settled:
            text += f" ({'; '.join(settled)})"
        if problems:
            text += f"; {'; '.join(problems[:10])}"
        elif self.no_stage_left:
            text += ", and no stage is left"
        return f"{text}."

    def must_exclude(self) -> str:
        a, b = self.facts
        return (
            f"must_exclude keeps {people(a.excluded)} of side_a and {people(b.excluded)} of "
            "side_b still listed from release, including people other terms require to go."
        )

    def group(self) -> str:
        a, b = self.facts
        return (
            f"Groups travel together in one stage: {a.groups:,} groups on side_a and "
            f"{b.groups:,} on side_b still to place, the largest of "
            f"{people(max(a.largest_group, b.largest_group))}."
        )


def _unreleasable(roster: Roster, handed: IntArray, dropped: BoolArray) -> list[str]:
    """People named in must_include, still to place, who cannot be released."""
    found = []
    named = np.flatnonzero(roster.must_include & (handed == 0) & ~dropped & ~roster.releasable)
    for i in named.tolist():
        pid = roster.ids[i]
        if not roster.eligible[i]:
            reason = roster.ineligible_reasons.get(i)
            found.append(
                f"{roster.side.value} {pid} is ineligible{f' ({reason})' if reason else ''}"
            )
        else:
            found.append(f"{roster.side.value} {pid} refuses repatriation")
    return found


def _counted(count: int) -> str:
    """'1 counted person', '1,034 counted people'."""
    return f"{count:,} counted {'person' if count == 1 else 'people'}"


def _civilians(count: int) -> str:
    return f"{count:,} {'civilian' if count == 1 else 'civilians'}"


def _places(count: int) -> str:
    return f"{count:,} {'place' if count == 1 else 'places'}"


def _stages_text(word: str, numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"{word} {numbers[0]}"
    return f"{word}s {', '.join(map(str, numbers))}"
