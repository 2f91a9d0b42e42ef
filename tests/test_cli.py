"""The command line: exit codes, readable errors without tracebacks, and what lands where."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from solver import cli
from solver.planner import solve
from solver.schema import ExchangeRequest, Plan

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TEACHING = EXAMPLES / "teaching.json"
CANARY_NAME = "Canary Zzyzx"
CANARY_BIRTH = "1991-07-13"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def tiny_request(**terms: Any) -> dict[str, Any]:
    """One soldier per side, each carrying a canary name and birth date."""
    return {
        "terms": {"reference_date": "2025-05-23", "min_per_side": 1, **terms},
        "side_a": {"detainees": [{"id": "A-1", "name": CANARY_NAME, "birth_date": CANARY_BIRTH}]},
        "side_b": {"detainees": [{"id": "B-1", "name": CANARY_NAME, "birth_date": CANARY_BIRTH}]},
    }


def solved_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    plan_path = tmp_path / "plan.json"
    code, _, _ = run(["solve", str(TEACHING), "-o", str(plan_path)], capsys)
    assert code == cli.EXIT_OK
    return plan_path


# --------------------------------------------------------------------------- solve


def test_solve_prints_the_plan_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["solve", str(TEACHING)], capsys)
    assert code == cli.EXIT_OK
    plan = Plan.model_validate_json(out)
    assert plan.status == "optimal"
    assert err == ""


def test_solve_writes_the_plan_file_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "plan.json"
    code, out, err = run(["solve", str(TEACHING), "-o", str(target)], capsys)
    assert code == cli.EXIT_OK
    assert out == ""
    assert Plan.model_validate_json(target.read_text()).status == "optimal"
    assert err.startswith("optimal")


def test_solve_compact_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["solve", str(TEACHING), "--compact"], capsys)
    assert code == cli.EXIT_OK
    assert out.count("\n") == 1


def test_solve_infeasible_is_an_answer_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_json(tmp_path / "r.json", tiny_request(min_per_side=5))
    code, out, _ = run(["solve", str(path)], capsys)
    assert code == cli.EXIT_OK
    plan = Plan.model_validate_json(out)
    assert plan.status == "infeasible"
    assert plan.conflicts


def test_solve_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps(tiny_request()).encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, _ = run(["solve", "-"], capsys)
    assert code == cli.EXIT_OK
    assert Plan.model_validate_json(out).released.side_a == ["A-1"]


def test_solve_time_limit_overrides_the_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[ExchangeRequest] = []

    def spy(request: ExchangeRequest, **kwargs: Any) -> Plan:
        seen.append(request)
        return solve(request, **kwargs)

    monkeypatch.setattr(cli, "solve", spy)
    code, _, _ = run(["solve", str(TEACHING), "--time-limit", "2.5"], capsys)
    assert code == cli.EXIT_OK
    assert seen[0].options.time_limit_s == 2.5


def test_solve_bad_time_limit_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["solve", str(TEACHING), "--time-limit", "0"])
    assert stopped.value.code == cli.EXIT_BAD_INPUT
    assert "--time-limit" in capsys.readouterr().err


def test_solve_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["solve", str(tmp_path / "absent.json")], capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert out == ""
    assert "cannot read" in err
    assert "absent.json" in err


def test_solve_bad_json_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"terms": {', encoding="utf-8")
    code, out, err = run(["solve", str(path)], capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert out == ""
    assert "not readable as JSON" in err


def test_solve_invalid_request_exit_2_names_the_culprit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tiny_request(must_include={"side_b": ["B-7"]})
    doc["side_b"]["detainees"][0]["age"] = 131
    code, out, err = run(["solve", str(write_json(tmp_path / "r.json", doc))], capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert out == ""
    assert "side_b.detainees[0].age (id 'B-1')" in err
    assert "terms.must_include.side_b[0] (id 'B-7')" in err
    assert CANARY_NAME not in err
    assert CANARY_BIRTH not in err


def test_solve_internal_error_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(request: ExchangeRequest, **kwargs: Any) -> Plan:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "solve", broken)
    code, _, err = run(["solve", str(TEACHING)], capsys)
    assert code == cli.EXIT_INTERNAL_ERROR
    assert "internal error" in err


def test_solve_console_script_bad_json_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b"\x00not json")
    finished = subprocess.run(
        [sys.executable, "-m", "solver.cli", "solve", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == cli.EXIT_BAD_INPUT
    assert "Traceback" not in finished.stderr
    assert "not readable as JSON" in finished.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", str(TEACHING), str(EXAMPLES / "teaching.draft.json")],  # stays buffered
        ["verify", str(TEACHING), str(EXAMPLES / "teaching.draft.json"), "--json"],
        ["solve", str(EXAMPLES / "thousand_for_thousand.json")],  # fills the pipe at once
    ],
    ids=["verify", "verify-json", "solve"],
)
def test_a_closed_pipe_is_a_normal_end_without_a_traceback(argv: list[str]) -> None:
    """`exchange-planner ... | head`: the reader leaves early. Here it has left before the
    first byte is written, so every run meets the closed pipe."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        finished = subprocess.run(
            [sys.executable, "-m", "solver.cli", *argv],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in finished.stderr
    assert "internal error" not in finished.stderr
    assert finished.returncode == cli.EXIT_CLOSED_PIPE


# --------------------------------------------------------------------------- verify


def test_verify_the_solver_plan_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan_path = solved_plan(tmp_path, capsys)
    code, out, _ = run(["verify", str(TEACHING), str(plan_path)], capsys)
    assert code == cli.EXIT_OK
    assert "meets the terms" in out
    assert "equals it on every level" in out


def test_verify_text_says_which_way_each_level_is_better(
    capsys: pytest.CaptureFixture[str],
) -> None:
    draft = EXAMPLES / "teaching.draft.json"
    code, out, _ = run(["verify", str(TEACHING), str(draft)], capsys)
    assert code == cli.EXIT_VIOLATIONS
    table = out.split("\n\n")[1].splitlines()
    assert table[0].split()[:3] == ["level", "better", "proposal"]
    better = {line.split()[0]: line.split()[1] for line in table[1:]}
    assert better["priority:young"] == "higher"
    assert better["captivity_days"] == "higher"
    assert better["stage_order:all"] == "lower"
    assert len(better) == 11
    assert len({len(line) for line in table}) == 1, "the columns line up"


def test_verify_broken_plan_exit_1_lists_violations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = json.loads(solved_plan(tmp_path, capsys).read_text())
    dropped = plan["released"]["side_a"].pop()
    for stage in plan["stages"]:
        if dropped in stage["side_a"]:
            stage["side_a"].remove(dropped)
    proposal = write_json(tmp_path / "proposal.json", plan)
    code, out, _ = run(["verify", str(TEACHING), str(proposal), "--json"], capsys)
    assert code == cli.EXIT_VIOLATIONS
    report = json.loads(out)
    assert report["valid"] is False
    assert "parity" in {v["rule"] for v in report["violations"]}
    released = next(level for level in report["levels"] if level["name"] == "released")
    assert released["proposal"] == released["optimum"] - 1


def test_verify_bare_proposal_with_released_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = write_json(tmp_path / "r.json", tiny_request())
    draft = write_json(tmp_path / "d.json", {"released": {"side_a": ["A-1"], "side_b": ["B-1"]}})
    code, out, _ = run(["verify", str(request), str(draft), "--json"], capsys)
    assert code == cli.EXIT_OK
    assert json.loads(out)["valid"] is True


def test_verify_no_optimum_does_not_solve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def forbidden(request: ExchangeRequest, **kwargs: Any) -> Plan:
        raise AssertionError("solve must not run")

    monkeypatch.setattr(cli, "solve", forbidden)
    request = write_json(tmp_path / "r.json", tiny_request())
    draft = write_json(tmp_path / "d.json", {"released": {"side_a": ["A-1"], "side_b": []}})
    code, out, _ = run(["verify", str(request), str(draft), "--no-optimum"], capsys)
    assert code == cli.EXIT_VIOLATIONS
    assert "not computed" in out


def test_verify_infeasible_terms_say_no_optimum_exists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = write_json(tmp_path / "r.json", tiny_request(min_per_side=3))
    draft = write_json(tmp_path / "d.json", {"released": {"side_a": ["A-1"], "side_b": ["B-1"]}})
    code, out, _ = run(["verify", str(request), str(draft)], capsys)
    assert code == cli.EXIT_VIOLATIONS
    assert "no plan meets these terms" in out


@pytest.mark.parametrize(
    "plan_text",
    ['{"released": ', '{"released": {"side_a": [1]}}', '{"stages": []}'],
    ids=["bad_json", "bad_id", "no_released"],
)
def test_verify_unusable_plan_exit_2(
    plan_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(plan_text, encoding="utf-8")
    code, out, err = run(["verify", str(TEACHING), str(plan)], capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert out == ""
    assert "not a plan or proposal" in err


def test_verify_invalid_request_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = write_json(tmp_path / "r.json", tiny_request(stages=[0]))
    draft = write_json(tmp_path / "d.json", {"released": {}})
    code, _, err = run(["verify", str(request), str(draft)], capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert "terms.stages[0]" in err


# --------------------------------------------------------------------------- generate


def test_generate_same_seed_same_output(capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = run(["generate", "--per-side", "50", "--seed", "4"], capsys)
    _, again, _ = run(["generate", "--per-side", "50", "--seed", "4"], capsys)
    _, other, _ = run(["generate", "--per-side", "50", "--seed", "5"], capsys)
    assert first == again
    assert first != other
    ExchangeRequest.model_validate_json(first)


def test_generate_to_file_with_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "req.json"
    argv = ["generate", "--per-side", "12", "--side-b", "3", "--shape", "teaching"]
    argv += ["--reference-date", "2024-01-31", "--fake-names", "-o", str(target)]
    code, out, _ = run(argv, capsys)
    assert code == cli.EXIT_OK
    assert out == ""
    doc = json.loads(target.read_text())
    assert doc["terms"]["reference_date"] == "2024-01-31"
    assert len(doc["side_b"]["detainees"]) == 3
    assert doc["side_a"]["detainees"][0]["name"].startswith("Synthetic")


def test_generate_unwritable_target_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing-dir" / "req.json"
    code, _, err = run(["generate", "--per-side", "3", "-o", str(target)], capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert "cannot write" in err


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--help"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    for command in ("solve", "verify", "generate"):
        assert command in out
