"""Hypothesis strategies for the day of the exchange: agreed plans and their events.

A repair request is a request from `tests.strategies`, an agreed plan for it (its optimal
plan, or one drawn at random that keeps groups together), and a few events that apply:
dropouts, stages executed in order (as agreed, or with who actually crossed, someone
missing or someone unexpected), people listed late, and changed facts (a refusal, an
illness, a new group). Every drawn request passes `solver.events.apply_events`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from solver import solve
from solver.schema import (
    AgreedPlan,
    AgreedStage,
    Detainee,
    ExchangeRequest,
    IdsBySide,
    RepairRequest,
    RepairSettings,
    Side,
)
from tests.strategies import GROUP_LABELS, requests

SIDES: tuple[Side, Side] = (Side.A, Side.B)


def stage_count(request: ExchangeRequest) -> int:
    return 1 if request.terms.stages is None else len(request.terms.stages)


@st.composite
def agreed_plans(draw: st.DrawFn, request: ExchangeRequest) -> AgreedPlan:
    """The request's optimal plan (two times in three, when it has one), or a random plan
    that keeps groups whole."""
    count = stage_count(request)
    if draw(st.integers(0, 2)) > 0:
        plan = solve(request)
        if plan.status == "optimal":
            return AgreedPlan(
                stages=[
                    AgreedStage(number=s.number, side_a=s.side_a, side_b=s.side_b)
                    for s in plan.stages
                ]
            )
    stage_of: dict[Side, dict[str, int]] = {side: {} for side in SIDES}
    for side in SIDES:
        group_stage: dict[str, int] = {}
        for person in request.side(side).detainees:
            if person.group is not None and person.releasable:
                if person.group not in group_stage:
                    group_stage[person.group] = draw(st.integers(0, count))
                stage = group_stage[person.group]
            else:
                stage = draw(st.integers(0, count))
            if stage:
                stage_of[side][person.id] = stage
    return AgreedPlan(
        stages=[
            AgreedStage(
                number=s,
                side_a=[pid for pid, n in stage_of[Side.A].items() if n == s],
                side_b=[pid for pid, n in stage_of[Side.B].items() if n == s],
            )
            for s in range(1, count + 1)
        ]
    )


@st.composite
def day_events(
    draw: st.DrawFn, request: ExchangeRequest, plan: AgreedPlan, max_events: int = 5
) -> list[dict[str, Any]]:
    """A few events that apply, in order, to this request and plan."""
    count = stage_count(request)
    listed = {side: [d.id for d in request.side(side).detainees] for side in SIDES}
    agreed = {side: {pid: s.number for s in plan.stages for pid in s.of(side)} for side in SIDES}
    handed: dict[Side, set[str]] = {side: set() for side in SIDES}
    dropped: dict[Side, set[str]] = {side: set() for side in SIDES}
    executed = 0
    added = 0
    events: list[dict[str, Any]] = []
    kinds = [draw(st.sampled_from(_KINDS)) for _ in range(draw(st.integers(0, max_events)))]
    # Most days have a stage executed and someone dropping out: the day's exceptions to
    # the rules, and the changes a repair makes, are in them.
    for kind in ("stage_executed", "dropout"):
        if kind not in kinds and draw(st.integers(0, 2)) > 0:
            kinds.insert(draw(st.integers(0, len(kinds))), kind)
    for kind in kinds:
        side = draw(st.sampled_from(SIDES))
        free = [pid for pid in listed[side] if pid not in handed[side] | dropped[side]]
        # Dropouts mostly of people the plan releases still: those need replacing.
        awaited = [pid for pid in free if pid in agreed[side]]
        if kind == "dropout" and free:
            mostly_awaited = draw(st.integers(0, 3)) > 0
            pid = draw(st.sampled_from(awaited if awaited and mostly_awaited else free))
            dropped[side].add(pid)
            reason = draw(st.sampled_from(["refused", "unfit_to_travel", "deceased", "other"]))
            events.append({"type": "dropout", "side": side.value, "id": pid, "reason": reason})
        elif kind == "stage_executed" and executed < count:
            executed += 1
            event: dict[str, Any] = {"type": "stage_executed", "number": executed}
            crossed: dict[str, list[str]] = {}
            for each in SIDES:
                as_agreed = [
                    pid
                    for pid, s in agreed[each].items()
                    if s == executed and pid not in dropped[each] | handed[each]
                ]
                if draw(st.integers(0, 3)) > 0:
                    handed[each].update(as_agreed)
                    continue
                # Who actually crossed: those agreed but one (the usual short handover), or
                # some of them; maybe someone else too.
                others = [
                    pid
                    for pid in listed[each]
                    if pid not in handed[each] | dropped[each] and pid not in as_agreed
                ]
                one_short = draw(st.booleans())
                if as_agreed and one_short:
                    missing = draw(st.sampled_from(as_agreed))
                    kept = [pid for pid in as_agreed if pid != missing]
                else:
                    kept = draw(_some_of(as_agreed))
                extra = (
                    draw(st.lists(st.sampled_from(others), unique=True, max_size=1))
                    if others
                    else []
                )
                crossed[each.value] = kept + extra
                handed[each].update(crossed[each.value])
            if crossed:
                event["handed_over"] = crossed
            events.append(event)
        elif kind == "add":
            added += 1
            pid = f"{'A' if side is Side.A else 'B'}-{1000 + added}"
            listed[side].append(pid)
            events.append(
                {
                    "type": "add",
                    "side": side.value,
                    "detainee": _new_person(draw, pid).model_dump(
                        mode="json", exclude_defaults=True
                    ),
                }
            )
        elif kind == "update" and listed[side]:
            pid = draw(st.sampled_from(listed[side]))
            events.append(
                {"type": "update", "side": side.value, "id": pid, "fields": _changed_facts(draw)}
            )
    return events


_KINDS = ("dropout", "dropout", "stage_executed", "add", "update")


def _some_of(ids: list[str], at_most: int | None = None) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(ids), unique=True, max_size=at_most) if ids else st.just([])


def _new_person(draw: st.DrawFn, pid: str) -> Detainee:
    return Detainee(
        id=pid,
        status=draw(st.sampled_from(["military", "civilian"])),
        age=draw(st.none() | st.integers(17, 30)),
        seriously_ill=draw(st.booleans()),
        requested=draw(st.booleans()),
        consents=draw(st.sampled_from([True, True, True, False])),
        group=draw(st.sampled_from([None, None, *GROUP_LABELS])),
        captured_on=draw(st.none() | st.dates(date(2019, 1, 1), date(2025, 5, 1))),
    )


_FACTS: tuple[tuple[str, st.SearchStrategy[Any]], ...] = (
    ("consents", st.booleans()),
    ("eligible", st.booleans()),
    ("seriously_ill", st.booleans()),
    ("requested", st.booleans()),
    ("status", st.sampled_from(["military", "civilian"])),
    ("age", st.integers(17, 30)),
    ("group", st.sampled_from([None, *GROUP_LABELS])),
)


def _changed_facts(draw: st.DrawFn) -> dict[str, Any]:
    """At least one field (an update that changes nothing is an input error)."""
    fields: dict[str, Any] = {}
    for name, values in _FACTS:
        if draw(st.integers(0, 3)) == 0:
            fields[name] = draw(values)
    if not fields:
        name, values = draw(st.sampled_from(_FACTS))
        fields[name] = draw(values)
    return fields


@st.composite
def repair_requests(
    draw: st.DrawFn,
    max_people_per_side: int = 4,
    max_stages: int = 2,
    *,
    max_events: int = 5,
    max_min_per_side: int = 3,
) -> RepairRequest:
    """A whole valid repair request: a request, an agreed plan, events, a policy.

    An agreed plan is made from terms that hold: three times in four, terms without a
    plan are relaxed until they have one (no floor, nobody required or excluded), so
    that most days repair a plan rather than confirm that nothing can hold.
    """
    request = draw(
        requests(
            max_people_per_side=max_people_per_side,
            max_stages=max_stages,
            max_min_per_side=max_min_per_side,
        )
    )
    if draw(st.integers(0, 3)) > 0 and solve(request).status == "infeasible":
        request = _relaxed(request)
    plan = draw(agreed_plans(request))
    events = draw(day_events(request, plan, max_events))
    policy = draw(st.sampled_from(["priorities_first", "fewest_changes_first"]))
    return RepairRequest.model_validate(
        {
            **request.model_dump(mode="json", exclude_unset=True),
            "plan": plan.model_dump(mode="json", exclude_none=True),
            "events": events,
            "repair": RepairSettings(policy=policy).model_dump(),
        }
    )


def _relaxed(request: ExchangeRequest) -> ExchangeRequest:
    """The request with the terms that most often cannot hold lifted."""
    terms = request.terms.model_copy(
        update={
            "min_per_side": 0,
            "release_all": [],
            "outside_parity": [],
            "must_include": IdsBySide(),
            "must_exclude": IdsBySide(),
        }
    )
    return request.model_copy(update={"terms": terms})
