"""The plan checker, rule by rule: one plan that keeps each rule and one that breaks it."""

from __future__ import annotations

from datetime import date

import pytest

from solver.schema import Category, ExchangeRequest, Plan, Released, Side, Stage
from solver.validation import Violation, check_plan, level_values, objective_of
from tests.handmade import DAY, exchange, person, staged_plan


def rules(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


def pair() -> ExchangeRequest:
    """One military detainee on each side, no other terms."""
    return exchange([person("A-1")], [person("B-1")])


# --------------------------------------------------------------------------- structure


def test_check_plan_balanced_pair_passes() -> None:
    assert check_plan(pair(), staged_plan((["A-1"], ["B-1"]))) == []


def test_check_plan_empty_plan_passes_without_floor() -> None:
    assert check_plan(pair(), staged_plan()) == []


def test_check_plan_unknown_id_reported() -> None:
    found = check_plan(pair(), staged_plan((["A-1"], ["B-9"])))
    [unknown] = [v for v in found if v.rule == "unknown_id"]
    assert unknown.side is Side.B
    assert unknown.ids == ("B-9",)
    assert "B-9" in unknown.message


def test_check_plan_duplicate_in_released_reported() -> None:
    plan = Plan(
        status="optimal",
        reference_date=DAY,
        released=Released(side_a=["A-1", "A-1"], side_b=["B-1"]),
        stages=[Stage(number=1, side_a=["A-1"], side_b=["B-1"])],
    )
    found = check_plan(pair(), plan)
    assert [(v.rule, v.side, v.ids) for v in found] == [("duplicate_release", Side.A, ("A-1",))]


def test_check_plan_person_in_two_stages_reported() -> None:
    request = exchange([person("A-1")], [person("B-1"), person("B-2")], stages=[1, 1])
    plan = Plan(
        status="optimal",
        reference_date=DAY,
        released=Released(side_a=["A-1"], side_b=["B-1"]),
        stages=[
            Stage(number=1, side_a=["A-1"], side_b=["B-1"]),
            Stage(number=2, side_a=["A-1"], side_b=[]),
        ],
    )
    assert "duplicate_release" in rules(check_plan(request, plan))


def test_check_plan_stage_number_out_of_range_reported() -> None:
    plan = Plan(
        status="optimal",
        reference_date=DAY,
        released=Released(side_a=["A-1"], side_b=["B-1"]),
        stages=[Stage(number=2, side_a=["A-1"], side_b=["B-1"])],
    )
    found = check_plan(pair(), plan)
    assert "stage_number" in rules(found)
    assert any("stage 2 is outside 1..1" in v.message for v in found)


def test_check_plan_stage_number_repeated_reported() -> None:
    plan = Plan(
        status="optimal",
        reference_date=DAY,
        released=Released(side_a=["A-1"], side_b=["B-1"]),
        stages=[Stage(number=1, side_a=["A-1"]), Stage(number=1, side_b=["B-1"])],
    )
    assert rules(check_plan(pair(), plan)) == {"stage_number"}


def test_check_plan_single_stage_without_stage_list_passes() -> None:
    plan = Plan(
        status="optimal",
        reference_date=DAY,
        released=Released(side_a=["A-1"], side_b=["B-1"]),
    )
    assert check_plan(pair(), plan) == []


def test_check_plan_several_stages_without_stage_list_reported() -> None:
    request = exchange([person("A-1")], [person("B-1")], stages=[1, 1])
    plan = Plan(
        status="optimal",
        reference_date=DAY,
        released=Released(side_a=["A-1"], side_b=["B-1"]),
    )
    found = check_plan(request, plan)
    assert rules(found) == {"released_mismatch"}
    assert {v.side for v in found} == {Side.A, Side.B}


def test_check_plan_staged_but_not_released_reported() -> None:
    plan = Plan(
        status="optimal",
        reference_date=DAY,
        released=Released(side_a=["A-1"], side_b=[]),
        stages=[Stage(number=1, side_a=["A-1"], side_b=["B-1"])],
    )
    [mismatch] = [v for v in check_plan(pair(), plan) if v.rule == "released_mismatch"]
    assert (mismatch.side, mismatch.ids) == (Side.B, ("B-1",))


def test_check_plan_reference_date_echo_reported() -> None:
    found = check_plan(pair(), staged_plan((["A-1"], ["B-1"]), on=date(2025, 5, 24)))
    assert rules(found) == {"reference_date"}


def test_check_plan_open_reference_date_uses_plan_date() -> None:
    # Without an agreed date the plan's date is the one ages are computed at: A-1 turns
    # 25 on 2025-05-24, so is young (and must be released) only the day before.
    request = ExchangeRequest.model_validate(
        {
            "terms": {"min_per_side": 0, "release_all": ["young"]},
            "side_a": {"detainees": [{"id": "A-1", "birth_date": "2000-05-24"}]},
            "side_b": {"detainees": [{"id": "B-1"}]},
        }
    )
    empty_before = Plan(status="optimal", reference_date=date(2025, 5, 23))
    empty_on = Plan(status="optimal", reference_date=date(2025, 5, 24))
    assert rules(check_plan(request, empty_before)) == {"release_all"}
    assert check_plan(request, empty_on) == []


def test_check_plan_duplicate_request_id_raises() -> None:
    request = exchange([person("A-1"), person("A-1")], [person("B-1")])
    with pytest.raises(ValueError, match="duplicate id A-1"):
        check_plan(request, staged_plan())


# --------------------------------------------------------------------------- rule 1


def test_check_plan_releasable_ineligible_reported() -> None:
    request = exchange([person("A-1", eligible=False)], [person("B-1")])
    found = check_plan(request, staged_plan((["A-1"], ["B-1"])))
    assert [(v.rule, v.side, v.ids) for v in found] == [("releasable", Side.A, ("A-1",))]
    assert "ineligible" in found[0].message


def test_check_plan_releasable_no_consent_reported() -> None:
    request = exchange([person("A-1")], [person("B-1", consents=False)])
    found = check_plan(request, staged_plan((["A-1"], ["B-1"])))
    assert [(v.rule, v.side, v.ids) for v in found] == [("releasable", Side.B, ("B-1",))]
    assert "refuses" in found[0].message


def test_check_plan_must_exclude_kept_passes() -> None:
    request = exchange([person("A-1"), person("A-2")], [person("B-1")], must_exclude=(["A-2"], []))
    assert check_plan(request, staged_plan((["A-1"], ["B-1"]))) == []


def test_check_plan_must_exclude_released_reported() -> None:
    request = exchange([person("A-1"), person("A-2")], [person("B-1")], must_exclude=(["A-2"], []))
    found = check_plan(request, staged_plan((["A-2"], ["B-1"])))
    assert [(v.rule, v.side, v.ids) for v in found] == [("must_exclude", Side.A, ("A-2",))]


def test_check_plan_must_include_released_passes() -> None:
    request = exchange([person("A-1"), person("A-2")], [person("B-1")], must_include=(["A-2"], []))
    assert check_plan(request, staged_plan((["A-2"], ["B-1"]))) == []


def test_check_plan_must_include_missing_reported() -> None:
    request = exchange([person("A-1"), person("A-2")], [person("B-1")], must_include=(["A-2"], []))
    found = check_plan(request, staged_plan((["A-1"], ["B-1"])))
    assert [(v.rule, v.side, v.ids) for v in found] == [("must_include", Side.A, ("A-2",))]


def test_check_plan_must_include_not_releasable_always_broken() -> None:
    request = exchange([person("A-1", consents=False)], [person("B-1")], must_include=(["A-1"], []))
    assert rules(check_plan(request, staged_plan())) == {"must_include"}
    assert rules(check_plan(request, staged_plan((["A-1"], ["B-1"])))) == {"releasable"}


def test_check_plan_release_all_met_passes() -> None:
    request = exchange(
        [person("A-1", age=19), person("A-2", age=19, eligible=False)],
        [person("B-1")],
        release_all=["young"],
    )
    # A-2 is young but held back: release_all asks only for releasable members.
    assert check_plan(request, staged_plan((["A-1"], ["B-1"]))) == []


def test_check_plan_release_all_missing_reported() -> None:
    request = exchange(
        [person("A-1", age=19), person("A-2", age=40)], [person("B-1")], release_all=["young"]
    )
    found = check_plan(request, staged_plan((["A-2"], ["B-1"])))
    assert [(v.rule, v.side, v.ids) for v in found] == [("release_all", Side.A, ("A-1",))]


def test_check_plan_outside_parity_on_top_passes() -> None:
    # The seriously ill A-2 goes on top of a balanced 1-for-1 and is not counted.
    request = exchange(
        [person("A-1"), person("A-2", seriously_ill=True)],
        [person("B-1")],
        outside_parity=["seriously_ill"],
        min_per_side=1,
        max_per_side=1,
    )
    assert check_plan(request, staged_plan((["A-1", "A-2"], ["B-1"]))) == []


def test_check_plan_outside_parity_missing_reported() -> None:
    request = exchange(
        [person("A-1"), person("A-2", seriously_ill=True)],
        [person("B-1")],
        outside_parity=["seriously_ill"],
    )
    found = check_plan(request, staged_plan((["A-1"], ["B-1"])))
    assert [(v.rule, v.side, v.ids) for v in found] == [("outside_parity", Side.A, ("A-2",))]


# --------------------------------------------------------------------------- rule 2


def family() -> ExchangeRequest:
    """A-1 and A-2 form a group; A-3 of the same group is held back; two stages."""
    return exchange(
        [
            person("A-1", group="family"),
            person("A-2", group="family"),
            person("A-3", group="family", eligible=False),
        ],
        [person("B-1"), person("B-2")],
        stages=[2, 2],
    )


def test_check_plan_group_together_passes() -> None:
    assert check_plan(family(), staged_plan((["A-1", "A-2"], ["B-1", "B-2"]), ([], []))) == []


def test_check_plan_group_partly_released_reported() -> None:
    found = check_plan(family(), staged_plan((["A-1"], ["B-1"]), ([], [])))
    [group] = found
    assert (group.rule, group.side, group.ids) == ("group", Side.A, ("A-1", "A-2"))
    assert "family" not in group.message  # labels may carry a family name


def test_check_plan_group_split_over_stages_reported() -> None:
    found = check_plan(family(), staged_plan((["A-1"], ["B-1"]), (["A-2"], ["B-2"])))
    assert rules(found) == {"group"}
    assert "split over stages 1, 2" in found[0].message


# --------------------------------------------------------------------------- rule 3


def test_check_plan_parity_per_stage_reported() -> None:
    # Two for two overall, but stage 1 is two for none.
    request = exchange(
        [person("A-1"), person("A-2")], [person("B-1"), person("B-2")], stages=[2, 2]
    )
    found = check_plan(request, staged_plan((["A-1", "A-2"], []), ([], ["B-1", "B-2"])))
    assert [(v.rule, v.side) for v in found] == [("parity", None), ("parity", None)]
    assert "stage 1: side_a releases 2 counted people, side_b 0" in found[0].message


def test_check_plan_parity_total_ignores_status() -> None:
    request = exchange([person("A-1", status="civilian")], [person("B-1")])
    assert check_plan(request, staged_plan((["A-1"], ["B-1"]))) == []


def test_check_plan_parity_per_status_reported() -> None:
    request = exchange([person("A-1", status="civilian")], [person("B-1")], parity="per_status")
    found = check_plan(request, staged_plan((["A-1"], ["B-1"])))
    assert rules(found) == {"parity"}
    assert {("military" in v.message, "civilian" in v.message) for v in found} == {
        (True, False),
        (False, True),
    }


def test_check_plan_parity_uncounted_not_balanced() -> None:
    # The ill are outside parity: one for none is balanced, and counting them breaks it.
    people_a = [person("A-1", seriously_ill=True)]
    outside = exchange(people_a, [person("B-1")], outside_parity=["seriously_ill"])
    inside = exchange(people_a, [person("B-1")])
    assert check_plan(outside, staged_plan((["A-1"], []))) == []
    assert rules(check_plan(inside, staged_plan((["A-1"], [])))) == {"parity"}


# --------------------------------------------------------------------------- rule 4


def test_check_plan_min_per_side_counts_only_counted() -> None:
    request = exchange(
        [person("A-1"), person("A-2", seriously_ill=True)],
        [person("B-1")],
        outside_parity=["seriously_ill"],
        min_per_side=2,
    )
    found = check_plan(request, staged_plan((["A-1", "A-2"], ["B-1"])))
    assert {(v.rule, v.side) for v in found} == {("min_per_side", Side.A), ("min_per_side", Side.B)}
    assert "side_a releases 1 counted person; min_per_side is 2" in found[0].message


def test_check_plan_min_per_side_met_passes() -> None:
    request = exchange([person("A-1")], [person("B-1")], min_per_side=1)
    assert check_plan(request, staged_plan((["A-1"], ["B-1"]))) == []


def test_check_plan_max_per_side_exceeded_reported() -> None:
    request = exchange(
        [person("A-1"), person("A-2")], [person("B-1"), person("B-2")], max_per_side=1
    )
    found = check_plan(request, staged_plan((["A-1", "A-2"], ["B-1", "B-2"])))
    assert {(v.rule, v.side) for v in found} == {("max_per_side", Side.A), ("max_per_side", Side.B)}


def test_check_plan_max_per_side_ignores_uncounted() -> None:
    request = exchange(
        [person("A-1"), person("A-2", seriously_ill=True)],
        [person("B-1")],
        outside_parity=["seriously_ill"],
        max_per_side=1,
    )
    assert check_plan(request, staged_plan((["A-1", "A-2"], ["B-1"]))) == []


# --------------------------------------------------------------------------- rule 5


def test_check_plan_stages_capacity_counts_uncounted() -> None:
    request = exchange(
        [person("A-1"), person("A-2", seriously_ill=True)],
        [person("B-1")],
        outside_parity=["seriously_ill"],
        stages=[1, 1],
    )
    assert check_plan(request, staged_plan((["A-1"], ["B-1"]), (["A-2"], []))) == []
    found = check_plan(request, staged_plan((["A-1", "A-2"], ["B-1"]), ([], [])))
    assert [(v.rule, v.side, v.ids) for v in found] == [("stages", Side.A, ("A-1", "A-2"))]
    assert "stage 1: side_a releases 2 people; its capacity is 1" in found[0].message


# --------------------------------------------------------------------------- rule 6


def test_check_plan_civilians_separately_mixed_stage_reported() -> None:
    # A civilian from one side and a soldier from the other still mix the stage.
    request = exchange(
        [person("A-1", status="civilian"), person("A-2")],
        [person("B-1"), person("B-2", status="civilian")],
        civilians_separately=True,
        stages=[1, 1],
    )
    found = check_plan(request, staged_plan((["A-1"], ["B-1"]), (["A-2"], ["B-2"])))
    assert [(v.rule, v.side) for v in found] == [
        ("civilians_separately", None),
        ("civilians_separately", None),
    ]
    separate = staged_plan((["A-1"], ["B-2"]), (["A-2"], ["B-1"]))
    assert check_plan(request, separate) == []


def test_check_plan_civilians_together_allowed_by_default() -> None:
    request = exchange([person("A-1", status="civilian")], [person("B-1")])
    assert check_plan(request, staged_plan((["A-1"], ["B-1"]))) == []


# --------------------------------------------------------------------------- messages


def test_check_plan_messages_name_no_person() -> None:
    request = exchange(
        [
            person("A-1", name="Test Person 1", birth_date=date(2001, 2, 3), eligible=False),
            person("A-2", name="Test Person 2", birth_date=date(2004, 6, 7), group="Surname"),
            person("A-3", name="Test Person 3", group="Surname"),
        ],
        [person("B-1", name="Test Person 4", birth_date=date(1990, 8, 9))],
        min_per_side=5,
        release_all=["young"],
        stages=[1],
        civilians_separately=True,
    )
    found = check_plan(request, staged_plan((["A-1", "A-2"], [])))
    assert len(found) >= 5
    for violation in found:
        for private in ("Test Person", "2001", "2004", "1990", "Surname"):
            assert private not in violation.message


# --------------------------------------------------------------------------- objective


def worked_example() -> tuple[ExchangeRequest, Plan]:
    """Five people, two stages, ages on both sides of the limit; values worked by hand."""
    request = exchange(
        [
            # seriously ill, held 10 days
            person("A-1", seriously_ill=True, captured_on=date(2025, 5, 13)),
            # 19 on the day (20 tomorrow): young; civilian; held 30 days
            person(
                "A-2",
                birth_date=date(2005, 5, 24),
                status="civilian",
                captured_on=date(2025, 4, 23),
            ),
            # requested but not released
            person("A-3", age=30, requested=True),
        ],
        [
            # 24: young; requested; held 1 day
            person("B-1", age=24, requested=True, captured_on=date(2025, 5, 22)),
            # 25 on the day itself: not young; held a year
            person("B-2", birth_date=date(2000, 5, 23), captured_on=date(2024, 5, 23)),
        ],
        priorities=["seriously_ill", "young", "requested"],
        release_all=["seriously_ill", "young"],
        stages=[2, 2],
        min_per_side=2,
    )
    return request, staged_plan((["A-1"], ["B-1"]), (["A-2"], ["B-2"]))


def test_objective_of_worked_example_exact() -> None:
    request, plan = worked_example()
    assert check_plan(request, plan) == []
    objective = objective_of(request, plan)
    assert objective.priorities == {"seriously_ill": 1, "young": 2, "requested": 1}
    assert objective.released == 4
    assert objective.captivity_days == 10 + 30 + 1 + 365
    assert objective.stage_order == {"seriously_ill": 1, "young": 1 + 2, "requested": 1, "all": 6}


def test_level_values_worked_example_in_level_order() -> None:
    request, plan = worked_example()
    assert level_values(request, plan) == (1, 2, 1, 4, 406, 1, 3, 1, 6)


def test_objective_of_single_stage_without_stage_list() -> None:
    request = exchange([person("A-1", requested=True)], [person("B-1")])
    plan = Plan(
        status="optimal", reference_date=DAY, released=Released(side_a=["A-1"], side_b=["B-1"])
    )
    objective = objective_of(request, plan)
    assert objective.priorities[Category.REQUESTED.value] == 1
    assert objective.stage_order["requested"] == 1
    assert objective.stage_order["all"] == 2


def test_level_values_repeated_priority_counted_once() -> None:
    request = exchange(
        [person("A-1", seriously_ill=True)], [person("B-1")], priorities=["seriously_ill"] * 2
    )
    assert level_values(request, staged_plan((["A-1"], ["B-1"]))) == (1, 2, 0, 1, 2)


# --------------------------------------------------------------------------- wording


def test_check_plan_messages_say_person_for_one() -> None:
    """ "1 releasable person", "1 counted civilian person": never "1 ... people"."""
    request = exchange(
        [person("A-1", status="civilian", seriously_ill=True), person("A-2", eligible=False)],
        [person("B-1")],
        parity="per_status",
        stages=[1],
        civilians_separately=True,
        min_per_side=2,
        max_per_side=0,
        release_all=["seriously_ill"],
    )
    found = check_plan(request, staged_plan((["A-2"], [])))
    messages = " ".join(v.message for v in found)
    assert "1 releasable person " in messages
    assert "1 counted military person" in messages
    assert "releases 1 person who may not be released" in messages
    assert " 1 people" not in messages
    assert "1 counted people" not in messages
    mixed = check_plan(
        exchange([person("A-1", status="civilian")], [person("B-1")], civilians_separately=True),
        staged_plan((["A-1"], ["B-1"])),
    )
    assert [v.message for v in mixed] == ["stage 1 mixes 1 civilian with 1 military person"]
