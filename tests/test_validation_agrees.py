"""The column-wise plan checker against its person-by-person reference.

`solver.validation` reads the lists into arrays and checks every rule at once; the
reference (`tests.reference_validation`) walks person by person. On random requests and
random plans, valid ones and malformed ones (duplicates, ids nobody listed, stages out of
range or repeated, people staged but not released), both must name the same violations
in the same order, with the same sides, ids and messages, and recompute the same levels.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests.reference_validation as reference
from solver import validation
from solver.categories import categories_of
from solver.schema import (
    Category,
    Detainee,
    ExchangeRequest,
    Plan,
    Released,
    Side,
    SideList,
    Stage,
    Terms,
)
from tests.handmade import exchange, person, staged_plan
from tests.strategies import REFERENCE_DATE, requests

RANDOM = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SIDES = (Side.A, Side.B)

Found = list[tuple[str, Side | None, tuple[str, ...], str]]


def fast(request: ExchangeRequest, plan: Plan) -> Found:
    return [(v.rule, v.side, v.ids, v.message) for v in validation.check_plan(request, plan)]


def slow(request: ExchangeRequest, plan: Plan) -> Found:
    return [(v.rule, v.side, v.ids, v.message) for v in reference.check_plan(request, plan)]


def assert_agree(request: ExchangeRequest, plan: Plan) -> None:
    expected = slow(request, plan)
    assert fast(request, plan) == expected
    assert validation.objective_of(request, plan) == reference.objective_of(request, plan)
    values = reference.level_values(request, plan)
    assert validation.level_values(request, plan) == values
    violations, recomputed = validation.recheck(request, plan)
    assert [(v.rule, v.side, v.ids, v.message) for v in violations] == expected
    assert recomputed == values


# --------------------------------------------------------------------------- plans


@st.composite
def stage_numbers(draw: st.DrawFn, count: int) -> int:
    """Mostly 1..count; now and then 0, one past the end, negative or huge."""
    return draw(
        st.integers(1, count)
        | st.sampled_from([0, count + 1, -1, 10**20, -(10**20)])
        | st.integers(1, count)
    )


@st.composite
def well_formed_plans(draw: st.DrawFn, request: ExchangeRequest) -> Plan:
    """Each released person once, in one stage: breaks terms, not the plan's own shape."""
    count = validation.stage_count(request)
    stage_of: dict[tuple[Side, str], int] = {}
    for side in SIDES:
        for d in request.side(side).detainees:
            if draw(st.booleans()):
                stage_of[side, d.id] = draw(st.integers(1, count))
    order = {side: draw(st.permutations(request.side(side).detainees)) for side in SIDES}
    released = {side: [d.id for d in order[side] if (side, d.id) in stage_of] for side in SIDES}
    stages = [
        Stage(
            number=s,
            side_a=[pid for pid in released[Side.A] if stage_of[Side.A, pid] == s],
            side_b=[pid for pid in released[Side.B] if stage_of[Side.B, pid] == s],
        )
        for s in range(1, count + 1)
    ]
    if count == 1 and draw(st.booleans()):
        stages = []  # a single stage may be left implicit
    return Plan(
        status="optimal",
        reference_date=draw(_plan_dates(request)),
        released=Released(side_a=released[Side.A], side_b=released[Side.B]),
        stages=stages,
    )


@st.composite
def wild_plans(draw: st.DrawFn, request: ExchangeRequest) -> Plan:
    """Any ids (listed or not, repeated or not) in any stage slots, numbered anyhow."""
    count = validation.stage_count(request)
    pools = {
        side: [d.id for d in request.side(side).detainees]
        + ["A-0" if side is Side.A else "B-0", "X-1", "B-1" if side is Side.A else "A-1"]
        for side in SIDES
    }

    def ids(side: Side, most: int) -> st.SearchStrategy[list[str]]:
        return st.lists(st.sampled_from(pools[side]), max_size=most)

    stages = draw(
        st.lists(
            st.builds(
                Stage,
                number=stage_numbers(count),
                side_a=ids(Side.A, 8),
                side_b=ids(Side.B, 8),
            ),
            max_size=count + 2,
        )
    )
    released = Released(side_a=draw(ids(Side.A, 14)), side_b=draw(ids(Side.B, 14)))
    return Plan(
        status="feasible",
        reference_date=draw(_plan_dates(request)),
        released=released,
        stages=stages,
    )


@st.composite
def nearly_right_plans(draw: st.DrawFn, request: ExchangeRequest) -> Plan:
    """A well-formed plan with one or two slips: an id repeated, moved, dropped or invented."""
    plan = draw(well_formed_plans(request))
    for _ in range(draw(st.integers(1, 2))):
        side = draw(st.sampled_from(SIDES))
        slip = draw(st.sampled_from(["repeat", "unlisted", "drop_stage", "restage", "invent"]))
        released = plan.released.side_a if side is Side.A else plan.released.side_b
        slots = [s.side_a if side is Side.A else s.side_b for s in plan.stages]
        if slip == "invent":
            released.append(f"{side.value}-unknown")
        elif not released:
            continue
        pid = draw(st.sampled_from(released))
        if slip == "repeat":
            released.append(pid)
        elif slip == "unlisted":
            released.remove(pid)
        elif slip == "drop_stage" and slots:
            for slot in slots:
                while pid in slot:
                    slot.remove(pid)
        elif slip == "restage" and slots:
            draw(st.sampled_from(slots)).append(pid)
    return plan


def _plan_dates(request: ExchangeRequest) -> st.SearchStrategy[date]:
    day = request.terms.reference_date or REFERENCE_DATE
    return st.sampled_from([day, day, day, day + timedelta(days=1)])


@st.composite
def cases(draw: st.DrawFn, most: int = 14) -> tuple[ExchangeRequest, Plan]:
    request = draw(requests(max_people_per_side=most, max_stages=3, min_people_per_side=0))
    if draw(st.integers(1, 6)) == 1:
        # Terms without a date: the plan's date is the one ages are computed at.
        request = request.model_copy(
            update={"terms": request.terms.model_copy(update={"reference_date": None})}
        )
    plan = draw(
        st.one_of(well_formed_plans(request), nearly_right_plans(request), wild_plans(request))
    )
    return request, plan


# --------------------------------------------------------------------------- tests


@RANDOM
@given(cases())
def test_validation_agrees_with_reference_on_random_plans(
    case: tuple[ExchangeRequest, Plan],
) -> None:
    assert_agree(*case)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(most=40))
def test_validation_agrees_with_reference_on_longer_lists(
    case: tuple[ExchangeRequest, Plan],
) -> None:
    # Over ten ids per violation: messages show ten and count the rest.
    assert_agree(*case)


@settings(max_examples=200, deadline=None)
@given(
    born=st.lists(st.dates() | st.none(), min_size=1, max_size=12),
    ages=st.lists(st.integers(0, 130) | st.none(), min_size=12, max_size=12),
    on=st.dates(),
    limit=st.integers(0, 131),
)
def test_young_agrees_with_categories_at_any_date(
    born: list[date | None], ages: list[int | None], on: date, limit: int
) -> None:
    # Leap days, year 1, limits longer than the calendar: young is what categories_of says.
    people = [
        Detainee(id=f"A-{k}", birth_date=b, age=a)
        for k, (b, a) in enumerate(zip(born, ages, strict=False))
    ]
    request = ExchangeRequest(
        terms=Terms(
            reference_date=on,
            min_per_side=0,
            young_age_limit=limit,
            priorities=[Category.YOUNG],
            release_all=[Category.YOUNG],
        ),
        side_a=SideList(detainees=people),
        side_b=SideList(),
    )
    everyone = staged_plan(([p.id for p in people], []), on=on)
    young = sum(Category.YOUNG in categories_of(p, on, limit) for p in people)
    assert validation.level_values(request, everyone)[0] == young
    assert_agree(request, everyone)
    assert_agree(request, staged_plan(on=on))


@pytest.mark.parametrize(
    ("on", "born", "young"),
    [
        (date(2024, 2, 29), date(1999, 2, 28), False),  # 25 on the day
        (date(2024, 2, 29), date(1999, 3, 1), True),
        (date(2025, 2, 28), date(2000, 2, 29), True),  # the birthday is tomorrow
        (date(2025, 3, 1), date(2000, 2, 29), False),
        (date(2028, 2, 29), date(2003, 2, 28), False),
        (date(2028, 2, 29), date(2003, 3, 1), True),
    ],
)
def test_young_on_leap_days(on: date, born: date, young: bool) -> None:
    request = exchange(
        [person("A-1", birth_date=born)], [], priorities=["young"], reference_date=on
    )
    plan = staged_plan((["A-1"], []), on=on)
    assert validation.level_values(request, plan)[0] == int(young)
    assert_agree(request, plan)


def test_duplicate_list_id_raises_like_reference() -> None:
    request = exchange(
        [person("A-1"), person("A-2"), person("A-1"), person("A-2")],
        [person("B-1"), person("B-1")],
    )
    with pytest.raises(ValueError, match="side_a: duplicate id A-1"):
        reference.check_plan(request, staged_plan())
    with pytest.raises(ValueError, match="side_a: duplicate id A-1"):
        validation.check_plan(request, staged_plan())
    with pytest.raises(ValueError, match="side_a: duplicate id A-1"):
        validation.recheck(request, staged_plan())


def test_empty_lists_and_plan_agree() -> None:
    assert_agree(exchange([], []), staged_plan())
    assert_agree(exchange([], [], stages=[1, 2]), staged_plan(([], []), ([], [])))


def test_groups_reported_in_order_of_first_releasable_member() -> None:
    # g2 is listed first, but by someone held back: g1's broken group comes first.
    request = exchange(
        [
            person("A-1", group="g2", eligible=False),
            person("A-2", group="g1"),
            person("A-3", group="g1"),
            person("A-4", group="g2"),
            person("A-5", group="g2"),
        ],
        [person("B-1"), person("B-2")],
    )
    plan = staged_plan((["A-4", "A-2"], ["B-1", "B-2"]))
    found = validation.check_plan(request, plan)
    assert [(v.rule, v.ids) for v in found] == [
        ("group", ("A-2", "A-3")),
        ("group", ("A-4", "A-5")),
    ]
    assert_agree(request, plan)
