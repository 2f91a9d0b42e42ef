"""Applying the day's events: what an `update` may change, which updates explain a group
the agreed plan splits, and the checked path the service's worker takes."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from solver.events import apply_events
from solver.input_errors import InvalidRequest
from solver.repair_request import parse_repair_request
from solver.schema import Detainee, RepairRequest, Side
from tests.day_strategies import repair_requests
from tests.handmade import exchange, person

# A new value for every field an update may change: every detainee field but the id.
NEW_VALUES: dict[str, Any] = {
    "name": "Synthetic Person",
    "birth_date": "2001-02-03",
    "age": 24,
    "status": "civilian",
    "seriously_ill": True,
    "captured_on": "2024-01-02",
    "consents": False,
    "eligible": False,
    "ineligible_reason": "pending proceedings",
    "group": "g-2",
    "requested": True,
    "surname": "Synthetic",
    "given_name": "Person",
    "patronymic": "Testovych",
    "birth_place": "Nowhere",
    "serial_number": "SN-0001",
    "unit": "Unit 0",
}


def body(
    side_a: list[Detainee], stages: list[tuple[list[str], list[str]]], events: list[Any]
) -> dict[str, Any]:
    request = exchange(side_a, [person("B-1"), person("B-2")], stages=[2, 2])
    return {
        **request.model_dump(mode="json", exclude_unset=True),
        "plan": {
            "stages": [
                {"number": k, "side_a": a, "side_b": b} for k, (a, b) in enumerate(stages, start=1)
            ]
        },
        "events": events,
    }


def problems(raw: dict[str, Any]) -> list[tuple[str | None, str | None, str, str]]:
    with pytest.raises(InvalidRequest) as raised:
        parse_repair_request(raw)
    return [(p.side, p.id, p.field, p.rule) for p in raised.value.problems]


def update(pid: str, **fields: Any) -> dict[str, Any]:
    return {"type": "update", "side": "side_a", "id": pid, "fields": fields}


def test_update_may_change_every_detainee_field_but_the_id() -> None:
    assert set(NEW_VALUES) == set(Detainee.model_fields) - {"id"}
    raw = body([person("A-1"), person("A-2")], [(["A-1"], ["B-1"])], [update("A-2", **NEW_VALUES)])
    request = parse_repair_request(raw)
    after = {d.id: d for d in apply_events(request).request.side_a.detainees}["A-2"]
    changed = after.model_dump(mode="json", exclude={"id"})
    assert changed == NEW_VALUES


def test_update_leaves_the_fields_it_does_not_name() -> None:
    raw = body(
        [person("A-1"), person("A-2", seriously_ill=True, surname="Synthetic")],
        [(["A-1"], ["B-1"])],
        [update("A-2", given_name="Person")],
    )
    after = {d.id: d for d in apply_events(parse_repair_request(raw)).request.side_a.detainees}
    assert (after["A-2"].seriously_ill, after["A-2"].surname) == (True, "Synthetic")
    assert after["A-2"].captured_on is None
    assert after["A-2"].given_name == "Person"


def test_update_that_changes_nothing_is_an_input_error() -> None:
    raw = body([person("A-1"), person("A-2")], [(["A-1"], ["B-1"])], [update("A-2")])
    assert problems(raw) == [("side_a", "A-2", "events[0].fields", "empty_update")]


GROUP = [person("A-1", group="g"), person("A-2", group="g"), person("A-3")]
SPLIT = [(["A-1"], ["B-1"]), (["A-2"], ["B-2"])]  # the group g in stages 1 and 2


@pytest.mark.parametrize(
    "fields",
    [
        {"seriously_ill": True},
        {"ineligible_reason": "checked again"},
        {"group": "g"},  # the group it already had
        {"consents": True, "eligible": True},  # as before
    ],
)
def test_plan_splitting_a_group_is_not_explained_by_an_update_that_keeps_it(
    fields: dict[str, Any],
) -> None:
    raw = body(GROUP, SPLIT, [update("A-1", **fields)])
    assert problems(raw) == [("side_a", "A-1", "plan", "group")]


def test_plan_splitting_a_group_with_an_empty_update_names_both_problems() -> None:
    raw = body(GROUP, SPLIT, [update("A-1")])
    assert problems(raw) == [
        ("side_a", "A-1", "events[0].fields", "empty_update"),
        ("side_a", "A-1", "plan", "group"),
    ]


@pytest.mark.parametrize(
    "events",
    [
        [update("A-1", group="h")],  # moved to another family
        [update("A-1", group=None)],  # travels alone
        [update("A-2", consents=False)],  # refuses: not a releasable member any more
        [update("A-2", eligible=False)],
        # A refusal, then consent again: the plan may have been repaired in between.
        [update("A-2", consents=False), update("A-2", consents=True)],
        [{"type": "dropout", "side": "side_a", "id": "A-2", "reason": "refused"}],
        [{"type": "stage_executed", "number": 1}],
    ],
)
def test_plan_splitting_a_group_is_explained_by_an_event_that_changes_it(
    events: list[Any],
) -> None:
    apply_events(parse_repair_request(body(GROUP, SPLIT, events)))


def test_update_making_someone_releasable_explains_their_group_left_behind() -> None:
    # A-2 refused when the plan was agreed, so it released A-1 alone; A-2 now consents.
    side_a = [person("A-1", group="g"), person("A-2", group="g", consents=False)]
    raw = body(side_a, [(["A-1"], ["B-1"])], [update("A-2", consents=True)])
    apply_events(parse_repair_request(raw))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(repair_requests(max_people_per_side=6, max_stages=3, max_events=6))
def test_checked_path_gives_the_same_day(request: RepairRequest) -> None:
    """The worker's path (`checked=True`, after the service's check) reads the same day."""
    full, checked = apply_events(request), apply_events(request, checked=True)
    assert checked == full


def test_checked_path_still_reads_the_plan_and_events() -> None:
    raw = body(GROUP, SPLIT, [{"type": "stage_executed", "number": 1}])
    day = apply_events(RepairRequest.model_validate(raw), checked=True)
    assert day.agreed[Side.A] == {"A-1": 1, "A-2": 2}
    assert day.handed_over(Side.A) == {"A-1": 1}
    assert day.request.terms.reference_date == date(2025, 5, 23)
