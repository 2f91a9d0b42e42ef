"""The measurements: the floor, the project's phases, the CLI, and the peers in processes.

Every timing of the project is the best of `repeat` runs (the machine is shared, and the
best run is the one least disturbed by others). A child process's peak memory is its
own maximum resident set size, read from `os.wait4` for that child alone.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from benchmarks.peers.outcome import PeerOutcome
from solver import solve
from solver.input_errors import read_request
from solver.schema import Plan, RequestRecord
from solver.synthetic import generate_request, request_json

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]
"""The project root: child processes run there, so `-m benchmarks.peers` resolves."""

LAUNCHER = Path(__file__).resolve().with_name("launch.py")

THOUSAND_LABEL = "1,000 for 1,000"
THOUSAND_SIZES = (1400, 1250)
"""The "1,000 for 1,000" shape: lists of about 1,400 and 1,250 people."""


@dataclass(frozen=True)
class Instance:
    """One generated request, written to a file that every measurement reads."""

    label: str
    people_a: int
    people_b: int
    path: Path

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size


@dataclass(frozen=True)
class ProcessRun:
    """A child process: its wall time, peak memory, and how it ended."""

    seconds: float
    peak_mb: float
    exit_code: int | None  # None when it was killed at its time limit


def write_instance(
    directory: Path, per_side: int, seed: int, side_b: int | None = None
) -> Instance:
    """Generate a "thousand"-shaped request (per-status parity, three stages, families,
    refusals, ineligible people) and write it where the measurements read it."""
    request = generate_request(per_side, seed, side_b=side_b)
    people_b = len(request["side_b"]["detainees"])
    thousand = (per_side, people_b) == THOUSAND_SIZES
    label = THOUSAND_LABEL if thousand else f"{per_side:,} per side"
    path = directory / f"request-{per_side}x{people_b}-seed{seed}.json"
    path.write_text(request_json(request), encoding="utf-8")
    return Instance(label, per_side, people_b, path)


def best_of(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    """The shortest wall time of `repeat` runs, with the result of that run."""
    best: tuple[float, T] | None = None
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - started
        if best is None or seconds < best[0]:
            best = (seconds, result)
    assert best is not None
    return best


def median_of(repeat: int, run: Callable[[], T]) -> tuple[float, list[float], T]:
    """The median wall time of `repeat` runs, every run's time, and the last result."""
    samples: list[float] = []
    result: T | None = None
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = run()
        samples.append(time.perf_counter() - started)
    assert result is not None
    return statistics.median(samples), samples, result


def floor_seconds(raw: bytes, repeat: int = 3) -> float:
    """The floor: decoding the input file's bytes with `json.loads`, nothing else."""
    seconds, _ = best_of(repeat, lambda: json.loads(raw))
    return seconds


def parse_seconds(raw: bytes, repeat: int) -> tuple[float, RequestRecord]:
    """Reading and checking the request (`read_request`): what the CLI does first."""
    return best_of(repeat, lambda: read_request(raw))


def solve_seconds(request: RequestRecord, repeat: int) -> tuple[float, Plan]:
    """The solver phase: `solver.solve` from a parsed request to a re-checked plan."""
    return best_of(repeat, lambda: solve(request))


def cli_command() -> list[str]:
    """The installed `exchange-planner` next to this interpreter, else `python -m solver.cli`."""
    script = Path(sys.executable).with_name("exchange-planner")
    return [str(script)] if script.exists() else [sys.executable, "-m", "solver.cli"]


def run_cli(instance: Instance, out: Path, repeat: int) -> tuple[ProcessRun, Plan | None]:
    """`exchange-planner solve FILE -o OUT`, end to end: the best wall time, the peak memory."""
    runs = [
        run_process([*cli_command(), "solve", str(instance.path), "-o", str(out)], timeout=3600)
        for _ in range(max(1, repeat))
    ]
    best = min(runs, key=lambda r: r.seconds)
    plan = Plan.model_validate_json(out.read_bytes()) if best.exit_code == 0 else None
    peak = max(r.peak_mb for r in runs)
    return ProcessRun(best.seconds, peak, best.exit_code), plan


def cli_startup_seconds(repeat: int) -> float:
    """`exchange-planner --help`: starting Python and importing the planner, no work at all."""
    runs = [run_process([*cli_command(), "--help"], timeout=600) for _ in range(max(1, repeat))]
    return min(r.seconds for r in runs)


def run_peer(name: str, instance: Instance, time_limit_s: float, grace_s: float) -> PeerOutcome:
    """Run a peer in its own process; stop it at `time_limit_s + grace_s` (reading included).

    A peer stopped this way is `killed`; its own time limit covers only its search.
    """
    out = instance.path.with_suffix(f".{name}.json")
    out.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "benchmarks.peers",
        name,
        str(instance.path),
        "--time-limit",
        str(time_limit_s),
        "--out",
        str(out),
    ]
    process = run_process(command, timeout=time_limit_s + grace_s)
    if process.exit_code is None:
        return PeerOutcome(name, "killed", seconds=process.seconds, peak_mb=process.peak_mb)
    if process.exit_code != 0 or not out.exists():
        return PeerOutcome(
            name,
            "crashed",
            seconds=process.seconds,
            peak_mb=process.peak_mb,
            notes=(f"exit code {process.exit_code}",),
        )
    outcome = PeerOutcome.from_json(json.loads(out.read_text(encoding="utf-8")))
    out.unlink()
    return replace(outcome, peak_mb=process.peak_mb)


def run_process(command: list[str], timeout: float) -> ProcessRun:
    """Run a child to its end or to `timeout` (then kill it); measure it alone.

    The child is started by `launch.py`, a small go-between, so that its peak memory
    is its own and not inherited from this (much larger) process.
    """
    with tempfile.TemporaryDirectory(prefix="exchange-launch-") as scratch:
        report = Path(scratch) / "run.json"
        launcher = [sys.executable, "-S", str(LAUNCHER), str(report), str(timeout), "--"]
        process = subprocess.Popen(
            [*launcher, *command],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        # The go-between kills the command at `timeout`; this is only a backstop.
        try:
            process.wait(timeout=timeout + 60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if not report.exists():
            raise RuntimeError(f"the launcher failed (exit {process.returncode}): {command}")
        measured = json.loads(report.read_text(encoding="utf-8"))
    return ProcessRun(measured["seconds"], measured["peak_kb"] / 1024, measured["exit_code"])
