"""The plan checker reads any detainee record, not only the pydantic model.

`solver.validation` reads a list one of two ways, for speed only: person by person for
records with a `__dict__` (pydantic models), field by field for slotted ones (msgspec
structs, slotted dataclasses). Both must give the same verdict, violation for violation
and level for level, as the pydantic request itself does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from solver import validation
from solver.planner import solve
from solver.schema import (
    Detainee,
    DetaineeRecord,
    ExchangeRequest,
    Options,
    Plan,
    Side,
    Status,
    Terms,
)
from solver.synthetic import generate_request
from tests.test_validation_agrees import cases

SIDES = (Side.A, Side.B)


@dataclass(frozen=True, slots=True)
class SlottedDetainee:
    """The fields of `Detainee` in slots: no `__dict__`, like a msgspec struct."""

    id: str
    name: str | None
    birth_date: date | None
    age: int | None
    status: Status
    seriously_ill: bool
    captured_on: date | None
    consents: bool
    eligible: bool
    ineligible_reason: str | None
    group: str | None
    requested: bool
    surname: str | None
    given_name: str | None
    patronymic: str | None
    birth_place: str | None
    serial_number: str | None
    unit: str | None


@dataclass(frozen=True)
class LightSide:
    name: str
    detainees: Sequence[DetaineeRecord]


@dataclass(frozen=True)
class LightRequest:
    """A request as the solver reads it, with detainees of another type."""

    terms: Terms
    options: Options
    sides: dict[Side, LightSide]

    def side(self, side: Side) -> LightSide:
        return self.sides[side]


Convert = Callable[[Detainee], DetaineeRecord]


def light(request: ExchangeRequest, convert: Convert) -> LightRequest:
    return LightRequest(
        terms=request.terms,
        options=request.options,
        sides={
            side: LightSide(
                request.side(side).name, [convert(d) for d in request.side(side).detainees]
            )
            for side in SIDES
        },
    )


def slotted(detainee: Detainee) -> DetaineeRecord:
    return SlottedDetainee(**detainee.model_dump())


def struct_converter() -> Convert:
    msgspec = pytest.importorskip("msgspec")
    fields = list(Detainee.model_fields)
    record: Any = msgspec.defstruct("StructDetainee", fields, frozen=True)

    def convert(detainee: Detainee) -> DetaineeRecord:
        converted: DetaineeRecord = record(**detainee.model_dump())
        return converted

    return convert


Found = tuple[list[tuple[str, Side | None, tuple[str, ...], str]], tuple[int, ...]]


def verdict(request: Any, plan: Plan) -> Found:
    violations, values = validation.recheck(request, plan)
    return [(v.rule, v.side, v.ids, v.message) for v in violations], values


def assert_same_verdict(request: ExchangeRequest, plan: Plan, convert: Convert) -> None:
    other = light(request, convert)
    assert verdict(other, plan) == verdict(request, plan)
    assert validation.objective_of(other, plan) == validation.objective_of(request, plan)


def test_the_records_have_no_dict() -> None:
    """Otherwise these tests would not reach the field-by-field reader."""
    person = Detainee(id="A-1")
    assert not hasattr(slotted(person), "__dict__")
    assert not hasattr(struct_converter()(person), "__dict__")
    assert hasattr(person, "__dict__")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cases())
def test_slotted_records_get_the_same_verdict(case: tuple[ExchangeRequest, Plan]) -> None:
    assert_same_verdict(*case, slotted)


@settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cases())
def test_msgspec_structs_get_the_same_verdict(case: tuple[ExchangeRequest, Plan]) -> None:
    assert_same_verdict(*case, struct_converter())


@pytest.mark.parametrize("kind", ["slotted", "struct"])
def test_a_solved_synthetic_plan_passes_for_every_record_kind(kind: str) -> None:
    request = ExchangeRequest.model_validate(generate_request(400, 3))
    plan = solve(request)
    convert = slotted if kind == "slotted" else struct_converter()
    violations, values = validation.recheck(light(request, convert), plan)
    assert violations == []
    assert values == validation.level_values(request, plan)


def test_duplicate_ids_are_refused_for_slotted_records() -> None:
    request = ExchangeRequest.model_validate(
        {
            "side_a": {"detainees": [{"id": "A-1"}, {"id": "A-1"}]},
            "side_b": {"detainees": [{"id": "B-1"}]},
        }
    )
    plan = Plan(status="feasible", reference_date=date(2025, 5, 23))
    with pytest.raises(ValueError, match="side_a: duplicate id A-1"):
        validation.check_plan(light(request, slotted), plan)
