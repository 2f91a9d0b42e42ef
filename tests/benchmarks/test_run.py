"""The benchmark harness itself: it runs end to end, stops overrunning peers, and judges
the targets from the rows it measured."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from benchmarks import load, run
from benchmarks.measure import THOUSAND_LABEL, run_process
from benchmarks.peers.outcome import PeerOutcome
from benchmarks.report import InstanceResult, ratios

LEVELS = ["priority:seriously_ill", "released"]


def row(label: str, people_a: int, **changes: float) -> InstanceResult:
    values: dict[str, float] = {"floor_s": 0.1, "solve_s": 0.2, "cli_s": 0.9, **changes}
    return InstanceResult(
        label=label,
        people_a=people_a,
        people_b=round(0.9 * people_a),
        input_mb=1.0,
        floor_s=values["floor_s"],
        parse_s=0.1,
        solve_s=values["solve_s"],
        plan_solve_seconds=0.1,
        cli_s=values["cli_s"],
        cli_startup_s=0.5,
        cli_peak_mb=300.0,
        cli_exit_code=0,
        status="optimal",
        cli_status="optimal",
        level_names=LEVELS,
        objective=[3, 10],
        proven=[True, True],
    )


def test_run_process_stops_a_child_at_its_timeout() -> None:
    process = run_process([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert process.exit_code is None
    assert process.seconds < 10
    assert process.peak_mb > 0


def test_run_process_reports_exit_code_and_memory() -> None:
    process = run_process([sys.executable, "-c", "raise SystemExit(3)"], timeout=30)
    assert process.exit_code == 3
    assert process.peak_mb > 1


def test_ratios_judge_each_target() -> None:
    thousand = row(THOUSAND_LABEL, 1400, solve_s=0.1)
    thousand.peers["milp_highs"] = PeerOutcome("milp_highs", "optimal", (3, 10), seconds=6.0)
    rows = [row("10,000 per side", 10_000), row("100,000 per side", 100_000, solve_s=2.0)]
    found = {r.name.split(": ", 1)[-1]: r for r in ratios([thousand, *rows])}
    assert found["solve / json.loads"].value == pytest.approx(20.0)
    assert found["solve / json.loads"].meets is False
    assert found["CLI / json.loads"].meets is True
    milp = next(r for name, r in found.items() if "MILP" in name)
    assert milp.value == pytest.approx(60.0)
    assert milp.meets is True
    assert found["solve time"].value == pytest.approx(10.0)
    assert found["solve time"].meets is True


def test_ratios_milp_speedup_needs_identical_objective() -> None:
    thousand = row(THOUSAND_LABEL, 1400, solve_s=0.01)
    thousand.peers["milp_highs"] = PeerOutcome("milp_highs", "optimal", (3, 9), seconds=6.0)
    milp = next(r for r in ratios([thousand]) if "MILP" in r.name)
    assert milp.meets is False
    assert milp.note == "objective vectors differ"


@pytest.mark.slow
def test_benchmark_runs_end_to_end_at_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "results"
    argv = ["--sizes", "30", "--no-thousand", "--repeat", "1", "--peer-time-limit", "20"]
    argv.append("--no-repair")  # measured on its own (benchmarks.repair)
    assert run.main([*argv, "--out", str(out)]) == 0
    document = json.loads((out / "benchmark.json").read_text(encoding="utf-8"))
    (instance,) = document["instances"]
    assert instance["status"] == "optimal"
    assert instance["cli_status"] == "optimal"
    assert instance["cli_exit_code"] == 0
    assert instance["floor_s"] > 0
    assert set(instance["phases"]) >= {"search", "check"}
    for peer in ("milp_highs", "per_person_cpsat"):
        assert instance["peers"][peer]["status"] == "optimal"
        assert instance["peers"][peer]["levels"] == instance["objective"]
    assert instance["peers"]["greedy"]["status"] == "heuristic"
    report = (out / "benchmark.md").read_text(encoding="utf-8")
    assert "| 30 per side |" in report
    assert (out / "benchmark.png").stat().st_size > 0


@pytest.mark.slow
def test_load_script_measures_healthz_while_solving(tmp_path: Path) -> None:
    argv = ["--seconds", "3", "--concurrency", "2", "--per-side", "50", "--out", str(tmp_path)]
    load.main(argv)
    summary = json.loads((tmp_path / "load.json").read_text(encoding="utf-8"))["summary"]
    assert summary["solves"] > 0
    assert summary["healthz_loaded_count"] > 0
    assert summary["solve_codes"] == {"201": summary["solves"]}
