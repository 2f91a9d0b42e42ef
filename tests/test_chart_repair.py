"""The chart of a repaired plan: executed stages marked, what changed stage by stage."""

from __future__ import annotations

import json
import re
from pathlib import Path

from solver import repair
from solver.chart import chart_of_documents, plan_chart_svg
from solver.events import apply_events
from solver.repair_request import parse_repair_request

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def repaired_teaching() -> tuple[str, str]:
    request = json.loads((EXAMPLES / "teaching.json").read_text(encoding="utf-8"))
    body = {
        **request,
        "plan": json.loads((EXAMPLES / "teaching.plan.json").read_text(encoding="utf-8")),
        "events": [
            {
                "type": "stage_executed",
                "number": 1,
                "handed_over": {"side_b": ["B-201", "B-203", "B-205"]},
            },
            {"type": "dropout", "side": "side_a", "id": "A-109", "reason": "refused"},
        ],
    }
    parsed = parse_repair_request(body)
    return parsed.model_dump_json(exclude_unset=True), repair(parsed).model_dump_json()


def test_chart_marks_executed_stages_and_changes() -> None:
    request_json, plan_json = repaired_teaching()
    svg = chart_of_documents(request_json, plan_json)
    assert "Repaired plan: optimal" in svg
    assert svg.count('data-stage-executed="true"') == 1
    plan = json.loads(plan_json)
    counts = {kind: len(plan["changes"][kind]) for kind in ("added", "removed", "moved")}
    said = f"{counts['added']} added, {counts['removed']} removed, {counts['moved']} moved"
    assert said in svg
    ins = re.findall(r'data-changes-in="(\d+)"', svg)
    outs = re.findall(r'data-changes-out="(\d+)"', svg)
    added = len(plan["changes"]["added"]) + len(plan["changes"]["moved"])
    removed = len(plan["changes"]["removed"]) + len(plan["changes"]["moved"])
    assert sum(map(int, ins)) == added
    assert sum(map(int, outs)) == removed
    assert 'data-reason="dropout"' in svg


def test_chart_of_a_plain_plan_has_no_repair_marks() -> None:
    request = (EXAMPLES / "teaching.json").read_text(encoding="utf-8")
    plan = (EXAMPLES / "teaching.plan.json").read_text(encoding="utf-8")
    svg = chart_of_documents(request, plan)
    assert "data-stage-executed" not in svg
    assert "data-changes-in" not in svg
    assert 'data-reason="dropout"' not in svg
    assert "Exchange plan: optimal" in svg


def test_chart_of_a_repaired_plan_reads_the_lists_after_the_events() -> None:
    request_json, plan_json = repaired_teaching()
    from solver.schema import RepairedPlan, RepairRequest

    day = apply_events(RepairRequest.model_validate_json(request_json))
    assert plan_chart_svg(day.request, RepairedPlan.model_validate_json(plan_json)) == (
        chart_of_documents(request_json, plan_json)
    )
