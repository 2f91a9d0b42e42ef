"""The day of the exchange: the agreed plan read, and the events applied in order.

Everything a repair needs to know before it plans is worked out here, once: the lists
as they stand after every `add` and `update`, who was agreed for which stage, who
dropped out (and why), and who was handed over in each executed stage. A plan or an
event that cannot be applied (an unknown id or stage, a stage executed twice or out of
order, someone handed over twice) is an input error naming the side, the id and the
field, like any other; every such problem is reported at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from solver.categories import reference_date_of
from solver.input_errors import InputProblem, InvalidRequest
from solver.schema import (
    AddDetainee,
    AgreedPlan,
    Detainee,
    Dropout,
    DropoutReason,
    ExchangeRequest,
    RepairRequest,
    Side,
    SideList,
    StageExecuted,
    UpdateDetainee,
)

SIDES: tuple[Side, Side] = (Side.A, Side.B)


@dataclass(frozen=True)
class ExecutedStage:
    """A stage that happened, and who crossed in it (ids in the order given)."""

    number: int
    handed_over: dict[Side, list[str]]


@dataclass(frozen=True)
class DayOfExchange:
    """The agreed plan and the lists once every event is applied.

    `request` holds the lists after every `add` and `update`, under the agreed terms;
    `agreed` maps each side's agreed ids to their agreed stage; `executed` lists the
    executed stages in order (1, 2, ...); `dropouts` maps ids to their dropout reason.
    """

    request: ExchangeRequest
    stage_count: int
    agreed: dict[Side, dict[str, int]]
    executed: list[ExecutedStage]
    dropouts: dict[Side, dict[str, DropoutReason]]

    @property
    def first_remaining(self) -> int:
        """The number of the first stage not yet executed (stage_count + 1 when none is)."""
        return len(self.executed) + 1

    @property
    def remaining(self) -> range:
        return range(self.first_remaining, self.stage_count + 1)

    def handed_over(self, side: Side) -> dict[str, int]:
        """Who crossed from `side`, with the stage they crossed in."""
        return {pid: stage.number for stage in self.executed for pid in stage.handed_over[side]}


def stage_count_of(request: ExchangeRequest) -> int:
    stages = request.terms.stages
    return 1 if stages is None else len(stages)


def apply_events(request: RepairRequest, *, checked: bool = False) -> DayOfExchange:
    """Read the agreed plan and apply the events in order; raise `InvalidRequest` naming
    every plan entry or event that cannot be applied.

    `checked`: the request has passed here before, so the checks of the plan as a whole
    (a split group, an executed stage without its event) are not run again; the day is
    the same. The service checks a repair when it takes it in, and its worker, in
    another process, repairs it: at 100,000 people a side the group check alone costs
    as much as applying the events.
    """
    reader = _Reader(request)
    agreed = reader.agreed_plan(request.plan)
    day, state = reader.events(agreed)
    if not checked:
        reader.groups_kept(agreed, state)
        reader.executed_said(request.plan, day)
    if reader.problems:
        raise InvalidRequest(reader.problems)
    return day


@dataclass
class _Reader:
    request: RepairRequest
    problems: list[InputProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stage_count = stage_count_of(self.request)
        self.on = reference_date_of(self.request.terms)
        # Each side's people by id: the lists as sent while the plan is read, then as
        # the events change them.
        self.people = {side: {d.id: d for d in self.request.side(side).detainees} for side in SIDES}
        # The ids an agreed plan may name: the lists', and those the events add. A case's
        # plan, once a repair of it is published, is read with every event recorded on the
        # case, and that repair may already place people the events listed late.
        self.nameable: dict[Side, set[str]] = {side: set(self.people[side]) for side in SIDES}
        for event in self.request.events:
            if isinstance(event, AddDetainee):
                self.nameable[event.side].add(event.detainee.id)

    def problem(
        self, side: Side | None, pid: str | None, where: str, rule: str, message: str
    ) -> None:
        self.problems.append(
            InputProblem(
                side=side.value if side is not None else None,
                id=pid,
                field=where,
                rule=rule,
                message=message,
            )
        )

    # ------------------------------------------------------------------ the agreed plan

    def agreed_plan(self, plan: AgreedPlan) -> dict[Side, dict[str, int]]:
        """Each side's agreed ids and their stage; a plan without stages is one stage."""
        entries = self._plan_entries(plan)
        agreed = self._agreed_at_once(entries)
        if agreed is None:
            agreed = self._agreed_one_by_one(entries)
        if plan.stages and plan.released is not None:
            for side in SIDES:
                named = set(plan.released.of(side))
                for pid in sorted(named ^ set(agreed[side])):
                    self.problem(
                        side,
                        pid,
                        f"plan.released.{side.value}",
                        "released_mismatch",
                        "the plan's released list and its stages disagree about the id",
                    )
        return agreed

    def _agreed_at_once(
        self, entries: list[tuple[str, int, Side, list[str]]]
    ) -> dict[Side, dict[str, int]] | None:
        """The agreed stages read in bulk, or None when some id is unknown or placed twice
        (then `_agreed_one_by_one` names each): one Python step per id is most of the
        time of applying a day at 100,000 people a side."""
        agreed: dict[Side, dict[str, int]] = {side: {} for side in SIDES}
        named = dict.fromkeys(SIDES, 0)
        for _, number, side, ids in entries:
            agreed[side].update(dict.fromkeys(ids, number))
            named[side] += len(ids)
        for side in SIDES:
            known = self.nameable[side]
            if len(agreed[side]) != named[side] or not agreed[side].keys() <= known:
                return None
        return agreed

    def _agreed_one_by_one(
        self, entries: list[tuple[str, int, Side, list[str]]]
    ) -> dict[Side, dict[str, int]]:
        """The agreed stages, naming every unknown id and every id placed twice."""
        agreed: dict[Side, dict[str, int]] = {side: {} for side in SIDES}
        for where, number, side, ids in entries:
            known, placed = self.nameable[side], agreed[side]
            for k, pid in enumerate(ids):
                if pid in known and pid not in placed:
                    placed[pid] = number
                elif pid not in known:
                    self.problem(
                        side,
                        pid,
                        f"{where}[{k}]",
                        "unknown_id",
                        f"the plan names an id not in {side}'s list",
                    )
                else:
                    self.problem(
                        side,
                        pid,
                        f"{where}[{k}]",
                        "duplicate_release",
                        f"the plan releases the id more than once (stage {placed[pid]} "
                        f"and stage {number})",
                    )
        return agreed

    def _plan_entries(self, plan: AgreedPlan) -> list[tuple[str, int, Side, list[str]]]:
        """(where, stage number, side, ids) for every list of the plan with a valid stage."""
        if not plan.stages:
            released = plan.released
            if released is None:
                return []
            return [(f"plan.released.{side.value}", 1, side, released.of(side)) for side in SIDES]
        entries: list[tuple[str, int, Side, list[str]]] = []
        seen: set[int] = set()
        for k, stage in enumerate(plan.stages):
            where = f"plan.stages[{k}]"
            if not 1 <= stage.number <= self.stage_count:
                self.problem(
                    None,
                    None,
                    f"{where}.number",
                    "unknown_stage",
                    f"stage {stage.number} is not one of the terms' {self.stage_count} stage(s)",
                )
                continue
            if stage.number in seen:
                self.problem(
                    None,
                    None,
                    f"{where}.number",
                    "duplicate_stage",
                    f"stage {stage.number} appears more than once in the plan",
                )
                continue
            seen.add(stage.number)
            entries.extend(
                (f"{where}.{side.value}", stage.number, side, stage.of(side)) for side in SIDES
            )
        return entries

    def groups_kept(self, agreed: dict[Side, dict[str, int]], explained: _State) -> None:
        """The agreed plan keeps every group of the lists as sent together (its releasable
        members in one stage, or none of them), but where an event explains the split: a
        member handed over, dropped out, or moved in or out of the group by an update (of
        `group`, or of `eligible` or `consents` making them releasable or not). A plan
        repaired earlier splits groups so; an update of anything else explains nothing."""
        for side in SIDES:
            members: dict[str, list[str]] = {}
            aside = (
                explained.handed[side].keys() | explained.dropouts[side] | explained.regrouped[side]
            )
            for d in self.request.side(side).detainees:
                if d.group is not None and d.releasable and d.id not in aside:
                    members.setdefault(d.group, []).append(d.id)
            for ids in members.values():
                stages = {agreed[side].get(pid, 0) for pid in ids}
                if len(stages) > 1:
                    # Group labels may carry a family name: the group is named by its ids.
                    where = ", ".join(f"{pid} ({_agreed_text(agreed[side], pid)})" for pid in ids)
                    self.problem(
                        side,
                        ids[0],
                        "plan",
                        "group",
                        f"the plan splits a group that travels together: {where}",
                    )

    def executed_said(self, plan: AgreedPlan, day: DayOfExchange) -> None:
        """A stage the plan marks executed (a plan repaired before) needs its event: the
        events are the whole day, in order, and a stage left out would be planned anew."""
        executed = {stage.number for stage in day.executed}
        for k, stage in enumerate(plan.stages):
            if stage.executed and stage.number not in executed:
                self.problem(
                    None,
                    None,
                    f"plan.stages[{k}].executed",
                    "executed_without_event",
                    f"stage {stage.number} is marked executed: send its stage_executed event "
                    "too (the events are the whole day, in order)",
                )

    # ------------------------------------------------------------------ the events

    def events(self, agreed: dict[Side, dict[str, int]]) -> tuple[DayOfExchange, _State]:
        people = self.people
        state = _State(people, agreed)
        for i, event in enumerate(self.request.events):
            where = f"events[{i}]"
            if isinstance(event, Dropout):
                self._dropout(state, event, where)
            elif isinstance(event, StageExecuted):
                self._stage_executed(state, event, where)
            elif isinstance(event, AddDetainee):
                self._add(state, event, where)
            else:
                self._update(state, event, where)
        base = self.request
        # Built without validating again: every person in it was checked on the way in.
        after = ExchangeRequest.model_construct(
            terms=base.terms,
            side_a=SideList.model_construct(
                name=base.side_a.name, detainees=list(people[Side.A].values())
            ),
            side_b=SideList.model_construct(
                name=base.side_b.name, detainees=list(people[Side.B].values())
            ),
            options=base.options,
        )
        day = DayOfExchange(
            request=after,
            stage_count=self.stage_count,
            agreed=agreed,
            executed=state.executed,
            dropouts=state.dropouts,
        )
        return day, state

    def _dropout(self, state: _State, event: Dropout, where: str) -> None:
        side, pid = event.side, event.id
        if pid not in state.people[side]:
            self.problem(side, pid, f"{where}.id", "unknown_id", f"not in {side}'s list")
        elif pid in state.handed[side]:
            self.problem(
                side,
                pid,
                f"{where}.id",
                "already_handed_over",
                f"was handed over in stage {state.handed[side][pid]}; a dropout cannot undo it",
            )
        elif pid in state.dropouts[side]:
            self.problem(
                side, pid, f"{where}.id", "duplicate_dropout", "dropped out in an earlier event"
            )
        else:
            state.dropouts[side][pid] = event.reason

    def _stage_executed(self, state: _State, event: StageExecuted, where: str) -> None:
        number, expected = event.number, len(state.executed) + 1
        if number > self.stage_count:
            self.problem(
                None,
                None,
                f"{where}.number",
                "unknown_stage",
                f"stage {number} is not one of the terms' {self.stage_count} stage(s)",
            )
            return
        if number != expected:
            rule, message = (
                ("stage_executed_twice", f"stage {number} was executed in an earlier event")
                if number < expected
                else (
                    "stage_order",
                    f"stages are executed in order: stage {expected} comes before stage {number}",
                )
            )
            self.problem(None, None, f"{where}.number", rule, message)
            return
        crossed: dict[Side, list[str]] = {}
        for side in SIDES:
            given = event.handed_over.of(side) if event.handed_over is not None else None
            if given is None:
                # As agreed, less those who dropped out (or crossed already) before.
                crossed[side] = [
                    pid
                    for pid, stage in state.agreed[side].items()
                    if stage == number
                    and pid not in state.dropouts[side]
                    and pid not in state.handed[side]
                ]
                continue
            crossed[side] = list(self._handed_over(state, side, given, f"{where}.handed_over"))
        for side in SIDES:
            for pid in crossed[side]:
                state.handed[side][pid] = number
        state.executed.append(ExecutedStage(number, crossed))

    def _handed_over(
        self, state: _State, side: Side, ids: Sequence[str], where: str
    ) -> Iterator[str]:
        seen: set[str] = set()
        for k, pid in enumerate(ids):
            at = f"{where}.{side.value}[{k}]"
            if pid not in state.people[side]:
                self.problem(side, pid, at, "unknown_id", f"not in {side}'s list")
            elif pid in seen:
                self.problem(side, pid, at, "duplicate_id", "named twice in the same stage")
            elif pid in state.handed[side]:
                self.problem(
                    side,
                    pid,
                    at,
                    "already_handed_over",
                    f"was handed over in stage {state.handed[side][pid]} already",
                )
            elif pid in state.dropouts[side]:
                self.problem(
                    side,
                    pid,
                    at,
                    "dropped_out",
                    "dropped out in an earlier event; if the person crossed after all, leave "
                    "that dropout out",
                )
            else:
                seen.add(pid)
                yield pid

    def _add(self, state: _State, event: AddDetainee, where: str) -> None:
        side, person = event.side, event.detainee
        if person.id in state.people[side]:
            self.problem(
                side,
                person.id,
                f"{where}.detainee.id",
                "duplicate_id",
                f"is already in {side}'s list; use an update event to change the person",
            )
            return
        if self._born_after(side, person, f"{where}.detainee.birth_date"):
            return
        state.people[side][person.id] = person

    def _update(self, state: _State, event: UpdateDetainee, where: str) -> None:
        side, pid = event.side, event.id
        person = state.people[side].get(pid)
        if person is None:
            self.problem(side, pid, f"{where}.id", "unknown_id", f"not in {side}'s list")
            return
        given = event.fields.given()
        if not given:
            self.problem(
                side,
                pid,
                f"{where}.fields",
                "empty_update",
                "the update changes nothing: give each field that changed, with its new value",
            )
            return
        updated = person.model_copy(update=given)
        if self._born_after(side, updated, f"{where}.fields.birth_date"):
            return
        state.people[side][pid] = updated
        if _travels_with(updated) != _travels_with(person):
            state.regrouped[side].add(pid)

    def _born_after(self, side: Side, person: Detainee, where: str) -> bool:
        if person.birth_date is None or person.birth_date <= self.on:
            return False
        self.problem(
            side,
            person.id,
            where,
            "birth_date_after_reference_date",
            f"the birth date is after the reference date {self.on.isoformat()}",
        )
        return True


def _travels_with(person: Detainee) -> str | None:
    """The group a person must travel with: theirs, while they can be released."""
    return person.group if person.releasable else None


def _agreed_text(agreed: dict[str, int], pid: str) -> str:
    return f"stage {agreed[pid]}" if pid in agreed else "not released"


@dataclass
class _State:
    """The day so far, while the events are applied."""

    people: dict[Side, dict[str, Detainee]]
    agreed: dict[Side, dict[str, int]]
    executed: list[ExecutedStage] = field(default_factory=list)
    handed: dict[Side, dict[str, int]] = field(default_factory=lambda: {s: {} for s in SIDES})
    dropouts: dict[Side, dict[str, DropoutReason]] = field(
        default_factory=lambda: {s: {} for s in SIDES}
    )
    # Who an update moved into or out of a group (see `_travels_with`).
    regrouped: dict[Side, set[str]] = field(default_factory=lambda: {s: set() for s in SIDES})
