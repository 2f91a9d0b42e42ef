"""The manifest of a repaired plan: executed stages marked, the changes stage by stage."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from app.manifest import REPAIR_COLUMNS, manifest_of_documents
from solver import repair
from solver.repair_request import parse_repair_request

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_repaired_manifest_marks_executed_stages_and_every_change() -> None:
    request = parse_repair_request((EXAMPLES / "teaching.repair.json").read_bytes())
    plan = repair(request)
    text = manifest_of_documents(
        request.model_dump_json(exclude_unset=True), plan.model_dump_json()
    )
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == REPAIR_COLUMNS
    assert {row["executed"] for row in rows if row["stage"] == "1"} == {"yes"}
    assert {row["executed"] for row in rows if row["stage"] == "2"} == {"no"}
    entering = {
        (row["stage"], row[f"{side}_id"], row[f"{side}_change"])
        for row in rows
        for side in ("side_a", "side_b")
        if row["match"] != "not crossing" and row[f"{side}_change"]
    }
    assert entering == {
        ("2", "A-111", "added"),
        ("2", "B-212", "added"),
        ("2", "B-206", "moved from stage 1"),
    }
    leaving = {
        (row["stage"], row["side_b_id"], row["side_b_change"])
        for row in rows
        if row["match"] == "not crossing"
    }
    assert leaving == {("1", "B-206", "moved to stage 2"), ("2", "B-210", "removed")}
    # Everyone crossing is in the plan's stages; nobody dropped out is listed as crossing.
    crossing = {
        row[f"{side}_id"]
        for row in rows
        for side in ("side_a", "side_b")
        if row["match"] != "not crossing" and row[f"{side}_id"]
    }
    assert crossing == {pid for s in plan.stages for pid in s.side_a + s.side_b}
    assert "A-109" not in crossing
