"""`exchange-planner repair`, and `verify` of a repaired plan with its events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from solver import cli
from solver.schema import RepairedPlan
from tests.test_cli import CANARY_NAME, EXAMPLES, TEACHING, run, write_json

AGREED = EXAMPLES / "teaching.plan.json"
EVENTS: list[dict[str, Any]] = [
    {"type": "stage_executed", "number": 1, "handed_over": {"side_b": ["B-201", "B-203", "B-205"]}},
    {"type": "dropout", "side": "side_a", "id": "A-109", "reason": "refused"},
]


def test_repair_prints_the_repaired_plan_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = write_json(tmp_path / "events.json", EVENTS)
    code, out, err = run(["repair", str(TEACHING), str(AGREED), str(events)], capsys)
    assert code == cli.EXIT_OK
    plan = RepairedPlan.model_validate_json(out)
    assert plan.status == "optimal"
    assert [s.executed for s in plan.stages] == [True, False]
    assert plan.stages[0].side_b == ["B-201", "B-203", "B-205"]
    assert plan.objective is not None
    assert plan.objective.changes == plan.changes.count > 0
    assert err == ""


def test_repair_to_a_file_summarises_and_ranks_options_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = write_json(tmp_path / "events.json", EVENTS)
    out_path = tmp_path / "repaired.json"
    chart = tmp_path / "repaired.svg"
    argv = ["repair", str(TEACHING), str(AGREED), str(events), "-o", str(out_path)]
    code, out, err = run([*argv, "--options", "2", "--chart", str(chart)], capsys)
    assert code == cli.EXIT_OK
    assert out == ""
    plan = RepairedPlan.model_validate_json(out_path.read_text(encoding="utf-8"))
    assert [o.rank for o in plan.options] == [1, 2]
    assert "change(s):" in err
    assert "2 option(s), best first:" in err
    assert "1. the repaired plan itself" in err
    assert 'data-stage-executed="true"' in chart.read_text(encoding="utf-8")


def test_repair_policy_is_read_from_the_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = json.loads(TEACHING.read_text(encoding="utf-8"))
    request["repair"] = {"policy": "fewest_changes_first"}
    path = write_json(tmp_path / "request.json", request)
    events = write_json(tmp_path / "events.json", EVENTS)
    code, out, _ = run(["repair", str(path), str(AGREED), str(events)], capsys)
    assert code == cli.EXIT_OK
    assert RepairedPlan.model_validate_json(out).levels[0].name == "changes"


def test_repair_bad_events_exit_2_naming_side_id_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = write_json(
        tmp_path / "events.json",
        [
            {"type": "stage_executed", "number": 2},
            {"type": "dropout", "side": "side_b", "id": "B-999", "reason": "refused"},
            {"type": "update", "side": "side_a", "id": "A-101", "fields": {"name": CANARY_NAME}},
        ],
    )
    code, out, err = run(["repair", str(TEACHING), str(AGREED), str(events)], capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert out == ""
    assert "events[0].number: stages are executed in order" in err
    assert "events[1].id (id 'B-999')" in err
    assert "[unknown_id]" in err
    assert "Traceback" not in err
    assert CANARY_NAME not in err


def test_repair_events_not_a_list_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = write_json(tmp_path / "events.json", {"type": "dropout"})
    code, _, err = run(["repair", str(TEACHING), str(AGREED), str(events)], capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert "must be a JSON list" in err


def test_verify_a_repaired_plan_with_its_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = write_json(tmp_path / "events.json", EVENTS)
    repaired = tmp_path / "repaired.json"
    run(["repair", str(TEACHING), str(AGREED), str(events), "-o", str(repaired)], capsys)
    day = ["--agreed", str(AGREED), "--events", str(events)]
    code, out, _ = run(["verify", str(TEACHING), str(repaired), *day, "--json"], capsys)
    assert code == cli.EXIT_OK
    report = json.loads(out)
    assert report["valid"] is True
    assert "changes" in [level["name"] for level in report["levels"]]
    assert report["comparison"] == "the proposal equals it on every level"
    # The agreed plan itself does not survive the day: A-109 dropped out, stage 1 differs.
    code, out, _ = run(["verify", str(TEACHING), str(AGREED), *day, "--no-optimum"], capsys)
    assert code == cli.EXIT_VIOLATIONS
    assert "[releasable]" in out
    assert "A-109 (dropped out)" in out
    assert "[executed]" in out


def test_verify_repaired_needs_both_agreed_and_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = write_json(tmp_path / "events.json", EVENTS)
    code, _, err = run(["verify", str(TEACHING), str(AGREED), "--events", str(events)], capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert "both --agreed and --events" in err


def test_a_repaired_plan_is_the_agreed_plan_of_the_next_repair_with_every_event(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a case, a published repair becomes the agreed plan, read with every event
    recorded so far: a person the day listed late (an `add`) and the repair placed must
    not make the next repair's plan 'unknown' (it did: 422 unknown_id)."""
    late = {
        "type": "add",
        "side": "side_b",
        "detainee": {"id": "B-212", "status": "military", "age": 23, "captured_on": "2024-05-01"},
    }
    day = [*EVENTS, late]
    first = tmp_path / "first.json"
    events = write_json(tmp_path / "events.json", day)
    code, _, _ = run(["repair", str(TEACHING), str(AGREED), str(events), "-o", str(first)], capsys)
    assert code == cli.EXIT_OK
    placed = RepairedPlan.model_validate_json(first.read_text())
    assert "B-212" in placed.released.side_b
    later = [*day, {"type": "dropout", "side": "side_b", "id": "B-212", "reason": "refused"}]
    events = write_json(tmp_path / "later.json", later)
    second = tmp_path / "second.json"
    code, _, err = run(
        ["repair", str(TEACHING), str(first), str(events), "-o", str(second)], capsys
    )
    assert code == cli.EXIT_OK, err
    again = RepairedPlan.model_validate_json(second.read_text())
    assert again.status == "optimal"
    assert "B-212" not in again.released.side_b
    assert [s.side_b for s in again.stages if s.executed] == [["B-201", "B-203", "B-205"]]
    code, _, _ = run(
        ["verify", str(TEACHING), str(second), "--agreed", str(first), "--events", str(events)],
        capsys,
    )
    assert code == cli.EXIT_OK
