"""The examples on disk are what `./scripts/examples` writes: requests, CSV forms, plans, charts.

A solver change that moves a plan shows up here as a failing example; regenerate with
`./scripts/examples` and read the diff before committing it.
"""

from __future__ import annotations

import json

import pytest

from app.core.config import Settings
from app.csv_lists import exchange_request_from_csv
from examples.build import (
    MAIN_EXAMPLES,
    Example,
    all_examples,
    expected_files,
    main,
    service_bodies,
)
from solver.input_errors import parse_request


def _params(examples: tuple[Example, ...]) -> list[object]:
    return [
        pytest.param(example, id=example.name, marks=[pytest.mark.slow] if example.big else [])
        for example in examples
    ]


@pytest.mark.parametrize("example", _params(all_examples()))
def test_example_files_match_a_fresh_solve(example: Example) -> None:
    for path, content in expected_files(example).items():
        assert path.exists(), f"{path.name} is missing: run ./scripts/examples"
        assert path.read_text(encoding="utf-8") == content, (
            f"{path.name} is stale: run ./scripts/examples and read the diff"
        )


@pytest.mark.parametrize("example", _params(all_examples()))
def test_example_plan_is_proven_optimal_or_infeasible(example: Example) -> None:
    """Only proven verdicts are stable from run to run and machine to machine."""
    plan = json.loads(example.plan_path.read_text(encoding="utf-8"))
    assert plan["status"] in ("optimal", "infeasible")
    assert "solve_seconds" not in plan


@pytest.mark.parametrize("example", [e for e in MAIN_EXAMPLES if e.csv], ids=lambda e: e.name)
def test_example_csv_form_reads_as_the_json_request(example: Example) -> None:
    request = parse_request(example.request_path.read_bytes())
    folder = example.csv_folder
    from_csv = exchange_request_from_csv(
        {
            side: (folder / f"{side}.csv").read_text(encoding="utf-8")
            for side in ("side_a", "side_b")
        },
        (folder / "terms.json").read_text(encoding="utf-8"),
        None,
        {"side_a": request.side_a.name, "side_b": request.side_b.name},
        Settings(),
    )
    assert from_csv.terms == request.terms
    assert from_csv.side_a == request.side_a
    assert from_csv.side_b == request.side_b


def test_main_examples_range_from_teaching_to_thousand_for_thousand() -> None:
    sizes = {}
    for example in MAIN_EXAMPLES:
        request = parse_request(example.request_path.read_bytes())
        sizes[example.name] = len(request.side_a.detainees) + len(request.side_b.detainees)
    assert sizes["teaching"] < 30
    assert sizes["thousand_for_thousand"] > 2000
    plan = json.loads(MAIN_EXAMPLES[-1].plan_path.read_text(encoding="utf-8"))
    assert [len(stage["side_a"]) for stage in plan["stages"]] == [390, 307, 303]
    assert [len(stage["side_b"]) for stage in plan["stages"]] == [390, 307, 303]


def test_verify_and_scenario_bodies_carry_the_teaching_request() -> None:
    for path, content in service_bodies().items():
        assert path.read_text(encoding="utf-8") == content, f"{path.name}: run ./scripts/examples"
        body = json.loads(content)
        parse_request({k: v for k, v in body.items() if k not in ("plan", "variants")})


def test_build_check_finds_the_teaching_example_up_to_date() -> None:
    assert main(["--check", "teaching"]) == 0
